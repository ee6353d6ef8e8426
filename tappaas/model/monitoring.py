"""The thresholds ``tappaas status`` judges the live state by (the rest follow the schedules)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import Field

from tappaas.model._types import Duration, StrictModel

DEFAULT_OFFSITE_MAX_AGE = timedelta(days=2)
"""No off-site copy newer than this is CRIT: with daily backups and pulls, the newest copy on
the peer is normally under 26 hours old, so two days means at least one missed pull."""
DEFAULT_PERSONAL_MAX_AGE = timedelta(days=30)
DEFAULT_USAGE_WARN_PERCENT = 80
DEFAULT_USAGE_CRIT_PERCENT = 90

Percent = Annotated[int, Field(ge=1, le=100)]


class MonitoringSettings(StrictModel):
    """The ``monitoring`` section."""

    offsite_max_age: Duration = DEFAULT_OFFSITE_MAX_AGE
    personal_max_age: Duration = DEFAULT_PERSONAL_MAX_AGE
    """The personal disk is attached by hand: an older newest copy is WARN, never CRIT."""
    usage_warn_percent: Percent = DEFAULT_USAGE_WARN_PERCENT
    usage_crit_percent: Percent = DEFAULT_USAGE_CRIT_PERCENT
