"""Form encoding per product.

PVE's JSONSchema accepts only ``1``/``0`` for booleans (a Python ``True`` sent as "True"
fails "type check ('boolean') failed") and wants lists comma-joined (``pve-configid-list``).
PBS accepts 1/0/true/false and takes arrays as repeated keys (``delete``, ``group-filter``),
which requests produces from a Python list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tappaas.client.settings import Product

FormValue = str | int | float | list[str]


def encode_form(product: Product, params: Mapping[str, Any]) -> dict[str, FormValue]:
    """Drop ``None``s and encode booleans and lists the way ``product`` parses them."""
    out: dict[str, FormValue] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
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
