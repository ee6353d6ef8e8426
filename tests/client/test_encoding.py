"""Form encoding follows each product's parser."""

from tappaas.client import Product
from tappaas.client.encoding import encode_form


def test_pve_booleans_are_1_and_0_and_lists_comma_joined() -> None:
    form = encode_form(
        Product.PVE, {"unique": True, "start": False, "delete": ["a", "b"], "x": None}
    )
    assert form == {"unique": "1", "start": "0", "delete": "a,b"}


def test_pbs_lists_stay_lists_for_repeated_keys() -> None:
    form = encode_form(Product.PBS, {"group-filter": ("type:vm", "group:vm/100"), "flag": True})
    assert form == {"group-filter": ["type:vm", "group:vm/100"], "flag": "1"}
