"""The control surface: seeding, faults, request log, and the same over ``/_lab/``."""

from __future__ import annotations

import datetime
import time

import pytest
import requests
from proxmoxer import ResourceException

from lab import LabError
from tests.lab.clients import _PinnedAdapter, client


def test_seeded_vms_appear_in_the_api(lab):
    lab.control.seed_vm(901, "tappaas1", "seeded", status="stopped")
    vms = {v["vmid"]: v for v in client(lab.pve).nodes("tappaas1").qemu.get()}
    assert vms[901]["name"] == "seeded" and vms[901]["status"] == "stopped"
    assert (
        client(lab.pve).nodes("tappaas1").qemu(901).config.get()["scsi0"]
        == "tanka:vm-901-disk-0,size=32G"
    )
    with pytest.raises(LabError):
        lab.control.seed_vm(901, "tappaas1")
    with pytest.raises(LabError):
        lab.control.seed_vm(902, "nowhere")


def test_seeded_snapshots_round_trip(lab, unique_name):
    store = unique_name("st")
    client(lab.pbs["local"]).config.datastore.post(name=store, path=f"/mnt/{store}")
    when = datetime.datetime(2025, 1, 16, 2, 0, 4, tzinfo=datetime.UTC)
    lab.control.seed_snapshot(
        "local", store, backup_id="100", time=when, encrypted=False, verify_state="failed"
    )
    [snapshot] = lab.control.snapshots("local", store)
    assert snapshot["backup-time"] == int(when.timestamp())
    assert snapshot["verification"]["state"] == "failed"
    assert {f["crypt-mode"] for f in snapshot["files"]} == {"none"}
    with pytest.raises(LabError):
        lab.control.seed_snapshot("local", store, ns="missing")


@pytest.mark.parametrize(
    ("kind", "status"), [("http-502", 502), ("http-503", 503), ("lock-timeout", 500)]
)
def test_error_faults(fresh_lab, kind, status):
    fresh_lab.control.inject_fault("pve", kind, count=1, path="/version")
    api = client(fresh_lab.pve)
    with pytest.raises(ResourceException) as caught:
        api.version.get()
    assert caught.value.status_code == status
    if kind == "lock-timeout":
        assert "got lock request timeout" in caught.value.content
    assert api.version.get()["version"]


def test_reset_and_latency_faults(fresh_lab):
    api = client(fresh_lab.pbs["local"])
    fresh_lab.control.inject_fault("local", "reset", count=1, method="GET")
    with pytest.raises(requests.exceptions.ConnectionError):
        api.version.get()
    fresh_lab.control.inject_fault("local", "latency", seconds=0.3, count=1)
    started = time.monotonic()
    api.version.get()
    assert time.monotonic() - started >= 0.3
    fresh_lab.control.inject_fault("local", "http-503", rate=0.0)
    api.version.get()
    fresh_lab.control.clear_faults()
    with pytest.raises(ValueError):
        fresh_lab.control.inject_fault("local", "meteor")


def test_request_log_records_api_calls_only_with_secrets_masked(fresh_lab):
    control = fresh_lab.control
    control.clear_requests()
    api = client(fresh_lab.pbs["local"])
    api.config.remote.post(
        name="peer", host="127.0.0.1", password="hunter2", **{"auth-id": "a@pbs!t"}
    )
    api.config.remote.get()
    control.seed_vm(100, "tappaas1")
    records = control.requests("local")
    assert [(r.method, r.path, r.status) for r in records] == [
        ("POST", "/config/remote", 200),
        ("GET", "/config/remote", 200),
    ]
    assert records[0].params["password"] == "**********" and records[0].is_write
    assert not records[1].is_write
    assert control.requests("pve") == []


def test_the_control_surface_over_http(fresh_lab):
    session = requests.Session()
    endpoint = fresh_lab.pve
    session.mount("https://", _PinnedAdapter(endpoint.fingerprint))
    base, headers = f"{endpoint.url}/_lab", {"X-Lab-Token": endpoint.token_secret}
    assert (
        session.post(
            f"{base}/seed-vm", json={"vmid": 300, "node": "tappaas2"}, verify=False
        ).status_code
        == 401
    )
    answer = session.post(
        f"{base}/seed-vm", json={"vmid": 300, "node": "tappaas2"}, headers=headers, verify=False
    )
    assert answer.status_code == 200
    assert fresh_lab.control.vm(300).node == "tappaas2"
    bad = session.post(f"{base}/node-down", json={"node": "nope"}, headers=headers, verify=False)
    assert bad.status_code == 400 and "unknown node" in bad.json()["error"]
    session.post(f"{base}/node-down", json={"node": "tappaas3"}, headers=headers, verify=False)
    assert fresh_lab.control._pve.state.nodes["tappaas3"].online is False
    log = session.get(f"{base}/requests", headers=headers, verify=False).json()["data"]
    assert log == []
