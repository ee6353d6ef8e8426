"""PVE over time, through the API: vzdump jobs, replication, HA recovery, maintenance,
shutdown policies, HA requests, and failing disks."""

from __future__ import annotations

from typing import Any

import pytest

from lab import Lab
from lab.behaviour.vzdump import unreachable_storage_error
from lab.sim.clock import iso
from tests.fixtures.lab import SIMULATED_START
from tests.lab.clients import client

MINUTE, DAY = 60, 86400


def _site(lab: Lab) -> Any:
    """Mirrored pool ``tanka`` on tappaas1 and 2; VMs 100, 101 on tappaas1 and 200 on 2."""
    pve = client(lab.pve)
    for node in ("tappaas1", "tappaas2"):
        pve.nodes(node).disks.zfs.post(
            name="tanka", raidlevel="mirror", devices="/dev/sdb,/dev/sdc"
        )
    pve.storage.post(
        storage="tanka", type="zfspool", pool="tanka", nodes="tappaas1,tappaas2",
        content="images,rootdir",
    )  # fmt: skip
    for vmid, node, name in ((100, "tappaas1", "db"), (101, "tappaas1", "web"),
                             (200, "tappaas2", "mail")):  # fmt: skip
        lab.control.seed_vm(vmid, node, name, disks={"scsi0": f"tanka:vm-{vmid}-disk-0,size=8G"})
    return pve


def _pbs_storage(lab: Lab, pve: Any) -> None:
    """Datastore ``store`` on the local PBS, written by PVE with a DatastoreBackup token."""
    pbs = client(lab.pbs["local"])
    pbs.config.datastore.post(name="store", path="/mnt/store")
    pbs.access.users.post(userid="pve@pbs")
    secret = pbs.access.users("pve@pbs").token("backup").post()["value"]
    for who in ("pve@pbs", "pve@pbs!backup"):
        pbs.access.acl.put(path="/datastore/store", role="DatastoreBackup", **{"auth-id": who})
    endpoint = lab.pbs["local"]
    pve.storage.post(
        storage="pbs", type="pbs", server=endpoint.host, port=endpoint.port, datastore="store",
        username="pve@pbs!backup", password=secret, fingerprint=endpoint.fingerprint,
        **{"encryption-key": "autogen"},
    )  # fmt: skip


def _log(api: Any, node: str, upid: str) -> list[str]:
    return [line["t"] for line in api.nodes(node).tasks(upid).log.get()]


def test_a_vzdump_job_backs_up_each_nodes_guests_in_ascending_order(simulated_lab):
    lab = simulated_lab
    pve = _site(lab)
    _pbs_storage(lab, pve)
    pve.cluster.backup.post(
        id="daily", schedule="02:00", storage="pbs", all=1, mode="snapshot",
        **{"notes-template": "{{guestname}} on {{node}}", "prune-backups": "keep-all=1"},
    )  # fmt: skip
    lab.control.advance(hours=3)
    snapshots = {
        (s["backup-id"], s["backup-time"]): s for s in lab.control.snapshots("local", "store")
    }
    times = {backup_id: time for backup_id, time in snapshots}
    assert iso(times["100"]) == "2025-01-01T02:00:04Z" and times["101"] > times["100"]
    assert iso(times["200"]) == "2025-01-01T02:00:04Z"  # its own node's run
    first = snapshots[("100", times["100"])]
    assert first["comment"] == "db on tappaas1" and first["owner"] == "pve@pbs!backup"
    assert {f["crypt-mode"] for f in first["files"]} >= {"encrypt"}
    [task] = [t for t in pve.nodes("tappaas1").tasks.get() if t["type"] == "vzdump"]
    assert task["status"] == "OK" and task["user"] == "root@pam"
    log = _log(pve, "tappaas1", task["upid"])
    assert log.index("INFO: Starting Backup of VM 100 (qemu)") < log.index(
        "INFO: Starting Backup of VM 101 (qemu)"
    )
    volids = [c["volid"] for c in pve.nodes("tappaas1").storage("pbs").content.get(vmid=100)]
    assert volids == ["pbs:backup/vm/100/2025-01-01T02:00:04Z"]
    lab.control.advance(days=1)
    assert len(lab.control.snapshots("local", "store")) == 6  # keep-all: nothing pruned


