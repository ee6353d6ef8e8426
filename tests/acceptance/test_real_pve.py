"""The PVE-side resources we own, and a restore, against a real Proxmox VE and PBS.

Needs the PBS variables (``test_real_pbs.py``) and ``TAPPAAS_ACCEPTANCE_PVE`` (``host[:port]``),
``…_PVE_FINGERPRINT``, ``…_PVE_TOKEN_ID``/``…_PVE_TOKEN_SECRET`` (Administrator on ``/``, no
privilege separation), ``…_PVE_NODE``, ``…_PVE_VMID`` (a small VM on that node to back up),
``…_PVE_RESTORE_VMID`` (a free id for its restored copy) and ``…_PVE_TARGET_STORAGE`` (where
the copy's disks go, e.g. ``local-lvm``). PVE must reach the PBS at its address.

The tier adds a PBS storage entry ``tappaas-acceptance`` (namespace ``tappaas-acceptance``),
backs the VM up into it, restores the newest backup as a new VM, and removes all of that
again, including the backup it made (in its own namespace).
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Callable, Iterator

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from providers.backup_inventory import BackupInventoryProvider
from providers.pbs_group_owner import PbsGroupOwnerProvider
from providers.pbs_namespace import PbsNamespaceProvider
from providers.pve_api_ready import PveApiReadyProvider
from providers.pve_pbs_storage import PvePbsStorageProvider
from providers.restored_vm import ProtectedVmError, RestoredVmProvider, parse_mark
from tests.acceptance.servers import NAME, Server, stack_config
from tests.providers.harness import configured, fails_with, lifecycle_inputs

pytestmark = pytest.mark.acceptance
Checked = Callable[[str], None]
MASTER_KEY_BITS = 2048
OWNER = "tappaas/acceptance"
READY_DEADLINE_SECONDS = 60
"""The ``<project>/<stack>`` the restored VM is marked with."""


@pytest.fixture
def pbs_storage(pbs: Server, pbs_datastore: str, pve: Server) -> Iterator[str]:
    """PVE storage ``tappaas-acceptance`` on the PBS namespace of the same name (new key)."""
    namespaces = configured(PbsNamespaceProvider(), stack_config(pbs))
    namespace = namespaces.create(
        lifecycle_inputs({"endpoint": pbs.endpoint, "store": pbs_datastore, "namespace": NAME})
    )
    client = pve.client()
    entries = configured(PvePbsStorageProvider(), stack_config(pve, pbs))
    entry = entries.create(
        lifecycle_inputs(
            {
                "endpoint": pve.endpoint,
                "storage": NAME,
                "server": pbs.host,
                "port": pbs.port,
                "datastore": pbs_datastore,
                "namespace": NAME,
                "username": pbs.token_id,
                "password": pbs.token_secret,
                "fingerprint": pbs.fingerprint,
                "content": ["backup"],
                "key": _encryption_key(),
            }
        )
    )
    assert client.get(f"/storage/{NAME}")["encryption-key"]
    yield NAME
    entries.delete(entry.id, entry.outs)
    groups = pbs.client().get(f"/admin/datastore/{pbs_datastore}/groups", ns=NAME) or []
    for group in groups:  # only the backups this tier made, in its own namespace
        pbs.client().delete(
            f"/admin/datastore/{pbs_datastore}/groups",
            ns=NAME,
            **{"backup-type": group["backup-type"], "backup-id": group["backup-id"]},
        )
    namespaces.delete(namespace.id, namespace.outs)


def _encryption_key() -> str:
    """A key file as ``proxmox-backup-client key create --kdf none`` writes it (no fingerprint:
    PVE then records ``encryption-key: 1``)."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    data = base64.b64encode(secrets.token_bytes(32)).decode()
    return json.dumps({"kdf": None, "created": stamp, "modified": stamp, "data": data})


def _master_pubkey() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=MASTER_KEY_BITS)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def test_master_key_escrow(
    pve: Server, pbs: Server, pbs_datastore: str, checklist: Checked
) -> None:
    provider = configured(PvePbsStorageProvider(), stack_config(pve, pbs))
    storage = f"{NAME}-escrow"
    inputs = lifecycle_inputs(
        {
            "endpoint": pve.endpoint,
            "storage": storage,
            "server": pbs.host,
            "port": pbs.port,
            "datastore": pbs_datastore,
            "username": pbs.token_id,
            "password": pbs.token_secret,
            "fingerprint": pbs.fingerprint,
            "content": ["backup"],
            "key": _encryption_key(),
            "master_key": _master_pubkey(),
        }
    )
    created = provider.create(inputs)
    entry = pve.client().get(f"/storage/{storage}")
    assert int(entry["master-pubkey"]) == 1 and created.outs["master_pubkey"] == "1"
    assert provider.diff(created.id, created.outs, inputs).changes is False
    checklist("PBS storage entry with key and master public key; PVE reports master-pubkey=1")
    pve.client().put(f"/storage/{storage}", delete="master-pubkey")
    assert provider.diff(created.id, created.outs, inputs).changes is True
    repaired = provider.update(created.id, created.outs, inputs)
    assert int(pve.client().get(f"/storage/{storage}")["master-pubkey"]) == 1
    checklist("a lost master public key is seen and put back")
    provider.delete(created.id, repaired.outs)
    assert storage not in {e["storage"] for e in pve.client().get("/storage")}
    checklist("the storage entry removed again")


