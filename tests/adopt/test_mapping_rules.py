"""The import's rules one by one, on small config folders written the way upstream does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tappaas.adopt import Conversion, assess, import_upstream
from tappaas.adopt.answers import answered
from tappaas.adopt.differences import design_differences
from tappaas.model import Direction, Importance, Role, load_site_config
from tappaas.model.pbs_ids import retention_job_id, verify_job_id
from tests.adopt.upstream_site import configuration, write_json
from tests.model.sites import fingerprint

BACKUP = {
    "vmname": "backup",
    "node": "tappaas3",
    "storage": "tankc1",
    "pbsStorageName": "tappaas_backup",
    "dependsOn": [],
    "provides": ["vm"],
}


def guest(name: str, vmid: int, *depends: str, **fields: Any) -> dict[str, Any]:
    return {"vmname": name, "vmid": vmid, "dependsOn": ["cluster:vm", *depends], **fields}


def run(
    tmp_path: Path, modules: dict[str, dict[str, Any]], nodes: int = 3, **site: Any
) -> Conversion:
    folder = tmp_path / "config"
    for name, data in modules.items():
        write_json(folder / name, data)
    config = write_json(folder / "configuration.json", configuration(nodes, **site))
    return import_upstream(config, folder)


def reported(conversion: Conversion) -> dict[tuple[str, str], str]:
    return {(e.file, e.field): e.reason for e in conversion.not_imported}


def decided(conversion: Conversion) -> set[str]:
    return {d.path for d in conversion.decisions}


def test_the_configuration_in_the_modules_folder_is_read_once(tmp_path: Path) -> None:
    conversion = run(tmp_path, {"backup.json": BACKUP, "wiki.json": guest("wiki", 400)})
    assert "configuration.json" not in {e.file for e in conversion.not_imported}
    assert set(conversion.site["nodes"]) == {"tappaas1", "tappaas2", "tappaas3"}


def test_the_ha_rule_is_named_after_the_module_file(tmp_path: Path) -> None:
    """Upstream's ``update-service.sh <module>`` names the rule ``ha-<module>``: the file's
    name, which need not be the VM's."""
    conversion = run(
        tmp_path, {"backup.json": BACKUP, "fw.json": guest("firewall", 110, "cluster:ha")}
    )
    assert conversion.site["services"]["firewall"]["ha"]["rule"] == "ha-fw"


def test_ha_importance_backup_and_pools(tmp_path: Path) -> None:
    conversion = run(
        tmp_path,
        {
            "backup.json": {**BACKUP, "alwaysBackup": ["firewall", "gone"]},
            "firewall.json": guest("firewall", 110, "cluster:ha", HANode="tappaas3"),
            "media.json": guest("media", 500, storage="tankb1"),
            "wiki.json": guest("wiki", 400, "backup:vm", node="tappaas2", storage="tanka1"),
            "chat.json": guest("chat", 401, integratesWith=["backup:vm"], storage="tankb1"),
        },
    )
    services = conversion.site["services"]
    assert services["firewall"]["ha"] == {
        "enabled": True,
        "failover_node": "tappaas3",
        "rule": "ha-firewall",  # the rule upstream's cluster:ha made: taken over, not doubled
    }
    assert services["firewall"]["replication"] == {"enabled": True, "schedule": "*/15"}
    assert services["firewall"]["importance"] == "high"  # HA
    assert services["wiki"]["importance"] == "high"  # on the important pool
    assert services["media"]["importance"] == "low"  # bulk, no HA
    assert services["media"]["backup"] == {"enabled": False}  # no backup:vm
    assert "backup" not in services["firewall"]  # alwaysBackup: backed up (the default)
    assert "backup" not in services["chat"]  # integratesWith backup:vm
    pools = conversion.site["datapools"]
    assert {name: pool["role"] for name, pool in pools.items()} == {
        "tanka1": "important",
        "tankb1": "bulk",
        "tankc1": "backup",
    }
    assert set(pools["tanka1"]["devices"]) == {"tappaas1", "tappaas2", "tappaas3"}
    assert set(pools["tankb1"]["devices"]) == {"tappaas1"}
    assert reported(conversion)[("backup.json", "alwaysBackup")].startswith("'gone' names no")


def test_single_node_has_no_ha(tmp_path: Path) -> None:
    conversion = run(
        tmp_path,
        {"backup.json": {**BACKUP, "node": "tappaas1"}, "fw.json": guest("fw", 110, "cluster:ha")},
        nodes=1,
    )
    service = conversion.site["services"]["fw"]
    assert service["ha"] == {"enabled": False}
    assert service["replication"] == {"enabled": False}


def test_modules_that_are_not_services_are_reported(tmp_path: Path) -> None:
    conversion = run(
        tmp_path,
        {
            "backup.json": BACKUP,
            "old.json": guest("old", 300, "backup:vm", status="archived"),
            "pfsense.json": {"vmname": "pfsense", "vmid": 301, "status": "external"},
            "lamp.json": {"vmname": "lamp", "vmid": 302, "dependsOn": ["firewall:dns"]},
            "ct.json": {"vmname": "ct", "vmid": 303, "dependsOn": ["cluster:lxc", "cluster:ha"]},
        },
    )
    assert set(conversion.site["services"]) == {"ct"}
    assert conversion.site["services"]["ct"]["ha"] == {"enabled": False}
    why = reported(conversion)
    assert why[("old.json", "status")].startswith("archived")
    assert why[("pfsense.json", "status")].startswith("external")
    assert why[("lamp.json", "dependsOn")].startswith("no cluster:vm or cluster:lxc")
    assert "HA resources are for VMs" in why[("ct.json", "dependsOn")]


