"""PVE's named string formats: the Perl validators behind ``format => 'pve-…'``.

The schema files only carry a format's name; its code lives in pve-common and friends, so
the lab re-implements the ones TAPPaaS's endpoints use, with the exact ``die`` texts.
A validator returns None for a valid value, else the message (ending in a newline).
Formats not listed here are accepted unchecked.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from typing import Any

from lab.schema.calendar import calendar_event_error

Validator = Callable[[str], str | None]

_NODE = re.compile(r"^([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?)$")
_VMID = re.compile(r"^[1-9][0-9]{2,8}$")
_CONFIGID = re.compile(r"^[a-z][a-z0-9_-]+$", re.IGNORECASE)
_STORAGE_ID = re.compile(r"^[a-z][a-z0-9\-\_\.]*[a-z0-9]$", re.IGNORECASE)
_REPLICATION_ID = re.compile(r"^(\d+)-(\d+)$")
_HA_RESOURCE = re.compile(r"^[a-z]+:\S+$")
_HA_RESOURCE_OR_VM = re.compile(r"^([a-z]+:\S+|\d+)$")
_HA_NODE = re.compile(r"^([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?)(:\d+)?$")
_REALM = re.compile(r"^[A-Za-z][A-Za-z0-9\.\-_]+$")
_USERID = re.compile(r"^[^\s:/]+@[A-Za-z][A-Za-z0-9\.\-_]+$")
_TOKENID = re.compile(r"^[^\s:/]+@[A-Za-z][A-Za-z0-9\.\-_]+![A-Za-z][A-Za-z0-9\.\-_]+$")
_POOLID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-]+$")
_ROLEID = re.compile(r"^[A-Za-z0-9\.\-_]+$")
_VOLUME_ID = re.compile(r"^([a-z][a-z0-9\-\_\.]*[a-z0-9]):(.+)$", re.IGNORECASE)
_DNS_NAME = re.compile(
    r"^(([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?)\.)*([A-Za-z0-9]([A-Za-z0-9\-]*[A-Za-z0-9])?)$"
)
_TAG = re.compile(r"^[a-z0-9_][a-z0-9_\-\+\.]*$", re.IGNORECASE)
_URLENCODED = re.compile(r"^[-%a-zA-Z0-9_.!~*'()]*$")
_EMAIL = re.compile(r"^[\w\+\-\~]+(\.[\w\+\-\~]+)*@[a-zA-Z0-9\-]+(\.[a-zA-Z0-9\-]+)*$")
_SIZE = re.compile(r"^(\d+(\.\d+)?)([KMGT](?:iB)?)?$")
STORAGE_CONTENT_TYPES = frozenset(
    {"images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import", "none"}
)
USER_MAX_LENGTH = 64


def _regex(pattern: re.Pattern[str], message: str) -> Validator:
    def check(value: str) -> str | None:
        return None if pattern.match(value) else message.format(value=value)

    return check


def _storage_id(value: str) -> str | None:
    if len(value) < 2:
        return f"storage ID '{value}' cannot be shorter than 2 characters\n"
    if not _STORAGE_ID.match(value):
        return f"storage ID '{value}' contains illegal characters\n"
    return None


def _replication_job_id(value: str) -> str | None:
    match = _REPLICATION_ID.match(value)
    if match is None:
        return f"invalid replication job id '{value}'\n"
    if int(match.group(1)) < 100:
        return f"invalid replication job id '{value}' (guest IDs < 100 are reseved)\n"
    return None


def _calendar_event(value: str) -> str | None:
    error = calendar_event_error(value)
    return None if error is None else f"invalid calendar event '{value}' - {error}\n"


def _userid(value: str) -> str | None:
    if len(value) > USER_MAX_LENGTH:
        return f"user ID '{value}' is too long (> {USER_MAX_LENGTH} characters)\n"
    return None if _USERID.match(value) else f"value '{value}' does not look like a valid user ID\n"


def _ip(value: str, version: int | None = None) -> bool:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    return version is None or address.version == version


def _address(value: str) -> str | None:
    if _ip(value) or _DNS_NAME.match(value):
        return None
    return f"value does not look like a valid address: {value}\n"


def _storage_server(value: str) -> str | None:
    if _ip(value) or _DNS_NAME.match(value):
        return None
    return f"value does not look like a valid server name or IP address: {value}\n"


def _content(value: str) -> str | None:
    return None if value in STORAGE_CONTENT_TYPES else f"invalid content type '{value}'\n"


def _disk_size(value: str) -> str | None:
    return None if _SIZE.match(value) else f"unable to parse size '{value}'\n"


def _storage_path(value: str) -> str | None:
    return None if value.startswith("/") else f"invalid path '{value}'\n"


CODE_FORMATS: Mapping[str, Validator] = {
    "string": lambda value: None,
    "pve-node": _regex(_NODE, "value does not look like a valid node name\n"),
    "pve-vmid": _regex(_VMID, "value does not look like a valid VM ID\n"),
    "pve-configid": _regex(_CONFIGID, "invalid configuration ID '{value}'\n"),
    "pve-storage-id": _storage_id,
    "pve-replication-job-id": _replication_job_id,
    "pve-calendar-event": _calendar_event,
    "pve-ha-resource-id": _regex(_HA_RESOURCE, "value does not look like a valid ha resource id\n"),
    "pve-ha-resource-or-vm-id": _regex(
        _HA_RESOURCE_OR_VM, "value does not look like a valid ha resource id\n"
    ),
    "pve-ha-node": _regex(_HA_NODE, "value does not look like a valid ha node\n"),
    "pve-realm": _regex(_REALM, "value does not look like a valid realm\n"),
    "pve-userid": _userid,
    "pve-tokenid": _regex(_TOKENID, "invalid API token ID '{value}'\n"),
    "pve-poolid": _regex(_POOLID, "invalid pool ID '{value}'\n"),
    "pve-roleid": _regex(_ROLEID, "role name '{value}' contains invalid characters\n"),
    "pve-groupid": _regex(_POOLID, "invalid group ID '{value}'\n"),
    "pve-volume-id": _regex(_VOLUME_ID, "unable to parse volume ID '{value}'\n"),
    "pve-storage-content": _content,
    "pve-storage-server": _storage_server,
    "pve-storage-path": _storage_path,
    "pve-tag": _regex(_TAG, "invalid tag name '{value}'\n"),
    "dns-name": _regex(_DNS_NAME, "value does not look like a valid DNS name: {value}\n"),
    "address": _address,
    "ip": lambda v: None if _ip(v) else f"value does not look like a valid IP address: {v}\n",
    "ipv4": lambda v: (
        None if _ip(v, 4) else f"value does not look like a valid IPv4 address: {v}\n"
    ),
    "ipv6": lambda v: (
        None if _ip(v, 6) else f"value does not look like a valid IPv6 address: {v}\n"
    ),
    "email": _regex(_EMAIL, "value does not look like a valid email address\n"),
    "email-or-username": lambda value: None,
    "urlencoded": _regex(_URLENCODED, "invalid urlencoded string: {value}\n"),
    "disk-size": _disk_size,
}

_KEEP = {"type": "integer", "minimum": "0", "optional": 1}

HASH_FORMATS: Mapping[str, Mapping[str, Any]] = {
    "prune-backups": {
        "keep-all": {"type": "boolean", "optional": 1},
        "keep-last": _KEEP,
        "keep-hourly": _KEEP,
        "keep-daily": _KEEP,
        "keep-weekly": _KEEP,
        "keep-monthly": _KEEP,
        "keep-yearly": _KEEP,
    },
    "backup-fleecing": {
        "enabled": {"type": "boolean", "optional": 1, "default_key": 1},
        "storage": {"type": "string", "format": "pve-storage-id", "optional": 1},
    },
}


def validate_prune_backups(parsed: Mapping[str, str]) -> str | None:
    """``keep-all`` may not be combined with a positive ``keep-*`` (pve-storage ``Plugin.pm``)."""
    others = {k: v for k, v in parsed.items() if k != "keep-all"}
    if not any(int(v) > 0 for v in others.values()):
        return None
    if parsed.get("keep-all") == "1":
        return "keep-all cannot be set together with other options.\n"
    return None


HASH_VALIDATORS: Mapping[str, Callable[[Mapping[str, str]], str | None]] = {
    "prune-backups": validate_prune_backups,
}
