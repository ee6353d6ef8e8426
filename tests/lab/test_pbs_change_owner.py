"""The lab's ``change-owner`` follows proxmox-backup ``src/api2/admin/datastore.rs``
``set_backup_owner``: Datastore.Modify may hand any group to any active user or token;
Datastore.Backup alone only between a user and its own tokens (401 otherwise); the new owner
must exist ("… is inactive or non-existent")."""

from __future__ import annotations

import pytest

from lab import Lab
from tappaas.client import ApiError, AuthError, ConnectionSettings, Product, ProxmoxClient
from tests.providers.harness import lab_client


def _as(lab: Lab, token_id: str, secret: str) -> ProxmoxClient:
    pbs = lab.pbs["local"]
    return ProxmoxClient(
        ConnectionSettings(
            product=Product.PBS,
            host=pbs.host,
            port=pbs.port,
            fingerprint=pbs.fingerprint,
            token_id=token_id,
            token_secret=secret,
        )
    )


def test_change_owner_rules(lab: Lab, unique_name) -> None:
    admin = lab_client(lab.pbs["local"])
    store = unique_name("co")
    admin.wait_for_task(admin.post("/config/datastore", name=store, path=f"/tankc/{store}"))
    user = f"{unique_name('u')}@pbs"
    admin.post("/access/users", userid=user)
    one = admin.post(f"/access/users/{user}/token/one")["value"]
    admin.post(f"/access/users/{user}/token/two")
    for auth_id in (user, f"{user}!one"):
        admin.put(
            "/access/acl",
            path=f"/datastore/{store}",
            role="DatastoreBackup",
            **{"auth-id": auth_id},
        )
    lab.control.seed_snapshot("local", store, backup_id="101", owner=f"{user}!one")
    group = {"backup-type": "vm", "backup-id": "101"}
    path = f"/admin/datastore/{store}/change-owner"

    token = _as(lab, f"{user}!one", one)
    with pytest.raises(AuthError, match="does not have permission to change owner"):
        token.post(path, **group, **{"new-owner": f"{user}!two"})  # a token, not the user
    with pytest.raises(ApiError, match="'nobody@pbs!x' is inactive or non-existent"):
        admin.post(path, **group, **{"new-owner": "nobody@pbs!x"})
    admin.post(path, **group, **{"new-owner": f"{user}!two"})
    owners = {g["backup-id"]: g["owner"] for g in admin.get(f"/admin/datastore/{store}/groups")}
    assert owners == {"101": f"{user}!two"}
