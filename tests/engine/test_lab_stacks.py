"""``tappaas stack …`` (the Automation API convenience) on the lab stacks, and the peer's side.

The site and peer stacks through ``tappaas.cli.stack.runner`` (the same program, inline): the
peer pulls with the read-only token the site exported and mints a read-only restore token for
the site on its copy; a second up writes nothing; destroying the peer refuses to delete a
namespace that still holds the site's backups, even after an explicit unprotect.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pulumi.automation.errors import CommandError

from lab import Lab
from tappaas.automation import Engine, lab_stacks
from tappaas.cli.stack import runner
from tests.engine.lab_project import lab_project
from tests.providers.harness import lab_client

pytestmark = pytest.mark.engine


def test_site_and_peer_through_tappaas_stack(
    engine: Engine, tmp_path: Path, lab_factory: Callable[..., Lab]
) -> None:
    project = lab_project(engine, tmp_path, lab_factory)
    lab, backend = project.lab, project.pulumi.backend_dir
    site = runner(lab_stacks.SITE_STACK, project.directory, backend)
    peer = runner(lab_stacks.PEER_STACK, project.directory, backend)

    site_up = site.up()
    assert site_up.outputs["offsite_source"].secret is True
    assert "3-2-1 met" in site_up.outputs["summary"].value["nextcloud"]
    peer_up = peer.up()
    guests = peer_up.outputs["guests"]
    assert guests.secret is True and guests.value["home"]["namespace"] == "remote/home"
    assert guests.value["home"]["restore_token_id"] == "home-restore@pbs!dr"

    local, remote = lab_client(lab.pbs["local"]), lab_client(lab.pbs["peer"])
    job = remote.get("/config/sync/pull-home")
    assert (job["remote"], job["ns"], job["encrypted-only"]) == ("home", "remote/home", True)
    assert job["remove-vanished"] is False
    pulled_with = remote.get("/config/remote/home")["auth-id"]
    assert pulled_with == "tappaas-peer@pbs!pull"
    grants = {(a["ugid"], a["roleid"], a["path"]) for a in local.get("/access/acl")}
    assert (pulled_with, "DatastoreReader", "/datastore/tappaas_backup") in grants
    restore_grants = {
        (a["ugid"], a["roleid"], a["path"])
        for a in remote.get("/access/acl")
        if a["ugid"].startswith("home-restore@pbs")
    }
    assert restore_grants == {
        ("home-restore@pbs", "DatastoreReader", "/datastore/tappaas_backup/remote/home"),
        ("home-restore@pbs!dr", "DatastoreReader", "/datastore/tappaas_backup/remote/home"),
    }

    lab.control.clear_requests()
    assert set(site.up().summary.resource_changes or {}) == {"same"}
    assert set(peer.up().summary.resource_changes or {}) == {"same"}
    assert [r for r in lab.control.requests() if r.is_write] == []

    lab.control.seed_snapshot("local", "tappaas_backup", backup_id="340", time=1_735_696_804)
    remote.wait_for_task(remote.post("/admin/sync/pull-home/run"))
    pulled = lab.control.snapshots("peer", "tappaas_backup", "remote/home")
    assert [(s["backup-id"], s["backup-time"]) for s in pulled] == [("340", 1_735_696_804)]

    with pytest.raises(CommandError, match="protected"):
        peer.destroy()
    project.pulumi.run("state", "unprotect", "--all", "--yes", "--stack", lab_stacks.PEER_STACK)
    with pytest.raises(CommandError, match=r"namespace 'remote/home' .* still holds backups"):
        peer.destroy()  # PBS refuses to delete a namespace that still holds a guest's backups
    copies = lab.control.snapshots("peer", "tappaas_backup", "remote/home")
    assert [s["backup-id"] for s in copies] == ["340"]
    assert local.get("/admin/datastore/tappaas_backup/snapshots")  # the site's own stays too
