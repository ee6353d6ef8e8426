"""Adopting a site upstream TAPPaaS's scripts set up, under the real engine against the lab.

The lab's PVE side is set up through the API as upstream's scripts do it
(``lab.scenarios.upstream_site``: pools registered as storage without a node list, HA
resources with rules ``ha-<module>``, replication ``<vmid>-0``, a PBS storage entry logging
in as ``tappaas@pbs`` without an encryption key, and one vzdump job with a generated id that
has already backed the VMs up); its PBS side and the peer's copy as the program would. With
the stack as ``lab-files`` wrote it, upstream's rules and job stand in the way (PVE refuses a
VM in two node-affinity rules; two jobs would back everything up twice) and nothing is
adopted. With ``services.<name>.ha.rule`` and ``backup.job_id`` naming them, ``tappaas import
live`` plans (nothing changes), then adopts; plain ``pulumi up`` creates and replaces
nothing, and a second ``up`` writes nothing. The adopted job then writes encrypted backups
with PVE's least-privilege token into the groups upstream's job started (handed over), and
the peer, adopted too, pulls them with the regenerated token. A datastore at another path
blocks the adoption: it would be replaced, so nothing is imported.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from lab import Lab
from lab.scenarios.upstream_site import configure_as_upstream, upstream_rule
from tappaas.automation import Engine, lab_stacks
from tappaas.automation.adoption_pve import POOL_NOTE
from tappaas.cli import app
from tappaas.cli.errors import EXIT_FAILED, EXIT_OK
from tappaas.model import SiteConfig, load_stack_file
from tests.engine.lab_project import LabProject, lab_project
from tests.providers.harness import lab_client

pytestmark = pytest.mark.engine
cli = CliRunner()
DATASTORE = "tappaas_backup"
PVE_TOKEN = "tappaas-pve@pbs!backup"
NOT_ADOPTIONS = {"create", "replace", "create-replacement", "delete-replaced", "delete"}


def _import_live(project: LabProject, stack: str, *extra: str) -> tuple[int, str]:
    """Exit code and output (line breaks folded, so wrapping does not matter)."""
    result = cli.invoke(
        app,
        ["import", "live", stack, "--dir", str(project.directory), "--backend", ".state", *extra],
    )
    said = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert all(len(line) <= 80 for line in result.stdout.splitlines()), result.stdout
    assert result.exception is None or isinstance(result.exception, SystemExit), said
    return result.exit_code, " ".join(said.split())


def _state(project: LabProject, stack: str) -> list[dict[str, object]]:
    """The custom resources in the stack's state (providers aside)."""
    exported = json.loads(project.pulumi.run("stack", "export", "--stack", stack))
    resources = exported["deployment"].get("resources") or []
    return [
        r
        for r in resources
        if r.get("custom") and not str(r["type"]).startswith("pulumi:providers:")
    ]


def _last_changes(project: LabProject, stack: str) -> Counter[str]:
    """What the stack's last update did, by operation (``pulumi stack history``)."""
    history = json.loads(project.pulumi.run("stack", "history", "--json", "--stack", stack))
    return Counter(history[0]["resourceChanges"])


def _writes(lab: Lab) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in lab.control.requests() if r.is_write]


def _take_over(project: LabProject, site: SiteConfig, job_id: str) -> None:
    """Name upstream's rules (as ``tappaas import tappaas`` does) and its vzdump job (the id
    the report named) in the stack file, which keeps its header and encrypted secrets."""
    path = project.stack_file(lab_stacks.SITE_STACK)
    text = path.read_text()
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    document = yaml.safe_load(text)
    raw = document["config"][f"{lab_stacks.PROJECT}:site"]
    for name, service in site.services.items():
        if service.ha.enabled:
            raw["services"][name].setdefault("ha", {})["rule"] = upstream_rule(name)
    raw["backup"]["job_id"] = job_id
    path.write_text(header + yaml.safe_dump(document, sort_keys=False))


