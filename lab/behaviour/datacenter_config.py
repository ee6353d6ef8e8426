"""``datacenter.cfg`` as PVE reads it: property-string options come back parsed, as objects.

pve-cluster ``src/PVE/DataCenterConfig.pm``: ``parse_datacenter_config`` turns ``crs``,
``ha``, ``migration``, ``replication``, ``next-id``, ``notify``, ``u2f``, ``webauthn``,
``tag-style`` and ``user-tag-access`` into hashes (an empty ``crs:`` is dropped with a
warning), splits ``registered-tags`` and ``user-allow-list`` on ``;``, defaults
``mac_prefix`` to Proxmox's OUI and puts the file's comment lines in ``description``.
pve-manager ``PVE/API2/Cluster.pm`` ``get_options`` answers that hash plus ``allowed-tags``;
``set_options`` stores the values given and deletes the ``delete`` list. The file holds the
printed property strings, so what a client wrote as ``ha=static`` reads back as
``{"ha": "static"}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["parse_property_string", "read_options"]

PROXMOX_OUI = "BC:24:11"
"""``$PROXMOX_OUI`` in DataCenterConfig.pm: the default ``mac_prefix``."""

_BOOLEAN, _NUMBER, _INTEGER = "boolean", "number", "integer"

PROPERTY_STRINGS: dict[str, tuple[str | None, dict[str, str]]] = {
    # key: (default key, {sub-key: type} for the non-string sub-keys)
    "crs": (
        None,
        {
            "ha-rebalance-on-start": _BOOLEAN,
            "ha-auto-rebalance": _BOOLEAN,
            "ha-auto-rebalance-hold-duration": _NUMBER,
            "ha-auto-rebalance-margin": _NUMBER,
            "ha-auto-rebalance-threshold": _NUMBER,
        },
    ),
    "ha": (None, {}),
    "migration": ("type", {}),
    "replication": ("type", {}),
    "next-id": (None, {"lower": _INTEGER, "upper": _INTEGER}),
    "notify": (None, {}),
    "u2f": (None, {}),
    "webauthn": (None, {"allow-subdomains": _BOOLEAN}),
    "tag-style": (None, {"case-sensitive": _BOOLEAN}),
    "user-tag-access": (None, {}),
}
LIST_OPTIONS = ("registered-tags",)


def _typed(value: str, kind: str | None) -> Any:
    if kind == _BOOLEAN:
        return int(value.lower() in ("1", "on", "yes", "true"))
    if kind == _INTEGER:
        return int(value)
    if kind == _NUMBER:
        number = float(value)
        return int(number) if number.is_integer() else number
    return value


def parse_property_string(key: str, text: str) -> dict[str, Any]:
    """``ha=static,ha-rebalance-on-start=1`` → ``{"ha": "static", "ha-rebalance-on-start": 1}``."""
    default_key, types = PROPERTY_STRINGS[key]
    parsed: dict[str, Any] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        name, equals, value = part.partition("=")
        if not equals:
            if default_key is None:
                continue
            name, value = default_key, part
        parsed[name] = _typed(value, types.get(name))
    if key == "user-tag-access" and isinstance(parsed.get("user-allow-list"), str):
        parsed["user-allow-list"] = parsed["user-allow-list"].split(";")
    return parsed


def read_options(stored: Mapping[str, Any]) -> dict[str, Any]:
    """What ``GET /cluster/options`` answers for the stored (file) values."""
    answer: dict[str, Any] = {"description": "", "mac_prefix": PROXMOX_OUI}
    for key, value in stored.items():
        if key in PROPERTY_STRINGS and isinstance(value, str):
            if value == "" and key == "crs":
                continue  # "ignoring empty 'crs:' line in datacenter.cfg"
            answer[key] = parse_property_string(key, value)
        elif key in LIST_OPTIONS and isinstance(value, str):
            answer[key] = value.split(";")
        else:
            answer[key] = value
    answer["allowed-tags"] = []
    return answer
