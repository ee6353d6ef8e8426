"""Fingerprints are accepted only in Proxmox's SHA-256 colon-hex form."""

import pytest

from tappaas.client.tls import normalize_fingerprint

FP = ":".join(["AB"] * 32)


def test_normalize() -> None:
    assert normalize_fingerprint(FP) == "ab" * 32


@pytest.mark.parametrize("bad", ["", "AB:CD", ":".join(["AB"] * 20), "ab" * 32, FP + ":00"])
def test_rejects_other_shapes(bad: str) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        normalize_fingerprint(bad)
