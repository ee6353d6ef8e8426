"""The root command group, which imports a command's module only when the command runs.

Why: importing Pulumi, the components or the lab takes seconds on a small machine, and a
user typing ``tappaas --help`` or ``tappaas check`` needs none of them. The help listing is
rendered from ``COMMANDS`` alone.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from difflib import get_close_matches

import typer
from typer._click import Command as ClickCommand
from typer._click import Context, HelpFormatter
from typer._click.exceptions import UsageError
from typer.core import TyperGroup

from tappaas.cli.help_style import plain_help


@dataclass(frozen=True)
class Command:
    """A top-level command: the module that defines it (exposing ``app``) and its help line."""

    module: str
    help: str


COMMANDS: dict[str, Command] = {
    "check": Command(
        "tappaas.cli.check", "Check a stack's site config: findings, RPO/RTO per service."
    ),
    "stack": Command("tappaas.cli.stack", "Run a stack with the real Pulumi engine (offline)."),
    "import": Command(
        "tappaas.cli.import_", "Adopt a site set up by upstream TAPPaaS scripts (files, live)."
    ),
    "pr-preview": Command(
        "tappaas.cli.pr_preview", "A stack's findings and planned changes as Markdown, for a PR."
    ),
    "status": Command(
        "tappaas.cli.status", "Live 3-2-1 state of a site, judged OK/WARN/CRIT (exit 0-3)."
    ),
    "drill": Command(
        "tappaas.cli.drill", "Restore drills (RTO/RPO per service) and the internet drill (0-3)."
    ),
    "peer": Command("tappaas.cli.peer", "Pair sites without shared state; guard a copy's history."),
    "demo": Command("tappaas.cli.demo", "The whole story on the lab, with the real engine."),
    "cloud": Command("tappaas.cli.cloud", "Prepare a cloud-recovery stack (host secrets)."),
    "lab": Command("lab.cli", "Run the lab: a stand-in Proxmox VE cluster and Backup Servers."),
}


class LazyGroup(TyperGroup):
    """A group whose subcommands come from ``COMMANDS``, imported on first use."""

    def list_commands(self, ctx: Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Context, cmd_name: str) -> ClickCommand | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(entry.module)
        command = typer.main.get_command(module.app)
        command.name = cmd_name
        plain_help(command)
        self.commands[cmd_name] = command
        return command

    def resolve_command(
        self, ctx: Context, args: list[str]
    ) -> tuple[str | None, ClickCommand | None, list[str]]:
        try:
            return self._click_resolve_command(ctx, args)
        except UsageError as error:
            matches = get_close_matches(args[0], list(COMMANDS)) if args else []
            if matches:
                error.message = f"{error.message.rstrip('.')}. Did you mean {matches[0]!r}?"
            raise

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        """The command list from ``COMMANDS`` (no import)."""
        rows = [(name, entry.help) for name, entry in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def lazy_app() -> typer.Typer:
    """The root ``tappaas`` app (plain help: rich is loaded by the commands that use it)."""
    root = typer.Typer(
        name="tappaas",
        cls=LazyGroup,
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
    )

    @root.callback()
    def tappaas() -> None:
        """TAPPaaS backup, disaster recovery and high availability."""

    return root
