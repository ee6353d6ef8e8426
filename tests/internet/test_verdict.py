"""The drill's rules, as pure functions of what a query got."""

from __future__ import annotations

from typing import Any

import pytest

from tappaas.health.state import worst
from tappaas.internet import Origin, QueryOutcome, Status, Transport
from tappaas.internet.verdict import (
    judge_outside_name,
    judge_resolver,
    judge_service_name,
    judge_uncached_name,
    origin,
)


def udp(rcode: str | None = "NOERROR", **fields: Any) -> QueryOutcome:
    defaults: dict[str, Any] = {"seconds": 0.002}
    if rcode == "NOERROR":
        defaults["addresses"] = ("10.2.0.40",)
    if rcode is None:
        defaults["error"] = "no answer within 2 s"
    return QueryOutcome(transport=Transport.UDP, rcode=rcode, **{**defaults, **fields})


def tcp(rcode: str | None = "NOERROR", **fields: Any) -> QueryOutcome:
    return udp(rcode, **fields).model_copy(update={"transport": Transport.TCP})


LOCAL = {"authoritative": True}


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (udp(**LOCAL), Origin.LOCAL),
        (udp(), Origin.CACHE_OR_UPSTREAM),
        (udp(stale=True), Origin.STALE),
        (udp("NXDOMAIN", authoritative=True), Origin.LOCAL_NO_NAME),
        (udp("NXDOMAIN"), Origin.NO_NAME),
        (udp("NOERROR", addresses=()), Origin.NO_ADDRESS),
        (udp("SERVFAIL"), Origin.SERVFAIL),
        (udp("REFUSED"), Origin.REFUSED),
        (udp(None), Origin.NO_ANSWER),
    ],
)
def test_origin(outcome: QueryOutcome, expected: Origin) -> None:
    assert origin(outcome) is expected


def test_worst_ranks_crit_over_unknown_over_warn() -> None:
    assert worst([Status.OK, Status.WARN, Status.UNKNOWN]) is Status.UNKNOWN
    assert worst([Status.UNKNOWN, Status.CRIT]) is Status.CRIT
    assert worst([]) is Status.OK


def test_a_local_answer_is_ok_unless_slow() -> None:
    assert judge_service_name(udp(**LOCAL), tcp(**LOCAL), True, None, False)[0] is Status.OK
    status, why = judge_service_name(udp(seconds=0.6, **LOCAL), tcp(**LOCAL), True, None, False)
    assert (status, why) == (Status.WARN, "local data, but slow: 600 ms")


def test_a_forwarded_answer_is_crit_only_for_names_that_must_work_offline() -> None:
    status, why = judge_service_name(udp(), tcp(), True, None, True)
    assert status is Status.CRIT
    assert why.startswith("answered by the upstream, not from local data")
    assert why.endswith(
        "OPNsense has no host override for it: add one (Services > Unbound DNS > Overrides)"
    )
    assert judge_service_name(udp(), tcp(), False, None, True)[0] is Status.OK


def test_an_override_unbound_does_not_serve_is_named() -> None:
    status, why = judge_service_name(udp("SERVFAIL"), tcp("SERVFAIL"), True, "a.srv.internal", True)
    assert status is Status.CRIT
    assert "OPNsense has the host override a.srv.internal, but Unbound does not answer" in why


def test_without_opnsense_the_fix_is_still_said() -> None:
    _, why = judge_service_name(udp("NXDOMAIN"), tcp("NXDOMAIN"), True, None, False)
    assert why.endswith("; add a host override (Services > Unbound DNS > Overrides)")


def test_a_failing_name_that_need_not_work_offline_warns() -> None:
    assert judge_service_name(udp("SERVFAIL"), None, False, None, False)[0] is Status.WARN


def test_tcp_failing_beside_udp_is_a_warning() -> None:
    status, why = judge_service_name(
        udp(**LOCAL), tcp(None, error="connection refused"), True, None, False
    )
    assert status is Status.WARN and why.endswith("; TCP: connection refused")


def test_only_tcp_answering_is_judged_by_tcp() -> None:
    status, why = judge_service_name(udp(None), tcp(**LOCAL), True, None, False)
    assert status is Status.WARN
    assert why.startswith("answered from the resolver's own data; UDP: no answer within 2 s")


def test_a_refusing_resolver_is_unknown() -> None:
    assert (
        judge_service_name(udp("REFUSED"), tcp("REFUSED"), True, None, False)[0] is Status.UNKNOWN
    )
    assert judge_outside_name(udp("REFUSED"), None, None)[0] is Status.UNKNOWN
    assert judge_uncached_name(udp("REFUSED"))[0] is Status.UNKNOWN
    assert judge_resolver(udp("REFUSED"), tcp("REFUSED"))[0] is Status.UNKNOWN


def test_outside_names() -> None:
    assert judge_outside_name(udp(), tcp(), True) == (Status.OK, "resolves")
    assert judge_outside_name(udp(stale=True), tcp(), True)[1] == "an expired answer from the cache"
    status, why = judge_outside_name(udp("SERVFAIL"), tcp("SERVFAIL"), False)
    assert status is Status.WARN and why.endswith(
        "serve-expired is off, so cached names vanish when their TTL runs out"
    )
    assert "with serve-expired" in judge_outside_name(udp(None), tcp(None), None)[1]
    assert judge_outside_name(udp("NXDOMAIN"), tcp("NXDOMAIN"), True)[0] is Status.WARN


def test_uncached_names_must_fail_fast_or_be_answered() -> None:
    assert (
        judge_uncached_name(udp("NXDOMAIN", seconds=0.04))[1]
        == "the upstream answers (NXDOMAIN in 40 ms)"
    )
    assert judge_uncached_name(udp("SERVFAIL", seconds=0.001))[0] is Status.OK
    assert judge_uncached_name(udp("SERVFAIL", seconds=3.2)) == (
        Status.WARN,
        "uncached outside names take 3.2 s to fail (SERVFAIL)",
    )
    status, why = judge_uncached_name(udp(None))
    assert status is Status.WARN and why.startswith(
        "uncached outside names get no answer within 2 s"
    )


def test_a_resolver_that_answers_nothing_is_unknown() -> None:
    status, why = judge_resolver(udp(None), tcp(None, error="connection refused"))
    assert status is Status.UNKNOWN
    assert why == (
        "does not answer (UDP: no answer within 2 s; TCP: connection refused): is it running, "
        "and reachable from here?"
    )
    assert judge_resolver(udp(**LOCAL), tcp(None))[0] is Status.OK
