"""One DNS question to one resolver, over UDP or TCP, timed, with what a client can see.

A client cannot ask a resolver where an answer came from; it can see the answer's flags.
Unbound sets AA (authoritative answer) on what it answers from its own data (local zones and
local data, which is what OPNsense's host overrides become) and never on an answer it got
from its upstream or holds in its cache. An expired answer served from the cache carries the
serve-expired reply TTL (30 s by default), and EDE 3 "Stale Answer" when Unbound is set to
say so (``ede-serve-expired``). Unbound 1.17 ``doc/unbound.conf.5``.
"""

from __future__ import annotations

import time
from enum import StrEnum

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
from pydantic import BaseModel, ConfigDict

EDNS_PAYLOAD = 1232
"""The DNS Flag Day 2020 buffer size: no fragmented UDP answers."""
STALE_CODES = {dns.edns.EDECode.STALE_ANSWER, dns.edns.EDECode.STALE_NXDOMAIN_ANSWER}


class Transport(StrEnum):
    UDP = "udp"
    TCP = "tcp"


class QueryOutcome(BaseModel):
    """What one query got: the response code (``None``: no answer at all), its flags and
    addresses, and how long it took."""

    model_config = ConfigDict(frozen=True)

    transport: Transport
    rcode: str | None
    """``NOERROR``, ``NXDOMAIN``, ``SERVFAIL``, ``REFUSED``…; ``None`` when nothing came back."""
    authoritative: bool = False
    addresses: tuple[str, ...] = ()
    ttl: int | None = None
    """The smallest TTL in the answer section."""
    stale: bool = False
    """The resolver said (EDE) that it served an expired answer."""
    seconds: float
    error: str | None = None
    """Why nothing came back: ``no answer within 2 s``, ``connection refused``, …"""

    @property
    def answered(self) -> bool:
        return self.rcode is not None


def ask(host: str, port: int, name: str, transport: Transport, timeout: float) -> QueryOutcome:
    """Ask ``host:port`` for ``name``'s IPv4 addresses (recursion desired, as a stub does)."""
    query = dns.message.make_query(name, dns.rdatatype.A, use_edns=0, payload=EDNS_PAYLOAD)
    send = dns.query.udp if transport is Transport.UDP else dns.query.tcp
    started = time.perf_counter()
    try:
        response = send(query, host, timeout=timeout, port=port)
    except dns.exception.Timeout:
        error = f"no answer within {timeout:g} s"
    except ConnectionRefusedError:
        error = "connection refused"
    except (OSError, dns.exception.DNSException) as exc:
        error = f"{type(exc).__name__}: {exc}"
    else:
        return _outcome(transport, response, time.perf_counter() - started)
    return QueryOutcome(
        transport=transport, rcode=None, seconds=time.perf_counter() - started, error=error
    )


def _outcome(transport: Transport, response: dns.message.Message, seconds: float) -> QueryOutcome:
    addresses = tuple(
        rdata.to_text()
        for rrset in response.answer
        if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA)
        for rdata in rrset
    )
    ttls = [rrset.ttl for rrset in response.answer]
    return QueryOutcome(
        transport=transport,
        rcode=dns.rcode.to_text(response.rcode()),
        authoritative=bool(response.flags & dns.flags.AA),
        addresses=addresses,
        ttl=min(ttls) if ttls else None,
        stale=any(error.code in STALE_CODES for error in response.extended_errors()),
        seconds=seconds,
    )
