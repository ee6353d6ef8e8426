"""PBS endpoints through proxmoxer and raw HTTPS: behaviour, digests and error texts."""

from __future__ import annotations

import datetime

import pytest
from proxmoxer import ResourceException

from tests.lab.clients import client, raw

PARAM_FAILED = "parameter verification failed - "


def fails(call, *args, **kwargs) -> ResourceException:
    with pytest.raises(ResourceException) as caught:
        call(*args, **kwargs)
    return caught.value


def text(error: ResourceException) -> str:
    return str(error.errors["errors"].decode())


def test_datastore_lifecycle(fresh_lab):
    api = client(fresh_lab.pbs["local"])
    upid = api.config.datastore.post(
        name="tanka",
        path="/mnt/datastore/tanka",
        **{"gc-schedule": "daily", "prune-schedule": "daily", "keep-daily": 7},
    )
    assert upid.split(":")[6:8] == ["create-datastore", "tanka"]
    jobs = api.config.prune.get()
    assert [(j["store"], j["keep-daily"], len(j["id"])) for j in jobs] == [("tanka", 7, 32)]
    error = fails(
        api.config.datastore.post,
        name="usb",
        path="/abs",
        **{"backing-device": "8c2b1f7e-0d5a-4c3b-9e8f-1a2b3c4d5e6f"},
    )
    assert text(error) == PARAM_FAILED + "'path': expected a relative on-device path, '/abs' is not"
    api.config.datastore.post(
        name="usb", path="usb-store", **{"backing-device": "8c2b1f7e-0d5a-4c3b-9e8f-1a2b3c4d5e6f"}
    )
    response = raw(fresh_lab.pbs["local"], "GET", "/config/datastore/tanka")
    body = response.json()
    assert set(body) == {"data", "digest"} and len(body["digest"]) == 64
    api.config.datastore("tanka").put(comment="main", digest=body["digest"])
    error = fails(api.config.datastore("tanka").put, comment="again", digest=body["digest"])
    assert (error.status_code, text(error)) == (
        400,
        "detected modified configuration - file changed by other user? Try again.",
    )
    error = fails(api.config.datastore("tanka").put, **{"keep-daily": 3})
    assert (
        text(error)
        == PARAM_FAILED + "'keep-daily': datastore prune settings have been replaced by prune jobs"
    )
    api.config.datastore("tanka").put(delete=["comment", "gc-schedule"])
    assert set(api.config.datastore("tanka").get()) == {"name", "path"}
    assert fails(api.config.datastore("nope").delete).status_code == 404
    assert text(fails(api.config.datastore("nope").get)) == "no such datastore 'nope'"


def test_deleting_a_datastore_keeps_chunks_but_drops_jobs_and_acls(fresh_lab):
    control, api = fresh_lab.control, client(fresh_lab.pbs["local"])
    api.config.datastore.post(name="tanka", path="/mnt/tanka")
    control.seed_snapshot("local", "tanka", backup_id="100", time=1_700_000_000)
    api.config.verify.post(id="ver1", store="tanka", schedule="daily")
    api.access.acl.put(path="/datastore/tanka", role="DatastoreAudit", **{"auth-id": "root@pam"})
    upid = api.config.datastore("tanka").delete()
    assert upid.split(":")[6] == "delete-datastore"
    assert api.config.verify.get() == [] and api.access.acl.get(path="/datastore/tanka") == []
    api.config.datastore.post(name="tanka", path="/mnt/tanka", **{"reuse-datastore": 1})
    assert len(control.snapshots("local", "tanka")) == 1


def test_namespaces(fresh_lab):
    api = client(fresh_lab.pbs["local"])
    api.config.datastore.post(name="tanka", path="/mnt/tanka")
    ns_api = api.admin.datastore("tanka").namespace
    assert ns_api.post(name="site1") == "site1"
    assert ns_api.post(name="vms", parent="site1") == "site1/vms"
    assert [n["ns"] for n in ns_api.get()] == ["", "site1", "site1/vms"]
    assert text(fails(ns_api.post, name="site1")) == "namespace 'site1' already exists"
    fresh_lab.control.seed_snapshot(
        "local", "tanka", ns="site1/vms", backup_id="100", time=1_700_000_000
    )
    error = fails(ns_api.delete, ns="site1")
    assert (
        text(error) == "only partially deleted due to existing groups but `delete-groups` not true "
    )
    ns_api.delete(ns="site1", **{"delete-groups": 1})
    assert [n["ns"] for n in ns_api.get()] == [""]
    parent = ""
    for depth in range(7):
        parent = ns_api.post(name=f"d{depth}", **({"parent": parent} if parent else {}))
    assert "maximum depth" in text(fails(ns_api.post, name="d7", parent=parent))


