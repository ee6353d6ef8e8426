"""What a scenario reports: a timeline of what happened, and the checks it made.

A scenario can be followed while it plays (``streaming``): its timeline lines reach the
listener in lab-time order as each phase ends (``flush``), with progress through the simulated
days in between, so a long scenario shows what it does as it does it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Protocol

from lab.sim.journal import JournalEntry

NARRATIVE = "scenario"
"""The journal kind of the scenario's own lines (what it did, what it saw)."""


@dataclass(frozen=True)
class Check:
    """One claim the scenario verified through the API, with what it found."""

    name: str
    passed: bool
    detail: str


class Listener(Protocol):
    """Who follows a scenario as it plays (the ``lab scenario`` command)."""

    def started(self, result: ScenarioResult) -> None:
        """A scenario (or a variant of it) begins."""

    def line(self, entry: JournalEntry) -> None:
        """One timeline line, in lab-time order."""

    def progress(self, done: float, total: float) -> None:
        """Simulated days played of the current stretch."""

    def finished(self, result: ScenarioResult) -> None:
        """The scenario (or variant) ended; its checks are in."""


_LISTENER: ContextVar[Listener | None] = ContextVar("scenario_listener", default=None)


@contextmanager
def streaming(listener: Listener) -> Iterator[None]:
    """Scenarios started inside this block report to ``listener`` as they play."""
    token = _LISTENER.set(listener)
    try:
        yield
    finally:
        _LISTENER.reset(token)


@dataclass
class ScenarioResult:
    """A scenario run: its timeline (lab time order) and its checks."""

    name: str
    title: str
    timeline: list[JournalEntry] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    _listener: Listener | None = field(default_factory=_LISTENER.get, repr=False, compare=False)
    _unshown: list[JournalEntry] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._listener is not None:
            self._listener.started(self)

    @property
    def ok(self) -> bool:
        """Every check passed."""
        return all(check.passed for check in self.checks)

    def say(self, time: int, text: str) -> None:
        """Add a line of the scenario's own to the timeline."""
        self._add([JournalEntry(time, NARRATIVE, NARRATIVE, text)])

    def events(self, entries: Iterable[JournalEntry]) -> None:
        """Add what the lab journalled."""
        self._add(list(entries))

    def _add(self, entries: list[JournalEntry]) -> None:
        self.timeline.extend(entries)
        if self._listener is not None:
            self._unshown.extend(entries)

    def flush(self, until: float | None = None) -> None:
        """Show the lines up to lab time ``until`` (all when ``None``): call it when nothing
        earlier can be added any more."""
        if self._listener is None:
            return
        ordered = sorted(self._unshown, key=lambda entry: entry.time)
        shown = [e for e in ordered if until is None or e.time <= until]
        self._unshown = ordered[len(shown) :]
        for entry in shown:
            self._listener.line(entry)

    def progress(self, done: float, total: float) -> None:
        """Report how far a stretch of simulated time has got."""
        if self._listener is not None:
            self._listener.progress(done, total)

    def check(self, name: str, passed: bool, detail: str) -> bool:
        """Record a check; returns whether it passed."""
        self.checks.append(Check(name, passed, detail))
        return passed

    def finish(self) -> None:
        """The scenario has ended: show the rest of its timeline, then its checks."""
        self.flush()
        if self._listener is not None:
            self._listener.finished(self)

    def sorted_timeline(self) -> list[JournalEntry]:
        """The timeline in time order (stable: the scenario's lines stay where they were)."""
        return sorted(self.timeline, key=lambda entry: entry.time)
