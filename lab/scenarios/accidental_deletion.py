"""Scenario "accidental-deletion": a VM is deleted; its latest backup restores through the API.

After three days of backups an operator stops and destroys a service's VM (with ``purge``:
its HA resource and replication job go too). The latest backup of it is found in the PBS
storage's content (``GET /nodes/{node}/storage/{storage}/content?vmid=``) and restored with
``POST /nodes/{node}/qemu`` (``archive``), started, and checked: the VM is back with its
name and configuration; what it lost is what was written since that backup.
"""

from __future__ import annotations

from typing import Any

from lab.scenarios.client import api
from lab.scenarios.common import DAY, at_day, run_days, wait_task
from lab.scenarios.result import ScenarioResult
from lab.scenarios.site import SiteLab
from lab.sim.clock import iso
from tappaas.model import SiteConfig

NAME = "accidental-deletion"
TITLE = "A VM is deleted by mistake and restored from its latest backup, through the API"
DEFAULT_SERVICE = "nextcloud"
DAYS_BEFORE = 3
DELETE_CLOCK = "14:00"
HA_ROUND_WAIT = 30


def victim(site: SiteConfig) -> str | None:
    """The service whose VM is deleted: nextcloud (the prod example's), else the first one
    that is backed up."""
    backed_up = [name for name, service in site.services.items() if service.backup.enabled]
    return DEFAULT_SERVICE if DEFAULT_SERVICE in backed_up else next(iter(backed_up), None)


def needs(site: SiteConfig, _: SiteConfig) -> list[str]:
    """A service with backups to delete and restore."""
    return [] if victim(site) is not None else ["a service that is backed up"]


def play(s: SiteLab, service_name: str | None = None) -> ScenarioResult:
    """Delete ``service_name``'s VM (default: ``victim``) on day 3 at 14:00, then restore it."""
    assert s.site.backup is not None
    service_name = service_name or victim(s.site)
    assert service_name is not None
    result = ScenarioResult(NAME, TITLE)
    control, pve = s.lab.control, api(s.lab.pve)
    service = s.site.services[service_name]
    vmid, storage = service.vmid, s.site.backup.pbs.storage_id
    deleted_at = at_day(s, DAYS_BEFORE, DELETE_CLOCK)
    run_days(s, result, deleted_at)
    node = _node_of(pve, vmid)
    if node is None:
        raise RuntimeError(f"VM {vmid} ({service_name}) is on no online node")
    config = pve.nodes(node).qemu(vmid).config.get()
    pve.nodes(node).qemu(vmid).status.stop.post()
    result.say(deleted_at, f"VM {vmid} ({service_name}) on {node}: stop (an HA request)")
    control.run_until(deleted_at + HA_ROUND_WAIT)
    upid = pve.nodes(node).qemu(vmid).delete(purge=1)
    gone = wait_task(pve, node, upid)["exitstatus"] == "OK" and _node_of(pve, vmid) is None
    result.say(control.now(), f"VM {vmid} destroyed with purge (HA resource, replication job)")
    result.check("the VM is gone", gone, f"VM {vmid} no longer listed on any node")
    backups = [
        item
        for item in pve.nodes(node).storage(storage).content.get(vmid=vmid)
        if item.get("content") == "backup"
    ]
    latest = max(backups, key=lambda item: int(item["ctime"]))
    restore_at = control.now()
    result.say(restore_at, f"latest backup: {latest['volid']} ({len(backups)} in {storage})")
    upid = pve.nodes(node).qemu.post(
        vmid=vmid, archive=latest["volid"], storage=service.pool, start=1
    )
    status = wait_task(pve, node, upid)
    restored = pve.nodes(node).qemu(vmid).config.get()
    running = pve.nodes(node).qemu(vmid).status.current.get()["status"]
    result.say(restore_at, f"restore task: {status['exitstatus']}; VM {vmid} is {running}")
    result.events(e for e in control.journal(since=deleted_at - DAY) if e.kind in ("backup", "ha"))
    result.check(
        "the latest backup restores through the API",
        status["exitstatus"] == "OK"
        and running == "running"
        and restored.get("name") == config.get("name") == service_name,
        f"{latest['volid']} -> VM {vmid} '{restored.get('name')}' {running}; writes since "
        f"{iso(int(latest['ctime']))} lost ({(deleted_at - int(latest['ctime'])) // 3600} h)",
    )
    return result


def _node_of(pve: Any, vmid: int) -> str | None:
    """The online node listing VM ``vmid``, if any."""
    for node in pve.nodes.get():
        if node["status"] == "online" and any(
            v["vmid"] == vmid for v in pve.nodes(node["node"]).qemu.get()
        ):
            return str(node["node"])
    return None
