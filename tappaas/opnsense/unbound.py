"""Unbound's settings and host overrides, read from OPNsense (two GETs).

Shapes, from opnsense/core:

- ``GET /api/unbound/settings/get`` answers ``{"unbound": <model>}``
  (``ApiMutableModelControllerBase::getAction``) where the model is
  ``models/OPNsense/Unbound/Unbound.xml`` as ``BaseField::getNodes`` renders it: a boolean is
  ``"0"``/``"1"``, a number is a string (``""`` when unset), an option field is a map
  ``{option: {"value": label, "selected": 0|1}}`` (``BaseListField::getNodeOptions``), an
  array field is a map ``{uuid: {...}}``.
- ``GET /api/unbound/settings/search_host_override`` answers
  ``{"rows": [...], "rowCount", "total", "current"}`` (``UIModelGrid::fetch``); each row is
  a host override with its fields as strings (``rr`` ``"A"``, plus ``"%rr"`` its label) and
  its aliases as ``_children`` rows (``SettingsController::searchHostOverrideAction``),
  whose empty hostname or domain mean the parent's (``plugins.inc.d/unbound.inc``,
  ``unbound_add_host_entries``).

Numbers left empty are not written to ``unbound.conf`` (``templates/OPNsense/Unbound/core/
advanced.conf``), so Unbound's built-in default applies: they come out as ``None``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tappaas.opnsense.client import OpnsenseApiError, OpnsenseClient
from tappaas.policy import HostOverride, UnboundSettings

SETTINGS = "/api/unbound/settings/get"
HOST_OVERRIDES = "/api/unbound/settings/search_host_override"


class _Wire(BaseModel):
    """The API's objects carry more fields than we read; unknown ones are ignored."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class _Advanced(_Wire):
    serveexpired: str = "0"
    serveexpiredttl: str = ""
    serveexpiredttlreset: str = "0"
    serveexpiredreplyttl: str = ""
    serveexpiredclienttimeout: str = ""
    prefetch: str = "0"
    prefetchkey: str = "0"


class _General(_Wire):
    local_zone_type: dict[str, dict[str, Any]] = {}


class _Dot(_Wire):
    enabled: str = "1"
    domain: str = ""
    server: str = ""
    port: str = ""


class _Model(_Wire):
    general: _General = _General()
    advanced: _Advanced = _Advanced()
    forwarding: dict[str, str] = {}
    dots: dict[str, dict[str, _Dot] | list[Any]] = {}


class _OverrideRow(_Wire):
    enabled: str = "1"
    hostname: str = ""
    domain: str = ""
    rr: str = "A"
    server: str = ""
    children: list[_OverrideRow] = Field(default=[], alias="_children")


class _Rows(_Wire):
    rows: list[_OverrideRow]


def read_unbound(client: OpnsenseClient) -> UnboundSettings:
    """The firewall's Unbound settings that matter offline, and its host overrides."""
    settings = client.get(SETTINGS)
    overrides = client.get(HOST_OVERRIDES)
    try:
        model = _Model.model_validate(settings["unbound"])
        rows = _Rows.model_validate(overrides).rows
    except (KeyError, TypeError, ValidationError) as exc:
        raise OpnsenseApiError(
            f"{client.connection.base_url}: the Unbound settings are not in the shape "
            f"OPNsense's API answers ({type(exc).__name__}: {exc})"
        ) from None
    return _settings(model, rows)


def _flag(value: str) -> bool:
    return value == "1"


def _number(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


def _selected(options: dict[str, dict[str, Any]], default: str) -> str:
    return next((key for key, o in options.items() if o.get("selected") in (1, "1")), default)


def _forwarders(dots: dict[str, dict[str, _Dot] | list[Any]]) -> tuple[str, ...]:
    """Enabled forwarders for every domain (an empty domain means all queries)."""
    entries = dots.get("dot", {})
    if not isinstance(entries, dict):  # PHP renders an empty array field as []
        return ()
    return tuple(
        f"{dot.server}:{dot.port}" if dot.port else dot.server
        for dot in entries.values()
        if _flag(dot.enabled) and not dot.domain
    )


def _overrides(rows: list[_OverrideRow]) -> tuple[HostOverride, ...]:
    """Each override and its aliases; an alias inherits what it leaves empty."""
    found = []
    for row in rows:
        for entry in [row, *row.children]:
            found.append(
                HostOverride(
                    hostname=entry.hostname or row.hostname,
                    domain=entry.domain or row.domain,
                    rr=row.rr,
                    server=row.server,
                    enabled=_flag(row.enabled) and _flag(entry.enabled),
                )
            )
    return tuple(found)


def _settings(model: _Model, rows: list[_OverrideRow]) -> UnboundSettings:
    advanced = model.advanced
    return UnboundSettings(
        serve_expired=_flag(advanced.serveexpired),
        serve_expired_ttl=_number(advanced.serveexpiredttl),
        serve_expired_ttl_reset=_flag(advanced.serveexpiredttlreset),
        serve_expired_reply_ttl=_number(advanced.serveexpiredreplyttl),
        serve_expired_client_timeout=_number(advanced.serveexpiredclienttimeout),
        prefetch=_flag(advanced.prefetch),
        prefetch_key=_flag(advanced.prefetchkey),
        forwarding=_flag(model.forwarding.get("enabled", "0")),
        forwarders=_forwarders(model.dots),
        local_zone_type=_selected(model.general.local_zone_type, "transparent"),
        host_overrides=_overrides(rows),
    )
