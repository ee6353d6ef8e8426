"""PBS ``/version``, ``/nodes/{node}/status`` (with the certificate fingerprint) and tasks.

PBS answers for its one node whatever name the path uses (``localhost`` by convention).
``/version`` splits the package version as PBS does (proxmox-backup ``pbs-buildcfg/src/lib.rs``:
``version`` is major.minor, ``release`` the patch level): 4.2.3 answers ``4.2`` and ``3``.
"""

from __future__ import annotations

from typing import Any

from lab.api.routes import Call, RouteTable
from lab.handlers.tasks import register_task_routes
from lab.state.pbs import PbsServer

ROUTES = RouteTable()
PbsCall = Call[PbsServer]
PBS_REPOID = "5c1b4d8a3f0e"
GIB = 1024**3


@ROUTES.route("GET", "/version")
def version(call: PbsCall) -> dict[str, str]:
    """Package version (major.minor), release (patch level) and repository id."""
    major_minor, _, patch = call.state.version.rpartition(".")
    return {"version": major_minor, "release": patch, "repoid": PBS_REPOID}


@ROUTES.route("GET", "/nodes/{node}/status", "node:string")
def node_status(call: PbsCall) -> dict[str, Any]:
    """Resource usage and ``info.fingerprint`` of the served certificate."""
    return {
        "memory": {"total": 32 * GIB, "used": 4 * GIB, "free": 28 * GIB},
        "swap": {"total": 0, "used": 0, "free": 0},
        "root": {"total": 100 * GIB, "used": 10 * GIB, "avail": 90 * GIB},
        "uptime": 86400,
        "loadavg": [0.1, 0.1, 0.1],
        "kversion": "Linux 6.14.8-2-pve #1 SMP PREEMPT_DYNAMIC",
        "cpuinfo": {"model": "TAPPaaS lab CPU", "sockets": 1, "cpus": 4},
        "cpu": 0.01,
        "wait": 0.0,
        "info": {"fingerprint": call.state.fingerprint},
        "boot-info": {"mode": "efi", "secureboot": False},
        "current-kernel": {
            "sysname": "Linux",
            "release": "6.14.8-2-pve",
            "version": "#1 SMP PREEMPT_DYNAMIC",
            "machine": "x86_64",
        },
    }


register_task_routes(ROUTES, lambda state: state.hostname)
