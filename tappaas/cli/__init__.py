"""The ``tappaas`` command: thin typer commands over the public API (``format_*`` render).

Each command lives in its own module, exposing ``app`` (a ``typer.Typer``), and is listed in
``COMMANDS`` with its one-line help. The root group imports a command's module only when that
command runs, so ``tappaas --help`` and ``tappaas check`` load neither Pulumi nor the lab.

Exit codes, for every command (``tappaas.cli.errors``): 0 success; 1 blocking findings or a
failed operation; 2 invalid input or usage; 3 an internal error (one line on stderr, the
details in a file). Monitoring commands (``status``, ``drill``) follow the monitoring plugin
convention instead and say so in their help.
"""

from __future__ import annotations

from tappaas.cli.errors import run
from tappaas.cli.lazy import COMMANDS, Command, lazy_app

app = lazy_app()


def main() -> None:
    """Console entry point: runs ``app`` under the exit-code contract."""
    run(app)


__all__ = ["COMMANDS", "Command", "app", "main"]
