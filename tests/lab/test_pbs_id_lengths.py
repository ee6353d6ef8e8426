"""The lab refuses job ids and remote names outside 3-32 characters, as PBS does.

proxmox-rs ``pbs-api-types/src/jobs.rs`` ``JOB_ID_SCHEMA`` and ``remote.rs``
``REMOTE_ID_SCHEMA`` (``PROXMOX_SAFE_ID_FORMAT``, min 3, max 32), checked through the official
schema's ``minLength``/``maxLength``.
"""

from __future__ import annotations

import pytest

from lab import Lab
from tappaas.client import ParameterError
from tests.providers.harness import lab_client


def test_a_33_character_job_id_is_refused(lab: Lab) -> None:
    client = lab_client(lab.pbs["local"])
    with pytest.raises(ParameterError, match="'id'"):
        client.post("/config/prune", id="x" * 33, store="any", schedule="daily")


def test_a_two_character_remote_name_is_refused(lab: Lab) -> None:
    peer = lab.pbs["peer"]
    with pytest.raises(ParameterError, match="'name'"):
        lab_client(lab.pbs["local"]).post(
            "/config/remote",
            name="ab",
            host=peer.host,
            **{"auth-id": "a@pbs!b"},
            password="x",
            fingerprint=peer.fingerprint,
        )
