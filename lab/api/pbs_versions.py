"""Options a PBS release does not know yet: refused as that release's schema refuses them.

The lab validates against one schema file (PBS 4.x as published); an older PBS lacks the
properties added since, so proxmox-schema's parameter check fails with "schema does not
allow additional properties." for them (and a ``delete`` naming one is not in the enum).
Which release added what: proxmox-backup ``debian/changelog`` (4.0.4 "allow one to configure
sync jobs to trigger when the underlying datastore gets mounted"; 4.0.20 "a new
'unmount-on-done' option").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

INTRODUCED: Mapping[str, Mapping[str, tuple[int, int, int]]] = {
    "/config/sync": {"run-on-mount": (4, 0, 4), "unmount-on-done": (4, 0, 20)},
    "/config/sync/{id}": {"run-on-mount": (4, 0, 4), "unmount-on-done": (4, 0, 20)},
}


def release(version: str) -> tuple[int, int, int]:
    """``4.0.3`` → ``(4, 0, 3)``."""
    major, minor, patch = (int(part) for part in version.split("."))
    return major, minor, patch


def unknown_to(version: str, template: str, params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The (parameter, message) errors a PBS of ``version`` gives for ``params``."""
    added = INTRODUCED.get(template, {})
    newer = sorted(name for name, since in added.items() if release(version) < since)
    errors = [(name, "schema does not allow additional properties.") for name in newer]
    errors = [(name, message) for name, message in errors if name in params]
    deleted = params.get("delete")
    if isinstance(deleted, list):
        errors += [
            ("delete", f"value '{name}' is not defined in the enumeration.")
            for name in newer
            if name in deleted
        ]
    return errors
