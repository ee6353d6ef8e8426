"""Values of one calendar-event field (``5``, ``8..17``, ``0/15``, ``1..10/3``) and their tables.

A port of proxmox-time's ``DateTimeValue``. ``next_above`` keeps a Proxmox quirk on purpose: an
open repetition (``*/45`` minutes) may return a value past the field's range (90), which the
caller normalises into the next hour (xx+1:30) instead of xx+1:00. PVE and PBS skip that slot
too, so the lab must as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

TABLE_SIZE = 64
"""Covers every value a normalised field can hold: seconds and minutes < 60, days ≤ 31."""


@dataclass(frozen=True, slots=True)
class Single:
    """One value, ``5``."""

    value: int

    def contains(self, value: int) -> bool:
        """Whether ``value`` is this one."""
        return value == self.value

    def next_above(self, value: int) -> int | None:
        """Smallest matching value greater than ``value``."""
        return self.value if self.value > value else None


@dataclass(frozen=True, slots=True)
class Span:
    """An inclusive range, ``8..17``."""

    start: int
    end: int

    def contains(self, value: int) -> bool:
        """Whether ``value`` lies in the range."""
        return self.start <= value <= self.end

    def next_above(self, value: int) -> int | None:
        """Smallest matching value greater than ``value``."""
        if value < self.start:
            return self.start
        return value + 1 if value + 1 <= self.end else None


@dataclass(frozen=True, slots=True)
class Repeat:
    """``start/step`` (no end: unbounded, may overshoot the field) or ``start..end/step``."""

    start: int
    step: int
    end: int | None = None

    def contains(self, value: int) -> bool:
        """Whether ``value`` is ``start + k·step`` (and within ``end``); step 0 = ``start`` only."""
        if value < self.start:
            return False
        if self.step == 0:
            return value == self.start
        on_step = (value - self.start) % self.step == 0
        return on_step and (self.end is None or value <= self.end)

    def next_above(self, value: int) -> int | None:
        """Smallest ``start + k·step`` greater than ``value``; unbounded, it may leave the field."""
        if value < self.start:
            return self.start
        if self.step == 0:
            return None
        candidate = self.start + ((value - self.start + self.step) // self.step) * self.step
        if self.end is not None and candidate > self.end:
            return None
        return candidate


FieldValue = Single | Span | Repeat


def list_contains(values: Sequence[FieldValue], value: int) -> bool:
    """Whether any entry matches (the caller treats an empty list as "any")."""
    return any(entry.contains(value) for entry in values)


def list_next_above(values: Sequence[FieldValue], value: int) -> int | None:
    """Smallest candidate greater than ``value`` over all entries, as Proxmox ``find_next``."""
    candidates = [n for entry in values if (n := entry.next_above(value)) is not None]
    return min(candidates, default=None)


@dataclass(frozen=True, slots=True)
class FieldTable:
    """A field's answers for every value 0..TABLE_SIZE-1, computed once at parse time.

    An empty Proxmox list matches anything: every value allowed, ``next_above`` never asked.
    """

    allowed: tuple[bool, ...]
    next_above: tuple[int | None, ...]

    @classmethod
    def build(cls, values: Sequence[FieldValue]) -> FieldTable:
        """Tabulate ``values``; an empty list matches anything."""
        if not values:
            return cls(allowed=(True,) * TABLE_SIZE, next_above=(None,) * TABLE_SIZE)
        return cls(
            allowed=tuple(list_contains(values, v) for v in range(TABLE_SIZE)),
            next_above=tuple(list_next_above(values, v) for v in range(TABLE_SIZE)),
        )
