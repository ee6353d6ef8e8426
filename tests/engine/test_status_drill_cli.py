"""``tappaas status`` and ``tappaas drill`` as typed, on the lab stacks under the real engine.

The lab project is set up as ``tappaas demo`` sets it up: plain ``pulumi up`` of the site
stack (the upstream plugin's pools, HA resources and rules; our storage entries, replication
jobs and the daily backup job) and of the peer stack, then three nights on the lab's clock.
The commands then run with nothing but the stacks: their secret config and outputs,
decrypted by the engine with the lab passphrase, read from a private copy of the stack files.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lab import Lab
from tappaas.automation import Engine, lab_stacks
from tappaas.cli import app
from tests.engine.lab_project import LabProject, lab_project
from tests.fixtures.lab import SIMULATED_START
from tests.monitoring.labs import production_writes

pytestmark = pytest.mark.engine
NIGHTS = 3


def _set_up(project: LabProject) -> None:
    """What ``tappaas demo`` does before its disaster: both stacks up, three nights."""
    project.pulumi.up(lab_stacks.SITE_STACK)
    project.pulumi.up(lab_stacks.PEER_STACK)
    project.lab.control.advance(days=NIGHTS, hours=10)


def _lines(output: str) -> dict[tuple[str, str], dict[str, str]]:
    document = json.loads(output)
    return {(x["subject"], x["check"]): x for x in document["lines"]}


def test_status_and_drill_from_the_stacks_alone(
    engine: Engine, tmp_path: Path, lab_factory: Callable[..., Lab]
) -> None:
    project = lab_project(
        engine, tmp_path, lab_factory, clock="simulated", start_time=SIMULATED_START
    )
    _set_up(project)
    lab, directory = project.lab, project.directory
    stack_files = {p.name: p.read_bytes() for p in directory.glob("Pulumi.*yaml")}
    cli = CliRunner()
    where = ["--stack", "lab", "--dir", str(directory), "--backend", str(directory / ".state")]

    lab.control.clear_requests()
    status = cli.invoke(app, ["status", *where, "--json"])
    lines = _lines(status.stdout)
    assert lines[("nextcloud", "backup")]["state"] == "OK", lines[("nextcloud", "backup")]
    offsite = lines[("nextcloud", "off-site")]
    assert offsite["state"] == "OK" and "fetched" in offsite["why"]  # the peer's reads
    # the stack manages HA (the upstream plugin) and replication (ours): status reads them
    assert lines[("nextcloud", "ha")]["why"] == "started on home node tappaas1"
    replication = lines[("nextcloud", "replication")]
    assert replication["state"] == "OK" and replication["why"].startswith("to tappaas2: last")
    assert lines[("nextcloud", "drill")]["state"] == "WARN"  # never drilled yet
    assert not [x for x in lines.values() if x["state"] in ("CRIT", "UNKNOWN")], status.stdout
    assert [r for r in lab.control.requests() if r.is_write] == []

    lab.control.clear_requests()
    drill = cli.invoke(app, ["drill", *where, "--all"])
    assert drill.exit_code == 0, drill.output
    assert drill.output.count("PASS") >= 7 and "OK: reports" in drill.output
    assert production_writes(lab.control.requests(), project.site) == []
    names = {path.name for path in (directory / ".drills" / "lab").iterdir()}
    assert "history.jsonl" in names
    assert sum(n.endswith(".md") for n in names) == sum(n.endswith(".json") for n in names) == 1

    again = cli.invoke(app, ["status", *where, "--prometheus", str(tmp_path / "tappaas.prom")])
    assert "passed 0s ago" in again.output
    prom = (tmp_path / "tappaas.prom").read_text()
    assert 'tappaas_drill_pass_age_seconds{site="home",subject="nextcloud"} 0' in prom
    report = cli.invoke(app, ["drill", *where, "--report"])
    assert report.exit_code == 0 and "nextcloud" in report.output

    # With the peer's read-only restore token (the recovery stack's secret, as the demo sets
    # it from the peer stack's guests output), status lists the copy on the peer itself.
    assert {p.name: p.read_bytes() for p in directory.glob("Pulumi.*yaml")} == stack_files
    guests = project.pulumi.outputs(lab_stacks.PEER_STACK, show_secrets=True)["guests"]
    restore = guests[project.site.name]
    project.pulumi.set_secret(
        lab_stacks.RECOVERY_STACK, lab_stacks.RECOVERY_READER_KEY, restore["restore_token_secret"]
    )
    stack_files = {p.name: p.read_bytes() for p in directory.glob("Pulumi.*yaml")}
    listed = cli.invoke(app, ["status", *where, "--json", "--recovery-stack", "lab-recovery"])
    offsite = _lines(listed.stdout)[("nextcloud", "off-site")]
    assert offsite["state"] == "OK" and offsite["why"].endswith("on the peer"), offsite
    peer_reads = [r for r in lab.control.requests() if r.instance == "peer"]
    assert peer_reads and not [r for r in peer_reads if r.is_write]

    # A drill from the peer's copy needs a storage reading it (a recovery stack's tappaas-dr).
    from_peer = cli.invoke(app, ["drill", *where, "--service", "nextcloud", "--from", "peer"])
    assert from_peer.exit_code == 3 and "cloud-recovery stack" in from_peer.output

    # Read-only: the stack files are as they were (the engine read private copies).
    assert {p.name: p.read_bytes() for p in directory.glob("Pulumi.*yaml")} == stack_files
