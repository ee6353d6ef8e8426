"""Worker tasks and their UPIDs, in each product's exact format.

PVE (``PVE::Tools::upid_encode``): ``UPID:node:PID:PSTART:STARTTIME:type:id:user:`` with
8-digit upper-case hex numbers. PBS (``proxmox-schema`` ``UPID``) adds a task counter and
systemd-escapes the worker id: ``UPID:node:PID:PSTART:TASKID:STARTTIME:type:id:authid:``.
A task stays ``running`` for its duration (the lab's ``task_seconds``) and is then
``stopped`` with ``exitstatus`` "OK" or the error text; its effect on the state is applied
when it is created, so a client that polls to the end sees exactly what a real one would.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lab.endpoint import Product

EXIT_OK = "OK"
MAX_TASKS = 20_000
"""Tasks kept per instance (the oldest are dropped), so a simulated year stays small."""
_SAFE = frozenset("_.0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def systemd_escape(text: str) -> str:
    """PBS ``escape_id``: ``/`` → ``-``; other bytes outside ``[A-Za-z0-9_.]`` → ``\\xNN``."""
    out = []
    for index, byte in enumerate(text.encode()):
        char = chr(byte)
        if char == "/":
            out.append("-")
        elif (index == 0 and char == ".") or char not in _SAFE:
            out.append(f"\\x{byte:02x}")
        else:
            out.append(char)
    return "".join(out)


@dataclass
class Task:
    """One worker task; ``status`` is derived from the clock."""

    upid: str
    product: Product
    node: str
    pid: int
    pstart: int
    starttime: int
    worker_type: str
    worker_id: str
    user: str
    started: float
    duration: float
    exitstatus: str = EXIT_OK
    log: list[str] = field(default_factory=list)

    def finish(self, log: list[str], error: str | None = None) -> None:
        """Set the log and outcome of work done after the task (and its UPID) was created."""
        self.log = [*log, "TASK OK" if error is None else f"TASK ERROR: {error}"]
        self.exitstatus = EXIT_OK if error is None else error

    @property
    def ok(self) -> bool:
        """Whether the task ended (or will end) without error."""
        return self.exitstatus == EXIT_OK

    def running(self, now: float) -> bool:
        """Still running at ``now``."""
        return now < self.started + self.duration

    def status(self, now: float) -> dict[str, Any]:
        """The ``…/tasks/{upid}/status`` body."""
        body: dict[str, Any] = {
            "upid": self.upid,
            "node": self.node,
            "pid": self.pid,
            "pstart": self.pstart,
            "starttime": self.starttime,
            "type": self.worker_type,
            "id": self.worker_id,
            "user": self.user if self.product == "pbs" else self.user.split("!")[0],
            "status": "running" if self.running(now) else "stopped",
        }
        if "!" in self.user and self.product == "pve":
            body["tokenid"] = self.user.split("!", 1)[1]
        if not self.running(now):
            body["exitstatus"] = self.exitstatus
        return body


class TaskRegistry:
    """All tasks of one instance."""

    def __init__(self, product: Product, clock: Callable[[], float], duration: float) -> None:
        self.product = product
        self.clock = clock
        self.duration = duration
        self._tasks: dict[str, Task] = {}
        self._counter = itertools.count(1)
        self._pid = itertools.count(os.getpid() % 100_000 + 1000)
        self._lock = threading.Lock()

    def start(
        self,
        node: str,
        worker_type: str,
        worker_id: str,
        user: str,
        *,
        error: str | None = None,
        log: list[str] | None = None,
    ) -> Task:
        """Record a task that ends with ``error`` (or OK) after the configured duration."""
        now = self.clock()
        with self._lock:
            pid, counter = next(self._pid), next(self._counter)
        pstart = int(now * 100) % 0xFFFFFFFF
        starttime = int(now)
        if self.product == "pve":
            upid = (
                f"UPID:{node}:{pid:08X}:{pstart:08X}:{starttime:08X}:"
                f"{worker_type}:{worker_id}:{user}:"
            )
        else:
            upid = (
                f"UPID:{node}:{pid:08X}:{pstart:08X}:{counter:08X}:{starttime:08X}:"
                f"{worker_type}:{systemd_escape(worker_id)}:{user}:"
            )
        lines = list(log or [])
        lines.append("TASK OK" if error is None else f"TASK ERROR: {error}")
        task = Task(
            upid=upid,
            product=self.product,
            node=node,
            pid=pid,
            pstart=pstart,
            starttime=starttime,
            worker_type=worker_type,
            worker_id=worker_id,
            user=user,
            started=now,
            duration=self.duration,
            exitstatus=EXIT_OK if error is None else error,
            log=lines,
        )
        with self._lock:
            self._tasks[upid] = task
            if len(self._tasks) > MAX_TASKS:
                del self._tasks[next(iter(self._tasks))]
        return task

    def get(self, upid: str) -> Task | None:
        """The task with that UPID, or None."""
        return self._tasks.get(upid)

    def all(self) -> list[Task]:
        """Every task, newest first."""
        return sorted(self._tasks.values(), key=lambda t: t.started, reverse=True)
