"""PBS users, tokens (secret once), ACLs with propagation and token ∩ user rights."""

from __future__ import annotations

import pytest
from proxmoxer import ResourceException

from lab.state.access import AclEntry, User
from tests.lab.clients import client


def test_least_privilege_token_sees_only_its_store(fresh_lab):
    endpoint = fresh_lab.pbs["local"]
    admin = client(endpoint)
    for name in ("store1", "store2"):
        admin.config.datastore.post(name=name, path=f"/mnt/{name}")
    admin.access.users.post(userid="backup@pbs", password="secret-pw-1")
    token = admin.access.users("backup@pbs").token("pve").post(comment="for PVE")
    assert token["tokenid"] == "backup@pbs!pve" and len(token["value"]) == 36
    assert "value" not in str(admin.access.users("backup@pbs").token("pve").get())
    admin.access.acl.put(
        path="/datastore/store1", role="DatastoreBackup", **{"auth-id": "backup@pbs"}
    )
    restricted = client(endpoint, token_id="backup@pbs!pve", token_secret=token["value"])
    assert restricted.config.datastore.get() == []  # the token itself has no ACL yet
    admin.access.acl.put(
        path="/datastore/store1", role="DatastoreAudit", **{"auth-id": "backup@pbs!pve"}
    )
    assert [
        d["name"] for d in restricted.config.datastore.get()
    ] == []  # user lacks Audit: ∩ is empty
    admin.access.acl.put(
        path="/datastore/store1", role="DatastoreAdmin", **{"auth-id": "backup@pbs"}
    )
    assert [d["name"] for d in restricted.config.datastore.get()] == ["store1"]
    with pytest.raises(ResourceException) as caught:
        restricted.access.acl.put(path="/", role="Admin", **{"auth-id": "backup@pbs!pve"})
    assert caught.value.errors["errors"] == b"Unprivileged API tokens can't set ACL items."


def test_propagation_and_no_access(fresh_lab):
    access = fresh_lab.control._pbs["local"].access
    access.users["u@pbs"] = User("u@pbs")
    access.acl += [AclEntry("/datastore", "u@pbs", "DatastoreReader", propagate=False)]
    assert access.privileges("u@pbs", "/datastore/a") == frozenset()
    access.acl += [AclEntry("/datastore", "u@pbs", "DatastoreAudit")]
    assert access.privileges("u@pbs", "/datastore/a") == {"Datastore.Audit"}
    access.acl += [AclEntry("/datastore/a", "u@pbs", "NoAccess")]
    assert access.privileges("u@pbs", "/datastore/a/ns") == frozenset()


def test_user_and_token_lifecycle_errors(lab, unique_name):
    api = client(lab.pbs["peer"])
    userid = f"{unique_name('u')}@pbs"
    api.access.users.post(userid=userid)
    with pytest.raises(ResourceException) as caught:
        api.access.users.post(userid=userid)
    assert caught.value.errors["errors"] == f"user '{userid}' already exists.".encode()
    api.access.users(userid).token("t1").post()
    regenerated = api.access.users(userid).token("t1").put(regenerate=1)
    assert len(regenerated["secret"]) == 36
    api.access.acl.put(path="/datastore", role="DatastoreAudit", **{"auth-id": f"{userid}!t1"})
    api.access.users(userid).delete()
    assert all(e["ugid"].split("!")[0] != userid for e in api.access.acl.get())
