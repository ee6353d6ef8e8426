"""Issue 11.2: the PBS ids we derive from config names always fit PBS's 3-32 characters.

Job ids and remote names are 3-32-character safe ids (proxmox-rs ``pbs-api-types``
``jobs.rs`` ``JOB_ID_SCHEMA``, ``remote.rs`` ``REMOTE_ID_SCHEMA``); datastore and site names
may be 32 long, site names 1 character.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from tappaas.model.pbs_ids import (
    guest_remote_name,
    on_mount_job_id,
    pull_job_id,
    retention_job_id,
    verify_job_id,
)

SAFE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._\-]{2,31}")
NAMES = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9._\-]{0,31}", fullmatch=True)
DERIVE = (retention_job_id, verify_job_id, pull_job_id, on_mount_job_id, guest_remote_name)


@given(NAMES)
def test_every_derived_id_is_a_pbs_safe_id(name: str) -> None:
    for derive in DERIVE:
        assert SAFE_ID.fullmatch(derive(name)), (derive.__name__, name, derive(name))


def test_ids_that_fit_are_kept_as_they_were() -> None:
    assert retention_job_id("tappaas_backup") == "tappaas_backup-retention"
    assert pull_job_id("home") == "pull-home"
    assert guest_remote_name("home") == "home"
    assert on_mount_job_id("personal") == "personal-on-mount"


def test_long_names_keep_their_affix_and_stay_apart() -> None:
    one, two = "a" * 30 + "x1", "a" * 30 + "x2"
    assert retention_job_id(one).endswith("-retention")
    assert retention_job_id(one) != retention_job_id(two)
    assert len(retention_job_id(one)) == 32


def test_a_one_letter_site_gets_a_remote_name_pbs_accepts() -> None:
    assert guest_remote_name("a") == "a-pbs"
    assert pull_job_id("a") == "pull-a"
