"""``tappaas status`` and ``tappaas drill`` as typed, on the lab stacks under the real engine.

The lab is set up as the demo sets it up (the site and peer stacks brought up with the
engine; the PVE side the upstream plugin would manage — the PBS storage with the site's PVE
token and the daily job — created through the PVE API), three nights pass, and then the
commands run with nothing but the stack: its secret config and outputs, decrypted by the
engine with the (lab) passphrase.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lab import Lab
from tappaas.automation import Engine, lab_stacks
from tappaas.cli import app
from tappaas.cli.stack import runner, write_lab_stacks
from tappaas.model import load_stack_file
from tests.conftest import REPO
from tests.fixtures.lab import SIMULATED_START
from tests.monitoring.labs import client, production_writes

pytestmark = pytest.mark.engine
NIGHTS = 3


def _set_up(project: Path, backend: Path, lab: Lab) -> None:
    """What ``tappaas demo`` does before its disaster: VMs, stacks, PVE side, nights."""
    for name in ("Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.peer.yaml"):
        shutil.copy(REPO / name, project / name)
    lab_file = project / ".lab" / "lab.json"
    lab_file.parent.mkdir()
    lab_file.write_text(json.dumps({"endpoints": [e.to_dict() for e in lab.endpoints()]}))
    write_lab_stacks(lab_file, project, backend)
    site = load_stack_file(project / "Pulumi.lab.yaml")
    pve = client(lab.pve)
    for pool in site.datapools.values():
        if pool.role.value != "backup":
            pve.post("/storage", storage=pool.storage_id, type="zfspool", pool=pool.storage_id)
    for name, service in site.services.items():
        disk = {"scsi0": f"{service.pool}:vm-{service.vmid}-disk-0,size=32G"}
        lab.control.seed_vm(service.vmid, service.node, name, disks=disk)
    runner(lab_stacks.SITE_STACK, project, backend).up()
    runner(lab_stacks.PEER_STACK, project, backend).up()
    token = runner(lab_stacks.SITE_STACK, project, backend).resource_outputs("pve-token")
    assert site.backup is not None
    local = lab.pbs["local"]
    pve.post(
        "/storage",
        storage=site.backup.pbs.storage_id,
        type="pbs",
        server=local.host,
        port=local.port,
        datastore=site.backup.pbs.datastore,
        username=token["token_id"],
        password=token["secret"],
        fingerprint=local.fingerprint,
        **{"encryption-key": "autogen"},
    )
    pve.post(
        "/cluster/backup",
        id="tappaas-daily",
        schedule=site.backup.schedule,
        storage=site.backup.pbs.storage_id,
        vmid=[str(s.vmid) for s in site.services.values()],
        mode="snapshot",
        **{"prune-backups": "keep-all=1"},
    )
    lab.control.advance(days=NIGHTS, hours=10)


def test_status_and_drill_from_the_stack_alone(
    engine: Engine, tmp_path: Path, lab_factory: Callable[..., Lab]
) -> None:
    lab = lab_factory(clock="simulated", start_time=SIMULATED_START)
    project, backend = tmp_path / "project", tmp_path / "project" / ".state"
    project.mkdir()
    _set_up(project, backend, lab)
    cli = CliRunner()
    where = ["--stack", "lab", "--dir", str(project), "--backend", str(backend)]

    lab.control.clear_requests()
    status = cli.invoke(app, ["status", *where, "--json"])
    document = json.loads(status.stdout)
    lines = {(x["subject"], x["check"]): x for x in document["lines"]}
    assert lines[("nextcloud", "backup")]["state"] == "OK", lines[("nextcloud", "backup")]
    assert lines[("nextcloud", "off-site")]["state"] == "OK"  # the peer's reads, by its token
    # pveResources is off on the lab: nothing manages HA, and status says so
    assert lines[("nextcloud", "ha")]["why"] == "not HA-managed (no resource vm:340)"
    assert (document["state"], status.exit_code) == ("CRIT", 2)
    assert [r for r in lab.control.requests() if r.is_write] == []

    lab.control.clear_requests()
    drill = cli.invoke(app, ["drill", *where, "--all"])
    assert drill.exit_code == 0, drill.output
    assert drill.output.count("PASS") >= 7 and "OK: reports" in drill.output
    site = load_stack_file(project / "Pulumi.lab.yaml")
    assert production_writes(lab.control.requests(), site) == []
    names = {path.name for path in (project / ".drills" / "lab").iterdir()}
    assert "history.jsonl" in names
    assert sum(n.endswith(".md") for n in names) == sum(n.endswith(".json") for n in names) == 1

    again = cli.invoke(app, ["status", *where, "--prometheus", str(tmp_path / "tappaas.prom")])
    assert "passed 0s ago" in again.output
    prom = (tmp_path / "tappaas.prom").read_text()
    assert 'tappaas_drill_pass_age_seconds{site="home",subject="nextcloud"} 0' in prom
    report = cli.invoke(app, ["drill", *where, "--report"])
    assert report.exit_code == 0 and "nextcloud" in report.output
