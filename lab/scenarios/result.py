"""What a scenario reports: a timeline of what happened, and the checks it made."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lab.sim.journal import JournalEntry

NARRATIVE = "scenario"
"""The journal kind of the scenario's own lines (what it did, what it saw)."""


@dataclass(frozen=True)
class Check:
    """One claim the scenario verified through the API, with what it found."""

    name: str
    passed: bool
    detail: str


@dataclass
class ScenarioResult:
    """A scenario run: its timeline (lab time order) and its checks."""

    name: str
    title: str
    timeline: list[JournalEntry] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every check passed."""
        return all(check.passed for check in self.checks)

    def say(self, time: int, text: str) -> None:
        """Add a line of the scenario's own to the timeline."""
        self.timeline.append(JournalEntry(time, NARRATIVE, NARRATIVE, text))

    def events(self, entries: Iterable[JournalEntry]) -> None:
        """Add what the lab journalled."""
        self.timeline.extend(entries)

    def check(self, name: str, passed: bool, detail: str) -> bool:
        """Record a check; returns whether it passed."""
        self.checks.append(Check(name, passed, detail))
        return passed

    def sorted_timeline(self) -> list[JournalEntry]:
        """The timeline in time order (stable: the scenario's lines stay where they were)."""
        return sorted(self.timeline, key=lambda entry: entry.time)
