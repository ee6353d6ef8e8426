"""``tappaas status``: the live 3-2-1 state of a site, judged line by line (read-only).

It reads the site's PVE and PBS with the stack's own tokens (and the off-site copy as
``tappaas.automation.credentials`` explains: the peer's reads in the site's task log, or,
with ``--recovery-stack``, the copy itself listed with the peer's read-only restore token
that stack holds), judges every line with the rules of
``tappaas.health`` and prints a table (80 columns), ``--json``, or also writes
``--prometheus FILE`` (node_exporter textfile format). Exit codes follow the monitoring
plugin convention: 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN (a source unreachable, bad usage or
invalid input — the message says which). Nothing is written anywhere but that file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from tappaas.cli.errors import InputError
from tappaas.cli.monitoring import EXIT_CODES_HELP, MonitoringCommand
from tappaas.cli.stack_access import DEFAULT_BACKEND, credentials, load_site
from tappaas.drill import DEFAULT_DIR, DrillArchive, HistoryError
from tappaas.health import (
    DrillOutcome,
    Metric,
    SourceError,
    State,
    StatusReport,
    evaluate,
    outcomes,
)
from tappaas.health.drills import HISTORY_SOURCE
from tappaas.observe import observe

app = typer.Typer(add_completion=False)

STATE_STYLE = {
    State.OK: "green",
    State.WARN: "yellow",
    State.CRIT: "bold red",
    State.UNKNOWN: "magenta",
}
METRIC_PREFIX = "tappaas_"
CHECK_WIDTH = 13
STATE_WIDTH = 7


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def format_status_table(report: StatusReport) -> Group:
    """Each subject (a service, a datastore, a job) as a heading, its checks below: check,
    state and why, so the why keeps most of the 80 columns."""
    parts: list[RenderableType] = []
    table: Table | None = None
    previous = None
    for line in report.lines:
        if line.subject != previous or table is None:
            previous = line.subject
            parts.append(Text(line.subject, style="bold"))
            table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
            table.add_column("check", width=CHECK_WIDTH, no_wrap=True)
            table.add_column("state", width=STATE_WIDTH, no_wrap=True)
            table.add_column("why", ratio=1, overflow="fold")
            parts.append(table)
        table.add_row(
            f"  {line.check.value}", Text(line.state.name, style=STATE_STYLE[line.state]), line.why
        )
    return Group(*parts)


def format_summary(report: StatusReport) -> Text:
    """``home: CRIT (2 CRIT, 1 WARN, 30 OK) at <time>``, then each unreachable source: the
    first line is the result, as a Nagios/Icinga check's status text."""
    text = Text(f"{report.site}: ")
    text.append(report.state.name, style=STATE_STYLE[report.state])
    counts = [f"{report.count(s)} {s.name}" for s in State if report.count(s)]
    text.append(f" ({', '.join(counts) or 'no checks'}) at {iso(report.now)}")
    for error in report.unreachable:
        text.append(f"\nunreachable: {error.source}: {error.message}", style="magenta")
    return text


def format_status(report: StatusReport) -> Group:
    """The summary first (the check result), then every subject with its checks."""
    return Group(format_summary(report), format_status_table(report))


