"""Issue 11.11: a renamed PVE token takes over the backup groups its predecessor wrote.

PBS adds snapshots to a group only for its owner (proxmox-backup ``src/api2/backup/mod.rs``:
"backup owner check failed"); vzdump's groups are owned by the token PVE writes with. So
after ``backup.pbs.pve_token_id`` changes, every VM's next backup fails until the groups
change owner (``change-owner``, ``src/api2/admin/datastore.rs`` ``set_backup_owner``). The
lab's vzdump applies the same owner check (``lab/sim/pve/vzdump.py``).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lab import Lab
from providers.pbs_group_owner import PbsGroupOwnerProvider
from tappaas.client import TaskFailedError
from tests.fixtures.lab import SIMULATED_START
from tests.providers.harness import (
    add_pbs_storage,
    configured,
    endpoint,
    lab_client,
    lifecycle_inputs,
    stack_config,
)

USER = "tappaas-pve@pbs"


def _backup_now(lab: Lab, storage: str) -> None:
    """A backup a minute after the last: two in one second would share a snapshot name."""
    lab.control.advance(minutes=1)
    lab_client(lab.pve).run_task("POST", "/nodes/tappaas1/vzdump", vmid="340", storage=storage)


def test_pve_backs_up_again_after_its_token_is_renamed(
    lab_factory: Callable[..., Lab],
) -> None:
    lab = lab_factory(clock="simulated", start_time=SIMULATED_START)
    pbs = lab.pbs["local"]
    admin = lab_client(pbs)
    admin.wait_for_task(admin.post("/config/datastore", name="backups", path="/tankc/backups"))
    admin.post("/access/users", userid=USER)
    secrets = {
        name: admin.post(f"/access/users/{USER}/token/{name}")["value"] for name in ("old", "new")
    }
    for auth_id in (USER, f"{USER}!old", f"{USER}!new"):
        admin.put(
            "/access/acl", path="/datastore/backups", role="DatastoreBackup", **{"auth-id": auth_id}
        )
    lab.control.seed_vm(340, "tappaas1", "nextcloud")
    pve = lab_client(lab.pve)
    add_pbs_storage(pve, "site-pbs", pbs, "backups", token=(f"{USER}!old", secrets["old"]))
    _backup_now(lab, "site-pbs")
    provider = configured(PbsGroupOwnerProvider(), stack_config(pbs))
    old = lifecycle_inputs({"endpoint": endpoint(pbs), "store": "backups", "owner": f"{USER}!old"})
    created = provider.create(old)
    assert provider.diff(created.id, created.outs, old).changes is False

    # pve_token_id renamed: PVE's storage entry now logs in with the new token.
    pve.put("/storage/site-pbs", username=f"{USER}!new", password=secrets["new"])
    with pytest.raises(TaskFailedError, match="backup owner check failed"):
        _backup_now(lab, "site-pbs")

    new = {**old, "owner": f"{USER}!new"}
    diff = provider.diff(created.id, created.outs, new)
    assert diff.changes is True and diff.replaces == []
    updated = provider.update(created.id, created.outs, new)
    groups = admin.get("/admin/datastore/backups/groups")
    assert [(g["backup-id"], g["owner"]) for g in groups] == [("340", f"{USER}!new")]
    _backup_now(lab, "site-pbs")
    assert len(lab.control.snapshots("local", "backups")) == 2
    assert provider.diff(created.id, updated.outs, new).changes is False
