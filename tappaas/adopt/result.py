"""What an import produces besides the site config: decisions, secrets, and what was left out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tappaas.model.errors import is_under

PLACEHOLDER = "DECIDE: "
"""Prefix of a value the upstream files cannot supply; the question follows it. It fails the
site model's validation at exactly its path, so ``tappaas check`` names it too."""


def placeholder(question: str) -> str:
    return f"{PLACEHOLDER}{question}"


def is_placeholder(value: Any) -> bool:
    """A placeholder string, or a list holding one (e.g. a pool's device list)."""
    if isinstance(value, list):
        return any(is_placeholder(item) for item in value)
    return isinstance(value, str) and value.startswith(PLACEHOLDER)


@dataclass(frozen=True, order=True)
class Decision:
    """Something to decide by hand: ``path`` in the site config, the question, and where in
    the upstream files it comes from (``source``: ``file: field``)."""

    path: str
    question: str
    source: str


@dataclass(frozen=True)
class SecretToSet:
    """A secret the stack references by name: set it with ``pulumi config set --secret``."""

    key: str
    what: str
    how: str


@dataclass(frozen=True, order=True)
class NotImported:
    """A field (or a whole file) of the upstream files that is not in the site config."""

    file: str
    field: str
    reason: str


@dataclass(frozen=True)
class Difference:
    """Where the imported stack departs from what upstream TAPPaaS set up (design item)."""

    topic: str
    upstream: str
    imported: str
    consequence: str


@dataclass(frozen=True)
class Conversion:
    """The site config (a ``tappaas:site`` mapping, placeholders where a decision is open)
    and everything the user must know about it."""

    site: dict[str, Any]
    decisions: tuple[Decision, ...] = ()
    secrets: tuple[SecretToSet, ...] = ()
    not_imported: tuple[NotImported, ...] = ()
    differences: tuple[Difference, ...] = ()
    provenance: dict[str, str] = field(default_factory=dict)
    """Site config path → ``file: field`` it was read from, to name the source of a problem."""

    def source_of(self, path: str) -> str | None:
        """The upstream source of ``path`` or of its closest parent that has one (a list
        item's parent is the list: ``a.b[0]`` is under ``a.b``)."""
        parents = [known for known in self.provenance if is_under(path, known)]
        return self.provenance[max(parents, key=len)] if parents else None
