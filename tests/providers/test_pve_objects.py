"""The PVE objects we manage ourselves against the lab's PVE: storage entries (ZFS pool and
PBS datastore, with the encryption key and its master-key escrow), replication jobs and the
vzdump backup job. Each: create → no-change diff → drift behind Pulumi's back is seen and
repaired → delete.

PVE behaviour they rely on, as the lab reproduces it: pve-storage ``PBSPlugin.pm`` records
``encryption-key: <fingerprint or 1>`` and ``master-pubkey: 1`` in ``storage.cfg`` and keeps
the secrets apart; pve-guest-common ``ReplicationConfig.pm`` fixes a job's ``target``;
pve-manager ``API2/Backup.pm`` answers ``vmid`` as a comma list.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from lab import Lab
from providers.pve_backup_job import PveBackupJobProvider
from providers.pve_pbs_storage import PvePbsStorageProvider
from providers.pve_replication_job import PveReplicationJobProvider
from providers.pve_zfs_storage import PveZfsStorageProvider
from tappaas.client import ApiError
from tests.providers.harness import (
    configured,
    endpoint,
    fails_with,
    lab_client,
    lifecycle_inputs,
    stack_config,
)

MASTER_PUBKEY = (
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIB\n-----END PUBLIC KEY-----\n"
)
KEY = json.dumps(
    {
        "kdf": None,
        "created": "2025-01-01T00:00:00Z",
        "modified": "2025-01-01T00:00:00Z",
        "data": base64.b64encode(b"k" * 32).decode(),
        "fingerprint": "aa:bb:cc",
    }
)


def test_zfs_storage_lifecycle_and_drift(lab: Lab, unique_name: Callable[[str], str]) -> None:
    provider = configured(PveZfsStorageProvider(), stack_config(lab.pve))
    storage = unique_name("zfs")
    inputs = lifecycle_inputs(
        {
            "endpoint": endpoint(lab.pve),
            "storage": storage,
            "pool": storage,
            "nodes": ["tappaas2", "tappaas1"],
            "content": ["rootdir", "images"],
        }
    )
    created = provider.create(inputs)
    assert created.id == storage
    assert created.outs["nodes"] == ["tappaas1", "tappaas2"]  # PVE's comma list, normalised
    assert provider.diff(created.id, created.outs, inputs).changes is False

    lab_client(lab.pve).put(f"/storage/{storage}", content="images")  # behind Pulumi's back
    drift = provider.diff(created.id, created.outs, inputs)
    assert drift.changes is True and drift.replaces == []
    provider.update(created.id, created.outs, inputs)
    assert lab_client(lab.pve).get(f"/storage/{storage}")["content"] in (
        "images,rootdir",
        "rootdir,images",
    )
    other_pool = {**inputs, "pool": "elsewhere"}
    assert provider.diff(created.id, created.outs, other_pool).replaces == ["pool"]
    provider.delete(created.id, created.outs)
    assert storage not in {e["storage"] for e in lab_client(lab.pve).get("/storage")}


def _pbs_inputs(lab: Lab, storage: str, **extra: object) -> dict[str, object]:
    pbs = lab.pbs["local"]
    return lifecycle_inputs(
        {
            "endpoint": endpoint(lab.pve),
            "storage": storage,
            "server": pbs.host,
            "port": pbs.port,
            "datastore": "tanka",
            "username": pbs.token_id,
            "password": pbs.token_secret,
            "fingerprint": pbs.fingerprint,
            "content": ["backup"],
            "prune_backups": "keep-all=1",
            **extra,
        }
    )


def test_pbs_storage_keeps_key_and_escrow_and_repairs_their_loss(
    lab: Lab, unique_name: Callable[[str], str]
) -> None:
    provider = configured(PvePbsStorageProvider(), stack_config(lab.pve))
    storage = unique_name("pbs")
    inputs = _pbs_inputs(lab, storage, key=KEY, master_key=MASTER_PUBKEY)
    created = provider.create(inputs)
    for secret in ("password", "key", "master_key"):
        assert secret not in created.outs and created.outs[f"{secret}_sha256"]
    assert (created.outs["encryption_key"], created.outs["master_pubkey"]) == ("aa:bb:cc", "1")
    live = lab_client(lab.pve).get(f"/storage/{storage}")
    assert (live["port"], live["encryption-key"], live["master-pubkey"]) == (
        lab.pbs["local"].port,
        "aa:bb:cc",
        1,
    )
    assert provider.diff(created.id, created.outs, inputs).changes is False

    # Someone removes the escrow by hand: the next up sees it and puts it back.
    lab_client(lab.pve).put(f"/storage/{storage}", delete="master-pubkey")
    assert provider.diff(created.id, created.outs, inputs).changes is True
    updated = provider.update(created.id, created.outs, inputs)
    assert "master-pubkey" in lab_client(lab.pve).get(f"/storage/{storage}")
    assert provider.diff(created.id, updated.outs, inputs).changes is False

    # Dropping the escrow from the config removes it; rotating it is an update.
    unescrowed = _pbs_inputs(lab, storage, key=KEY)
    assert provider.diff(created.id, updated.outs, unescrowed).changes is True
    provider.update(created.id, updated.outs, unescrowed)
    assert "master-pubkey" not in lab_client(lab.pve).get(f"/storage/{storage}")
    provider.delete(created.id, updated.outs)


def test_pbs_storage_port_changes_in_place(lab: Lab, unique_name: Callable[[str], str]) -> None:
    """PBSPlugin.pm: ``server`` and ``datastore`` are fixed, ``port`` is not."""
    provider = configured(PvePbsStorageProvider(), stack_config(lab.pve))
    storage = unique_name("pbs")
    inputs = _pbs_inputs(lab, storage)
    created = provider.create(inputs)
    moved = {**inputs, "port": 18007}
    diff = provider.diff(created.id, created.outs, moved)
    assert diff.changes is True and diff.replaces == []
    provider.update(created.id, created.outs, moved)
    assert lab_client(lab.pve).get(f"/storage/{storage}")["port"] == 18007
    assert provider.diff(created.id, created.outs, {**inputs, "server": "10.0.0.9"}).replaces == [
        "server"
    ]
    provider.delete(created.id, created.outs)


def test_pbs_storage_refuses_a_key_that_is_not_a_key_file(
    lab: Lab, unique_name: Callable[[str], str]
) -> None:
    provider = configured(PvePbsStorageProvider(), stack_config(lab.pve))
    storage = unique_name("pbs")
    with fails_with(ApiError, match="valid, JSON formatted encryption key"):
        provider.create(_pbs_inputs(lab, storage, key="not a key file"))
    assert storage not in {e["storage"] for e in lab_client(lab.pve).get("/storage")}


def test_replication_job_follows_its_guest_and_repairs_drift(
    fresh_lab: Lab,
) -> None:
    client = lab_client(fresh_lab.pve)
    client.post("/storage", storage="tanka", type="zfspool", pool="tanka")
    fresh_lab.control.seed_vm(120, "tappaas1", "db", disks={"scsi0": "tanka:vm-120-disk-0,size=8G"})
    provider = configured(PveReplicationJobProvider(), stack_config(fresh_lab.pve))
    inputs = lifecycle_inputs(
        {
            "endpoint": endpoint(fresh_lab.pve),
            "id": "120-0",
            "target": "tappaas2",
            "schedule": "*/15",
            "comment": "db to its failover node",
        }
    )
    created = provider.create(inputs)
    assert created.id == "120-0" and created.outs["target"] == "tappaas2"
    assert provider.diff(created.id, created.outs, inputs).changes is False

    client.put("/cluster/replication/120-0", schedule="*/30")
    assert provider.diff(created.id, created.outs, inputs).changes is True
    provider.update(created.id, created.outs, inputs)
    assert client.get("/cluster/replication/120-0")["schedule"] == "*/15"

    # The guest migrates to its target: pvesr swaps source and target. That is not drift.
    client.run_task("POST", "/nodes/tappaas1/qemu/120/migrate", target="tappaas2", online=1)
    assert client.get("/cluster/replication/120-0")["target"] == "tappaas1"
    assert provider.diff(created.id, created.outs, inputs).changes is False
    provider.delete(created.id, created.outs)
    assert client.get("/cluster/replication/120-0")["remove_job"] == "full"


def test_backup_job_lifecycle(lab: Lab, unique_name: Callable[[str], str]) -> None:
    provider = configured(PveBackupJobProvider(), stack_config(lab.pve))
    job = unique_name("daily")
    inputs = lifecycle_inputs(
        {
            "endpoint": endpoint(lab.pve),
            "id": job,
            "schedule": "02:00",
            "storage": "local",
            "vmid": ["610", "110", "1000"],
            "mode": "snapshot",
            "enabled": True,
            "prune_backups": "keep-all=1",
            "repeat_missed": True,
        }
    )
    created = provider.create(inputs)
    assert created.outs["vmid"] == ["110", "610", "1000"]
    assert provider.diff(created.id, created.outs, inputs).changes is False
    lab_client(lab.pve).put(f"/cluster/backup/{job}", vmid="110")
    assert provider.diff(created.id, created.outs, inputs).changes is True
    provider.update(created.id, created.outs, inputs)
    assert lab_client(lab.pve).get(f"/cluster/backup/{job}")["vmid"] == "110,610,1000"
    provider.delete(created.id, created.outs)
    assert job not in {j["id"] for j in lab_client(lab.pve).get("/cluster/backup")}


def test_backup_job_deleted_behind_our_back_and_a_new_notes_template(
    lab: Lab, unique_name: Callable[[str], str]
) -> None:
    """pve-manager ``PVE/API2/Backup.pm`` answers a missing job ``400 No such job`` (a
    parameter error on ``id``): it reads as gone, so up re-creates it. The vzdump schema's
    ``notes-template`` ``requires`` ``storage`` in the same request (pve-common
    ``JSONSchema.pm``), so changing only the template sends the storage too."""
    provider = configured(PveBackupJobProvider(), stack_config(lab.pve))
    job = unique_name("daily")
    inputs = lifecycle_inputs(
        {
            "endpoint": endpoint(lab.pve),
            "id": job,
            "schedule": "21:00",
            "storage": "local",
            "vmid": ["110"],
            "enabled": True,
            "notes_template": "{{guestname}}",
        }
    )
    created = provider.create(inputs)
    retitled = {**inputs, "notes_template": "{{guestname}} ({{vmid}})"}
    assert provider.diff(created.id, created.outs, retitled).changes is True
    provider.update(created.id, created.outs, retitled)
    assert lab_client(lab.pve).get(f"/cluster/backup/{job}")["notes-template"] == (
        "{{guestname}} ({{vmid}})"
    )
    lab_client(lab.pve).delete(f"/cluster/backup/{job}")
    gone = provider.diff(created.id, created.outs, retitled)
    assert gone.changes is True and gone.replaces == ["id"]
    assert provider.read(created.id, created.outs).id is None
    provider.delete(created.id, created.outs)  # already gone: nothing to do


def test_entries_of_one_file_updated_at_once_all_land(
    lab: Lab, unique_name: Callable[[str], str]
) -> None:
    """Every entry of ``storage.cfg`` shares one digest: updates of several entries running
    at once (as one ``up`` runs them) find it stale ("detected modified configuration",
    pve-common ``SectionConfig::assert_if_modified``) and are read again and retried."""
    provider = configured(PveZfsStorageProvider(), stack_config(lab.pve))
    storages = [unique_name("zfs") for _ in range(4)]
    created = []
    for storage in storages:
        inputs = lifecycle_inputs(
            {"endpoint": endpoint(lab.pve), "storage": storage, "pool": storage}
        )
        created.append((provider.create(inputs), inputs))
    changed = [(result, {**inputs, "content": ["images"]}) for result, inputs in created]
    with ThreadPoolExecutor(max_workers=len(changed)) as pool:
        updates = [pool.submit(provider.update, r.id, r.outs, new) for r, new in changed]
        for update in updates:
            update.result()
    for storage in storages:
        assert lab_client(lab.pve).get(f"/storage/{storage}")["content"] == "images"
        provider.delete(storage, {"endpoint": endpoint(lab.pve), "storage": storage,
                                  "pool": storage, "type": "zfspool"})  # fmt: skip
