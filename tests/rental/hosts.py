"""Shared inputs of the rental tests: a cloud-recovery site and fixed secret values."""

from __future__ import annotations

import configparser
from typing import Any

import yaml
from pydantic import SecretStr

from tappaas.model import SiteConfig
from tappaas.rental import SecretValues, generate_credentials, render_user_data
from tests.model.sites import cloud_site, load

CREDENTIALS = generate_credentials("tappaas-cloud", "tappaas-cloud.recovery.internal")
SECRETS = SecretValues(
    root_password=CREDENTIALS.root_password,
    api_token=CREDENTIALS.api_token,
    tls_key=CREDENTIALS.tls_key,
    tls_certificate=CREDENTIALS.tls_certificate,
    wireguard_key=CREDENTIALS.wireguard_key,
    reader_token=SecretStr("reader-token-secret"),
    encryption_key=SecretStr('{"kdf": null, "data": "site-key"}'),
)


def site(provider: str = "gcp", **cloud: Any) -> SiteConfig:
    raw = cloud_site(provider)
    raw["cloud"].update(cloud)
    return load(raw)


def user_data(site_config: SiteConfig, volume_id: str = "") -> tuple[str, dict[str, Any]]:
    """The rendered document and its parsed YAML."""
    text = render_user_data(site_config, SECRETS, volume_id)
    return text, yaml.safe_load(text)


def files(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``write_files`` by path."""
    return {entry["path"]: entry for entry in document["write_files"]}


def ini(text: str) -> configparser.ConfigParser:
    """An INI file (WireGuard config, systemd unit) parsed, keys case kept."""
    parser = configparser.ConfigParser(strict=True, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read_string(text)
    return parser