def test_snapshots_groups_protection_and_ownership(fresh_lab):
    control, api = fresh_lab.control, client(fresh_lab.pbs["local"])
    api.config.datastore.post(name="tanka", path="/mnt/tanka")
    control.seed_snapshot(
        "local", "tanka", backup_id="100", time=1_700_000_000, protected=True, notes="first\nmore"
    )
    control.seed_snapshot("local", "tanka", backup_id="100", time=1_700_086_400, verify_state="ok")
    control.seed_snapshot(
        "local", "tanka", backup_id="101", time=1_700_000_000, owner="backup@pbs!pve"
    )
    snaps = api.admin.datastore("tanka").snapshots.get(**{"backup-id": "100"})
    assert [(s["backup-time"], s["protected"]) for s in snaps] == [
        (1_700_000_000, True),
        (1_700_086_400, False),
    ]
    assert snaps[0]["comment"] == "first" and snaps[1]["verification"]["state"] == "ok"
    groups = {g["backup-id"]: g for g in api.admin.datastore("tanka").groups.get()}
    assert groups["100"]["backup-count"] == 2 and groups["101"]["owner"] == "backup@pbs!pve"
    target = {"backup-type": "vm", "backup-id": "100", "backup-time": 1_700_000_000}
    error = fails(api.admin.datastore("tanka").snapshots.delete, **target)
    assert text(error) == 'cannot remove protected snapshot "vm/100/2023-11-14T22:13:20Z"'
    api.admin.datastore("tanka").protected.put(**target, protected=0)
    api.admin.datastore("tanka").snapshots.delete(**target)
    assert len(control.snapshots("local", "tanka")) == 2


def test_remotes_never_return_the_password(fresh_lab):
    api = client(fresh_lab.pbs["local"])
    peer = fresh_lab.pbs["peer"]
    api.config.remote.post(
        name="peer",
        host=peer.host,
        port=peer.port,
        password="tok-secret",
        fingerprint=peer.fingerprint,
        **{"auth-id": "sync@pbs!local"},
    )
    assert "password" not in api.config.remote("peer").get()
    assert "password" not in str(api.config.remote.get())
    error = fails(
        api.config.remote.post, name="peer", host="h", password="p", **{"auth-id": "a@pbs!b"}
    )
    assert text(error) == "parameter verification failed - 'name': remote 'peer' already exists."
    api.config.datastore.post(name="tanka", path="/mnt/tanka")
    api.config.sync.post(
        id="push1",
        store="tanka",
        remote="peer",
        **{"remote-store": "offsite", "sync-direction": "push"},
    )
    assert (
        text(fails(api.config.remote("peer").delete))
        == "remote 'peer' is used by sync job 'push1' (datastore 'tanka')"
    )
    assert fails(api.config.remote("ghost").delete).status_code == 404


def test_sync_jobs(fresh_lab):
    api = client(fresh_lab.pbs["local"])
    api.config.datastore.post(name="tanka", path="/mnt/tanka")
    api.config.remote.post(name="peer", host="127.0.0.1", password="p", **{"auth-id": "sync@pbs!t"})
    api.config.sync.post(
        id="pull1",
        store="tanka",
        remote="peer",
        **{
            "remote-store": "site",
            "group-filter": ["type:vm", "exclude:group:vm/999"],
            "remove-vanished": "false",
        },
    )
    api.config.sync.post(
        id="push1",
        store="tanka",
        remote="peer",
        **{"remote-store": "offsite", "sync-direction": "push", "encrypted-only": "yes"},
    )
    assert [j["id"] for j in api.config.sync.get()] == ["pull1"]
    assert [j["id"] for j in api.config.sync.get(**{"sync-direction": "all"})] == ["pull1", "push1"]
    assert api.config.sync("pull1").get()["group-filter"] == ["type:vm", "exclude:group:vm/999"]
    assert api.config.sync("push1").get()["encrypted-only"] is True
    assert text(fails(api.config.sync("nope").get)) == "no such sync 'nope'"
    assert fails(api.config.sync("nope").delete).status_code == 404
    error = fails(
        api.config.sync.post, id="pull1", store="tanka", remote="peer", **{"remote-store": "other"}
    )
    assert text(error) == "parameter verification failed - 'id': job 'pull1' already exists."
    assert text(
        fails(api.config.sync.post, id="loop", store="tanka", **{"remote-store": "tanka"})
    ) == ("source and target datastore can't be the same")
    upid = api.admin.sync("pull1").run.post()
    fields = upid.split(":")
    assert len(fields) == 10 and fields[-1] == "" and fields[6] == "syncjob"
    assert fields[7] == "peer\\x3asite\\x3atanka\\x3a\\x3apull1"
    status = api.nodes("localhost").tasks(upid).status.get()
    # Nothing listens at 127.0.0.1:8007 (the remote has no port): PBS's client error.
    assert status["status"] == "stopped" and status["exitstatus"] == (
        "error trying to connect: error connecting to https://127.0.0.1:8007/ - "
        "tcp connect error: Connection refused (os error 111)"
    )


