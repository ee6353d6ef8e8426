"""Namespaces, remotes, sync/prune/verify jobs, users, tokens and ACLs against the lab."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from lab import Lab
from providers.pbs_acl import PbsAclProvider
from providers.pbs_datastore import PbsDatastoreProvider
from providers.pbs_namespace import NamespaceHoldsBackupsError, PbsNamespaceProvider
from providers.pbs_prune_job import PbsPruneJobProvider
from providers.pbs_remote import PbsRemoteProvider
from providers.pbs_sync_job import PbsSyncJobProvider
from providers.pbs_token import PbsTokenProvider
from providers.pbs_user import PbsUserProvider
from providers.pbs_verify_job import PbsVerifyJobProvider
from tappaas.client import ApiError, ConnectionSettings, Product, ProxmoxClient
from tests.providers.harness import (
    configured,
    endpoint,
    fails_with,
    lab_client,
    lifecycle_inputs,
    stack_config,
)


@pytest.fixture
def store(lab: Lab, unique_name: Callable[[str], str]) -> Iterator[str]:
    """A datastore of the test's own on the local PBS."""
    provider = configured(PbsDatastoreProvider(), stack_config(lab.pbs["local"]))
    name = unique_name("st")
    inputs = lifecycle_inputs(
        {"endpoint": endpoint(lab.pbs["local"]), "name": name, "path": f"/tankc/{name}"}
    )
    created = provider.create(inputs)
    yield name
    provider.delete(name, created.outs)


def _on_local(lab: Lab, **fields: Any) -> dict[str, Any]:
    return lifecycle_inputs({"endpoint": endpoint(lab.pbs["local"]), **fields})


def _config(lab: Lab) -> dict[str, Any]:
    return stack_config(lab.pbs["local"], lab.pbs["peer"])


def test_namespace_create_replace_and_refused_delete(lab: Lab, store: str) -> None:
    provider = configured(PbsNamespaceProvider(), _config(lab))
    parent = provider.create(_on_local(lab, store=store, namespace="site-a"))
    child = provider.create(_on_local(lab, store=store, namespace="site-a/prod"))
    assert child.id == f"{store}:site-a/prod"
    inputs = _on_local(lab, store=store, namespace="site-a/prod")
    assert provider.diff(child.id, child.outs, inputs).changes is False
    renamed = provider.diff(child.id, child.outs, _on_local(lab, store=store, namespace="site-b"))
    assert renamed.replaces == ["namespace"]

    # A namespace that still holds backups is not deleted: the data wins.
    lab.control.seed_snapshot("local", store, backup_id="110", ns="site-a/prod", time=1_735_000_000)
    with fails_with(NamespaceHoldsBackupsError, match="'site-a/prod' of datastore"):
        provider.delete(child.id, child.outs)
    assert provider.read(child.id, child.outs).id == child.id
    assert parent.id == f"{store}:site-a"


def test_remote_password_is_never_stored_but_its_change_is_seen(lab: Lab, unique_name) -> None:
    provider = configured(PbsRemoteProvider(), _config(lab))
    peer = lab.pbs["peer"]
    name = unique_name("rm")
    inputs = _on_local(
        lab,
        name=name,
        host=peer.host,
        port=peer.port,
        auth_id="sync@pbs!pull",
        fingerprint=peer.fingerprint,
        password="first-secret-value",
    )
    created = provider.create(inputs)
    assert "password" not in created.outs
    assert created.outs["password_sha256"] and "first-secret" not in str(created.outs)
    assert provider.diff(name, created.outs, inputs).changes is False

    rotated = {**inputs, "password": "second-secret-value"}
    diff = provider.diff(name, created.outs, rotated)
    assert diff.changes is True and diff.replaces == []
    updated = provider.update(name, created.outs, rotated)
    assert updated.outs["password_sha256"] != created.outs["password_sha256"]
    assert provider.diff(name, updated.outs, rotated).changes is False
    provider.delete(name, updated.outs)
    assert provider.read(name, updated.outs).id is None


