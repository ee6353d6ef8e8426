"""The spare PVE instance: a second, separate PVE host (e.g. the one a cloud recovery rents).

It has its own certificate, token, nodes, storage and VMs; it reaches the lab's PBS
instances through PBS storage entries like any PVE; a restore there leaves the main
cluster alone. The lab is started with ``spare_nodes`` (``tappaas lab up --spare cloud1``).
"""

from __future__ import annotations

from collections.abc import Callable

from lab import Lab
from tests.providers.harness import lab_client

SNAPSHOT = 1_735_696_804  # 2025-01-01T02:00:04Z


def test_the_spare_is_its_own_host_and_restores_from_the_peer(
    lab_factory: Callable[..., Lab],
) -> None:
    lab = lab_factory(nodes=("tappaas1",), pbs=("peer",), spare_nodes=("cloud1",))
    spare, main = lab.spare, lab.pve
    assert spare is not None
    assert [e.name for e in lab.endpoints()] == ["pve", "peer", "spare"]
    assert spare.fingerprint != main.fingerprint and spare.token_secret != main.token_secret
    client = lab_client(spare)
    assert [n["node"] for n in client.get("/nodes")] == ["cloud1"]

    peer = lab.pbs["peer"]
    store = lab_client(peer)
    store.wait_for_task(store.post("/config/datastore", name="backup", path="/x/backup"))
    config = {"name": "nextcloud", "scsi0": "tanka1:vm-340-disk-0,size=32G"}
    lab.control.seed_snapshot("peer", "backup", backup_id="340", time=SNAPSHOT, config=config)
    client.post(
        "/storage", storage="dr", type="pbs", server=peer.host, port=peer.port,
        datastore="backup", username=peer.token_id, password=peer.token_secret,
        fingerprint=peer.fingerprint, **{"encryption-key": "autogen"},
    )  # fmt: skip
    client.post("/storage", storage="data", type="zfspool", pool="data")
    upid = client.post(
        "/nodes/cloud1/qemu",
        vmid=340,
        archive="dr:backup/vm/340/2025-01-01T02:00:04Z",
        storage="data",
        **{"live-restore": 1},
    )
    client.wait_for_task(upid)
    [vm] = client.get("/nodes/cloud1/qemu")
    assert (vm["vmid"], vm["name"], vm["status"]) == (340, "nextcloud", "running")
    assert client.get("/nodes/cloud1/qemu/340/config")["scsi0"].startswith("data:vm-340-disk-0")
    assert lab.control.vm(340) is None  # the main cluster did not get it
    assert lab_client(main).get("/storage") == []
    assert {r.instance for r in lab.control.requests("spare")} == {"spare"}
