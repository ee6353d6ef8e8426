"""One help style for every command: plain (like the root's), with classic metavars.

Typer 0.29 boxes help with rich (a tenth of a second to import) and shows types as
``<str>``/``<bool>``, positionals in the usage line as ``{stack}``. Commands here read
``tappaas stack up STACK [OPTIONS]``: positionals in capitals, values as ``TEXT``/``PATH``/
``NUMBER``, flags with nothing after them. Applied to each command as the root loads it.
"""

from __future__ import annotations

from typer._click import Command, Context
from typer.core import TyperArgument, TyperOption

_VALUE_WORDS = {"<str>": "TEXT", "<path>": "PATH", "<float>": "NUMBER", "<int>": "INTEGER"}


class PlainArgument(TyperArgument):
    """A positional shown as ``STACK`` (required) or ``[STACK]``, with no type after it."""

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        name = name if self.required else f"[{name}]"
        return f"{name}..." if self.nargs != 1 else name

    def display_type_rich(self, ctx: Context) -> str | None:
        return None


class PlainOption(TyperOption):
    """An option shown with a value word (``--dir PATH``); a flag with none."""

    def display_type_rich(self, ctx: Context) -> str | None:
        if self.metavar is not None:
            return self.metavar
        shown = self.display_type(ctx)
        return _VALUE_WORDS.get(shown, shown.strip("<>").upper())


def plain_help(command: Command) -> None:
    """Apply the style to ``command`` and its subcommands (in place)."""
    if hasattr(command, "rich_markup_mode"):
        command.rich_markup_mode = None
    for param in command.params:
        if isinstance(param, TyperArgument):
            if param.metavar is None and param.name is not None:
                param.metavar = param.name.upper()
            param.__class__ = PlainArgument
        elif isinstance(param, TyperOption):
            param.__class__ = PlainOption
    for sub in getattr(command, "commands", {}).values():
        plain_help(sub)
