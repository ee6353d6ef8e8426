"""The lab's guest agent, restores that take time, and what drills read (qemu-server sources).

Agent calls (``API2/Qemu/Agent.pm``) and their errors (``QemuServer/Agent.pm``
``assert_agent_available``); restores (``API2/Qemu.pm`` ``create_vm``, ``QemuServer.pm``
``restore_proxmox_backup_archive``/``pbs_live_restore``); ``GET /nodes/{node}/time``; task
lists (pve-manager ``API2/Tasks.pm``, proxmox-backup ``api2/node/tasks.rs``); the ``reader``
tasks a pull leaves on its source (proxmox-backup ``api2/reader/mod.rs``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lab.scenarios import SiteLab
from tappaas.client import ApiError, ArrayParam
from tappaas.pve.agent import AgentApi
from tappaas.pve.qemu import QemuApi, RestoreRequest
from tests.monitoring.labs import REALISTIC, client, site_lab, site_with

SITE = site_with()


@pytest.fixture(scope="module")
def configured() -> Iterator[SiteLab]:
    with site_lab(SITE, days=2, **REALISTIC) as running:
        yield running


def test_ping_exec_and_interfaces(configured: SiteLab) -> None:
    agent = AgentApi(client(configured.lab.pve))
    agent.ping("tappaas1", 340)
    pid = agent.exec("tappaas1", 340, ["systemctl", "is-active", "nextcloud"])
    status = agent.exec_status("tappaas1", 340, pid)
    assert (status.exited, status.exitcode, status.out) == (True, 0, "active\n")
    failing = agent.exec_status("tappaas1", 340, agent.exec("tappaas1", 340, ["false"]))
    assert failing.exitcode == 1
    assert agent.ipv4_addresses("tappaas1", 340) == ["10.0.1.84"]  # vmid 340 = 0x154


def test_the_command_is_an_array_of_repeated_keys(configured: SiteLab) -> None:
    pve = client(configured.lab.pve)
    data = pve.post("/nodes/tappaas1/qemu/340/agent/exec", command=ArrayParam(["true"]))
    assert isinstance(data["pid"], int)
    with pytest.raises(ApiError, match="command"):
        pve.post("/nodes/tappaas1/qemu/340/agent/exec")  # required


def test_agent_errors_as_qemu_server_words_them(configured: SiteLab) -> None:
    lab, agent = configured.lab, AgentApi(client(configured.lab.pve))
    lab.control.seed_vm(901, "tappaas3", "no-agent", config={"agent": "0"})
    with pytest.raises(ApiError, match="No QEMU guest agent configured") as raised:
        agent.ping("tappaas3", 901)
    assert raised.value.status == 500
    lab.control.seed_vm(902, "tappaas3", "stopped", status="stopped")
    with pytest.raises(ApiError, match="VM 902 is not running"):
        agent.ping("tappaas3", 902)


def test_a_full_restore_shows_the_locked_placeholder_until_its_disks_are_copied(
    configured: SiteLab,
) -> None:
    lab = configured.lab
    pve = client(lab.pve)
    qemu = QemuApi(pve)
    [backup] = [b for b in pve.get("/nodes/tappaas1/storage/tappaas_backup/content", vmid=110)][-1:]
    upid = qemu.start_restore(
        "tappaas1",
        RestoreRequest(vmid=9990, archive=backup["volid"], unique=True),
        {"net0": "virtio,bridge=vmbr99"},
    )
    assert pve.get("/nodes/tappaas1/qemu/9990/config")["memory"] == "128"
    assert qemu.current("tappaas1", 9990)["lock"] == "create"
    with pytest.raises(ApiError, match=r"VM is locked \(create\)"):
        qemu.start("tappaas1", 9990)
    assert pve.poll_task(upid) is None  # 32 GiB at 500 MiB/s: about 65 s
    lab.control.advance(seconds=66)
    assert pve.poll_task(upid) is not None
    config = pve.get("/nodes/tappaas1/qemu/9990/config")
    assert config["name"] == "firewall" and config["net0"].startswith("virtio=BC:24:11:")
    assert config["net0"].endswith(",bridge=vmbr99") and "lock" not in qemu.current(
        "tappaas1", 9990
    )
    qemu.destroy("tappaas1", 9990)


def test_stopping_a_live_restore_task_fails_it_and_unlocks_the_vm(configured: SiteLab) -> None:
    lab = configured.lab
    pve = client(lab.pve)
    qemu = QemuApi(pve)
    [backup] = pve.get("/nodes/tappaas2/storage/tappaas_backup/content", vmid=140)[-1:]
    request = RestoreRequest(vmid=9991, archive=backup["volid"], live_restore=True)
    upid = qemu.start_restore("tappaas2", request)
    assert qemu.current("tappaas2", 9991)["status"] == "running"
    pve.delete(f"/nodes/tappaas2/tasks/{upid}")
    assert "lock" not in qemu.current("tappaas2", 9991)
    assert qemu.current("tappaas2", 9991)["status"] == "stopped"
    qemu.destroy("tappaas2", 9991)


def test_extractconfig_time_and_memory(configured: SiteLab) -> None:
    lab = configured.lab
    pve = client(lab.pve)
    [backup] = pve.get("/nodes/tappaas1/storage/tappaas_backup/content", vmid=340)[-1:]
    text = pve.get("/nodes/tappaas1/vzdump/extractconfig", volume=backup["volid"])
    assert "name: nextcloud\n" in text and "agent: 1\n" in text
    assert pve.get("/nodes/tappaas1/time")["time"] == lab.control.now()
    memory = pve.get("/nodes/tappaas1/status")["memory"]
    running = 4 * 2048 * 1024**2  # firewall, tappaas-cicd, nextcloud, the probe helper
    assert memory["used"] == memory["total"] // 8 + running


def test_task_lists_filter_and_key_as_each_product_does(configured: SiteLab) -> None:
    lab = configured.lab
    pve, local = client(lab.pve), client(lab.pbs["local"])
    vzdump = pve.get("/nodes/tappaas1/tasks", typefilter="vzdump")
    assert vzdump and {t["type"] for t in vzdump} == {"vzdump"}
    assert {t["status"] for t in vzdump} == {"OK"} and all("endtime" in t for t in vzdump)
    assert pve.get("/nodes/tappaas1/tasks", typefilter="vzdum") == []  # PVE: exact type
    reads = local.get("/nodes/localhost/tasks", typefilter="read", userfilter="tappaas-peer")
    assert reads and {t["worker_type"] for t in reads} == {"reader"}
    assert {t["user"] for t in reads} == {"tappaas-peer@pbs!pull"}
    assert any(t["worker_id"].startswith("tappaas_backup:vm/340/") for t in reads)
    assert all(t["status"] == "OK" for t in reads)
