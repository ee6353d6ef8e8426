"""Form encoding per product.

PVE's JSONSchema accepts only ``1``/``0`` for booleans (a Python ``True`` sent as "True"
fails "type check ('boolean') failed") and wants lists comma-joined (``pve-configid-list``).
PBS accepts 1/0/true/false and takes arrays as repeated keys (``delete``, ``group-filter``),
which requests produces from a Python list. A PVE parameter of schema type ``array`` (the
guest agent's ``exec`` ``command``) is an ``ArrayParam``: repeated keys, which PVE's form
decoder turns into an array (pve-http-server ``decode_urlencoded``), where a comma-joined
string would arrive as one element.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tappaas.client.settings import Product

FormValue = str | int | float | list[str]


class ArrayParam(tuple[str, ...]):
    """A parameter of schema type ``array``: sent as repeated keys to both products."""


def encode_form(product: Product, params: Mapping[str, Any]) -> dict[str, FormValue]:
    """Drop ``None``s and encode booleans and lists the way ``product`` parses them."""
    out: dict[str, FormValue] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, ArrayParam):
            out[key] = [str(item) for item in value]
        elif isinstance(value, bool):
            out[key] = "1" if value else "0"
        elif isinstance(value, list | tuple | set | frozenset):
            items = [("1" if v else "0") if isinstance(v, bool) else str(v) for v in value]
            if product is Product.PVE:
                out[key] = ",".join(items)
            else:
                out[key] = items
        else:
            out[key] = value
    return out
