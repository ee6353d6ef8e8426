"""PVE endpoints through proxmoxer: accepted calls work, rejected ones fail in PVE's shape."""

from __future__ import annotations

from typing import Any

import pytest
from proxmoxer import ResourceException

from tests.lab.clients import client, raw


def fails(call, *args, **kwargs) -> ResourceException:
    with pytest.raises(ResourceException) as caught:
        call(*args, **kwargs)
    return caught.value


def _zfs(api: Any, node: str, name: str) -> str:
    disks = [d["devpath"] for d in api.nodes(node).disks.list.get() if "used" not in d]
    return str(
        api.nodes(node).disks.zfs.post(
            name=name, raidlevel="mirror", devices=",".join(disks[:2]), add_storage=1
        )
    )


def test_version_status_nextid(lab):
    api = client(lab.pve)
    assert set(api.version.get()) == {"version", "release", "repoid"}
    assert [n["name"] for n in api.cluster.status.get() if n["type"] == "node"] == [
        "tappaas1",
        "tappaas2",
        "tappaas3",
    ]
    assert int(api.cluster.nextid.get()) >= 100


def test_zfs_pools_and_storage_on_two_nodes(fresh_lab):
    api = client(fresh_lab.pve)
    upid = _zfs(api, "tappaas1", "tanka")
    assert api.nodes("tappaas1").tasks(upid).status.get()["exitstatus"] == "OK"
    _zfs(api, "tappaas2", "tanka")
    assert api.storage("tanka").get()["nodes"] == "tappaas1,tappaas2"
    error = fails(
        api.nodes("tappaas1").disks.zfs.post,
        name="tankb",
        raidlevel="mirror",
        devices="/dev/sdb,/dev/sdd",
    )
    assert (error.status_code, error.content) == (500, "device '/dev/sdb' is already in use")
    error = fails(
        api.nodes("tappaas1").disks.zfs.post, name="tankb", raidlevel="mirror", devices="/dev/sdd"
    )
    assert error.content == "mirror needs at least 2 disks"
    error = fails(
        api.nodes("tappaas1").disks.zfs.post,
        name="tankb",
        raidlevel="mirror",
        devices="/dev/sdd,/dev/sde",
        ashift=20,
    )
    assert error.errors == {"ashift": "value must have a maximum value of 16"}


def test_replication_lifecycle_and_errors(fresh_lab):
    api = client(fresh_lab.pve)
    _zfs(api, "tappaas1", "tanka")
    fresh_lab.control.seed_vm(100, "tappaas1", "db")
    fresh_lab.control.seed_vm(
        101, "tappaas1", "web", disks={"scsi0": "local-lvm:vm-101-disk-0,size=8G"}
    )
    api.cluster.replication.post(
        id="100-0", target="tappaas2", type="local", schedule="*/15", rate=10
    )
    error = fails(api.cluster.replication.post, id="100-0", target="tappaas3", type="local")
    assert (error.status_code, error.content) == (500, "replication job '100-0' already exists")
    error = fails(api.cluster.replication.post, id="101-0", target="tappaas2", type="local")
    assert error.content == "missing replicate feature on volume 'local-lvm:vm-101-disk-0'"
    error = fails(
        api.cluster.replication.post, id="100-1", target="tappaas2", type="local", disable=True
    )
    assert error.errors == {"disable": "type check ('boolean') failed - got 'True'"}
    job = api.cluster.replication("100-0").get()
    assert (job["guest"], job["target"], job["rate"]) == (100, "tappaas2", 10.0)
    api.cluster.replication("100-0").put(comment="x", digest=job["digest"])
    error = fails(api.cluster.replication("100-0").put, comment="y", digest=job["digest"])
    assert (
        error.content == "detected modified configuration - file changed by other user? Try again."
    )
    error = fails(api.cluster.replication("100-0").put, delete="target")
    assert error.content == "unable to delete required option 'target'"
    api.cluster.replication("100-0").put(delete="comment")
    assert "comment" not in api.cluster.replication("100-0").get()
    api.cluster.replication("100-0").delete()
    assert api.cluster.replication("100-0").get()["remove_job"] == "full"


