"""Help that reads right, for every command: plain, no type tags, positionals in capitals."""

from __future__ import annotations

import re

import pytest
import typer
from typer._click import Context
from typer.core import TyperGroup
from typer.testing import CliRunner

from tappaas.cli import COMMANDS, app


def command_paths() -> list[list[str]]:
    """Every command and subcommand, as the words a user types."""
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    paths = []
    for name in COMMANDS:
        command = root.get_command(Context(root), name)
        paths.append([name])
        if isinstance(command, TyperGroup):
            paths += [[name, sub] for sub in command.list_commands(Context(command))]
    return paths


@pytest.mark.parametrize("path", command_paths(), ids=" ".join)
def test_help_has_no_type_tags_and_capital_positionals(path: list[str]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert not re.search(r"<(bool|str|path|float|int)>", text), text
    assert "╭" not in text  # plain, not boxed
    usage = text.splitlines()[0]
    assert usage.startswith(f"Usage: tappaas {' '.join(path)}")
    assert "{" not in usage
    for word in usage.split()[2 + len(path) :]:
        if word not in ("[OPTIONS]", "COMMAND", "[ARGS]..."):
            assert word.strip("[].").isupper(), usage


def test_flags_show_no_value_and_options_a_value_word() -> None:
    text = CliRunner().invoke(app, ["check", "--help"]).output
    assert re.search(r"^  --json +Print JSON", text, re.MULTILINE)
    assert re.search(r"^  --file PATH +", text, re.MULTILINE)
    assert "Usage: tappaas check [OPTIONS] [STACK]" in text
