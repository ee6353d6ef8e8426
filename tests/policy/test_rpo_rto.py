"""RPO/RTO estimates per disaster, and the README copy of the rules table."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import tappaas.policy
from tappaas.model import load_stack_file
from tappaas.policy import (
    RULES,
    CopyKind,
    Disaster,
    Estimate,
    RtoClass,
    protection_report,
    render_rules_table,
)
from tests.model.sites import REPO, load, small_site

Raw = dict[str, Any]
USB = "3f2a9c1e-7b4d-4e8a-9c2f-1a2b3c4d5e6f"


def estimate(raw: Raw, disaster: Disaster, service: str = "web") -> Estimate:
    report = protection_report(load(raw))
    return next(s for s in report.services if s.name == service).estimate_for(disaster)


def summary(e: Estimate) -> tuple[Any, ...]:
    return (e.via, e.rpo, e.rto) if e.recoverable else ("lost",)


def test_readme_holds_the_rendered_rules_table() -> None:
    readme = (Path(tappaas.policy.__file__).parent / "README.md").read_text()
    start, end = "<!-- rules-table:start -->\n", "\n<!-- rules-table:end -->"
    assert readme[readme.index(start) + len(start) : readme.index(end)] == render_rules_table()


def test_every_disaster_has_rules() -> None:
    assert {rule.disaster for rule in RULES} == set(Disaster)


def test_three_node_site_estimates() -> None:
    raw = small_site()
    assert summary(estimate(raw, Disaster.DISK_FAILURE)) == (
        CopyKind.LIVE,
        timedelta(0),
        RtoClass.NO_OUTAGE,
    )
    assert summary(estimate(raw, Disaster.NODE_FAILURE)) == (
        CopyKind.REPLICA,
        timedelta(minutes=15),
        RtoClass.MINUTES,
    )
    site_loss = (CopyKind.REMOTE_PBS, timedelta(hours=26), RtoClass.DAYS)  # 02:00 + 04:00 sync
    assert summary(estimate(raw, Disaster.SITE_LOSS)) == site_loss
    assert summary(estimate(raw, Disaster.RANSOMWARE)) == site_loss
    local = (CopyKind.LOCAL_PBS, timedelta(days=1), RtoClass.UNDER_AN_HOUR)
    assert summary(estimate(raw, Disaster.ACCIDENTAL_DELETION)) == local
    assert summary(estimate(raw, Disaster.BAD_UPDATE)) == local


def test_replica_without_ha_needs_a_manual_start() -> None:
    raw = small_site(2)
    raw["services"]["web"]["replication"] = {"enabled": True}
    assert estimate(raw, Disaster.NODE_FAILURE).rto is RtoClass.UNDER_AN_HOUR


def test_unredundant_pool_falls_back_to_the_replica_then_the_backup() -> None:
    raw = small_site()
    raw["services"]["web"]["importance"] = "low"  # tankb1, no redundancy, no HA
    assert summary(estimate(raw, Disaster.DISK_FAILURE)) == (
        CopyKind.LOCAL_PBS,
        timedelta(days=1),
        RtoClass.UNDER_AN_HOUR,
    )
    raw["services"]["web"]["replication"] = {"enabled": True}
    assert estimate(raw, Disaster.DISK_FAILURE).via is CopyKind.REPLICA


def test_local_pbs_on_the_failed_node_does_not_count() -> None:
    raw = small_site(1)  # PBS and services on tappaas1
    assert summary(estimate(raw, Disaster.NODE_FAILURE)) == (
        CopyKind.REMOTE_PBS,
        timedelta(hours=26),
        RtoClass.DAYS,
    )


@pytest.mark.parametrize(
    ("recovery", "rto"),
    [
        ({"live_restore": False}, RtoClass.HOURS),
        ({"methods": ["remote-rebuild"]}, RtoClass.DAYS),
    ],
)
def test_local_restore_rto_depends_on_preparation(recovery: Raw, rto: RtoClass) -> None:
    raw = small_site()
    raw["recovery"] = recovery
    assert estimate(raw, Disaster.ACCIDENTAL_DELETION).rto is rto


def test_peer_restore_shortens_site_loss_to_hours() -> None:
    raw = small_site()
    raw["recovery"] = {"methods": ["local-rebuild", "peer-restore"], "vlan": 900}
    assert estimate(raw, Disaster.SITE_LOSS).rto is RtoClass.HOURS


def test_without_off_site_copy_site_loss_and_ransomware_lose_everything() -> None:
    raw = small_site()
    del raw["remote"]
    assert summary(estimate(raw, Disaster.SITE_LOSS)) == ("lost",)
    assert summary(estimate(raw, Disaster.RANSOMWARE)) == ("lost",)


def test_remove_vanished_exposes_the_remote_copy_to_ransomware() -> None:
    raw = small_site()
    raw["remote"]["remove_vanished"] = True
    assert summary(estimate(raw, Disaster.RANSOMWARE)) == ("lost",)
    assert estimate(raw, Disaster.SITE_LOSS).via is CopyKind.REMOTE_PBS


def test_removable_disk_counts_where_it_is_kept() -> None:
    raw = small_site()
    del raw["remote"]
    raw["services"]["web"]["personal_export"] = "pbs"
    raw["personal"] = {"backing_device": USB, "offsite": False}
    assert summary(estimate(raw, Disaster.SITE_LOSS)) == ("lost",)
    assert summary(estimate(raw, Disaster.RANSOMWARE)) == (
        CopyKind.REMOVABLE,
        None,
        RtoClass.DAYS,
    )
    raw["personal"] = {"backing_device": USB, "offsite": True, "unmount_on_done": False}
    assert estimate(raw, Disaster.SITE_LOSS).via is CopyKind.REMOVABLE
    assert summary(estimate(raw, Disaster.RANSOMWARE)) == ("lost",)


def test_encrypted_only_sync_of_plain_backups_is_no_copy() -> None:
    raw = small_site()
    raw["backup"]["encryption"] = {"enabled": False}
    kinds = [c.kind for c in protection_report(load(raw)).services[0].copies]
    assert CopyKind.REMOTE_PBS not in kinds


def test_report_serialises_for_stack_outputs() -> None:
    report = protection_report(load_stack_file(REPO / "Pulumi.prod.yaml"))
    document = json.loads(report.model_dump_json())
    nextcloud = next(s for s in document["services"] if s["name"] == "nextcloud")
    assert nextcloud["vmid"] == 340
    assert nextcloud["formats"] == ["block/zfs", "pbs chunks"]
    node = next(e for e in nextcloud["estimates"] if e["disaster"] == "node failure")
    assert node == {
        "disaster": "node failure",
        "recoverable": True,
        "via": "zfs replica",
        "rpo": 900.0,
        "rto": "minutes",
    }
    assert report.model_dump(mode="json") == document
