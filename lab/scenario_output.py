"""How ``tappaas lab scenario`` shows a scenario: its timeline as it plays, then its checks.

Lines go to standard output as the scenario's phases end; a bar of simulated days goes to
standard error, and only when that is a terminal (CI logs and pipes get the lines alone).
"""

from __future__ import annotations

from typing import TextIO

from lab.scenarios import ScenarioResult
from lab.sim.clock import iso
from lab.sim.journal import JournalEntry

BAR_WIDTH = 30


def format_timeline_line(entry: JournalEntry) -> str:
    """``2025-01-02T02:00:00Z    pve/tappaas1  backup      VM 110: …`` (``>>`` marks the
    scenario's own lines)."""
    where = "" if entry.source == "scenario" else f"{entry.source:<13} {entry.kind:<11} "
    marker = ">>" if entry.source == "scenario" else "  "
    return f"{iso(entry.time)} {marker} {where}{entry.message}"


def format_header(result: ScenarioResult) -> str:
    """``== node-failure: A node fails: …``."""
    return f"== {result.name}: {result.title}"


def format_checks(result: ScenarioResult) -> list[str]:
    """``Checks:`` and one ``[PASS]``/``[FAIL]`` line per check."""
    return [
        "Checks:",
        *(
            f"  [{'PASS' if check.passed else 'FAIL'}] {check.name}: {check.detail}"
            for check in result.checks
        ),
    ]


def format_scenario(result: ScenarioResult) -> str:
    """A finished scenario at once: header, timeline in lab time order, checks."""
    lines = [format_header(result)]
    lines += [format_timeline_line(entry) for entry in result.sorted_timeline()]
    lines += format_checks(result)
    return "\n".join(lines)


class PrintingListener:
    """Prints a scenario as it plays (a ``lab.scenarios.Listener``)."""

    def __init__(self, out: TextIO, progress: TextIO | None) -> None:
        self.out = out
        self.bar = progress if progress is not None and progress.isatty() else None
        self._bar_shown = False

    def _print(self, line: str) -> None:
        self._clear_bar()
        print(line, file=self.out, flush=True)

    def _clear_bar(self) -> None:
        if self.bar is not None and self._bar_shown:
            self.bar.write("\r" + " " * (BAR_WIDTH + 40) + "\r")
            self.bar.flush()
            self._bar_shown = False

    def started(self, result: ScenarioResult) -> None:
        self._print(format_header(result))

    def line(self, entry: JournalEntry) -> None:
        self._print(format_timeline_line(entry))

    def progress(self, done: float, total: float) -> None:
        if self.bar is None or total <= 0:
            return
        filled = round(BAR_WIDTH * min(done / total, 1))
        self.bar.write(
            f"\r  simulated day {done:.0f} of {total:.0f} "
            f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}]"
        )
        self.bar.flush()
        self._bar_shown = True

    def finished(self, result: ScenarioResult) -> None:
        for line in format_checks(result):
            self._print(line)
