"""``tappaas drill``: prove recovery — restore services, boot them isolated, measure RTO/RPO.

Without a subcommand it runs a restore drill (``tappaas.drill``) of the chosen services from
the chosen copy, prints the RTO/RPO table, writes ``<drill-dir>/<stack>/<id>.json`` and
``.md`` and appends the history; ``--report`` prints the RTO trend from that history instead.
``tappaas drill internet`` (``drill_internet``) is the other drill: will names keep resolving
when the uplink dies?

Both follow the monitoring plugin convention (``tappaas.cli.monitoring``): 0 OK, 1 WARN,
2 CRIT, 3 UNKNOWN, and 3 for bad usage or input too. For a restore drill: 0 every drill
passed within target, 1 a drill passed but over its RTO/RPO target (or the trend shows an
RTO beyond target), 2 a drill failed, 3 a drill could not run (refused, a source unreachable,
bad usage — the message says which). Ctrl-C or SIGTERM stops the drills and deletes their
VMs; a killed run leaves VMs the next run removes first.
"""

from __future__ import annotations

import fcntl
import os
import random
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console
from typer._click.core import ParameterSource

from tappaas.cli.drill_format import (
    format_drill_json,
    format_drill_markdown,
    format_drill_table,
    format_trends,
)
from tappaas.cli.drill_internet import internet
from tappaas.cli.errors import InputError
from tappaas.cli.monitoring import EXIT_CODES_HELP, EXIT_UNKNOWN, MonitoringGroup
from tappaas.cli.stack_access import DEFAULT_BACKEND, credentials, load_site
from tappaas.client import ProxmoxClient, ProxmoxError
from tappaas.drill import DEFAULT_DIR, Drill, DrillArchive, DrillOptions, HistoryError
from tappaas.health import Source, State, trends, worst
from tappaas.model import SiteConfig

app = typer.Typer(
    cls=MonitoringGroup,
    invoke_without_command=True,
    add_completion=False,
    help="Restore drills (measured RTO/RPO per service) and the internet drill.",
)
app.command(
    "internet",
    short_help="Will names keep resolving when the uplink dies?",
    epilog=EXIT_CODES_HELP,
)(internet)
LOCK_FILE = ".lock"
console = Console()


def choose_services(
    site: SiteConfig, services: list[str], everything: bool, sample: int | None
) -> list[str]:
    """``--service`` (repeatable), ``--all`` or ``--sample N``: exactly one of them."""
    chosen = [bool(services), everything, sample is not None]
    if sum(chosen) != 1:
        raise typer.BadParameter("give exactly one of --service S, --all or --sample N")
    backed_up = [name for name, s in site.services.items() if s.backup.enabled]
    if everything:
        return backed_up
    if sample is not None:
        if sample < 1:
            raise typer.BadParameter("--sample must be at least 1")
        return sorted(random.sample(backed_up, min(sample, len(backed_up))))
    unknown = [name for name in services if name not in site.services]
    if unknown:
        raise typer.BadParameter(
            f"unknown service(s) {', '.join(unknown)} (services: {', '.join(site.services)})"
        )
    return list(dict.fromkeys(services))