def test_sync_job_pull_and_push_with_drift(lab: Lab, store: str, unique_name) -> None:
    remotes = configured(PbsRemoteProvider(), _config(lab))
    peer = lab.pbs["peer"]
    remote = remotes.create(
        _on_local(
            lab,
            name=unique_name("rm"),
            host=peer.host,
            port=peer.port,
            auth_id=peer.token_id,
            fingerprint=peer.fingerprint,
            password=peer.token_secret,
        )
    )
    provider = configured(PbsSyncJobProvider(), _config(lab))
    job_id = unique_name("sync")
    pull = _on_local(
        lab,
        id=job_id,
        store=store,
        remote=remote.id,
        remote_store="tanka",
        remove_vanished=False,
        encrypted_only=True,
        schedule="hourly",
        group_filter=["type:vm", "exclude:group:vm/999"],
        rate_in="50MiB",
    )
    created = provider.create(pull)
    assert created.outs["group_filter"] == ["type:vm", "exclude:group:vm/999"]
    assert created.outs["encrypted_only"] is True
    assert provider.diff(job_id, created.outs, pull).changes is False

    client = provider.client(provider.parse(pull))
    client.put(f"/config/sync/{job_id}", **{"remove-vanished": True})  # a hostile tweak
    assert provider.diff(job_id, created.outs, pull).changes is True
    repaired = provider.update(job_id, created.outs, pull)
    assert repaired.outs["remove_vanished"] is False

    push_id = unique_name("push")
    push = _on_local(
        lab,
        id=push_id,
        store=store,
        remote=remote.id,
        remote_store="tanka",
        sync_direction="push",
        schedule="daily",
    )
    pushed = provider.create(push)
    assert pushed.outs["sync_direction"] == "push"
    listed = {job["id"] for job in client.get("/config/sync", **{"sync-direction": "all"})}
    assert {job_id, push_id} <= listed
    for jid, outs in ((job_id, repaired.outs), (push_id, pushed.outs)):
        provider.delete(jid, outs)
    remotes.delete(remote.id, remote.outs)


def test_prune_and_verify_jobs(lab: Lab, store: str, unique_name) -> None:
    prune = configured(PbsPruneJobProvider(), _config(lab))
    pid = unique_name("prune")
    inputs = _on_local(
        lab,
        id=pid,
        store=store,
        schedule="daily",
        keep_daily=7,
        keep_weekly=4,
        keep_monthly=12,
        keep_yearly=100,
    )
    created = prune.create(inputs)
    assert created.outs["keep_yearly"] == 100
    shorter = {**inputs, "keep_daily": 3}
    assert prune.diff(pid, created.outs, shorter).replaces == []
    updated = prune.update(pid, created.outs, shorter)
    assert updated.outs["keep_daily"] == 3
    prune.delete(pid, updated.outs)

    verify = configured(PbsVerifyJobProvider(), _config(lab))
    vid = unique_name("verify")
    vin = _on_local(
        lab, id=vid, store=store, schedule="sat 04:00", ignore_verified=True, outdated_after=30
    )
    vout = verify.create(vin)
    assert vout.outs["outdated_after"] == 30
    moved = {**vin, "store": "elsewhere", "id": vid}
    assert "id" not in (verify.diff(vid, vout.outs, moved).replaces or [])
    verify.delete(vid, vout.outs)


def test_user_token_acl_least_privilege(lab: Lab, store: str, unique_name) -> None:
    users = configured(PbsUserProvider(), _config(lab))
    userid = f"{unique_name('pve')}@pbs"
    user = users.create(_on_local(lab, userid=userid, comment="PVE backups"))
    tokens = configured(PbsTokenProvider(), _config(lab))
    token_inputs = _on_local(lab, userid=userid, token_name="backup")
    token = tokens.create(token_inputs)
    assert token.id == f"{userid}!backup"
    secret = token.outs["secret"]
    assert secret
    # The secret is carried forward, never re-read (PBS cannot show it again).
    again = tokens.read(token.id, token.outs)
    assert again.outs["secret"] == secret

    acls = configured(PbsAclProvider(), _config(lab))
    acl = acls.create(
        _on_local(lab, path=f"/datastore/{store}", auth_id=token.id, role="DatastoreBackup")
    )
    assert acl.id == f"/datastore/{store}|{token.id}|DatastoreBackup"

    # The token can back up but cannot touch the datastore's configuration.
    pbs = lab.pbs["local"]
    as_token = ProxmoxClient(
        ConnectionSettings(
            product=Product.PBS,
            host=pbs.host,
            port=pbs.port,
            fingerprint=pbs.fingerprint,
            token_id=token.id,
            token_secret=secret,
        )
    )
    with pytest.raises(ApiError) as denied:
        as_token.delete(f"/config/datastore/{store}")
    assert denied.value.status in (401, 403)

    acls.delete(acl.id, acl.outs)
    assert acls.read(acl.id, acl.outs).id is None
    tokens.delete(token.id, token.outs)
    users.delete(userid, user.outs)
    assert users.read(userid, user.outs).id is None


