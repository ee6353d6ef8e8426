"""Load on the lab: 32 concurrent keep-alive clients; prints requests/s and errors.

The lab runs in its own process (as ``tappaas lab up`` would) and the clients in two
further processes of 16 threads each, every thread with its own ``requests`` session pinned
to the certificate fingerprint, like proxmoxer. The mix is read-heavy with some writes:
PVE ``/version``, ``/cluster/status``, ``/nodes``, ``/cluster/replication``; PBS
``/config/datastore``, snapshot listing, ``PUT /config/datastore/{name}``. Bounded by both
a request count and a time limit. Target on the project's 2-core machine: >= 500 req/s, 0
errors.

Usage: ``python benchmarks/lab_load.py [--clients 32] [--requests 150] [--seconds 60]``
"""

from __future__ import annotations

import argparse
import multiprocessing
import threading
import time
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from lab import Endpoint, Lab, LabConfig

CLIENT_PROCESSES = 2


class _Pinned(HTTPAdapter):
    def __init__(self, fingerprint: str) -> None:
        self._fingerprint = fingerprint.replace(":", "").lower()
        super().__init__(pool_connections=1, pool_maxsize=1)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["assert_fingerprint"] = self._fingerprint
        super().init_poolmanager(*args, **kwargs)


def _serve(ready: Any, stop: Any) -> None:
    with Lab.start(LabConfig(pbs=("local",), task_seconds=0.0)) as lab:
        lab.control.seed_vm(100, "tappaas1")
        pbs = lab.control
        session = requests.Session()
        session.mount("https://", _Pinned(lab.pbs["local"].fingerprint))
        local = lab.pbs["local"]
        auth = {"Authorization": f"PBSAPIToken={local.token_id}:{local.token_secret}"}
        session.post(
            f"{lab.pbs['local'].url}/api2/json/config/datastore",
            data={"name": "bench", "path": "/mnt/bench"},
            headers=auth,
            verify=False,
            timeout=30,
        )
        for day in range(30):
            pbs.seed_snapshot("local", "bench", backup_id="100", time=1_735_689_600 + day * 86_400)
        ready.put([e.to_dict() for e in lab.endpoints()])
        stop.wait()


def _plan(pve: Endpoint, pbs: Endpoint) -> list[tuple[Endpoint, str, str, dict[str, str]]]:
    return [
        (pve, "GET", "/version", {}),
        (pve, "GET", "/cluster/status", {}),
        (pve, "GET", "/nodes", {}),
        (pve, "GET", "/cluster/replication", {}),
        (pbs, "GET", "/config/datastore", {}),
        (pbs, "GET", "/admin/datastore/bench/snapshots", {}),
        (pbs, "PUT", "/config/datastore/bench", {"comment": "bench"}),
        (pve, "GET", "/nodes/tappaas1/qemu/100/config", {}),
    ]


def _client(
    endpoints: list[dict[str, Any]], threads: int, count: int, seconds: float, out: Any
) -> None:
    pve, pbs = (Endpoint.from_dict(e) for e in endpoints)
    plan = _plan(pve, pbs)
    results: list[tuple[int, int]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        sessions = {}
        for endpoint in (pve, pbs):
            session = requests.Session()
            session.mount("https://", _Pinned(endpoint.fingerprint))
            sep = "=" if endpoint.product == "pve" else ":"
            prefix = "PVEAPIToken" if endpoint.product == "pve" else "PBSAPIToken"
            session.headers["Authorization"] = (
                f"{prefix}={endpoint.token_id}{sep}{endpoint.token_secret}"
            )
            sessions[endpoint.name] = session
        done = errors = 0
        for n in range(count):
            if time.monotonic() > deadline:
                break
            endpoint, method, path, data = plan[(index + n) % len(plan)]
            try:
                response = sessions[endpoint.name].request(
                    method,
                    f"{endpoint.url}/api2/json{path}",
                    data=data or None,
                    verify=False,
                    timeout=30,
                )
                errors += response.status_code != 200
            except requests.RequestException:
                errors += 1
            done += 1
        with lock:
            results.append((done, errors))

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    out.put((sum(r[0] for r in results), sum(r[1] for r in results)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=150, help="per client")
    parser.add_argument("--seconds", type=float, default=60.0, help="time limit")
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    ready, stop, out = context.Queue(), context.Event(), context.Queue()
    server = context.Process(target=_serve, args=(ready, stop))
    server.start()
    try:
        endpoints = ready.get(timeout=60)
        per_process = max(1, args.clients // CLIENT_PROCESSES)
        clients = [
            context.Process(
                target=_client, args=(endpoints, per_process, args.requests, args.seconds, out)
            )
            for _ in range(CLIENT_PROCESSES)
        ]
        started = time.monotonic()
        for process in clients:
            process.start()
        totals = [out.get(timeout=args.seconds + 120) for _ in clients]
        elapsed = time.monotonic() - started
        for process in clients:
            process.join()
    finally:
        stop.set()
        server.join(timeout=30)
    done, errors = sum(t[0] for t in totals), sum(t[1] for t in totals)
    print(f"lab_load: {per_process * CLIENT_PROCESSES} clients, {done} requests in {elapsed:.1f} s")
    rate = done / elapsed
    print(f"lab_load: {rate:.0f} requests/s, {errors} errors (target >= 500 requests/s, 0 errors)")


if __name__ == "__main__":
    main()
