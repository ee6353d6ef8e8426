"""RestoredVm against the lab's PVE (backed by the lab's PBS)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from lab import Lab
from providers.restored_vm import RestoredVmProvider
from tappaas.client import TaskFailedError
from tests.providers.harness import (
    configured,
    endpoint,
    lab_client,
    lifecycle_inputs,
    stack_config,
)

SNAPSHOT_TIME = 1_735_696_804  # 2025-01-01T02:00:04Z


@pytest.fixture
def pbs_storage(lab: Lab, unique_name: Callable[[str], str]) -> Iterator[str]:
    """A PBS datastore with a snapshot of VM 340, and a PVE storage entry pointing at it."""
    pbs = lab.pbs["local"]
    store, storage = unique_name("bk"), unique_name("pbs")
    pbs_client, pve_client = lab_client(pbs), lab_client(lab.pve)
    pbs_client.wait_for_task(pbs_client.post("/config/datastore", name=store, path=f"/x/{store}"))
    lab.control.seed_snapshot("local", store, backup_id="340", time=SNAPSHOT_TIME, encrypted=True)
    pve_client.post(
        "/storage",
        storage=storage,
        type="pbs",
        server=pbs.host,
        port=pbs.port,
        datastore=store,
        username=pbs.token_id,
        password=pbs.token_secret,
        fingerprint=pbs.fingerprint,
        **{"encryption-key": "autogen"},
    )
    if "tanka" not in {entry["storage"] for entry in pve_client.get("/storage")}:
        pve_client.post("/storage", storage="tanka", type="zfspool", pool="tanka")
    yield storage
    pve_client.delete(f"/storage/{storage}")


def _restore_inputs(lab: Lab, storage: str, vmid: int, time: str, **options: object):
    return lifecycle_inputs(
        {
            "endpoint": endpoint(lab.pve),
            "node": "tappaas2",
            "vmid": vmid,
            "archive": f"{storage}:backup/vm/340/{time}",
            "storage": "tanka",
            **options,
        }
    )


def test_restore_from_pbs_and_purge(lab: Lab, pbs_storage: str) -> None:
    provider = configured(RestoredVmProvider(), stack_config(lab.pve, lab.pbs["local"]))
    inputs = _restore_inputs(lab, pbs_storage, 9340, "2025-01-01T02:00:04Z", start=True)
    assert provider.check({}, inputs).failures == []
    created = provider.create(inputs)
    assert created.id == "tappaas2/9340"
    assert created.outs["restored_snapshot"] == "backup/vm/340/2025-01-01T02:00:04Z"
    assert created.outs["restore_seconds"] >= 0
    vm = lab.control.vm(9340)
    assert vm is not None and vm.node == "tappaas2" and vm.status == "running"

    assert provider.diff(created.id, created.outs, inputs).changes is False
    other = _restore_inputs(lab, pbs_storage, 9340, "2025-01-02T02:00:04Z", start=True)
    assert provider.diff(created.id, created.outs, other).replaces == ["archive"]

    provider.delete(created.id, created.outs)
    assert lab.control.vm(9340) is None
    # The backup it came from is untouched.
    assert [
        s["backup-id"] for s in lab.control.snapshots("local", _store_of(lab, pbs_storage))
    ] == ["340"]


def test_restore_of_a_missing_snapshot_fails_with_the_task_message(
    lab: Lab, pbs_storage: str
) -> None:
    provider = configured(RestoredVmProvider(), stack_config(lab.pve, lab.pbs["local"]))
    inputs = _restore_inputs(lab, pbs_storage, 9341, "2030-01-01T00:00:00Z")
    with pytest.raises(TaskFailedError) as failed:
        provider.create(inputs)
    assert failed.value.upid.startswith("UPID:tappaas2:")
    assert lab.control.vm(9341) is None


def test_bad_archive_is_rejected_before_any_call(lab: Lab) -> None:
    provider = configured(RestoredVmProvider(), stack_config(lab.pve))
    inputs = lifecycle_inputs(
        {"endpoint": endpoint(lab.pve), "node": "tappaas1", "vmid": 5, "archive": "nope"}
    )
    failures = provider.check({}, inputs).failures
    assert {f.property for f in failures} == {"vmid", "archive"}


def _store_of(lab: Lab, storage: str) -> str:
    return str(lab_client(lab.pve).get(f"/storage/{storage}")["datastore"])


def test_restore_latest_into_an_isolated_vlan(lab: Lab, pbs_storage: str) -> None:
    store = _store_of(lab, pbs_storage)
    lab.control.seed_snapshot("local", store, backup_id="340", time=SNAPSHOT_TIME + 86_400)
    provider = configured(RestoredVmProvider(), stack_config(lab.pve, lab.pbs["local"]))
    inputs = _restore_inputs(lab, pbs_storage, 9342, "latest", bridge="vmbr1", vlan=900)
    created = provider.create(inputs)
    assert created.outs["restored_snapshot"] == "backup/vm/340/2025-01-02T02:00:04Z"
    vm = lab.control.vm(9342)
    assert vm is not None and "bridge=vmbr1" in vm.config["net0"] and "tag=900" in vm.config["net0"]
    assert provider.diff(created.id, created.outs, inputs).changes is False
    provider.delete(created.id, created.outs)
