"""Adopting a site that exists already, under the real engine against the lab.

The lab is set up through the PVE and PBS APIs the way the program would set it up
(``lab.scenarios.site.configure``: datastore, retention, verify, the PVE and peer tokens
with their grants, the personal disk, and on the peer its namespace, remote and pull job),
with a backup already in the datastore. ``tappaas import live`` plans (nothing changes), then
adopts the site and the peer stack; their first ``up`` creates and replaces nothing, and a
second ``up`` writes nothing. The adopted tokens get new secrets on that first up, and the
peer really pulls with the new one. An object whose identity differs (a datastore at
another path) blocks the adoption: it would be replaced, so nothing is imported.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lab import Lab
from lab.scenarios.site import configure
from lab.scenarios.site import lab_config as site_lab_config
from tappaas.automation import StackRunner, lab_stacks
from tappaas.cli import app
from tappaas.cli.errors import EXIT_FAILED, EXIT_OK
from tappaas.cli.stack import runner, write_lab_stacks
from tappaas.model import load_stack_file
from tests.conftest import REPO
from tests.providers.harness import lab_client

pytestmark = pytest.mark.engine
cli = CliRunner()
BACKUP_TIME = 1_735_696_804
NOT_ADOPTIONS = {"create", "replace", "create-replacement", "delete-replaced", "delete"}


@pytest.fixture
def lab() -> Iterator[Lab]:
    """A lab with the prod example's nodes and pool disks (configure needs them)."""
    with Lab.start(site_lab_config(load_stack_file(REPO / "Pulumi.prod.yaml"))) as running:
        yield running


def _project(tmp_path: Path, lab: Lab) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.peer.yaml"):
        shutil.copy(REPO / name, project / name)
    lab_file = project / ".lab" / "lab.json"
    lab_file.parent.mkdir()
    lab_file.write_text(json.dumps({"endpoints": [e.to_dict() for e in lab.endpoints()]}))
    write_lab_stacks(lab_file, project, project / ".state")
    return project


def _import_live(project: Path, stack: str, *extra: str) -> tuple[int, str]:
    """Exit code and output (with its line breaks folded, so wrapping does not matter)."""
    result = cli.invoke(
        app,
        ["import", "live", "--stack", stack, "--dir", str(project), "--backend", ".state", *extra],
    )
    assert all(len(line) <= 80 for line in result.output.splitlines()), result.output
    return result.exit_code, " ".join(result.output.split())


def _resources(stack: StackRunner) -> list[str]:
    deployment = stack.stack.export_stack().deployment or {}
    resources = deployment.get("resources") or []
    return [
        r["urn"] for r in resources if r.get("custom") and "::pulumi:providers:" not in r["urn"]
    ]


