"""Finding and reading the official API schema files a user downloaded.

Accepted forms, per product (file names start with ``pve`` or ``pbs``):
- the raw viewer script (``apidoc.js`` from ``/pve-docs/api-viewer/`` or
  ``/docs/api-viewer/``), which holds ``const apiSchema = [ … ];`` among other code;
- that array saved as JSON (``.json``).
When several files match, the highest version by natural sort wins (``pve-9.2-…`` over
``pve-9.1-…``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from lab.endpoint import Product

SCHEMA_SUFFIXES = (".json", ".js")
_SCHEMA_MARKER = "apiSchema"


class SchemaFileError(ValueError):
    """A schema file exists but does not hold an apidoc tree."""


def _natural_key(path: Path) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.name)]


def find_schema_file(directory: Path, product: Product) -> Path | None:
    """The newest schema file for ``product`` in ``directory``, or None."""
    if not directory.is_dir():
        return None
    candidates = [
        path
        for path in directory.iterdir()
        if path.is_file()
        and path.name.lower().startswith(product)
        and path.suffix.lower() in SCHEMA_SUFFIXES
    ]
    return max(candidates, key=_natural_key) if candidates else None


def load_apidoc(path: Path) -> list[dict[str, Any]]:
    """The apidoc tree from a ``.json`` array or from the viewer's ``apidoc.js``."""
    text = path.read_text(encoding="utf-8")
    start = 0
    if not text.lstrip().startswith("["):
        marker = text.find(_SCHEMA_MARKER)
        start = text.find("[", marker) if marker >= 0 else -1
        if start < 0:
            raise SchemaFileError(f"{path}: no 'apiSchema' array found")
    try:
        tree, _ = json.JSONDecoder().raw_decode(text, text.index("[", start))
    except (ValueError, json.JSONDecodeError) as exc:
        raise SchemaFileError(f"{path}: not an apidoc tree ({exc})") from exc
    if not isinstance(tree, list) or not all(isinstance(n, dict) and "path" in n for n in tree):
        raise SchemaFileError(f"{path}: not an apidoc tree")
    return tree
