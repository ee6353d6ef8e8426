"""PVE parameter verification, a port of pve-common ``JSONSchema.pm`` (``check_prop``).

Form values arrive as strings. PVE checks them as Perl does: booleans are exactly ``0`` or
``1`` (so a Python ``True`` sent as ``"True"`` fails "type check ('boolean') failed - got
'True'"), numbers by regex, patterns implicitly anchored, then format, lengths, range and
enum in that order, stopping at the first failure per parameter. Numbered options such as
``scsi[n]`` take their range from the description ("n is 0 to 30").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from lab.errors import ParameterError
from lab.schema import pve_formats
from lab.schema.regex import pve_matches

_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+\.\d+|\d+\.|\.\d+|\d+)([eE][+-]?\d+)?$")
_NUMBERED = re.compile(r"^(.+)\[n\]$")
_N_RANGE = re.compile(r"n is (\d+) to (\d+)")
_FORMAT_SUFFIX = re.compile(r"^(.*?)(?:-(list|opt))?$")
_NOT_ALLOWED = (
    "property is not defined in schema and the schema does not allow additional properties"
)


def split_list(text: str) -> list[str]:
    """PVE ``split_list``: NUL-separated if any NUL, else by commas, semicolons and spaces."""
    if "\0" in text:
        return text.split("\0")
    return re.sub(r"[,;]", " ", text).split()


class _Errors(dict[str, str]):
    def add(self, path: str, message: str) -> None:
        path = path or "_root"
        self[path] = f"{self[path]}\\n{message}" if path in self else message


@cache
def _numbered(names: tuple[str, ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple(
        (re.compile(rf"^{re.escape(m.group(1))}(\d+)$"), name)
        for name in names
        if (m := _NUMBERED.match(name))
    )


class PveSchemaChecker:
    """Checks one call's parameters against the method's ``parameters`` schema."""

    def check(self, params: Mapping[str, str], schema: Mapping[str, Any]) -> dict[str, Any]:
        """Typed parameters, or ``ParameterError`` with PVE's per-parameter messages."""
        errors = _Errors()
        properties: Mapping[str, Any] = schema.get("properties") or {}
        resolved = {key: self._lookup(properties, key) for key in params}
        for name, sub in properties.items():
            if _NUMBERED.match(name):
                continue
            self._check_prop(params.get(name), sub, name, errors, self._instance(sub, params))
        additional = schema.get("additionalProperties")
        for key, value in params.items():
            sub = resolved[key]
            if sub is None:
                if additional is not None and not additional:
                    errors.add(key, _NOT_ALLOWED)
                continue
            if key not in properties:
                self._check_prop(value, sub, key, errors, None)
            requires = sub.get("requires")
            if isinstance(requires, str) and requires not in params:
                errors.add(requires, f"missing property required by '{key}'")
        if errors:
            raise ParameterError(dict(errors))
        return {key: self._typed(value, resolved[key]) for key, value in params.items()}

    @staticmethod
    def _instance(sub: Mapping[str, Any], params: Mapping[str, str]) -> str | None:
        type_property = sub.get("type-property")
        return params.get(type_property) if isinstance(type_property, str) else None

    @staticmethod
    def _lookup(properties: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
        if key in properties:
            sub: Mapping[str, Any] = properties[key]
            return sub
        for pattern, name in _numbered(tuple(properties)):
            match = pattern.match(key)
            if match is None:
                continue
            sub = properties[name]
            bounds = _N_RANGE.search(str(sub.get("description", "")))
            if bounds is None or int(bounds[1]) <= int(match[1]) <= int(bounds[2]):
                return sub
        return None

    @staticmethod
    def _typed(value: str, sub: Mapping[str, Any] | None) -> Any:
        """The value as the handler gets it; an ``array`` from a form is its repeated keys
        (pve-http-server ``decode_urlencoded``), one value becoming a one-item array
        (pve-common ``RESTHandler`` ``normalize_legacy_param_formats``)."""
        kind = sub.get("type") if sub else None
        if kind == "array":
            return value.split("\0")
        if kind in ("boolean", "integer"):
            return int(value)
        if kind == "number":
            return float(value)
        return value

    def _check_prop(
        self,
        value: str | None,
        schema: Mapping[str, Any],
        path: str,
        errors: _Errors,
        instance_type: str | None,
    ) -> None:
        optional_for_type = False
        if instance_type is not None and "instance-types" in schema:
            optional_for_type = instance_type not in schema["instance-types"]
        if schema.get("alias"):
            return
        if value is None:
            if not schema.get("optional") and not optional_for_type:
                errors.add(path, "property is missing and it is not optional")
            return
        if not self._check_type(value, schema.get("type"), path, errors):
            return
        fmt = schema.get("format")
        if fmt:
            message = self._format_error(fmt, value, path)
            if message is not None:
                errors.add(path, f"invalid format - {message}")
                return
        pattern = schema.get("pattern")
        if pattern and not pve_matches(str(pattern), value):
            errors.add(path, "value does not match the regex pattern")
            return
        if (limit := schema.get("maxLength")) is not None and len(value) > int(limit):
            errors.add(path, f"value may only be {limit} characters long")
            return
        if (limit := schema.get("minLength")) is not None and len(value) < int(limit):
            errors.add(path, f"value must be at least {limit} characters long")
            return
        if _NUMBER.match(value):
            if (limit := schema.get("maximum")) is not None and float(value) > float(limit):
                errors.add(path, f"value must have a maximum value of {limit}")
                return
            if (limit := schema.get("minimum")) is not None and float(value) < float(limit):
                errors.add(path, f"value must have a minimum value of {limit}")
                return
        enum = schema.get("enum")
        if enum and value not in [str(item) for item in enum]:
            joined = ", ".join(str(item) for item in enum)
            errors.add(path, f"value '{value}' does not have a value in the enumeration '{joined}'")

    @staticmethod
    def _check_type(value: str, kind: Any, path: str, errors: _Errors) -> bool:
        if kind == "boolean" and value not in ("0", "1"):
            errors.add(path, f"type check ('boolean') failed - got '{value}'")
            return False
        if kind == "integer" and not _INTEGER.match(value):
            errors.add(path, f"type check ('integer') failed - got '{value}'")
            return False
        if kind == "number" and not _NUMBER.match(value):
            errors.add(path, f"type check ('number') failed - got '{value}'")
            return False
        if kind == "object":
            errors.add(path, f"type check ('{kind}') failed")
            return False
        return True

    def _format_error(self, fmt: Any, value: str, path: str) -> str | None:
        if isinstance(fmt, Mapping):
            return self._property_string_error(fmt, value, path, None)
        name, kind = _FORMAT_SUFFIX.match(str(fmt)).groups()  # type: ignore[union-attr]
        if name in pve_formats.HASH_FORMATS:
            validator = pve_formats.HASH_VALIDATORS.get(name)
            return self._property_string_error(
                pve_formats.HASH_FORMATS[name], value, path, validator
            )
        check = pve_formats.CODE_FORMATS.get(name)
        if check is None:
            return None
        if kind == "list":
            for item in split_list(value):
                if (message := check(item)) is not None:
                    return message
            return None
        if kind == "opt" and not value:
            return None
        return check(value)

    def _property_string_error(
        self,
        fmt: Mapping[str, Any],
        text: str,
        path: str,
        validator: Any,
    ) -> str | None:
        parsed: dict[str, str] = {}
        default_key: str | None = None
        for part in text.split(","):
            if not part.strip():
                continue
            if "=" in part and (m := re.match(r"^([^=]+)=(.+)$", part)):
                key, item = m.group(1), m.group(2)
                if key in parsed:
                    return f"duplicate key in comma-separated list property: {key}\n"
                sub = fmt.get(key)
                if sub and sub.get("alias"):
                    key = str(sub["alias"])
                    sub = fmt.get(key)
                if sub is None:
                    return f"invalid key in comma-separated list property: {key}\n"
                parsed[key] = _parse_boolean(item) if sub.get("type") == "boolean" else item
            elif "=" not in part:
                if default_key is not None:
                    return f"duplicate key in comma-separated list property: {default_key}\n"
                default_key = next((k for k, s in fmt.items() if s.get("default_key")), None)
                if default_key is None:
                    return "value without key, but schema does not define a default key\n"
                sub = fmt[default_key]
                parsed[default_key] = _parse_boolean(part) if sub.get("type") == "boolean" else part
            else:
                return "missing key in comma-separated list property\n"
        errors = _Errors()
        for key, sub in fmt.items():
            self._check_prop(parsed.get(key), sub, f"{path}.{key}" if path else key, errors, None)
        for key in parsed:
            if key not in fmt:
                errors.add(f"{path}.{key}" if path else key, _NOT_ALLOWED)
        if errors:
            return "format error\n" + "".join(f"{k}: {v}\n" for k, v in errors.items())
        return validator(parsed) if validator is not None else None


def _parse_boolean(text: str) -> str:
    lowered = text.lower()
    if lowered in ("1", "on", "yes", "true"):
        return "1"
    if lowered in ("0", "off", "no", "false"):
        return "0"
    return text
