"""``tappaas lab up|down|status|advance|scenario``: run the lab (a stand-in PVE cluster and PBS
instances) and play scenarios on it.

``up`` serves in the foreground until Ctrl-C; ``up --detach`` starts it in the background
and returns once it listens. Both write a lab file (default ``.lab/lab.json``, mode 0600,
it holds credentials) listing every endpoint with fingerprint and credentials; ``down``
stops a detached lab and ``status`` prints its endpoints. ``advance`` moves a running lab's
clock ahead (its control surface over HTTP). ``scenario <name>`` plays a scenario on labs
of its own, on a simulated clock, and prints its timeline and checks.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import requests
import typer

from lab import Endpoint, Lab, LabConfig
from lab.config import DEFAULT_NODES, DEFAULT_PBS
from lab.lab_file import write_lab_file
from lab.scenarios import SCENARIOS, ScenarioResult, run_scenario
from lab.sim.clock import CLOCK_MODES, ClockMode, epoch, iso
from tappaas.model import load_stack_file

DEFAULT_LAB_FILE = Path(".lab/lab.json")
DETACH_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 15.0
POLL_SECONDS = 0.1
ENTRY = "from tappaas.cli import main; main()"
DEMO_TASK_SECONDS = 2.0
DEFAULT_NODES_TEXT = ",".join(DEFAULT_NODES)
DEFAULT_PBS_TEXT = ",".join(DEFAULT_PBS)
DEFAULT_CLUSTERS_TEXT = "peer-pve=tappaas1"
"""A peer site's own cluster (one node), which the lab stacks' peer stack manages."""
DEFAULT_SITE_FILE = Path("Pulumi.prod.yaml")
DEFAULT_PEER_FILE = Path("Pulumi.peer.yaml")
CONTROL_TIMEOUT_SECONDS = 600.0

app = typer.Typer(
    help="Run the lab: a stand-in Proxmox VE cluster and Backup Servers.",
    no_args_is_help=True,
    add_completion=False,
)


def format_endpoints(endpoints: list[Endpoint], notes: list[str]) -> str:
    """The endpoint table ``status`` and ``up`` print (no secrets)."""
    lines = [f"  {e.product.upper()} {e.name:<8} {e.url:<26} {e.fingerprint}" for e in endpoints]
    return "\n".join(["Lab endpoints (product, name, URL, SHA-256 fingerprint):", *lines, *notes])


def _read_lab_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise typer.BadParameter(f"no lab file at {path} (is a lab running?)")
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _csv(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part)


def parse_clusters(text: str) -> dict[str, tuple[str, ...]]:
    """``peer-pve=tappaas1,cloud=pve1+pve2`` → ``{"peer-pve": ("tappaas1",), …}``."""
    clusters: dict[str, tuple[str, ...]] = {}
    for item in _csv(text):
        name, equals, nodes = item.partition("=")
        if not equals or not name or not nodes:
            raise typer.BadParameter(f"--clusters: {item!r} is not NAME=NODE[+NODE…]")
        clusters[name] = tuple(node for node in nodes.split("+") if node)
    return clusters


def format_clusters(clusters: Mapping[str, tuple[str, ...]]) -> str:
    """Inverse of :func:`parse_clusters`."""
    return ",".join(f"{name}={'+'.join(nodes)}" for name, nodes in clusters.items())


Nodes = Annotated[str, typer.Option(help="Comma-separated PVE node names.")]
Instances = Annotated[str, typer.Option(help="Comma-separated PBS instance names.")]
Clusters = Annotated[
    str,
    typer.Option(help="Secondary PVE clusters: NAME=NODE[+NODE…], comma-separated ('' for none)."),
]
TaskSeconds = Annotated[float, typer.Option(help="How long async tasks stay running.")]
StateFile = Annotated[Path | None, typer.Option(help="Persist the state here across restarts.")]
SchemaDir = Annotated[Path | None, typer.Option(help="Directory with pve*/pbs* apidoc files.")]
Detach = Annotated[bool, typer.Option("--detach", help="Run in the background and return.")]
LabFile = Annotated[Path, typer.Option(help="Where endpoints and credentials are written.")]
Clock = Annotated[str, typer.Option(help="'real' (wall time) or 'simulated' (moves on advance).")]
Start = Annotated[str | None, typer.Option(help="Lab start time, ISO 8601 UTC (default: now).")]


@app.command("up")
def up(
    *,
    nodes: Nodes = DEFAULT_NODES_TEXT,
    pbs: Instances = DEFAULT_PBS_TEXT,
    clusters: Clusters = DEFAULT_CLUSTERS_TEXT,
    task_seconds: TaskSeconds = DEMO_TASK_SECONDS,
    state_file: StateFile = None,
    schema_dir: SchemaDir = None,
    detach: Detach = False,
    lab_file: LabFile = DEFAULT_LAB_FILE,
    clock: Clock = "real",
    start: Start = None,
) -> None:
    """Start the lab."""
    if clock not in CLOCK_MODES:
        raise typer.BadParameter(f"--clock must be one of {', '.join(CLOCK_MODES)}")
    mode: ClockMode = "real" if clock == "real" else "simulated"
    if lab_file.exists() and _alive(int(_read_lab_file(lab_file)["pid"])):
        raise typer.BadParameter(
            f"a lab is already running (see {lab_file}); run 'tappaas lab down' first"
        )
    lab_file.unlink(missing_ok=True)
    config = LabConfig(
        nodes=_csv(nodes),
        pbs=_csv(pbs),
        clusters=parse_clusters(clusters),
        task_seconds=task_seconds,
        state_file=state_file,
        schema_dir=schema_dir,
        clock=mode,
        start_time=epoch(start) if start else None,
    )
    if detach:
        _start_detached(config, lab_file)
        endpoints = [Endpoint.from_dict(e) for e in _read_lab_file(lab_file)["endpoints"]]
        typer.echo(format_endpoints(endpoints, []))
        typer.echo(f"Credentials in {lab_file}. Stop with: tappaas lab down")
        return
    lab = Lab.start(config)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        write_lab_file(lab_file, lab, os.getpid())
        typer.echo(format_endpoints(lab.endpoints(), lab.notes))
        typer.echo(f"Credentials in {lab_file}. Ctrl-C stops the lab.")
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        lab.stop()
        lab_file.unlink(missing_ok=True)


def _start_detached(config: LabConfig, lab_file: Path) -> None:
    command = [sys.executable, "-c", ENTRY, "lab", "up", "--nodes", ",".join(config.nodes)]
    command += ["--pbs", ",".join(config.pbs), "--task-seconds", str(config.task_seconds)]
    command += ["--clusters", format_clusters(config.clusters)]
    command += ["--lab-file", str(lab_file), "--clock", config.clock]
    if config.start_time is not None:
        command += ["--start", iso(config.start_time)]
    if config.state_file is not None:
        command += ["--state-file", str(config.state_file)]
    if config.schema_dir is not None:
        command += ["--schema-dir", str(config.schema_dir)]
    log = lab_file.with_suffix(".log")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        child = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + DETACH_TIMEOUT_SECONDS
    while not lab_file.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            raise typer.BadParameter(f"the lab did not start; see {log}")
        time.sleep(POLL_SECONDS)


@app.command("down")
def down(*, lab_file: LabFile = DEFAULT_LAB_FILE) -> None:
    """Stop a detached lab."""
    pid = int(_read_lab_file(lab_file)["pid"])
    if _alive(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
    lab_file.unlink(missing_ok=True)
    typer.echo("Lab stopped.")


@app.command("status")
def status(*, lab_file: LabFile = DEFAULT_LAB_FILE) -> None:
    """Print the running lab's endpoints and fingerprints."""
    data = _read_lab_file(lab_file)
    if not _alive(int(data["pid"])):
        typer.echo(f"The lab in {lab_file} is not running (stale file).")
        raise typer.Exit(1)
    typer.echo(
        format_endpoints([Endpoint.from_dict(e) for e in data["endpoints"]], list(data["notes"]))
    )


