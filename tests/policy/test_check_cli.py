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
from tappaas.cli.check import EXIT_BLOCKING_FINDINGS, EXIT_INVALID_CONFIG, EXIT_OK
from tappaas.cli.check_output import (
    format_check,
    format_config_error,
    format_findings,
    format_protection,
    format_protection_table,
    format_summary,
    wide_table_width,
)
from tappaas.model import ConfigError, ConfigIssue, load_stack_file
from tappaas.policy import evaluate, protection_report
from tests.model.sites import REPO, cloud_site, load, small_site

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


def test_missing_file_exits_2_naming_the_stacks_there(tmp_path) -> None:
    shutil.copy(REPO / "Pulumi.single.yaml", tmp_path / "Pulumi.single.yaml")
    result = runner.invoke(app, ["check", "--file", str(tmp_path / "Pulumi.none.yaml")])
    assert result.exit_code == EXIT_INVALID_CONFIG
    assert f"no stack file {tmp_path / 'Pulumi.none.yaml'} (stacks there: single)" in result.output


@pytest.mark.parametrize("args", [[], ["--stack", "a", "--file", "b"], ["a", "--stack", "b"]])
def test_exactly_one_stack(args: list[str]) -> None:
    result = runner.invoke(app, ["check", *args])
    assert result.exit_code == 2
    assert "give one stack: a name (tappaas check prod), --stack NAME or --file PATH" in (
        result.output
    )


def test_the_stack_is_a_positional_name_or_path(tmp_path, monkeypatch) -> None:
    shutil.copy(REPO / "Pulumi.single.yaml", tmp_path / "Pulumi.single.yaml")
    monkeypatch.chdir(tmp_path)
    by_name = runner.invoke(app, ["check", "single"])
    by_path = runner.invoke(app, ["check", str(REPO / "Pulumi.single.yaml")])
    assert by_name.exit_code == by_path.exit_code == EXIT_OK
    assert by_name.output == by_path.output


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
    report = protection_report(load(site))
    assert "lost" in render(format_protection_table(report))
    blocks = render(format_protection(report, 80), width=80)
    rpo = next(line for line in blocks.splitlines() if line.startswith("  RPO"))
    assert "lost" in rpo.split()


def test_format_findings_and_summary() -> None:
    site = load_stack_file(REPO / "Pulumi.single.yaml")
    findings = evaluate(site)
    text = render(format_findings(findings))
    assert "push-direction  remote.direction" in text
    assert "fix: direction: pull" in text
    assert render(format_summary(findings)).strip() == "0 error(s), 5 warning(s)"
    assert "No findings" in render(format_findings(()))
    whole = render(format_check(site, protection_report(site), findings))
    assert "Findings" in whole and "Protection of cottage" in whole


def test_format_config_error_lists_issues() -> None:
    error = ConfigError([ConfigIssue("a.b", "bad"), ConfigIssue("c", "worse")])
    text = render(format_config_error(Path("Pulumi.x.yaml"), error))
    assert text.splitlines() == [
        "Pulumi.x.yaml: invalid site config (2 problem(s))",
        "a.b: bad",
        "c: worse",
    ]


@pytest.mark.parametrize("stack", ["prod", "single", "peer"])
def test_80_columns_show_every_key_path_and_header_whole(stack: str) -> None:
    """The shipped examples at 80 columns (a terminal, a CI log, a pipe): nothing is cut."""
    site = load_stack_file(REPO / f"Pulumi.{stack}.yaml")
    report = protection_report(site)
    findings = evaluate(site, report)
    text = render(format_check(site, report, findings, 80), width=80)
    lines = text.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    assert "…" not in text
    for finding in findings:
        assert any(finding.path in line for line in lines), finding.path
    for service in report.services:
        assert any(line.startswith(f"{service.name} · vmid {service.vmid}") for line in lines)
    if report.services:
        assert any(line.split() == ["disk", "node", "site", "ransomware", "deletion", "update"]
                   for line in lines)  # fmt: skip


