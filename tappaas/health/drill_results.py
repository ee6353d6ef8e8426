"""What a restore drill measured, the targets it is judged against, and the trend over drills.

Times are seconds from the drill's start for the service (``started``, the cluster's clock):
``restored`` when the restore task ended, ``running`` when the VM ran, ``healthy`` when every
probe passed — the measured RTO. The RPO is the restored snapshot's age when the drill started.

Targets come from the policy's table (``tappaas.policy``): a drill from the local PBS stands
for an accidental deletion or bad update, one from the peer for a site loss; the RTO class
of that estimate has an upper bound (``RTO_CLASS_LIMITS``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from tappaas.health.observations import DrillOutcome
from tappaas.health.state import State, worst
from tappaas.model import SiteConfig
from tappaas.policy import Disaster, RtoClass, protection_report

RTO_CLASS_LIMITS: dict[RtoClass, timedelta] = {
    RtoClass.NO_OUTAGE: timedelta(0),
    RtoClass.MINUTES: timedelta(minutes=15),
    RtoClass.UNDER_AN_HOUR: timedelta(hours=1),
    RtoClass.HOURS: timedelta(hours=24),
    RtoClass.DAYS: timedelta(days=7),
}
"""The longest recovery each RTO class of the policy still allows."""


class Source(StrEnum):
    """Which copy a drill restores from."""

    LOCAL = "local"
    PEER = "peer"

    @property
    def disaster(self) -> Disaster:
        """The disaster a restore from this copy stands for (its policy estimate)."""
        return Disaster.ACCIDENTAL_DELETION if self is Source.LOCAL else Disaster.SITE_LOSS


class Verdict(StrEnum):
    PASS = "PASS"
    OVER_TARGET = "PASS, over target"
    FAIL = "FAIL"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProbeResult(_Frozen):
    """One probe: what it asked, whether it passed, and when (seconds from the drill start)."""

    probe: str
    passed: bool
    detail: str = ""
    seconds: float | None = None


class Targets(_Frozen):
    """The policy's RPO and RTO class for the disaster a drill stands for."""

    rpo_seconds: float | None
    rto_class: RtoClass | None
    rto_seconds: float | None


class ServiceDrill(_Frozen):
    """One service in one drill."""

    drill_id: str
    service: str
    vmid: int
    source: Source
    started: int
    node: str
    drill_vmid: int | None = None
    snapshot: str | None = None
    snapshot_time: int | None = None
    rpo_seconds: float | None = None
    restored_seconds: float | None = None
    running_seconds: float | None = None
    healthy_seconds: float | None = None
    bytes_restored: int | None = None
    live_restore: bool = True
    probes: tuple[ProbeResult, ...] = ()
    passed: bool = False
    reason: str = ""
    targets: Targets = Targets(rpo_seconds=None, rto_class=None, rto_seconds=None)
    cleaned_up: bool = True

    @property
    def rto_seconds(self) -> float | None:
        """Measured RTO: from the drill start to healthy."""
        return self.healthy_seconds if self.passed else None

    @property
    def over_target(self) -> bool:
        """Measured RTO or RPO above the policy's target."""
        rto, rpo = self.rto_seconds, self.rpo_seconds
        limit_rto, limit_rpo = self.targets.rto_seconds, self.targets.rpo_seconds
        return (rto is not None and limit_rto is not None and rto > limit_rto) or (
            rpo is not None and limit_rpo is not None and rpo > limit_rpo
        )

    @property
    def verdict(self) -> Verdict:
        if not self.passed:
            return Verdict.FAIL
        return Verdict.OVER_TARGET if self.over_target else Verdict.PASS

    @property
    def state(self) -> State:
        """FAIL → CRIT; over target → WARN; else OK."""
        return {Verdict.FAIL: State.CRIT, Verdict.OVER_TARGET: State.WARN}.get(
            self.verdict, State.OK
        )


class Refusal(_Frozen):
    """A service the drill did not start, and why (host guard, no snapshot, unreachable)."""

    service: str
    reason: str


class DrillRun(_Frozen):
    """One ``tappaas drill`` run."""

    drill_id: str
    site: str
    source: Source
    started: int
    results: tuple[ServiceDrill, ...] = ()
    refused: tuple[Refusal, ...] = ()
    cleaned_leftovers: tuple[int, ...] = ()
    """Drill VMs of an earlier, interrupted run that this run removed first."""

    @property
    def state(self) -> State:
        """The worst service's state; a refused service makes it UNKNOWN at least."""
        states = [result.state for result in self.results]
        states += [State.UNKNOWN for _ in self.refused]
        return worst(states)


def targets(site: SiteConfig, service: str, source: Source) -> Targets:
    """The policy's estimate for the disaster a drill from ``source`` stands for."""
    report = protection_report(site)
    protection = next(s for s in report.services if s.name == service)
    estimate = protection.estimate_for(source.disaster)
    rto = RTO_CLASS_LIMITS.get(estimate.rto) if estimate.rto is not None else None
    return Targets(
        rpo_seconds=estimate.rpo.total_seconds() if estimate.rpo is not None else None,
        rto_class=estimate.rto,
        rto_seconds=rto.total_seconds() if rto is not None else None,
    )


def per_service(history: Iterable[ServiceDrill]) -> dict[str, list[ServiceDrill]]:
    """Each service's drills, oldest first."""
    out: dict[str, list[ServiceDrill]] = {}
    for drill in sorted(history, key=lambda d: d.started):
        out.setdefault(drill.service, []).append(drill)
    return out


def outcomes(history: Iterable[ServiceDrill]) -> dict[str, DrillOutcome]:
    """What ``status`` needs per service: the last drill and the last passing one."""
    out = {}
    for service, drills in per_service(history).items():
        last = drills[-1]
        passing = [d for d in drills if d.passed]
        out[service] = DrillOutcome(
            last_started=last.started,
            last_passed=last.passed,
            last_reason=last.reason,
            last_rto=last.rto_seconds,
            last_pass_started=passing[-1].started if passing else None,
        )
    return out


class Trend(_Frozen):
    """A service's RTO over its passing drills, and whether it grew beyond its target."""

    service: str
    rtos: tuple[float, ...]
    target_seconds: float | None
    failures: int
    last_verdict: Verdict

    @property
    def beyond_target(self) -> bool:
        """The latest measured RTO is above the target."""
        return (
            bool(self.rtos)
            and self.target_seconds is not None
            and (self.rtos[-1] > self.target_seconds)
        )

    @property
    def grew(self) -> bool:
        """The latest RTO is above the first one measured."""
        return len(self.rtos) > 1 and self.rtos[-1] > self.rtos[0]

    @property
    def state(self) -> State:
        if self.last_verdict is Verdict.FAIL:
            return State.CRIT
        return State.WARN if self.beyond_target else State.OK


def trends(history: Iterable[ServiceDrill]) -> list[Trend]:
    """One ``Trend`` per service, in name order."""
    out = []
    for service, drills in sorted(per_service(history).items()):
        rtos = tuple(d.rto_seconds for d in drills if d.rto_seconds is not None)
        out.append(
            Trend(
                service=service,
                rtos=rtos,
                target_seconds=drills[-1].targets.rto_seconds,
                failures=sum(not d.passed for d in drills),
                last_verdict=drills[-1].verdict,
            )
        )
    return out
