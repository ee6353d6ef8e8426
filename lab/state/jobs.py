"""What the schedulers remember of each job: when it last ran, and how that run ended.

PBS keeps this per job in ``/var/lib/proxmox-backup/jobstates``, PVE per node in
``/var/lib/pve-manager/jobs``; both answer "when is it due next" from it (see
``behaviour.schedulers``), and PBS shows the last run in ``/admin/{sync,prune,verify}``.
"""

from __future__ import annotations

from dataclasses import dataclass

from lab.behaviour.schedulers import JobRunState


@dataclass
class JobRecord:
    """A job's run state plus the last run's task, outcome (``ok`` or the error) and end."""

    run: JobRunState
    upid: str | None = None
    state: str | None = None
    endtime: int | None = None

    def finished(self, start: int, upid: str, error: str | None, endtime: int) -> None:
        """Record a run that started at ``start`` (a failed run counts as run too)."""
        self.run = self.run.started(start)
        self.upid, self.state, self.endtime = upid, error or "ok", endtime
