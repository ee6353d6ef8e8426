"""PBS state for monitoring: datastore usage, GC status, the jobs' last runs, the task list.

- ``GET /admin/datastore/{store}/status``: ``total``, ``used``, ``avail`` bytes.
- ``GET /admin/datastore/{store}/gc``: the last GC's ``upid``, ``last-run-endtime``,
  ``last-run-state``, ``schedule``, ``next-run`` (proxmox-backup ``GarbageCollectionJobStatus``).
- ``GET /admin/{sync,prune,verify}``: each job's config plus ``last-run-upid``,
  ``last-run-state``, ``last-run-endtime``, ``next-run`` (``JobState``).
- ``GET /nodes/localhost/tasks``: filters ``typefilter`` (contains), ``userfilter``
  (contains), ``since``, ``limit`` (``src/api2/node/tasks.rs``); a ``reader`` task is one
  snapshot read through the backup reader protocol, its worker id ``<store>:<type>/<id>/<HEX
  time>`` (``src/api2/reader/mod.rs``), run by whoever read it — a pulling peer's token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tappaas.client import ProxmoxClient

PBS_NODE = "localhost"
TASK_LIST_LIMIT = 5000
JOB_KINDS = ("prune", "verify", "sync")


@dataclass(frozen=True)
class Usage:
    total: int
    used: int


@dataclass(frozen=True)
class GcState:
    last_run_endtime: int | None
    last_run_state: str | None
    schedule: str | None


@dataclass(frozen=True)
class JobState:
    kind: str
    job_id: str
    store: str
    schedule: str | None
    last_run_endtime: int | None
    last_run_state: str | None
    next_run: int | None
    options: dict[str, Any]


@dataclass(frozen=True)
class ReadTask:
    """A ``reader`` task: who read which snapshot, when, and whether it ended well."""

    store: str
    backup_type: str
    backup_id: str
    backup_time: int
    user: str
    starttime: int
    ok: bool


def parse_reader_id(worker_id: str) -> tuple[str, str, str, int] | None:
    """``tappaas_backup:vm/340/67890ABC`` → (store, type, id, time); None if not that shape."""
    store, sep, rest = worker_id.partition(":")
    parts = rest.split("/")
    if not sep or len(parts) != 3:
        return None
    try:
        return store, parts[0], parts[1], int(parts[2], 16)
    except ValueError:
        return None


class PbsMonitor:
    """Typed reads of one PBS's health."""

    def __init__(self, client: ProxmoxClient) -> None:
        self.client = client

    def usage(self, store: str) -> Usage:
        data = self.client.get(f"/admin/datastore/{store}/status") or {}
        return Usage(int(data.get("total", 0)), int(data.get("used", 0)))

    def gc(self, store: str) -> GcState:
        data = self.client.get(f"/admin/datastore/{store}/gc") or {}
        endtime = data.get("last-run-endtime")
        return GcState(
            last_run_endtime=int(endtime) if endtime is not None else None,
            last_run_state=data.get("last-run-state"),
            schedule=data.get("schedule"),
        )

    def jobs(self, kind: str) -> list[JobState]:
        params = {"sync-direction": "all"} if kind == "sync" else {}
        out = []
        for item in self.client.get(f"/admin/{kind}", **params) or []:
            endtime, next_run = item.get("last-run-endtime"), item.get("next-run")
            out.append(
                JobState(
                    kind=kind,
                    job_id=str(item["id"]),
                    store=str(item.get("store", "")),
                    schedule=item.get("schedule"),
                    last_run_endtime=int(endtime) if endtime is not None else None,
                    last_run_state=item.get("last-run-state"),
                    next_run=int(next_run) if next_run is not None else None,
                    options=dict(item),
                )
            )
        return out

    def reads_by(self, user: str, store: str, since: int | None = None) -> list[ReadTask]:
        """Snapshots of ``store`` that ``user`` read (reader tasks), newest first."""
        items = self.client.get(
            f"/nodes/{PBS_NODE}/tasks",
            typefilter="reader",
            userfilter=user,
            since=since,
            limit=TASK_LIST_LIMIT,
        )
        out = []
        for item in items or []:
            parsed = parse_reader_id(str(item.get("worker_id") or ""))
            if parsed is None or parsed[0] != store or item.get("user") != user:
                continue
            _, backup_type, backup_id, backup_time = parsed
            out.append(
                ReadTask(
                    store=store,
                    backup_type=backup_type,
                    backup_id=backup_id,
                    backup_time=backup_time,
                    user=user,
                    starttime=int(item.get("starttime", 0)),
                    ok=item.get("endtime") is not None and item.get("status") == "OK",
                )
            )
        return out
