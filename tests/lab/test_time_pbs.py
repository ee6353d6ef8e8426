"""PBS over time, through the API: GC after the atime cutoff, sync with the job's credentials,
verify, and scheduled jobs with their run records."""

from __future__ import annotations

from typing import Any

import pytest

from lab import Lab
from lab.sim.clock import iso
from tests.fixtures.lab import SIMULATED_START
from tests.lab.clients import client

DAY = 86400
GIB = 1024**3


def _grant(api: Any, auth_id: str, path: str, role: str) -> None:
    """Grant ``role`` to a token and its user (PBS intersects a token's rights with its user's)."""
    for who in (auth_id.split("!", maxsplit=1)[0], auth_id):
        api.access.acl.put(path=path, role=role, **{"auth-id": who})


def _token(api: Any, token_id: str) -> str:
    userid, name = token_id.split("!")
    api.access.users.post(userid=userid)
    return str(api.access.users(userid).token(name).post()["value"])


def _times(lab: Lab, pbs: str, store: str, ns: str = "") -> list[int]:
    return [s["backup-time"] for s in lab.control.snapshots(pbs, store, ns)]


def test_gc_frees_removed_chunks_only_after_the_atime_cutoff(simulated_lab):
    lab, api = simulated_lab, client(simulated_lab.pbs["local"])
    api.config.datastore.post(name="tanka", path="/mnt/tanka", **{"gc-schedule": "daily"})
    for offset in range(3):
        lab.control.seed_snapshot(
            "local", "tanka", backup_id="100", time=SIMULATED_START - offset * 60,
            size_bytes=4 * GIB,
        )  # fmt: skip
    used = api.admin.datastore("tanka").status.get()["used"]
    assert used == 12 * GIB
    api.admin.datastore("tanka").snapshots.delete(
        **{"backup-type": "vm", "backup-id": "100", "backup-time": SIMULATED_START}
    )
    assert api.admin.datastore("tanka").status.get()["used"] == used  # chunks stay until GC
    lab.control.advance(days=1)  # GC at 00:00: the chunks were touched less than 24 h 5 min ago
    first = api.admin.datastore("tanka").gc.get()
    assert (first["pending-bytes"], first["removed-bytes"]) == (4 * GIB, 0)
    assert first["schedule"] == "daily" and first["next-run"] == SIMULATED_START + 2 * DAY
    lab.control.advance(days=1)
    second = api.admin.datastore("tanka").gc.get()
    assert (second["removed-bytes"], second["pending-bytes"], second["disk-bytes"]) == (
        4 * GIB,
        0,
        8 * GIB,
    )
    assert api.admin.datastore("tanka").status.get()["used"] == 8 * GIB
    verbose = api.admin.datastore("tanka").status.get(verbose=1)
    assert verbose["counts"]["vm"] == {"groups": 1, "snapshots": 2}
    log = [line["t"] for line in api.nodes("localhost").tasks(second["upid"]).log.get()]
    assert "Removed garbage: 4.00 GiB" in log and log[-1] == "TASK OK"


@pytest.fixture
def pull_setup(simulated_lab):
    """The site's PBS ("local", store "site") and the peer ("peer", store "copy") pulling."""
    lab = simulated_lab
    site, peer = client(lab.pbs["local"]), client(lab.pbs["peer"])
    site.config.datastore.post(name="site", path="/mnt/site")
    peer.config.datastore.post(name="copy", path="/mnt/copy")
    peer.admin.datastore("copy").namespace.post(name="home")
    seed = lab.control.seed_snapshot
    seed("local", "site", backup_id="100", time=SIMULATED_START - 2 * DAY, notes="db\nline 2")
    seed("local", "site", backup_id="100", time=SIMULATED_START - DAY, protected=True,
         verify_state="ok")  # fmt: skip
    seed("local", "site", backup_id="200", time=SIMULATED_START - DAY, encrypted=False)
    secret = _token(site, "reader@pbs!pull")
    endpoint = lab.pbs["local"]
    peer.config.remote.post(
        name="home", host=endpoint.host, port=endpoint.port, fingerprint=endpoint.fingerprint,
        password=secret, **{"auth-id": "reader@pbs!pull"},
    )  # fmt: skip
    peer.config.sync.post(
        id="pull-home", store="copy", ns="home", remote="home",
        **{"remote-store": "site", "encrypted-only": 1, "remove-vanished": 0},
    )  # fmt: skip
    return lab, site, peer


