"""The restore half of a cloud recovery, for real: the lab's spare PVE instance stands for the
rented host, the real engine runs ``Pulumi.lab-cloud.yaml`` (the cloud example with
``provider: existing``).

site up → backups in the site's PBS → peer up and pull (the off-site copy) → the spare gets
its data storage (what the host's setup does) → cloud stack up: wait for the host's API
(pinned certificate, token, node), the source storage on the peer's copy, the inventory,
restores tier by tier → a second up changes nothing and writes nothing on the host →
destroy removes what was restored and leaves the peer's copy alone.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from lab import Lab
from tappaas.automation import Engine, lab_stacks
from tappaas.cli.stack import runner, write_lab_stacks
from tests.conftest import REPO
from tests.providers.harness import lab_client

pytestmark = pytest.mark.engine
PROJECT_FILES = ("Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.peer.yaml", "Pulumi.cloud.yaml")
NIGHT = 1_735_696_804  # 2025-01-01T02:00:04Z
GIB = 2**30
# the important services of the prod example and the data each backup holds
SIZES = {
    "firewall": 2,
    "tappaas-cicd": 12,
    "identity": 6,
    "hass": 8,
    "nextcloud": 60,
    "vaultwarden": 3,
}
VMIDS = {"firewall": 110, "tappaas-cicd": 130, "identity": 140, "hass": 210, "nextcloud": 340,
         "vaultwarden": 610, "logging": 150}  # fmt: skip
TIERS = [["firewall"], ["identity"], ["vaultwarden"], ["nextcloud"], ["tappaas-cicd", "hass"]]


def _project(tmp_path: Path, lab: Lab) -> tuple[Path, Path]:
    project = tmp_path / "project"
    project.mkdir()
    for name in PROJECT_FILES:
        shutil.copy(REPO / name, project / name)
    lab_file = project / ".lab" / "lab.json"
    lab_file.parent.mkdir()
    lab_file.write_text(json.dumps({"endpoints": [e.to_dict() for e in lab.endpoints()]}))
    backend = project / ".state"
    assert lab_stacks.CLOUD_STACK in write_lab_stacks(lab_file, project, backend)
    return project, backend


def _nightly_backups(lab: Lab) -> None:
    """What the site's vzdump job leaves in its PBS: one encrypted snapshot per VM."""
    for name, vmid in VMIDS.items():
        config = {"name": name, "memory": "2048", "cores": "2",
                  "scsi0": f"tanka1:vm-{vmid}-disk-0,size=32G",
                  "net0": "virtio=BC:24:11:00:00:01,bridge=vmbr0"}  # fmt: skip
        lab.control.seed_snapshot(
            "local", "tappaas_backup", backup_id=str(vmid), time=NIGHT, config=config,
            size_bytes=SIZES.get(name, 1) * GIB,
        )  # fmt: skip


def test_the_site_comes_back_on_the_rented_host_in_priority_order(
    engine: Engine, tmp_path: Path, lab_factory: Callable[..., Lab]
) -> None:
    lab = lab_factory(spare_nodes=(lab_stacks.SPARE_NODE,))
    assert lab.spare is not None
    project, backend = _project(tmp_path, lab)
    runner(lab_stacks.SITE_STACK, project, backend).up()
    runner(lab_stacks.PEER_STACK, project, backend).up()
    _nightly_backups(lab)
    peer = lab_client(lab.pbs["peer"])
    peer.wait_for_task(peer.post("/admin/sync/pull-home/run"))  # the off-site copy
    assert len(lab.control.snapshots("peer", "tappaas_backup", "remote/home")) == len(VMIDS)
    host = lab_client(lab.spare)
    host.post("/storage", storage="tappaas-data", type="zfspool", pool="tappaas-data")

    cloud = runner(lab_stacks.CLOUD_STACK, project, backend)
    lab.control.clear_requests()
    result = cloud.up()
    outputs = {key: value.value for key, value in result.outputs.items()}

    # restored on the host, in the policy's tiers, never on the site's cluster
    restores = [
        int(record.params["vmid"])
        for record in lab.control.requests("spare")
        if record.method == "POST" and record.path == "/nodes/cloud1/qemu"
    ]
    expected = [VMIDS[name] for tier in TIERS for name in tier]
    assert restores[:4] == expected[:4]  # one tier each: firewall, identity, vaultwarden, …
    assert sorted(restores[4:]) == sorted(expected[4:])  # the last tier side by side
    listed = {vm["vmid"]: vm for vm in host.get("/nodes/cloud1/qemu")}
    assert set(listed) == set(expected)  # logging (low importance) waits
    assert all(vm["status"] == "running" for vm in listed.values())
    config = host.get("/nodes/cloud1/qemu/340/config")
    assert config["scsi0"].startswith("tappaas-data:vm-340-disk-0")
    assert "bridge=vmbr0" in config["net0"]
    assert lab.control.vm(340) is None  # the site's own (lost) cluster got nothing
    source = host.get("/storage/tappaas-dr")
    assert (source["namespace"], source["fingerprint"]) == (
        "remote/home", lab.pbs["peer"].fingerprint
    )  # fmt: skip

    # what the stack prints
    assert outputs["pve_url"] == f"https://{lab.spare.host}:{lab.spare.port}"
    assert outputs["pve_fingerprint"] == lab.spare.fingerprint
    services = outputs["services"]
    assert services["nextcloud"]["snapshot"] == "backup/vm/340/2025-01-01T02:00:04Z"
    assert [services[name]["tier"] for name in ("firewall", "nextcloud", "hass")] == [1, 4, 5]
    assert {service["status"] for service in services.values()} == {"started (live-restore)"}
    estimate = outputs["rto_estimate"]
    assert estimate["data_gib"] == sum(SIZES.values())
    assert estimate["services"]["nextcloud"]["data_gib"] == 60
    assert "peer uplink 50 Mbit/s" in estimate["basis"]
    assert outputs["hourly_cost"]["per_hour"] == round(0.39 + 500 * 0.10 / 730 + 0.005, 4)
    print(json.dumps({k: outputs[k] for k in ("rto_estimate", "hourly_cost")}, indent=2))

    lab.control.clear_requests()
    again = cloud.up()
    assert set(again.summary.resource_changes or {}) == {"same"}
    assert [r for r in lab.control.requests("spare") if r.is_write] == []

    cloud.destroy()
    assert host.get("/nodes/cloud1/qemu") == []
    assert "tappaas-dr" not in {s["storage"] for s in host.get("/storage")}
    assert len(lab.control.snapshots("peer", "tappaas_backup", "remote/home")) == len(VMIDS)
