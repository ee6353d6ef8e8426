"""An IPv6 host is bracketed wherever an address or URL is built from it (RFC 3986 §3.2.2)."""

from __future__ import annotations

from pydantic import SecretStr

from tappaas.client import ConnectionSettings, Product
from tappaas.model._types import join_address, split_address


def test_join_address_is_the_inverse_of_split_address() -> None:
    for address in ("pve.example", "pve.example:8006", "10.0.0.1:8007", "[fd00::1]:8006"):
        assert join_address(*split_address(address)) == address
    assert join_address("fd00::1") == "[fd00::1]"


def test_the_client_url_of_an_ipv6_host_has_brackets() -> None:
    settings = ConnectionSettings(
        product=Product.PVE,
        host="fd00::1",
        fingerprint=":".join(["AB"] * 32),
        token_id="root@pam!t",
        token_secret=SecretStr("00000000-0000-0000-0000-000000000000"),
    )
    assert settings.base_url == "https://[fd00::1]:8006"
