"""Acceptance against a real Proxmox Backup Server, for whoever has one.

Set ``TAPPAAS_ACCEPTANCE_PBS`` to ``host[:port]``, ``TAPPAAS_ACCEPTANCE_PBS_FINGERPRINT``,
``TAPPAAS_ACCEPTANCE_PBS_TOKEN_ID`` (a token with Datastore.Modify and Permissions.Modify),
``TAPPAAS_ACCEPTANCE_PBS_TOKEN_SECRET`` and ``TAPPAAS_ACCEPTANCE_PBS_DATASTORE`` (an existing
datastore it may add a namespace and jobs to). The tests create only objects named
``tappaas-acceptance*`` and remove them again; they never touch backups.
Without these variables the tier is skipped: no real PBS can run on the build machine.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from providers.pbs_namespace import PbsNamespaceProvider
from providers.pbs_prune_job import PbsPruneJobProvider
from tests.providers.harness import configured, lifecycle_inputs

ENV = "TAPPAAS_ACCEPTANCE_PBS"
pytestmark = [
    pytest.mark.acceptance,
    pytest.mark.skipif(
        ENV not in os.environ, reason=f"no real PBS: set {ENV}* (see the module docstring)"
    ),
]


def _endpoint() -> dict[str, Any]:
    host, _, port = os.environ[ENV].partition(":")
    return {
        "product": "pbs",
        "host": host,
        "port": int(port) if port else None,
        "fingerprint": os.environ[f"{ENV}_FINGERPRINT"],
        "token_id": os.environ[f"{ENV}_TOKEN_ID"],
        "token_secret_config": "acceptanceToken",
    }


def _config() -> dict[str, Any]:
    return {"test:acceptanceToken": os.environ[f"{ENV}_TOKEN_SECRET"]}


def test_namespace_and_prune_job_lifecycle_on_a_real_pbs() -> None:
    store = os.environ[f"{ENV}_DATASTORE"]
    namespaces = configured(PbsNamespaceProvider(), _config())
    ns_inputs = lifecycle_inputs(
        {"endpoint": _endpoint(), "store": store, "namespace": "tappaas-acceptance"}
    )
    namespace = namespaces.create(ns_inputs)
    jobs = configured(PbsPruneJobProvider(), _config())
    job_inputs = lifecycle_inputs(
        {
            "endpoint": _endpoint(),
            "id": "tappaas-acceptance",
            "store": store,
            "ns": "tappaas-acceptance",
            "schedule": "daily",
            "keep_daily": 7,
            "keep_yearly": 100,
        }
    )
    try:
        job = jobs.create(job_inputs)
        assert jobs.diff(job.id, job.outs, job_inputs).changes is False
        changed = {**job_inputs, "keep_daily": 8}
        assert jobs.update(job.id, job.outs, changed).outs["keep_daily"] == 8
        jobs.delete(job.id, job.outs)
    finally:
        namespaces.delete(namespace.id, namespace.outs)
