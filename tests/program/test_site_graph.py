"""Graph shape of the example stacks under Pulumi mocks: resources, inputs, options, secrets."""

from __future__ import annotations

import asyncio
from typing import Any

import pulumi
import pytest

from tappaas.components.site import Site
from tappaas.model import load_site_config
from tests.program.mocks import Mocks, Recorder, set_config, stack_config


@pytest.fixture
def recorder() -> Recorder:
    recorder = Recorder()
    pulumi.runtime.set_mocks(Mocks(recorder), project="tappaas", stack="test", preview=False)
    return recorder


def _declare(recorder: Recorder, stack: str) -> None:
    raw = stack_config(stack)
    set_config(raw)
    Site(
        "site",
        load_site_config(raw),
        pulumi.ResourceOptions(transformations=[recorder.transformation]),
    )


def _secret(value: Any) -> pulumi.Output[bool]:
    return pulumi.Output.from_input(
        asyncio.ensure_future(pulumi.Output.from_input(value).is_secret())
    )


def _depends(resource: Any) -> set[str]:
    return {dep._name for dep in (resource.opts.depends_on or [])}


@pulumi.runtime.test
def test_prod_datapools_are_protected_and_share_storage_ids(recorder: Recorder) -> None:
    _declare(recorder, "prod")
    pools = recorder.of_type("proxmoxve:node/disk/zfs:Zfs")
    assert sorted(r.name for r in pools) == [
        "tanka1-tappaas1", "tanka1-tappaas2", "tanka1-tappaas3",
        "tankb1-tappaas1", "tankb1-tappaas2", "tankc1-tappaas3",
    ]  # fmt: skip
    assert all(r.opts.protect and r.opts.retain_on_delete for r in pools)  # data stays
    tanka = recorder.named("tanka1-tappaas2")
    assert tanka.props["raidlevel"] == "mirror" and tanka.props["add_storage"] is False
    assert recorder.named("tankb1-tappaas1").props["raidlevel"] == "single"
    storages = {r.name: r.props for r in recorder.of_type("pulumi-python:dynamic/pve:ZfsStorage")}
    assert set(storages) == {"tanka1-storage", "tankb1-storage"}  # the backup pool holds PBS
    assert storages["tanka1-storage"]["nodes"] == ["tappaas1", "tappaas2", "tappaas3"]
    assert storages["tanka1-storage"]["storage"] == "tanka1"
    assert storages["tanka1-storage"]["endpoint"]["token_secret_config"] == "pveApiToken"


@pulumi.runtime.test
def test_prod_ha_rules_and_replication(recorder: Recorder) -> None:
    _declare(recorder, "prod")
    ha = {r.name: r for r in recorder.of_type("proxmoxve:index/haresource:Haresource")}
    assert set(ha) == {f"{s}-ha" for s in ("firewall", "tappaas-cicd", "identity", "hass",
                                             "nextcloud", "vaultwarden")}  # fmt: skip
    assert ha["nextcloud-ha"].props["resource_id"] == "vm:340"
    rule = recorder.named("nextcloud-affinity")
    assert rule.props["type"] == "node-affinity"
    assert rule.props["nodes"] == {"tappaas1": 2, "tappaas2": 1}
    assert rule.props["strict"] is False
    assert _depends(rule) == {"nextcloud-ha"}
    replication = recorder.named("vaultwarden-replication")
    assert replication.type_ == "pulumi-python:dynamic/pve:ReplicationJob"
    assert replication.props["id"] == "610-0"
    assert replication.props["schedule"] == "*/5"
    assert replication.props["target"] == "tappaas1"  # TAPPaaS HANode: first other node
    # replication needs the pool's storage entry, which the Datapools component creates
    assert _depends(recorder.named("availability")) == {"datapools"}
    options = recorder.named("cluster-options").props
    assert (options["ha_shutdown_policy"], options["crs_ha"]) == ("migrate", "static")
    assert not any(r.name.startswith("logging-") for r in recorder.resources)  # low importance


