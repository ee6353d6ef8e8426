"""The imported site as ``Pulumi.<stack>.yaml``, keeping whatever else the file holds.

``pulumi config set --secret`` writes its encrypted values (and the ``encryptionsalt``)
into the same file, so an existing file is updated in place: only ``tappaas:site`` is
replaced; every other key stays.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tappaas.adopt.result import Conversion
from tappaas.model import CONFIG_KEY, ConfigError
from tappaas.model.stack_file import read_stack_document

HEADER = (
    "# Imported from upstream TAPPaaS files by `tappaas import tappaas`.\n"
    "# Values starting with 'DECIDE:' are decisions left open: `tappaas check` names them.\n"
)


class StackFileError(ValueError):
    """An existing stack file that cannot be updated (unreadable, or not a stack file)."""


def existing_document(path: Path) -> dict[str, Any] | None:
    """The stack file's content, or None when it does not exist yet."""
    if not path.exists():
        return None
    try:
        document = read_stack_document(path) or {}
    except ConfigError as error:
        raise StackFileError(f"{path}: cannot read: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("config", {}), dict):
        raise StackFileError(f"{path}: not a Pulumi stack file (no 'config' mapping)")
    return document


def secrets_already_set(document: dict[str, Any] | None, conversion: Conversion) -> set[str]:
    """The referenced secrets the stack file already holds (``tappaas:<key>: {secure: …}``)."""
    config = (document or {}).get("config") or {}
    project = CONFIG_KEY.split(":", 1)[0]
    return {
        secret.key
        for secret in conversion.secrets
        if isinstance(config.get(f"{project}:{secret.key}"), dict)
    }


def render(document: dict[str, Any] | None, conversion: Conversion) -> str:
    """The file's new text: the site under ``config: tappaas:site``, the rest unchanged."""
    updated = dict(document or {})
    config = dict(updated.get("config") or {})
    config[CONFIG_KEY] = conversion.site
    updated["config"] = config
    return HEADER + yaml.safe_dump(updated, sort_keys=False, allow_unicode=True, width=100)
