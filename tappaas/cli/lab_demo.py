"""``tappaas demo``: the whole story on the lab, with plain ``pulumi`` in this directory.

1. start the lab (the site's 3-node PVE cluster with its VMs already running, the site's
   PBS, a peer site's own cluster and PBS) and write the lab stack files; 2. ``pulumi up``
   the site stack — ZFS pools, HA resources and rules, cluster options (the upstream
   proxmoxve plugin), storage entries, replication and the daily backup job, the PBS side —,
   then the peer stack (it pulls the site's encrypted backups with the read-only token the
   site exported); 3. nights pass on the lab's clock: the backup job ``pulumi up`` created
   runs at 02:00, PBS prunes, the peer pulls, GC runs; 4. a second ``pulumi up`` changes
   nothing and writes nothing; 5. disaster: the important VMs are gone, and the recovery
   stack restores them from the peer's copy with the read-only token the peer minted for the
   site; 6. the per-service protection table.
"""

from __future__ import annotations

import collections
import os
import shutil
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer
from pydantic import SecretStr
from rich.console import Console

from lab import Lab, LabConfig
from lab.lab_file import ca_file_of, write_lab_file
from tappaas.automation import find_engine, lab_stacks
from tappaas.automation.pulumi_cli import PulumiCli, PulumiCommandError
from tappaas.cli.check_output import format_protection_table
from tappaas.cli.stack import LAB_PASSPHRASE, write_lab_stacks
from tappaas.client import ConnectionSettings, Product, ProxmoxClient, ProxmoxError
from tappaas.model import SiteConfig, load_stack_file
from tappaas.policy import protection_report
from tappaas.pve.qemu import QemuApi

DEMO_DIR = Path(".lab")
DEMO_TASK_SECONDS = 0.0
WIDE = 150
"""Columns when not on a terminal (CI logs): the protection table is wide."""
NIGHTS = 3
PEER_NODES = ("tappaas1",)
HA_ROUND_MINUTES = 2
"""Long enough for the HA manager to carry out requested stops (it acts every 10 s)."""
console = Console(width=None if sys.stdout.isatty() else WIDE)


def client_for(lab: Lab, name: str) -> ProxmoxClient:
    endpoint = {e.name: e for e in lab.endpoints()}[name]
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


def seed_site_vms(lab: Lab, site: SiteConfig, disk_gib: Mapping[str, int] | None = None) -> None:
    """The site's services as the running VMs a real site already has before ``pulumi up``
    (their disks on the pools the stack declares; 32 GiB unless ``disk_gib`` says)."""
    for name, service in site.services.items():
        disk = lab_stacks.site_vm_disk(site, name, disk_gib)
        lab.control.seed_vm(service.vmid, service.node, name, disks={"scsi0": disk})


class DemoError(RuntimeError):
    """A step of the story did not turn out as it must."""


def step(text: str) -> None:
    console.rule(f"[bold]{text}")


def engine_line(line: str) -> None:
    """The engine's progress, indented; the per-resource detail of outputs is left out."""
    if line.startswith("        ") or not line.strip():
        return
    console.print(f"  | {line}", markup=False, highlight=False)


