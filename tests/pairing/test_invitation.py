"""Invitations sealed to the receiver's key: only it opens them, and only valid ones."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from nacl.public import PublicKey, SealedBox

from tappaas.automation.history_guard import HistoryReport
from tappaas.automation.pairing import (
    INVITE_PREFIX,
    PairingError,
    new_private_key,
    open_invitation,
    public_key_text,
    seal,
)
from tappaas.cli.peer_history import format_history_report
from tappaas.model.invitation import Invitation, InvitationKind
from tappaas.policy.snapshot_clock import SnapshotRef

SECRET = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
FIELDS = {
    "kind": "source",
    "site": "home",
    "address": "192.0.2.10:8007",
    "fingerprint": ":".join(["AB"] * 32),
    "datastore": "tappaas_backup",
    "namespace": "",
    "token_id": "tappaas-peer@pbs!pull",
    "token_secret": SECRET,
}


def test_only_the_receivers_key_opens_an_invitation() -> None:
    receiver, stranger = new_private_key(), new_private_key()
    sealed = seal(Invitation.model_validate(FIELDS), public_key_text(receiver))
    assert sealed.startswith(INVITE_PREFIX) and SECRET not in sealed
    opened = open_invitation(sealed, receiver)
    assert opened.kind is InvitationKind.SOURCE and opened.token_secret.get_secret_value() == SECRET
    with pytest.raises(PairingError, match="not sealed for this stack's key"):
        open_invitation(sealed, stranger)
    raw = bytearray(base64.b64decode(sealed.removeprefix(INVITE_PREFIX)))
    raw[-1] ^= 1
    with pytest.raises(PairingError, match="altered"):
        open_invitation(INVITE_PREFIX + base64.b64encode(bytes(raw)).decode(), receiver)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("address", "x/../y"),
        ("datastore", "../etc"),
        ("token_id", "root@pam"),
        ("namespace", "a/../b"),
        ("token_secret", "two words"),
    ],
)
def test_an_invitation_with_a_bad_field_is_refused_naming_the_field(field: str, value: str) -> None:
    receiver = new_private_key()
    public = PublicKey(base64.b64decode(public_key_text(receiver).split(":", 1)[1]))
    forged = SealedBox(public).encrypt(json.dumps({**FIELDS, field: value}).encode())
    with pytest.raises(PairingError, match=field) as refused:
        open_invitation(INVITE_PREFIX + base64.b64encode(forged).decode(), receiver)
    if field == "token_secret":
        assert value not in str(refused.value)


def test_extra_fields_are_refused() -> None:
    with pytest.raises(ValueError, match="passphrase"):
        Invitation.model_validate({**FIELDS, "passphrase": "nope"})


def test_keys_and_invitations_of_another_kind_are_refused() -> None:
    with pytest.raises(PairingError, match="tappaas public key"):
        seal(Invitation.model_validate(FIELDS), "ssh-ed25519 AAAA")
    with pytest.raises(PairingError, match="tappaas invitation"):
        open_invitation("hello", new_private_key())


def test_the_check_report_reads_at_80_columns() -> None:
    forged = [SnapshotRef("tappaas_backup", "remote/home", "vm", "110", 1_900_000_000 + i)
              for i in range(12)]  # fmt: skip
    report = HistoryReport(datetime.now(UTC), 40, forged, 7, [("remote/home", "vm/140", "2026-11")])
    text = format_history_report(report)
    assert text.startswith("CRIT: 40 snapshots, 12 dated in the future")
    assert "… and 2 more" in text and "remote/home/vm/140 2026-11" in text
    assert max(len(line) for line in text.splitlines()) <= 80
