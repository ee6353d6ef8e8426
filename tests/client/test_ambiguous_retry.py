"""A write retried after a dropped connection that then "already exists" says so."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from tappaas.client import (
    ConflictError,
    ConnectionSettings,
    Envelope,
    Product,
    ProxmoxClient,
    RetryPolicy,
    TransportError,
)

FAST = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0)


def _client() -> ProxmoxClient:
    settings = ConnectionSettings(
        product=Product.PBS,
        host="pbs.example",
        fingerprint=":".join(["AB"] * 32),
        token_id="root@pam!t",
        token_secret=SecretStr("s"),
    )
    return ProxmoxClient(settings, retry=FAST)


def _answers(*outcomes: Exception | Envelope) -> Any:
    pending = list(outcomes)

    def send(method: str, path: str, form: dict[str, Any]) -> Envelope:
        outcome = pending.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return send


def _exists() -> ConflictError:
    return ConflictError(
        product="pbs", method="POST", path="/config/remote", status=400,
        message="remote 'peer' already exists.",
    )  # fmt: skip


def test_conflict_after_a_dropped_write_hints_that_it_may_have_landed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = _client()
    monkeypatch.setattr(client, "_send", _answers(TransportError("reset"), _exists()))
    with pytest.raises(ConflictError, match="first attempt may have succeeded"):
        client.post("/config/remote", name="peer")


def test_a_plain_conflict_carries_no_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    client = _client()
    monkeypatch.setattr(client, "_send", _answers(_exists()))
    with pytest.raises(ConflictError) as raised:
        client.post("/config/remote", name="peer")
    assert "first attempt" not in str(raised.value)
