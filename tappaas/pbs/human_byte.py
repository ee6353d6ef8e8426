"""Byte sizes in the form PBS stores them, so a sync job's rate limits compare equal.

PBS parses ``rate-in``/``burst-in``/``rate-out``/``burst-out`` into a ``HumanByte`` and writes
it back through ``Display`` (proxmox-rs ``proxmox-human-byte/src/lib.rs``, used by
pbs-api-types ``traffic_control.rs``): ``50MiB`` reads back as ``50 MiB``, ``2.0GB`` as
``2 GB``, ``2.3456MiB`` as ``2.346 MiB``. Comparing the text as written would see a change
on every ``pulumi up``; we normalise the desired value the same way before comparing.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator

_UNITS = {False: {"k": "KB", "m": "MB", "g": "GB", "t": "TB", "p": "PB"}}
_UNITS[True] = {letter: name[0] + "iB" for letter, name in _UNITS[False].items()}
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
DISPLAY_DECIMALS = 3
"""``Display for HumanByte`` rounds the size to 3 decimals."""


def human_byte(text: str) -> str:
    """``50MiB`` → ``50 MiB``: PBS's stored form of a byte size (``ValueError`` if invalid)."""
    number = text[:-1] if text[-1:] in ("b", "B") else text
    binary = number.endswith("i")
    number = number[:-1] if binary else number
    unit = _UNITS[binary].get(number[-1:].lower())
    number = (number[:-1] if unit else number).rstrip()
    if not _NUMBER.fullmatch(number) or float(number) < 0:
        raise ValueError(f"{text!r} is not a byte size like '50MiB' or '2 GB'")
    scaled = float(number) * 10**DISPLAY_DECIMALS
    rounded = math.floor(scaled) + (scaled - math.floor(scaled) >= 0.5)  # Rust: half away from 0
    shown = format(Decimal(repr(rounded / 10**DISPLAY_DECIMALS)), "f")
    if "." in shown:
        shown = shown.rstrip("0").rstrip(".")
    return f"{shown} {unit or 'B'}"


HumanByteText = Annotated[str, AfterValidator(human_byte)]
"""A byte size, held in PBS's stored form."""
