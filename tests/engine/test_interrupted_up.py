"""An interrupted ``pulumi up`` recovers with the README's three commands, at any point.

For each cut point, on a fresh lab and state: ``pulumi up`` of the site stack, then of the
peer stack (the site's backup job runs in between, so the site has snapshots when the peer's
up starts), one of them SIGKILLed — the engine and every process it started, as a power cut
would — right after its k-th create, or in the middle of a datastore create task. Then the
README's recovery runs (``RECOVERY``), and:

- the stack converges: a second ``up`` has no changes and writes nothing;
- no object exists twice and none is missing: the servers hold exactly what an uninterrupted
  run makes (``inventory``, compared with the reference run);
- no backup snapshot was lost: the site's 7 are still there and the peer pulls all 7;
- no secret appears in the state or in anything a command printed, and nothing printed is a
  Python traceback.

Another run restarts the lab in the middle of an ``up`` (connection refused, then the same
ports and state again), then recovers the same way.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from lab import Lab
from tappaas.automation import Engine, lab_stacks
from tests.conftest import REPO
from tests.engine.lab_project import LabProject, lab_project
from tests.fixtures.lab import lab_config
from tests.providers.harness import lab_client

pytestmark = pytest.mark.engine

RECOVERY: tuple[tuple[str, ...], ...] = (
    ("cancel", "--yes"),
    ("refresh", "--clear-pending-creates", "--yes", "--skip-preview"),
    ("up", "--yes", "--skip-preview"),
)
"""The README's recovery after an interrupted ``up`` (each with ``--stack <stack>``)."""
SITE, PEER = lab_stacks.SITE_STACK, lab_stacks.PEER_STACK
DATASTORE = "tappaas_backup"
SNAPSHOTS = 7  # one per VM of the prod example
CREATED = re.compile(r"^ \+ +(proxmoxve:(?!providers)|pulumi-python:dynamic/)\S+ \S+ created \(")
TRACEBACK = "Traceback (most recent call last)"


@dataclass(frozen=True)
class Cut:
    """Where to kill: in ``stack``'s up, after its ``after``-th create, or when a create of
    ``during`` starts (with lab tasks that take ``task_seconds``)."""

    stack: str
    after: int | None = None
    during: str | None = None
    task_seconds: float = 0.0

    @property
    def name(self) -> str:
        point = f"after-{self.after}" if self.after is not None else f"during-{self.during}"
        return f"{self.stack}-{point}"


