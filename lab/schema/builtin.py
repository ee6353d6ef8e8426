"""Built-in parameter specs: what the lab checks for its own endpoints without a schema file.

A spec is a short string, one ``name[?]:kind`` per parameter (``?`` = optional). A kind is a
JSON type (``string integer number boolean array``), ``enum(a|b)``, or a PVE format name
(a string with that format). Unknown extra parameters are allowed: without the official
schema the lab cannot know which ones the product accepts.
"""

from __future__ import annotations

from functools import cache
from typing import Any

_TYPES = frozenset({"string", "integer", "number", "boolean", "array"})


def _property(kind: str, optional: bool) -> dict[str, Any]:
    prop: dict[str, Any] = {"optional": 1} if optional else {}
    if kind in _TYPES:
        prop["type"] = kind
        if kind == "array":
            prop["items"] = {"type": "string"}
    elif kind.startswith("enum(") and kind.endswith(")"):
        prop.update(type="string", enum=kind[5:-1].split("|"))
    else:
        prop.update(type="string", format=kind)
    return prop


@cache
def parameters(spec: str) -> dict[str, Any]:
    """The ``parameters`` schema object described by ``spec``."""
    properties: dict[str, Any] = {}
    for token in spec.split():
        name, _, kind = token.partition(":")
        optional = name.endswith("?")
        properties[name.rstrip("?")] = _property(kind or "string", optional)
    return {"additionalProperties": 1, "properties": properties}