def test_a_wide_terminal_gets_the_table() -> None:
    site = load_stack_file(REPO / "Pulumi.prod.yaml")
    report = protection_report(site)
    wide = wide_table_width(report)
    assert 80 < wide <= 160
    table = render(format_check(site, report, (), wide), width=wide)
    assert "┃ service" in table and max(len(line) for line in table.splitlines()) <= wide
    assert "┃ service" not in render(format_check(site, report, (), wide - 1), width=wide - 1)


def test_a_peer_shows_the_guests_it_keeps() -> None:
    site = load_stack_file(REPO / "Pulumi.peer.yaml")
    text = render(format_check(site, protection_report(site), (), 80), width=80)
    assert "buddy (peer) runs no services of its own." in text
    assert "Copies buddy keeps for other sites (peer)" in text
    assert "namespace remote/home, pulled from organization/tappaas/prod on schedule 04:00" in (
        " ".join(text.split())
    )


def recovery_site() -> dict[str, Any]:
    site = small_site()
    site.update(name="home-dr", role="cloud-recovery")
    del site["backup"]
    site["datapools"] = {"tanka1": site["datapools"]["tanka1"]}
    site["remote"] = {
        "address": "10.0.0.9:8007",
        "fingerprint": ":".join(["AB"] * 32),
        "datastore": "tappaas_backup",
        "namespace": "remote/home",
        "credential": {"token_id": "dr@pbs!read", "token_secret": {"secret": "drRead"}},
    }
    site["recovery"] = {
        "methods": ["cloud"],
        "restore_order": ["db"],
        "encryption_key": {"secret": "pbsEncryptionKey"},  # the copy is encrypted
    }
    return site


def test_a_recovery_stack_shows_what_it_restores_and_from_where() -> None:
    site = load(recovery_site())
    report = protection_report(site)
    findings = evaluate(site, report)
    text = " ".join(render(format_check(site, report, findings, 80), width=80).split())
    assert "No findings: the recovery plan is complete." in text
    assert "lost" not in text and "3-2-1" not in text
    assert (
        "Restores 2 service(s) from the copy at 10.0.0.9:8007 (datastore tappaas_backup, "
        "namespace remote/home), reading with dr@pbs!read, each from its newest backup"
    ) in text
    assert text.index("1. db") < text.index("2. web")


def test_a_cloud_stack_shows_the_rented_host_and_its_tiers() -> None:
    """What a cloud recovery restores (the important services, not the low ones), onto the
    rented host's data storage rather than the site's pools, tier by tier."""
    raw = cloud_site()
    raw["services"]["logs"] = {"vmid": 150, "node": "tappaas1", "importance": "low"}
    raw["services"]["mail"] = {"vmid": 120, "node": "tappaas1"}
    site = load(raw)
    lines = render(format_check(site, protection_report(site), (), 80), width=80).splitlines()
    text = " ".join(" ".join(lines).split())
    assert (
        "Rents a gcp host (n2-standard-8, europe-west4-a; data disk 500 GB) and installs "
        "Proxmox VE on it. Restores 3 service(s) from the copy at 10.20.0.11:8007"
    ) in text
    assert "services under one number restore side by side" in text
    plan = [line.rstrip() for line in lines if "vmid" in line]
    assert plan == [
        "  1. db    vmid 101 → tappaas-cloud, storage tappaas-data",
        "  2. web   vmid 100 → tappaas-cloud, storage tappaas-data",
        "     mail  vmid 120 → tappaas-cloud, storage tappaas-data",
    ]
    assert max(len(line) for line in lines) <= 80


def test_an_existing_host_is_named_by_its_address() -> None:
    site = load(cloud_site("existing"))
    text = " ".join(render(format_check(site, protection_report(site), (), 80), width=80).split())
    assert "Sets up nothing new: the host at 203.0.113.20:8006 runs Proxmox VE already." in text
