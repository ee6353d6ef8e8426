"""Defaults that depend on the rest of the config, and the small value types."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from tappaas.model import (
    PVE_KEEP_ALL,
    Endpoint,
    Redundancy,
    Retention,
    SecretRef,
)
from tests.model.sites import fingerprint, load, small_site


def test_ha_is_on_for_high_services_with_three_nodes() -> None:
    site = load(small_site(3))
    assert site.services["web"].ha.enabled and site.services["web"].replication.enabled
    assert site.services["web"].ha.failover_node == "tappaas2"
    assert site.services["db"].ha.failover_node == "tappaas1"


def test_ha_is_off_by_default_with_two_nodes_but_a_failover_node_is_named() -> None:
    site = load(small_site(2))
    web = site.services["web"]
    assert not web.ha.enabled and not web.replication.enabled
    assert web.ha.failover_node == "tappaas2"


def test_replication_can_run_without_ha() -> None:
    raw = small_site(2)
    raw["services"]["web"]["replication"] = {"enabled": True}
    web = load(raw).services["web"]
    assert web.replication.enabled and not web.ha.enabled


def test_low_importance_goes_to_the_bulk_pool_with_a_day_of_rpo() -> None:
    raw = small_site()
    raw["services"]["web"]["importance"] = "low"
    web = load(raw).services["web"]
    assert web.pool == "tankb1" and not web.ha.enabled
    assert web.rpo_target == timedelta(days=1)


def test_low_importance_without_bulk_pool_uses_the_important_one() -> None:
    raw = small_site()
    del raw["datapools"]["tankb1"]
    raw["services"]["web"]["importance"] = "low"
    assert load(raw).services["web"].pool == "tanka1"


def test_node_defaults_to_the_first_node() -> None:
    raw = small_site()
    del raw["services"]["web"]["node"]
    assert load(raw).services["web"].node == "tappaas1"


def test_explicit_values_win_over_defaults() -> None:
    raw = small_site()
    raw["services"]["web"]["ha"] = {"enabled": False, "failover_node": "tappaas3"}
    raw["services"]["web"]["rpo_target"] = "4h"
    web = load(raw).services["web"]
    assert (web.ha.enabled, web.ha.failover_node, web.replication.enabled) == (
        False,
        "tappaas3",
        False,
    )
    assert web.rpo_target == timedelta(hours=4)


def test_pool_storage_id_defaults_to_its_name_and_redundancy_to_its_role() -> None:
    site = load(small_site())
    assert site.datapools["tanka1"].storage_id == "tanka1"
    assert site.datapools["tanka1"].redundancy is Redundancy.MIRROR
    assert site.datapools["tankb1"].redundancy is Redundancy.NONE
    assert site.datapools["tanka1"].redundancy.raidlevel == "mirror"
    assert Redundancy.NONE.raidlevel == "single" and Redundancy.RAIDZ1.raidlevel == "raidz"


def test_local_pbs_defaults() -> None:
    site = load(small_site())
    assert site.backup is not None
    pbs = site.backup.pbs
    assert (pbs.pool, pbs.datastore, pbs.storage_id) == (
        "tankc1",
        "tappaas_backup",
        "tappaas_backup",
    )
    assert pbs.path == "/tankc1/tappaas_backup"
    assert site.backup.schedule == "02:00"
    assert site.backup.encryption.enabled


def test_remote_and_guest_namespaces_default_to_remote_slash_site() -> None:
    assert load(small_site()).remote.namespace == "remote/test"  # type: ignore[union-attr]
    raw = small_site()
    raw["role"] = "peer"
    raw["peer"] = {"guests": {"friend": {"stack": "organization/tappaas/friend"}}}
    guest = load(raw).peer.guests["friend"]  # type: ignore[union-attr]
    assert guest.namespace == "remote/friend"
    assert guest.writer_token_id == "friend@pbs!push"


def test_quorum_counts_a_qdevice() -> None:
    raw = small_site(2)
    assert load(raw).quorum_votes == 2
    raw["cluster"]["qdevice"] = "10.0.0.99"
    assert load(raw).quorum_votes == 3


def test_models_are_frozen() -> None:
    site = load(small_site())
    with pytest.raises(ValidationError):
        site.name = "other"  # type: ignore[misc]


def test_retention_default_is_the_design_with_forever_as_100_years() -> None:
    retention = Retention()
    assert retention.prune_options() == {
        "keep-daily": 7,
        "keep-weekly": 4,
        "keep-monthly": 12,
        "keep-yearly": 100,
    }
    assert retention.keeps_yearly_forever
    assert retention.describe() == "7 daily, 4 weekly, 12 monthly, yearly forever"
    assert PVE_KEEP_ALL == "keep-all=1"


def test_retention_rules_can_be_dropped_and_counted() -> None:
    retention = Retention.model_validate({"keep_last": 3, "keep_yearly": 5, "keep_monthly": None})
    assert retention.prune_options() == {
        "keep-last": 3,
        "keep-daily": 7,
        "keep-weekly": 4,
        "keep-yearly": 5,
    }
    assert retention.describe() == "3 last, 7 daily, 4 weekly, 5 yearly"


def test_secret_ref_key_and_namespace() -> None:
    assert (SecretRef(secret="pbsKey").key, SecretRef(secret="pbsKey").namespace) == (
        "pbsKey",
        None,
    )
    other = SecretRef(secret="shared:pbsKey")
    assert (other.key, other.namespace) == ("pbsKey", "shared")


@pytest.mark.parametrize(
    ("address", "host", "port"),
    [
        ("127.0.0.1:41234", "127.0.0.1", 41234),
        ("pbs.example.org", "pbs.example.org", None),
        ("[fd00::1]:8007", "fd00::1", 8007),
        ("[fd00::1]", "fd00::1", None),
    ],
)
def test_endpoint_splits_host_and_port(address: str, host: str, port: int | None) -> None:
    endpoint = Endpoint(address=address, fingerprint=fingerprint(0))
    assert (endpoint.host, endpoint.port) == (host, port)


@pytest.mark.parametrize("text", ["15m", "1h30m", "2d", "1w", "90s"])
def test_durations(text: str) -> None:
    raw = small_site()
    raw["services"]["web"]["rpo_target"] = text
    assert load(raw).services["web"].rpo_target.total_seconds() > 0


def test_network_names_follow_tappaas() -> None:
    """``<vmname>.<zone0>.internal`` (zone0 ``mgmt`` by default), and ``<vmname>.<domain>``
    with a public domain; offline for high importance; written names replace the defaults."""
    raw = small_site()
    raw["services"]["db"]["importance"] = "low"
    raw["services"]["db"]["pool"] = "tankb1"
    raw["network"] = {
        "resolvers": [{"address": "10.0.0.1", "service": "web"}],
        "domain": "Example.ORG.",
        "services": {"web": {"zone": "srvHome"}},
    }
    network = load(raw).network
    assert network is not None
    web, db = network.services["web"], network.services["db"]
    assert web.names == ("web.srvhome.internal", "web.example.org") and web.offline
    assert db.names == ("db.mgmt.internal", "db.example.org") and not db.offline
    assert (network.domain, network.resolvers[0].port, network.probe_domain) == (
        "example.org",
        53,
        "example.com",
    )
    raw["network"]["services"]["web"] = {"names": ["cloud.example.net"], "offline": False}
    web = load(raw).network.services["web"]  # type: ignore[union-attr]
    assert (web.names, web.offline) == (("cloud.example.net",), False)
