"""Issue 11.10: restoring "latest" picks the VM's newest *finished* backup, never a container's.

PVE lists a PBS storage's backups by backup id alone (pve-storage ``PBSPlugin.pm``
``list_volumes`` asks PBS for ``backup-id``), so ``ct/340`` shows up beside ``vm/340``; and a
snapshot still being written has no manifest, so PBS lists it without a size (proxmox-backup
``src/tools/mod.rs`` ``backup_info_to_snapshot_list_item``) and PVE shows ``size`` 1. The lab
lists both the same way.
"""

from __future__ import annotations

from lab import Lab
from providers.restored_vm import RestoredVmProvider
from tests.providers.harness import (
    add_pbs_storage,
    configured,
    endpoint,
    lab_client,
    lifecycle_inputs,
    stack_config,
)

DAY = 86_400
FIRST = 1_735_696_804  # 2025-01-01T02:00:04Z


def test_latest_skips_containers_and_unfinished_backups(lab: Lab, unique_name) -> None:
    pbs, pve = lab.pbs["local"], lab_client(lab.pve)
    store, storage = unique_name("rl"), unique_name("pbsrl")
    pbs_client = lab_client(pbs)
    pbs_client.wait_for_task(pbs_client.post("/config/datastore", name=store, path=f"/r/{store}"))
    seed = {"backup_id": "340", "encrypted": False}
    lab.control.seed_snapshot("local", store, **seed, time=FIRST)
    lab.control.seed_snapshot("local", store, **seed, backup_type="ct", time=FIRST + DAY)
    lab.control.seed_snapshot("local", store, **seed, time=FIRST + 2 * DAY, finished=False)
    add_pbs_storage(pve, storage, pbs, store)
    if "tanka" not in {entry["storage"] for entry in pve.get("/storage")}:
        pve.post("/storage", storage="tanka", type="zfspool", pool="tanka")
    listed = pve.get(f"/nodes/tappaas1/storage/{storage}/content", content="backup", vmid=340)
    assert sorted((i["subtype"], i["size"] == 1) for i in listed) == [
        ("lxc", False),
        ("qemu", False),
        ("qemu", True),
    ]

    provider = configured(RestoredVmProvider(), stack_config(lab.pve))
    inputs = lifecycle_inputs(
        {
            "endpoint": endpoint(lab.pve),
            "node": "tappaas1",
            "vmid": 9343,
            "owner": "tappaas/test-dr",
            "archive": f"{storage}:backup/vm/340/latest",
            "storage": "tanka",
        }
    )
    created = provider.create(inputs)
    assert created.outs["restored_snapshot"] == "backup/vm/340/2025-01-01T02:00:04Z"
    pve.put("/nodes/tappaas1/qemu/9343/config", protection=0)  # restored VMs are protected
    provider.delete(created.id, created.outs)
    pve.delete(f"/storage/{storage}")
