"""``RestoredVm``: a VM restored on a PVE node from a PBS snapshot (the DR building block).

After a disaster a restored VM *is* production: everything written since the restore lives
only in it. So this resource only ever touches the VM it restored itself:

- **The mark.** The restore request sets the VM's ``tags`` to ``tappaas-restored`` and the
  first line of its ``description`` to::

      tappaas-restored stack=<project>/<stack> generation=<n> snapshot=<vm/110/2025-…Z>

  (``owner`` = ``stack``, ``restore_generation`` = ``generation``, the snapshot actually
  restored), then the service's own description. ``read``, ``diff`` and ``delete`` refuse a
  VM whose first description line is not that mark for this stack and generation (and,
  once known, this snapshot): a VM someone else put on the vmid is never adopted or
  destroyed. ``parse_mark`` reads it (adoption by another tool may use it).
- **Protected.** The restore sets PVE's ``protection`` flag, so PVE itself refuses to remove
  the VM or its disks ("protection mode enabled", pve-guest-common ``AbstractConfig.pm``);
  ``delete`` refuses too while it is set.
- **Create-only options.** ``archive``, ``storage``, ``unique``, ``live_restore``,
  ``start``, ``bwlimit``, ``bridge``, ``vlan`` and ``description`` only steer the restore:
  changing them later changes nothing (``restored_with`` keeps what was used, for the
  program to say so). Identity is ``node``, ``vmid`` and ``restore_generation``: a new
  restore is asked for explicitly with a new generation (and a new vmid), and the engine
  creates the new VM before it lets go of the old one (no delete-before-replace).
- ``archive`` may end in ``latest``: the VM's newest finished backup when the restore runs
  (never a container's of the same id; newer backups later do not trigger a new restore).
  A restored VM that vanished is restored again (nothing is deleted for that).
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import DiffResult, ReadResult
from pydantic import Field

from providers._errors import GuidedError
from providers._lifecycle import ObjectProvider, Props
from providers._resource import ObjectResource
from tappaas.client import NotFoundError, ProxmoxClient
from tappaas.model._types import NodeName
from tappaas.pve.qemu import RESTORE_LOCK, QemuApi, RestoreRequest
from tappaas.pve.storage import StorageApi

LATEST = "latest"
ARCHIVE_PATTERN = r"^[^:/]+:backup/(vm|ct)/\d+/(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|latest)$"
MARK = "tappaas-restored"
"""The VM tag, and the first word of the description's first line."""
OWNER_PATTERN = r"^[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+$"


class ForeignVmError(GuidedError):
    """The VM on this vmid is not the one this resource restored: it is left alone."""


class ProtectedVmError(GuidedError):
    """The restored VM is protected in PVE: deleting it is the admin's explicit decision."""


class RestoredVmProps(Props):
    identity = frozenset({"node", "vmid", "restore_generation"})
    create_only = frozenset(
        {
            "archive",
            "storage",
            "unique",
            "live_restore",
            "start",
            "bwlimit",
            "bridge",
            "vlan",
            "description",
            "owner",
        }
    )

    node: NodeName
    vmid: int = Field(ge=100, le=999_999_999)
    restore_generation: int = Field(default=0, ge=0)
    """Raise it to restore again (into a new VM): the only way this resource restores twice."""
    owner: str = Field(pattern=OWNER_PATTERN)
    """``<project>/<stack>``: whose mark the restored VM carries."""
    archive: str = Field(pattern=ARCHIVE_PATTERN)
    """``<pbs storage>:backup/vm/<id>/<UTC time>`` (a snapshot's PVE volume id) or ``…/latest``."""
    storage: str | None = None
    unique: bool = True
    """New MAC addresses, so a copy can run beside the original (e.g. in an isolated VLAN)."""
    live_restore: bool = False
    start: bool = False
    bwlimit: int | None = None
    bridge: str | None = None
    vlan: int | None = Field(default=None, ge=1, le=4094)
    description: str = ""

    def network(self) -> str | None:
        """``net0`` for the restored VM when it must land on another network."""
        if self.bridge is None:
            return None
        return f"virtio,bridge={self.bridge}" + (f",tag={self.vlan}" if self.vlan else "")

    def archive_parts(self) -> tuple[str, int, str]:
        """(storage, vmid, time or ``latest``) of ``archive``."""
        storage, _, rest = self.archive.partition(":")
        _, _, backup_id, time = rest.split("/")
        return storage, int(backup_id), time

    def mark(self, snapshot: str) -> str:
        """The description's first line on the VM restored from ``snapshot``."""
        return f"{MARK} stack={self.owner} generation={self.restore_generation} " + (
            f"snapshot={snapshot.removeprefix('backup/')}"
        )

    def restore_options(self) -> dict[str, Any]:
        """What only steers the restore, as ``restored_with`` records it."""
        return self.model_dump(include=set(self.create_only) - {"owner", "description"})


