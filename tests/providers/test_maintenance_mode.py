"""Issue 11.8: ``maintenance-mode`` is PBS's own state, not a setting we manage.

PBS sets it while it unmounts, deletes or refreshes a datastore (proxmox-backup
``src/api2/admin/datastore.rs`` ``run_maintenance_locked``: the task aborts when the mode is
no longer what it expects), and stores it re-printed (``type=read-only`` → ``read-only``,
pbs-api-types ``datastore.rs``). A drift repair that deleted it would abort an unmount.
"""

from __future__ import annotations

from lab import Lab
from providers.pbs_datastore import PbsDatastoreProvider
from tests.providers.harness import (
    configured,
    endpoint,
    lab_client,
    lifecycle_inputs,
    stack_config,
)


def test_a_datastore_in_maintenance_is_left_in_it(lab: Lab, unique_name) -> None:
    local = lab.pbs["local"]
    provider = configured(PbsDatastoreProvider(), stack_config(local))
    name = unique_name("mp")
    inputs = lifecycle_inputs(
        {"endpoint": endpoint(local), "name": name, "path": f"/tankc/{name}", "comment": "a"}
    )
    created = provider.create(inputs)
    client = lab_client(local)
    client.put(f"/config/datastore/{name}", **{"maintenance-mode": "type=unmount"})

    assert provider.diff(name, created.outs, inputs).changes is False
    renamed = {**inputs, "comment": "b"}
    assert provider.diff(name, created.outs, renamed).changes is True
    updated = provider.update(name, created.outs, renamed)
    live = client.get(f"/config/datastore/{name}")
    assert (live["comment"], live["maintenance-mode"]) == ("b", "unmount")
    assert "maintenance_mode" not in updated.outs
    client.put(f"/config/datastore/{name}", delete=["maintenance-mode"])
    provider.delete(name, updated.outs)
