"""Upstream's shipped module files round-trip into a stack ``tappaas check`` accepts.

Without answers the import names exactly the decisions the files cannot make (fingerprints,
pool disks, the off-site peer), each with its source; with them the site validates and no
policy finding blocks deployment. The mapping follows upstream's meaning, field by field.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tappaas.adopt import Conversion, assess, import_upstream
from tappaas.model import Importance, PoolRole, load_site_config
from tappaas.policy import evaluate
from tests.adopt.upstream_site import (
    EXAMPLE_SERVICES,
    UPSTREAM_SRC,
    answers,
    configuration,
    write_json,
)


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_json(tmp_path_factory.mktemp("site") / "configuration.json", configuration())


@pytest.fixture(scope="module")
def unanswered(config: Path) -> Conversion:
    return import_upstream(config, UPSTREAM_SRC)


@pytest.fixture(scope="module")
def answered(config: Path) -> Conversion:
    return import_upstream(config, UPSTREAM_SRC, answers(), "answers.yaml")


def test_the_open_decisions_are_exactly_what_the_files_cannot_say(unanswered) -> None:
    assert {d.path for d in unanswered.decisions} == {
        "nodes.tappaas1.fingerprint",
        "nodes.tappaas2.fingerprint",
        "nodes.tappaas3.fingerprint",
        "cluster.api.fingerprint",
        "backup.pbs.fingerprint",
        "datapools.tanka1.devices.tappaas1",
        "datapools.tanka1.devices.tappaas2",
        "datapools.tankc1.devices.tappaas3",
        "remote.peer_stack",
    }
    sources = {d.path: d.source for d in unanswered.decisions}
    assert sources["backup.pbs.fingerprint"] == "foundation/backup/backup.json: node"
    assert (
        "foundation/identity/identity.json: HANode" in sources["datapools.tanka1.devices.tappaas2"]
    )
    assert "config.cluster:vm.storage" in sources["datapools.tanka1.devices.tappaas1"]
    assessment = assess(unanswered)
    assert not assessment.deployable
    assert assessment.open_decisions == 9
    assert assessment.problems == ()  # every validation error is one of the decisions


def test_with_answers_the_stack_is_valid_and_deployable(answered) -> None:
    assert answered.decisions == ()
    site = load_site_config(answered.site)
    assert [f for f in evaluate(site) if f.blocks_deployment] == []
    assessment = assess(answered)
    assert assessment.deployable
    assert (
        answered.site["cluster"]["api"]["fingerprint"]
        == answered.site["nodes"]["tappaas1"]["fingerprint"]
    )  # the cluster API is tappaas1's: answered through the node


def test_services_follow_upstream_meaning(answered) -> None:
    site = load_site_config(answered.site)
    assert {name: s.vmid for name, s in site.services.items()} == EXAMPLE_SERVICES
    ha = {name for name, s in site.services.items() if s.ha.enabled}
    assert ha == {"firewall", "tappaas-cicd", "identity", "vaultwarden"}  # cluster:ha
    for name in ha:
        service = site.services[name]
        assert service.ha.failover_node == "tappaas2"  # HANode unset: first other node
        assert service.replication.enabled
        assert service.replication.schedule == "*/15"
    for name in EXAMPLE_SERVICES.keys() - ha:
        assert not site.services[name].replication.enabled
    assert site.services["nextcloud"].node == "tappaas1"  # node
    assert site.services["hass"].node == "tappaas1"  # unset: the first node
    assert all(s.pool == "tanka1" for s in site.services.values())  # storage
    assert all(s.importance is Importance.HIGH for s in site.services.values())
    # backup:vm, or alwaysBackup on the backup module for the two foundation VMs
    assert all(s.backup.enabled for s in site.services.values())
    assert site.recovery.restore_order == ("firewall", "tappaas-cicd", "identity", "logging")


def test_pools_and_the_pbs_come_from_the_storage_names_in_use(answered) -> None:
    site = load_site_config(answered.site)
    assert {name: p.role for name, p in site.datapools.items()} == {
        "tanka1": PoolRole.IMPORTANT,
        "tankc1": PoolRole.BACKUP,
    }
    assert set(site.datapools["tanka1"].devices) == {"tappaas1", "tappaas2"}
    assert site.backup is not None
    pbs = site.backup.pbs
    assert (pbs.node, pbs.pool, pbs.datastore, pbs.address) == (
        "tappaas3",
        "tankc1",
        "tappaas_backup",
        "10.0.0.12:8007",
    )
    assert site.backup.encryption.key is not None
    assert site.backup.encryption.key.secret == "pbsEncryptionKey"


def test_the_imported_retention_keeps_everything_upstream_kept(answered) -> None:
    site = load_site_config(answered.site)
    assert site.backup is not None
    kept = site.backup.retention
    upstream = {"keep_last": 4, "keep_daily": 14, "keep_weekly": 8, "keep_monthly": 12}
    design = {"keep_daily": 7, "keep_weekly": 4, "keep_monthly": 12}
    for rule in upstream.keys() | design.keys():
        assert getattr(kept, rule) >= max(upstream.get(rule, 0), design.get(rule, 0))
    assert kept.keeps_yearly_forever


def test_differences_name_what_changes(answered) -> None:
    topics = {d.topic: d for d in answered.differences}
    assert set(topics) == {
        "retention",
        "encryption",
        "backup credential",
        "schedules",
        "backup job",
        "HA rules",
    }
    assert "prune-tappaas_backup" in topics["retention"].consequence
    assert "existing unencrypted snapshots stay readable" in topics["encryption"].consequence
    assert "new chain" in topics["encryption"].consequence


def test_secrets_are_references_only(answered) -> None:
    keys = {s.key for s in answered.secrets}
    assert keys == {"pveApiToken", "pbsApiToken", "pbsEncryptionKey"}
    text = repr(answered.site)
    assert "{'secret': 'pveApiToken'}" in text and "secure" not in text
