"""The event-driven scheduler: runs every due activity in time order, jumping between them.

Proxmox's schedulers wake every minute; simulating that minute by minute would take hours
for a year. Instead each activity (a PBS job, a vzdump job on one node, a replication job,
the HA manager) says when it is due next, computed from the persistent state (its last run,
its schedule), and the engine keeps those times in a heap: ``run_until`` pops the earliest,
moves the clock there, runs it, asks it again, until the next one lies beyond the target.

Anything that may change what is scheduled (an API write, a control operation, an HA move)
calls ``changed``; the next step then rebuilds the heap from the state, which is cheap and
keeps a single source of truth. In real-time mode a background thread calls ``run_until``
with the wall clock, and every API request catches up first, so answers reflect everything
due up to that moment.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Iterable
from typing import Protocol

from lab.sim.clock import LabClock

REALTIME_POLL_SECONDS = 1.0


class Activity(Protocol):
    """Something that runs at times of its own choosing."""

    @property
    def key(self) -> str:
        """Unique among all activities (``pbs/local/sync/pull-home``)."""

    def next_due(self, now: int) -> int | None:
        """When it runs next (at or after ``now``), or None for not at all."""

    def run(self, at: int) -> None:
        """Do what is due at ``at`` (the clock already shows ``at``)."""


class Engine:
    """Runs activities from ``collect()`` in time order on ``clock`` under ``lock``."""

    def __init__(
        self,
        clock: LabClock,
        lock: threading.RLock,
        collect: Callable[[], Iterable[Activity]],
    ) -> None:
        self.clock = clock
        self.lock = lock
        self._collect = collect
        self._activities: dict[str, Activity] = {}
        self._heap: list[tuple[int, int, str]] = []
        self._due: dict[str, int] = {}
        self._counter = 0
        self._last_run: dict[str, int] = {}
        self._dirty = True
        self._running = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0

    def changed(self) -> None:
        """The state changed in a way that may move what is due: rebuild before the next run."""
        self._dirty = True

    def _schedule(self, activity: Activity, now: int) -> None:
        due = activity.next_due(now)
        if due is None:
            self._due.pop(activity.key, None)
            return
        self._push(activity.key, max(due, now))

    def _push(self, key: str, due: int) -> None:
        self._counter += 1
        self._due[key] = due
        heapq.heappush(self._heap, (due, self._counter, key))

    def _rebuild(self, now: int) -> None:
        self._dirty = False
        self._activities = {a.key: a for a in self._collect()}
        self._heap.clear()
        self._due.clear()
        for activity in self._activities.values():
            self._schedule(activity, now)

    def next_due(self) -> int | None:
        """When the earliest activity is due (after a rebuild if one is pending)."""
        with self.lock:
            if self._dirty:
                self._rebuild(int(self.clock.now()))
            while self._heap and self._due.get(self._heap[0][2]) != self._heap[0][0]:
                heapq.heappop(self._heap)
            return self._heap[0][0] if self._heap else None

    def run_until(self, until: float) -> int:
        """Run everything due up to ``until``, then set the clock there; returns the run count.

        Re-entrant calls (an activity answering an API call of its own) return at once.
        """
        with self.lock:
            if self._running:
                return 0
            self._running = True
            try:
                return self._run_until(until)
            finally:
                self._running = False

    def _run_until(self, until: float) -> int:
        runs = 0
        while True:
            now = int(self.clock.now())
            if self._dirty:
                self._rebuild(now)
            if not self._heap or self._heap[0][0] > until:
                break
            due, _, key = heapq.heappop(self._heap)
            activity = self._activities.get(key)
            if activity is None or self._due.get(key) != due:
                continue
            del self._due[key]
            at = max(due, now)
            if self._last_run.get(key) == at:  # never run twice in the same second
                self._push(key, at + 1)
                continue
            self.clock.move_to(at)
            activity.run(at)
            self._last_run[key] = at
            runs += 1
            if not self._dirty:
                self._schedule_after(activity, at)
        self.clock.move_to(until)
        self.runs += runs
        return runs

    def _schedule_after(self, activity: Activity, at: int) -> None:
        """Reschedule after a run; an activity due again at once is moved a second on."""
        due = activity.next_due(at)
        if due is not None and due <= at:
            due = at + 1
        if due is not None:
            self._push(activity.key, due)

    def catch_up(self) -> None:
        """Run what is due by now (cheap when nothing is)."""
        self.run_until(self.clock.now())

    def advance(self, seconds: float) -> int:
        """Move the clock ``seconds`` ahead, running everything due on the way."""
        if seconds < 0:
            raise ValueError("the lab clock does not go backwards")
        with self.lock:
            return self.run_until(self.clock.now() + seconds)

    # -- real time ---------------------------------------------------------------------
    def start_realtime(self) -> None:
        """Follow the wall clock in a background thread (real-time mode)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._follow, name="lab-clock", daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        while not self._stop.wait(REALTIME_POLL_SECONDS):
            self.catch_up()

    def stop(self) -> None:
        """Stop the background thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
