"""What the program reads to adopt the upstream plugin's objects an interrupted ``up`` left.

Against the lab, whose pools read back as PVE's do (``zpool status -P`` as a tree of by-id
disk links, pve-storage ``API2/Disks/ZFS.pm``): a pool is adopted only with the declared
layout on the declared disks, else the program stops with one line; HA resources and rules
are adopted by id.
"""

from __future__ import annotations

import pytest

from lab import Lab
from providers.upstream_adoption import PoolNotOursError, UpstreamInventory
from tests.providers.harness import lab_client


def _inventory(lab: Lab) -> UpstreamInventory:
    return UpstreamInventory(lab_client(lab.pve))


def _pool(lab: Lab, node: str, name: str, raidlevel: str, devices: str) -> None:
    pve = lab_client(lab.pve)
    pve.wait_for_task(
        pve.post(f"/nodes/{node}/disks/zfs", name=name, raidlevel=raidlevel, devices=devices)
    )


def test_a_pool_on_the_declared_disks_is_adopted_by_its_plugin_id(fresh_lab: Lab) -> None:
    _pool(fresh_lab, "tappaas1", "tanka1", "mirror", "/dev/sdb,/dev/sdc")
    _pool(fresh_lab, "tappaas2", "tankb1", "single", "/dev/sdd")
    detail = lab_client(fresh_lab.pve).get("/nodes/tappaas1/disks/zfs/tanka1")
    assert detail["children"][0]["name"] == "mirror-0"
    assert detail["children"][0]["children"][0]["name"].startswith("/dev/disk/by-id/ata-")

    inventory = _inventory(fresh_lab)
    mirror = ["/dev/sdb", "/dev/sdc"]
    assert inventory.pool_import_id("tappaas1", "tanka1", "mirror", mirror) == "tappaas1/tanka1"
    assert inventory.pool_import_id("tappaas2", "tankb1", "single", ["/dev/sdd"]) == (
        "tappaas2/tankb1"
    )
    assert inventory.pool_import_id("tappaas3", "tanka1", "mirror", mirror) is None


@pytest.mark.parametrize(
    ("raidlevel", "devices"),
    [("mirror", ["/dev/sdd", "/dev/sde"]), ("single", ["/dev/sdb"]), ("mirror", ["/dev/sdb"])],
)
def test_a_pool_of_the_name_on_other_disks_or_layout_is_refused_in_one_line(
    fresh_lab: Lab, raidlevel: str, devices: list[str]
) -> None:
    _pool(fresh_lab, "tappaas1", "tanka1", "mirror", "/dev/sdb,/dev/sdc")
    with pytest.raises(PoolNotOursError) as refused:
        _inventory(fresh_lab).pool_import_id("tappaas1", "tanka1", raidlevel, devices)
    line = str(refused.value)
    assert "\n" not in line and "not taken over, it holds data" in line
    assert "mirror of /dev/disk/by-id/ata-" in line
    assert "pulumi config set --path 'tappaas:site.datapools.tanka1.devices.tappaas1[0]'" in line


def test_ha_resources_and_rules_are_found_by_id_with_two_reads(fresh_lab: Lab) -> None:
    fresh_lab.control.seed_vm(110, "tappaas1", "firewall")
    pve = lab_client(fresh_lab.pve)
    pve.post("/cluster/ha/resources", sid="vm:110")
    pve.post("/cluster/ha/rules", rule="tappaas-firewall", type="node-affinity",
             resources="vm:110", nodes="tappaas1:2,tappaas2:1")  # fmt: skip
    fresh_lab.control.clear_requests()
    inventory = _inventory(fresh_lab)
    assert inventory.ha_resource_import_id("vm:110") == "vm:110"
    assert inventory.ha_resource_import_id("vm:130") is None
    assert inventory.ha_rule_import_id("tappaas-firewall") == "tappaas-firewall"
    assert inventory.ha_rule_import_id("tappaas-hass") is None
    assert [r.path for r in fresh_lab.control.requests("pve")] == [
        "/cluster/ha/resources",
        "/cluster/ha/rules",
    ]
