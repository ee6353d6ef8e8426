"""What the monitoring scenarios share: ``tappaas status`` and ``tappaas drill`` on a site lab.

They run the product's own readers, rules and drill runner over HTTPS with the credentials
the site's configuration created (the lab's admin tokens stand for the stack's tokens, the
peer's read-only token names the peer's reads); a drill waits by moving the lab's clock.
"""

from __future__ import annotations

from pydantic import SecretStr

from lab.endpoint import Endpoint
from lab.scenarios.site import LOCAL_PBS, SiteLab
from tappaas.client import ConnectionSettings, Product, ProxmoxClient
from tappaas.drill import Drill, DrillOptions
from tappaas.health import (
    DrillRun,
    PeerView,
    ServiceDrill,
    StatusReport,
    evaluate,
    outcomes,
    span,
)
from tappaas.observe import PeerAccess, Sources, observe

DRILL_TIMING = {"restore_bytes_per_second": 500 * 1024**2, "guest_boot_seconds": 30.0}
"""Restores copy 500 MiB/s and guests boot in 30 s: what the drill scenarios measure."""
POLL_SECONDS = 10.0
"""How often a drill looks (lab time): the RTO figures are read at this resolution."""


def connect(endpoint: Endpoint) -> ProxmoxClient:
    """Our client on a lab endpoint with its admin token, pinned to its certificate."""
    return ProxmoxClient(
        ConnectionSettings(
            product=Product(endpoint.product),
            host=endpoint.host,
            port=endpoint.port,
            fingerprint=endpoint.fingerprint,
            token_id=endpoint.token_id,
            token_secret=SecretStr(endpoint.token_secret),
        )
    )


def status(s: SiteLab, history: list[ServiceDrill] | None = None) -> StatusReport:
    """``tappaas status`` of the site now."""
    reader = s.reader_token[0] if s.reader_token is not None else None
    peer = PeerAccess(PeerView.PULL_READS, reader_token_id=reader) if reader else None
    sources = Sources(pve=connect(s.lab.pve), local=connect(s.lab.pbs[LOCAL_PBS]), peer=peer)
    return evaluate(s.site, observe(s.site, sources, outcomes(history or [])))


def drill(s: SiteLab, services: list[str]) -> DrillRun:
    """``tappaas drill --service …`` now, from the local copy."""
    runner = Drill(
        s.site,
        lambda: connect(s.lab.pve),
        DrillOptions(poll_seconds=POLL_SECONDS),
        sleep=lambda seconds: _wait(s, seconds),
    )
    return runner.run(services)


def _wait(s: SiteLab, seconds: float) -> None:
    """A drill's wait: the lab's clock moves on (what is due on the way runs)."""
    s.lab.control.advance(seconds=seconds)


def table_rows(run: DrillRun) -> list[str]:
    """The RTO/RPO table of one drill, one plain line per service."""
    rows = [f"{'service':<13}{'RPO / target':<18}{'RTO / target':<22}result"]
    for r in run.results:
        rpo = f"{span(r.rpo_seconds or 0)} / {span(r.targets.rpo_seconds or 0)}"
        target = r.targets.rto_class.value if r.targets.rto_class else "?"
        rto = f"{span(r.rto_seconds) if r.rto_seconds is not None else '-'} / {target}"
        rows.append(f"{r.service:<13}{rpo:<18}{rto:<22}{r.verdict.value}")
    rows += [f"{x.service:<13}{'-':<18}{'-':<22}NOT RUN: {x.reason}" for x in run.refused]
    return rows
