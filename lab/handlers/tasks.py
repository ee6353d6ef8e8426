"""``/nodes/{node}/tasks…``, the same shape on both products.

A task is looked up by UPID alone; PVE answers for the node named in the path, so asking
another node for a task fails as it does on a cluster ("no such task").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lab.api.routes import Call, RouteTable
from lab.errors import ApiError
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


def register_task_routes(routes: RouteTable, local_node: Callable[[Any], str]) -> None:
    """Add list, status, log and stop of tasks to ``routes``."""

    @routes.route(
        "GET", "/nodes/{node}/tasks", "node:string limit?:integer start?:integer running?:boolean"
    )
    def list_tasks(call: Call[Any]) -> list[dict[str, Any]]:
        now = call.services.clock()
        node = str(call.param("node"))
        tasks = [
            t
            for t in call.services.tasks.all()
            if (t.node == node or node in ("localhost", local_node(call.state)))
            and (not call.param("running") or t.running(now))
        ]
        start, limit = int(call.param("start", 0)), int(call.param("limit", 50))
        call.attributes["total"] = len(tasks)
        out = []
        for task in tasks[start : start + limit]:
            item = task.status(now)
            if not task.running(now):
                item["endtime"] = int(task.started + task.duration)
            out.append(item)
        return out

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