def test_an_adopted_token_gets_a_new_secret_on_its_first_update(lab: Lab, unique_name) -> None:
    """A token adopted into the state (no secret there: PBS shows it only once) diffs as
    changed, and its update regenerates the secret; the old one stops working."""
    userid = f"{unique_name('peer')}@pbs"
    pbs = lab.pbs["local"]
    client = ProxmoxClient(
        ConnectionSettings(
            product=Product.PBS,
            host=pbs.host,
            port=pbs.port,
            fingerprint=pbs.fingerprint,
            token_id=pbs.token_id,
            token_secret=pbs.token_secret,
        )
    )
    client.post("/access/users", userid=userid)
    old_secret = client.post(f"/access/users/{userid}/token/pull")["value"]
    tokens = configured(PbsTokenProvider(), _config(lab))
    inputs = _on_local(lab, userid=userid, token_name="pull")
    adopted = tokens.read(f"{userid}!pull", inputs)  # what an adoption records
    assert adopted.outs["secret"] is None

    diff = tokens.diff(adopted.id, adopted.outs, inputs)
    assert (diff.changes, diff.replaces) == (True, [])
    updated = tokens.update(adopted.id, adopted.outs, inputs)
    new_secret = updated.outs["secret"]
    assert new_secret and new_secret != old_secret
    assert tokens.diff(adopted.id, updated.outs, inputs).changes is False

    def works(secret: str) -> bool:
        settings = ConnectionSettings(
            product=Product.PBS,
            host=pbs.host,
            port=pbs.port,
            fingerprint=pbs.fingerprint,
            token_id=f"{userid}!pull",
            token_secret=secret,
        )
        try:
            ProxmoxClient(settings).get("/version")
        except ApiError:
            return False
        return True

    assert works(new_secret) and not works(old_secret)
    tokens.delete(adopted.id, updated.outs)
    client.delete(f"/access/users/{userid}")


def test_acl_propagate_drift_is_repaired_in_place_never_by_a_replace(lab: Lab, store: str) -> None:
    """PBS sets an entry again for the same role with the new ``propagate`` (pbs-config
    ``acl.rs``), so a change is an update: the grant is never absent, as a delete-then-create
    replace would leave it (a backup running then would fail)."""
    acls = configured(PbsAclProvider(), _config(lab))
    inputs = _on_local(
        lab, path=f"/datastore/{store}", auth_id="root@pam", role="DatastoreAudit", propagate=False
    )
    acl = acls.create(inputs)
    client = lab_client(lab.pbs["local"])
    client.put(
        "/access/acl", path=f"/datastore/{store}", role="DatastoreAudit", propagate=True,
        **{"auth-id": "root@pam"},
    )  # fmt: skip
    diff = acls.diff(acl.id, acl.outs, inputs)
    assert diff.changes is True and not diff.replaces
    lab.control.clear_requests()
    acls.update(acl.id, acl.outs, inputs)
    writes = [(r.method, r.path) for r in lab.control.requests("local") if r.is_write]
    assert writes == [("PUT", "/access/acl")]
    live = [
        e for e in client.get("/access/acl", path=f"/datastore/{store}")
        if e["ugid"] == "root@pam" and e["roleid"] == "DatastoreAudit"
    ]  # fmt: skip
    assert [bool(e["propagate"]) for e in live] == [False]
    acls.delete(acl.id, acl.outs)