def parse_mark(description: str | None) -> dict[str, str] | None:
    """``{stack, generation, snapshot}`` from a VM description's first line, or None."""
    first = (description or "").split("\n", 1)[0].strip()
    words = first.split()
    if not words or words[0] != MARK:
        return None
    fields = dict(word.split("=", 1) for word in words[1:] if "=" in word)
    return fields if {"stack", "generation", "snapshot"} <= set(fields) else None


class RestoredVmProvider(ObjectProvider[RestoredVmProps]):
    props_type = RestoredVmProps

    def object_id(self, props: RestoredVmProps) -> str:
        return f"{props.node}/{props.vmid}"

    def observe(
        self, client: ProxmoxClient, object_id: str, props: RestoredVmProps
    ) -> RestoredVmProps | None:
        return props if self._ours(client, props, None) is not None else None

    def _ours(
        self, client: ProxmoxClient, props: RestoredVmProps, snapshot: str | None
    ) -> dict[str, Any] | None:
        """The VM's config if it is the one this resource restored; None if there is no VM;
        ``ForeignVmError`` if another VM holds the vmid."""
        config = QemuApi(client).config(props.node, props.vmid)
        if config is None:
            return None
        mark = parse_mark(config.get("description"))
        expected = {"stack": props.owner, "generation": str(props.restore_generation)}
        if snapshot is not None:
            expected["snapshot"] = snapshot.removeprefix("backup/")
        if mark is None and config.get("lock") == RESTORE_LOCK:
            raise ForeignVmError(
                f"VM {props.vmid} on {props.node} is locked by a restore ('{RESTORE_LOCK}') "
                "that has not finished, so it carries no restore mark yet (PVE writes the "
                "description when the restore ends): it is neither adopted nor deleted. If "
                "this resource's restore was interrupted, wait for its task or remove the VM "
                f"(`qm unlock {props.vmid} && qm destroy {props.vmid} --purge` on "
                f"{props.node}) and run `pulumi up` again; otherwise restore elsewhere"
            )
        if mark is None or any(mark.get(key) != value for key, value in expected.items()):
            found = "no restore mark" if mark is None else f"the mark {mark}"
            raise ForeignVmError(
                f"VM {props.vmid} on {props.node} carries {found}, not {expected}: it is not "
                f"the VM this resource restored, so it is neither adopted nor deleted. If the "
                f"restored VM is gone, drop it from the state (`pulumi state delete <urn>`) "
                f"or restore again with a new restore_generation"
            )
        return config

    def adoption_refusal(
        self,
        client: ProxmoxClient,
        object_id: str,
        wanted: RestoredVmProps,
        found: RestoredVmProps,
    ) -> str | None:
        """A VM carrying this resource's mark (``observe`` refused any other) is adopted once
        its restore has finished: a VM still locked by an interrupted restore is not."""
        config = QemuApi(client).config(wanted.node, wanted.vmid) or {}
        if config.get("lock"):
            return (
                f"VM {wanted.vmid} on {wanted.node} is our restore, but still locked "
                f"('{config['lock']}'): an interrupted restore. Remove it (`qm unlock "
                f"{wanted.vmid} && qm set {wanted.vmid} --protection 0 && qm destroy "
                f"{wanted.vmid} --purge` on {wanted.node}) and run `pulumi up` again"
            )
        return None

    def adopt_object(
        self,
        client: ProxmoxClient,
        object_id: str,
        wanted: RestoredVmProps,
        found: RestoredVmProps,
    ) -> dict[str, Any]:
        """Our finished restore, left by an interrupted ``up``: its mark says which snapshot;
        how long it took is not known."""
        config = QemuApi(client).config(wanted.node, wanted.vmid) or {}
        mark = parse_mark(config.get("description")) or {}
        snapshot = mark.get("snapshot")
        return {
            "restored_snapshot": f"backup/{snapshot}" if snapshot else None,
            "restore_seconds": None,
            "restore_task": None,
            "restored_with": wanted.restore_options(),
        }

    def create_object(self, client: ProxmoxClient, props: RestoredVmProps) -> dict[str, Any]:
        archive = self._resolve(client, props)
        snapshot = archive.split(":", 1)[1]
        description = props.mark(snapshot) + (f"\n{props.description}" if props.description else "")
        request = RestoreRequest.model_validate(
            {
                **props.model_dump(include=set(RestoreRequest.model_fields)),
                "archive": archive,
                "net0": props.network(),
                "tags": MARK,
                "description": description,
                "protection": True,
            }
        )
        result = QemuApi(client).restore(props.node, request)
        return {
            "restored_snapshot": snapshot,
            "restore_seconds": round(result.seconds, 3),
            "restore_task": result.upid.text,
            "restored_with": props.restore_options(),
        }

    def _resolve(self, client: ProxmoxClient, props: RestoredVmProps) -> str:
        """The archive to restore: as given, or the VM's newest finished backup for ``latest``."""
        storage, vmid, time = props.archive_parts()
        if time != LATEST:
            return props.archive
        backups = StorageApi(client).vm_backups(props.node, storage, vmid)
        if not backups:
            raise ValueError(f"no backup of VM {vmid} on storage '{storage}' to restore")
        return str(backups[-1]["volid"])

    def extra_outputs(self, props: RestoredVmProps, olds: dict[str, Any]) -> dict[str, Any]:
        keys = ("restored_snapshot", "restore_seconds", "restore_task", "restored_with")
        return {key: olds.get(key) for key in keys}

    def update_object(
        self,
        client: ProxmoxClient,
        object_id: str,
        old: RestoredVmProps,
        new: RestoredVmProps,
    ) -> None:
        """Only the endpoint can differ here (the rest is identity or create-only)."""

    def delete_object(self, client: ProxmoxClient, object_id: str, props: RestoredVmProps) -> None:
        raise NotImplementedError("delete() checks the mark with the state's snapshot")

    # --- the lifecycle, narrowed to the VM this resource restored ---------------------------

    def diff(self, object_id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Identity moved: a new restore, created before the old VM is let go. Create-only
        options: no change. Otherwise look at the live VM (refusing a foreign one)."""
        new, old = self.parse(news), self.parse_state(olds)
        moved = sorted(name for name in new.identity if getattr(new, name) != getattr(old, name))
        if moved:
            return DiffResult(changes=True, replaces=moved, delete_before_replace=False)
        snapshot = olds.get("restored_snapshot")
        if self._ours(self.client(old), old, snapshot if isinstance(snapshot, str) else None):
            return DiffResult(changes=new.endpoint != old.endpoint, replaces=[])
        return DiffResult(changes=True, replaces=sorted(new.identity), delete_before_replace=True)

    def read(self, object_id: str, props: dict[str, Any]) -> ReadResult:
        known = self.parse_state(props)
        snapshot = props.get("restored_snapshot")
        config = self._ours(
            self.client(known), known, snapshot if isinstance(snapshot, str) else None
        )
        if config is None:
            return ReadResult(id_=None, outs={})
        previous = dict(props)
        return ReadResult(
            id_=object_id,
            outs=self.outputs(known, self.extra_outputs(known, previous), previous),
        )

    def delete(self, object_id: str, props: dict[str, Any]) -> None:
        """Stop and purge the VM this resource restored, once PVE protection is off;
        nothing else, ever."""
        known = self.parse_state(props)
        client = self.client(known)
        snapshot = props.get("restored_snapshot")
        config = self._ours(client, known, snapshot if isinstance(snapshot, str) else None)
        if config is None:
            return
        if str(config.get("protection", "0")) not in ("0", "", "False"):
            raise ProtectedVmError(
                f"VM {known.vmid} on {known.node} is a restored VM and protected: its data "
                f"may be newer than any backup. To delete it, unset protection in PVE "
                f"(`qm set {known.vmid} --protection 0`) and run the delete again; to keep "
                f"it, drop it from the state (`pulumi state delete <urn>`)"
            )
        try:
            QemuApi(client).destroy(known.node, known.vmid)
        except NotFoundError:
            return


class RestoredVm(ObjectResource, module="pve", name="RestoredVm"):
    """A VM restored from a PBS backup; ``restored_snapshot``/``restore_seconds`` report it,
    ``restored_with`` the restore-time options used."""

    provider_type = RestoredVmProvider
    computed = ("restored_snapshot", "restore_seconds", "restore_task", "restored_with")

    restored_snapshot: pulumi.Output[str]
    restore_seconds: pulumi.Output[float]
    restored_with: pulumi.Output[dict[str, Any]]
