"""Drills end to end on the lab over HTTPS: restore, boot, probe, measure, delete.

The lab's restores and boots take lab time (500 MiB/s, 30 s boots); the drill's waiting
moves the simulated clock, so the RTO figures are the lab's. The request log proves that no
write ever reaches a production VM, its network or the PBS.
"""

from __future__ import annotations

import _thread

import pytest

from lab.scenarios.client import api
from tappaas.drill import DRILL_TAG
from tappaas.health import Source, State, Verdict
from tappaas.model import restore_token_id
from tests.monitoring.labs import (
    DRILL,
    HELPER_VMID,
    REALISTIC,
    client,
    drill,
    production_writes,
    site_lab,
    site_with,
)

SITE = site_with()


def test_a_drill_passes_every_probe_and_measures_rpo_and_rto() -> None:
    with site_lab(SITE, **REALISTIC) as configured:
        lab = configured.lab
        production = lab.control.vm(340)
        assert production is not None
        before = (production.status, dict(production.config))
        lab.control.clear_requests()
        run = drill(configured).run(["nextcloud"])

        [result] = run.results
        assert result.verdict is Verdict.PASS, result.reason
        assert [p.probe for p in result.probes] == [
            "agent ping",
            "exec systemctl is-active nextcloud",
            "tcp guest:443",
            "https guest:443/status.php = 200",
        ]
        assert result.snapshot is not None and result.snapshot_time is not None
        assert result.rpo_seconds == result.started - result.snapshot_time == 10 * 3600 - 20
        # live-restore: running at once, healthy after a slowed boot, streamed after 64 s
        assert result.running_seconds is not None and result.running_seconds <= 5
        assert result.healthy_seconds is not None and 45 <= result.healthy_seconds <= 60
        assert result.restored_seconds is not None and 64 <= result.restored_seconds <= 70
        assert result.rto_seconds == result.healthy_seconds
        assert result.targets.rto_seconds == 3600 and result.bytes_restored == 32 * 1024**3
        assert result.drill_vmid == 9900 and result.cleaned_up
        assert lab.control.vm(9900) is None  # deleted
        records = lab.control.requests()
        assert production_writes(records, SITE) == []
        [restore] = [r for r in records if r.is_write and r.path == "/nodes/tappaas1/qemu"]
        assert restore.params["net0"] == "virtio,bridge=vmbr99,tag=999"
        assert (restore.params["tags"], restore.params["onboot"]) == (DRILL_TAG, "0")
        assert restore.params["unique"] == "1" and restore.params["live-restore"] == "1"
        assert "ha-managed" not in restore.params
        assert (production.status, production.config) == before
        assert run.state is State.OK


def test_a_full_restore_is_healthy_later_than_a_live_one() -> None:
    full = site_with({**DRILL, "live_restore": False})
    with site_lab(full, **REALISTIC) as configured:
        [result] = drill(configured).run(["firewall"]).results
    assert result.verdict is Verdict.PASS, result.reason
    assert result.restored_seconds is not None and 64 <= result.restored_seconds <= 70
    assert result.running_seconds is not None and result.running_seconds >= result.restored_seconds
    assert result.healthy_seconds is not None and result.healthy_seconds >= 64 + 30


def test_a_corrupted_snapshot_fails_its_probe_and_is_deleted() -> None:
    with site_lab(SITE, **REALISTIC) as configured:
        lab = configured.lab
        assert lab.control.corrupt_snapshot("local", "tappaas_backup", "610") >= 1
        [result] = drill(configured).run(["vaultwarden"]).results
        assert result.verdict is Verdict.FAIL
        assert result.reason == "restore failed: live-restore failed"
        assert result.probes[0].probe == "agent ping" and not result.probes[0].passed
        assert "QEMU guest agent is not running" in result.probes[0].detail
        assert result.healthy_seconds is None and result.cleaned_up
        assert [vm for vm in api(lab.pve).nodes("tappaas2").qemu.get() if vm["vmid"] >= 9900] == []


def test_a_full_restore_of_a_corrupted_snapshot_fails_in_pbs_restore() -> None:
    full = site_with({"live_restore": False})
    with site_lab(full, **REALISTIC) as configured:
        configured.lab.control.corrupt_snapshot("local", "tappaas_backup", "140")
        [result] = drill(configured).run(["identity"]).results
    assert result.verdict is Verdict.FAIL and "pbs-restore" in result.reason
    assert "unable to load chunk" in result.reason and result.running_seconds is None


def test_the_host_guard_refuses_a_vm_the_node_has_no_memory_for() -> None:
    with site_lab(SITE, days=0) as configured:
        pve = api(configured.lab.pve)
        pve.nodes("tappaas2").qemu(610).config.put(memory=40000)  # MiB; the node has 64 GiB
        configured.lab.control.advance(days=1)  # the backup keeps that config
        run = drill(configured).run(["vaultwarden", "identity"])
    [refusal] = run.refused
    assert refusal.service == "vaultwarden" and "the VM needs 40000 MiB" in refusal.reason
    assert [r.service for r in run.results] == ["identity"] and run.state is State.UNKNOWN


