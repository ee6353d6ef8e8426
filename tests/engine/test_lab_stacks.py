"""``tappaas stack …`` (the Automation API convenience) on the lab stacks, and the peer's side.

The site and peer stacks through ``tappaas.cli.stack.runner`` (the same program, inline): the
peer pulls with the read-only token the site exported and mints a read-only restore token for
the site on its copy; a second up writes nothing; destroying the peer refuses to delete a
namespace that still holds the site's backups, even after an explicit unprotect.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from pulumi.automation.errors import CommandError
from pydantic import SecretStr

from lab import Lab
from tappaas.automation import Engine, lab_stacks
from tappaas.cli.stack import runner
from tappaas.client import ApiError, ConnectionSettings, Product, ProxmoxClient
from tests.conftest import REPO
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
    for name, client in (("site", local), ("peer", remote)):
        for token, expected in readme_rights(name).items():
            assert client.get("/access/permissions", **{"auth-id": token}) == expected, token
    pve_on_peer = remote.get(
        "/access/permissions",
        **{"auth-id": "tappaas-pve@pbs!backup", "path": "/datastore/tappaas_backup/remote/home"},
    )
    assert pve_on_peer == {}  # the peer's own PVE has no right in its guest's namespace
    # The site also keeps a third site's copy below its root: its reader cannot see it.
    lab.control.create_namespace("local", "tappaas_backup", "remote/third")
    lab.control.seed_snapshot("local", "tappaas_backup", backup_id="900", ns="remote/third")
    with pytest.raises(ApiError) as refused:
        reader_on(lab, site).get("/admin/datastore/tappaas_backup/snapshots", ns="remote/third")
    assert refused.value.status == 403
    restore_grants = {
        (a["ugid"], a["roleid"], a["path"])
        for a in remote.get("/access/acl")
        if a["ugid"].startswith("home-restore@pbs")
    }
    assert restore_grants == {
        ("home-restore@pbs", "DatastoreReader", "/datastore/tappaas_backup/remote/home"),
        ("home-restore@pbs!dr", "DatastoreReader", "/datastore/tappaas_backup/remote/home"),
    }
    assert {a["propagate"] for a in [*local.get("/access/acl"), *remote.get("/access/acl")]
            if not a["ugid"].startswith("root@pam")} == {False}  # fmt: skip

    lab.control.clear_requests()
    assert set(site.up().summary.resource_changes or {}) == {"same"}
    assert set(peer.up().summary.resource_changes or {}) == {"same"}
    assert [r for r in lab.control.requests() if r.is_write] == []

    lab.control.seed_snapshot("local", "tappaas_backup", backup_id="340", time=1_735_696_804)
    remote.wait_for_task(remote.post("/admin/sync/pull-home/run"))
    pulled = lab.control.snapshots("peer", "tappaas_backup", "remote/home")
    assert [(s["backup-id"], s["backup-time"]) for s in pulled] == [("340", 1_735_696_804)]
    assert "remote/home/remote" not in {  # max-depth 0: the third site's copy stayed
        ns["ns"] for ns in remote.get("/admin/datastore/tappaas_backup/namespace")
    }

    with pytest.raises(CommandError, match="protected"):
        peer.destroy()
    project.pulumi.run("state", "unprotect", "--all", "--yes", "--stack", lab_stacks.PEER_STACK)
    with pytest.raises(CommandError, match=r"namespace 'remote/home' .* still holds backups"):
        peer.destroy()  # PBS refuses to delete a namespace that still holds a guest's backups
    copies = lab.control.snapshots("peer", "tappaas_backup", "remote/home")
    assert [s["backup-id"] for s in copies] == ["340"]
    assert local.get("/admin/datastore/tappaas_backup/snapshots")  # the site's own stays too


def readme_rights(pbs: str) -> dict[str, dict[str, dict[str, bool]]]:
    """The README's effective-rights table for one PBS: token → path → privilege →
    propagates (never)."""
    rows = re.findall(
        r"^\| (site|peer) \| `([^`]+)`[^|]* \| `([^`]+)` \| ([^|]+) \|$",
        (REPO / "README.md").read_text(),
        flags=re.MULTILINE,
    )
    assert rows, "the README lost its effective-rights table"
    return {
        token: {path: dict.fromkeys((p.strip() for p in privileges.split(",")), False)}
        for where, token, path, privileges in rows
        if where == pbs
    }


def reader_on(lab: Lab, site: object) -> ProxmoxClient:
    """The site's PBS as the peer's reader token (its secret from the site's state)."""
    source = site.resource_outputs("peer-reader-token")  # type: ignore[attr-defined]
    pbs = lab.pbs["local"]
    return ProxmoxClient(
        ConnectionSettings(
            product=Product.PBS,
            host=pbs.host,
            port=pbs.port,
            fingerprint=pbs.fingerprint,
            token_id=source["token_id"],
            token_secret=SecretStr(source["secret"]),
        )
    )
