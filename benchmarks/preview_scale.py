"""Benchmark: plain `pulumi preview` of a large site, against a trivial program of the same
size, with the same engine in the same run. Prints seconds and two ratios.

- site(200) / trivial(N200): what our program (model, policy, components, the plugin and
  our dynamic providers' checks) costs over Pulumi's own per-resource work (target <= 1.5);
- site(400) / site(200): how the program scales with the site (target <= 2.1), printed beside
  trivial(N400) / trivial(N200), the engine's own scaling on this machine in the same run.

Each stack is fresh (every resource a create): the preview runs the program through the
Python language host, registers every resource and calls each provider's Check. The program
also reads, on every run, which pools and HA objects already exist (to adopt what an
interrupted up made), so the site's cluster API is a lab with the site's five nodes, and
those reads are part of the figure. The trivial program registers N no-op dynamic resources
(N = the site's resource count), so both pay the same engine and dynamic-provider host costs.

Run: .venv/bin/python benchmarks/preview_scale.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_500 import NODES, generated_site

from lab import Lab, LabConfig
from tappaas.automation import find_engine

REPO = Path(__file__).resolve().parent.parent
PASSPHRASE = "benchmark-only"
TRIVIAL_PROVIDER = '''
"""A no-op dynamic provider (a module of its own, as ours are: dill pickles it by reference)."""
from pulumi.dynamic import CreateResult, Resource, ResourceProvider


class Nothing(ResourceProvider):
    def create(self, props):
        return CreateResult(id_="x", outs=props)


class Trivial(Resource):
    def __init__(self, name):
        super().__init__(Nothing(), name, {"value": name})
'''
TRIVIAL_PROGRAM = '''
"""N no-op dynamic resources (the benchmark's yardstick)."""
import pulumi
from trivial_provider import Trivial

for index in range(int(pulumi.Config().require("count"))):
    Trivial(f"r{index}")
'''


def project(directory: Path, main: Path) -> None:
    document = {
        "name": "tappaas" if main == REPO else "trivial",
        "main": str(main),
        "runtime": {
            "name": "python",
            "options": {"toolchain": "pip", "virtualenv": str(REPO / ".venv")},
        },
    }
    (directory / "Pulumi.yaml").write_text(yaml.safe_dump(document))


def pulumi(directory: Path, env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    engine = find_engine()
    done = subprocess.run(
        [str(engine.pulumi), *args],
        cwd=directory,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"pulumi {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def timed_previews(directory: Path, env: dict[str, str], stack: str, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        pulumi(directory, env, "preview", "--stack", stack, "--non-interactive")
        times.append(time.perf_counter() - started)
    return times


def resource_count(directory: Path, env: dict[str, str], stack: str) -> int:
    plan: dict[str, Any] = json.loads(pulumi(directory, env, "preview", "--stack", stack, "--json"))
    return int(plan["changeSummary"]["create"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    nodes = tuple(f"tappaas{i}" for i in range(1, NODES + 1))
    with Lab.start(LabConfig(nodes=nodes, pbs=("local",))) as lab:
        measure(repeat, lab)


def on_lab(site: dict[str, Any], lab: Lab) -> dict[str, Any]:
    """``site`` with its cluster API on the lab's PVE (token secret: config key ``pve``)."""
    api = {
        "address": f"{lab.pve.host}:{lab.pve.port}",
        "fingerprint": lab.pve.fingerprint,
        "api_token": {"token_id": lab.pve.token_id, "token_secret": {"secret": "pve"}},
    }
    return {**site, "cluster": {**site["cluster"], "api": api}}


def measure(repeat: int, lab: Lab) -> None:
    engine = find_engine()
    secrets = {"pve": lab.pve.token_secret, "pbs": "not-a-real-secret", "key": "not-a-real-key"}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        state = root / "state"
        state.mkdir()
        env = {**os.environ, **engine.offline_env(state, passphrase=PASSPHRASE)}
        site_dir, trivial_dir = root / "site", root / "trivial"
        site_dir.mkdir()
        trivial_dir.mkdir()
        project(site_dir, REPO)
        (trivial_dir / "program").mkdir()
        (trivial_dir / "program" / "__main__.py").write_text(TRIVIAL_PROGRAM)
        (trivial_dir / "program" / "trivial_provider.py").write_text(TRIVIAL_PROVIDER)
        project(trivial_dir, trivial_dir / "program")

        medians: dict[str, float] = {}
        counts: dict[str, int] = {}
        for services in (200, 400):
            stack = f"site{services}"
            site = on_lab(generated_site(services), lab)
            stack_file = site_dir / f"Pulumi.{stack}.yaml"
            stack_file.write_text(yaml.safe_dump({"config": {"tappaas:site": site}}))
            pulumi(site_dir, env, "stack", "init", stack)
            for key, value in secrets.items():
                pulumi(site_dir, env, "config", "set", "--secret", "--stack", stack, key,
                       stdin=value)  # fmt: skip
            counts[stack] = resource_count(site_dir, env, stack)
            times = timed_previews(site_dir, env, stack, repeat)
            medians[stack] = statistics.median(times)
            runs = ", ".join(f"{t:.2f}" for t in times)
            print(
                f"site, {services} services: {counts[stack]} resources, preview "
                f"{medians[stack]:.2f} s (runs: {runs})"
            )
        for services in (200, 400):
            trivial = f"trivial{services}"
            count = counts[f"site{services}"]
            pulumi(trivial_dir, env, "stack", "init", trivial)
            pulumi(trivial_dir, env, "config", "set", "--stack", trivial, "count", str(count))
            times = timed_previews(trivial_dir, env, trivial, repeat)
            medians[trivial] = statistics.median(times)
            runs = ", ".join(f"{t:.2f}" for t in times)
            print(
                f"trivial program: {count} no-op dynamic resources, preview "
                f"{medians[trivial]:.2f} s (runs: {runs})"
            )
        site_ratio = medians["site200"] / medians["trivial200"]
        print(f"ratio site(200) / trivial(same count): {site_ratio:.2f} (target <= 1.5)")
        scaling = medians["site400"] / medians["site200"]
        engine_scaling = medians["trivial400"] / medians["trivial200"]
        print(f"ratio site(400) / site(200): {scaling:.2f} (target <= 2.1)")
        print(
            f"  for reference, trivial(N400) / trivial(N200): {engine_scaling:.2f}"
            " (the engine's own)"
        )


if __name__ == "__main__":
    main()
