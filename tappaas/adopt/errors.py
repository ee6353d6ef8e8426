"""Problems with upstream TAPPaaS files, each naming the file and the field to fix.

``UpstreamError`` carries every problem found, so one run of ``tappaas import tappaas``
lists them all (the way ``tappaas check`` lists every config problem).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from tappaas.model.errors import ROOT_PATH, issues_from_pydantic

WHOLE_FILE = "(file)"
"""Field shown for a problem with a file as a whole (unreadable, not JSON, not an object)."""


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


def issues_from_validation(
    file: Path | str, error: ValidationError, prefix: Sequence[str | int] = ()
) -> list[UpstreamIssue]:
    """Pydantic's errors about an upstream file, as issues naming its fields
    (``tappaas-nodes[1].ip``), read as the model reads a stack's."""
    return [
        UpstreamIssue(
            str(file), WHOLE_FILE if issue.path == ROOT_PATH else issue.path, issue.message
        )
        for issue in issues_from_pydantic(error, prefix)
    ]
