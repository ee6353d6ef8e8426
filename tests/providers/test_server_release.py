"""Issue 11.5: options newer than the server are refused before any write, by name.

The lab's PBS reports and behaves as an older release (``LabConfig.pbs_version``): it refuses
``run-on-mount`` before 4.0.4 (proxmox-backup ``debian/changelog``). The provider reads
``/version`` once and says which option needs which release; a release older than the
program's minimum (PBS 4.0) is refused the same way.
"""

from __future__ import annotations

from collections.abc import Callable

from lab import Lab
from providers.pbs_datastore import PbsDatastoreProvider
from providers.pbs_sync_job import PbsSyncJobProvider
from tappaas.client import UnsupportedVersionError
from tests.providers.harness import (
    configured,
    endpoint,
    fails_with,
    lab_client,
    lifecycle_inputs,
    stack_config,
)


def test_run_on_mount_needs_pbs_4_0_4(lab_factory: Callable[..., Lab]) -> None:
    lab = lab_factory(pbs=("local",), pbs_version="4.0.3")
    local = lab.pbs["local"]
    client = lab_client(local)
    for name in ("tappaas_backup", "personal"):
        client.wait_for_task(client.post("/config/datastore", name=name, path=f"/t/{name}"))
    provider = configured(PbsSyncJobProvider(), stack_config(local))
    job = {
        "endpoint": endpoint(local),
        "id": "personal-on-mount",
        "store": "personal",
        "remote_store": "tappaas_backup",
    }
    lab.control.clear_requests()
    with fails_with(UnsupportedVersionError) as refused:
        provider.create(lifecycle_inputs({**job, "run_on_mount": True}))
    assert "runs PBS 4.0.3" in str(refused.value)
    assert "option 'run-on-mount' of /config/sync needs PBS 4.0.4" in str(refused.value)
    requests = [(r.method, r.path) for r in lab.control.requests()]
    assert requests[0] == ("GET", "/version")
    assert all(method == "GET" for method, _ in requests)  # refused before any write

    created = provider.create(lifecycle_inputs(job))  # left unset: not sent, accepted
    assert created.outs["run_on_mount"] is None


def test_a_pbs_older_than_4_is_refused(lab_factory: Callable[..., Lab]) -> None:
    lab = lab_factory(pbs=("local",), pbs_version="3.4.1")
    local = lab.pbs["local"]
    provider = configured(PbsDatastoreProvider(), stack_config(local))
    with fails_with(UnsupportedVersionError, match=r"this program needs PBS 4\.0\.0 or newer"):
        provider.create(
            lifecycle_inputs({"endpoint": endpoint(local), "name": "store", "path": "/t/s"})
        )
    assert lab_client(local).get("/config/datastore") == []
