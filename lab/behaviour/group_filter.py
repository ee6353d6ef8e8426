"""PBS group filters (``group-filter`` of sync jobs): which backup groups a job touches.

``[exclude:|include:](type:<vm|ct|host> | group:<type>/<id> | regex:<RE>)``, repeatable. A group
is selected when there is no include filter or any include filter matches, and no exclude
filter matches (proxmox-rs ``BackupGroup::apply_filters``). The regex is an unanchored search
in the group's text, ``vm/100``. Python's ``re`` stands in for Rust's ``regex`` crate; the
patterns people write for groups mean the same in both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from lab.behaviour.snapshots import BackupGroup, BackupType

__all__ = ["FilterKind", "GroupFilter", "apply_filters"]


class FilterKind(StrEnum):
    """What a filter compares: the backup type, the whole group, or a regex on ``vm/100``."""

    TYPE = "type"
    GROUP = "group"
    REGEX = "regex"


@dataclass(frozen=True, slots=True)
class GroupFilter:
    """One parsed ``group-filter`` entry; ``str()`` gives back the PBS text."""

    kind: FilterKind
    value: str
    exclude: bool = False
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Validate the value as PBS's schema does, and compile a regex once."""
        if self.kind is FilterKind.TYPE:
            BackupType(self.value)
        elif self.kind is FilterKind.GROUP:
            BackupGroup.parse(self.value)
        else:
            object.__setattr__(self, "_pattern", re.compile(self.value))

    @classmethod
    def parse(cls, text: str) -> GroupFilter:
        """Parse e.g. ``exclude:regex:^vm/1\\d\\d$`` (``ValueError`` if malformed)."""
        mode, _, rest = text.partition(":")
        exclude = mode == "exclude"
        if mode not in ("include", "exclude"):
            rest = text
        kind, separator, value = rest.partition(":")
        if not separator:
            raise ValueError(
                "input doesn't match expected format '<group:GROUP||type:<vm|ct|host>|regex:REGEX>'"
            )
        try:
            filter_kind = FilterKind(kind)
        except ValueError:
            raise ValueError(f"expected 'group', 'type' or 'regex' prefix, got '{kind}'") from None
        return cls(filter_kind, value, exclude)

    def matches(self, group: BackupGroup) -> bool:
        """Whether this filter's test holds for ``group`` (ignoring include/exclude)."""
        if self._pattern is not None:
            return self._pattern.search(str(group)) is not None
        if self.kind is FilterKind.TYPE:
            return group.type == self.value
        return str(group) == self.value

    def __str__(self) -> str:
        return f"{'exclude' if self.exclude else 'include'}:{self.kind}:{self.value}"


def apply_filters(group: BackupGroup, filters: Sequence[GroupFilter]) -> bool:
    """Whether a job with ``filters`` selects ``group`` (no filters: every group)."""
    includes = [f for f in filters if not f.exclude]
    excludes = [f for f in filters if f.exclude]
    included = not includes or any(f.matches(group) for f in includes)
    return included and not any(f.matches(group) for f in excludes)