def test_an_unreachable_pbs_fails_the_run_with_pves_message_and_writes_nothing(simulated_lab):
    lab = simulated_lab
    pve = _site(lab)
    _pbs_storage(lab, pve)
    pve.cluster.backup.post(id="daily", schedule="02:00", storage="pbs", vmid="100,200")
    lab.control.disconnect("local")
    upids = lab.control.run_job("vzdump", "daily")
    endpoint = lab.pbs["local"]
    expected = unreachable_storage_error("pbs", endpoint.host, endpoint.port)
    for node, upid in zip(("tappaas1", "tappaas2"), upids, strict=True):
        assert pve.nodes(node).tasks(upid).status.get()["exitstatus"] == expected
    lab.control.reconnect("local")
    assert lab.control.snapshots("local", "store") == []
    upid = pve.nodes("tappaas1").vzdump.post(vmid="100", storage="pbs")  # backup now
    assert pve.nodes("tappaas1").tasks(upid).status.get()["exitstatus"] == "OK"
    assert [s["backup-id"] for s in lab.control.snapshots("local", "store")] == ["100"]


def test_a_backup_token_without_prune_rights_cannot_prune_after_the_backup(simulated_lab):
    lab = simulated_lab
    pve = _site(lab)
    _pbs_storage(lab, pve)
    upid = pve.nodes("tappaas1").vzdump.post(
        vmid="100", storage="pbs", **{"prune-backups": "keep-last=1"}
    )
    log = _log(pve, "tappaas1", upid)
    assert "ERROR: prune older backups of vm/100 failed - permission check failed" in log


def test_replication_runs_full_then_incremental_and_waits_for_an_offline_target(simulated_lab):
    lab = simulated_lab
    pve = _site(lab)
    pve.cluster.replication.post(id="100-0", target="tappaas2", type="local", schedule="*/15")
    status = pve.nodes("tappaas1").replication("100-0").status.get()
    assert (status["last_sync"], status["fail_count"]) == (SIMULATED_START, 0)
    assert status["next_sync"] == SIMULATED_START + 15 * MINUTE and status["duration"] > 2
    assert any("full sync" in t["t"] for t in pve.nodes("tappaas1").replication("100-0").log.get())
    lab.control.advance(minutes=15)
    log = [t["t"] for t in pve.nodes("tappaas1").replication("100-0").log.get()]
    assert any("incremental sync 'tanka:vm-100-disk-0'" in line for line in log)
    assert log[0].startswith("2025-01-01 00:15:00 100-0: start replication job")
    lab.control.advance(minutes=5)
    lab.control.node_down("tappaas2")
    lab.control.advance(minutes=10)  # the 00:30 run fails
    failing = pve.nodes("tappaas1").replication("100-0").status.get()
    assert failing["fail_count"] == 1 and failing["next_sync"] == 0
    assert failing["last_sync"] == SIMULATED_START + 15 * MINUTE
    assert "pvesr prepare-local-job 100-0" in failing["error"]
    lab.control.advance(hours=1)
    assert pve.nodes("tappaas1").replication("100-0").status.get()["fail_count"] == 1
    lab.control.node_up("tappaas2")  # retried 5 minutes after the failed try: overdue, now
    lab.control.advance(minutes=1)
    recovered = pve.nodes("tappaas1").replication("100-0").status.get()
    assert recovered["fail_count"] == 0 and "error" not in recovered
    assert recovered["last_sync"] == SIMULATED_START + 90 * MINUTE
    assert [j["id"] for j in pve.nodes("tappaas2").replication.get()] == []