def test_ha_resources_rules_and_pve9_groups(fresh_lab):
    api = client(fresh_lab.pve)
    fresh_lab.control.seed_vm(100, "tappaas1")
    api.cluster.ha.resources.post(sid="vm:100", state="started", failback=0)
    error = fails(api.cluster.ha.resources.post, sid="100")
    assert error.content == "resource ID 'vm:100' already defined"
    error = fails(api.cluster.ha.resources.post, sid="vm:101", group="g1")
    assert error.content == "ha groups have been migrated to rules"
    assert fails(api.cluster.ha.groups.get).content == "ha groups have been migrated to rules"
    api.cluster.ha.rules.post(
        rule="db-home", type="node-affinity", resources="vm:100", nodes="tappaas1:2,tappaas2:1"
    )
    rule = api.cluster.ha.rules("db-home").get()
    assert rule["nodes"] == "tappaas1:2,tappaas2:1" and len(rule["digest"]) == 40
    status = {e["id"]: e for e in api.cluster.ha.status.current.get()}
    assert status["service:vm:100"]["max_restart"] == 1 and status["quorum"]["quorate"] == 1
    api.cluster.ha.resources("vm:100").delete()
    assert api.cluster.ha.rules.get() == []


def test_backup_jobs(fresh_lab):
    api = client(fresh_lab.pve)
    api.cluster.backup.post(
        id="daily",
        schedule="02:00",
        storage="pbs-local",
        all=1,
        mode="snapshot",
        **{"prune-backups": "keep-all=1", "notes-template": "{{guestname}}"},
    )
    assert api.cluster.backup("daily").get()["schedule"] == "02:00"
    error = fails(api.cluster.backup("nope").get)
    assert error.status_code == 400 and error.errors == {"id": "No such job 'nope'"}
    error = fails(
        api.cluster.backup.post,
        id="bad",
        schedule="02:00",
        vmid="100",
        **{"prune-backups": "keep-all=1,keep-daily=7"},
    )
    assert "keep-all cannot be set together with other options" in error.errors["prune-backups"]


def test_pbs_storage_secrets_are_never_returned(fresh_lab):
    api = client(fresh_lab.pve)
    pbs = fresh_lab.pbs["local"]
    created = api.storage.post(
        storage="pbs-local",
        type="pbs",
        server=pbs.host,
        port=pbs.port,
        datastore="tanka",
        username="backup@pbs!pve",
        password="s3cret",
        fingerprint=pbs.fingerprint,
        namespace="site1",
        **{"encryption-key": "autogen"},
    )
    assert "kdf" in created["config"]["encryption-key"]
    entry = api.storage("pbs-local").get()
    assert "password" not in entry and len(entry["encryption-key"].split(":")) == 32
    error = fails(
        api.storage.post, storage="pbs-local", type="pbs", server="x", datastore="y", username="z"
    )
    assert error.content == "create storage failed: storage ID 'pbs-local' already defined"
    error = fails(
        api.storage.post,
        storage="p2",
        type="pbs",
        server="x",
        datastore="y",
        username="z",
        fingerprint="AB:CD",
    )
    assert error.errors == {"fingerprint": "value does not match the regex pattern"}
    records = fresh_lab.control.requests("pve")
    assert all(r.params.get("password") in (None, "**********") for r in records)


