"""PVE backup jobs (vzdump): which guests a node backs up, in what order, named and noted how.

Every node runs a job from ``jobs.cfg`` (only the named node if ``node`` is set) as one task
that backs up **its own** guests of the selection — ``all`` minus ``exclude``, a ``vmid``
list, or a pool's members — one after the other in ascending VMID (pve-manager VZDump.pm
``get_included_guests``, ``exec_backup``). Each guest's backup time is taken when its backup
starts, so the snapshots of one run differ in time. Notes come from ``notes-template``
(variables ``{{cluster}}``, ``{{guestname}}``, ``{{node}}``, ``{{vmid}}``; escapes ``\\n`` and
``\\\\``). After the upload the group is pruned with the job's ``prune-backups``, else the
storage's, else nothing (``keep-all``). A PBS storage that cannot be reached fails the whole
task before any guest, with PVE's message; the run still counts as run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lab.behaviour.prune import PveKeepOptions
from lab.behaviour.snapshots import BackupGroup, BackupType, snapshot_time_text

__all__ = [
    "PBS_PORT",
    "STANDALONE_CLUSTER_NAME",
    "BackupSelection",
    "Guest",
    "backup_group",
    "backup_volume_id",
    "guests_per_node",
    "prune_options",
    "render_notes",
    "unreachable_storage_error",
]

PBS_PORT = 8007
STANDALONE_CLUSTER_NAME = "standalone node"
"""What ``{{cluster}}`` renders to on a node that is not in a cluster."""

_TEMPLATE_VARIABLE = re.compile(r"\{\{([^\s{}]+)\}\}")
_KNOWN_VARIABLES = ("cluster", "guestname", "node", "vmid")
_ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True, slots=True)
class Guest:
    """A VM (``qemu``) or container (``lxc``) and the node it is on."""

    vmid: int
    node: str
    name: str | None = None
    kind: str = "qemu"


@dataclass(frozen=True, slots=True)
class BackupSelection:
    """A job's guest selection: ``pool`` members (given as VMIDs), else ``vmids``, else
    ``all`` minus ``exclude``; ``node`` limits the job to that node."""

    all: bool = False
    vmids: tuple[int, ...] = ()
    exclude: tuple[int, ...] = ()
    pool_members: tuple[int, ...] | None = None
    node: str | None = None


def guests_per_node(selection: BackupSelection, guests: Iterable[Guest]) -> dict[str, list[int]]:
    """PVE ``get_included_guests``: node → its selected VMIDs in backup (ascending) order.

    Selected VMIDs that do not exist are listed under ``""``, as PVE does.
    """
    known = {guest.vmid: guest for guest in guests}
    if selection.pool_members is not None:
        wanted = list(selection.pool_members)
    elif selection.vmids:
        wanted = list(selection.vmids)
    elif selection.all:
        wanted = [vmid for vmid in known if vmid not in selection.exclude]
    else:
        return {}
    per_node: dict[str, list[int]] = {}
    for vmid in sorted(set(wanted)):
        guest = known.get(vmid)
        node = guest.node if guest is not None else ""
        if guest is not None and selection.node is not None and node != selection.node:
            continue
        per_node.setdefault(node, []).append(vmid)
    return per_node


def backup_group(guest: Guest) -> BackupGroup:
    """``vm/<vmid>`` for a VM, ``ct/<vmid>`` for a container."""
    kind = BackupType.CT if guest.kind == "lxc" else BackupType.VM
    return BackupGroup(kind, str(guest.vmid))


def backup_volume_id(storage: str, group: BackupGroup, backup_time: int) -> str:
    """The PVE volume id of a PBS backup: ``pbs:backup/vm/100/2025-01-16T02:00:04Z``."""
    return f"{storage}:backup/{group}/{snapshot_time_text(backup_time)}"


def render_notes(template: str, guest: Guest, node: str, cluster: str | None) -> str:
    """PVE ``generate_notes``; raises ``ValueError`` as PVE rejects a bad template."""
    if "\n" in template:
        raise ValueError("contains a line feed")
    problems = [
        f"escape sequence '\\{m[1]}' at char {m.start()}"
        for m in _ESCAPE.finditer(template)
        if m[1] not in ("n", "\\")
    ]
    problems += [
        f"variable '{m[1]}' at char {m.end() - len(m[1])}"  # PVE's position, quirk included
        for m in _TEMPLATE_VARIABLE.finditer(template)
        if m[1] not in _KNOWN_VARIABLES
    ]
    if problems:
        raise ValueError(f"found unknown: {', '.join(problems)}")
    values = {
        "cluster": cluster if cluster is not None else STANDALONE_CLUSTER_NAME,
        "guestname": guest.name if guest.name is not None else f"VM {guest.vmid}",
        "node": node,
        "vmid": str(guest.vmid),
    }
    unescaped = _ESCAPE.sub(lambda m: "\n" if m[1] == "n" else "\\", template)
    return _TEMPLATE_VARIABLE.sub(lambda m: values.get(m[1], m[0]), unescaped)


def prune_options(
    job: PveKeepOptions | None, storage: PveKeepOptions | None, remove: bool = True
) -> PveKeepOptions | None:
    """The retention vzdump prunes each group with after a backup, or ``None`` for no prune.

    The job's ``prune-backups``, else the storage's, else ``keep-all``; ``remove=0`` or
    ``keep-all`` skip the prune.
    """
    chosen = job or storage or PveKeepOptions(keep_all=True)
    return None if not remove or chosen.keep_all else chosen


def unreachable_storage_error(storage: str, host: str, port: int = PBS_PORT) -> str:
    """The task error when a PBS storage's server refuses connections.

    PVE activates the storage (a datastore scan over the PBS API) before any guest; the
    message nests the storage id twice, as PVE's wrappers add it.
    """
    reason = f"500 Can't connect to {host}:{port} (Connection refused)"
    return (
        f"could not activate storage '{storage}': {storage}: error fetching datastores - {reason}"
    )