SITE_CREATES, PEER_CREATES = 43, 20
"""Creates in an uninterrupted up of each stack (checked by ``reference``)."""
# The site's first, middle and last create (pools pending; jobs, tokens and ACLs pending; the
# outputs not yet written), the middle of the peer's (its remote, pull job and tokens), and
# the middle of a task (the local datastore's create, with lab tasks that take 1 s).
CUTS = [
    Cut(SITE, after=1),
    Cut(SITE, after=SITE_CREATES // 2),
    Cut(SITE, after=SITE_CREATES),
    Cut(PEER, after=PEER_CREATES // 2),
    Cut(SITE, during="pbs:Datastore datastore", task_seconds=1.0),
]


@dataclass
class Run:
    """Everything the commands of one run printed, and the lab it ran against."""

    project: LabProject
    lab: Lab
    printed: list[str] = field(default_factory=list)

    def pulumi(self, *args: str) -> str:
        output = self.project.pulumi.run(*args)
        self.printed.append(output)
        return output

    def recover(self, stack: str) -> None:
        for step in RECOVERY:
            self.pulumi(*step, "--stack", stack)

    def up(self, stack: str) -> None:
        self.printed.append(self.project.pulumi.up(stack))

    def up_until(self, stack: str, stop: Callable[[str, int], bool]) -> bool:
        """``pulumi up``, SIGKILLed with every process it started as soon as ``stop(line,
        creates so far)``; whether it was killed."""
        process = subprocess.Popen(
            [str(self.project.pulumi.engine.pulumi), "up", "--stack", stack, "--yes",
             "--skip-preview"],
            cwd=self.project.directory,
            env=self.project.pulumi.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        assert process.stdout is not None
        lines, creates, killed = [], 0, False
        for line in process.stdout:
            lines.append(line)
            creates += bool(CREATED.match(line))
            if stop(line, creates):
                killed = _power_cut(process.pid)
                break
        process.wait()
        self.printed.append("".join(lines))
        return killed

    def state(self, stack: str) -> str:
        """The stack's checkpoint as the file backend holds it (secrets encrypted)."""
        backend = self.project.pulumi.backend_dir
        assert backend is not None
        return (backend / ".pulumi" / "stacks" / "tappaas" / f"{stack}.json").read_text()


def _power_cut(pid: int) -> bool:
    """SIGKILL the engine and every process it started (its plugins run in process groups of
    their own), as a power cut would; False if the engine had already ended."""
    try:
        os.kill(pid, signal.SIGSTOP)  # no new plugin starts while we list the tree
    except ProcessLookupError:
        return False
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, ppid in parents.items() if ppid == parent]
        tree.update(children)
        frontier.extend(children)
    for member in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(member, signal.SIGKILL)
    return True


def _task_started(lab: Lab, kind: str, worker_id: str, wait: float = 10.0) -> list[str]:
    """Once the local PBS runs a ``kind`` task for ``worker_id`` (polled), its UPID while it
    is still running; nothing if it was over before we looked."""
    pbs = lab_client(lab.pbs["local"])
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        tasks = pbs.get("/nodes/localhost/tasks", limit=500)
        mine = [t for t in tasks if (t["type"], t["id"]) == (kind, worker_id)]
        if mine:
            return [t["upid"] for t in mine if t["status"] == "running"]
        time.sleep(0.02)
    return []


def _backups_run(lab: Lab) -> None:
    """The site's daily job (created by ``up``) backs up every VM."""
    lab.control.run_job("vzdump", "tappaas-daily")


def _peer_pulls(lab: Lab) -> None:
    peer = lab_client(lab.pbs["peer"])
    peer.wait_for_task(peer.post("/admin/sync/pull-home/run"))


def inventory(lab: Lab) -> dict[str, list[Any]]:
    """Every object the stacks manage, as the servers list them (ids, sorted, duplicates
    kept), on the site's and the peer's clusters and PBSs."""
    found: dict[str, list[Any]] = {}
    clusters = {"site": lab.pve, "peer": lab.clusters[lab_stacks.PEER_CLUSTER]}
    for side, endpoint in clusters.items():
        pve = lab_client(endpoint)
        found[f"{side} storage"] = sorted(s["storage"] for s in pve.get("/storage"))
        found[f"{side} replication"] = sorted(j["id"] for j in pve.get("/cluster/replication"))
        found[f"{side} backup jobs"] = sorted(j["id"] for j in pve.get("/cluster/backup"))
        found[f"{side} ha"] = sorted(r["sid"] for r in pve.get("/cluster/ha/resources"))
        found[f"{side} rules"] = sorted(r["rule"] for r in pve.get("/cluster/ha/rules"))
        found[f"{side} pools"] = sorted(
            f"{n['node']}/{p['name']}"
            for n in pve.get("/nodes")
            for p in pve.get(f"/nodes/{n['node']}/disks/zfs")
        )
    for name in ("local", "peer"):
        pbs = lab_client(lab.pbs[name])
        stores = pbs.get("/config/datastore")
        found[f"{name} datastores"] = sorted(f"{d['name']}:{d['path']}" for d in stores)
        found[f"{name} namespaces"] = sorted(
            f"{d['name']}:{ns['ns']}"
            for d in stores
            for ns in pbs.get(f"/admin/datastore/{d['name']}/namespace")
            if ns["ns"]
        )
        users = pbs.get("/access/users", include_tokens=True)
        found[f"{name} users"] = sorted(u["userid"] for u in users)
        found[f"{name} tokens"] = sorted(t["tokenid"] for u in users for t in u.get("tokens", []))
        found[f"{name} acl"] = sorted(
            f"{e['path']}|{e['ugid']}|{e['roleid']}|{e['propagate']}"
            for e in pbs.get("/access/acl")
        )
        found[f"{name} remotes"] = sorted(r["name"] for r in pbs.get("/config/remote"))
        for kind in ("sync", "prune", "verify"):
            params = {"sync-direction": "all"} if kind == "sync" else {}
            found[f"{name} {kind}"] = sorted(j["id"] for j in pbs.get(f"/config/{kind}", **params))
    return found


def _secrets(run: Run) -> list[str]:
    """The lab's credentials, the tokens the stacks minted and the backup key."""
    lab, pulumi = run.lab, run.project.pulumi
    offsite = pulumi.outputs(SITE, show_secrets=True)["offsite_source"]
    key = json.loads(pulumi.run("config", "get", "--stack", SITE, lab_stacks.ENCRYPTION_KEY))
    return [
        lab.pve.token_secret,
        lab.pbs["local"].token_secret,
        lab.pbs["peer"].token_secret,
        offsite["token_secret"],
        key["data"],
    ]


def assert_recovered(run: Run, reference: dict[str, list[Any]], stacks: tuple[str, ...]) -> None:
    """Converged, nothing twice or missing, no snapshot lost, no secret or traceback shown."""
    lab = run.lab
    for stack in stacks:
        lab.control.clear_requests()
        run.pulumi("up", "--yes", "--skip-preview", "--expect-no-changes", "--stack", stack)
        writes = [f"{r.method} {r.path}" for r in lab.control.requests() if r.is_write]
        assert writes == [], (stack, writes)
    assert inventory(lab) == reference
    _peer_pulls(lab)
    assert len(lab.control.snapshots("local", DATASTORE)) == SNAPSHOTS
    assert len(lab.control.snapshots("peer", DATASTORE, "remote/home")) == SNAPSHOTS
    states = run.state(SITE) + run.state(PEER)
    printed = "\n".join(run.printed)
    for secret in _secrets(run):
        assert secret not in states
        assert secret not in printed
    assert TRACEBACK not in printed


@pytest.fixture(scope="module")
def reference(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Any]]:
    """What an uninterrupted run leaves on the servers (and how many creates each up has)."""
    labs: list[Lab] = []

    def start(**overrides: Any) -> Lab:
        labs.append(Lab.start(lab_config(**overrides)))
        return labs[-1]

    try:
        run = Run(lab_project(engine, tmp_path_factory.mktemp("reference"), start), labs[0])
        run.up(SITE)
        _backups_run(run.lab)
        run.up(PEER)
        creates = {stack: 0 for stack in (SITE, PEER)}
        for output, stack in zip(run.printed, (SITE, PEER), strict=True):
            creates[stack] = sum(bool(CREATED.match(line)) for line in output.splitlines())
        assert creates == {SITE: SITE_CREATES, PEER: PEER_CREATES}, creates
        return inventory(run.lab)
    finally:
        for lab in labs:
            lab.stop()


@pytest.mark.parametrize("cut", CUTS, ids=lambda cut: cut.name)
def test_an_up_killed_at_a_cut_point_recovers_with_the_readme_commands(
    engine: Engine,
    tmp_path: Path,
    lab_factory: Callable[..., Lab],
    reference: dict[str, list[Any]],
    cut: Cut,
) -> None:
    project = lab_project(engine, tmp_path, lab_factory, task_seconds=cut.task_seconds)
    run = Run(project, project.lab)

    running_tasks: list[str] = []

    def stop(line: str, creates: int) -> bool:
        if cut.during is None:
            return creates >= (cut.after or 0)
        if f"{cut.during} creating" not in line:
            return False
        running_tasks.extend(_task_started(run.lab, "create-datastore", DATASTORE))
        return True

    for stack in (SITE, PEER):
        if stack == cut.stack:
            assert run.up_until(stack, stop), f"{cut.name}: the up ended before the cut"
            run.recover(stack)
        else:
            run.up(stack)
        if stack == SITE:
            _backups_run(run.lab)
            assert len(run.lab.control.snapshots("local", DATASTORE)) == SNAPSHOTS
    assert running_tasks or cut.during is None, "the cut came while the task was running"
    assert_recovered(run, reference, (cut.stack,))


def test_an_up_through_a_lab_restart_recovers_with_the_readme_commands(
    engine: Engine,
    tmp_path: Path,
    lab_factory: Callable[..., Lab],
    reference: dict[str, list[Any]],
) -> None:
    """The peer's up runs on while every server of the lab goes away (connections reset and
    refused: the plugin's calls in the gap fail, ours retry) and comes back 2 s later on the
    same ports with the state it had saved, the site's backups included; then the README's
    recovery."""
    state_file = tmp_path / "lab-state.pickle"
    project = lab_project(engine, tmp_path, lab_factory, state_file=state_file)
    run = Run(project, project.lab)
    run.up(SITE)
    _backups_run(run.lab)
    restarted_at: list[int] = []
    last_create = [0]

    def restart(line: str, creates: int) -> bool:
        last_create[0] = creates
        if not restarted_at and creates >= PEER_CREATES // 2:
            restarted_at.append(creates)
            run.lab.stop()  # answered writes are saved; nothing is answered from now on
            time.sleep(2.0)
            run.lab = lab_factory(clusters=project.lab.config.clusters, state_file=state_file)
        return False

    assert not run.up_until(PEER, restart)
    assert restarted_at and run.lab is not project.lab
    assert last_create[0] > restarted_at[0], "the up went on against the restarted lab"
    run.recover(PEER)
    assert_recovered(run, reference, (PEER,))


def test_the_readme_gives_exactly_the_recovery_the_tests_run() -> None:
    readme = (REPO / "README.md").read_text()
    block = re.search(r"## An interrupted `pulumi up`.*?```sh\n(.*?)```", readme, re.S)
    assert block is not None, "README section 'An interrupted `pulumi up`' with a sh block"
    commands = [line.split("#")[0].split() for line in block.group(1).splitlines()]
    assert [c for c in commands if c] == [
        ["pulumi", *step, "--stack", "<stack>"] for step in RECOVERY
    ]
    assert len(RECOVERY) <= 3
