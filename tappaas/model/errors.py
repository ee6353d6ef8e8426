"""Config problems, each with the path the admin has to edit.

``ConfigError`` carries every problem at once (pydantic's and the cross-field checks'), so one
run of ``tappaas check`` shows the whole list, not the first mistake.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

ROOT_PATH = "(site)"
"""Path shown for a problem with the config as a whole."""
_PYDANTIC_PREFIXES = ("Value error, ", "Assertion failed, ")


@dataclass(frozen=True, order=True)
class ConfigIssue:
    """One problem: ``path`` like ``services.nextcloud.ha.failover_node``, and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ConfigError(ValueError):
    """The site config is invalid; ``issues`` lists every problem, ``str()`` one per line."""

    def __init__(self, issues: Sequence[ConfigIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


def is_under(path: str, parent: str) -> bool:
    """``path`` is ``parent`` or inside it (``a.b.c`` and ``a.b[0]`` are under ``a.b``)."""
    return path == parent or path.startswith((f"{parent}.", f"{parent}["))


def join_path(*parts: str | int) -> str:
    """``("services", "x", "ha")`` → ``services.x.ha``; list indexes as ``[2]``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or ROOT_PATH


def issues_from_pydantic(
    error: ValidationError, prefix: Sequence[str | int] = ()
) -> list[ConfigIssue]:
    """Pydantic's errors as issues: dotted paths, and messages without pydantic's prefixes.

    A bad mapping key is reported at the key itself (pydantic appends ``[key]``).
    """
    issues = []
    for entry in error.errors():
        location = [part for part in entry["loc"] if _is_config_key(part)]
        message = entry["msg"]
        for noise in _PYDANTIC_PREFIXES:
            message = message.removeprefix(noise)
        issues.append(ConfigIssue(join_path(*prefix, *location), message))
    return issues


def _is_config_key(part: str | int) -> bool:
    """Whether a location part is a config key, not pydantic's marker (``[key]``, ``[...]``)."""
    return isinstance(part, int) or "[" not in part


def unique_sorted(issues: Iterable[ConfigIssue]) -> list[ConfigIssue]:
    """Issues once each, ordered by path so related problems sit together."""
    return sorted(set(issues))
