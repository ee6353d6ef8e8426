"""``tappaas check``: exit codes, JSON, and the pure ``format_*`` renderers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from tappaas.cli import app
from tappaas.cli.check import (
    EXIT_BLOCKING_FINDINGS,
    EXIT_INVALID_CONFIG,
    EXIT_OK,
    format_check,
    format_config_error,
    format_findings,
    format_protection_table,
    format_summary,
)
from tappaas.model import ConfigError, ConfigIssue, load_stack_file
from tappaas.policy import evaluate, protection_report
from tests.model.sites import REPO, load, small_site

runner = CliRunner()


def render(renderable: object, width: int = 220) -> str:
    console = Console(record=True, width=width)
    console.print(renderable)
    return console.export_text()


def write_stack(tmp_path: Path, site: dict[str, Any], stack: str = "test") -> Path:
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump({"config": {"tappaas:site": site}}))
    return path


@pytest.mark.parametrize("stack", ["prod", "peer", "single"])
def test_example_stacks_pass(stack: str) -> None:
    result = runner.invoke(app, ["check", "--file", str(REPO / f"Pulumi.{stack}.yaml")])
    assert result.exit_code == EXIT_OK, result.output
    assert "0 error(s)" in result.output


def test_stack_name_reads_the_file_in_the_current_directory(tmp_path, monkeypatch) -> None:
    shutil.copy(REPO / "Pulumi.single.yaml", tmp_path / "Pulumi.single.yaml")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", "--stack", "single"])
    assert result.exit_code == EXIT_OK
    assert "push-direction" in result.output


def test_blocking_findings_exit_1(tmp_path) -> None:
    site = small_site()
    del site["remote"]
    result = runner.invoke(app, ["check", "--file", str(write_stack(tmp_path, site))])
    assert result.exit_code == EXIT_BLOCKING_FINDINGS
    assert "321-offsite" in result.output and "deployment blocked" in result.output


def test_invalid_config_exits_2_listing_every_issue(tmp_path) -> None:
    site = small_site()
    site["services"]["web"]["vmid"] = 99
    site["services"]["db"]["ha"] = {"failover_node": "tappaas9"}
    result = runner.invoke(app, ["check", "--file", str(write_stack(tmp_path, site))])
    assert result.exit_code == EXIT_INVALID_CONFIG
    assert "services.web.vmid" in result.output
    assert "services.db.ha.failover_node" in result.output
    assert "2 problem(s)" in result.output


def test_missing_file_exits_2(tmp_path) -> None:
    result = runner.invoke(app, ["check", "--file", str(tmp_path / "Pulumi.none.yaml")])
    assert result.exit_code == EXIT_INVALID_CONFIG
    assert "cannot read stack file" in result.output


@pytest.mark.parametrize("args", [[], ["--stack", "a", "--file", "b"]])
def test_exactly_one_of_stack_or_file(args: list[str]) -> None:
    result = runner.invoke(app, ["check", *args])
    assert result.exit_code == 2
    assert "exactly one of --stack NAME or --file PATH" in result.output


def test_json_output(tmp_path) -> None:
    result = runner.invoke(app, ["check", "--json", "--file", str(REPO / "Pulumi.single.yaml")])
    assert result.exit_code == EXIT_OK
    document = json.loads(result.output)
    assert (document["valid"], document["deployable"]) == (True, True)
    assert document["findings"][0]["code"] == "push-direction"
    assert document["findings"][0]["severity"] == "warning"
    assert document["report"]["site"] == "cottage"
    assert len(document["report"]["services"]) == 4


def test_json_output_for_an_invalid_config(tmp_path) -> None:
    site = small_site()
    site["services"]["web"]["vmid"] = 99
    result = runner.invoke(app, ["check", "--json", "--file", str(write_stack(tmp_path, site))])
    assert result.exit_code == EXIT_INVALID_CONFIG
    document = json.loads(result.output)
    assert document == {
        "valid": False,
        "deployable": False,
        "issues": [
            {"path": "services.web.vmid", "message": "Input should be greater than or equal to 100"}
        ],
    }


def test_format_protection_table_shows_rpo_and_rto_per_disaster() -> None:
    report = protection_report(load_stack_file(REPO / "Pulumi.prod.yaml"))
    text = render(format_protection_table(report))
    assert "Protection of home (site)" in text
    nextcloud = next(line for line in text.splitlines() if "nextcloud" in line)
    assert "340" in nextcloud
    assert "15min / minutes" in nextcloud  # node failure: the replica, HA
    assert "1d 2h / hours" in nextcloud  # site loss: the peer, peer-restore prepared
    assert "0 / none" in nextcloud  # disk failure: the mirror


def test_format_protection_table_marks_lost_data() -> None:
    site = small_site()
    del site["remote"]
    text = render(format_protection_table(protection_report(load(site))))
    assert "lost" in text


def test_format_findings_and_summary() -> None:
    site = load_stack_file(REPO / "Pulumi.single.yaml")
    findings = evaluate(site)
    text = render(format_findings(findings))
    assert "push-direction" in text and "remote.direction" in text
    assert "fix: direction: pull" in text
    assert render(format_summary(findings)).strip() == "0 error(s), 5 warning(s)"
    assert "No findings" in render(format_findings(()))
    whole = render(format_check(protection_report(site), findings))
    assert "Findings" in whole and "Protection of cottage" in whole


def test_format_config_error_lists_issues() -> None:
    error = ConfigError([ConfigIssue("a.b", "bad"), ConfigIssue("c", "worse")])
    text = render(format_config_error(Path("Pulumi.x.yaml"), error))
    assert text.splitlines() == [
        "Pulumi.x.yaml: invalid site config (2 problem(s))",
        "a.b: bad",
        "c: worse",
    ]
