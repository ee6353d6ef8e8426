"""``/nodes/{node}/tasks…``, on both products with each one's list filters and item keys.

Stopping a running ``qmrestore`` ends its restore as failed (``sim.pve.guests``).

A task is looked up by UPID alone; PVE answers for the node named in the path, so asking
another node for a task fails as it does on a cluster ("no such task").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lab.api.routes import Call, RouteTable
from lab.errors import ApiError
from lab.sim.pve.guests import abort_restore
from lab.state.tasks import Task


def _task(call: Call[Any]) -> Task:
    upid = str(call.param("upid"))
    task = call.services.tasks.get(upid)
    node = str(call.param("node"))
    if task is None or (call.services.tasks.product == "pve" and task.node != node):
        if call.services.tasks.product == "pve":
            raise ApiError(500, f"no such task '{upid}'\n")
        raise ApiError(400, f"no such task '{upid}'")
    return task


def _selected(task: Task, call: Call[Any], now: float, pve: bool) -> bool:
    """The list filters: PVE ``API2/Tasks.pm`` (``source`` archive = finished only, exact
    ``typefilter``, ``vmid``), PBS ``api2/node/tasks.rs`` (``running``, ``typefilter``
    contained); both: ``userfilter`` (case-insensitive on PVE), ``since``/``until`` on the
    start time, ``errors`` (not OK)."""
    running = task.running(now)
    if pve:
        source = call.param("source", "archive")
        if (source == "archive" and running) or (source == "active" and not running):
            return False
    elif call.param("running") and not running:
        return False
    typefilter, userfilter = call.param("typefilter"), call.param("userfilter")
    if typefilter and (
        task.worker_type != typefilter if pve else typefilter not in task.worker_type
    ):
        return False
    if userfilter and (
        userfilter.lower() not in task.user.lower() if pve else userfilter not in task.user
    ):
        return False
    if pve and call.param("vmid") is not None and task.worker_id != str(call.param("vmid")):
        return False
    since, until = call.param("since"), call.param("until")
    if (since is not None and task.starttime < since) or (
        until is not None and task.starttime > until
    ):
        return False
    return not (call.param("errors") and not running and task.ok)


def _list_item(task: Task, now: float, pve: bool) -> dict[str, Any]:
    """A list entry: PVE ``type``/``id``, PBS ``worker_type``/``worker_id``; finished tasks
    carry ``endtime`` and ``status`` = the exit status ("OK" or the error)."""
    item: dict[str, Any] = {
        "upid": task.upid,
        "node": task.node,
        "pid": task.pid,
        "pstart": task.pstart,
        "starttime": task.starttime,
        ("type" if pve else "worker_type"): task.worker_type,
        ("id" if pve else "worker_id"): task.worker_id,
        "user": task.user.split("!")[0] if pve else task.user,
    }
    if pve and "!" in task.user:
        item["tokenid"] = task.user.split("!", 1)[1]
    if task.running(now):
        if pve:
            item["status"] = "RUNNING"
    else:
        item["endtime"] = int(task.started + task.duration)
        item["status"] = task.exitstatus
    return item


def register_task_routes(routes: RouteTable, local_node: Callable[[Any], str]) -> None:
    """Add list, status, log and stop of tasks to ``routes``."""

    @routes.route(
        "GET",
        "/nodes/{node}/tasks",
        "node:string limit?:integer start?:integer running?:boolean errors?:boolean "
        "userfilter?:string typefilter?:string vmid?:integer since?:integer until?:integer "
        "source?:string",
    )
    def list_tasks(call: Call[Any]) -> list[dict[str, Any]]:
        now = call.services.clock()
        node = str(call.param("node"))
        pve = call.services.tasks.product == "pve"
        tasks = [
            t
            for t in call.services.tasks.all()
            if (t.node == node or node in ("localhost", local_node(call.state)))
            and _selected(t, call, now, pve)
        ]
        start, limit = int(call.param("start", 0)), int(call.param("limit", 50))
        call.attributes["total"] = len(tasks)
        end = start + limit if limit else None
        return [_list_item(task, now, pve) for task in tasks[start:end]]

    @routes.route("GET", "/nodes/{node}/tasks/{upid}/status", "node:string upid:string")
    def task_status(call: Call[Any]) -> dict[str, Any]:
        return _task(call).status(call.services.clock())

    @routes.route(
        "GET",
        "/nodes/{node}/tasks/{upid}/log",
        "node:string upid:string start?:integer limit?:integer",
    )
    def task_log(call: Call[Any]) -> list[dict[str, Any]]:
        task = _task(call)
        lines = task.log if not task.running(call.services.clock()) else task.log[:-1]
        start, limit = int(call.param("start", 0)), int(call.param("limit", 50))
        call.attributes["total"] = len(lines)
        return [
            {"n": start + i + 1, "t": line} for i, line in enumerate(lines[start : start + limit])
        ]

    @routes.route("DELETE", "/nodes/{node}/tasks/{upid}", "node:string upid:string")
    def stop_task(call: Call[Any]) -> None:
        task = _task(call)
        now = call.services.clock()
        if task.running(now):
            task.duration = now - task.started
            task.exitstatus = "interrupted by signal"
            task.log[-1] = "TASK ERROR: interrupted by signal"
            if task.worker_type == "qmrestore" and task.worker_id.isdigit():
                abort_restore(call.services.world, int(task.worker_id), task.exitstatus)
