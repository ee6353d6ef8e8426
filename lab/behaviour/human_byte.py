"""Byte sizes as PBS parses and stores them (sync rate limits ``rate-in``/``burst-out`` …).

A port of proxmox-rs ``proxmox-human-byte/src/lib.rs``: ``FromStr`` strips an optional
``B``/``b``, an optional ``i`` (IEC, base 2) and one unit letter (k/m/g/t/p, any case), trims
trailing blanks and parses the rest as an ``f64`` (negative sizes refused); ``Display``
rounds to 3 decimals and prints ``"<size> <unit>"``. PBS stores the value through
``Display`` (``forward_serialize_to_display!``), so ``50MiB`` reads back as ``50 MiB`` and
``2.0GB`` as ``2 GB``.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

__all__ = ["HumanByteError", "display_human_byte"]

_SI = {"k": "KB", "m": "MB", "g": "GB", "t": "TB", "p": "PB"}
_IEC = {"k": "KiB", "m": "MiB", "g": "GiB", "t": "TiB", "p": "PiB"}
_RUST_F64 = re.compile(
    r"[+-]?(?:inf|infinity|nan|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)", re.IGNORECASE
)
"""What Rust's ``str::parse::<f64>`` accepts (no blanks, no ``_``, unlike Python's float)."""
_PRECISION = 1000.0


class HumanByteError(ValueError):
    """PBS: "byte-size parse error for '<text>': <reason>"."""


def _strip_unit(text: str) -> tuple[str, str]:
    """``strip_unit``: the number part and the unit's display name."""
    if text[-1:] in ("b", "B"):
        text = text[:-1]
    binary = text.endswith("i")
    if binary:
        text = text[:-1]
    letter = text[-1:].lower()
    units = _IEC if binary else _SI
    if letter in units:
        return text[:-1].rstrip(), units[letter]
    return text.rstrip(), "B"


def _rust_round(value: float) -> float:
    """``f64::round``: half-way cases away from zero."""
    floor = math.floor(abs(value))
    rounded = floor + 1 if abs(value) - floor >= 0.5 else floor
    return math.copysign(rounded, value)


def _rust_display(value: float) -> str:
    """``Display for f64``: the shortest round-trip digits, never an exponent."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def display_human_byte(text: str) -> str:
    """The stored form of a byte size (``50MiB`` → ``50 MiB``); raises ``HumanByteError``."""
    number, unit = _strip_unit(text)
    if not _RUST_F64.fullmatch(number):
        raise HumanByteError(f"byte-size parse error for '{text}': invalid float literal")
    size = float(number)
    if size < 0:
        raise HumanByteError(f"byte-size parse error for '{text}': byte size may not be negative")
    return f"{_rust_display(_rust_round(size * _PRECISION) / _PRECISION)} {unit}"
