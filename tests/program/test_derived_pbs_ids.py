"""Issue 11.2: long datastore and short or long site names still give ids PBS accepts.

PBS refuses job ids and remote names outside 3-32 characters (pbs-api-types
``JOB_ID_SCHEMA``/``REMOTE_ID_SCHEMA``; the lab validates them against the official schema).
"""

from __future__ import annotations

import re

import pulumi

from tappaas.components.site import Site
from tappaas.model import load_site_config
from tests.program.mocks import Mocks, Recorder, set_config, stack_config

SAFE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._\-]{2,31}")
LONG = "backups_of_the_whole_family_2025"  # 32 characters, a valid datastore name


def _declare(raw: dict[str, object]) -> Recorder:
    recorder = Recorder()
    pulumi.runtime.set_mocks(Mocks(recorder), project="tappaas", stack="test", preview=False)
    set_config(raw)
    Site(
        "site",
        load_site_config(raw),
        pulumi.ResourceOptions(transformations=[recorder.transformation]),
    )
    return recorder


def _ids(recorder: Recorder) -> list[str]:
    jobs = [
        r.props["id"]
        for r in recorder.resources
        if r.type_.endswith(("pbs:SyncJob", "pbs:PruneJob", "pbs:VerifyJob"))
    ]
    return jobs + [r.props["name"] for r in recorder.resources if r.type_.endswith("pbs:Remote")]


@pulumi.runtime.test
def test_a_site_with_32_character_datastores() -> None:
    raw = stack_config("prod")
    raw["backup"] = {**raw["backup"], "pbs": {**raw["backup"]["pbs"], "datastore": LONG}}
    raw["personal"] = {**raw["personal"], "datastore": LONG[::-1]}
    ids = _ids(_declare(raw))
    assert len(ids) == 3 and all(SAFE_ID.fullmatch(i) for i in ids), ids


@pulumi.runtime.test
def test_a_peer_keeping_a_one_letter_and_a_32_letter_site() -> None:
    raw = stack_config("peer")
    home = raw["peer"]["guests"]["home"]
    explicit = {
        **{k: v for k, v in home.items() if k != "stack"},
        "address": "10.9.0.2",
        "fingerprint": ":".join(["AB"] * 32),
        "datastore": "store",
        "credential": {"token_id": "r@pbs!pull", "token_secret": {"secret": "pbsApiToken"}},
    }
    raw["peer"] = {"guests": {"a": explicit, LONG: explicit | {"namespace": "remote/long"}}}
    ids = _ids(_declare(raw))
    assert len(ids) == 3 * 2 + 2, ids  # per guest: pull, retention, remote; own prune, verify
    assert all(SAFE_ID.fullmatch(i) for i in ids), ids
