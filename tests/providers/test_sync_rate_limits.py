"""Issue 11.1: a sync job's rate limits come back from PBS in HumanByte display form.

PBS stores ``rate-in``/``burst-in``/``rate-out``/``burst-out`` as a ``HumanByte``
(pbs-api-types ``traffic_control.rs``) printed by ``Display`` (proxmox-human-byte
``src/lib.rs``): ``50MiB`` reads back as ``50 MiB``. The provider must compare normalised
values, or every ``pulumi up`` sees a change and writes.
"""

from __future__ import annotations

from lab import Lab
from providers.pbs_sync_job import PbsSyncJobProvider
from tests.providers.harness import (
    add_datastores,
    configured,
    endpoint,
    lab_client,
    lifecycle_inputs,
    stack_config,
)


def test_rate_limits_written_loosely_need_no_update(lab: Lab, unique_name) -> None:
    local = lab.pbs["local"]
    client = lab_client(local)
    store, other = unique_name("rs"), unique_name("ro")
    add_datastores(client, store, other)
    provider = configured(PbsSyncJobProvider(), stack_config(local))
    job_id = unique_name("rate")
    inputs = lifecycle_inputs(
        {
            "endpoint": endpoint(local),
            "id": job_id,
            "store": store,
            "remote_store": other,
            "rate_in": "50MiB",
            "burst_in": "2.0GB",
            "rate_out": "2.3456MiB",
        }
    )
    created = provider.create(inputs)
    stored = client.get(f"/config/sync/{job_id}")
    assert (stored["rate-in"], stored["burst-in"], stored["rate-out"]) == (
        "50 MiB",
        "2 GB",
        "2.346 MiB",
    )
    lab.control.clear_requests()
    assert provider.diff(job_id, created.outs, inputs).changes is False
    assert [r.method for r in lab.control.requests("local")] == ["GET"]

    faster = {**inputs, "rate_in": "60MiB"}
    assert provider.diff(job_id, created.outs, faster).changes is True
    provider.delete(job_id, provider.update(job_id, created.outs, faster).outs)