def test_pull_copies_only_what_the_remote_token_may_read(pull_setup):
    lab, site, peer = pull_setup
    denied = peer.admin.sync("pull-home").run.post()
    status = peer.nodes("localhost").tasks(denied).status.get()
    assert status["exitstatus"] == "sync failed with some errors."  # the token sees nothing yet
    log = [line["t"] for line in peer.nodes("localhost").tasks(denied).log.get()]
    assert "namespace '' does not exist on the source" in log
    _grant(site, "reader@pbs!pull", "/datastore/site", "DatastoreReader")
    upid = peer.admin.sync("pull-home").run.post()
    assert peer.nodes("localhost").tasks(upid).status.get()["exitstatus"] == "OK"
    copies = {s["backup-time"]: s for s in lab.control.snapshots("peer", "copy", "home")}
    assert sorted(copies) == [SIMULATED_START - 2 * DAY, SIMULATED_START - DAY]  # encrypted only
    older, newer = copies[SIMULATED_START - 2 * DAY], copies[SIMULATED_START - DAY]
    assert older["comment"] == "db" and older["owner"] == "root@pam"
    assert newer["verification"]["state"] == "ok" and newer["protected"] is False
    listed = {job["id"]: job for job in peer.admin.sync.get()}["pull-home"]
    assert listed["last-run-upid"] == upid and listed["last-run-state"] == "ok"


def test_an_unreachable_remote_fails_the_pull(pull_setup):
    lab, site, peer = pull_setup
    _grant(site, "reader@pbs!pull", "/datastore/site", "DatastoreReader")
    lab.control.disconnect("local")
    upid = peer.admin.sync("pull-home").run.post()
    endpoint = lab.pbs["local"]
    assert peer.nodes("localhost").tasks(upid).status.get()["exitstatus"] == (
        f"error trying to connect: error connecting to https://{endpoint.host}:{endpoint.port}/"
        " - tcp connect error: Connection refused (os error 111)"
    )
    lab.control.reconnect("local")
    upid = peer.admin.sync("pull-home").run.post()
    assert peer.nodes("localhost").tasks(upid).status.get()["exitstatus"] == "OK"


def test_push_removes_vanished_snapshots_only_with_prune_rights_on_the_remote(simulated_lab):
    lab = simulated_lab
    site, peer = client(lab.pbs["local"]), client(lab.pbs["peer"])
    site.config.datastore.post(name="site", path="/mnt/site")
    peer.config.datastore.post(name="copy", path="/mnt/copy")
    for days in (2, 1):
        lab.control.seed_snapshot(
            "local", "site", backup_id="100", time=SIMULATED_START - days * DAY
        )
    secret = _token(peer, "home@pbs!push")
    _grant(peer, "home@pbs!push", "/datastore/copy", "DatastoreBackup")
    endpoint = lab.pbs["peer"]
    site.config.remote.post(
        name="peer", host=endpoint.host, port=endpoint.port, fingerprint=endpoint.fingerprint,
        password=secret, **{"auth-id": "home@pbs!push"},
    )  # fmt: skip
    site.config.sync.post(
        id="push", store="site", remote="peer",
        **{"sync-direction": "push", "remote-store": "copy", "remove-vanished": 1},
    )  # fmt: skip

    def push() -> str:
        upid = site.admin.sync("push").run.post()
        return str(site.nodes("localhost").tasks(upid).status.get()["exitstatus"])

    assert push() == "OK"
    pushed = lab.control.snapshots("peer", "copy")
    assert len(pushed) == 2 and {s["owner"] for s in pushed} == {"home@pbs!push"}
    site.admin.datastore("site").snapshots.delete(
        **{"backup-type": "vm", "backup-id": "100", "backup-time": SIMULATED_START - 2 * DAY}
    )
    assert push() == "sync failed with some errors."  # DatastoreBackup may not remove
    assert len(lab.control.snapshots("peer", "copy")) == 2
    _grant(peer, "home@pbs!push", "/datastore/copy", "DatastorePowerUser")
    assert push() == "OK"
    assert _times(lab, "peer", "copy") == [SIMULATED_START - DAY]


def test_verify_checks_chunks_and_re_verifies_when_outdated(simulated_lab):
    lab, api = simulated_lab, client(simulated_lab.pbs["local"])
    api.config.datastore.post(name="tanka", path="/mnt/tanka")
    for backup_id in ("100", "200"):
        lab.control.seed_snapshot("local", "tanka", backup_id=backup_id, time=SIMULATED_START)
    api.config.verify.post(id="ver", store="tanka", **{"outdated-after": 1})
    first = api.admin.verify("ver").run.post()
    states = {s["backup-id"]: s["verification"] for s in lab.control.snapshots("local", "tanka")}
    assert {v["state"] for v in states.values()} == {"ok"} and states["100"]["upid"] == first
    store = lab.world.pbs["local"].contents["tanka"]
    lost = store.groups["|vm/200"].snapshots[SIMULATED_START].index
    store.chunks.lose(list(lost.chunks)[:1])  # a chunk vanishes behind PBS's back
    again = api.admin.verify("ver").run.post()
    assert api.nodes("localhost").tasks(again).status.get()["exitstatus"] == "OK"  # not outdated
    lab.control.advance(days=2)
    later = api.admin.verify("ver").run.post()
    status = api.nodes("localhost").tasks(later).status.get()
    assert status["exitstatus"] == "verification failed - please check the log for details"
    states = {s["backup-id"]: s["verification"] for s in lab.control.snapshots("local", "tanka")}
    assert states["200"] == {"state": "failed", "upid": later}
    assert states["100"] == {"state": "ok", "upid": later}


