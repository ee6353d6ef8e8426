"""Issue 11.6: drift on a setting PBS cannot delete is repaired with its default.

``resync-corrupt`` is not in the sync job's ``DeletableProperty`` (proxmox-backup
``src/api2/config/sync.rs``; the schema's ``delete`` enum), so ``delete=resync-corrupt``
fails the whole update with a parameter error; the lab validates ``delete`` against that
enum. The provider sends ``resync-corrupt=false`` instead and then sees no change.
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


def test_resync_corrupt_set_behind_our_back_is_reset_to_false(lab: Lab, unique_name) -> None:
    local = lab.pbs["local"]
    client = lab_client(local)
    store, other = unique_name("dv"), unique_name("do")
    add_datastores(client, store, other)
    provider = configured(PbsSyncJobProvider(), stack_config(local))
    job_id = unique_name("resync")
    inputs = lifecycle_inputs(
        {"endpoint": endpoint(local), "id": job_id, "store": store, "remote_store": other}
    )
    created = provider.create(inputs)
    client.put(f"/config/sync/{job_id}", **{"resync-corrupt": True})

    assert provider.diff(job_id, created.outs, inputs).changes is True
    repaired = provider.update(job_id, created.outs, inputs)
    assert client.get(f"/config/sync/{job_id}")["resync-corrupt"] in (False, 0)
    assert provider.diff(job_id, repaired.outs, inputs).changes is False
    provider.delete(job_id, repaired.outs)
