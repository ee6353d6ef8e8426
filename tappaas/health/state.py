"""The four states of the monitoring plugin convention, and how they combine.

Each state's value is the exit code of a monitoring plugin (Nagios, Icinga, Zabbix, Checkmk):
0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. Combined, the worst wins with Icinga's order
OK < WARN < UNKNOWN < CRIT: a check that could not look (UNKNOWN) outranks a warning, but a
known critical problem outranks not knowing.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum


class State(IntEnum):
    """A check's result; the value is the plugin exit code."""

    OK = 0
    WARN = 1
    CRIT = 2
    UNKNOWN = 3

    @property
    def severity(self) -> int:
        """Rank for combining: OK < WARN < UNKNOWN < CRIT."""
        return _SEVERITY[self]


_SEVERITY = {State.OK: 0, State.WARN: 1, State.UNKNOWN: 2, State.CRIT: 3}


def worst(states: Iterable[State]) -> State:
    """The most severe of ``states`` (OK when there are none)."""
    return max(states, key=lambda state: state.severity, default=State.OK)
