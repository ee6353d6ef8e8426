"""``tappaas drill …``: drills against the live site, read-only unless a drill says otherwise.

Subcommands: ``internet`` (``drill_internet``): will names keep resolving offline? Exit codes
follow the monitoring plugin convention: 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN.
"""

from __future__ import annotations

import typer

from tappaas.cli.drill_internet import internet

app = typer.Typer(
    add_completion=False,
    invoke_without_command=True,
    help="Drills against the live site (exit codes 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN).",
)
app.command("internet", short_help="Will names keep resolving when the uplink dies?")(internet)


@app.callback()
def drill(ctx: typer.Context) -> None:
    """Drills against the live site (exit codes 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN)."""
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