def test_without_a_drill_bridge_the_nics_are_unplugged_and_only_running_is_asked() -> None:
    unplugged = site_with({"probes": {"logging": []}})
    with site_lab(unplugged) as configured:
        configured.lab.control.clear_requests()
        [result] = drill(configured).run(["logging"]).results
        [restore] = [
            r
            for r in configured.lab.control.requests()
            if r.is_write and r.path == "/nodes/tappaas2/qemu"
        ]
    assert result.verdict is Verdict.PASS and result.probes == ()
    assert restore.params["net0"] == "virtio,bridge=vmbr0,link_down=1"


def test_drills_run_side_by_side_under_their_own_vmids() -> None:
    parallel = site_with({**DRILL, "concurrency": 3})
    with site_lab(parallel) as configured:
        run = drill(configured, poll_seconds=1.0).run(list(parallel.services))
        leftovers = [vm for vm in configured.lab.world.pve.vms if vm >= 9900]
    assert [r.verdict for r in run.results] == [Verdict.PASS] * len(parallel.services)
    assert len({r.drill_vmid for r in run.results}) == len(parallel.services)
    assert leftovers == []


def test_a_drill_from_the_peer_copy_uses_the_peer_storage() -> None:
    """The peer's read-only restore token (``restore_token_id``, as the peer stack mints it)
    and the site's own key, in the storage a recovery stack creates (``tappaas-dr``)."""
    assert SITE.backup is not None
    with site_lab(SITE) as configured:
        lab = configured.lab
        peer = api(lab.pbs["peer"])
        token_id = restore_token_id(SITE.name)
        userid, token_name = token_id.split("!")
        peer.access.users.post(userid=userid)
        secret = peer.access.users(userid).token(token_name).post()["value"]
        for auth_id in (userid, token_id):
            peer.access.acl.put(
                path="/datastore/tappaas_backup/remote/home",
                role="DatastoreReader",
                **{"auth-id": auth_id},
            )
        site_key = lab.world.pve.storage_secrets[SITE.backup.pbs.storage_id].encryption_key
        endpoint = lab.pbs["peer"]
        missing = drill(configured, source=Source.PEER).run(["nextcloud"])
        api(lab.pve).storage.post(
            storage="tappaas-dr",
            type="pbs",
            server=endpoint.host,
            port=endpoint.port,
            datastore="tappaas_backup",
            namespace="remote/home",
            username=token_id,
            password=secret,
            fingerprint=endpoint.fingerprint,
            content="backup",
            **{"encryption-key": site_key},
        )
        run = drill(configured, source=Source.PEER).run(["nextcloud"])
    [refused] = missing.refused
    assert "cloud-recovery stack" in refused.reason and "tappaas-dr" in refused.reason
    [result] = run.results
    assert result.verdict is Verdict.PASS, result.reason
    assert result.snapshot is not None and result.snapshot.startswith("tappaas-dr:backup/vm/340/")
    assert result.targets.rpo_seconds == 26 * 3600  # site loss: backup gap + wait to the pull


def test_a_backup_of_a_protected_vm_is_drilled_without_protection_and_deleted() -> None:
    """A restored service is protected (``RestoredVm``); its backups carry ``protection: 1``
    in their config, which a restore would keep (qemu-server: config keys beside ``archive``
    override the backup's, nothing else does): the drill's restore turns it off."""
    assert SITE.backup is not None
    with site_lab(SITE) as configured:
        lab = configured.lab
        pve = client(lab.pve)
        pve.put("/nodes/tappaas1/qemu/340/config", protection=1)
        storage = SITE.backup.pbs.storage_id
        pve.run_task("POST", "/nodes/tappaas1/vzdump", vmid="340", storage=storage)
        lab.control.clear_requests()
        [result] = drill(configured).run(["nextcloud"]).results
        records = lab.control.requests()
        [restore] = [r for r in records if r.is_write and r.path == "/nodes/tappaas1/qemu"]
        production = lab.control.vm(340)
    assert result.verdict is Verdict.PASS and result.cleaned_up, result.reason
    assert restore.params["protection"] in (0, "0")
    assert production is not None and str(production.config["protection"]) == "1"


def test_keep_on_failure_keeps_the_vm_and_the_next_run_removes_it() -> None:
    with site_lab(SITE, **REALISTIC) as configured:
        lab = configured.lab
        lab.control.corrupt_snapshot("local", "tappaas_backup", "340")
        [failed] = drill(configured, keep_on_failure=True).run(["nextcloud"]).results
        assert failed.verdict is Verdict.FAIL and not failed.cleaned_up
        kept = lab.control.vm(9900)
        assert kept is not None and kept.config["tags"] == DRILL_TAG
        next_run = drill(configured).run(["logging"])
        assert next_run.cleaned_leftovers == (9900,) and lab.control.vm(9900) is None


def test_ctrl_c_stops_the_drill_and_deletes_its_vm() -> None:
    with site_lab(SITE, **REALISTIC) as configured:
        lab = configured.lab
        polls = []

        def sleep(seconds: float) -> None:  # the third poll: Ctrl-C reaches the main thread
            polls.append(seconds)
            if len(polls) == 3:
                _thread.interrupt_main()
            lab.control.advance(seconds=seconds)

        runner = drill(configured)
        runner.sleep = sleep
        with pytest.raises(KeyboardInterrupt):
            runner.run(["nextcloud"])
        assert [vm for vm in lab.world.pve.vms if vm >= 9900] == []
        assert lab.control.vm(HELPER_VMID) is not None and lab.control.vm(340) is not None
