"""What a lab is made of: nodes, PBS instances, task timing, schema and state files."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lab.sim.clock import CLOCK_MODES, ClockMode
from lab.state.pbs import DEFAULT_PBS_VERSION

DEFAULT_NODES = ("tappaas1", "tappaas2", "tappaas3")
DEFAULT_PBS = ("local", "peer")
DEFAULT_TASK_SECONDS = 0.0
DEFAULT_NODE_DISKS = ("/dev/sdb", "/dev/sdc", "/dev/sdd", "/dev/sde")
DEFAULT_DISK_BYTES = 1024**4
SCHEMA_DIR_ENV = "TAPPAAS_LAB_SCHEMA_DIR"
LOOPBACK = "127.0.0.1"


def default_schema_dir() -> Path | None:
    """``$TAPPAAS_LAB_SCHEMA_DIR``, else ``../shared/proxmox-schema`` beside the checkout or cwd."""
    if env := os.environ.get(SCHEMA_DIR_ENV):
        return Path(env)
    checkout = Path(__file__).resolve().parents[1]
    for base in (checkout, Path.cwd()):
        candidate = base.parent / "shared" / "proxmox-schema"
        if candidate.is_dir():
            return candidate
    return None


@dataclass(frozen=True)
class LabConfig:
    """Shape of one lab; every field has a named default.

    ``schema_dir=None`` looks for the official schema files in the default place and, if none
    is there, runs with the lab's built-in checks only (the lab says so at start).
    ``node_disks`` maps node name to its unused disks (default: ``/dev/sdb`` … ``/dev/sde``).
    ``clusters`` adds secondary PVE clusters (name → node names), e.g. a peer site's own
    cluster: each answers the API on its own port with its own state; the scheduled
    behaviours (vzdump jobs, replication, HA) run on the primary cluster only.
    Ports of 0 pick a free port. ``clock``: ``real`` (wall time; scheduled work happens as
    it falls due) or ``simulated`` (time stands still until ``lab.control.advance``);
    ``start_time`` (Unix seconds, UTC) starts the lab's clock at another moment than now.
    ``pbs_version`` is the release every PBS reports and behaves as (``/version``; options
    added by a later release are refused as that release's schema would).
    """

    nodes: tuple[str, ...] = DEFAULT_NODES
    pbs: tuple[str, ...] = DEFAULT_PBS
    task_seconds: float = DEFAULT_TASK_SECONDS
    schema_dir: Path | None = None
    state_file: Path | None = None
    node_disks: Mapping[str, tuple[str, ...]] | None = None
    host: str = LOOPBACK
    pve_port: int = 0
    pbs_ports: Mapping[str, int] = field(default_factory=dict)
    clock: ClockMode = "real"
    start_time: float | None = None
    clusters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    pbs_version: str = DEFAULT_PBS_VERSION

    def __post_init__(self) -> None:
        if not self.nodes:
            raise ValueError("a lab needs at least one PVE node")
        if len(set(self.nodes)) != len(self.nodes) or len(set(self.pbs)) != len(self.pbs):
            raise ValueError("node and PBS names must be unique")
        names = ["pve", *self.pbs, *self.clusters]
        if len(set(names)) != len(names):
            raise ValueError("cluster names must differ from 'pve' and the PBS names")
        if any(not nodes for nodes in self.clusters.values()):
            raise ValueError("a secondary cluster needs at least one node")
        if self.task_seconds < 0:
            raise ValueError("task_seconds must be >= 0")
        if not re.fullmatch(r"\d+\.\d+\.\d+", self.pbs_version):
            raise ValueError("pbs_version must be major.minor.patch, e.g. 4.2.3")
        if self.clock not in CLOCK_MODES:
            raise ValueError(f"clock must be one of {', '.join(CLOCK_MODES)}")

    def disks_of(self, node: str) -> tuple[str, ...]:
        """The unused disks a node starts with."""
        if self.node_disks is not None and node in self.node_disks:
            return tuple(self.node_disks[node])
        return DEFAULT_NODE_DISKS

    def resolved_schema_dir(self) -> Path | None:
        """The directory to load schema files from, or None for built-in checks only."""
        return self.schema_dir if self.schema_dir is not None else default_schema_dir()
