"""``tappaas status`` and ``tappaas drill`` as a user types them: the monitoring exit codes.

0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN — and 3 for anything that kept the command from checking
(bad usage, an invalid config, an unreadable stack): never 2, which a scheduler would read as
CRITICAL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from tappaas.cli import app
from tappaas.cli.drill_format import format_drill_markdown, format_drill_table
from tappaas.drill import DrillArchive
from tappaas.health import DrillRun, Refusal, ServiceDrill, Source, targets
from tests.conftest import REPO
from tests.model.sites import example
from tests.monitoring.labs import site_with

runner = CliRunner()
SITE = site_with()
NOON = 1_735_992_000  # 2025-01-04T12:00:00Z


def write_stack(folder: Path, site: dict[str, Any], stack: str = "home") -> None:
    """A project folder: ``Pulumi.yaml`` and the stack file."""
    document = {"config": {"tappaas:site": site}}
    (folder / "Pulumi.yaml").write_bytes((REPO / "Pulumi.yaml").read_bytes())
    (folder / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document))


def result(started: int, rto: float | None, service: str = "nextcloud") -> ServiceDrill:
    return ServiceDrill(
        drill_id=f"d{started}",
        service=service,
        vmid=SITE.services[service].vmid,
        source=Source.LOCAL,
        started=started,
        node="tappaas1",
        drill_vmid=9900,
        snapshot="tappaas_backup:backup/vm/340/2025-01-03T02:00:20Z",
        snapshot_time=started - 36000,
        rpo_seconds=36000.0,
        restored_seconds=65.0,
        running_seconds=1.0,
        healthy_seconds=rto,
        passed=rto is not None,
        reason="" if rto is not None else "restore failed: live-restore failed",
        targets=targets(SITE, service, Source.LOCAL),
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "--bogus"], "No such option: --bogus"),
        (["status"], "Missing option '--stack'"),
        (["drill", "--stack", "home"], "give exactly one of --service S, --all or --sample N"),
        (["drill", "--stack", "home", "--all", "--from", "cloud"], "'cloud' is not one of"),
        (["drill", "--stack", "home", "--service", "nope"], "unknown service(s) nope"),
        (["drill", "--stack", "home", "--all", "--node", "x"], "--node 'x' is not a declared"),
        (["drill", "--report"], "--stack is required"),
    ],
)
def test_usage_errors_exit_unknown_not_critical(tmp_path: Path, args, message) -> None:
    write_stack(tmp_path, example("prod"))
    outcome = runner.invoke(app, [*args, "--dir", str(tmp_path)] if "--bogus" not in args else args)
    assert outcome.exit_code == 3, outcome.output
    assert message in outcome.output


def test_an_invalid_config_exits_unknown_naming_the_path(tmp_path: Path) -> None:
    raw = example("prod")
    raw["drill"] = {"vlan": 7}
    write_stack(tmp_path, raw)
    for command in (["status"], ["drill", "--all"]):
        outcome = runner.invoke(app, [*command, "--stack", "home", "--dir", str(tmp_path)])
        assert outcome.exit_code == 3
        assert "drill.vlan: a VLAN tag needs drill.bridge" in outcome.output


def test_the_report_shows_the_trend_and_exits_by_it(tmp_path: Path) -> None:
    archive = DrillArchive(tmp_path / ".drills", "home")
    runs = [(1, 600.0), (2, 1800.0), (3, 4000.0)]  # nextcloud's RTO grows beyond 1 h
    for started, rto in runs:
        run = DrillRun(
            drill_id=f"d{started}",
            site="home",
            source=Source.LOCAL,
            started=started,
            results=(result(started, rto), result(started, 60.0, "firewall")),
        )
        archive.record(run, format_drill_markdown(run))
    outcome = runner.invoke(app, ["drill", "--stack", "home", "--report", "--dir", str(tmp_path)])
    assert outcome.exit_code == 1, outcome.output
    assert "10min → 30min → 1h 6min" in outcome.output
    assert "RTO beyond target (grew)" in outcome.output
    failed = DrillRun(
        drill_id="d4",
        site="home",
        source=Source.LOCAL,
        started=4,
        results=(result(4, None, "firewall"),),
    )
    archive.record(failed, format_drill_markdown(failed))
    outcome = runner.invoke(app, ["drill", "--stack", "home", "--report", "--dir", str(tmp_path)])
    assert outcome.exit_code == 2 and "last drill FAILED" in outcome.output


def test_the_drill_table_reads_at_80_columns_and_the_markdown_report_has_it_all() -> None:
    run = DrillRun(
        drill_id="20250104T120000Z-ab12",
        site="home",
        source=Source.LOCAL,
        started=NOON,
        results=(result(NOON, 52.0), result(NOON, None, "vaultwarden")),
        refused=(Refusal(service="hass", reason="node tappaas3 has 0 MiB to spare"),),
    )
    console = Console(width=80, record=True)
    console.print(format_drill_table(run))
    text = console.export_text()
    assert max(len(row) for row in text.splitlines()) <= 80
    assert "10h / 1d" in text and "52s / < 1 hour" in text and "PASS" in text
    markdown = format_drill_markdown(run)
    assert (
        "| nextcloud | 2025-01-04 02:00:00Z | 10h | 1d | 52s | < 1 hour (1h) |" in markdown
        and "**PASS** |" in markdown
    )
    assert "## vaultwarden: FAIL" in markdown and "restore failed: live-restore failed" in markdown
    assert "NOT RUN: node tappaas3 has 0 MiB to spare" in markdown
