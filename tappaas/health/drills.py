"""The status rule for drills: a service must have passed a restore drill recently.

No drill yet → WARN; the last drill failed → CRIT (its backup did not come back healthy);
the last passing drill older than ``drill.interval`` → WARN.
"""

from __future__ import annotations

from tappaas.health.lines import Check, Line, Metric
from tappaas.health.observations import Observation
from tappaas.health.state import State
from tappaas.health.wording import ago, span
from tappaas.model import Service, SiteConfig

HISTORY_SOURCE = "drill history"


def drill(name: str, service: Service, site: SiteConfig, obs: Observation) -> Line | None:
    """The age of the last passing drill, against ``drill.interval``."""
    if not service.backup.enabled or site.backup is None:
        return None
    if obs.drills is None:
        return Line(name, Check.DRILL, State.UNKNOWN, obs.why_unknown(HISTORY_SOURCE))
    outcome = obs.drills.get(name)
    if outcome is None:
        return Line(name, Check.DRILL, State.WARN, "never drilled (tappaas drill)")
    if not outcome.last_passed:
        why = f"last drill FAILED {ago(obs.now - outcome.last_started)}: {outcome.last_reason}"
        return Line(name, Check.DRILL, State.CRIT, why)
    assert outcome.last_pass_started is not None
    age = obs.now - outcome.last_pass_started
    metrics: tuple[tuple[Metric, float], ...] = ((Metric.DRILL_AGE, float(age)),)
    rto = ""
    if outcome.last_rto is not None:
        metrics += ((Metric.DRILL_RTO, outcome.last_rto),)
        rto = f", RTO {span(outcome.last_rto)}"
    interval = site.drill.interval.total_seconds()
    if age > interval:
        why = f"last pass {ago(age)} (interval {span(interval)}){rto}"
        return Line(name, Check.DRILL, State.WARN, why, metrics)
    return Line(name, Check.DRILL, State.OK, f"passed {ago(age)}{rto}", metrics)