def _control(lab_file: Path, operation: str, **arguments: object) -> object:
    """Call the running lab's control surface (``POST /_lab/<operation>``)."""
    data = _read_lab_file(lab_file)
    endpoint = Endpoint.from_dict(data["endpoints"][0])
    response = requests.post(
        f"{endpoint.url}/_lab/{operation}",
        json=arguments,
        headers={"X-Lab-Token": str(data["control_token"])},
        verify=False,
        timeout=CONTROL_TIMEOUT_SECONDS,
    )
    payload = response.json()
    if response.status_code != 200:
        raise typer.BadParameter(str(payload.get("error")))
    return payload["data"]


@app.command("advance")
def advance(
    *,
    days: Annotated[float, typer.Option(help="Days to move ahead.")] = 0,
    hours: Annotated[float, typer.Option(help="Hours to move ahead.")] = 0,
    minutes: Annotated[float, typer.Option(help="Minutes to move ahead.")] = 0,
    lab_file: LabFile = DEFAULT_LAB_FILE,
) -> None:
    """Move a running lab's clock ahead; everything scheduled on the way runs."""
    moved = _control(lab_file, "advance", days=days, hours=hours, minutes=minutes)
    assert isinstance(moved, dict)
    typer.echo(f"Lab time {moved['iso']} ({moved['runs']} scheduled runs on the way).")


def format_scenario(result: ScenarioResult) -> str:
    """A scenario's timeline, one event per line in lab time order, then its checks."""
    lines = [f"== {result.name}: {result.title}"]
    for entry in result.sorted_timeline():
        where = "" if entry.source == "scenario" else f"{entry.source:<13} {entry.kind:<11} "
        marker = ">>" if entry.source == "scenario" else "  "
        lines.append(f"{iso(entry.time)} {marker} {where}{entry.message}")
    lines.append("Checks:")
    lines += [
        f"  [{'PASS' if check.passed else 'FAIL'}] {check.name}: {check.detail}"
        for check in result.checks
    ]
    return "\n".join(lines)


ScenarioName = Annotated[str, typer.Argument(help="One of: " + ", ".join(SCENARIOS))]
SiteFile = Annotated[Path, typer.Option(help="The site's stack file.")]
PeerFile = Annotated[Path, typer.Option(help="The peer's stack file (keeps the off-site copy).")]


@app.command("scenario")
def scenario(
    name: ScenarioName,
    *,
    site_file: SiteFile = DEFAULT_SITE_FILE,
    peer_file: PeerFile = DEFAULT_PEER_FILE,
) -> None:
    """Play a scenario on labs of its own (simulated clock) and print its timeline."""
    if name not in SCENARIOS:
        raise typer.BadParameter(f"unknown scenario {name!r} (known: {', '.join(SCENARIOS)})")
    results = run_scenario(name, load_stack_file(site_file), load_stack_file(peer_file))
    for result in results:
        typer.echo(format_scenario(result))
    if not all(result.ok for result in results):
        raise typer.Exit(1)
