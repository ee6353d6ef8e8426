"""Short wording of ages and durations for ``why`` texts (80 columns leave little room)."""

from __future__ import annotations

from datetime import timedelta

from tappaas.policy import format_duration


def span(seconds: float | timedelta) -> str:
    """``26h`` → ``1d 2h``; under a second → ``0s``."""
    value = seconds if isinstance(seconds, timedelta) else timedelta(seconds=seconds)
    return format_duration(value) if value >= timedelta(seconds=1) else "0s"


def ago(seconds: float) -> str:
    """``1d 2h ago`` (a time in the future reads ``in 5min``)."""
    return f"{span(seconds)} ago" if seconds >= 0 else f"in {span(-seconds)}"
