"""Rate limits in PBS's stored form: proxmox-human-byte's own test vectors, both ports.

The vectors are ``test_human_byte_parser`` in proxmox-rs ``proxmox-human-byte/src/lib.rs``
(input → ``to_string()``). The product normalises desired values with them
(``tappaas.pbs.human_byte``); the lab stores what PBS stores (``lab.behaviour.human_byte``).
"""

from __future__ import annotations

import pytest

from lab.behaviour.human_byte import HumanByteError, display_human_byte
from tappaas.pbs.human_byte import human_byte

UPSTREAM_VECTORS = {
    "14": "14 B",
    "14.4": "14.4 B",
    "14.45": "14.45 B",
    "14.456": "14.456 B",
    "14.4567": "14.457 B",
    "987654321": "987654321 B",
    "1300b": "1300 B",
    "1300B": "1300 B",
    "1300 B": "1300 B",
    "1300 b": "1300 B",
    "1.5KB": "1.5 KB",
    "1.5kb": "1.5 KB",
    "1.654321MB": "1.654 MB",
    "2.0GB": "2 GB",
    "1.4TB": "1.4 TB",
    "1.4tb": "1.4 TB",
    "2KiB": "2 KiB",
    "2Ki": "2 KiB",
    "2kib": "2 KiB",
    "2.3454MiB": "2.345 MiB",
    "2.3456MiB": "2.346 MiB",
    "4gib": "4 GiB",
}


@pytest.mark.parametrize(("written", "stored"), sorted(UPSTREAM_VECTORS.items()))
def test_both_ports_print_what_pbs_stores(written: str, stored: str) -> None:
    assert display_human_byte(written) == stored
    assert human_byte(written) == stored
    assert human_byte(stored) == stored  # idempotent: a read-back value stays as it is


@pytest.mark.parametrize("bad", ["-10", "x", "", "1_000", " 5MiB"])
def test_both_ports_refuse_what_pbs_refuses(bad: str) -> None:
    with pytest.raises(HumanByteError, match="byte-size parse error"):
        display_human_byte(bad)
    with pytest.raises(ValueError, match="not a byte size"):
        human_byte(bad)
