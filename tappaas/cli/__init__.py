"""The ``tappaas`` command: thin typer commands over the public API (``format_*`` render)."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="tappaas",
    help="TAPPaaS backup, disaster recovery and high availability.",
    no_args_is_help=True,
    add_completion=False,
)


def main() -> None:
    """Console entry point."""
    app()


from tappaas.cli import check as _check  # noqa: F401,E402
from tappaas.cli import demo as _demo  # noqa: F401,E402
from tappaas.cli import lab as _lab  # noqa: F401,E402
from tappaas.cli import stack as _stack  # noqa: F401,E402
