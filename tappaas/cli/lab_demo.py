"""``tappaas demo``: the whole story on the lab, with the real engine.

1. start the lab (a 3-node PVE cluster, the site's PBS and a peer's PBS) and seed the example
   site's VMs; 2. write the lab stack files; 3. ``up`` the site stack, then the peer stack
   (pull: the peer reads the site's exported read-only token); 4. nightly backups land in the
   site's PBS and the peer pulls its off-site copy; 5. a second ``up`` changes nothing and
   writes nothing; 6. disaster: the important VMs are gone, and the recovery stack restores
   them from the peer's copy; 7. print the per-service protection summary.

What the upstream proxmoxve plugin would manage (pools, HA, replication, the PVE backup
job and PBS storage entries) cannot run offline: the lab stacks set ``pveResources: false``
and the demo creates the two PVE storage entries and the backups the plugin and vzdump would
have produced, through the lab's PVE API and control surface, and says so as it goes.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import typer
from pulumi.automation.errors import CommandError
from pydantic import SecretStr
from rich.console import Console

from lab import Lab, LabConfig
from tappaas.automation import lab_stacks
from tappaas.cli.check import format_protection_table
from tappaas.cli.stack import runner, write_lab_stacks
from tappaas.client import ConnectionSettings, Product, ProxmoxClient, ProxmoxError
from tappaas.model import SiteConfig, load_stack_file
from tappaas.model.recovery import SOURCE_STORAGE
from tappaas.policy import protection_report
from tappaas.pve.qemu import QemuApi

DEMO_DIR = Path(".lab")
DEMO_TASK_SECONDS = 0.0
WIDE = 150
"""Columns when not on a terminal (CI logs): the protection table is wide."""
NIGHTS = 3
BACKUP_JOB_ID = "tappaas-daily"
console = Console(width=None if sys.stdout.isatty() else WIDE)


def client_for(lab: Lab, name: str) -> ProxmoxClient:
    endpoint = lab.pve if name == "pve" else lab.pbs[name]
    return ProxmoxClient(
        ConnectionSettings(
            product=Product(endpoint.product),
            host=endpoint.host,
            port=endpoint.port,
            fingerprint=endpoint.fingerprint,
            token_id=endpoint.token_id,
            token_secret=SecretStr(endpoint.token_secret),
        )
    )


class DemoError(RuntimeError):
    """A step of the story did not turn out as it must."""


def step(text: str) -> None:
    console.rule(f"[bold]{text}")


@dataclass
class Demo:
    """One run of the demo in ``project_dir`` with its own lab and state backend."""

    project_dir: Path
    lab: Lab
    backend: Path
    guest_namespace: str
    started: int

    def up(self, stack: str) -> dict[str, Any]:
        started = time.monotonic()
        try:
            result = runner(stack, self.project_dir, self.backend).up()
        except CommandError as exc:
            console.print(f"pulumi up {stack} failed:\n{exc}", markup=False)
            raise typer.Exit(1) from None
        seconds = time.monotonic() - started
        changes = result.summary.resource_changes or {}
        console.print(
            f"pulumi up {stack}: {result.summary.result}, {dict(changes)} in {seconds:.1f} s"
        )
        return {key: value.value for key, value in result.outputs.items()}

    def story(self, site: SiteConfig) -> None:
        """Steps 1 to 6."""
        self.seed_vms(site)
        step("2-3. pulumi up: the site stack, then the peer stack (it pulls from the site)")
        self.up(lab_stacks.SITE_STACK)
        self.up(lab_stacks.PEER_STACK)
        self.nightly_backups(site)
        self.no_change(lab_stacks.SITE_STACK)
        self.disaster_and_recovery(site)

    def seed_vms(self, site: SiteConfig) -> None:
        step("1. Lab: a 3-node cluster, the site's PBS and a peer's PBS; the site's VMs")
        for endpoint in self.lab.endpoints():
            console.print(f"  {endpoint.product.upper():3} {endpoint.name:6} {endpoint.url}")
        pve = client_for(self.lab, "pve")
        for pool in site.datapools.values():
            if pool.role.value != "backup":
                pve.post("/storage", storage=pool.storage_id, type="zfspool", pool=pool.storage_id)
        for name, service in site.services.items():
            disk = f"{service.pool}:vm-{service.vmid}-disk-0,size=32G"
            self.lab.control.seed_vm(service.vmid, service.node, name, disks={"scsi0": disk})
        console.print(f"  seeded {len(site.services)} VMs: " + ", ".join(site.services))

    def nightly_backups(self, site: SiteConfig) -> None:
        step(f"4. {NIGHTS} nights: vzdump to the site's PBS, prune, and the peer's 04:00 pull")
        assert site.backup is not None
        backup, pbs = site.backup, site.backup.pbs
        local = self.lab.pbs["local"]
        token = runner(lab_stacks.SITE_STACK, self.project_dir, self.backend).resource_outputs(
            "pve-token"
        )
        pve = client_for(self.lab, "pve")
        pve.post(
            "/storage",
            storage=pbs.storage_id,
            type="pbs",
            server=local.host,
            port=local.port,
            datastore=pbs.datastore,
            username=token["token_id"],
            password=token["secret"],
            fingerprint=local.fingerprint,
            **{"encryption-key": "autogen"},
        )
        vmids = [str(s.vmid) for s in site.services.values() if s.backup.enabled]
        pve.post(
            "/cluster/backup",
            id=BACKUP_JOB_ID,
            schedule=backup.schedule,
            storage=pbs.storage_id,
            vmid=vmids,
            mode=backup.mode.value,
            **{"prune-backups": "keep-all=1", "notes-template": backup.notes_template},
        )
        console.print(
            f"  (PVE storage '{pbs.storage_id}' with the site's PVE token and the daily job "
            f"'{BACKUP_JOB_ID}' belong to the upstream plugin: created through the PVE API as "
            "it would)"
        )
        moved = self.lab.control.advance(days=NIGHTS)
        kinds: dict[str, int] = {}
        for entry in self.lab.control.journal(since=self.started):
            kinds[entry.kind] = kinds.get(entry.kind, 0) + 1
        console.print(f"  lab clock now {moved['iso']}; what ran: {dict(sorted(kinds.items()))}")
        local_count = len(self.lab.control.snapshots("local", pbs.datastore, pbs.namespace))
        peer_count = len(self.lab.control.snapshots("peer", pbs.datastore, self.guest_namespace))
        console.print(
            f"  site's PBS: {local_count} snapshots; peer's copy in {self.guest_namespace}: "
            f"{peer_count} snapshots (encrypted; pulled with the site's read-only token)"
        )
        if peer_count == 0:
            raise DemoError("the peer holds no copy: the off-site pull did not work")

    def no_change(self, stack: str) -> None:
        step("5. A second pulumi up: no change, and not one write to Proxmox")
        self.lab.control.clear_requests()
        self.up(stack)
        records = self.lab.control.requests()
        writes = [r for r in records if r.is_write]
        console.print(f"  API requests: {len(records)} reads, {len(writes)} writes")

    def disaster_and_recovery(self, site: SiteConfig) -> None:
        step("6. Disaster: the important VMs are lost; rebuild them from the peer's copy")
        pve = client_for(self.lab, "pve")
        for name in lab_stacks.DR_SERVICES:
            service = site.services[name]
            QemuApi(pve).destroy(service.node, service.vmid)
        console.print("  destroyed: " + ", ".join(lab_stacks.DR_SERVICES))
        peer = self.lab.pbs["peer"]
        pve.post(
            "/storage",
            storage=SOURCE_STORAGE,
            type="pbs",
            server=peer.host,
            port=peer.port,
            datastore=site.backup.pbs.datastore if site.backup else "",
            namespace=self.guest_namespace,
            username=peer.token_id,
            password=peer.token_secret,
            fingerprint=peer.fingerprint,
            **{"encryption-key": "autogen"},
        )
        console.print(
            f"  (storage '{SOURCE_STORAGE}' on the recovery cluster is the upstream plugin's "
            "storage.Pbs: created through the PVE API as it would)"
        )
        outputs = self.up(lab_stacks.RECOVERY_STACK)
        for name, snapshot in outputs.get("restored", {}).items():
            vm = self.lab.control.vm(site.services[name].vmid)
            state = vm.status if vm is not None else "missing"
            console.print(f"  {name:12} restored from {snapshot}: {state}")


def run_demo(keep: bool, project_dir: Path) -> None:
    """The whole story (see the module docstring)."""
    if not (project_dir / "Pulumi.yaml").exists():
        raise typer.BadParameter(f"{project_dir.resolve()} has no Pulumi.yaml")
    backend = DEMO_DIR / "state"
    shutil.rmtree(project_dir / backend, ignore_errors=True)  # the previous lab's stacks
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = midnight - timedelta(days=NIGHTS)
    config = LabConfig(
        pbs=("local", "peer"),
        task_seconds=DEMO_TASK_SECONDS,
        clock="simulated",
        start_time=start.timestamp(),
    )
    with Lab.start(config) as lab:
        lab_file = project_dir / DEMO_DIR / "demo.json"
        lab_file.parent.mkdir(exist_ok=True)
        lab_file.write_text(json.dumps({"endpoints": [e.to_dict() for e in lab.endpoints()]}))
        lab_file.chmod(0o600)
        write_lab_stacks(lab_file, project_dir, backend)
        site = load_stack_file(project_dir / f"Pulumi.{lab_stacks.SITE_STACK}.yaml")
        peer = load_stack_file(project_dir / f"Pulumi.{lab_stacks.PEER_STACK}.yaml")
        assert peer.peer is not None
        run = Demo(
            project_dir, lab, backend, peer.peer.guests[site.name].namespace, lab.control.now()
        )
        try:
            run.story(site)
        except (ProxmoxError, DemoError) as exc:
            console.print(f"[bold red]demo failed:[/] {exc}", markup=True)
            raise typer.Exit(1) from None
        step("7. Protection per service (copies, formats, off-site, RPO / RTO per disaster)")
        console.print(format_protection_table(protection_report(site)))
        if keep:
            console.print(f"Lab left running; endpoints and credentials in {lab_file}. Ctrl-C.")
            while True:
                time.sleep(3600)
