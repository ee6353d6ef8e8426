"""Benchmark: what clients of an OPNsense-configured Unbound get when the uplink dies.

Starts Debian's unbound (configured as OPNsense configures it: recommended settings, host
overrides; the test twin in tests/resolver) forwarding to a dnspython upstream, all on
loopback; warms the cache; kills the upstream; then asks, every POLL seconds for at most
LIMIT seconds, a site name, a cached outside name and a fresh uncached outside name. Prints
answer times, and how long uncached names hang before the resolver fails them fast.

Run: .venv/bin/python benchmarks/resolver_outage.py [--limit SECONDS]
(needs /usr/sbin/unbound: `make unbound`)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the twins live in tests/

from tappaas.internet import QueryOutcome, Transport
from tappaas.internet.probe import ask
from tests.resolver import sites
from tests.resolver.conftest import free_port
from tests.resolver.unbound import UnboundProcess
from tests.resolver.upstream import Upstream

RESOLVER, UPSTREAM = "127.0.90.1", "127.0.90.2"
POLL = 0.5
CLIENT_TIMEOUT = 1.0
SAMPLES = 200


def median_ms(samples: list[QueryOutcome]) -> str:
    return f"{statistics.median(s.seconds for s in samples) * 1000:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=float, default=90.0, help="seconds to watch the outage")
    limit = parser.parse_args().limit
    upstream = Upstream(UPSTREAM, sites.UPSTREAM_RECORDS).start()
    with tempfile.TemporaryDirectory(prefix="tappaas-bench-unbound-") as tmp:
        unbound = UnboundProcess.start(
            sites.firewall(),
            Path(tmp),
            RESOLVER,
            free_port(RESOLVER),
            f"{UPSTREAM}@{upstream.port}",
        )
        try:
            host, port = unbound.address, unbound.port

            def query(name: str, transport: Transport = Transport.UDP) -> QueryOutcome:
                return ask(host, port, name, transport, CLIENT_TIMEOUT)

            local = [query("nextcloud.srv.internal") for _ in range(SAMPLES)]
            local_tcp = [query("nextcloud.srv.internal", Transport.TCP) for _ in range(50)]
            forwarded = [query(sites.OUTSIDE_NAME) for _ in range(SAMPLES)]
            print(f"uplink up: site name (local data) UDP median {median_ms(local)}, "
                  f"TCP {median_ms(local_tcp)}; outside name {median_ms(forwarded)}")  # fmt: skip
            upstream.stop()
            killed = time.monotonic()
            time.sleep(sites.OUTSIDE_TTL + 0.5)
            stale: list[QueryOutcome] = []
            hung = 0
            fail_fast_at = None
            attempt = 0
            while time.monotonic() - killed < limit:
                attempt += 1
                site_name = query("nextcloud.srv.internal")
                stale.append(query(sites.OUTSIDE_NAME))
                uncached = query(f"fresh-{attempt}.{sites.PROBE_DOMAIN}")
                assert site_name.authoritative, site_name
                if uncached.rcode is None:
                    hung += 1
                elif fail_fast_at is None and uncached.rcode == "SERVFAIL":
                    fail_fast_at = time.monotonic() - killed
                    print(f"upstream dead: first fast SERVFAIL after {fail_fast_at:.1f} s "
                          f"({hung} uncached queries got no answer within "
                          f"{CLIENT_TIMEOUT:g} s before that)")  # fmt: skip
                    break
                time.sleep(POLL)
            if fail_fast_at is None:
                print(f"upstream dead: uncached names still hang after {limit:g} s")
            ttls = sorted({s.ttl for s in stale if s.ttl is not None})
            print(f"upstream dead: cached outside name answered {sum(s.answered for s in stale)}/"
                  f"{len(stale)} times, median {median_ms(stale)}, TTL {ttls} "
                  "(serve-expired-reply-ttl)")  # fmt: skip
            after = [query(f"after-{i}.{sites.PROBE_DOMAIN}") for i in range(20)]
            print(f"then: uncached outside names fail in median {median_ms(after)} "
                  f"({after[0].rcode})")  # fmt: skip
        finally:
            unbound.stop()


if __name__ == "__main__":
    main()
