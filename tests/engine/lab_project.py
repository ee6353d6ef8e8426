"""A project directory for plain ``pulumi`` against a lab, as a user would have it.

``Pulumi.yaml`` names this checkout as the program (``main``) and its ``.venv`` as the
virtualenv, so the engine starts the Python language host, which runs ``__main__.py``; the
stack files are the lab stack files ``tappaas stack lab-files`` writes. The lab is the site's
cluster (with the site's VMs already running), its PBS, and a peer's own cluster and PBS.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from lab import Lab
from lab.lab_file import ca_file_of, write_lab_file
from tappaas.automation import Engine, lab_stacks
from tappaas.automation.pulumi_cli import PulumiCli
from tappaas.cli.lab_demo import seed_site_vms
from tappaas.cli.stack import LAB_PASSPHRASE, write_lab_stacks
from tappaas.model import SiteConfig, load_stack_file
from tests.conftest import REPO

EXAMPLES = ("Pulumi.prod.yaml", "Pulumi.peer.yaml")
PEER_CLUSTER = {lab_stacks.PEER_CLUSTER: ("tappaas1",)}


@dataclass(frozen=True)
class LabProject:
    """The project, its lab and the ``pulumi`` CLI set up for it."""

    lab: Lab
    directory: Path
    pulumi: PulumiCli
    site: SiteConfig

    def stack_file(self, stack: str) -> Path:
        return self.directory / f"Pulumi.{stack}.yaml"


def project_yaml(directory: Path) -> None:
    """A ``Pulumi.yaml`` running this checkout's program from its virtualenv."""
    document = {
        "name": "tappaas",
        "main": str(REPO),
        "runtime": {
            "name": "python",
            "options": {"toolchain": "pip", "virtualenv": str(REPO / ".venv")},
        },
    }
    (directory / "Pulumi.yaml").write_text(yaml.safe_dump(document))


def lab_project(
    engine: Engine,
    tmp_path: Path,
    lab_factory: Callable[..., Lab],
    *,
    clusters: Mapping[str, tuple[str, ...]] = PEER_CLUSTER,
    examples: Sequence[str] = EXAMPLES,
    disk_gib: Mapping[str, int] | None = None,
    **lab_overrides: Any,
) -> LabProject:
    """A fresh lab (real clock, ``LabConfig`` overrides) and a project whose lab stacks point
    at it; ``clusters`` adds the lab's secondary clusters (with ``cloud-pve`` and
    ``Pulumi.cloud.yaml`` among the ``examples``, the lab stacks include ``lab-cloud``),
    ``disk_gib`` sizes the site's VMs."""
    lab = lab_factory(clusters=dict(clusters), **lab_overrides)
    directory = tmp_path / "project"
    directory.mkdir()
    project_yaml(directory)
    for name in examples:
        shutil.copy(REPO / name, directory / name)
    lab_file = directory / ".lab" / "lab.json"
    write_lab_file(lab_file, lab, os.getpid())
    backend = directory / ".state"
    write_lab_stacks(lab_file, directory, backend)
    site = load_stack_file(directory / f"Pulumi.{lab_stacks.SITE_STACK}.yaml")
    seed_site_vms(lab, site, disk_gib)
    cli = PulumiCli(
        engine,
        directory,
        backend,
        passphrase=LAB_PASSPHRASE,
        ca_file=ca_file_of(lab_file),
    )
    return LabProject(lab, directory, cli, site)
