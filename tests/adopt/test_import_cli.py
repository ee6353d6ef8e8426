"""``tappaas import tappaas``: the file it writes, its report, and its exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tappaas.cli import app
from tappaas.cli.errors import EXIT_FAILED, EXIT_INVALID_INPUT, EXIT_OK
from tests.adopt.upstream_site import UPSTREAM_SRC, answers, configuration, write_json

runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_json(tmp_path / "configuration.json", configuration())
    (tmp_path / "answers.yaml").write_text(yaml.safe_dump(answers()))
    return tmp_path


def invoke(project: Path, *extra: str):
    return runner.invoke(
        app,
        [
            "import",
            "tappaas",
            "--config",
            str(project / "configuration.json"),
            "--modules",
            str(UPSTREAM_SRC),
            "--dir",
            str(project),
            *extra,
        ],
    )


def test_open_decisions_exit_1_and_are_written_as_placeholders(project: Path) -> None:
    result = invoke(project)
    assert result.exit_code == EXIT_FAILED, result.output
    assert "Decisions left to you (9)" in result.output
    assert "  remote.peer_stack\n" in result.output
    assert "from foundation/backup/backup.json: node" in result.output
    assert "pulumi config set --stack prod --secret pbsEncryptionKey <value>" in result.output
    assert "Not deployable yet: 9 decision(s) open, 0 problem(s)." in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    written = yaml.safe_load((project / "Pulumi.prod.yaml").read_text())
    site = written["config"]["tappaas:site"]
    assert site["remote"]["peer_stack"].startswith("DECIDE: ")
    # tappaas check names the same paths
    check = runner.invoke(app, ["check", "--file", str(project / "Pulumi.prod.yaml")])
    assert check.exit_code == EXIT_INVALID_INPUT
    assert "nodes.tappaas1.fingerprint" in check.output


def test_with_answers_the_stack_passes_check(project: Path) -> None:
    result = invoke(project, "--answers", str(project / "answers.yaml"), "--stack", "home")
    assert result.exit_code == EXIT_OK, result.output
    assert "Decisions: none left open." in result.output
    assert "Passes `tappaas check`" in result.output
    check = runner.invoke(app, ["check", "--file", str(project / "Pulumi.home.yaml")])
    assert check.exit_code == EXIT_OK, check.output
    assert "0 error(s)" in check.output


def test_an_existing_stack_file_keeps_its_other_keys(project: Path) -> None:
    path = project / "Pulumi.prod.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "encryptionsalt": "v1:salt",
                "config": {"tappaas:pveApiToken": {"secure": "v1:abc"}, "aws:region": "x"},
            }
        )
    )
    first = invoke(project, "--answers", str(project / "answers.yaml"))
    assert first.exit_code == EXIT_OK, first.output
    assert "--secret pveApiToken" not in first.output  # already set in the file
    assert "--secret pbsApiToken" in first.output
    written = yaml.safe_load(path.read_text())
    assert written["encryptionsalt"] == "v1:salt"
    assert written["config"]["tappaas:pveApiToken"] == {"secure": "v1:abc"}
    assert written["config"]["aws:region"] == "x"
    again = invoke(project)
    assert again.exit_code == EXIT_INVALID_INPUT
    assert "already holds tappaas:site: pass --replace" in again.output
    replaced = invoke(project, "--replace")
    assert replaced.exit_code == EXIT_FAILED  # re-imported without answers: decisions open
    assert yaml.safe_load(path.read_text())["encryptionsalt"] == "v1:salt"


def test_bad_upstream_files_exit_2_and_write_nothing(project: Path, tmp_path: Path) -> None:
    modules = tmp_path / "config"
    write_json(modules / "wiki.json", {"vmname": "wiki", "vmid": "x", "dependsOn": []})
    result = runner.invoke(
        app,
        [
            "import",
            "tappaas",
            "--config",
            str(project / "configuration.json"),
            "--modules",
            str(modules),
            "--dir",
            str(project),
        ],
    )
    assert result.exit_code == EXIT_INVALID_INPUT
    assert "wiki.json: vmid: Input should be a valid integer" in result.output
    assert not (project / "Pulumi.prod.yaml").exists()


def test_a_bad_answers_file_exits_2(project: Path) -> None:
    (project / "answers.yaml").write_text("- a list\n")
    result = invoke(project, "--answers", str(project / "answers.yaml"))
    assert result.exit_code == EXIT_INVALID_INPUT
    assert "nothing imported: 1 problem(s) with the input files" in result.output
    assert "answers.yaml:\n  (file): expected a mapping shaped like tappaas:site" in result.output


def test_the_group_lists_its_subcommands() -> None:
    result = runner.invoke(app, ["import", "--help"])
    assert result.exit_code == EXIT_OK
    assert "tappaas" in result.output


def test_live_with_an_invalid_stack_file_exits_2_before_the_engine(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: tappaas\nruntime: python\n")
    (tmp_path / "Pulumi.home.yaml").write_text("config:\n  tappaas:site: {name: home}\n")
    result = runner.invoke(app, ["import", "live", "home", "--dir", str(tmp_path)])
    assert result.exit_code == EXIT_INVALID_INPUT
    assert "invalid site config" in result.output
    assert "cluster: Field required" in result.output
