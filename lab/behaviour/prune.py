"""Prune: which snapshots of one backup group a ``keep-*`` policy keeps, as PBS and PVE decide.

A port of PBS ``compute_prune_info`` (pbs-datastore/src/prune.rs) and PVE
``prune_mark_backup_group`` (pve-storage Storage.pm). Both walk the group newest first, once per
option in the order last, hourly, daily, weekly, monthly, yearly; each pass keeps the newest
snapshot of every bucket (hour, day, ISO week, month, year — in local time) not yet covered by
an earlier pass, and **stops scanning** once it has kept its count. Snapshots no pass keeps are
removed. Consequences worth knowing:

- a snapshot in a bucket an earlier pass already covered is left unmarked, so a later option
  may still keep it (a week covered by keep-weekly is ignored by keep-monthly);
- protected snapshots are never removed and never use up a slot or a bucket;
- the newest finished, unprotected snapshot is always kept when any option is set.

Buckets use the snapshot's local time; the lab pins UTC, which is the default ``tz``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from typing import Protocol, TypeVar

__all__ = [
    "KeepOptions",
    "Prunable",
    "PruneMark",
    "PveKeepOptions",
    "UnfinishedPrunable",
    "compute_prune_info",
    "prune_mark_backup_group",
    "snapshots_to_remove",
]

LAB_TIMEZONE: tzinfo = UTC
"""Proxmox buckets in server-local time; the lab (and TAPPaaS) run in UTC."""


class PruneMark(StrEnum):
    """What prune decided for one snapshot (the words PBS prints in its task log)."""

    PROTECTED = "protected"
    KEEP = "keep"
    KEEP_PARTIAL = "keep-partial"
    REMOVE = "remove"

    @property
    def keeps(self) -> bool:
        """Everything but ``remove`` survives."""
        return self is not PruneMark.REMOVE


class Prunable(Protocol):
    """What prune reads of a snapshot: its time and whether it is protected."""

    @property
    def backup_time(self) -> int: ...

    @property
    def protected(self) -> bool: ...


class UnfinishedPrunable(Prunable, Protocol):
    """A PBS snapshot: ``finished`` is false while it has no manifest (a backup in progress)."""

    @property
    def finished(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class KeepOptions:
    """PBS ``keep-*`` options; ``None`` = unset. PBS rejects 0, so a set count is at least 1."""

    last: int | None = None
    hourly: int | None = None
    daily: int | None = None
    weekly: int | None = None
    monthly: int | None = None
    yearly: int | None = None

    def __post_init__(self) -> None:
        for option in fields(self):
            count = getattr(self, option.name)
            if count is not None and count < 1:
                raise ValueError(f"keep-{option.name} must be at least 1, got {count}")

    @property
    def keeps_something(self) -> bool:
        """False when no option is set: PBS then keeps every snapshot ("No prune selection")."""
        return any(getattr(self, option.name) is not None for option in fields(self))


@dataclass(frozen=True, slots=True)
class PveKeepOptions:
    """PVE ``prune-backups``: 0 means unset; ``keep_all`` (or nothing above 0) keeps all."""

    keep_all: bool = False
    last: int = 0
    hourly: int = 0
    daily: int = 0
    weekly: int = 0
    monthly: int = 0
    yearly: int = 0

    def __post_init__(self) -> None:
        for name, _ in _PASSES:
            if getattr(self, name) < 0:
                raise ValueError(f"keep-{name} must not be negative")

    def for_pbs(self) -> KeepOptions:
        """The options PVE passes to ``proxmox-backup-client prune`` for a PBS storage.

        PVE drops zeros and, for ``keep-all``, passes nothing, so PBS keeps everything.
        """
        if self.keep_all:
            return KeepOptions()
        return KeepOptions(**{name: getattr(self, name) or None for name, _ in _PASSES})


_PASSES: tuple[tuple[str, Callable[[datetime], Hashable]], ...] = (
    ("last", lambda t: t),  # every backup time is its own bucket
    ("hourly", lambda t: (t.year, t.month, t.day, t.hour)),
    ("daily", lambda t: (t.year, t.month, t.day)),
    ("weekly", lambda t: t.isocalendar()[:2]),  # %G/%V: the ISO year may differ from %Y
    ("monthly", lambda t: (t.year, t.month)),
    ("yearly", lambda t: t.year),
)
"""The keep passes in the order Proxmox runs them, with the bucket of a local time."""

P = TypeVar("P", bound=Prunable)
U = TypeVar("U", bound=UnfinishedPrunable)


def _select(
    backup_times: Sequence[int],
    counts: Sequence[int | None],
    marks: dict[int, PruneMark],
    tz: tzinfo,
) -> list[PruneMark]:
    """Run the keep passes over times sorted newest first; ``marks`` holds pre-set marks.

    ``counts`` follows ``_PASSES``; ``None`` skips a pass. Unmarked entries end up removed.
    """
    local = [datetime.fromtimestamp(t, tz) for t in backup_times]
    for count, (_, bucket_of) in zip(counts, _PASSES, strict=True):
        if count is None:
            continue
        keys = [bucket_of(t) for t in local]
        covered = {keys[i] for i, mark in marks.items() if mark is PruneMark.KEEP}
        kept: set[Hashable] = set()
        for i, key in enumerate(keys):
            if i in marks or key in covered:
                continue  # a covered one stays unmarked: a later option may still keep it
            if key in kept:
                marks[i] = PruneMark.REMOVE
                continue
            if len(kept) >= count:
                break
            kept.add(key)
            marks[i] = PruneMark.KEEP
    return [marks.get(i, PruneMark.REMOVE) for i in range(len(backup_times))]


def _newest_first(snapshots: Iterable[P]) -> list[P]:
    return sorted(snapshots, key=lambda s: s.backup_time, reverse=True)


def _counts(options: KeepOptions | PveKeepOptions) -> list[int | None]:
    return [getattr(options, name) or None for name, _ in _PASSES]


def compute_prune_info(
    snapshots: Iterable[U], options: KeepOptions, tz: tzinfo = LAB_TIMEZONE
) -> list[tuple[U, PruneMark]]:
    """PBS ``compute_prune_info``: every snapshot with its mark, newest first.

    Unfinished snapshots (no manifest yet) are decided first: the newest survives as
    ``keep-partial`` only if no finished snapshot is newer; the others are removed. Protected
    snapshots come out ``protected`` whatever else applied. With no option set every other
    snapshot is marked ``remove`` here, as in PBS — whose API and prune jobs then keep them all
    anyway; ``snapshots_to_remove`` applies that rule.
    """
    ordered = _newest_first(snapshots)
    marks: dict[int, PruneMark] = {}
    keep_unfinished = True
    for i, snapshot in enumerate(ordered):
        if not snapshot.finished:
            marks[i] = PruneMark.KEEP_PARTIAL if keep_unfinished else PruneMark.REMOVE
        keep_unfinished = False
    for i, snapshot in enumerate(ordered):
        if snapshot.protected:
            marks[i] = PruneMark.PROTECTED
    decided = _select([s.backup_time for s in ordered], _counts(options), marks, tz)
    return list(zip(ordered, decided, strict=True))


def snapshots_to_remove(
    snapshots: Iterable[U], options: KeepOptions, tz: tzinfo = LAB_TIMEZONE
) -> list[U]:
    """What a PBS prune (API call or prune job) deletes, oldest first as PBS deletes them.

    Nothing when no option is set ("No prune selection - keeping all files").
    """
    if not options.keeps_something:
        return []
    info = compute_prune_info(snapshots, options, tz)
    return [snapshot for snapshot, mark in reversed(info) if not mark.keeps]


def prune_mark_backup_group(
    entries: Iterable[P], options: PveKeepOptions, tz: tzinfo = LAB_TIMEZONE
) -> list[tuple[P, PruneMark]]:
    """PVE ``prune_mark_backup_group`` (non-PBS storages), newest first.

    The same passes as PBS, but with no notion of unfinished backups; protected entries are
    pre-marked and skipped. ``keep-all``, or no option above 0, keeps everything.
    """
    ordered = _newest_first(entries)
    marks = {i: PruneMark.PROTECTED for i, entry in enumerate(ordered) if entry.protected}
    counts = _counts(options)
    if options.keep_all or not any(counts):
        decided = [marks.get(i, PruneMark.KEEP) for i in range(len(ordered))]
    else:
        decided = _select([e.backup_time for e in ordered], counts, marks, tz)
    return list(zip(ordered, decided, strict=True))
