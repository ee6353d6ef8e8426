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
from lab.scenario_output import PrintingListener
from lab.scenarios import SCENARIOS, run_scenario, streaming, unmet_needs
from lab.sim.clock import CLOCK_MODES, ClockMode, epoch, iso
from tappaas.cli.errors import InputError, OperationFailed
from tappaas.model import ConfigError, SiteConfig, load_stack_file

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
    """The lab file a running lab wrote; an input error if there is none or it is not one."""
    if not path.exists():
        raise InputError(f"no lab file at {path}: no lab is running (start one: tappaas lab up)")
    try:
        data = json.loads(path.read_text())
        int(data["pid"])
        [Endpoint.from_dict(entry) for entry in data["endpoints"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InputError(f"{path} is not a lab file ({type(error).__name__}: {error})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path} is not a lab file")
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
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _start_time(start: str | None) -> float | None:
    """``--start`` as Unix seconds: ISO 8601, UTC unless it says otherwise."""
    if start is None:
        return None
    try:
        return epoch(start)
    except ValueError:
        raise InputError(
            f"--start {start!r} is not an ISO 8601 time (e.g. 2025-01-01T00:00:00Z)"
        ) from None


def _lab_config(
    *,
    nodes: str,
    pbs: str,
    clusters: str,
    task_seconds: float,
    state_file: Path | None,
    schema_dir: Path | None,
    clock: str,
    start: str | None,
) -> LabConfig:
    """The lab's shape from ``lab up``'s options, or an input error naming the option."""
    if clock not in CLOCK_MODES:
        raise InputError(f"--clock must be one of {', '.join(CLOCK_MODES)}, not {clock!r}")
    if not _csv(nodes):
        raise InputError(f"--nodes {nodes!r} names no node: give at least one, e.g. tappaas1")
    if task_seconds < 0:
        raise InputError(f"--task-seconds must be 0 or more, not {task_seconds}")
    if schema_dir is not None and not schema_dir.is_dir():
        raise InputError(f"--schema-dir {schema_dir} is not a directory")
    mode: ClockMode = "real" if clock == "real" else "simulated"
    try:
        return LabConfig(
            nodes=_csv(nodes),
            pbs=_csv(pbs),
            clusters=parse_clusters(clusters),
            task_seconds=task_seconds,
            state_file=state_file,
            schema_dir=schema_dir,
            clock=mode,
            start_time=_start_time(start),
        )
    except ValueError as error:
        raise InputError(f"cannot start this lab: {error}") from None


def parse_clusters(text: str) -> dict[str, tuple[str, ...]]:
    """``peer-pve=tappaas1,cloud=pve1+pve2`` → ``{"peer-pve": ("tappaas1",), …}``."""
    clusters: dict[str, tuple[str, ...]] = {}
    for item in _csv(text):
        name, equals, nodes = item.partition("=")
        if not equals or not name or not nodes:
            raise InputError(f"--clusters: {item!r} is not NAME=NODE[+NODE…]")
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
Background = Annotated[bool, typer.Option("--background", hidden=True)]
"""Set by ``--detach`` on the lab process it starts (its output goes to a log file)."""


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
    background: Background = False,
) -> None:
    """Start the lab (in the foreground until Ctrl-C, or --detach)."""
    config = _lab_config(
        nodes=nodes,
        pbs=pbs,
        clusters=clusters,
        task_seconds=task_seconds,
        state_file=state_file,
        schema_dir=schema_dir,
        clock=clock,
        start=start,
    )
    if lab_file.exists() and _alive(int(_read_lab_file(lab_file)["pid"])):
        raise InputError(f"a lab is already running (see {lab_file}); run 'tappaas lab down' first")
    lab_file.unlink(missing_ok=True)
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
        stop = "Stop with: tappaas lab down" if background else "Ctrl-C stops the lab."
        typer.echo(f"Credentials in {lab_file}. {stop}", err=False)
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
    command += ["--lab-file", str(lab_file), "--clock", config.clock, "--background"]
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
            raise OperationFailed(f"the lab did not start; see {log}")
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
    try:
        response = requests.post(
            f"{endpoint.url}/_lab/{operation}",
            json=arguments,
            headers={"X-Lab-Token": str(data["control_token"])},
            verify=False,
            timeout=CONTROL_TIMEOUT_SECONDS,
        )
    except requests.ConnectionError:
        raise OperationFailed(
            f"the lab in {lab_file} does not answer at {endpoint.url} (stopped? see "
            "tappaas lab status)"
        ) from None
    payload = response.json()
    if response.status_code != 200:
        raise InputError(str(payload.get("error")))
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
    """Play a scenario on labs of its own (simulated clock), printing its timeline as it
    plays, then its checks. Exit 1 if a check fails."""
    if name not in SCENARIOS:
        raise InputError(f"unknown scenario {name!r} (known: {', '.join(SCENARIOS)})")
    site = _stack_file(site_file, "--site-file")
    peer = _stack_file(peer_file, "--peer-file")
    if unmet := unmet_needs(name, site, peer):
        raise InputError(
            f"scenario {name} cannot run on {site_file} with {peer_file}: it needs "
            + "; ".join(unmet)
        )
    with streaming(PrintingListener(sys.stdout, sys.stderr)):
        results = run_scenario(name, site, peer)
    if not all(result.ok for result in results):
        raise typer.Exit(1)


def _stack_file(path: Path, option: str) -> SiteConfig:
    """A scenario's stack file, or an input error naming the option and the problem."""
    if not path.is_file():
        here = f" in {Path.cwd()}" if not path.is_absolute() else ""
        raise InputError(
            f"{option}: no stack file {path}{here}; run in the project folder or give {option} PATH"
        )
    try:
        return load_stack_file(path)
    except ConfigError as error:
        problems = "\n".join(f"  {issue}" for issue in error.issues)
        raise InputError(f"{option} {path}: invalid site config:\n{problems}") from None