@contextmanager
def exclusive(folder: Path) -> Iterator[None]:
    """One drill per stack at a time: drills of two runs would delete each other's VMs."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LOCK_FILE).open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(f"another drill of this stack is running ({folder})") from None
        handle.write(str(os.getpid()))
        handle.flush()
        yield


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """SIGTERM (a systemd stop, a timeout) cleans up like Ctrl-C."""

    def interrupt(_signal: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def show_report(archive: DrillArchive) -> None:
    """``--report``: the RTO trend per service; exit by the worst trend."""
    try:
        history = archive.load()
    except HistoryError as error:
        raise InputError(str(error)) from None
    if not history:
        raise InputError(f"no drills recorded yet in {archive.history_file}")
    found = trends(history)
    console.print(format_trends(found))
    raise typer.Exit(int(worst(t.state for t in found)))


def refuse_options_before_subcommand(ctx: typer.Context) -> None:
    """``tappaas drill --stack x internet`` would drop ``--stack``: a subcommand takes its own
    options after its name."""
    given = [
        name for name in ctx.params if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE
    ]
    if given:
        raise typer.BadParameter(
            f"the restore drill's options ({', '.join('--' + g for g in given)}) do not apply "
            f"to 'drill {ctx.invoked_subcommand}': give its options after it "
            f"(tappaas drill {ctx.invoked_subcommand} --help)"
        )


@app.callback(epilog=EXIT_CODES_HELP)
def drill(
    ctx: typer.Context,
    *,
    stack: Annotated[
        str | None, typer.Option("--stack", help="Stack name (Pulumi.<stack>.yaml).")
    ] = None,
    service: Annotated[
        list[str] | None,
        typer.Option("--service", metavar="NAME", help="A service to drill (repeatable)."),
    ] = None,
    everything: Annotated[bool, typer.Option("--all", help="Drill every service.")] = False,
    sample: Annotated[
        int | None, typer.Option("--sample", help="Drill N services chosen at random.")
    ] = None,
    source: Annotated[
        Source, typer.Option("--from", help="Restore from the local PBS or the peer's copy.")
    ] = Source.LOCAL,
    node: Annotated[
        str | None, typer.Option("--node", help="Run drill VMs here (default: home node).")
    ] = None,
    keep_on_failure: Annotated[
        bool, typer.Option("--keep-on-failure", help="Keep a failed drill's VM to inspect.")
    ] = False,
    report: Annotated[
        bool, typer.Option("--report", help="Show the RTO trend from the history.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run as JSON.")] = False,
    project_dir: Annotated[Path, typer.Option("--dir", help="Project directory.")] = Path(),
    backend: Annotated[
        Path, typer.Option("--backend", help="Local state backend directory.")
    ] = DEFAULT_BACKEND,
    drill_dir: Annotated[
        Path, typer.Option("--drill-dir", help="Where history and reports are kept.")
    ] = DEFAULT_DIR,
) -> None:
    """Restore services into the isolated drill network, probe them, delete them, and
    report measured RTO and RPO against the policy's targets (tappaas drill --stack NAME
    --all). 'tappaas drill internet --stack NAME' checks name resolution instead."""
    if ctx.invoked_subcommand is not None:
        refuse_options_before_subcommand(ctx)
        return
    if not ctx.args and all(
        ctx.get_parameter_source(name) is not ParameterSource.COMMANDLINE for name in ctx.params
    ):
        typer.echo(ctx.get_help(), err=True)
        raise typer.Exit(EXIT_UNKNOWN)
    if stack is None:
        raise typer.BadParameter("--stack is required")
    archive = DrillArchive(project_dir / drill_dir, stack)
    if report:
        show_report(archive)
    site = load_site(stack, project_dir)
    chosen = choose_services(site, service or [], everything, sample)
    if node is not None and node not in site.nodes:
        raise typer.BadParameter(f"--node {node!r} is not a declared node")
    with credentials(stack, project_dir, backend) as secrets:
        settings = secrets[stack].pve_settings(site)
    runner = Drill(
        site,
        lambda: ProxmoxClient(settings),
        DrillOptions(source=source, node=node, keep_on_failure=keep_on_failure),
        on_event=lambda text: console.print(f"  {text}", style="dim", highlight=False),
    )
    with exclusive(archive.folder), sigterm_interrupts():
        try:
            run = runner.run(chosen)
        except KeyboardInterrupt:
            console.print("interrupted: the drill VMs of this run were deleted", style="magenta")
            raise typer.Exit(EXIT_UNKNOWN) from None
        except ProxmoxError as error:
            console.print(f"UNKNOWN: pve: {error}", style="magenta")
            raise typer.Exit(EXIT_UNKNOWN) from None
    json_path, markdown_path = archive.record(run, format_drill_markdown(run))
    if as_json:
        typer.echo(format_drill_json(run))
    else:
        console.print(format_drill_table(run))
        console.print(f"{run.state.name}: reports {json_path} and {markdown_path}")
    raise typer.Exit(int(run.state if run.results or run.refused else State.UNKNOWN))
