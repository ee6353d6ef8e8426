"""``/version`` read as each product writes it, compared before a write (issue 11.5).

PVE's ``version`` is the package version (pve-manager ``PVE/pvecfg.pm.in``); PBS's is
major.minor with the patch level in ``release`` (proxmox-backup ``pbs-buildcfg/src/lib.rs``).
"""

from __future__ import annotations

import pytest

from tappaas.client import Product, ServerVersion, UnsupportedVersionError


@pytest.mark.parametrize(
    ("product", "answer", "number"),
    [
        (Product.PBS, {"version": "4.2", "release": "3", "repoid": "x"}, (4, 2, 3)),
        (Product.PBS, {"version": "4.0", "release": "20", "repoid": "x"}, (4, 0, 20)),
        (Product.PVE, {"version": "9.1.2", "release": "9.1", "repoid": "x"}, (9, 1, 2)),
        (Product.PVE, {"version": "9.0", "release": "9.0", "repoid": "x"}, (9, 0, 0)),
    ],
)
def test_versions_parse_per_product(
    product: Product, answer: dict[str, str], number: tuple[int, int, int]
) -> None:
    assert ServerVersion.from_api(product, answer).number == number


def test_a_pbs_patch_level_orders_numerically() -> None:
    older = ServerVersion.from_api(Product.PBS, {"version": "4.0", "release": "4"})
    newer = ServerVersion.from_api(Product.PBS, {"version": "4.0", "release": "20"})
    assert older.number < (4, 0, 20) <= newer.number


def test_an_answer_without_a_version_is_an_error() -> None:
    with pytest.raises(UnsupportedVersionError):
        ServerVersion.from_api(Product.PBS, {"release": "3"})
