"""An accidentally deleted VM comes back from its latest backup through the PVE API."""

from __future__ import annotations

from lab.scenarios import accidental_deletion
from lab.scenarios.client import api


def test_the_latest_backup_restores_through_the_api(site_lab, prod, peer):
    configured = site_lab(prod, peer)
    result = accidental_deletion.play(configured, "nextcloud")
    assert result.ok, result.checks
    vm = configured.lab.control.vm(prod.services["nextcloud"].vmid)
    assert vm is not None and vm.status == "running" and vm.name == "nextcloud"
    pve = api(configured.lab.pve)
    config = pve.nodes(vm.node).qemu(vm.vmid).config.get()
    assert config["scsi0"].startswith("tanka1:vm-340-disk-0")
    tasks = [t for t in pve.nodes(vm.node).tasks.get() if t["type"] == "qmrestore"]
    assert [t["status"] for t in tasks] == ["OK"]
