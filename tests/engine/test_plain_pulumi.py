"""The whole site under plain ``pulumi``, in a project directory, against the lab.

The engine starts the Python language host, which runs ``__main__.py``; the PVE half runs
through the upstream proxmoxve plugin (ZFS pools, HA resources and rules, cluster options)
and our providers (storage entries, replication, the backup job), verifying the lab's TLS
through its CA (``SSL_CERT_FILE``) where it cannot pin.

up (site, then peer) → the backup job ``up`` created backs the VMs up and the peer pulls
them → a second ``up`` changes nothing, writes nothing and reads each object at most once →
``refresh`` finds nothing → drift made through the API (an HA rule's priorities, a
replication schedule) is repaired by ``up --refresh`` → ``destroy`` refuses protected data,
and after an explicit unprotect keeps the pools and the backups. No secret appears in the
state or in anything the engine printed.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from lab import Lab
from tappaas.automation import Engine, lab_stacks
from tappaas.automation.pulumi_cli import PulumiCommandError
from tests.engine.lab_project import LabProject, lab_project, project_yaml
from tests.providers.harness import lab_client

pytestmark = pytest.mark.engine
UPSTREAM = "proxmoxve:"
DATASTORE = "tappaas_backup"


def _state(project: LabProject, stack: str) -> dict[str, object]:
    exported: dict[str, object] = json.loads(
        project.pulumi.run("stack", "export", "--stack", stack)
    )
    return exported


def _managed(state: dict[str, object]) -> Counter[str]:
    """Managed objects per product: upstream resources, and ours by their endpoint."""
    counts: Counter[str] = Counter()
    resources = state["deployment"]["resources"]
    for resource in resources:
        kind = resource["type"]
        if kind.startswith(UPSTREAM) and not kind.startswith("pulumi:providers"):
            counts["upstream"] += 1
        elif kind.startswith("pulumi-python:dynamic/"):
            counts[resource["inputs"]["endpoint"]["product"]] += 1
    return counts


def test_site_stack_with_the_plugin_under_plain_pulumi(
    engine: Engine, tmp_path: Path, lab_factory: Callable[..., Lab]
) -> None:
    project = lab_project(engine, tmp_path, lab_factory)
    lab, pulumi = project.lab, project.pulumi
    printed: list[str] = []

    printed.append(pulumi.preview(lab_stacks.SITE_STACK))
    printed.append(pulumi.up(lab_stacks.SITE_STACK))
    printed.append(pulumi.up(lab_stacks.PEER_STACK))

    pve = lab_client(lab.pve)
    pools = {p["name"] for p in pve.get("/nodes/tappaas1/disks/zfs")}
    assert pools == {"tanka1", "tankb1"}
    assert {s["storage"] for s in pve.get("/storage")} >= {"tanka1", "tankb1", DATASTORE}
    rule = pve.get("/cluster/ha/rules/tappaas-nextcloud")
    assert sorted(rule["nodes"].split(",")) == ["tappaas1:2", "tappaas2:1"]
    assert {r["sid"] for r in pve.get("/cluster/ha/resources")} == {
        "vm:110", "vm:130", "vm:140", "vm:210", "vm:340", "vm:610",
    }  # fmt: skip
    assert pve.get("/cluster/replication/610-0")["schedule"] == "*/5"
    assert pve.get("/cluster/options")["ha"] == {"shutdown_policy": "migrate"}
    job = pve.get("/cluster/backup/tappaas-daily")
    assert (job["schedule"], job["prune-backups"]) == ("02:00", "keep-all=1")
    storage = pve.get(f"/storage/{DATASTORE}")
    assert storage["port"] == lab.pbs["local"].port and storage["encryption-key"] != "1"
    assert storage["master-pubkey"] == 1  # the escrow is set
    peer_pve = lab_client(lab.clusters[lab_stacks.PEER_CLUSTER])
    assert {p["name"] for p in peer_pve.get("/nodes/tappaas1/disks/zfs")} == {"tankc1"}

    # What `pulumi up` created drives the lab: the daily job backs up, the peer pulls.
    lab.control.run_job("vzdump", "tappaas-daily")
    local = lab.control.snapshots("local", DATASTORE)
    assert len(local) == 7
    assert all("encrypt" in {f["crypt-mode"] for f in s["files"]} for s in local)
    peer_pbs = lab_client(lab.pbs["peer"])
    peer_pbs.wait_for_task(peer_pbs.post("/admin/sync/pull-home/run"))
    assert len(lab.control.snapshots("peer", DATASTORE, "remote/home")) == 7

    # A second up: nothing to do, no write, at most one read per managed object.
    lab.control.clear_requests()
    printed.append(pulumi.up(lab_stacks.SITE_STACK, extra=["--expect-no-changes"]))
    records = lab.control.requests()
    assert [f"{r.method} {r.path}" for r in records if r.is_write] == []
    reads = Counter(r.instance for r in records)
    managed = _managed(_state(project, lab_stacks.SITE_STACK))
    # Ours read their object once; the program reads each pool (and its node's lists) and the
    # HA lists, to adopt what an interrupted up may have left (providers/upstream_adoption).
    assert reads["pve"] <= managed["pve"] + managed["upstream"], (reads, managed)
    assert reads["local"] <= managed["pbs"], (reads, managed)

    printed.append(pulumi.refresh(lab_stacks.SITE_STACK, extra=["--expect-no-changes"]))

    # Drift behind Pulumi's back, on an upstream object and on one of ours.
    pve.put(
        "/cluster/ha/rules/tappaas-firewall", type="node-affinity", nodes="tappaas1:1,tappaas2:5"
    )
    pve.put("/cluster/replication/110-0", schedule="*/30")
    lab.control.clear_requests()
    printed.append(pulumi.up(lab_stacks.SITE_STACK, extra=["--refresh"]))
    repaired = {r.path for r in lab.control.requests() if r.is_write}
    assert repaired == {"/cluster/ha/rules/tappaas-firewall", "/cluster/replication/110-0"}
    assert sorted(pve.get("/cluster/ha/rules/tappaas-firewall")["nodes"].split(",")) == [
        "tappaas1:2", "tappaas2:1",
    ]  # fmt: skip
    assert pve.get("/cluster/replication/110-0")["schedule"] == "*/15"

    # No secret in the state or in what the engine printed.
    offsite = pulumi.outputs(lab_stacks.SITE_STACK, show_secrets=True)["offsite_source"]
    key_text = pulumi.run(
        "config", "get", "--stack", lab_stacks.SITE_STACK, lab_stacks.ENCRYPTION_KEY
    )
    key_data = json.loads(key_text)["data"]
    secrets = [
        lab.pve.token_secret,
        lab.pbs["local"].token_secret,
        offsite["token_secret"],
        key_data,
    ]
    state_text = json.dumps(_state(project, lab_stacks.SITE_STACK))
    logs = "\n".join(printed)
    for secret in secrets:
        assert secret not in state_text
        assert secret not in logs

    # destroy: protected data refuses; after an explicit unprotect, data stays.
    with pytest.raises(PulumiCommandError, match="protected"):
        pulumi.destroy(lab_stacks.SITE_STACK)
    pulumi.run("state", "unprotect", "--all", "--yes", "--stack", lab_stacks.SITE_STACK)
    pulumi.destroy(lab_stacks.SITE_STACK)
    assert {p["name"] for p in pve.get("/nodes/tappaas1/disks/zfs")} == {"tanka1", "tankb1"}
    local_pbs = lab_client(lab.pbs["local"])
    local_pbs.wait_for_task(
        local_pbs.post(
            "/config/datastore", name=DATASTORE, path=f"/tankc1/{DATASTORE}",
            **{"reuse-datastore": True},
        )
    )  # fmt: skip
    assert len(local_pbs.get(f"/admin/datastore/{DATASTORE}/snapshots")) == 7


def test_a_policy_error_fails_plain_preview_before_any_request(
    engine: Engine, tmp_path: Path, lab_factory: Callable[..., Lab]
) -> None:
    project = lab_project(engine, tmp_path, lab_factory)
    stack_file = project.stack_file(lab_stacks.SITE_STACK)
    document = yaml.safe_load(stack_file.read_text())
    del document["config"]["tappaas:site"]["remote"]  # no off-site copy: 3-2-1 broken
    stack_file.write_text(yaml.safe_dump(document))
    project.lab.control.clear_requests()
    with pytest.raises(PulumiCommandError) as failed:
        project.pulumi.preview(lab_stacks.SITE_STACK)
    assert "[321-offsite] services.nextcloud" in failed.value.output
    assert project.lab.control.requests() == []


def test_pulumi_stack_init_in_a_fresh_directory(engine: Engine, tmp_path: Path) -> None:
    """`pulumi stack init` works offline with a local file backend and a passphrase."""
    directory = tmp_path / "fresh"
    directory.mkdir()
    project_yaml(directory)
    backend = tmp_path / "state"
    backend.mkdir()
    env = engine.offline_env(backend, passphrase="test-only")
    completed = subprocess.run(
        [str(engine.pulumi), "stack", "init", "scratch"],
        cwd=directory,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert (backend / ".pulumi" / "stacks" / "tappaas" / "scratch.json").exists()