@dataclass
class Demo:
    """One run of the demo in ``project_dir`` with its own lab and state backend."""

    lab: Lab
    pulumi: PulumiCli
    guest_namespace: str
    started: int

    def up(self, stack: str, *extra: str) -> None:
        started = time.monotonic()
        console.print(f"$ pulumi up --stack {stack} --yes --skip-preview {' '.join(extra)}")
        self.pulumi.up(stack, engine_line, extra)
        console.print(f"  ({time.monotonic() - started:.1f} s)")

    def story(self, site: SiteConfig) -> None:
        """Steps 1 to 5."""
        self.seed_vms(site)
        step("2. pulumi up: the site stack, then the peer stack (it pulls from the site)")
        self.up(lab_stacks.SITE_STACK)
        self.up(lab_stacks.PEER_STACK)
        self.nightly_backups(site)
        self.no_change(lab_stacks.SITE_STACK)
        self.disaster_and_recovery(site)

    def seed_vms(self, site: SiteConfig) -> None:
        step("1. Lab: the site's cluster with its running VMs, its PBS, a peer's cluster and PBS")
        for endpoint in self.lab.endpoints():
            console.print(f"  {endpoint.product.upper():3} {endpoint.name:8} {endpoint.url}")
        seed_site_vms(self.lab, site)
        console.print(f"  the site runs {len(site.services)} VMs: " + ", ".join(site.services))

    def nightly_backups(self, site: SiteConfig) -> None:
        step(f"3. {NIGHTS} nights: the backup job vzdumps, PBS prunes, the peer pulls at 04:00")
        assert site.backup is not None
        pbs = site.backup.pbs
        moved = self.lab.control.advance(days=NIGHTS)
        kinds: dict[str, int] = collections.Counter(
            entry.kind for entry in self.lab.control.journal(since=self.started)
        )
        console.print(f"  lab clock now {moved['iso']}; what ran: {dict(sorted(kinds.items()))}")
        local_count = len(self.lab.control.snapshots("local", pbs.datastore, pbs.namespace))
        peer_count = len(self.lab.control.snapshots("peer", pbs.datastore, self.guest_namespace))
        console.print(
            f"  site's PBS: {local_count} snapshots; peer's copy in {self.guest_namespace}: "
            f"{peer_count} snapshots (encrypted; pulled with the site's read-only token)"
        )
        if local_count == 0:
            raise DemoError("the site's PBS holds no backup: the backup job did not run")
        if peer_count == 0:
            raise DemoError("the peer holds no copy: the off-site pull did not work")

    def no_change(self, stack: str) -> None:
        step("4. A second pulumi up: no change, and not one write to Proxmox")
        self.lab.control.clear_requests()
        self.up(stack)
        counts = collections.Counter(
            (r.instance, "write" if r.is_write else "read") for r in self.lab.control.requests()
        )
        console.print(f"  API requests: {dict(sorted(counts.items()))}")
        if any(kind == "write" for _, kind in counts):
            raise DemoError("an unchanged stack wrote to Proxmox")

    def disaster_and_recovery(self, site: SiteConfig) -> None:
        step("5. Disaster: the important VMs are lost; rebuild them from the peer's copy")
        qemu = QemuApi(client_for(self.lab, "pve"))
        lost = [site.services[name] for name in lab_stacks.DR_SERVICES]
        for service in lost:  # HA-managed: the stop is a request the HA manager carries out
            qemu.stop(service.node, service.vmid)
        self.lab.control.advance(minutes=HA_ROUND_MINUTES)
        for service in lost:
            qemu.destroy(service.node, service.vmid)
        console.print("  destroyed: " + ", ".join(lab_stacks.DR_SERVICES))
        guests = self.pulumi.outputs(lab_stacks.PEER_STACK, show_secrets=True)["guests"]
        reader = guests[site.name]
        self.pulumi.set_secret(
            lab_stacks.RECOVERY_STACK,
            lab_stacks.RECOVERY_READER_KEY,
            reader["restore_token_secret"],
        )
        console.print(
            f"  the recovery stack reads the peer's copy as {reader['restore_token_id']} "
            "(DatastoreReader on the site's namespace only), with the site's own key"
        )
        self.up(lab_stacks.RECOVERY_STACK)
        restored = self.pulumi.outputs(lab_stacks.RECOVERY_STACK)["restored"]
        for name, snapshot in restored.items():
            vm = self.lab.control.vm(site.services[name].vmid)
            state = vm.status if vm is not None else "missing"
            console.print(f"  {name:12} restored from {snapshot}: {state}")
            if state != "running":
                raise DemoError(f"{name} was not restored")


def run_demo(keep: bool, project_dir: Path) -> None:
    """The whole story (see the module docstring)."""
    if not (project_dir / "Pulumi.yaml").exists():
        raise typer.BadParameter(f"{project_dir.resolve()} has no Pulumi.yaml")
    engine = find_engine()
    backend = project_dir / DEMO_DIR / "state"
    shutil.rmtree(backend, ignore_errors=True)  # the previous lab's stacks
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    config = LabConfig(
        pbs=("local", "peer"),
        clusters={lab_stacks.PEER_CLUSTER: PEER_NODES},
        task_seconds=DEMO_TASK_SECONDS,
        clock="simulated",
        start_time=(midnight - timedelta(days=NIGHTS)).timestamp(),
    )
    with Lab.start(config) as lab:
        lab_file = project_dir / DEMO_DIR / "demo.json"
        write_lab_file(lab_file, lab, os.getpid())
        write_lab_stacks(lab_file, project_dir, backend)
        site = load_stack_file(project_dir / f"Pulumi.{lab_stacks.SITE_STACK}.yaml")
        peer = load_stack_file(project_dir / f"Pulumi.{lab_stacks.PEER_STACK}.yaml")
        assert peer.peer is not None
        pulumi = PulumiCli(
            engine,
            project_dir.resolve(),
            backend.resolve(),
            passphrase=os.environ.get("PULUMI_CONFIG_PASSPHRASE", LAB_PASSPHRASE),
            ca_file=ca_file_of(lab_file).resolve(),
        )
        run = Demo(lab, pulumi, peer.peer.guests[site.name].namespace, lab.control.now())
        try:
            run.story(site)
        except (ProxmoxError, DemoError, PulumiCommandError) as exc:
            console.print(f"[bold red]demo failed:[/] {exc}", markup=True)
            raise typer.Exit(1) from None
        step("6. Protection per service (copies, formats, off-site, RPO / RTO per disaster)")
        console.print(format_protection_table(protection_report(site)))
        if keep:
            console.print(f"Lab left running; endpoints and credentials in {lab_file}. Ctrl-C.")
            while True:
                time.sleep(3600)
