"""PBS parameter verification, a port of proxmox-schema ``parse_parameter_strings``.

PBS parses each ``key=value`` pair on its own: booleans accept ``1/0/true/false/yes/no/
on/off`` in any case, integers and numbers are parsed as Rust does, a repeated key of an
array parameter appends, and a repeated scalar is a "duplicate parameter.". Strings are
checked for length, then pattern (``/^…$/``, Rust syntax), enum or property-string format.
Errors are collected per parameter and joined into PBS's single message.

The schema dump omits Rust-side verify functions; the lab adds the two TAPPaaS relies on:
calendar events (``typetext`` ``<calendar-event>``) and sync group filters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from lab.errors import ApiError
from lab.schema.calendar import calendar_event_error
from lab.schema.regex import pbs_matches

_GROUP_FILTER = re.compile(
    r"^(?:exclude:|include:)?(?:type:(?:vm|ct|host)|group:(?:vm|ct|host)/[A-Za-z0-9_][A-Za-z0-9._\-]*|regex:.+)$"
)
I64_MAX = 2**63 - 1


class PbsParameterError(ApiError):
    """PBS ``ParameterError``: 400 with the joined per-parameter messages as plain text."""

    def __init__(self, errors: Sequence[tuple[str, str]]) -> None:
        if len(errors) == 1:
            text = f"parameter verification failed - '{errors[0][0]}': {errors[0][1]}"
        else:
            text = "parameter verification failed:\n" + "".join(
                f"- '{name}': {message}\n" for name, message in errors
            )
        super().__init__(400, text.strip())
        self.errors = list(errors)


class _InvalidError(ValueError):
    pass


def parse_boolean(text: str) -> bool:
    """PBS ``parse_boolean``."""
    lowered = text.lower()
    if lowered in ("1", "on", "yes", "true"):
        return True
    if lowered in ("0", "off", "no", "false"):
        return False
    raise _InvalidError("Unable to parse boolean option.")


def _parse_integer(text: str) -> int:
    if not text:
        raise _InvalidError("cannot parse integer from empty string")
    if not re.fullmatch(r"[+-]?\d+", text):
        raise _InvalidError("invalid digit found in string")
    value = int(text)
    if abs(value) > I64_MAX:
        raise _InvalidError("number too large to fit in target type")
    return value


def _parse_number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise _InvalidError("invalid float literal") from None


def _check_range(value: float, schema: Mapping[str, Any]) -> None:
    shown = int(value) if float(value).is_integer() else value
    if (low := schema.get("minimum")) is not None and value < low:
        raise _InvalidError(f"value must have a minimum value of {low} (got {shown})")
    if (high := schema.get("maximum")) is not None and value > high:
        raise _InvalidError(f"value must have a maximum value of {high} (got {shown})")


def _check_string(text: str, schema: Mapping[str, Any]) -> str:
    if (low := schema.get("minLength")) is not None and len(text) < low:
        raise _InvalidError(f"value must be at least {low} characters long")
    if (high := schema.get("maxLength")) is not None and len(text) > high:
        raise _InvalidError(f"value may only be {high} characters long")
    if (pattern := schema.get("pattern")) and not pbs_matches(str(pattern), text):
        raise _InvalidError("value does not match the regex pattern")
    if (enum := schema.get("enum")) and text not in enum:
        raise _InvalidError(f"value '{text}' is not defined in the enumeration.")
    if isinstance(fmt := schema.get("format"), Mapping):
        _check_property_string(text, fmt)
    typetext = schema.get("typetext", "")
    if typetext == "<calendar-event>" and (error := calendar_event_error(text)) is not None:
        raise _InvalidError(error)
    if typetext.startswith("[<exclude:|include:>]") and not _GROUP_FILTER.match(text):
        raise _InvalidError(f"invalid group filter '{text}'")
    return text


def _check_property_string(text: str, fmt: Mapping[str, Any]) -> None:
    properties: Mapping[str, Any] = fmt.get("properties") or {}
    # proxmox-schema ``ObjectSchema::default_key`` sits on the object (``maintenance-mode``).
    default_key = fmt.get("default_key") or next(
        (k for k, s in properties.items() if s.get("default_key")), None
    )
    seen: set[str] = set()
    for part in (p for p in text.split(",") if p):
        key, sep, value = part.partition("=")
        if not sep:
            if default_key is None:
                raise _InvalidError("value without key, but schema does not define a default key")
            key, value = default_key, part
        sub = properties.get(key)
        if sub is None:
            if not fmt.get("additionalProperties"):
                raise _InvalidError(f"schema does not allow additional properties ('{key}')")
            continue
        seen.add(key)
        parse_value(value, sub)
    for key, sub in properties.items():
        if not sub.get("optional") and key not in seen:
            raise _InvalidError(f"property '{key}' is missing and it is not optional")


def parse_value(text: str, schema: Mapping[str, Any]) -> Any:
    """One form value parsed and checked against its (non-array) schema."""
    kind = schema.get("type")
    if kind == "boolean":
        return parse_boolean(text)
    if kind == "integer":
        value = _parse_integer(text)
        _check_range(value, schema)
        return value
    if kind == "number":
        number = _parse_number(text)
        _check_range(number, schema)
        return number
    if kind == "string":
        return _check_string(text, schema)
    raise _InvalidError("unable to parse complex (sub) objects.")


class PbsSchemaChecker:
    """Checks one call's ``(key, value)`` pairs against the method's ``parameters`` schema."""

    def check(self, pairs: Sequence[tuple[str, str]], schema: Mapping[str, Any]) -> dict[str, Any]:
        """Typed parameters, or ``PbsParameterError``."""
        properties: Mapping[str, Any] = schema.get("properties") or {}
        additional = bool(schema.get("additionalProperties"))
        params: dict[str, Any] = {}
        errors: list[tuple[str, str]] = []
        for key, text in pairs:
            sub = properties.get(key)
            if sub is None:
                if not additional:
                    errors.append((key, "schema does not allow additional properties."))
                elif key in params:
                    old = params[key]
                    params[key] = [*old, text] if isinstance(old, list) else [old, text]
                else:
                    params[key] = text
                continue
            try:
                if sub.get("type") == "array":
                    params.setdefault(key, []).append(parse_value(text, sub.get("items") or {}))
                elif key in params:
                    errors.append((key, "duplicate parameter."))
                else:
                    params[key] = parse_value(text, sub)
            except _InvalidError as exc:
                errors.append((key, str(exc)))
        if not errors:
            errors.extend(
                (name, "parameter is missing and it is not optional.")
                for name, sub in properties.items()
                if not sub.get("optional") and name not in params
            )
        if errors:
            raise PbsParameterError(errors)
        return params

    def check_json(
        self, body: Any, uri_params: Mapping[str, str], schema: Mapping[str, Any]
    ) -> dict[str, Any]:
        """A JSON body (``Content-Type: application/json``), as PBS's ``verify_json``."""
        if not isinstance(body, dict):
            raise PbsParameterError([("_root", "Expected object - got scalar value.")])
        pairs: list[tuple[str, str]] = []
        for key, value in body.items():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, bool):
                    pairs.append((key, "true" if item else "false"))
                elif isinstance(item, (dict, list)):
                    pairs.append((key, json.dumps(item)))
                else:
                    pairs.append((key, str(item)))
        return self.check([*pairs, *uri_params.items()], schema)
