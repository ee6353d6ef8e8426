"""The recovery stack never destroys what it did not create, nor what it restored.

Issue 18, finding 1, replayed with plain ``pulumi`` on the lab: the site backs up, the peer
pulls, the site's important VMs are lost and the recovery stack restores them from the
peer's copy. Then the accidents that used to destroy production:

- restore-time settings change (``live_restore``, the network): the plan changes nothing, no
  request writes anything, the running restored VMs are untouched, and the output says so;
- a new restore of one service (``recovery.restore.<service>.generation``) lands in a new VM
  while the old one keeps running;
- a restored VM is removed by an admin and an unrelated VM (``new-prod-router``) takes its
  vmid: ``refresh`` and ``up`` refuse to adopt it, and ``destroy`` leaves it and every
  restored VM running.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from lab import Lab
from tappaas.automation import Engine, lab_stacks
from tappaas.automation.pulumi_cli import PulumiCommandError
from tappaas.pve.qemu import QemuApi
from tests.engine.lab_project import LabProject, lab_project
from tests.providers.harness import lab_client

pytestmark = pytest.mark.engine
RECOVERY = lab_stacks.RECOVERY_STACK


def edit_site(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Change a stack file's ``tappaas:site``, keeping its header (the lab marker)."""
    text = path.read_text()
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    document = yaml.safe_load(text)
    change(document["config"]["tappaas:site"])
    path.write_text(header + yaml.safe_dump(document, sort_keys=False))


def lose_the_important_vms(project: LabProject) -> None:
    """The disaster: the DR services' VMs are gone (HA resources first, as an admin would)."""
    pve = lab_client(project.lab.pve)
    qemu = QemuApi(pve)
    for name in lab_stacks.DR_SERVICES:
        service = project.site.services[name]
        pve.delete(f"/cluster/ha/resources/vm:{service.vmid}")
        qemu.destroy(service.node, service.vmid)


def test_recovery_leaves_running_and_foreign_vms_alone(
    engine: Engine, tmp_path: Path, lab_factory: Callable[..., Lab]
) -> None:
    project = lab_project(engine, tmp_path, lab_factory)
    lab, pulumi = project.lab, project.pulumi
    pulumi.up(lab_stacks.SITE_STACK)
    pulumi.up(lab_stacks.PEER_STACK)
    lab.control.run_job("vzdump", "tappaas-daily")
    peer_pbs = lab_client(lab.pbs["peer"])
    peer_pbs.wait_for_task(peer_pbs.post("/admin/sync/pull-home/run"))
    lose_the_important_vms(project)

    guests = pulumi.outputs(lab_stacks.PEER_STACK, show_secrets=True)["guests"]
    reader = guests[project.site.name]["restore_token_secret"]
    pulumi.set_secret(RECOVERY, lab_stacks.RECOVERY_READER_KEY, reader)
    pulumi.up(RECOVERY)
    vmids = {name: project.site.services[name].vmid for name in lab_stacks.DR_SERVICES}
    restored = {name: lab.control.vm(vmid) for name, vmid in vmids.items()}
    for name, vm in restored.items():
        assert vm is not None and vm.status == "running", name
        assert vm.config["tags"] == "tappaas-restored"
        assert vm.config["description"].startswith(
            f"tappaas-restored stack=tappaas/{RECOVERY} generation=0 snapshot=vm/{vm.vmid}/"
        )
        assert vm.config["protection"] in ("1", "True")
    before = {name: dict(vm.config) for name, vm in restored.items() if vm is not None}

    # Restore-time settings change: nothing happens to the running VMs, and the output says so.
    stack_file = project.stack_file(RECOVERY)

    def other_options(site: dict[str, Any]) -> None:
        site["recovery"].update(live_restore=False, bridge="vmbr9", vlan=901)

    edit_site(stack_file, other_options)
    preview = pulumi.preview(RECOVERY, extra=["--diff"])
    assert "+-" not in preview and "replace" not in preview, preview  # no replacement planned
    lab.control.clear_requests()
    out = pulumi.up(RECOVERY)
    assert "only steer a restore" in out and "live_restore" in out
    assert [f"{r.method} {r.path}" for r in lab.control.requests() if r.is_write] == []
    for name, vmid in vmids.items():
        vm = lab.control.vm(vmid)
        assert vm is not None and vm.status == "running" and vm.config == before[name], name

    # An explicit new restore of nextcloud: a new VM, the old one keeps running.
    def restore_nextcloud_again(site: dict[str, Any]) -> None:
        site["recovery"]["restore"] = {"nextcloud": {"generation": 1}}

    edit_site(stack_file, restore_nextcloud_again)
    pulumi.up(RECOVERY)
    renewed = lab.control.vm(100_000 + vmids["nextcloud"])
    assert renewed is not None and renewed.status == "running"
    assert "generation=1" in renewed.config["description"]
    old = lab.control.vm(vmids["nextcloud"])
    assert old is not None and old.status == "running" and old.config == before["nextcloud"]

    # The restored identity VM is removed by an admin; an unrelated VM takes its vmid.
    identity = project.site.services["identity"]
    pve = lab_client(lab.pve)
    pve.put(f"/nodes/{identity.node}/qemu/{identity.vmid}/config", protection=0)
    QemuApi(pve).destroy(identity.node, identity.vmid)
    disk = f"tanka1:vm-{identity.vmid}-disk-0,size=32G"
    lab.control.seed_vm(identity.vmid, identity.node, "new-prod-router", disks={"scsi0": disk})
    for refused in (pulumi.refresh, pulumi.up):
        with pytest.raises(PulumiCommandError) as failed:
            refused(RECOVERY)
        assert "not the VM this resource restored" in failed.value.output

    pulumi.destroy(RECOVERY)
    router = lab.control.vm(identity.vmid)
    assert router is not None and router.name == "new-prod-router" and router.status == "running"
    for name in ("firewall", "vaultwarden", "nextcloud"):
        vm = lab.control.vm(vmids[name])
        assert vm is not None and vm.status == "running", name
    again = lab.control.vm(renewed.vmid)
    assert again is not None and again.status == "running"
