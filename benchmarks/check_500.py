"""Benchmark: `tappaas check` on a generated 500-service site. Prints seconds.

Generates a 5-node site with 500 services (mixed importance, HA, replication schedules and
personal exports), writes it as a stack file, then measures:
- the whole command in a fresh process (`tappaas check --file …`, Python start-up included);
- in-process phases: load + validate, protection report, policy, rendering.

Run: .venv/bin/python benchmarks/check_500.py [--services N]
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console

from tappaas.cli.check_output import format_check
from tappaas.model import load_stack_file
from tappaas.policy import evaluate, protection_report

NODES = 5
SCHEDULES = ["*/15", "*/5", "*/30", "hourly", "mon..fri 8..18:0/10"]


def fingerprint(seed: int) -> str:
    return ":".join(f"{(seed * 7 + i) % 256:02X}" for i in range(32))


def generated_site(services: int) -> dict[str, Any]:
    nodes = [f"tappaas{i}" for i in range(1, NODES + 1)]
    site: dict[str, Any] = {
        "name": "bench",
        "cluster": {
            "api": {
                "address": "10.0.0.1:8006",
                "fingerprint": fingerprint(0),
                "api_token": {"token_id": "t@pve!p", "token_secret": {"secret": "pve"}},
            }
        },
        "nodes": {
            n: {"address": f"10.0.0.{i}", "fingerprint": fingerprint(i)}
            for i, n in enumerate(nodes, 1)
        },
        "datapools": {
            "tanka1": {
                "role": "important",
                "devices": {n: [f"/dev/{n}a", f"/dev/{n}b"] for n in nodes},
            },
            "tankb1": {"role": "bulk", "devices": {n: [f"/dev/{n}c"] for n in nodes}},
            "tankc1": {"role": "backup", "devices": {nodes[-1]: ["/dev/backup"]}},
        },
        "services": {},
        "backup": {
            "pbs": {
                "node": nodes[-1],
                "address": "10.0.0.5:8007",
                "fingerprint": fingerprint(99),
                "api_token": {"token_id": "t@pbs!p", "token_secret": {"secret": "pbs"}},
            },
            "encryption": {"key": {"secret": "key"}},
        },
        "remote": {"peer_stack": "organization/tappaas/peer"},
        "personal": {"backing_device": "3f2a9c1e-7b4d-4e8a-9c2f-1a2b3c4d5e6f"},
    }
    for i in range(services):
        service: dict[str, Any] = {"vmid": 1000 + i, "node": nodes[i % NODES]}
        if i % 4 == 3:
            service["importance"] = "low"
        else:
            service["replication"] = {"schedule": SCHEDULES[i % len(SCHEDULES)]}
        if i % 10 == 0:
            service["personal_export"] = "pbs"
        site["services"][f"svc{i:04d}"] = service
    return site


def timed(label: str, action: Any) -> Any:
    start = time.perf_counter()
    result = action()
    print(f"{label:<40} {time.perf_counter() - start:8.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=500)
    services = parser.parse_args().services
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "Pulumi.bench.yaml"
        path.write_text(yaml.safe_dump({"config": {"tappaas:site": generated_site(services)}}))
        print(
            f"site: {services} services on {NODES} nodes ({path.stat().st_size // 1024} KiB YAML)"
        )
        command = [str(Path(sys.executable).with_name("tappaas")), "check", "--file", str(path)]
        run = timed(
            "tappaas check (fresh process)",
            lambda: subprocess.run(command, capture_output=True, text=True, check=False),
        )
        print(f"  exit code {run.returncode}, {len(run.stdout.splitlines())} lines of output")
        site = timed("load + validate stack file", lambda: load_stack_file(path))
        report = timed("protection report", lambda: protection_report(site))
        findings = timed("policy (evaluate)", lambda: evaluate(site, report))
        console = Console(file=io.StringIO(), width=80)
        timed(
            "render (format_check)",
            lambda: console.print(format_check(site, report, findings, 80), soft_wrap=True),
        )
        print(f"  {len(findings)} findings")


if __name__ == "__main__":
    main()