def format_json(report: StatusReport) -> str:
    """Machine-readable: every line with its figures, the overall state and exit code."""
    document: dict[str, Any] = {
        "site": report.site,
        "time": report.now,
        "state": report.state.name,
        "exit_code": int(report.state),
        "lines": [
            {
                "subject": line.subject,
                "check": line.check.value,
                "state": line.state.name,
                "why": line.why,
                "metrics": {metric.value: value for metric, value in line.metrics},
            }
            for line in report.lines
        ],
        "unreachable": [{"source": e.source, "message": e.message} for e in report.unreachable],
    }
    return json.dumps(document, indent=2)


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _family(name: str, help_text: str, samples: Iterable[tuple[dict[str, str], float]]) -> str:
    rows = [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    for labels, value in samples:
        text = ",".join(f'{key}="{_label(val)}"' for key, val in labels.items())
        rows.append(f"{name}{{{text}}} {value:g}")
    return "\n".join(rows)


def format_prometheus(report: StatusReport) -> str:
    """node_exporter textfile format: states as numbers (0-3), ages in seconds."""
    site = {"site": report.site}
    families = [
        _family(
            f"{METRIC_PREFIX}status_state",
            "State of a check: 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN.",
            (
                ({**site, "subject": line.subject, "check": line.check.value}, int(line.state))
                for line in report.lines
            ),
        ),
        _family(
            f"{METRIC_PREFIX}status_overall",
            "The worst state (the exit code of tappaas status).",
            [(site, int(report.state))],
        ),
        _family(
            f"{METRIC_PREFIX}status_timestamp_seconds",
            "When the cluster was read (its clock).",
            [(site, report.now)],
        ),
        _family(
            f"{METRIC_PREFIX}source_up",
            "Whether a source could be read (1) or not (0).",
            (({**site, "source": e.source}, 0) for e in report.unreachable),
        ),
    ]
    for metric in Metric:
        samples = [
            ({**site, "subject": line.subject}, value)
            for line in report.lines
            for name, value in line.metrics
            if name is metric
        ]
        if samples:
            families.append(_family(f"{METRIC_PREFIX}{metric.value}", metric.help, samples))
    return "\n".join(families) + "\n"


def write_textfile(path: Path, text: str) -> None:
    """Atomically (temp file + rename), as node_exporter's textfile collector asks."""
    folder = path.parent if str(path.parent) else Path()
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise InputError(f"--prometheus {path}: {error.strerror}") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def drill_outcomes(drill_dir: Path, stack: str) -> dict[str, DrillOutcome] | SourceError:
    """The last drills per service from the history file, or why it cannot be read."""
    try:
        return outcomes(DrillArchive(drill_dir, stack).load())
    except HistoryError as error:
        return SourceError(HISTORY_SOURCE, str(error))


@app.command("status", cls=MonitoringCommand, epilog=EXIT_CODES_HELP)
def status(
    *,
    stack: Annotated[str, typer.Option("--stack", help="Stack name (Pulumi.<stack>.yaml).")],
    project_dir: Annotated[Path, typer.Option("--dir", help="Project directory.")] = Path(),
    backend: Annotated[
        Path, typer.Option("--backend", help="Local state backend directory.")
    ] = DEFAULT_BACKEND,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    prometheus: Annotated[
        Path | None,
        typer.Option("--prometheus", help="Also write node_exporter textfile metrics here."),
    ] = None,
    drill_dir: Annotated[
        Path, typer.Option("--drill-dir", help="Where drill history is kept.")
    ] = DEFAULT_DIR,
    recovery_stack: Annotated[
        str | None,
        typer.Option(
            "--recovery-stack",
            help="List the copy on the peer with this cloud-recovery stack's restore token "
            "(default: the peer's reads in the site's task log).",
        ),
    ] = None,
) -> None:
    """Live 3-2-1 state: backups, verify, off-site, replication, HA, drills, jobs."""
    site = load_site(stack, project_dir)
    others = [recovery_stack] if recovery_stack else []
    with credentials(stack, project_dir, backend, *others) as secrets:
        peer = None
        if recovery_stack:
            recovery = load_site(recovery_stack, project_dir)
            peer = secrets[recovery_stack].restore_reader(recovery)
        sources = secrets[stack].sources(site, peer)
    observation = observe(site, sources, drill_outcomes(project_dir / drill_dir, stack))
    report = evaluate(site, observation)
    if prometheus is not None:
        write_textfile(prometheus, format_prometheus(report))
    if as_json:
        typer.echo(format_json(report))
    else:
        Console().print(format_status(report))
    raise typer.Exit(int(report.state))
