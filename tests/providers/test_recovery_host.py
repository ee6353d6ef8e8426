"""The recovery host's providers against the lab over HTTPS: the readiness wait (deadline,
pinned certificate, token, node, storage), the source storage on the peer's copy (our
``PvePbsStorage``, as a recovery uses it), and the inventory."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from lab import Lab
from providers.backup_inventory import BackupInventoryProvider, NoBackupError
from providers.pve_api_ready import HostNotReadyError, PveApiReadyProvider
from providers.pve_pbs_storage import PvePbsStorageProvider
from tappaas.pve.storage import StorageApi
from tests.providers.harness import (
    configured,
    endpoint,
    fails_with,
    lab_client,
    lifecycle_inputs,
    stack_config,
)

FAST = {"deadline_seconds": 1.0, "poll_seconds": 0.2}
SNAPSHOTS = (1_735_696_804, 1_735_783_204)  # 2025-01-01T02:00:04Z, 2025-01-02T02:00:04Z
KEY = '{"kdf": null, "data": "site-key"}'


def _ready(lab: Lab, **props: Any) -> tuple[PveApiReadyProvider, dict[str, Any]]:
    provider = configured(PveApiReadyProvider(), stack_config(lab.pve))
    inputs = lifecycle_inputs({"endpoint": endpoint(lab.pve), "node": "tappaas1", **FAST, **props})
    return provider, inputs


def test_a_ready_host_answers_at_once(lab: Lab) -> None:
    provider, inputs = _ready(lab)
    assert provider.check({}, inputs).failures == []
    created = provider.create(inputs)
    assert created.id == f"{lab.pve.host}:{lab.pve.port}/tappaas1"
    assert created.outs["version"] == "9.1.2-9.1"
    assert created.outs["waited_seconds"] < 1
    assert provider.read(created.id, created.outs).id == created.id


def test_the_wait_ends_when_the_awaited_storage_appears(
    lab: Lab, unique_name: Callable[[str], str]
) -> None:
    storage = unique_name("staged")
    provider, inputs = _ready(lab, storage=storage, deadline_seconds=10.0, poll_seconds=0.1)
    client = lab_client(lab.pve)
    pbs = lab.pbs["peer"]

    def add_storage_later() -> None:
        time.sleep(0.5)
        client.post(
            "/storage", storage=storage, type="pbs", server=pbs.host, port=pbs.port,
            datastore="tappaas_backup", username=pbs.token_id, password=pbs.token_secret,
        )  # fmt: skip

    adder = threading.Thread(target=add_storage_later)
    adder.start()
    try:
        created = provider.create(inputs)
    finally:
        adder.join()
        client.delete(f"/storage/{storage}")
    assert created.outs["waited_seconds"] >= 0.4


def _deadline_message(provider: PveApiReadyProvider, inputs: dict[str, Any]) -> str:
    started = time.monotonic()
    with fails_with(HostNotReadyError) as failed:
        provider.create(inputs)
    assert time.monotonic() - started < 3  # gives up at the deadline, not later
    assert "journalctl -u tappaas-host-setup" in str(failed.value)
    return str(failed.value)


def test_another_certificate_is_waited_out_then_named(lab: Lab) -> None:
    provider, inputs = _ready(lab)
    inputs["endpoint"] = {**inputs["endpoint"], "fingerprint": ":".join(["AB"] * 32)}
    assert "another certificate than AB:AB" in _deadline_message(provider, inputs)


def test_a_refused_token_is_named(lab: Lab) -> None:
    provider = configured(PveApiReadyProvider(), {"test:pveToken": "not-the-secret"})
    inputs = lifecycle_inputs({"endpoint": endpoint(lab.pve), "node": "tappaas1", **FAST})
    assert "refuses token root@pam!tappaas" in _deadline_message(provider, inputs)


def test_a_missing_node_is_named(lab: Lab) -> None:
    provider, inputs = _ready(lab, node="cloud9")
    assert "node 'cloud9' is not online" in _deadline_message(provider, inputs)


def test_nothing_listening_is_named(lab: Lab) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    provider, inputs = _ready(lab)
    inputs["endpoint"] = {**inputs["endpoint"], "port": closed_port}
    assert "no connection" in _deadline_message(provider, inputs)


def test_a_host_that_stopped_answering_is_waited_for_again(lab: Lab) -> None:
    """diff reads the host: not answering means a change, and the update waits again."""
    provider, inputs = _ready(lab)
    created = provider.create(inputs)
    lab.control.inject_fault("pve", "http-503", path="/version")
    try:
        diff = provider.diff(created.id, created.outs, inputs)
    finally:
        lab.control.clear_faults()
    assert diff.changes
    assert provider.update(created.id, created.outs, inputs).outs["node"] == "tappaas1"
    assert provider.diff(created.id, created.outs, inputs).changes is False


@pytest.fixture
def peer_copy(lab: Lab, unique_name: Callable[[str], str]) -> Iterator[tuple[str, str]]:
    """A datastore on the peer PBS with two snapshots of VM 340 in namespace remote/home."""
    store = unique_name("copy")
    client = lab_client(lab.pbs["peer"])
    client.wait_for_task(client.post("/config/datastore", name=store, path=f"/x/{store}"))
    lab.control.create_namespace("peer", store, "remote")
    lab.control.create_namespace("peer", store, "remote/home")
    for when, size in zip(SNAPSHOTS, (10 * 2**30, 12 * 2**30), strict=True):
        lab.control.seed_snapshot(
            "peer", store, backup_id="340", time=when, ns="remote/home", size_bytes=size
        )
    yield store, unique_name("dr")


def _source_inputs(lab: Lab, store: str, storage: str, **changes: Any) -> dict[str, Any]:
    peer = lab.pbs["peer"]
    return lifecycle_inputs(
        {
            "endpoint": endpoint(lab.pve),
            "storage": storage,
            "server": peer.host,
            "port": peer.port,
            "datastore": store,
            "namespace": "remote/home",
            "username": peer.token_id,
            "fingerprint": peer.fingerprint,
            "password": peer.token_secret,
            "content": ["backup"],
            "key": KEY,
            **changes,
        }
    )


def test_the_source_reads_the_peers_copy_and_its_removal_leaves_the_copy(
    lab: Lab, peer_copy: tuple[str, str]
) -> None:
    """A recovery's source entry (``Recovery``/``RentedRecovery`` use ``PvePbsStorage``):
    pinned, secrets only as hashes, a rotated key re-sent in place, deleted without a trace
    on the peer."""
    store, storage = peer_copy
    provider = configured(PvePbsStorageProvider(), stack_config(lab.pve))
    inputs = _source_inputs(lab, store, storage)
    created = provider.create(inputs)
    entry = lab_client(lab.pve).get(f"/storage/{storage}")
    assert (entry["type"], entry["datastore"], entry["namespace"]) == ("pbs", store, "remote/home")
    assert entry["fingerprint"] == lab.pbs["peer"].fingerprint
    assert "encryption-key" in entry  # PVE shows a marker of the key, never the key
    assert KEY not in str(created.outs) and lab.pbs["peer"].token_secret not in str(created.outs)
    assert created.outs["password_sha256"] and created.outs["key_sha256"]
    backups = StorageApi(lab_client(lab.pve)).vm_backups("tappaas1", storage, 340)
    assert [b["volid"].split("/")[-1] for b in backups] == [
        "2025-01-01T02:00:04Z", "2025-01-02T02:00:04Z",
    ]  # fmt: skip

    assert provider.diff(created.id, created.outs, inputs).changes is False
    new_key = _source_inputs(lab, store, storage, key='{"kdf": null, "data": "new"}')
    diff = provider.diff(created.id, created.outs, new_key)
    assert diff.changes and not diff.replaces  # a changed secret is re-sent, in place
    provider.update(created.id, created.outs, new_key)

    provider.delete(created.id, created.outs)
    assert storage not in {e["storage"] for e in lab_client(lab.pve).get("/storage")}
    assert len(lab.control.snapshots("peer", store, "remote/home")) == 2  # the copy stays


def test_the_inventory_names_each_guests_newest_backup_and_its_size(
    lab: Lab, peer_copy: tuple[str, str]
) -> None:
    store, storage = peer_copy
    configured(PvePbsStorageProvider(), stack_config(lab.pve)).create(
        _source_inputs(lab, store, storage)
    )
    provider = configured(BackupInventoryProvider(), stack_config(lab.pve))
    inputs = lifecycle_inputs(
        {"endpoint": endpoint(lab.pve), "node": "tappaas1", "storage": storage, "vmids": [340]}
    )
    created = provider.create(inputs)
    assert created.outs["backups"] == {
        "340": {
            "volid": f"{storage}:backup/vm/340/2025-01-02T02:00:04Z",
            "size": 12 * 2**30,
            "ctime": SNAPSHOTS[1],
        }
    }
    missing = {**inputs, "vmids": [340, 999]}
    with fails_with(NoBackupError, match="no finished backup of VM 999"):
        provider.create(missing)
    lab_client(lab.pve).delete(f"/storage/{storage}")
