"""``tappaas lab scenario``: prints the timeline and the checks, fails on a failed check."""

from __future__ import annotations

from typer.testing import CliRunner

from tappaas.cli import app
from tests.conftest import REPO


def test_the_command_prints_a_timeline_and_passing_checks():
    result = CliRunner().invoke(
        app,
        [
            "lab", "scenario", "accidental-deletion",
            "--site-file", str(REPO / "Pulumi.prod.yaml"),
            "--peer-file", str(REPO / "Pulumi.peer.yaml"),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("== accidental-deletion:")
    assert any("pve/tappaas1" in line and "backup" in line for line in lines)
    assert "  [PASS] the latest backup restores through the API:" in "\n".join(lines)


def test_an_unknown_scenario_is_refused():
    result = CliRunner().invoke(app, ["lab", "scenario", "meteor"])
    assert result.exit_code != 0 and "unknown scenario 'meteor'" in result.output