def test_schedule_now_runs_at_the_next_minute_and_a_deleted_job_goes_at_the_next_pass(
    simulated_lab,
):
    lab = simulated_lab
    pve = _site(lab)
    pve.cluster.replication.post(id="100-0", target="tappaas2", type="local", schedule="02:00")
    lab.control.advance(seconds=90)
    pve.nodes("tappaas1").replication("100-0").schedule_now.post()
    lab.control.advance(seconds=30)
    assert pve.nodes("tappaas1").replication("100-0").status.get()["last_sync"] == (
        SIMULATED_START + 2 * MINUTE
    )
    pve.cluster.replication("100-0").delete()
    assert pve.cluster.replication("100-0").get()["remove_job"] == "full"
    lab.control.advance(minutes=1)
    assert pve.cluster.replication.get() == []


def test_migrating_a_guest_replicates_first_then_flips_its_job(simulated_lab):
    lab = simulated_lab
    pve = _site(lab)
    pve.cluster.replication.post(id="100-0", target="tappaas2", type="local")
    lab.control.advance(minutes=7)
    upid = pve.nodes("tappaas1").qemu(100).migrate.post(target="tappaas2")
    assert pve.nodes("tappaas1").tasks(upid).status.get()["exitstatus"] == "OK"
    assert lab.control.vm(100).node == "tappaas2"
    job = pve.cluster.replication("100-0").get()
    assert (job["source"], job["target"]) == ("tappaas2", "tappaas1")
    status = pve.nodes("tappaas2").replication("100-0").status.get()
    assert status["last_sync"] == SIMULATED_START + 7 * MINUTE  # the run before the move


def _ha(pve: Any, vmid: int, home: str, failover: str) -> None:
    pve.cluster.ha.resources.post(sid=f"vm:{vmid}", state="started")
    pve.cluster.ha.rules.post(
        rule=f"r{vmid}",
        type="node-affinity",
        resources=f"vm:{vmid}",
        nodes=f"{home}:2,{failover}:1",
    )


def _services(pve: Any) -> dict[str, dict[str, Any]]:
    return {e["sid"]: e for e in pve.cluster.ha.status.current.get() if e["type"] == "service"}


def test_ha_recovers_a_failed_nodes_services_on_their_failover_node(simulated_lab):
    lab = simulated_lab
    pve = _site(lab)
    _ha(pve, 100, "tappaas1", "tappaas2")
    pve.cluster.replication.post(id="100-0", target="tappaas2", type="local")
    lab.control.advance(minutes=20)
    assert _services(pve)["vm:100"]["state"] == "started"
    lost_at = lab.control.now()
    lab.control.node_down("tappaas1")
    lab.control.advance(seconds=60)
    current = {e["id"]: e for e in pve.cluster.ha.status.current.get()}
    assert current["service:vm:100"]["crm_state"] == "fence"
    assert "old timestamp - dead?" in current["lrm:tappaas1"]["status"]
    lab.control.advance(seconds=90)
    service = _services(pve)["vm:100"]
    assert (service["node"], service["state"]) == ("tappaas2", "started")
    assert pve.nodes("tappaas2").qemu(100).status.current.get()["status"] == "running"
    [recovery] = lab.control.recoveries()
    assert recovery.to_node == "tappaas2" and recovery.lost_at == lost_at
    assert recovery.data_loss_seconds == lost_at - (SIMULATED_START + 15 * MINUTE)
    lab.control.node_up("tappaas1")
    lab.control.advance(minutes=2)
    assert _services(pve)["vm:100"]["node"] == "tappaas1"  # failback


