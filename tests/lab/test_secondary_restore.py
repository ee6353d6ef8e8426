"""A restore on a secondary cluster: the lab's stand-in for the host a cloud recovery rents.

A secondary cluster (``LabConfig(clusters={"cloud-pve": ("tappaas-cloud",)})``) is a PVE of
its own: its own certificate, token, storage and VMs. Like any PVE it reaches the lab's PBS
instances through a ``pbs`` storage entry and restores from them (``POST
/nodes/{node}/qemu`` with ``archive``, qemu-server ``API2/Qemu.pm``); nothing it does lands
on the primary cluster.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from lab import Lab
from tests.providers.harness import lab_client

SNAPSHOT = 1_735_696_804  # 2025-01-01T02:00:04Z
KEY = json.dumps({"kdf": None, "data": "c2l0ZS1rZXk=", "fingerprint": "aa:bb"})


def test_a_secondary_cluster_restores_from_the_peer_and_leaves_the_primary_alone(
    lab_factory: Callable[..., Lab],
) -> None:
    lab = lab_factory(
        nodes=("tappaas1",), pbs=("peer",), clusters={"cloud-pve": ("tappaas-cloud",)}
    )
    host, primary = lab.clusters["cloud-pve"], lab.pve
    assert [e.name for e in lab.endpoints()] == ["pve", "peer", "cloud-pve"]
    assert host.fingerprint != primary.fingerprint and host.token_secret != primary.token_secret
    client = lab_client(host)
    assert [n["node"] for n in client.get("/nodes")] == ["tappaas-cloud"]

    peer = lab.pbs["peer"]
    store = lab_client(peer)
    store.wait_for_task(store.post("/config/datastore", name="backup", path="/x/backup"))
    config = {"name": "nextcloud", "scsi0": "tanka1:vm-340-disk-0,size=32G"}
    lab.control.seed_snapshot("peer", "backup", backup_id="340", time=SNAPSHOT, config=config)
    client.post(
        "/storage", storage="dr", type="pbs", server=peer.host, port=peer.port,
        datastore="backup", username=peer.token_id, password=peer.token_secret,
        fingerprint=peer.fingerprint, **{"encryption-key": KEY},
    )  # fmt: skip
    client.post("/storage", storage="data", type="zfspool", pool="data")
    upid = client.post(
        "/nodes/tappaas-cloud/qemu",
        vmid=340,
        archive="dr:backup/vm/340/2025-01-01T02:00:04Z",
        storage="data",
        **{"live-restore": 1},
    )
    client.wait_for_task(upid)
    [vm] = client.get("/nodes/tappaas-cloud/qemu")
    assert (vm["vmid"], vm["name"], vm["status"]) == (340, "nextcloud", "running")
    disk = client.get("/nodes/tappaas-cloud/qemu/340/config")["scsi0"]
    assert disk.startswith("data:vm-340-disk-0")
    assert lab.control.vm(340) is None  # the primary cluster did not get it
    assert lab_client(primary).get("/storage") == []
    assert {r.instance for r in lab.control.requests("cloud-pve")} == {"cloud-pve"}