def test_restore_from_pbs_archive(fresh_lab):
    control, api = fresh_lab.control, client(fresh_lab.pve)
    pbs_api = client(fresh_lab.pbs["local"])
    pbs_api.config.datastore.post(name="tanka", path="/mnt/tanka")
    control.create_namespace("local", "tanka", "site1")
    seeded = control.seed_snapshot(
        "local",
        "tanka",
        backup_id="100",
        time=1_736_992_804,
        ns="site1",
        config={
            "name": "db",
            "memory": "4096",
            "scsi0": "tanka:vm-100-disk-0,size=16G",
            "net0": "virtio=BC:24:11:00:00:01,bridge=vmbr0",
        },
    )
    assert seeded["backup-time"] == 1_736_992_804
    pbs = fresh_lab.pbs["local"]
    api.storage.post(
        storage="pbs-local",
        type="pbs",
        server=pbs.host,
        port=pbs.port,
        datastore="tanka",
        username="root@pam",
        password="x",
        namespace="site1",
    )
    _zfs(api, "tappaas2", "tankb")
    volid = "pbs-local:backup/vm/100/2025-01-16T02:00:04Z"
    assert [c["volid"] for c in api.nodes("tappaas2").storage("pbs-local").content.get()] == [volid]
    failed = api.nodes("tappaas2").qemu.post(vmid=200, archive=volid, storage="tankb")
    status = api.nodes("tappaas2").tasks(failed).status.get()
    assert (
        status["exitstatus"]
        == "unable to restore VM 200 - missing key - manifest was created with key unknown"
    )
    api.storage("pbs-local").put(**{"encryption-key": "autogen"})
    upid = api.nodes("tappaas2").qemu.post(
        vmid=200, archive=volid, storage="tankb", unique=1, **{"live-restore": 1}
    )
    assert upid.split(":")[5:7] == ["qmrestore", "200"]
    config = api.nodes("tappaas2").qemu(200).config.get()
    assert config["scsi0"].startswith("tankb:vm-200-disk-0") and config["memory"] == "4096"
    assert "BC:24:11:00:00:01" not in config["net0"]
    assert api.nodes("tappaas2").qemu(200).status.current.get()["status"] == "running"
    error = fails(api.nodes("tappaas1").qemu(200).config.get)
    assert (
        error.content == "Configuration file 'nodes/tappaas1/qemu-server/200.conf' does not exist"
    )
    error = fails(api.nodes("tappaas2").qemu(200).delete)
    assert error.content == "VM 200 is running - destroy failed"
    api.nodes("tappaas2").qemu(200).status.stop.post()
    api.nodes("tappaas2").qemu(200).delete(purge=1)


def test_error_answers_close_the_connection_and_carry_the_message(lab):
    response = raw(
        lab.pve,
        "POST",
        "/cluster/replication",
        data={"id": "1-0", "target": "tappaas2", "type": "local"},
    )
    assert response.status_code == 400 and response.reason == "Parameter verification failed."
    assert response.headers["Connection"] == "close"
    body = response.json()
    assert body["data"] is None and body["message"] == "Parameter verification failed.\n"
    assert body["errors"]["id"].startswith("invalid format - ")


def test_node_down_and_quorum(fresh_lab):
    api = client(fresh_lab.pve)
    fresh_lab.control.node_down("tappaas3")
    assert fails(api.nodes("tappaas3").qemu.get).status_code == 595
    assert {n["node"]: n["status"] for n in api.nodes.get()}["tappaas3"] == "offline"
    api.cluster.backup.post(id="still-quorate", schedule="02:00", all=1)
    fresh_lab.control.node_down("tappaas2")
    error = fails(api.cluster.backup.post, id="no-quorum", schedule="02:00", all=1)
    assert error.content == "cluster not ready - no quorum?"
    fresh_lab.control.node_up("tappaas2")
    fresh_lab.control.node_up("tappaas3")
    assert api.nodes("tappaas3").qemu.get() == []


def test_permission_check_failed_for_an_unprivileged_token(fresh_lab):
    api = client(fresh_lab.pve)
    api.access.users.post(userid="auditor@pve")
    token = api.access.users("auditor@pve").token("ro").post(privsep=0)
    limited = client(fresh_lab.pve, token_id="auditor@pve!ro", token_secret=token["value"])
    error = fails(limited.cluster.backup.post, id="x", schedule="02:00", all=1)
    assert (error.status_code, error.content) == (403, "Permission check failed (/, Sys.Modify)")
    api.access.acl.put(path="/", roles="PVEAuditor", users="auditor@pve")
    assert limited.cluster.backup.get() == []
