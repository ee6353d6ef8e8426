"""The providers survive a misbehaving Proxmox, and fail closed and clearly when they must."""

from __future__ import annotations

from typing import Any

import pytest

from lab import Lab
from providers._endpoint import MissingCredentialError
from providers.pbs_datastore import PbsDatastoreProvider
from providers.pbs_sync_job import PbsSyncJobProvider
from tappaas.client import FingerprintMismatchError
from tests.providers.harness import (
    configured,
    endpoint,
    fails_with,
    lifecycle_inputs,
    stack_config,
)


def _datastore(lab: Lab, name: str, **fields: Any) -> dict[str, Any]:
    return lifecycle_inputs(
        {"endpoint": endpoint(lab.pbs["local"]), "name": name, "path": f"/t/{name}", **fields}
    )


def test_wrong_fingerprint_fails_closed_naming_the_host(fresh_lab: Lab) -> None:
    provider = configured(PbsDatastoreProvider(), stack_config(fresh_lab.pbs["local"]))
    inputs = _datastore(fresh_lab, "pinned")
    inputs["endpoint"] = {**inputs["endpoint"], "fingerprint": ":".join(["5A"] * 32)}
    with fails_with(FingerprintMismatchError, match=r"https://127\.0\.0\.1:\d+"):
        provider.create(inputs)
    assert fresh_lab.control.requests("local") == []  # nothing reached the API


def test_missing_credential_names_the_config_key(fresh_lab: Lab) -> None:
    provider = configured(PbsDatastoreProvider(), {})
    with fails_with(MissingCredentialError, match="localToken"):
        provider.create(_datastore(fresh_lab, "nocred"))


@pytest.mark.parametrize("kind", ["lock-timeout", "http-503", "http-502", "reset"])
def test_transient_faults_are_retried_until_the_write_lands(fresh_lab: Lab, kind: str) -> None:
    provider = configured(PbsDatastoreProvider(), stack_config(fresh_lab.pbs["local"]))
    fresh_lab.control.inject_fault("local", kind, count=2, method="POST")
    created = provider.create(_datastore(fresh_lab, f"f{kind[:4]}", comment="x"))
    assert created.outs["comment"] == "x"
    posts = [r for r in fresh_lab.control.requests("local") if r.method == "POST"]
    assert [r.status for r in posts][-1] == 200
    assert len(posts) >= 3  # two faulted attempts, then the one that landed


def test_lifecycle_converges_with_faults_on_a_fifth_of_requests(fresh_lab: Lab) -> None:
    """Lock timeouts, 503s, resets and latency on 20% of requests: same end state."""
    control = fresh_lab.control
    for kind in ("lock-timeout", "http-503", "reset"):
        control.inject_fault("local", kind, rate=0.07)
    control.inject_fault("local", "latency", rate=0.2, seconds=0.05)
    config = stack_config(fresh_lab.pbs["local"])
    datastores = configured(PbsDatastoreProvider(), config)
    jobs = configured(PbsSyncJobProvider(), config)
    for n in range(5):
        store = datastores.create(_datastore(fresh_lab, f"chaos{n}", gc_schedule="daily"))
        job = lifecycle_inputs(
            {
                "endpoint": endpoint(fresh_lab.pbs["local"]),
                "id": f"copy{n}",
                "store": store.id,
                "remote_store": "tanka",
                "schedule": "hourly",
            }
        )
        created = jobs.create(job)
        changed = {**job, "schedule": "daily", "comment": "moved to daily"}
        assert jobs.diff(created.id, created.outs, changed).changes is True
        updated = jobs.update(created.id, created.outs, changed)
        assert updated.outs["schedule"] == "daily"
        assert jobs.diff(created.id, updated.outs, changed).changes is False
        jobs.delete(created.id, updated.outs)
        datastores.delete(store.id, store.outs)
    control.clear_faults()
    statuses = {r.status for r in control.requests("local")}
    assert statuses & {500, 503}, "the faults really fired"
    leftovers = jobs.client(jobs.parse(job)).get("/config/sync", **{"sync-direction": "all"})
    assert leftovers == []
