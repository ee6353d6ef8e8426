"""RestoredVm against the lab's PVE (backed by the lab's PBS): it restores, marks and
protects, and then touches only the VM it restored (issue 18, finding 1)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from lab import Lab
from providers.restored_vm import (
    ForeignVmError,
    ProtectedVmError,
    RestoredVmProvider,
    parse_mark,
)
from tappaas.client import ApiError, TaskFailedError
from tappaas.pve.qemu import QemuApi
from tests.providers.harness import (
    add_pbs_storage,
    configured,
    endpoint,
    fails_with,
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
    add_pbs_storage(pve_client, storage, pbs, store, **{"encryption-key": "autogen"})
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
            "owner": "tappaas/test-dr",
            **options,
        }
    )


def _unprotect(lab: Lab, vmid: int) -> None:
    """What an admin does before deleting a restored VM on purpose."""
    vm = lab.control.vm(vmid)
    assert vm is not None
    lab_client(lab.pve).put(f"/nodes/{vm.node}/qemu/{vmid}/config", protection=0)


def test_restore_marks_and_protects_and_purges_only_when_unprotected(
    lab: Lab, pbs_storage: str
) -> None:
    provider = configured(RestoredVmProvider(), stack_config(lab.pve, lab.pbs["local"]))
    inputs = _restore_inputs(
        lab, pbs_storage, 9340, "2025-01-01T02:00:04Z", start=True, description="Nextcloud"
    )
    assert provider.check({}, inputs).failures == []
    created = provider.create(inputs)
    assert created.id == "tappaas2/9340"
    assert created.outs["restored_snapshot"] == "backup/vm/340/2025-01-01T02:00:04Z"
    assert created.outs["restore_seconds"] >= 0
    assert created.outs["restored_with"]["archive"].endswith("2025-01-01T02:00:04Z")
    vm = lab.control.vm(9340)
    assert vm is not None and vm.node == "tappaas2" and vm.status == "running"
    assert vm.config["tags"] == "tappaas-restored"
    assert vm.config["description"].splitlines() == [
        "tappaas-restored stack=tappaas/test-dr generation=0 snapshot=vm/340/2025-01-01T02:00:04Z",
        "Nextcloud",
    ]
    assert parse_mark(vm.config["description"]) == {
        "stack": "tappaas/test-dr", "generation": "0", "snapshot": "vm/340/2025-01-01T02:00:04Z",
    }  # fmt: skip

    # Restore-time options are create-only: another snapshot or option changes nothing.
    assert provider.diff(created.id, created.outs, inputs).changes is False
    other = _restore_inputs(lab, pbs_storage, 9340, "2025-01-02T02:00:04Z", live_restore=True)
    assert provider.diff(created.id, created.outs, other).changes is False
    # A new generation is a new VM, created before the old one is let go.
    again = _restore_inputs(lab, pbs_storage, 9440, "latest", restore_generation=1)
    renewed = provider.diff(created.id, created.outs, again)
    assert sorted(renewed.replaces) == ["restore_generation", "vmid"]
    assert renewed.delete_before_replace is False

    # Protected like data: PVE refuses to remove it, and so does delete().
    pve = lab_client(lab.pve)
    pve.post("/nodes/tappaas2/qemu/9340/status/stop")
    with pytest.raises(ApiError, match="protection mode enabled"):
        pve.delete("/nodes/tappaas2/qemu/9340")
    with fails_with(ProtectedVmError, match="qm set 9340 --protection 0"):
        provider.delete(created.id, created.outs)
    assert lab.control.vm(9340) is not None
    _unprotect(lab, 9340)
    provider.delete(created.id, created.outs)
    assert lab.control.vm(9340) is None
    # The backup it came from is untouched.
    assert [
        s["backup-id"] for s in lab.control.snapshots("local", _store_of(lab, pbs_storage))
    ] == ["340"]


def test_a_vm_without_the_mark_is_neither_adopted_nor_deleted(lab: Lab, pbs_storage: str) -> None:
    """The accident of finding 1: the restored VM is gone and an unrelated VM took its vmid;
    refresh adopted it and destroy deleted it. Now both refuse, and say why."""
    provider = configured(RestoredVmProvider(), stack_config(lab.pve, lab.pbs["local"]))
    inputs = _restore_inputs(lab, pbs_storage, 9343, "2025-01-01T02:00:04Z")
    created = provider.create(inputs)
    _unprotect(lab, 9343)
    lab_client(lab.pve).delete("/nodes/tappaas2/qemu/9343", purge=1)
    lab.control.seed_vm(9343, "tappaas2", "new-prod-router", disks={"scsi0": "tanka:32"})

    for attempt in (
        lambda: provider.read(created.id, created.outs),
        lambda: provider.diff(created.id, created.outs, inputs),
        lambda: provider.delete(created.id, created.outs),
    ):
        with fails_with(ForeignVmError, match="not the VM this resource restored"):
            attempt()
    router = lab.control.vm(9343)
    assert router is not None and router.name == "new-prod-router"

    # Another stack's restored VM is foreign too.
    theirs = _restore_inputs(lab, pbs_storage, 9343, "latest")
    theirs["owner"] = "tappaas/other-dr"
    with fails_with(ForeignVmError):
        provider.read("tappaas2/9343", {**theirs, "restored_snapshot": None})
    QemuApi(lab_client(lab.pve)).destroy("tappaas2", 9343)


def test_restoring_over_a_protected_vm_fails(lab: Lab, pbs_storage: str) -> None:
    provider = configured(RestoredVmProvider(), stack_config(lab.pve, lab.pbs["local"]))
    created = provider.create(_restore_inputs(lab, pbs_storage, 9344, "latest"))
    pve = lab_client(lab.pve)
    with pytest.raises(TaskFailedError, match="protection mode enabled"):
        pve.run_task(
            "POST", "/nodes/tappaas2/qemu", vmid=9344, force=1,
            archive=f"{pbs_storage}:backup/vm/340/2025-01-01T02:00:04Z",
        )  # fmt: skip
    _unprotect(lab, 9344)
    provider.delete(created.id, created.outs)


def test_restore_of_a_missing_snapshot_fails_with_the_task_message(
    lab: Lab, pbs_storage: str
) -> None:
    provider = configured(RestoredVmProvider(), stack_config(lab.pve, lab.pbs["local"]))
    inputs = _restore_inputs(lab, pbs_storage, 9341, "2030-01-01T00:00:00Z")
    with fails_with(TaskFailedError) as failed:
        provider.create(inputs)
    original = failed.value.original
    assert isinstance(original, TaskFailedError) and original.upid.startswith("UPID:tappaas2:")
    assert lab.control.vm(9341) is None


def test_bad_archive_is_rejected_before_any_call(lab: Lab) -> None:
    provider = configured(RestoredVmProvider(), stack_config(lab.pve))
    inputs = lifecycle_inputs(
        {"endpoint": endpoint(lab.pve), "node": "tappaas1", "vmid": 5, "archive": "nope"}
    )
    failures = provider.check({}, inputs).failures
    assert {f.property for f in failures} == {"vmid", "archive", "owner"}


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
    _unprotect(lab, 9342)
    provider.delete(created.id, created.outs)
