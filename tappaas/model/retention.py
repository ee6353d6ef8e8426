"""How many backups to keep, as data the program turns into a PBS prune job.

"Yearly forever" (the seed design) has no PBS spelling: ``keep-yearly`` is at least 1 with no
maximum, and a prune job removes whatever no rule keeps. We write ``forever`` and send
``keep-yearly=100`` (years without a backup do not count, so that is a century of yearlies).
PVE's vzdump job keeps ``keep-all=1`` and its PBS user may not prune, so a compromised PVE
cannot shorten the history; only the PBS prune job removes snapshots.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from tappaas.model._types import StrictModel

FOREVER = "forever"
FOREVER_YEARS = 100
"""``keep-yearly`` sent for ``forever``."""
DESIGN_KEEP_DAILY = 7
DESIGN_KEEP_WEEKLY = 4
DESIGN_KEEP_MONTHLY = 12
PVE_KEEP_ALL = "keep-all=1"
"""``prune-backups`` (a property string) for the PVE storage entry and vzdump job: PVE never
prunes, the PBS prune job does."""


def _forever_as_years(value: Any) -> Any:
    """``forever`` → ``FOREVER_YEARS``; other words are refused, numbers left to pydantic."""
    if value == FOREVER:
        return FOREVER_YEARS
    if isinstance(value, str) and not value.strip().isdigit():
        raise ValueError(f"{value!r} is not a number of years or {FOREVER!r}")
    return value


KeepCount = Annotated[int, Field(ge=1)] | None
KeepYearly = Annotated[KeepCount, BeforeValidator(_forever_as_years)]


class Retention(StrictModel):
    """``keep-*`` counts (each at least 1, or null for "not this rule").

    Defaults are the seed design's: 7 daily, 4 weekly, 12 monthly, yearly forever. A rule set
    to null drops it; dropping all is an error (PBS would then keep everything, silently).
    """

    keep_last: KeepCount = None
    keep_hourly: KeepCount = None
    keep_daily: KeepCount = DESIGN_KEEP_DAILY
    keep_weekly: KeepCount = DESIGN_KEEP_WEEKLY
    keep_monthly: KeepCount = DESIGN_KEEP_MONTHLY
    keep_yearly: KeepYearly = FOREVER_YEARS

    @model_validator(mode="after")
    def _keeps_something(self) -> Retention:
        if not self.prune_options():
            raise ValueError(
                "retention keeps nothing: set at least one of keep_last, keep_hourly, "
                "keep_daily, keep_weekly, keep_monthly, keep_yearly"
            )
        return self

    @property
    def keeps_yearly_forever(self) -> bool:
        """Whether yearly snapshots are kept for ``FOREVER_YEARS`` (or more)."""
        return self.keep_yearly is not None and self.keep_yearly >= FOREVER_YEARS

    def prune_options(self) -> dict[str, int]:
        """The PBS prune-job (and ``prune-backups``) keys, e.g. ``{"keep-daily": 7, …}``."""
        counts = {
            "keep-last": self.keep_last,
            "keep-hourly": self.keep_hourly,
            "keep-daily": self.keep_daily,
            "keep-weekly": self.keep_weekly,
            "keep-monthly": self.keep_monthly,
            "keep-yearly": self.keep_yearly,
        }
        return {key: count for key, count in counts.items() if count is not None}

    def describe(self) -> str:
        """``7 daily, 4 weekly, 12 monthly, yearly forever`` for humans."""
        words = []
        for label, count in (
            ("last", self.keep_last),
            ("hourly", self.keep_hourly),
            ("daily", self.keep_daily),
            ("weekly", self.keep_weekly),
            ("monthly", self.keep_monthly),
        ):
            if count is not None:
                words.append(f"{count} {label}")
        if self.keeps_yearly_forever:
            words.append("yearly forever")
        elif self.keep_yearly is not None:
            words.append(f"{self.keep_yearly} yearly")
        return ", ".join(words)