def test_maintenance_mode_moves_services_away_and_back(simulated_lab):
    lab = simulated_lab
    pve = _site(lab)
    _ha(pve, 100, "tappaas1", "tappaas2")
    lab.control.advance(seconds=20)
    lab.control.maintenance("tappaas1")
    lab.control.advance(seconds=30)
    current = {e["id"]: e for e in pve.cluster.ha.status.current.get()}
    assert current["service:vm:100"]["node"] == "tappaas2"
    assert "maintenance mode" in current["lrm:tappaas1"]["status"]
    lab.control.maintenance("tappaas1", enable=False)
    lab.control.advance(seconds=30)
    assert _services(pve)["vm:100"]["node"] == "tappaas1"


@pytest.mark.parametrize(
    ("policy", "while_down"),
    [("migrate", "tappaas2"), ("freeze", "tappaas1"), ("failover", "tappaas2")],
)
def test_a_reboot_follows_the_ha_shutdown_policy(simulated_lab, policy, while_down):
    lab = simulated_lab
    pve = _site(lab)
    pve.cluster.options.put(ha=f"shutdown_policy={policy}")
    _ha(pve, 100, "tappaas1", "tappaas2")
    pve.cluster.replication.post(id="100-0", target="tappaas2", type="local")
    lab.control.advance(seconds=20)
    pve.nodes("tappaas1").status.post(command="reboot")
    lab.control.advance(seconds=100)
    assert {n["node"]: n for n in pve.nodes.get()}["tappaas1"]["status"] == "offline"
    service = _services(pve)["vm:100"]
    assert service["node"] == while_down
    if policy == "freeze":
        assert service["state"] == "freeze"
    lab.control.advance(minutes=3)  # back after 120 s; failback or unfreeze
    service = _services(pve)["vm:100"]
    assert (service["node"], service["state"]) == ("tappaas1", "started")


def test_power_requests_for_an_ha_guest_go_through_ha(simulated_lab):
    lab = simulated_lab
    pve = _site(lab)
    _ha(pve, 100, "tappaas1", "tappaas2")
    lab.control.advance(seconds=20)
    upid = pve.nodes("tappaas1").qemu(100).status.stop.post()
    assert upid.split(":")[5] == "hastop"
    assert lab.control.vm(100).status == "running"  # only requested
    lab.control.advance(seconds=20)
    assert lab.control.vm(100).status == "stopped"
    assert pve.cluster.ha.resources("vm:100").get()["state"] == "stopped"
    assert _services(pve)["vm:100"]["state"] == "stopped"


def test_a_mirror_keeps_serving_a_single_failure_and_a_lost_pool_takes_its_guests(
    simulated_lab,
):
    lab = simulated_lab
    pve = _site(lab)
    _pbs_storage(lab, pve)
    assert lab.control.fail_disk("tappaas1", "/dev/sdb") == "DEGRADED"
    assert pve.nodes("tappaas1").disks.zfs("tanka").get()["state"] == "DEGRADED"
    assert pve.nodes("tappaas1").qemu(100).status.current.get()["qmpstatus"] == "running"
    assert lab.control.fail_disk("tappaas1", "/dev/sdc") == "FAULTED"
    assert pve.nodes("tappaas1").qemu(100).status.current.get()["qmpstatus"] == "io-error"
    upid = pve.nodes("tappaas1").vzdump.post(vmid="100", storage="pbs")
    log = _log(pve, "tappaas1", upid)
    assert pve.nodes("tappaas1").tasks(upid).status.get()["exitstatus"] == "job errors"
    assert "ERROR: Backup of VM 100 failed - volume 'tanka:vm-100-disk-0' does not exist" in log
    assert {d["devpath"]: d["health"] for d in pve.nodes("tappaas1").disks.list.get()}[
        "/dev/sdc"
    ] == "FAILED"


