"""Benchmark: how fast ``tappaas`` starts, in fresh processes. Prints seconds.

Each command runs ``--repeat`` times (default 7) as a new process, the way a user types it,
beside ``python -c pass`` (the interpreter alone): ``tappaas --help``, ``tappaas check
--help``, and ``tappaas check`` of a generated 500-service site (``check_500.generated_site``,
output to a pipe: 80 columns). Targets (issue 12): help under 0.3 s, the check under 1 s.
The figures depend on the machine's load: the minimum is the least disturbed run.

Run: .venv/bin/python benchmarks/startup.py [--repeat N] [--services N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from check_500 import generated_site

TARGETS = {"tappaas --help": 0.3, "tappaas check --help": 0.3, "tappaas check": 1.0}


def seconds(command: list[str], repeat: int) -> list[float]:
    """Wall time of ``command`` in a fresh process, ``repeat`` times."""
    times = []
    env = {**os.environ, "COLUMNS": "80"}
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False, env=env)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--services", type=int, default=500)
    options = parser.parse_args()
    tappaas = str(Path(sys.executable).with_name("tappaas"))
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "Pulumi.bench.yaml"
        site.write_text(
            yaml.safe_dump({"config": {"tappaas:site": generated_site(options.services)}})
        )
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "tappaas --help": [tappaas, "--help"],
            "tappaas check --help": [tappaas, "check", "--help"],
            "tappaas check": [tappaas, "check", str(site)],
        }
        print(
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
            f"{options.repeat} runs each; check of {options.services} services"
        )
        print(f"{'command':<24} {'min':>7} {'median':>8} {'target':>8}")
        for label, command in commands.items():
            times = seconds(command, options.repeat)
            target = f"< {TARGETS[label]} s" if label in TARGETS else ""
            print(f"{label:<24} {min(times):6.3f}s {statistics.median(times):7.3f}s {target:>8}")


if __name__ == "__main__":
    main()
