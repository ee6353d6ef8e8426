"""Drill results: verdicts against the policy's targets, outcomes for status, RTO trends."""

from __future__ import annotations

from tappaas.health import (
    DrillRun,
    Refusal,
    ServiceDrill,
    Source,
    State,
    Verdict,
    outcomes,
    targets,
    trends,
)
from tappaas.model import load_stack_file
from tappaas.policy import RtoClass
from tests.conftest import REPO

PROD = load_stack_file(REPO / "Pulumi.prod.yaml")


def drill(started: int, rto: float | None, passed: bool = True, service: str = "nextcloud"):
    return ServiceDrill(
        drill_id=f"d{started}",
        service=service,
        vmid=340,
        source=Source.LOCAL,
        started=started,
        node="tappaas1",
        rpo_seconds=3600.0,
        healthy_seconds=rto,
        passed=passed,
        reason="" if passed else "probe agent ping never passed",
        targets=targets(PROD, service, Source.LOCAL),
    )


def test_targets_come_from_the_policy_estimate_of_the_disaster_a_copy_stands_for() -> None:
    local = targets(PROD, "nextcloud", Source.LOCAL)  # accidental deletion: local PBS
    assert (local.rpo_seconds, local.rto_class, local.rto_seconds) == (
        86400.0,
        RtoClass.UNDER_AN_HOUR,
        3600.0,
    )
    peer = targets(PROD, "nextcloud", Source.PEER)  # site loss: the peer's copy, 1d + 2h
    assert (peer.rpo_seconds, peer.rto_class) == (93600.0, RtoClass.HOURS)


def test_verdicts_and_states() -> None:
    assert drill(0, 120.0).verdict is Verdict.PASS and drill(0, 120.0).state is State.OK
    slow = drill(0, 4000.0)
    assert slow.verdict is Verdict.OVER_TARGET and slow.state is State.WARN
    failed = drill(0, None, passed=False)
    assert failed.verdict is Verdict.FAIL and failed.state is State.CRIT
    assert failed.rto_seconds is None


def test_a_run_is_as_bad_as_its_worst_service_and_a_refusal_is_unknown() -> None:
    run = DrillRun(
        drill_id="x", site="home", source=Source.LOCAL, started=0, results=(drill(0, 60.0),)
    )
    assert run.state is State.OK
    refused = run.model_copy(update={"refused": (Refusal(service="hass", reason="memory"),)})
    assert refused.state is State.UNKNOWN
    failing = refused.model_copy(update={"results": (drill(0, None, passed=False),)})
    assert failing.state is State.CRIT


def test_outcomes_keep_the_last_drill_and_the_last_pass() -> None:
    history = [drill(100, 60.0), drill(200, None, passed=False), drill(50, 70.0, service="hass")]
    found = outcomes(history)
    assert found["nextcloud"].last_passed is False
    assert found["nextcloud"].last_pass_started == 100
    assert found["hass"].last_rto == 70.0


def test_trend_flags_an_rto_that_grew_beyond_its_target() -> None:
    history = [drill(1, 600.0), drill(2, 1800.0), drill(3, 4000.0), drill(1, 60.0, service="hass")]
    by_service = {t.service: t for t in trends(history)}
    grown = by_service["nextcloud"]
    assert grown.rtos == (600.0, 1800.0, 4000.0)
    assert grown.beyond_target and grown.grew and grown.state is State.WARN
    assert by_service["hass"].state is State.OK
