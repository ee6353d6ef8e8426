"""Section-config files (``/etc/pve/*.cfg``, ``/etc/proxmox-backup/*.cfg``) with digests.

Both products keep each config file as typed sections and hand out a digest of the file;
an update carrying a different digest fails with "detected modified configuration - file
changed by other user? Try again.". PVE's digest is SHA-1 hex, PBS's SHA-256 hex.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

MODIFIED_MESSAGE = "detected modified configuration - file changed by other user? Try again."
DigestKind = Literal["sha1", "sha256"]


@dataclass
class ConfigEntry:
    """One section: its ``type``, ``id`` and the options exactly as the product stores them."""

    id: str
    type: str
    options: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        """An option, or ``default`` when unset."""
        return self.options.get(key, default)

    def flag(self, key: str, default: bool = False) -> bool:
        """A boolean option (PVE stores 0/1, PBS true/false)."""
        value = self.options.get(key)
        return default if value is None else bool(value)


E = TypeVar("E", bound=ConfigEntry)


class SectionConfig(Generic[E]):
    """An ordered set of sections forming one config file."""

    def __init__(self, digest_kind: DigestKind) -> None:
        self._entries: dict[str, E] = {}
        self._digest_kind = digest_kind

    def __contains__(self, section_id: object) -> bool:
        return section_id in self._entries

    def __iter__(self) -> Iterator[E]:
        return iter(list(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, section_id: str) -> E | None:
        """The section, or None."""
        return self._entries.get(section_id)

    def put(self, entry: E) -> None:
        """Add or replace a section (keeps its position when replacing)."""
        self._entries[entry.id] = entry

    def remove(self, section_id: str) -> E | None:
        """Drop a section; returns it, or None if there was none."""
        return self._entries.pop(section_id, None)

    def digest(self) -> str:
        """The digest of the serialised file."""
        text = json.dumps(
            [[e.type, e.id, e.options] for e in self._entries.values()],
            sort_keys=True,
            default=str,
        ).encode()
        return hashlib.new(self._digest_kind, text).hexdigest()

    def is_current(self, digest: str | None) -> bool:
        """True if no digest was sent or it matches (both products only compare if given)."""
        return not digest or digest == self.digest()
