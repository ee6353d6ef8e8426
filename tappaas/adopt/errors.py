"""Problems with upstream TAPPaaS files, each naming the file and the field to fix.

``UpstreamError`` carries every problem found, so one run of ``tappaas import tappaas``
lists them all (the way ``tappaas check`` lists every config problem).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

WHOLE_FILE = "(file)"
"""Field shown for a problem with a file as a whole (unreadable, not JSON, not an object)."""
_PYDANTIC_PREFIXES = ("Value error, ", "Assertion failed, ")


@dataclass(frozen=True, order=True)
class UpstreamIssue:
    """One problem: ``file`` and ``field`` (``tappaas-nodes[1].ip``) say where, then what."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class UpstreamError(ValueError):
    """The upstream files cannot be imported; ``issues`` lists every problem."""

    def __init__(self, issues: Sequence[UpstreamIssue]) -> None:
        self.issues = tuple(sorted(set(issues)))
        super().__init__("\n".join(str(issue) for issue in self.issues))


def field_path(location: Sequence[str | int]) -> str:
    """``("tappaas-nodes", 1, "ip")`` → ``tappaas-nodes[1].ip``."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or WHOLE_FILE


def issues_from_validation(
    file: Path | str, error: ValidationError, prefix: Sequence[str | int] = ()
) -> list[UpstreamIssue]:
    """Pydantic's errors about an upstream file, as issues naming its fields."""
    issues = []
    for entry in error.errors():
        message = str(entry["msg"])
        for noise in _PYDANTIC_PREFIXES:
            message = message.removeprefix(noise)
        issues.append(UpstreamIssue(str(file), field_path([*prefix, *entry["loc"]]), message))
    return issues