def test_sync_job_needs_least_privileges(fresh_lab):
    api = client(fresh_lab.pbs["local"])
    api.config.datastore.post(name="tanka", path="/mnt/tanka")
    api.config.remote.post(name="peer", host="127.0.0.1", password="p", **{"auth-id": "sync@pbs!t"})
    api.access.users.post(userid="op@pbs")
    secret = api.access.users("op@pbs").token("t").post()["value"]
    operator = client(fresh_lab.pbs["local"], token_id="op@pbs!t", token_secret=secret)
    for auth_id in ("op@pbs", "op@pbs!t"):
        api.access.acl.put(path="/datastore/tanka", role="DatastoreBackup", **{"auth-id": auth_id})
    error = fails(
        operator.config.sync.post,
        id="sync1",
        store="tanka",
        remote="peer",
        **{"remote-store": "site"},
    )
    assert (error.status_code, text(error)) == (400, "permission check failed")
    for auth_id in ("op@pbs", "op@pbs!t"):
        api.access.acl.put(path="/datastore/tanka", role="DatastoreAudit", **{"auth-id": auth_id})
        api.access.acl.put(path="/remote/peer", role="RemoteSyncOperator", **{"auth-id": auth_id})
    operator.config.sync.post(id="sync1", store="tanka", remote="peer", **{"remote-store": "site"})
    error = fails(operator.config.sync("sync1").put, **{"remove-vanished": 1})
    assert text(error) == "permission check failed"


def test_prune_and_verify_jobs(fresh_lab):
    api = client(fresh_lab.pbs["local"])
    api.config.datastore.post(name="tanka", path="/mnt/tanka")
    api.config.prune.post(
        id="prune1", store="tanka", schedule="daily", **{"keep-daily": 7, "keep-yearly": 100}
    )
    error = fails(
        api.config.prune.post, id="prune2", store="tanka", schedule="daily", **{"keep-daily": 0}
    )
    assert (
        text(error) == PARAM_FAILED + "'keep-daily': value must have a minimum value of 1 (got 0)"
    )
    assert text(fails(api.config.verify("nope").get)) == "no such verification 'nope'"
    api.config.verify.post(
        id="ver1",
        store="tanka",
        schedule="sat 03:00",
        **{"ignore-verified": 1, "outdated-after": 30},
    )
    assert api.admin.verify("ver1").run.post().split(":")[6:8] == [
        "verificationjob",
        "tanka\\x3aver1",
    ]
    assert api.admin.prune("prune1").run.post().split(":")[6] == "prunejob"


def test_running_a_prune_job_prunes_with_the_pbs_rules(fresh_lab):
    control, api = fresh_lab.control, client(fresh_lab.pbs["local"])
    api.config.datastore.post(name="tanka", path="/mnt/tanka")
    days = ["2019-12-04", "2019-12-03", "2019-11-22", "2019-11-21", "2019-11-10"]
    for day in days:
        control.seed_snapshot("local", "tanka", backup_id="100", time=_noon(day))
    control.create_namespace("local", "tanka", "other")
    control.seed_snapshot("local", "tanka", ns="other", backup_id="100", time=_noon(days[-1]))
    api.config.prune.post(
        id="elsa",
        store="tanka",
        schedule="daily",
        **{"keep-daily": 1, "keep-weekly": 3, "max-depth": 0},
    )
    upid = api.admin.prune("elsa").run.post()
    kept = [s["backup-time"] for s in control.snapshots("local", "tanka")]
    assert kept == [_noon("2019-11-10"), _noon("2019-11-22"), _noon("2019-12-04")]
    assert len(control.snapshots("local", "tanka", ns="other")) == 1
    log = [line["t"] for line in api.nodes("localhost").tasks(upid).log.get()]
    assert "removed vm/100/2019-12-03T12:00:00Z" in log and log[-1] == "TASK OK"


def _noon(day: str) -> int:
    return int(datetime.datetime.fromisoformat(f"{day}T12:00:00+00:00").timestamp())