def test_scheduled_prune_job_runs_on_its_calendar_and_reports_its_runs(simulated_lab):
    lab, api = simulated_lab, client(simulated_lab.pbs["local"])
    api.config.datastore.post(name="tanka", path="/mnt/tanka")
    for day in range(5):
        lab.control.seed_snapshot("local", "tanka", time=SIMULATED_START - day * DAY)
    api.config.prune.post(id="prn", store="tanka", schedule="03:00", **{"keep-last": 2})
    assert "last-run-upid" not in api.admin.prune.get()[0]
    lab.control.advance(hours=3)
    job = api.admin.prune.get()[0]
    assert job["last-run-state"] == "ok" and job["next-run"] == SIMULATED_START + DAY + 3 * 3600
    assert job["last-run-upid"].split(":")[5] == f"{SIMULATED_START + 3 * 3600:08X}"
    assert _times(lab, "local", "tanka") == [SIMULATED_START - DAY, SIMULATED_START]
    journal = lab.control.journal(kinds=["prune"])
    assert [(iso(e.time), e.message) for e in journal] == [
        ("2025-01-01T03:00:00Z", "prune prn: OK")
    ]


def test_run_job_runs_a_pbs_job_now_through_the_control_surface(simulated_lab):
    lab, api = simulated_lab, client(simulated_lab.pbs["local"])
    api.config.datastore.post(name="tanka", path="/mnt/tanka")
    api.config.prune.post(id="prn", store="tanka", schedule="03:00", **{"keep-last": 1})
    for day in range(2):
        lab.control.seed_snapshot("local", "tanka", time=SIMULATED_START - day * DAY)
    [upid] = lab.control.run_job("prune", "prn", pbs="local")
    assert api.nodes("localhost").tasks(upid).status.get()["exitstatus"] == "OK"
    assert _times(lab, "local", "tanka") == [SIMULATED_START]
    [gc] = lab.control.run_job("gc", "tanka", pbs="local")
    assert gc.split(":")[6] == "garbage_collection"


def test_a_local_sync_maps_namespaces_filters_groups_and_checks_owners(simulated_lab):
    lab, api = simulated_lab, client(simulated_lab.pbs["local"])
    api.config.datastore.post(name="src", path="/mnt/src")
    api.config.datastore.post(name="dst", path="/mnt/dst")
    for ns in ("site", "site/deep", "mirror"):
        lab.control.create_namespace("local", "src" if ns.startswith("site") else "dst", ns)
    for backup_id, ns in (("100", "site"), ("200", "site"), ("300", "site"), ("400", "site/deep")):
        for day in range(3):
            lab.control.seed_snapshot(
                "local", "src", backup_id=backup_id, ns=ns, time=SIMULATED_START - day * DAY
            )
    lab.control.seed_snapshot(
        "local", "dst", backup_id="200", ns="mirror", time=SIMULATED_START - 9 * DAY,
        owner="someone@pbs",
    )  # fmt: skip
    api.config.sync.post(
        id="mirror", store="dst", ns="mirror",
        **{"remote-store": "src", "remote-ns": "site", "max-depth": 0, "transfer-last": 2,
           "group-filter": ["exclude:group:vm/300"]},
    )  # fmt: skip
    upid = api.admin.sync("mirror").run.post()
    assert api.nodes("localhost").tasks(upid).status.get()["exitstatus"] == (
        "sync failed with some errors."
    )
    log = [line["t"] for line in api.nodes("localhost").tasks(upid).log.get()]
    assert "sync group vm/200 failed - owner check failed (root@pam != someone@pbs)" in log
    assert _times(lab, "local", "dst", "mirror") == [
        SIMULATED_START - 9 * DAY,  # vm/200, not ours: untouched
        SIMULATED_START - DAY,
        SIMULATED_START,  # vm/100: the newest two (transfer-last)
    ]
    assert {s["backup-id"] for s in lab.control.snapshots("local", "dst", "mirror")} == {
        "100",
        "200",
    }  # vm/300 filtered out
    namespaces = [n["ns"] for n in api.admin.datastore("dst").namespace.get()]
    assert "mirror/deep" not in namespaces  # max-depth 0: the anchor only
