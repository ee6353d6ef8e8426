"""How each answer is judged: OK / WARN / CRIT / UNKNOWN with a reason (pure rules).

The monitoring plugin convention (exit 0/1/2/3). A name that must work offline and is not
answered from the resolver's own data is CRIT: it works today and fails in an outage. An
outside name the cache no longer holds is WARN: the site's own services keep running.
UNKNOWN means a source did not answer, so nothing could be judged.
"""

from __future__ import annotations

from enum import StrEnum

from tappaas.health.state import State, worst
from tappaas.internet.probe import QueryOutcome
from tappaas.policy import Finding, Severity

SLOW_LOCAL_ANSWER = 0.25
"""Seconds: a resolver answering from its own data does so in about a millisecond."""
FAST_FAILURE = 1.0
"""Seconds: a failure faster than this lets a client fall back at once (glibc waits 5 s)."""
OVERRIDES = "Services > Unbound DNS > Overrides"
Status = State
"""The monitoring plugin states, the same for ``status``, the restore drill and this drill."""


def finding_status(finding: Finding) -> Status:
    return Status.CRIT if finding.severity is Severity.ERROR else Status.WARN


class Origin(StrEnum):
    """Where an answer came from, as far as a client can tell."""

    LOCAL = "local data"
    """AA set: the resolver's own data (a local zone or host override)."""
    CACHE_OR_UPSTREAM = "upstream"
    """No AA: forwarded, or from the cache of an earlier forwarded answer."""
    STALE = "expired cache"
    """The resolver said it served an expired answer (EDE 3)."""
    LOCAL_NO_NAME = "not in local zone"
    """AA with NXDOMAIN: the local zone says there is no such name."""
    NO_NAME = "NXDOMAIN"
    NO_ADDRESS = "no address"
    SERVFAIL = "SERVFAIL"
    REFUSED = "REFUSED"
    NO_ANSWER = "no answer"


def origin(outcome: QueryOutcome) -> Origin:
    """Classify one answer by its response code, AA flag and addresses."""
    if outcome.rcode is None:
        return Origin.NO_ANSWER
    if outcome.rcode == "NOERROR" and outcome.addresses:
        if outcome.authoritative:
            return Origin.LOCAL
        return Origin.STALE if outcome.stale else Origin.CACHE_OR_UPSTREAM
    if outcome.rcode == "NXDOMAIN" and outcome.authoritative:
        return Origin.LOCAL_NO_NAME
    return {
        "NOERROR": Origin.NO_ADDRESS,
        "NXDOMAIN": Origin.NO_NAME,
        "REFUSED": Origin.REFUSED,
    }.get(outcome.rcode, Origin.SERVFAIL)


RESOLVED = {Origin.LOCAL, Origin.CACHE_OR_UPSTREAM, Origin.STALE}


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def _failure(outcome: QueryOutcome) -> str:
    """Why a query got no usable answer, in words."""
    kind = origin(outcome)
    if kind is Origin.NO_ANSWER:
        return outcome.error or "no answer"
    if kind is Origin.SERVFAIL:
        return f"{outcome.rcode} in {milliseconds(outcome.seconds)}"
    return f"{kind.value} in {milliseconds(outcome.seconds)}"


def primary(udp: QueryOutcome, tcp: QueryOutcome | None) -> QueryOutcome:
    """The answer to judge: UDP's, or TCP's when only TCP answered."""
    if udp.answered or tcp is None or not tcp.answered:
        return udp
    return tcp


def _transport_note(udp: QueryOutcome, tcp: QueryOutcome | None) -> str | None:
    """A transport that disagrees with the other (large answers and DNSSEC need TCP)."""
    if tcp is None or (origin(udp) in RESOLVED) == (origin(tcp) in RESOLVED):
        return None
    failed = tcp if origin(udp) in RESOLVED else udp
    return f"{failed.transport.value.upper()}: {_failure(failed)}"


