"""What the running behaviours share: the states, task registries, clock, lock and journal.

One ``World`` per lab. Handlers reach it as ``call.services.world`` (to run a job now, to
read replication or HA state), the control surface to move the clock or inject faults, and
the activities to do their work. Every change to the state happens under ``lock`` (one lock
for the whole lab, so work spanning instances — a vzdump from PVE into a PBS, a sync between
two PBS — can never deadlock).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from lab.behaviour.guest import GuestTiming
from lab.sim.clock import LabClock
from lab.sim.engine import Activity, Engine
from lab.sim.journal import Journal
from lab.state.pbs import PbsServer
from lab.state.pve import PveCluster
from lab.state.tasks import TaskRegistry

PVE_INSTANCE = "pve"
PBS_DEFAULT_PORT = 8007


class World:
    """The lab's states and the machinery that moves them through time."""

    def __init__(
        self,
        pve: PveCluster,
        pbs: dict[str, PbsServer],
        clock: LabClock,
        tasks: dict[str, TaskRegistry],
        collect: Callable[[World], Iterable[Activity]],
    ) -> None:
        self.pve = pve
        self.pbs = pbs
        self.clock = clock
        self.tasks = tasks
        self.lock = threading.RLock()
        self.journal = Journal()
        self.disconnected: set[str] = set()
        self.guest_timing = GuestTiming()
        """How long restores and boots take (``LabConfig``; instant by default)."""
        self.engine = Engine(clock, self.lock, lambda: collect(self))

    def now(self) -> int:
        """The lab time in whole seconds."""
        return int(self.clock.now())

    def changed(self) -> None:
        """Something that may move scheduled work changed (config, nodes, guests)."""
        self.engine.changed()

    def note(self, source: str, kind: str, message: str) -> None:
        """Journal an event at the current lab time."""
        self.journal.add(self.clock.now(), source, kind, message)

    def pbs_at(self, host: str, port: int | None) -> PbsServer | None:
        """The lab PBS listening at ``host:port`` (PBS storages and remotes name it so)."""
        return self.pve.backup_servers.get(f"{host}:{port or PBS_DEFAULT_PORT}")

    def reachable(self, instance: str) -> bool:
        """Whether ``instance`` ("pve" or a PBS name) answers on the network."""
        return instance not in self.disconnected
