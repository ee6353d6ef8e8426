"""400 simulated days of a 20-service site on the lab; prints seconds and what ran.

The prod example (``Pulumi.prod.yaml``: 3 nodes, local PBS, the peer pulling the off-site
copy) with its services extended to 20 (high importance: HA and replication every 15
minutes to the failover node), configured through the lab's API as the program would
(``lab.scenarios.site``), then run for 400 days on the simulated clock: daily vzdump
per node, PBS prune, GC, weekly verify, the peer's pull, prune and GC, and every
replication run. Target on the project's 2-core machine: under 60 s.

Usage: ``python benchmarks/lab_400days.py [--days 400] [--services 20]``
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import yaml

from lab.scenarios.site import start_site_lab
from tappaas.model import CONFIG_KEY, load_site_config, load_stack_file

REPO = Path(__file__).resolve().parent.parent
FIRST_EXTRA_VMID = 700


def site_with(services: int) -> Any:
    """The prod example with ``services`` services (extras spread over the nodes)."""
    raw = yaml.safe_load((REPO / "Pulumi.prod.yaml").read_text())["config"][CONFIG_KEY]
    nodes = list(raw["nodes"])
    for index in range(services - len(raw["services"])):
        raw["services"][f"app{index}"] = {
            "vmid": FIRST_EXTRA_VMID + index,
            "node": nodes[index % len(nodes)],
        }
    return load_site_config(raw)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=400)
    parser.add_argument("--services", type=int, default=20)
    args = parser.parse_args()
    site = site_with(args.services)
    peer = load_stack_file(REPO / "Pulumi.peer.yaml")
    started = time.monotonic()
    configured = start_site_lab(site, peer)
    setup = time.monotonic() - started
    lab = configured.lab
    try:
        started = time.monotonic()
        result = lab.control.advance(days=args.days)
        elapsed = time.monotonic() - started
        local = lab.control.snapshots("local", "tappaas_backup")
        remote = lab.control.snapshots("peer", "tappaas_backup", "remote/home")
    finally:
        lab.stop()
    print(
        f"services: {len(site.services)}, replicated: "
        f"{sum(s.replication.enabled for s in site.services.values())}"
    )
    print(f"setup through the API: {setup:.2f} s")
    print(
        f"{args.days} simulated days: {elapsed:.2f} s ({result['runs']} scheduled runs, "
        f"now {result['iso']})"
    )
    print(f"snapshots kept: local {len(local)}, peer {len(remote)}")


if __name__ == "__main__":
    main()
