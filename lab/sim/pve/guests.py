"""Restores that take time, guests that boot, and what their agents can reach.

``begin_restore`` turns a ``qmrestore`` into a ``PendingRestore`` ending when its disks are
copied (``behaviour.guest.GuestTiming``): a full restore leaves PVE's placeholder config
(``memory: 128``, ``lock: create``) until then; a live one writes the final config at once,
keeps ``lock: create`` and runs the VM while its disks stream (qemu-server
``restore_proxmox_backup_archive``, ``pbs_live_restore``). ``RestoreCompletion`` ends it:
the config is written and the lock removed, or — from a snapshot missing chunks — the task
fails, a full restore's disks are freed ("VM state is NOT cleaned up": the placeholder stays)
and a live-restored VM is stopped.

An agent answers once its VM runs and ``booted_at`` has passed, unless the guest is broken
(``QemuServer/Agent.pm`` ``assert_agent_available`` texts). A guest's address is its
``ipconfig0`` ``ip=`` if set, else one derived from the vmid it was backed up from, so a
restored copy keeps the original's address, as a static address inside its disk would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lab.sim.content import disk_bytes
from lab.sim.world import World
from lab.state.pve import PendingRestore, Vm

PLACEHOLDER_CONFIG = {"memory": "128"}
"""What PVE writes while a full restore copies the disks (``file_set_contents``)."""
RESTORE_LOCK = "create"
LIVE_RESTORE_FAILED = "live-restore failed"
AGENT_NOT_CONFIGURED = "No QEMU guest agent configured"
AGENT_NOT_RUNNING = "QEMU guest agent is not running"
_IP = re.compile(r"(?:^|,)ip=([0-9.]+)")
_NIC = re.compile(r"^net\d+$")


def pbs_restore_failed(volid: str, chunk_hint: str) -> str:
    """A full restore reading a chunk that is gone (``pbs-restore`` run by ``run_command``)."""
    return (
        f"command '/usr/bin/pbs-restore {volid} drive-scsi0.img.fidx' failed: exit code 255 "
        f"(unable to load chunk '{chunk_hint}' - No such file or directory (os error 2))"
    )


def begin_restore(
    world: World, vm: Vm, config: dict[str, str], *, live: bool, start: bool, error: str | None
) -> float:
    """Put ``vm`` into its restoring state; returns how long the restore task runs."""
    now = world.now()
    vm.config = dict(config)
    seconds = world.guest_timing.restore_seconds(disk_bytes(vm))
    vm.lock = RESTORE_LOCK
    if live:
        vm.status = "running"
        boot_guest(world, vm, live=True)
    else:
        vm.config = dict(PLACEHOLDER_CONFIG)
        vm.status = "stopped"
    ends_at = now + round(seconds)
    vm.restore = PendingRestore(ends_at, dict(config), live=live, start=start, error=error)
    if seconds <= 0:
        finish_restore(world, vm)
    else:
        world.changed()
    return seconds


def finish_restore(world: World, vm: Vm) -> None:
    """The restore task ends: success writes the config; a failure cleans up as PVE does."""
    pending = vm.restore
    if pending is None:
        return
    vm.restore = None
    vm.lock = None
    if pending.error is not None:
        if pending.live:
            vm.status = "stopped"
        else:
            for volid in Vm(vm.vmid, vm.node, config=pending.config).volumes():
                world.pve.volumes.pop(volid, None)
        world.note(f"pve/{vm.node}", "restore", f"VM {vm.vmid}: {pending.error}")
        return
    vm.config = dict(pending.config)
    if not pending.live and pending.start:
        vm.status = "running"
        boot_guest(world, vm, live=False)
    world.note(f"pve/{vm.node}", "restore", f"VM {vm.vmid} restored")


def abort_restore(world: World, vmid: int, error: str) -> None:
    """The restore task of ``vmid`` was stopped: it ends now, failed."""
    vm = world.pve.vms.get(vmid)
    if vm is not None and vm.restore is not None:
        vm.restore.error = error
        finish_restore(world, vm)
        world.changed()


def boot_guest(world: World, vm: Vm, *, live: bool) -> None:
    """The VM was started now: its agent answers after the boot time."""
    vm.booted_at = world.now() + round(world.guest_timing.boot(disk_bytes(vm), live))


def guest_up(world: World, vm: Vm) -> bool:
    """The VM runs and its guest has booted (and can: its disks are whole)."""
    booted = vm.booted_at is None or world.now() >= vm.booted_at
    return vm.status == "running" and vm.broken is None and not vm.io_error and booted


def agent_problem(world: World, vm: Vm) -> str | None:
    """Why the agent does not answer now, or None."""
    if "agent" not in vm.config or str(vm.config["agent"]).split(",")[0] in ("0", "enabled=0"):
        return AGENT_NOT_CONFIGURED
    if vm.status != "running":
        return f"VM {vm.vmid} is not running"
    return None if guest_up(world, vm) else AGENT_NOT_RUNNING


def guest_address(vm: Vm) -> str:
    """The guest's IPv4 address (see the module docstring)."""
    match = _IP.search(str(vm.config.get("ipconfig0", "")))
    if match:
        return match.group(1)
    origin = vm.origin or vm.vmid
    return f"10.{(origin >> 16) & 255}.{(origin >> 8) & 255}.{origin & 255 or 1}"


@dataclass(frozen=True)
class Segment:
    """A network segment: a bridge and an optional VLAN tag, plugged in or not."""

    bridge: str
    tag: str | None


def segments(vm: Vm) -> set[Segment]:
    """The segments the VM's NICs are plugged into (``link_down=1`` NICs are not)."""
    out = set()
    for key, value in vm.config.items():
        if not _NIC.match(key):
            continue
        options = dict(p.split("=", 1) for p in str(value).split(",")[1:] if "=" in p)
        if options.get("link_down") == "1" or "bridge" not in options:
            continue
        out.add(Segment(options["bridge"], options.get("tag")))
    return out


def reachable(world: World, source: Vm, host: str) -> bool:
    """Whether a guest at ``host`` answers ``source`` over a shared segment."""
    mine = segments(source)
    return any(
        vm is not source
        and guest_address(vm) == host
        and bool(mine & segments(vm))
        and guest_up(world, vm)
        for vm in world.pve.vms.values()
    )


@dataclass(frozen=True)
class RestoreCompletion:
    """The end of one running restore (an engine activity)."""

    world: World
    vmid: int

    @property
    def key(self) -> str:
        return f"pve/restore/{self.vmid}"

    def next_due(self, now: int) -> int | None:
        vm = self.world.pve.vms.get(self.vmid)
        if vm is None or vm.restore is None:
            return None
        return max(vm.restore.ends_at, now)

    def run(self, at: int) -> None:
        vm = self.world.pve.vms.get(self.vmid)
        if vm is not None:
            finish_restore(self.world, vm)
