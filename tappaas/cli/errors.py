"""The exit-code contract of every ``tappaas`` command, and how failures reach the user.

Exception tree (raise these from commands; never print a traceback for what a user typed)::

    ClickException (typer)    shown as ``Error: <message>`` on stderr
    ├── InputError            exit 2: invalid input (a file, a value, a missing lab) — say which
    └── OperationFailed       exit 1: the operation ran and failed (a preview, a scenario)

Anything else escaping a command is a defect: ``run`` prints one line naming the error and
the file holding the traceback, and exits 3. ``typer.BadParameter`` and other usage errors
exit 2; ``typer.Exit(n)`` exits ``n`` (``check`` uses 1 for blocking findings).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

import typer
from typer._click.exceptions import ClickException

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID_INPUT = 2
EXIT_INTERNAL_ERROR = 3
CRASH_DIR_ENV = "TAPPAAS_CRASH_DIR"


class InputError(ClickException):
    """The user's input cannot be used: a file, a value, a name. Exit 2."""

    exit_code = EXIT_INVALID_INPUT


class OperationFailed(ClickException):
    """The command ran and what it did failed (the reason is in the message). Exit 1."""

    exit_code = EXIT_FAILED


def crash_dir() -> Path:
    """Where tracebacks of internal errors go: ``$TAPPAAS_CRASH_DIR`` or the temp dir."""
    return Path(os.environ.get(CRASH_DIR_ENV) or Path(tempfile.gettempdir()) / "tappaas-crash")


def report_internal_error(error: BaseException) -> Path:
    """Write the traceback to a file of its own (mode 0600) and return its path."""
    folder = crash_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"crash-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.txt"
    text = "".join(traceback.format_exception(error))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(f"tappaas {' '.join(sys.argv[1:])}\n{text}")
    return path


def run(app: typer.Typer, args: Sequence[str] | None = None) -> None:
    """Run ``app`` as the ``tappaas`` command and exit with the contract's code."""
    command = typer.main.get_command(app)
    try:
        command.main(args=args, prog_name="tappaas", standalone_mode=True)
    except SystemExit:
        raise
    except Exception as error:  # the one place that turns a defect into exit 3
        where = report_internal_error(error)
        print(
            f"tappaas: internal error: {type(error).__name__}: {error} (details in {where})",
            file=sys.stderr,
        )
        sys.exit(EXIT_INTERNAL_ERROR)
