"""The example stack files parse, with the defaults TAPPaaS promises."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tappaas.model import (
    FOREVER_YEARS,
    ConfigError,
    Direction,
    Importance,
    Redundancy,
    Role,
    ShutdownPolicy,
    load_stack_file,
)
from tests.model.sites import EXAMPLE_STACKS, REPO, example


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_example_stack_parses(stack: str) -> None:
    site = load_stack_file(REPO / f"Pulumi.{stack}.yaml")
    assert site.name


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_example_stacks_hold_no_secret_values(stack: str) -> None:
    """Every credential is a {secret: key} reference; nothing looks like a pasted secret."""
    text = (REPO / f"Pulumi.{stack}.yaml").read_text()
    assert "secure:" not in text
    site = example(stack)
    assert site["cluster"]["api"]["api_token"]["token_secret"].keys() == {"secret"}
    if "backup" in site:
        assert site["backup"]["pbs"]["api_token"]["token_secret"].keys() == {"secret"}
    if "cloud" in site:  # the rented host's secrets: by reference (defaults), never inline
        assert "credentials" not in site["cloud"]
        assert site["remote"]["credential"]["token_secret"].keys() == {"secret"}
        assert site["recovery"]["encryption_key"].keys() == {"secret"}


def test_prod_is_the_three_node_site_of_the_issue() -> None:
    site = load_stack_file(REPO / "Pulumi.prod.yaml")
    assert list(site.nodes) == ["tappaas1", "tappaas2", "tappaas3"]
    assert site.datapools["tanka1"].redundancy is Redundancy.MIRROR
    assert site.datapools["tankb1"].redundancy is Redundancy.NONE
    assert site.backup is not None
    assert (site.backup.pbs.node, site.backup.pbs.pool) == ("tappaas3", "tankc1")
    assert site.backup.pbs.datastore == site.backup.pbs.storage_id == "tappaas_backup"
    assert site.backup.pbs.path == "/tankc1/tappaas_backup"
    assert site.backup.retention.keep_yearly == FOREVER_YEARS
    assert {s.vmid for s in site.services.values()} >= {110, 130, 340}
    assert site.remote is not None and site.remote.peer_stack == "organization/tappaas/peer"
    assert site.remote.direction is Direction.PULL
    assert site.remote.namespace == "remote/home"
    assert site.cluster.ha_shutdown_policy is ShutdownPolicy.MIGRATE


def test_prod_service_defaults_follow_tappaas() -> None:
    site = load_stack_file(REPO / "Pulumi.prod.yaml")
    firewall = site.services["firewall"]
    assert (firewall.pool, firewall.importance) == ("tanka1", Importance.HIGH)
    assert firewall.ha.enabled and firewall.ha.failover_node == "tappaas2"  # first other node
    assert firewall.replication.enabled and firewall.replication.schedule == "*/15"
    assert site.services["identity"].ha.failover_node == "tappaas1"
    logging = site.services["logging"]
    assert (logging.pool, logging.ha.enabled, logging.replication.enabled) == (
        "tankb1",
        False,
        False,
    )
    assert logging.rpo_target == timedelta(days=1)
    assert site.services["vaultwarden"].rpo_target == timedelta(minutes=15)


def test_peer_hosts_the_home_site() -> None:
    site = load_stack_file(REPO / "Pulumi.peer.yaml")
    assert site.role is Role.PEER and site.peer is not None
    home = site.peer.guests["home"]
    assert home.stack == "organization/tappaas/prod"
    assert home.namespace == "remote/home"  # the same namespace prod expects its copy in
    assert home.direction is Direction.PULL


def test_single_node_site_has_no_ha_and_pushes() -> None:
    site = load_stack_file(REPO / "Pulumi.single.yaml")
    assert len(site.nodes) == 1
    assert all(not s.ha.enabled and s.ha.failover_node is None for s in site.services.values())
    assert site.remote is not None and site.remote.direction is Direction.PUSH
    assert site.remote.credential is not None


def test_missing_stack_file_is_a_config_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match="cannot read stack file"):
        load_stack_file(tmp_path / "Pulumi.nope.yaml")


def test_stack_file_without_site_key_is_a_config_error(tmp_path) -> None:
    path = tmp_path / "Pulumi.x.yaml"
    path.write_text("config:\n  proxmoxve:endpoint: https://x\n")
    with pytest.raises(ConfigError) as caught:
        load_stack_file(path)
    assert caught.value.issues[0].path == "tappaas:site"


def test_broken_yaml_is_a_config_error(tmp_path) -> None:
    path = tmp_path / "Pulumi.x.yaml"
    path.write_text("config: [unclosed\n")
    with pytest.raises(ConfigError, match="YAML syntax error at line 2, column 1"):
        load_stack_file(path)
