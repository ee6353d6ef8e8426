"""A PBS datastore's ``maintenance-mode`` as PBS stores it, and which changes it refuses.

PBS parses the property string into ``MaintenanceMode {type, message}`` (default key
``type``; proxmox-rs ``pbs-api-types/src/maintenance.rs``) and stores it re-printed by
``PropertyString::to_property_string`` (``DataStoreConfig::set_maintenance_mode`` in
``pbs-api-types/src/datastore.rs``), which writes the default key's value without
``type=`` (proxmox-schema ``src/ser/mod.rs``): ``type=read-only`` is stored as
``read-only``, ``message=x,type=offline`` as ``offline,message=x``. A datastore in ``delete``
maintenance may not leave it ("datastore is being deleted").
"""

from __future__ import annotations

__all__ = ["MAINTENANCE_TYPES", "MaintenanceError", "stored_maintenance_mode"]

MAINTENANCE_TYPES = ("read-only", "offline", "delete", "unmount", "s3-refresh")
_QUOTED = ('"', "\\", "\n")


class MaintenanceError(ValueError):
    """The new mode cannot be parsed, or the current one may not be left."""


def _pairs(text: str) -> dict[str, str]:
    """``PropertyIterator``: ``key=value`` or a bare value (the default key), quotes allowed."""
    out: dict[str, str] = {}
    rest = text
    while rest:
        key: str | None = None
        if not rest.startswith('"'):
            comma, equals = rest.find(","), rest.find("=")
            if equals != -1 and (comma == -1 or equals < comma):
                key, rest = rest[:equals], rest[equals + 1 :]
        if rest.startswith('"'):
            value, rest = _quoted(rest)
        else:
            value, _, rest = rest.partition(",")
        name = key or "type"
        if name in out:
            raise MaintenanceError(f"duplicate key '{name}'")
        out[name] = value
    return out


def _quoted(text: str) -> tuple[str, str]:
    value, index = [], 1
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            value.append(text[index + 1])
            index += 2
            continue
        if char == '"':
            rest = text[index + 1 :]
            if rest and not rest.startswith(","):
                raise MaintenanceError("garbage after quoted string")
            return "".join(value), rest[1:]
        value.append(char)
        index += 1
    raise MaintenanceError("unterminated quoted string")


def _current_type(stored: str | None) -> str | None:
    if stored is None:
        return None
    try:
        return _pairs(stored).get("type")
    except MaintenanceError:
        return None  # ``get_maintenance_mode`` ignores an unparsable value


def stored_maintenance_mode(current: str | None, requested: str | None) -> str | None:
    """What PBS stores when ``requested`` (``None``: deleted) replaces ``current``."""
    if _current_type(current) == "delete":
        new_type = None if requested is None else _pairs(requested).get("type")
        if new_type != "delete":
            raise MaintenanceError("datastore is being deleted")
    if requested is None:
        return None
    mode = _pairs(requested)
    kind = mode.get("type")
    if kind not in MAINTENANCE_TYPES:
        raise MaintenanceError(f"value '{kind}' is not defined in the enumeration.")
    unknown = set(mode) - {"type", "message"}
    if unknown:
        raise MaintenanceError(f"schema does not allow additional properties ('{unknown.pop()}')")
    if "message" not in mode:
        return kind
    message = mode["message"]
    if any(char in message for char in _QUOTED):
        message = '"' + message.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{kind},message={message}"
