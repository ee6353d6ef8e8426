"""The restore half of a cloud recovery, for real, under plain ``pulumi`` in a project directory.

The lab's ``cloud-pve`` cluster (one node, ``tappaas-cloud``) stands for the rented host
after its setup ran; ``Pulumi.lab-cloud.yaml`` is the cloud example with ``provider:
existing`` on it. site ``up`` → the backup job it created backs the site's VMs up (encrypted
with the site's key) → peer ``up`` and its pull (the off-site copy) → the host's setup puts
its data pool on its data disk (``zpool create`` + ``pvesm add``, here through the API) →
``up`` of the cloud stack, reading the copy with the restore token the peer minted and the
site's key: wait for the host's API (pinned certificate, token, node), the source storage,
the inventory, restores tier by tier → a second ``up`` changes nothing and writes nothing on
the host → ``destroy`` removes the source entry and keeps the restored VMs (marked as this
stack's and protected: production data since the restore) and the peer's copy. No secret
appears in anything the engine printed or in the state.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lab import Lab
from tappaas.automation import Engine, lab_stacks
from tests.engine.lab_project import EXAMPLES, lab_project
from tests.providers.harness import lab_client

pytestmark = pytest.mark.engine
CLUSTERS = {
    lab_stacks.PEER_CLUSTER: ("tappaas1",),
    lab_stacks.CLOUD_CLUSTER: (lab_stacks.CLOUD_NODE,),
}
DATASTORE, COPY = "tappaas_backup", "remote/home"
DATA_POOL = "tappaas-data"  # cloud.storage_id's default: the pool the host's setup creates
# each service's disk in the prod example, GiB: what its backup holds
SIZES = {"firewall": 2, "tappaas-cicd": 12, "identity": 6, "hass": 8, "nextcloud": 60,
         "vaultwarden": 3, "logging": 1}  # fmt: skip
VMIDS = {"firewall": 110, "tappaas-cicd": 130, "identity": 140, "hass": 210, "nextcloud": 340,
         "vaultwarden": 610, "logging": 150}  # fmt: skip
TIERS = [["firewall"], ["identity"], ["vaultwarden"], ["nextcloud"], ["tappaas-cicd", "hass"]]
RESTORED_GIB = sum(SIZES[name] for tier in TIERS for name in tier)


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_site_comes_back_on_the_rented_host_in_priority_order(
    engine: Engine, tmp_path: Path, lab_factory: Callable[..., Lab]
) -> None:
    project = lab_project(
        engine,
        tmp_path,
        lab_factory,
        clusters=CLUSTERS,
        examples=(*EXAMPLES, "Pulumi.cloud.yaml"),
        disk_gib=SIZES,
    )
    lab, pulumi = project.lab, project.pulumi
    assert project.stack_file(lab_stacks.CLOUD_STACK).exists()
    printed = [pulumi.up(lab_stacks.SITE_STACK), pulumi.up(lab_stacks.PEER_STACK)]
    lab.control.run_job("vzdump", "tappaas-daily")  # the job `up` created, the site's key
    peer = lab_client(lab.pbs["peer"])
    peer.wait_for_task(peer.post("/admin/sync/pull-home/run"))  # the off-site copy
    copy = {s["backup-id"]: s for s in lab.control.snapshots("peer", DATASTORE, COPY)}
    assert set(copy) == {str(vmid) for vmid in VMIDS.values()}

    host = lab_client(lab.clusters[lab_stacks.CLOUD_CLUSTER])
    node = lab_stacks.CLOUD_NODE
    [data_disk, *_] = [d["devpath"] for d in host.get(f"/nodes/{node}/disks/list")]
    host.wait_for_task(
        host.post(
            f"/nodes/{node}/disks/zfs",
            name=DATA_POOL, raidlevel="single", devices=data_disk, add_storage=1,
        )
    )  # fmt: skip
    reader = pulumi.outputs(lab_stacks.PEER_STACK, show_secrets=True)["guests"]["home"]
    pulumi.set_secret(
        lab_stacks.CLOUD_STACK, lab_stacks.RECOVERY_READER_KEY, reader["restore_token_secret"]
    )

    lab.control.clear_requests()
    printed.append(pulumi.up(lab_stacks.CLOUD_STACK))
    outputs = pulumi.outputs(lab_stacks.CLOUD_STACK)

    # restored on the host, in the policy's tiers; nothing sent anywhere else
    records = lab.control.requests()
    assert {r.instance for r in records} == {lab_stacks.CLOUD_CLUSTER}
    restores = [
        int(r.params["vmid"])
        for r in records
        if r.method == "POST" and r.path == f"/nodes/{node}/qemu"
    ]
    expected = [VMIDS[name] for tier in TIERS for name in tier]
    assert restores[:4] == expected[:4]  # one tier each: firewall, identity, vaultwarden, …
    assert sorted(restores[4:]) == sorted(expected[4:])  # the last tier side by side
    listed = {vm["vmid"]: vm for vm in host.get(f"/nodes/{node}/qemu")}
    assert set(listed) == set(expected)  # logging (low importance) waits
    assert all(vm["status"] == "running" for vm in listed.values())
    config = host.get(f"/nodes/{node}/qemu/340/config")
    assert config["scsi0"].startswith(f"{DATA_POOL}:vm-340-disk-0")
    assert "bridge=vmbr0" in config["net0"]
    source = host.get("/storage/tappaas-dr")
    assert (source["namespace"], source["fingerprint"], source["username"]) == (
        COPY, lab.pbs["peer"].fingerprint, reader["restore_token_id"],
    )  # fmt: skip
    assert source["encryption-key"] not in (None, "1")  # the site's key file, by fingerprint

    # what the stack prints
    endpoint = lab.clusters[lab_stacks.CLOUD_CLUSTER]
    assert outputs["pve_url"] == f"https://{endpoint.host}:{endpoint.port}"
    assert outputs["pve_fingerprint"] == endpoint.fingerprint
    services = outputs["services"]
    newest = _iso(int(copy["340"]["backup-time"]))
    assert services["nextcloud"]["snapshot"] == f"backup/vm/340/{newest}"
    assert [services[name]["tier"] for name in ("firewall", "nextcloud", "hass")] == [1, 4, 5]
    assert {service["status"] for service in services.values()} == {"started (live-restore)"}
    estimate = outputs["rto_estimate"]
    assert estimate["data_gib"] == RESTORED_GIB
    assert estimate["services"]["nextcloud"]["data_gib"] == SIZES["nextcloud"]
    assert "peer uplink 50 Mbit/s" in estimate["basis"]
    assert outputs["hourly_cost"]["per_hour"] == round(0.39 + 500 * 0.10 / 730 + 0.005, 4)
    print(json.dumps({k: outputs[k] for k in ("rto_estimate", "hourly_cost")}, indent=2))

    lab.control.clear_requests()
    printed.append(pulumi.up(lab_stacks.CLOUD_STACK, extra=["--expect-no-changes"]))
    assert [r for r in lab.control.requests() if r.is_write] == []

    state = pulumi.run("stack", "export", "--stack", lab_stacks.CLOUD_STACK)
    for text in (state, *printed):
        assert reader["restore_token_secret"] not in text

    pulumi.destroy(lab_stacks.CLOUD_STACK)
    kept = {vm["vmid"] for vm in host.get(f"/nodes/{node}/qemu")}
    assert kept == set(expected)  # restored VMs are production data: retained, protected
    config = host.get(f"/nodes/{node}/qemu/340/config")
    assert config["description"].startswith("tappaas-restored stack=tappaas/lab-cloud ")
    assert int(config["protection"]) == 1
    assert "tappaas-dr" not in {s["storage"] for s in host.get("/storage")}
    assert len(lab.control.snapshots("peer", DATASTORE, COPY)) == len(VMIDS)