def test_back_up_restore_latest_and_hand_over_groups(
    pbs: Server,
    pbs_datastore: str,
    pve: Server,
    pve_setup: dict[str, str],
    pbs_storage: str,
    checklist: Checked,
) -> None:
    node, vmid = pve_setup["node"], int(pve_setup["vmid"])
    client = pve.client()
    client.run_task(
        "POST", f"/nodes/{node}/vzdump", vmid=str(vmid), storage=pbs_storage, mode="snapshot"
    )
    checklist(f"VM {vmid} backed up into {pbs_datastore}/{NAME} (encrypted)")

    provider = configured(RestoredVmProvider(), stack_config(pve))
    restore_vmid = int(pve_setup["restore_vmid"])
    inputs = lifecycle_inputs(
        {
            "endpoint": pve.endpoint,
            "node": node,
            "vmid": restore_vmid,
            "owner": OWNER,
            "archive": f"{pbs_storage}:backup/vm/{vmid}/latest",
            "storage": pve_setup["target_storage"],
            "unique": True,
            "start": False,
        }
    )
    restored = provider.create(inputs)
    config_path = f"/nodes/{node}/qemu/{restore_vmid}/config"
    try:
        snapshot = restored.outs["restored_snapshot"]
        assert snapshot.startswith(f"backup/vm/{vmid}/")
        assert provider.diff(restored.id, restored.outs, inputs).changes is False
        checklist(
            f"'latest' restored as VM {restore_vmid} from "
            f"{snapshot} in {restored.outs['restore_seconds']} s"
        )
        config = client.get(config_path)
        mark = {"stack": OWNER, "generation": "0", "snapshot": snapshot.removeprefix("backup/")}
        assert parse_mark(config.get("description")) == mark
        assert int(config["protection"]) == 1
        with fails_with(ProtectedVmError, match="--protection 0"):
            provider.delete(restored.id, restored.outs)
        checklist("the restored VM carries the stack's mark and PVE protection; delete refuses")
    finally:
        client.put(config_path, protection=0)
        provider.delete(restored.id, restored.outs)
    assert provider.read(restored.id, restored.outs).id is None
    checklist("the restored VM is purged again; the backup stays")

    owners = configured(PbsGroupOwnerProvider(), stack_config(pbs))
    admin = pbs.client()
    userid = f"{NAME}@pbs"
    admin.post("/access/users", userid=userid)
    admin.post(f"/access/users/{userid}/token/renamed")
    try:
        handed = lifecycle_inputs(
            {
                "endpoint": pbs.endpoint,
                "store": pbs_datastore,
                "ns": NAME,
                "owner": f"{userid}!renamed",
            }
        )
        created = owners.create(handed)
        groups = admin.get(f"/admin/datastore/{pbs_datastore}/groups", ns=NAME)
        assert {g["owner"] for g in groups} == {f"{userid}!renamed"}
        back = {**handed, "owner": pbs.token_id}
        owners.update(created.id, created.outs, back)
        groups = admin.get(f"/admin/datastore/{pbs_datastore}/groups", ns=NAME)
        assert {g["owner"] for g in groups} == {pbs.token_id}
        checklist("backup groups handed to a renamed token and back (change-owner)")
    finally:
        admin.delete(f"/access/users/{userid}")


def test_backup_data_is_encrypted_with_the_storage_key(
    pve: Server, pve_setup: dict[str, str], pbs_storage: str, checklist: Checked
) -> None:
    """What the site's off-site copy relies on: PVE encrypts before the data leaves."""
    node, vmid = pve_setup["node"], pve_setup["vmid"]
    client = pve.client()
    client.run_task("POST", f"/nodes/{node}/vzdump", vmid=vmid, storage=pbs_storage)
    content = client.get(
        f"/nodes/{node}/storage/{pbs_storage}/content", content="backup", vmid=int(vmid)
    )
    assert content and all(item.get("encrypted") for item in content), content
    key = client.get(f"/storage/{pbs_storage}")["encryption-key"]
    assert key
    checklist(f"{len(content)} backup(s) on the storage, all encrypted (key {key[:11]}…)")


def test_a_recovery_host_is_ready_and_its_backups_are_counted(
    pve: Server, pve_setup: dict[str, str], pbs_storage: str, checklist: Checked
) -> None:
    """What a cloud recovery reads before it restores (read-only, nothing to clean up): the
    host's API is ready (pinned certificate, token, node, the source storage) and the
    newest finished backup of each VM with its size, for the RTO estimate."""
    node, vmid = pve_setup["node"], int(pve_setup["vmid"])
    client = pve.client()
    client.run_task("POST", f"/nodes/{node}/vzdump", vmid=str(vmid), storage=pbs_storage)

    ready = configured(PveApiReadyProvider(), stack_config(pve))
    answer = ready.create(
        lifecycle_inputs(
            {
                "endpoint": pve.endpoint,
                "node": node,
                "storage": pbs_storage,
                "deadline_seconds": READY_DEADLINE_SECONDS,
            }
        )
    )
    assert answer.outs["version"]
    checklist(f"the PVE API is ready for a recovery (PVE {answer.outs['version']})")

    inventory = configured(BackupInventoryProvider(), stack_config(pve))
    counted = inventory.create(
        lifecycle_inputs(
            {"endpoint": pve.endpoint, "node": node, "storage": pbs_storage, "vmids": [vmid]}
        )
    )
    newest = counted.outs["backups"][str(vmid)]
    assert newest["volid"].startswith(f"{pbs_storage}:backup/vm/{vmid}/")
    assert newest["size"] > 1  # a finished backup (PVE shows 1 for one without manifest)
    checklist(f"the inventory names {newest['volid']} ({newest['size']} bytes)")