def test_placement_and_pool_roles_that_need_a_decision(tmp_path: Path) -> None:
    moved = run(
        tmp_path / "a",
        {"backup.json": {**BACKUP, "placementState": "node:tappaas2"}, "w.json": guest("w", 400)},
    )
    assert moved.site["backup"]["pbs"]["node"] == "tappaas2"
    assert moved.provenance["backup.pbs.node"] == "backup.json: placementState"
    external = run(
        tmp_path / "b",
        {
            "backup.json": {**BACKUP, "placementState": "external"},
            "w.json": guest("w", 400, storage="fastpool"),
        },
        domain="CHANGE-mytappaas.dev",
    )
    assert {"backup.pbs.node", "backup.pbs.address", "datapools.fastpool.role", "name"} <= decided(
        external
    )


def test_no_backup_module_leaves_the_pbs_to_decide(tmp_path: Path) -> None:
    conversion = run(tmp_path, {"w.json": guest("w", 400)})
    assert {"backup.pbs.node", "backup.pbs.pool", "backup.pbs.fingerprint"} <= decided(conversion)


def test_node_count_that_disagrees_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "config"
    write_json(folder / "w.json", guest("w", 400))
    config = configuration(2)
    config["tappaas"]["nodeCount"] = 3
    path = write_json(tmp_path / "configuration.json", config)
    why = reported(import_upstream(path, folder))
    assert why[(str(path), "tappaas.nodeCount")].startswith("says 3 nodes")


def test_a_pulled_site_makes_this_stack_its_peer(tmp_path: Path) -> None:
    remote = {
        "name": "lars",
        "type": "tappaas",
        "remoteHost": "backup.lars.example",
        "remoteStore": "tappaas_backup",
        "remoteNamespace": "",
        "namespace": "remote/lars",
        "pullSchedule": "04:00",
        "removeVanished": False,
        "encryptionRequired": True,
        "readAuthId": "",
        "retention": {"keepLast": 4, "keepDaily": 14, "keepWeekly": 8, "keepMonthly": 12},
    }
    conversion = run(
        tmp_path,
        {"backup.json": BACKUP, "w.json": guest("w", 400, "backup:vm"), "remote-lars.json": remote},
    )
    assert conversion.site["role"] == "peer"
    assert {
        "peer.guests.lars.fingerprint",
        "peer.guests.lars.credential.token_id",
    } <= decided(conversion)
    assert "larsReadToken" in {s.key for s in conversion.secrets}
    done = answered(
        conversion,
        {
            "nodes": {f"tappaas{i}": {"fingerprint": fingerprint(i)} for i in (1, 2, 3)},
            "backup": {"pbs": {"fingerprint": fingerprint(9)}},
            "datapools": {
                "tanka1": {"devices": {"tappaas1": ["/dev/sda", "/dev/sdb"]}},
                "tankc1": {"devices": {"tappaas3": ["/dev/sdc"]}},
            },
            "peer": {
                "guests": {
                    "lars": {
                        "fingerprint": fingerprint(7),
                        "credential": {"token_id": "lars-pull@pbs!home"},
                    }
                }
            },
            "remote": {
                "address": "backup.lars.example:8007",
                "fingerprint": fingerprint(7),
                "datastore": "tappaas_backup",
            },
        },
        "answers.yaml",
    )
    assert done.decisions == ()
    site = load_site_config(done.site)
    assert site.role is Role.PEER and site.peer is not None
    lars = site.peer.guests["lars"]
    assert (lars.address, lars.namespace, lars.schedule) == (
        "backup.lars.example:8007",
        "remote/lars",
        "04:00",
    )
    assert (lars.direction, lars.encrypted_only, lars.retention.keep_daily) == (
        Direction.PULL,
        True,
        14,
    )
    assert site.services["w"].importance is Importance.HIGH
    assert assess(done).deployable


def test_blocking_findings_name_the_module(tmp_path: Path) -> None:
    conversion = run(tmp_path, {"backup.json": BACKUP, "w.json": guest("w", 400)})
    done = answered(
        conversion,
        {
            "nodes": {f"tappaas{i}": {"fingerprint": fingerprint(i)} for i in (1, 2, 3)},
            "backup": {"pbs": {"fingerprint": fingerprint(9)}},
            "datapools": {
                "tanka1": {"devices": {"tappaas1": ["/dev/sda", "/dev/sdb"]}},
                "tankc1": {"devices": {"tappaas3": ["/dev/sdc"]}},
            },
            "remote": {"peer_stack": "organization/tappaas/peer"},
        },
        "answers.yaml",
    )
    problems = {(p.path, p.source) for p in assess(done).problems}
    assert ("services.w", "w.json: vmname") in problems  # not backed up: 1 of 3 copies


def test_the_report_names_the_jobs_the_stack_will_make_for_a_long_datastore_name() -> None:
    """PBS ids are at most 32 characters; the stack shortens longer job ids
    (tappaas/model/pbs_ids.py), and the import report must name those, not the long form."""
    datastore = "tappaas_backup_on_the_second_disk"
    text = " ".join(d.imported for d in design_differences(datastore))
    assert retention_job_id(datastore) in text and verify_job_id(datastore) in text
    assert f"{datastore}-retention" not in text


def test_a_list_items_source_is_its_lists() -> None:
    """``recovery.restore_order[0]`` comes from where ``recovery.restore_order`` came from."""
    conversion = Conversion(
        site={},
        provenance={"recovery.restore_order": "modules/firewall.json: vmtag", "recovery": "x"},
    )
    assert conversion.source_of("recovery.restore_order[0]") == "modules/firewall.json: vmtag"
    assert conversion.source_of("recovery.vlan") == "x"
    assert conversion.source_of("services.web") is None
