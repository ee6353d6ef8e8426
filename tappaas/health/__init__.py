"""Health: pure rules judging a site's live state (``tappaas status``) and drill results.

Public API::

    from tappaas.health import evaluate, Observation, State, StatusReport

- ``evaluate(site, observation) -> StatusReport``: one ``Line(subject, check, state, why,
  metrics)`` per rule (written once, in ``backups``, ``cluster``, ``upkeep``, ``drills``);
  ``report.state`` is the worst line (UNKNOWN at least when a source was unreachable).
- ``State``: OK/WARN/CRIT/UNKNOWN, valued as monitoring plugin exit codes; ``worst``.
- Observations (``Observation``, ``Snapshot``, ``OffsiteCopy``, …) are what the readers in
  ``tappaas.observe`` produce; nothing here talks to Proxmox.
- Drills: ``ServiceDrill``, ``DrillRun``, ``targets``, ``trends``, ``outcomes``.
"""

from tappaas.health.drill_results import (
    RTO_CLASS_LIMITS,
    DrillRun,
    ProbeResult,
    Refusal,
    ServiceDrill,
    Source,
    Targets,
    Trend,
    Verdict,
    outcomes,
    per_service,
    targets,
    trends,
)
from tappaas.health.lines import Check, Line, Metric
from tappaas.health.observations import (
    DatastoreUsage,
    DrillOutcome,
    HaService,
    JobRun,
    Observation,
    OffsiteCopy,
    PeerView,
    PersonalCopies,
    Replication,
    Snapshot,
    SourceError,
)
from tappaas.health.report import StatusReport, evaluate
from tappaas.health.state import State, worst
from tappaas.health.wording import ago, span

__all__ = [
    "RTO_CLASS_LIMITS",
    "Check",
    "DatastoreUsage",
    "DrillOutcome",
    "DrillRun",
    "HaService",
    "JobRun",
    "Line",
    "Metric",
    "Observation",
    "OffsiteCopy",
    "PeerView",
    "PersonalCopies",
    "ProbeResult",
    "Refusal",
    "Replication",
    "ServiceDrill",
    "Snapshot",
    "Source",
    "SourceError",
    "State",
    "StatusReport",
    "Targets",
    "Trend",
    "Verdict",
    "ago",
    "evaluate",
    "outcomes",
    "per_service",
    "span",
    "targets",
    "trends",
    "worst",
]
