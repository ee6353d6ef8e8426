"""Field types of the stack config, validated where they are read, with Proxmox's own limits.

Each type says in its error message what a valid value looks like, because the message is all
the admin sees.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from tappaas.schedule.interval import longest_gap


class StrictModel(BaseModel):
    """Base of every config model: immutable, unknown keys are mistakes (typos), and a number
    is finite (YAML's ``.inf`` and ``.nan`` are numbers to YAML, not to Proxmox)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


def matching(pattern: str, what: str) -> AfterValidator:
    """A validator accepting strings that fully match ``pattern``; ``what`` names the shape."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return AfterValidator(check)


_SAFE_ID = r"[A-Za-z0-9_][A-Za-z0-9._\-]*"
_DNS_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
_IPV4 = r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_HOST = rf"(?:{_IPV4}|{_DNS_LABEL}(?:\.{_DNS_LABEL})*|\[[0-9A-Fa-f:.]+\])"
MAX_PORT = 65535
MAX_NAMESPACE_DEPTH = 7
"""PBS namespaces nest at most 7 levels below the datastore root."""
MAX_NAMESPACE_LENGTH = 256


NodeName = Annotated[
    str, matching(_DNS_LABEL, "a node name (letters, digits and inner hyphens, e.g. 'tappaas1')")
]
ServiceName = Annotated[
    str, matching(r"[a-zA-Z][a-zA-Z0-9-]*", "a VM name (a letter, then letters, digits, '-')")
]
StorageId = Annotated[
    str,
    matching(
        r"[a-z][a-z0-9\-_.]*[a-z0-9]",
        "a PVE storage ID (lower case letters, digits, '-', '_', '.'; e.g. 'tanka1')",
    ),
]
PveConfigId = Annotated[
    str,
    matching(
        r"[A-Za-z][A-Za-z0-9_\-]+",
        "a PVE config ID (a letter, then letters, digits, '_', '-'; e.g. 'tappaas-daily')",
    ),
]
"""PVE's ``pve-configid`` format (pve-common ``JSONSchema.pm``): HA rule and backup job ids."""
PbsId = Annotated[
    str,
    Field(min_length=3, max_length=32),
    matching(_SAFE_ID, "a PBS ID (3-32 letters, digits, '_', '.', '-', e.g. 'tappaas_backup')"),
]
SiteName = Annotated[
    str,
    Field(min_length=1, max_length=32),
    matching(_SAFE_ID, "a site name (letters, digits, '_', '.', '-')"),
]
Fingerprint = Annotated[
    str,
    matching(
        r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){31}",
        "a SHA-256 certificate fingerprint (32 colon-separated hex pairs, AA:BB:…)",
    ),
]
TokenId = Annotated[
    str,
    matching(
        rf"[^\s:/!@]+@{_SAFE_ID}!{_SAFE_ID}",
        "an API token ID 'user@realm!token' (e.g. 'tappaas@pbs!pulumi')",
    ),
]
PbsUserId = Annotated[
    str, matching(rf"[^\s:/!@]+@{_SAFE_ID}", "a PBS user ID 'user@realm' (e.g. 'tappaas-pve@pbs')")
]
AuthId = Annotated[
    str,
    matching(
        rf"[^\s:/!@]+@{_SAFE_ID}(?:!{_SAFE_ID})?",
        "a user 'user@realm' or an API token 'user@realm!token'",
    ),
]
TokenName = Annotated[str, matching(_SAFE_ID, "a token name (letters, digits, '_', '.', '-')")]
RoleId = Annotated[str, matching(_SAFE_ID, "a role name (e.g. 'DatastoreReader')")]
AclPath = Annotated[
    str,
    matching(
        rf"/|(?:/{_SAFE_ID})+",
        "an ACL path like '/datastore/<store>/<namespace>' (no '.'-only or empty parts)",
    ),
]
PveJobId = Annotated[str, Field(max_length=50), *PveConfigId.__metadata__]
"""A vzdump job's id: a ``pve-configid`` of at most 50 characters."""
ReplicationJobId = Annotated[
    str, matching(r"[1-9][0-9]{2,8}-\d{1,9}", "a replication job ID '<vmid>-<n>' (e.g. '110-0')")
]
StackName = Annotated[
    str,
    matching(
        r"[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+",
        "a Pulumi stack reference 'organization/project/stack' (e.g. 'organization/tappaas/peer')",
    ),
]
FilesystemUuid = Annotated[
    str,
    matching(
        r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}",
        "a filesystem UUID in lower case (see `blkid` or `proxmox-backup-manager disk list`)",
    ),
]
DevicePath = Annotated[
    str, matching(r"/dev/\S+", "a device path (e.g. '/dev/disk/by-id/ata-…' or '/dev/sdb')")
]
DiskKey = Annotated[
    str, matching(r"(?:scsi|sata|virtio|ide|efidisk|tpmstate)\d+", "a VM disk key like 'scsi1'")
]
ByteRate = Annotated[
    str,
    matching(
        r"\d+(?:\.\d+)?\s*(?:B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?",
        "a byte rate per second like '50MiB' (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)",
    ),
]


