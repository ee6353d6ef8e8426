"""The lab stacks under the real engine: the PBS side of the site and the peer, wired.

up (site, then peer: it pulls with the site's exported read-only token) → a second up
changes nothing and writes nothing → a policy error fails preview with the finding →
destroy refuses protected data, and after an explicit unprotect still keeps every snapshot.
"""

from __future__ import annotations

import copy
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from pulumi.automation.errors import CommandError

from lab import Lab
from tappaas.automation import Engine, StackRunner, lab_stacks
from tappaas.cli.stack import runner
from tests.engine.programs import lab_project
from tests.providers.harness import lab_client

pytestmark = pytest.mark.engine


def _unprotect_all(engine: Engine, stack: StackRunner) -> None:
    """What a user types to let go of protected resources: ``pulumi state unprotect --all``."""
    subprocess.run(
        [str(engine.pulumi), "state", "unprotect", "--all", "--yes", "--stack", stack.stack_name],
        cwd=stack.project_dir,
        env={**os.environ, **stack.env},
        check=True,
        capture_output=True,
    )


def test_site_and_peer_on_the_lab(
    engine: Engine, tmp_path: Path, lab_factory: Callable[..., Lab]
) -> None:
    lab = lab_factory()
    project, backend = lab_project(tmp_path, lab)
    site = runner(lab_stacks.SITE_STACK, project, backend)
    peer = runner(lab_stacks.PEER_STACK, project, backend)

    site_up = site.up()
    assert site_up.outputs["offsite_source"].secret is True
    assert "3-2-1 met" in site_up.outputs["summary"].value["nextcloud"]
    peer_up = peer.up()
    assert peer_up.outputs["guests"].value["home"]["namespace"] == "remote/home"

    local, remote = lab_client(lab.pbs["local"]), lab_client(lab.pbs["peer"])
    job = remote.get("/config/sync/pull-home")
    assert (job["remote"], job["ns"], job["encrypted-only"]) == ("home", "remote/home", True)
    assert job["remove-vanished"] is False
    pulled_with = remote.get("/config/remote/home")["auth-id"]
    assert pulled_with == "tappaas-peer@pbs!pull"
    grants = {(a["ugid"], a["roleid"]) for a in local.get("/access/acl")}
    assert (pulled_with, "DatastoreReader") in grants
    assert ("tappaas-pve@pbs!backup", "DatastoreBackup") in grants
    assert {
        ("tappaas-peer@pbs", "DatastoreReader"),
        ("tappaas-pve@pbs", "DatastoreBackup"),
    } <= grants

    lab.control.clear_requests()
    assert site.up().summary.resource_changes == {
        "same": site_up.summary.resource_changes["create"]
    }
    assert set(peer.up().summary.resource_changes or {}) == {"same"}
    assert [r for r in lab.control.requests() if r.is_write] == []

    # The wiring works with least privilege: the peer pulls with the token the site made.
    lab.control.seed_snapshot("local", "tappaas_backup", backup_id="340", time=1_735_696_804)
    remote.wait_for_task(remote.post("/admin/sync/pull-home/run"))
    pulled = lab.control.snapshots("peer", "tappaas_backup", "remote/home")
    assert [(s["backup-id"], s["backup-time"]) for s in pulled] == [("340", 1_735_696_804)]
    for stack in (site, peer):
        with pytest.raises(CommandError, match="protected"):
            stack.destroy()

    _unprotect_all(engine, site)
    site.destroy()  # the datastore's config goes; its chunks stay
    local.wait_for_task(
        local.post(
            "/config/datastore", name="tappaas_backup", path="/tankc1/tappaas_backup",
            **{"reuse-datastore": True},
        )
    )  # fmt: skip
    assert [s["backup-id"] for s in local.get("/admin/datastore/tappaas_backup/snapshots")] == [
        "340"
    ]
    _unprotect_all(engine, peer)
    with pytest.raises(CommandError, match=r"namespace 'remote/home' .* still holds backups"):
        peer.destroy()  # PBS refuses to delete a namespace that still holds a guest's backups
    copies = lab.control.snapshots("peer", "tappaas_backup", "remote/home")
    assert [s["backup-id"] for s in copies] == ["340"]


def test_a_policy_error_fails_preview_with_the_finding(
    engine: Engine, tmp_path: Path, lab_factory: Callable[..., Lab]
) -> None:
    lab = lab_factory()
    project, backend = lab_project(tmp_path, lab)
    stack_file = project / f"Pulumi.{lab_stacks.SITE_STACK}.yaml"
    document = yaml.safe_load(stack_file.read_text())
    broken = copy.deepcopy(document)
    del broken["config"]["tappaas:site"]["remote"]
    stack_file.write_text(yaml.safe_dump(broken))
    with pytest.raises(CommandError) as failed:
        runner(lab_stacks.SITE_STACK, project, backend).preview()
    assert "[321-offsite] services.nextcloud" in str(failed.value)
    assert lab.control.requests() == []  # stopped before touching Proxmox
