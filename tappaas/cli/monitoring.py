"""The exit-code contract of the monitoring commands (``status``, ``drill``).

They follow the monitoring plugin convention (Nagios, Icinga, Zabbix, Checkmk), where the
exit code *is* the result: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. A usage error or
invalid input cannot exit 2 there — a scheduler would read it as CRITICAL — so, as the
Monitoring Plugins Development Guidelines say ("invalid command line arguments" → UNKNOWN),
these commands exit 3 for anything that kept them from checking: bad options, an invalid
config, an unreadable stack, an unreachable source, an internal error. The message says
which, on stderr.
"""

from __future__ import annotations

from typing import Any

from typer._click import Context
from typer._click.exceptions import ClickException
from typer.core import TyperCommand, TyperGroup

from tappaas.health import State

EXIT_UNKNOWN = int(State.UNKNOWN)
EXIT_CODES_HELP = (
    "Exit codes (monitoring plugin convention): 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN "
    "(a source unreachable, bad usage or invalid input: the message says which)."
)


def _as_unknown(error: ClickException) -> ClickException:
    error.exit_code = EXIT_UNKNOWN
    return error


class _UsageErrorsAreUnknown:
    """Turns the click errors of parsing and invoking into exit 3 (mixed into a command)."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: Context | None = None, **extra: Any
    ) -> Context:
        try:
            return super().make_context(info_name, args, parent, **extra)  # type: ignore[misc,no-any-return]
        except ClickException as error:
            raise _as_unknown(error) from None

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)  # type: ignore[misc]
        except ClickException as error:
            raise _as_unknown(error) from None


class MonitoringCommand(_UsageErrorsAreUnknown, TyperCommand):
    """A command whose usage and input errors exit 3 (UNKNOWN), not 2 (CRITICAL)."""


class MonitoringGroup(_UsageErrorsAreUnknown, TyperGroup):
    """The same for a group (``drill`` and its subcommands)."""