MAX_DNS_NAME = 253
"""Longest DNS name in its text form, without the trailing dot (RFC 1035)."""
_DNS_NAME = rf"(?:{_DNS_LABEL}\.)*{_DNS_LABEL}"


def _dns_name(value: str) -> str:
    """A DNS name, compared case-insensitively: kept lower case, without a trailing dot."""
    name = value.lower().removesuffix(".")
    if len(name) > MAX_DNS_NAME or not re.fullmatch(_DNS_NAME, name):
        raise ValueError(
            f"{value!r} is not a DNS name (labels of letters, digits and inner hyphens, "
            "joined by dots, e.g. 'nextcloud.srv.internal')"
        )
    if any(len(label) > 63 for label in name.split(".")):
        raise ValueError(f"{value!r} has a label longer than 63 characters")
    return name


def _override_name(value: str) -> str:
    """A host override's name: a DNS name, or ``*.domain`` (OPNsense's wildcard host ``*``)."""
    if value.startswith("*."):
        return "*." + _dns_name(value[2:])
    return _dns_name(value)


DnsName = Annotated[str, AfterValidator(_dns_name)]
OverrideName = Annotated[str, AfterValidator(_override_name)]
ZoneName = Annotated[
    str,
    matching(
        r"[a-z][a-zA-Z0-9]*",
        "a TAPPaaS zone name from zones.json (camelCase letters and digits, e.g. 'srvHome')",
    ),
]


_ADDRESS = re.compile(rf"(?P<host>{_HOST})(?::(?P<port>\d{{1,5}}))?")


def _check_address(value: str) -> str:
    """``host`` or ``host:port`` (``[v6]:port`` for IPv6), with a port in 1..65535."""
    match = _ADDRESS.fullmatch(value)
    if match is None:
        raise ValueError(
            f"{value!r} is not an address: write 'host' or 'host:port' "
            "(DNS name, IPv4, or [IPv6] in brackets)"
        )
    port = match.group("port")
    if port is not None and not 1 <= int(port) <= MAX_PORT:
        raise ValueError(f"port {port} in {value!r} is out of range (1-{MAX_PORT})")
    return value


Address = Annotated[str, AfterValidator(_check_address)]
"""``host`` or ``host:port``; the lab serves on random loopback ports, so ports are explicit."""


def split_address(address: str) -> tuple[str, int | None]:
    """``(host, port)`` of a validated address (brackets dropped); ``port`` ``None`` if unset."""
    match = _ADDRESS.fullmatch(address)
    if match is None:
        raise ValueError(f"{address!r} is not an address")
    port = match.group("port")
    return match.group("host").strip("[]"), None if port is None else int(port)


def join_address(host: str, port: int | None = None) -> str:
    """``host`` or ``host:port``, an IPv6 host in brackets (``[fd00::1]:8006``): the inverse
    of ``split_address``, and the host part of a URL."""
    shown = f"[{host}]" if ":" in host else host
    return shown if port is None else f"{shown}:{port}"


def _check_namespace(value: str) -> str:
    """A PBS namespace path ``a/b/c``: at most 7 levels; ``""`` is the datastore root."""
    if value == "":
        return value
    if len(value) > MAX_NAMESPACE_LENGTH:
        raise ValueError(f"namespace is longer than {MAX_NAMESPACE_LENGTH} characters")
    parts = value.split("/")
    if len(parts) > MAX_NAMESPACE_DEPTH:
        raise ValueError(
            f"namespace {value!r} is {len(parts)} levels deep; PBS allows at most "
            f"{MAX_NAMESPACE_DEPTH}"
        )
    for part in parts:
        if not re.fullmatch(_SAFE_ID, part) or len(part) > 32:
            raise ValueError(
                f"namespace part {part!r} of {value!r} is not 1-32 letters, digits, '_', '.', '-'"
            )
    return value


Namespace = Annotated[str, AfterValidator(_check_namespace)]


def _check_schedule(value: str) -> str:
    """A PVE/PBS calendar event that runs repeatedly (the text is sent to Proxmox as is)."""
    longest_gap(value)  # raises CalendarEventError or ScheduleTooRareError, both ValueErrors
    return value


Schedule = Annotated[str, AfterValidator(_check_schedule)]
"""A calendar event such as ``daily``, ``02:00``, ``*/15`` or ``mon..fri 21:00``."""

_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def _parse_duration(value: Any) -> Any:
    """``'15m'``, ``'1h'``, ``'2d'``, ``'1w'`` (or a combination like ``'1h30m'``) → timedelta."""
    if not isinstance(value, str):
        return value
    parts = re.findall(r"(\d+)\s*([smhdw])", value)
    if not parts or re.sub(r"\s*\d+\s*[smhdw]", "", value).strip():
        raise ValueError(f"{value!r} is not a duration like '15m', '4h', '1d' or '1w'")
    try:
        return timedelta(seconds=sum(int(n) * _DURATION_UNITS[unit] for n, unit in parts))
    except (OverflowError, ValueError):
        raise ValueError(f"{value!r} is too long a duration") from None


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("duration must be positive")
    return value


Duration = Annotated[timedelta, BeforeValidator(_parse_duration), AfterValidator(_positive)]