def test_a_site_set_up_by_api_is_adopted_with_no_create_and_no_replace(
    engine: object, tmp_path: Path, lab: Lab
) -> None:
    project = _project(tmp_path, lab)
    site_model = load_stack_file(project / f"Pulumi.{lab_stacks.SITE_STACK}.yaml")
    peer_model = load_stack_file(project / f"Pulumi.{lab_stacks.PEER_STACK}.yaml")
    configured = configure(lab, site_model, peer_model)
    assert configured.reader_token is not None
    lab.control.seed_snapshot("local", "tappaas_backup", backup_id="340", time=BACKUP_TIME)
    site = runner(lab_stacks.SITE_STACK, project, project / ".state")
    peer = runner(lab_stacks.PEER_STACK, project, project / ".state")

    # The plan reads the live objects (GET only) and changes no state.
    lab.control.clear_requests()
    code, plan = _import_live(project, lab_stacks.SITE_STACK)
    assert code == EXIT_OK, plan
    assert "a plan: nothing changed" in plan
    assert "To adopt (13)" in plan
    assert "datastore (Datastore, holds backups: never replaced) id tappaas_backup" in plan
    assert "comment: live unset, declared 'tappaas home: local backups'" in plan
    assert "the first up regenerates it" in plan
    assert "To create" not in plan and "Blocked" not in plan
    assert [r for r in lab.control.requests() if r.is_write] == []
    assert _resources(site) == []

    code, adopted = _import_live(project, lab_stacks.SITE_STACK, "--yes")
    assert code == EXIT_OK, adopted
    assert "adopted into its state" in adopted
    assert len(_resources(site)) == 13
    assert [r for r in lab.control.requests() if r.is_write] == []

    # The first up changes only the differences: updates, never a create or a replace.
    lab.control.clear_requests()
    site_up = site.up()
    changes = site_up.summary.resource_changes or {}
    assert NOT_ADOPTIONS.isdisjoint(changes), changes
    assert changes.get("update", 0) > 0
    writes = [r for r in lab.control.requests() if r.is_write]
    assert {r.method for r in writes} == {"PUT"}, [(r.method, r.path) for r in writes]
    new_reader = site_up.outputs["offsite_source"].value["token_secret"]
    assert new_reader and new_reader != configured.reader_token[1]  # regenerated

    # The scenario sets up only the peer's side of the copy (datastore, namespaces, remote,
    # pull job, retention): those are adopted; the peer's own local backup is created.
    code, peer_plan = _import_live(project, lab_stacks.PEER_STACK, "--yes")
    assert code == EXIT_OK, peer_plan
    assert "Adopted (6)" in peer_plan and "To create (5)" in peer_plan
    assert "Pending (1)" in peer_plan  # the ACL of a token to be created
    assert "home-pull (SyncJob) id pull-home rate_in: live unset, declared '50MiB'" in peer_plan
    assert "password: cannot be read back; the first up sets it" in peer_plan
    peer_changes = peer.up().summary.resource_changes or {}
    assert peer_changes.get("create") == 6, peer_changes
    assert {"replace", "create-replacement", "delete-replaced", "delete"}.isdisjoint(peer_changes)

    # A second up of each writes nothing.
    lab.control.clear_requests()
    assert set(site.up().summary.resource_changes or {}) == {"same"}
    assert set(peer.up().summary.resource_changes or {}) == {"same"}
    assert [r for r in lab.control.requests() if r.is_write] == []

    # The backup is where it was, and the peer pulls it with the regenerated token.
    local, remote = lab_client(lab.pbs["local"]), lab_client(lab.pbs["peer"])
    kept = local.get("/admin/datastore/tappaas_backup/snapshots")
    assert [(s["backup-id"], s["backup-time"]) for s in kept] == [("340", BACKUP_TIME)]
    remote.wait_for_task(remote.post("/admin/sync/pull-home/run"))
    pulled = lab.control.snapshots("peer", "tappaas_backup", "remote/home")
    assert [s["backup-id"] for s in pulled] == ["340"]


def test_an_object_with_another_identity_blocks_the_adoption(
    engine: object, tmp_path: Path, lab: Lab
) -> None:
    project = _project(tmp_path, lab)
    local = lab_client(lab.pbs["local"])
    local.wait_for_task(
        local.post("/config/datastore", name="tappaas_backup", path="/tankc1/elsewhere")
    )
    lab.control.seed_snapshot("local", "tappaas_backup", backup_id="340", time=BACKUP_TIME)
    site = runner(lab_stacks.SITE_STACK, project, project / ".state")

    code, plan = _import_live(project, lab_stacks.SITE_STACK, "--yes")
    assert code == EXIT_FAILED, plan
    assert "Blocked (1)" in plan
    assert "path: live '/tankc1/elsewhere', declared '/tankc1/tappaas_backup'" in plan
    assert "Nothing adopted" in plan
    assert _resources(site) == []  # nothing imported, the datastore untouched
    assert local.get("/config/datastore/tappaas_backup")["path"] == "/tankc1/elsewhere"
    assert [s["backup-id"] for s in local.get("/admin/datastore/tappaas_backup/snapshots")] == [
        "340"
    ]