def test_ransomware_with_a_backup_token_deletes_nothing_an_admin_deletes_all(simulated_lab):
    lab = simulated_lab
    pve = _site(lab)
    _pbs_storage(lab, pve)
    pve.nodes("tappaas1").vzdump.post(vmid="100", storage="pbs")
    token = lab.world.pve.storage_secrets["pbs"].password
    report = lab.control.ransomware(pbs={"local": ("pve@pbs!backup", token or "")})
    assert report.allowed == [] and report.denied
    assert len(lab.control.snapshots("local", "store")) == 1
    admin = lab.pbs["local"]
    report = lab.control.ransomware(
        pve=(lab.pve.token_id, lab.pve.token_secret),
        pbs={"local": (admin.token_id, admin.token_secret)},
    )
    assert report.denied == [] and "local: DELETE /config/datastore/store" in report.allowed
    assert lab.control.vm(100) is None and client(admin).config.datastore.get() == []


def test_without_quorum_ha_waits_and_recovers_once_quorum_returns(simulated_lab):
    lab = simulated_lab
    pve = _site(lab)
    _ha(pve, 100, "tappaas1", "tappaas2")
    lab.control.advance(seconds=20)
    lab.control.node_down("tappaas1")
    lab.control.node_down("tappaas3")  # one node of three left: no quorum
    moved = lab.control.advance(hours=6)
    assert moved["runs"] < 100  # nothing spins while HA cannot act
    assert _services(pve)["vm:100"]["node"] == "tappaas1"
    lab.control.node_up("tappaas3")
    lab.control.advance(minutes=3)
    assert (_services(pve)["vm:100"]["node"], _services(pve)["vm:100"]["state"]) == (
        "tappaas2",
        "started",
    )


def test_failing_replication_backs_off_5_10_15_then_30_minutes(simulated_lab):
    lab = simulated_lab
    pve = _site(lab)
    pve.cluster.replication.post(id="100-0", target="tappaas2", type="local")
    lab.control.advance(minutes=1)
    for disk in ("/dev/sdb", "/dev/sdc"):  # the source pool is lost with its snapshots
        lab.control.fail_disk("tappaas1", disk)
    lab.control.advance(minutes=14)  # the 00:15 run finds no common base snapshot
    waits = []
    for _ in range(4):
        status = pve.nodes("tappaas1").replication("100-0").status.get()
        assert "No common base snapshot" in status["error"]
        waits.append((status["fail_count"], (status["next_sync"] - status["last_try"]) // MINUTE))
        lab.control.run_until(status["next_sync"])
    assert waits == [(1, 5), (2, 10), (3, 15), (4, 30)]


@pytest.mark.parametrize(("repeat_missed", "runs_after_boot"), [(0, 0), (1, 1)])
def test_a_node_that_was_down_at_backup_time_runs_the_job_only_with_repeat_missed(
    simulated_lab, repeat_missed, runs_after_boot
):
    lab = simulated_lab
    pve = _site(lab)
    _pbs_storage(lab, pve)
    pve.cluster.backup.post(
        id="daily", schedule="02:00", storage="pbs", vmid="100,200",
        **{"repeat-missed": repeat_missed},
    )  # fmt: skip
    lab.control.node_down("tappaas1")
    lab.control.advance(hours=6)
    lab.control.node_up("tappaas1")
    lab.control.advance(minutes=5)
    ids = [s["backup-id"] for s in lab.control.snapshots("local", "store")]
    assert ids.count("200") == 1 and ids.count("100") == runs_after_boot


def test_verify_new_verifies_each_backup_as_it_finishes(simulated_lab):
    lab = simulated_lab
    pve = _site(lab)
    _pbs_storage(lab, pve)
    client(lab.pbs["local"]).config.datastore("store").put(**{"verify-new": 1})
    pve.nodes("tappaas1").vzdump.post(vmid="100", storage="pbs")
    [snapshot] = lab.control.snapshots("local", "store")
    assert snapshot["verification"]["state"] == "ok"
    verify_task = snapshot["verification"]["upid"].split(":")
    assert verify_task[6] == "verify" and verify_task[8] == "pve@pbs!backup"
