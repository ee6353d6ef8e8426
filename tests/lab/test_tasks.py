"""UPIDs in each product's exact format, and tasks that run for the configured time."""

from __future__ import annotations

import re
import time

import pytest
from proxmoxer import ResourceException

from lab.state.tasks import systemd_escape
from tests.lab.clients import client

PVE_UPID = re.compile(
    r"^UPID:([a-zA-Z0-9-]+):([0-9A-F]{8}):([0-9A-F]{8}):([0-9A-F]{8}):([^:\s]+):([^:\s]*):([^:\s]+):$"
)
PBS_UPID = re.compile(
    r"^UPID:(?P<node>[a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?):(?P<pid>[0-9A-Fa-f]{8}):(?P<pstart>[0-9A-Fa-f]{8,9}):"
    r"(?P<task_id>[0-9A-Fa-f]{8,16}):(?P<starttime>[0-9A-Fa-f]{8}):(?P<wtype>[^:\s]+):(?P<wid>[^:\s]*):(?P<authid>[^:\s]+):$"
)


def test_pve_upid_has_eight_fields(lab):
    api = client(lab.pve)
    disks = [d["devpath"] for d in api.nodes("tappaas3").disks.list.get() if "used" not in d]
    upid = api.nodes("tappaas3").disks.zfs.post(
        name="upidpool", raidlevel="single", devices=disks[0]
    )
    match = PVE_UPID.match(upid)
    assert match is not None
    assert (
        match.group(1) == "tappaas3"
        and match.group(5) == "zfscreate"
        and match.group(7) == "root@pam!tappaas"
    )
    assert abs(int(match.group(4), 16) - time.time()) < 60
    status = api.nodes("tappaas3").tasks(upid).status.get()
    assert (status["user"], status["tokenid"], status["exitstatus"]) == (
        "root@pam",
        "tappaas",
        "OK",
    )
    assert api.nodes("tappaas3").tasks(upid).log.get()[-1]["t"] == "TASK OK"


def test_pbs_upid_matches_the_official_pattern(lab, unique_name):
    api = client(lab.pbs["peer"])
    name = unique_name("ds")
    upid = api.config.datastore.post(name=name, path=f"/mnt/{name}")
    match = PBS_UPID.match(upid)
    assert match is not None
    assert (match["wtype"], match["wid"], match["authid"]) == (
        "create-datastore",
        name,
        "root@pam!tappaas",
    )
    assert api.nodes("localhost").tasks(upid).status.get()["user"] == "root@pam!tappaas"


def test_systemd_escaping():
    assert (
        systemd_escape("peer:site:tanka:a/b:job-1")
        == "peer\\x3asite\\x3atanka\\x3aa-b\\x3ajob\\x2d1"
    )
    assert systemd_escape(".hidden") == "\\x2ehidden"


def test_tasks_stay_running_for_task_seconds(lab_factory):
    slow = lab_factory(task_seconds=0.6, pbs=("local",))
    api = client(slow.pbs["local"])
    upid = api.config.datastore.post(name="slow", path="/mnt/slow")
    first = api.nodes("localhost").tasks(upid).status.get()
    assert first["status"] == "running" and "exitstatus" not in first
    time.sleep(0.8)
    final = api.nodes("localhost").tasks(upid).status.get()
    assert (final["status"], final["exitstatus"]) == ("stopped", "OK")


def test_a_failed_task_reports_its_error(lab):
    api = client(lab.pve)
    lab.control.seed_vm(950, "tappaas2", "already-up", disks={}, status="running")
    upid = api.nodes("tappaas2").qemu(950).status.start.post()
    status = api.nodes("tappaas2").tasks(upid).status.get()
    assert status["exitstatus"] == "VM 950 already running"
    with pytest.raises(ResourceException) as elsewhere:
        client(lab.pve).nodes("tappaas1").tasks(upid).status.get()
    assert elsewhere.value.content == f"no such task '{upid}'"