@pulumi.runtime.test
def test_prod_local_backup(recorder: Recorder) -> pulumi.Output[list[bool]]:
    _declare(recorder, "prod")
    datastore = recorder.named("datastore")
    assert datastore.type_ == "pulumi-python:dynamic/pbs:Datastore"
    assert datastore.opts.protect is True
    assert datastore.props["path"] == "/tankc1/tappaas_backup"
    assert datastore.props["endpoint"]["token_secret_config"] == "pbsApiToken"
    assert "pbs-admin-secret-value" not in str(datastore.props)
    prune = recorder.named("retention").props
    assert (prune["keep_daily"], prune["keep_weekly"], prune["keep_monthly"]) == (7, 4, 12)
    assert prune["keep_yearly"] == 100 and prune["max_depth"] == 0
    acl = recorder.named("pve-may-back-up").props
    assert acl["role"] == "DatastoreBackup" and acl["path"] == "/datastore/tappaas_backup"
    user_acl = recorder.named("pve-may-back-up-user").props  # a token has no more than its user
    assert (user_acl["role"], user_acl["path"]) == (acl["role"], acl["path"])
    job = recorder.named("daily").props
    assert job["prune_backups"] == "keep-all=1"
    assert job["vmid"] == ["110", "130", "140", "150", "210", "340", "610"]
    assert job["schedule"] == "02:00" and job["repeat_missed"] is True
    storage = recorder.named("pbs-storage")
    assert storage.type_ == "pulumi-python:dynamic/pve:PbsStorage"
    assert (storage.props["server"], storage.props["port"]) == ("192.168.1.13", 8007)
    assert _depends(recorder.named("daily")) >= {"pbs-storage"}
    return pulumi.Output.all(
        _secret(storage.props["password"]),
        _secret(storage.props["key"]),
        _secret(storage.props["master_key"]),
    ).apply(lambda flags: [_all_true(flags)])


def _all_true(flags: list[bool]) -> bool:
    assert flags and all(flags), flags
    return True


@pulumi.runtime.test
def test_prod_offsite_reader_and_personal_disk(recorder: Recorder) -> None:
    _declare(recorder, "prod")
    token = recorder.named("peer-reader-token").props
    assert token["token_name"] == "pull"
    reader = recorder.named("peer-may-read").props
    assert reader["role"] == "DatastoreReader"
    assert recorder.named("peer-may-read-user").props["role"] == "DatastoreReader"
    assert not recorder.of_type("pulumi-python:dynamic/pbs:SyncJob") or all(
        r.name == "on-mount" for r in recorder.of_type("pulumi-python:dynamic/pbs:SyncJob")
    )  # pull: the peer runs the off-site job, this site only grants read access
    disk = recorder.named("disk")
    assert disk.opts.protect is True
    assert disk.props["backing_device"] == "3f2a9c1e-7b4d-4e8a-9c2f-1a2b3c4d5e6f"
    on_mount = recorder.named("on-mount").props
    assert on_mount["group_filter"] == ["group:vm/340"]
    assert on_mount["run_on_mount"] is True and on_mount["unmount_on_done"] is True
    assert on_mount.get("remote") is None  # a local sync: no remote


@pulumi.runtime.test
def test_peer_pulls_with_the_guests_read_only_token(recorder: Recorder) -> pulumi.Output[bool]:
    recorder.stack_outputs["organization/tappaas/prod"] = {
        "offsite_source": {
            "site": "home",
            "host": "192.168.1.13",
            "port": 8007,
            "fingerprint": ":".join(["AB"] * 32),
            "datastore": "tappaas_backup",
            "namespace": "",
            "token_id": "tappaas-peer@pbs!pull",
            "token_secret": "reader-secret",
        }
    }
    _declare(recorder, "peer")
    namespaces = recorder.of_type("pulumi-python:dynamic/pbs:Namespace")
    assert [r.props["namespace"] for r in namespaces] == ["remote", "remote/home"]
    assert all(r.opts.protect for r in namespaces)  # a guest's copy lives in them
    job = recorder.named("home-pull")
    assert job.props["ns"] == "remote/home"
    assert job.props["encrypted_only"] is True and job.props["remove_vanished"] is False
    assert job.props["schedule"] == "04:00" and job.props["rate_in"] == "50MiB"
    retention = recorder.named("home-retention").props
    assert retention["ns"] == "remote/home" and retention["keep_yearly"] == 100
    remote = recorder.named("home-remote")
    return _secret(remote.props["password"]).apply(lambda flag: _all_true([flag]))
