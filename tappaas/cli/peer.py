"""``tappaas peer …``: what two sites exchange, and what a peer does to keep a copy safe.

Pairing without shared state (``peer_pairing``): ``key`` (on the receiving side: a key pair,
its private half in the stack's secret config), ``invite`` (on the side that grants: the
endpoint and read-only token, sealed to the receiver's public key) and ``accept`` (on the
receiving side: opens the invitation into the stack's config). History safe from its
writer (``peer_history``): ``check`` (monitoring exit codes 0 OK, 1 WARN, 2 CRIT,
3 UNKNOWN) and ``anchor``.
"""

from __future__ import annotations

import typer

from tappaas.cli.peer_history import anchor, check
from tappaas.cli.peer_pairing import accept, invite, key

app = typer.Typer(
    add_completion=False,
    invoke_without_command=True,
    help="Pair sites without sharing state; keep a copy's history safe from its writer.",
)
app.command("key", short_help="A key pair to receive invitations with (prints the public key).")(
    key
)
app.command("invite", short_help="Seal this stack's read-only access for a peer's key.")(invite)
app.command("accept", short_help="Open an invitation into this stack's config.")(accept)
app.command("check", short_help="Forged snapshot dates and missing anchors (0/1/2/3).")(check)
app.command("anchor", short_help="Protect one verified snapshot per group and month.")(anchor)


@app.callback()
def peer(ctx: typer.Context) -> None:
    """Pair sites without sharing state; keep a copy's history safe from its writer."""
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