def judge_service_name(
    udp: QueryOutcome,
    tcp: QueryOutcome | None,
    offline: bool,
    override: str | None,
    overrides_known: bool,
) -> tuple[Status, str]:
    """A site's own name: it must come from local data when it must work offline.

    ``override`` is the OPNsense host override that answers the name (when the settings
    were read: ``overrides_known``).
    """
    answer = primary(udp, tcp)
    kind = origin(answer)
    failing = Status.CRIT if offline else Status.WARN
    if kind is Origin.REFUSED:
        return Status.UNKNOWN, "the resolver refuses queries from this host (access list)"
    if kind is Origin.LOCAL:
        status, why = Status.OK, "answered from the resolver's own data"
        if answer.seconds > SLOW_LOCAL_ANSWER:
            status, why = Status.WARN, f"local data, but slow: {milliseconds(answer.seconds)}"
    elif kind in (Origin.CACHE_OR_UPSTREAM, Origin.STALE):
        if not offline:
            return Status.OK, "answered by the upstream (need not work offline)"
        status = failing
        why = "answered by the upstream, not from local data: offline it fails once the cache "
        why += "entry expires"
    else:
        status = failing
        why = {
            Origin.LOCAL_NO_NAME: "the local zone has no such name",
            Origin.NO_NAME: "not in the resolver's local data, and the upstream says no "
            "such name (NXDOMAIN)",
            Origin.NO_ADDRESS: "the name has no IPv4 address",
            Origin.SERVFAIL: "not in the resolver's local data, and the upstream does not "
            f"answer ({_failure(answer)})",
            Origin.NO_ANSWER: f"the resolver gives no answer ({_failure(answer)})",
        }[kind]
    if kind is not Origin.LOCAL and overrides_known:
        why += (
            f"; OPNsense has the host override {override}, but Unbound does not answer from "
            "it (settings not applied?)"
            if override is not None
            else f"; OPNsense has no host override for it: add one ({OVERRIDES})"
        )
    elif kind is not Origin.LOCAL and status is not Status.OK:
        why += f"; add a host override ({OVERRIDES})"
    note = _transport_note(udp, tcp)
    if note is not None:
        status = worst([status, Status.WARN])
        why += f"; {note}"
    return status, why


def judge_outside_name(
    udp: QueryOutcome, tcp: QueryOutcome | None, serve_expired: bool | None
) -> tuple[Status, str]:
    """An outside name a service needs: it should keep resolving from the cache offline."""
    answer = primary(udp, tcp)
    kind = origin(answer)
    if kind is Origin.REFUSED:
        return Status.UNKNOWN, "the resolver refuses queries from this host (access list)"
    if kind in RESOLVED:
        status, why = (
            Status.OK,
            ("an expired answer from the cache" if kind is Origin.STALE else "resolves"),
        )
    elif kind in (Origin.NO_NAME, Origin.NO_ADDRESS, Origin.LOCAL_NO_NAME):
        status, why = Status.WARN, f"{kind.value}: is it the right name?"
    else:
        status = Status.WARN
        why = f"does not resolve ({_failure(answer)}): not in the cache, and the upstream "
        why += "does not answer"
        if serve_expired is False:
            why += "; serve-expired is off, so cached names vanish when their TTL runs out"
        elif serve_expired is None:
            why += "; with serve-expired, Unbound keeps answering names it has seen"
    note = _transport_note(udp, tcp)
    if note is not None and status is Status.OK:
        status, why = Status.WARN, f"{why}; {note}"
    return status, why


def judge_uncached_name(udp: QueryOutcome) -> tuple[Status, str]:
    """A random, never-cached outside name: how fast does an unknown name fail?"""
    kind = origin(udp)
    took = milliseconds(udp.seconds)
    if kind is Origin.REFUSED:
        return Status.UNKNOWN, "the resolver refuses queries from this host (access list)"
    if udp.rcode in ("NOERROR", "NXDOMAIN"):
        return Status.OK, f"the upstream answers ({udp.rcode} in {took})"
    if kind is Origin.SERVFAIL and udp.seconds < FAST_FAILURE:
        return Status.OK, f"no upstream: uncached outside names fail fast (SERVFAIL in {took})"
    if kind is Origin.SERVFAIL:
        return Status.WARN, f"uncached outside names take {took} to fail (SERVFAIL)"
    return Status.WARN, (
        f"uncached outside names get {udp.error or 'no answer'}: clients wait for their own "
        "timeout (5 s per try in glibc) until the resolver marks the upstream down"
    )


def judge_resolver(udp: QueryOutcome, tcp: QueryOutcome) -> tuple[Status, str]:
    """Does the resolver answer at all? (Asked for ``localhost``, which it knows itself.)"""
    if udp.rcode == "REFUSED" or tcp.rcode == "REFUSED":
        return Status.UNKNOWN, "refuses queries from this host (access list)"
    if udp.answered or tcp.answered:
        return Status.OK, f"answers (UDP {_short(udp)}, TCP {_short(tcp)})"
    return Status.UNKNOWN, (
        f"does not answer (UDP: {_failure(udp)}; TCP: {_failure(tcp)}): is it running, and "
        "reachable from here?"
    )


def _short(outcome: QueryOutcome) -> str:
    return milliseconds(outcome.seconds) if outcome.answered else _failure(outcome)