def test_a_site_upstreams_scripts_set_up_is_adopted_with_no_create_and_no_replace(
    engine: Engine, tmp_path: Path, lab_factory: Callable[..., Lab]
) -> None:
    project = lab_project(engine, tmp_path, lab_factory)
    lab, site = project.lab, project.site
    peer = load_stack_file(project.stack_file(lab_stacks.PEER_STACK))
    configure_as_upstream(lab, site, peer)
    pve, local = lab_client(lab.pve), lab_client(lab.pbs["local"])
    (job,) = pve.get("/cluster/backup")
    job_id = str(job["id"])
    lab.control.run_job("vzdump", job_id)  # upstream's job has backed the VMs up
    upstream_backups = lab.control.snapshots("local", DATASTORE)
    assert upstream_backups and all(
        "encrypt" not in {f["crypt-mode"] for f in s["files"]} for s in upstream_backups
    )

    # As lab-files wrote the stack, upstream's rules and job stand where it would create its
    # own: nothing is adopted, and the report says which key takes each over.
    lab.control.clear_requests()
    code, plan = _import_live(project, lab_stacks.SITE_STACK)
    assert code == EXIT_FAILED, plan
    ha_services = [name for name, s in site.services.items() if s.ha.enabled]
    assert f"In the way ({len(ha_services) + 1})" in plan
    assert "take it over with services.nextcloud.ha.rule: ha-nextcloud" in plan
    assert f"take it over with backup.job_id: {job_id}" in plan
    assert "Nothing adopted" in plan
    assert _writes(lab) == []

    # With the keys naming them, everything the stack declares exists: a plan first.
    _take_over(project, site, job_id)
    code, plan = _import_live(project, lab_stacks.SITE_STACK)
    assert code == EXIT_OK, plan
    assert "a plan: nothing changed" in plan
    to_adopt = int(re.findall(r"To adopt \((\d+)\)", plan)[0])
    for absent in ("To create", "Blocked", "In the way", "Pending", "Unreadable"):
        assert absent not in plan
    assert f"tanka1-tappaas1 (Zfs, holds data: never replaced) id tappaas1/tanka1 {POOL_NOTE}" in (
        plan
    )
    assert "datastore (Datastore, holds data: never replaced) id tappaas_backup" in plan
    assert "username: live 'tappaas@pbs', declared 'tappaas-pve@pbs!backup'" in plan
    assert f"daily (BackupJob) id {job_id} schedule: live '21:00', declared '02:00'" in plan
    assert f"owner: live 'tappaas@pbs', declared '{PVE_TOKEN}'" in plan
    assert "nodes: live unset, declared ('tappaas1', 'tappaas2', 'tappaas3')" in plan
    assert "nextcloud-affinity (Harule) id ha-nextcloud comment: live unset" in plan
    assert "the first up regenerates it" in plan
    (first_up,) = re.findall(r"The first up, after the adoption: ([^.]*)\.", plan)
    assert not NOT_ADOPTIONS & set(re.findall(r"\d+ ([a-z-]+)", first_up)), first_up
    assert _writes(lab) == []
    assert _state(project, lab_stacks.SITE_STACK) == []

    code, adopted = _import_live(project, lab_stacks.SITE_STACK, "--yes")
    assert code == EXIT_OK, adopted
    assert "adopted into its state" in adopted
    assert len(_state(project, lab_stacks.SITE_STACK)) == to_adopt
    assert _writes(lab) == []
    exported = project.pulumi.run("stack", "export", "--stack", lab_stacks.SITE_STACK)
    assert lab.pve.token_secret not in exported + adopted  # the provider's token: encrypted

    # The first up changes the differences in place: no create, no replace, no delete (the
    # only POSTs hand upstream's backup groups to PVE's token).
    project.pulumi.up(lab_stacks.SITE_STACK)
    changes = _last_changes(project, lab_stacks.SITE_STACK)
    assert NOT_ADOPTIONS.isdisjoint(changes) and changes["update"] > 0, changes
    assert f"{changes['update']} update" in first_up, (changes, first_up)
    others = [(method, path) for method, path in _writes(lab) if method != "PUT"]
    assert {path.rsplit("/", 1)[-1] for _, path in others} == {"change-owner"}, others
    assert sorted(r["rule"] for r in pve.get("/cluster/ha/rules")) == sorted(
        upstream_rule(name) for name in ha_services
    )
    assert [j["id"] for j in pve.get("/cluster/backup")] == [job_id]

    # A second up writes nothing.
    lab.control.clear_requests()
    project.pulumi.up(lab_stacks.SITE_STACK, extra=["--expect-no-changes"])
    assert _writes(lab) == []

    # The adopted job writes encrypted backups with PVE's token, beside upstream's ones,
    # into the groups upstream's job started (handed over to that token).
    lab.control.run_job("vzdump", job_id)
    backups = lab.control.snapshots("local", DATASTORE)
    assert backups[: len(upstream_backups)] == upstream_backups or {
        (s["backup-id"], s["backup-time"]) for s in upstream_backups
    } <= {(s["backup-id"], s["backup-time"]) for s in backups}
    encrypted = [s for s in backups if "encrypt" in {f["crypt-mode"] for f in s["files"]}]
    assert len(encrypted) == len(upstream_backups) == len(backups) - len(encrypted)
    owners = {g["owner"] for g in local.get(f"/admin/datastore/{DATASTORE}/groups")}
    assert owners == {PVE_TOKEN}

    # The peer's copy (namespace, remote, pull job) is adopted, its own cluster and local
    # backup created; it pulls with the token the site's up regenerated: only the encrypted
    # backups (encrypted-only), every one of them.
    code, peer_plan = _import_live(project, lab_stacks.PEER_STACK, "--yes")
    assert code == EXIT_OK, peer_plan
    assert "To create" in peer_plan and "Blocked" not in peer_plan
    project.pulumi.up(lab_stacks.PEER_STACK)
    peer_changes = _last_changes(project, lab_stacks.PEER_STACK)
    assert {"replace", "create-replacement", "delete-replaced", "delete"}.isdisjoint(
        peer_changes
    ), peer_changes
    remote = lab_client(lab.pbs["peer"])
    remote.wait_for_task(remote.post(f"/admin/sync/pull-{site.name}/run"))
    pulled = lab.control.snapshots("peer", DATASTORE, f"remote/{site.name}")
    assert sorted(s["backup-time"] for s in pulled) == sorted(s["backup-time"] for s in encrypted)


def test_an_object_with_another_identity_blocks_the_adoption(
    engine: Engine, tmp_path: Path, lab_factory: Callable[..., Lab]
) -> None:
    project = lab_project(engine, tmp_path, lab_factory)
    lab = project.lab
    local = lab_client(lab.pbs["local"])
    local.wait_for_task(local.post("/config/datastore", name=DATASTORE, path="/tankc1/elsewhere"))
    lab.control.seed_snapshot("local", DATASTORE, backup_id="340", time=1_735_696_804)

    lab.control.clear_requests()
    code, plan = _import_live(project, lab_stacks.SITE_STACK, "--yes")
    assert code == EXIT_FAILED, plan
    assert "Blocked (1)" in plan
    assert "datastore (Datastore, holds data: never replaced)" in plan
    assert "path: live '/tankc1/elsewhere', declared '/tankc1/tappaas_backup'" in plan
    assert "Nothing adopted" in plan
    assert _state(project, lab_stacks.SITE_STACK) == []  # nothing imported
    assert _writes(lab) == []
    assert local.get(f"/config/datastore/{DATASTORE}")["path"] == "/tankc1/elsewhere"
    assert [s["backup-id"] for s in local.get(f"/admin/datastore/{DATASTORE}/snapshots")] == ["340"]
