"""A peer that holds nothing of the site but a read-only token, and a history its writer
cannot rewrite (issue 18, findings 2 and 3), with plain ``pulumi`` and ``tappaas peer`` on
the lab.

Two operators, as in real life: the site's project (its backend, its passphrase) and the
peer's own project in another directory with another backend and passphrase. They pair with
``tappaas peer key`` (peer) → ``invite`` (site) → ``accept`` (peer): no ``StackReference``,
no shared state. After the peer's ``up`` and a real pull, the peer's state and config,
decrypted with the peer's passphrase, hold no secret of the site but the reader token, which
may only read the site's own namespace.

Then the forged-timestamp attack: the site (taken over) writes encrypted snapshots dated in
the future, the peer pulls them and its prune runs. A group the peer anchored keeps its
genuine history; a group whose anchor was released (as if anchoring never ran) loses it —
before and after in one run; ``tappaas peer check`` is CRIT on both sides.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from lab import Lab
from lab.lab_file import ca_file_of
from tappaas.automation import Engine, lab_stacks
from tappaas.automation.pulumi_cli import PulumiCli
from tappaas.cli import app
from tappaas.cli.stack import LAB_PASSPHRASE, lab_encryption_key
from tests.engine.lab_project import LabProject, lab_project, project_yaml
from tests.providers.harness import lab_client

pytestmark = pytest.mark.engine
PEER_PASSPHRASE = "the-peer-operators-own-passphrase"
SITE, PEER = lab_stacks.SITE_STACK, lab_stacks.PEER_STACK
STORE = "tappaas_backup"


def tappaas(*args: str, passphrase: str) -> str:
    """Run a ``tappaas`` command as one operator (their passphrase in the environment)."""
    result = CliRunner().invoke(app, list(args), env={"PULUMI_CONFIG_PASSPHRASE": passphrase})
    assert result.exit_code == 0, result.output
    return result.output


def peer_project(project: LabProject, tmp_path: Path, engine: Engine) -> PulumiCli:
    """The peer operator's own project: the peer stack file, its own backend and secrets."""
    directory = tmp_path / "peer-operator"
    directory.mkdir()
    project_yaml(directory)
    written = project.stack_file(PEER).read_text()  # the site, without the site's secrets
    header = "".join(line for line in written.splitlines(keepends=True) if line.startswith("#"))
    site = yaml.safe_load(written)["config"]["tappaas:site"]
    (directory / f"Pulumi.{PEER}.yaml").write_text(
        header + yaml.safe_dump({"config": {"tappaas:site": site}}, sort_keys=False)
    )
    cli = PulumiCli(engine, directory, directory / ".state", passphrase=PEER_PASSPHRASE,
                    ca_file=ca_file_of(project.directory / ".lab" / "lab.json"))  # fmt: skip
    cli.run("stack", "init", PEER)
    lab = project.lab
    for key, value in {
        "labPeerPveToken": lab.clusters[lab_stacks.PEER_CLUSTER].token_secret,
        "labPeerToken": lab.pbs["peer"].token_secret,
        "labPeerEncryptionKey": lab_encryption_key(),
    }.items():
        cli.set_secret(PEER, key, value)
    return cli


def strings(value: Any) -> set[str]:
    """Every string inside a JSON document."""
    if isinstance(value, str):
        return {value, *value.split("=")}
    if isinstance(value, dict):
        return set().union(*(strings(v) for v in [*value.keys(), *value.values()]))
    if isinstance(value, list):
        return set().union(*(strings(v) for v in value)) if value else set()
    return set()


def run_prune(lab: Lab) -> None:
    peer = lab_client(lab.pbs["peer"])
    peer.wait_for_task(peer.post("/admin/prune/home-retention/run"))


def genuine(lab: Lab, backup_id: str, now: datetime) -> list[dict[str, Any]]:
    return [
        s for s in lab.control.snapshots("peer", STORE, "remote/home")
        if s["backup-id"] == backup_id and s["backup-time"] <= now.timestamp()
    ]  # fmt: skip


def test_pairing_without_shared_state_and_anchors_against_forged_dates(
    engine: Engine, tmp_path: Path, lab_factory: Callable[..., Lab]
) -> None:
    project = lab_project(engine, tmp_path, lab_factory)
    lab, site_cli = project.lab, project.pulumi
    peer_cli = peer_project(project, tmp_path, engine)
    site_args = ["--dir", str(project.directory), "--backend", str(project.directory / ".state")]
    peer_args = ["--dir", str(peer_cli.project_dir), "--backend", str(peer_cli.backend_dir)]
    site_cli.up(SITE)

    # Pairing: the peer's key → the site's sealed invitation → the peer's config.
    public = tappaas("peer", "key", "--stack", PEER, *peer_args, passphrase=PEER_PASSPHRASE)
    assert public.startswith("tappaas-key-v1:")
    invitation = tappaas("peer", "invite", "--stack", SITE, "--to", public.strip(), *site_args,
                         passphrase=LAB_PASSPHRASE).strip()  # fmt: skip
    offsite = site_cli.outputs(SITE, show_secrets=True)["offsite_source"]
    assert offsite["token_secret"] not in invitation
    accepted = tappaas("peer", "accept", invitation, "--stack", PEER, *peer_args,
                       passphrase=PEER_PASSPHRASE)  # fmt: skip
    assert "tappaas-peer@pbs!pull" in accepted
    peer_file = peer_cli.project_dir / f"Pulumi.{PEER}.yaml"
    guest = yaml.safe_load(peer_file.read_text())["config"]["tappaas:site"]["peer"]["guests"]
    assert "stack" not in guest["home"] and guest["home"]["datastore"] == STORE
    assert guest["home"]["credential"]["token_id"] == "tappaas-peer@pbs!pull"

    peer_cli.up(PEER)
    lab.control.run_job("vzdump", "tappaas-daily")
    peer_pbs = lab_client(lab.pbs["peer"])
    peer_pbs.wait_for_task(peer_pbs.post("/admin/sync/pull-home/run"))
    assert len(lab.control.snapshots("peer", STORE, "remote/home")) == 7

    # The peer's state and config hold nothing of the site but the reader token.
    site_state = json.loads(site_cli.run("stack", "export", "--show-secrets", "--stack", SITE))
    site_key = json.loads(site_cli.run("config", "get", "--stack", SITE,
                                       lab_stacks.ENCRYPTION_KEY))  # fmt: skip
    pve_token = next(r for r in site_state["deployment"]["resources"]
                     if r["urn"].endswith("::pve-token"))["outputs"]["secret"]  # fmt: skip
    site_secrets = {
        "site PVE admin token": lab.pve.token_secret,
        "site PBS admin token": lab.pbs["local"].token_secret,
        "site encryption key": site_key["data"],
        "site's PVE backup token": pve_token["plaintext"].strip('"'),
        "site passphrase": LAB_PASSPHRASE,
    }
    peer_state = json.loads(peer_cli.run("stack", "export", "--show-secrets", "--stack", PEER))
    peer_config = json.loads(peer_cli.run("config", "--show-secrets", "--json", "--stack", PEER))
    held = strings(peer_state) | strings(peer_config)
    assert {what for what, value in site_secrets.items() if value in held} == set()
    assert offsite["token_secret"] in held  # the one thing it needs
    assert not any(r["type"] == "pulumi:pulumi:StackReference"
                   for r in peer_state["deployment"]["resources"])  # fmt: skip
    on_disk = "".join(
        path.read_text(errors="replace")
        for path in peer_cli.project_dir.rglob("*") if path.is_file()
    )  # fmt: skip
    for value in [*site_secrets.values(), offsite["token_secret"]]:
        assert value not in on_disk  # encrypted with the peer's own passphrase
    reader_rights = lab_client(lab.pbs["local"]).get(
        "/access/permissions", **{"auth-id": "tappaas-peer@pbs!pull"}
    )
    assert reader_rights == {
        f"/datastore/{STORE}": {"Datastore.Audit": False, "Datastore.Read": False,
                                "Datastore.Verify": False},
    }  # fmt: skip

    # The other way: the peer seals the site's restore token for the site's recovery stack.
    recovery_key = tappaas("peer", "key", "--stack", lab_stacks.RECOVERY_STACK, *site_args,
                           passphrase=LAB_PASSPHRASE).strip()  # fmt: skip
    restore = tappaas("peer", "invite", "--stack", PEER, "--guest", "home", "--to", recovery_key,
                      *peer_args, passphrase=PEER_PASSPHRASE).strip()  # fmt: skip
    tappaas("peer", "accept", restore, "--stack", lab_stacks.RECOVERY_STACK, *site_args,
            passphrase=LAB_PASSPHRASE)  # fmt: skip
    recovery_file = project.stack_file(lab_stacks.RECOVERY_STACK)
    remote = yaml.safe_load(recovery_file.read_text())["config"]["tappaas:site"]["remote"]
    assert (remote["namespace"], remote["credential"]["token_id"]) == (
        "remote/home", "home-restore@pbs!dr",
    )  # fmt: skip
    assert recovery_file.read_text().startswith(lab_stacks.LAB_MARKER)  # comments kept
    restore_secret = json.loads(
        site_cli.run(
            "config",
            "get",
            "--stack",
            lab_stacks.RECOVERY_STACK,
            "--json",
            remote["credential"]["token_secret"]["secret"],
        )
    )
    guests = peer_cli.outputs(PEER, show_secrets=True)["guests"]
    assert restore_secret["value"] == guests["home"]["restore_token_secret"]

    # The peer verifies and anchors its copy (its daily routine).
    peer_pbs.wait_for_task(peer_pbs.post(f"/admin/verify/{STORE}-verify/run"))
    anchored = tappaas("peer", "anchor", "--stack", PEER, *peer_args, passphrase=PEER_PASSPHRASE)
    assert anchored.startswith("anchored 7,"), anchored
    clean = CliRunner().invoke(app, ["peer", "check", "--stack", PEER, *peer_args],
                               env={"PULUMI_CONFIG_PASSPHRASE": PEER_PASSPHRASE})  # fmt: skip
    assert clean.exit_code == 0 and clean.output.startswith("OK:"), clean.output

    # "Before": as if anchoring never ran for vm/140, its anchor is released by hand.
    (anchor_140,) = [s for s in lab.control.snapshots("peer", STORE, "remote/home")
                     if s["backup-id"] == "140" and s["protected"]]  # fmt: skip
    peer_pbs.put(f"/admin/datastore/{STORE}/protected", ns="remote/home", protected=False,
                 **{"backup-type": "vm", "backup-id": "140",
                    "backup-time": anchor_140["backup-time"]})  # fmt: skip

    # The attack: the site writes 24 encrypted snapshots dated in the future; the peer pulls.
    now = datetime.now(UTC)
    for backup_id in ("110", "140"):
        for month in range(24):
            forged = now + timedelta(minutes=20) + timedelta(days=30 * month)
            lab.control.seed_snapshot("local", STORE, backup_id=backup_id, time=forged)
    peer_pbs.wait_for_task(peer_pbs.post("/admin/sync/pull-home/run"))
    for stack, args, passphrase in ((PEER, peer_args, PEER_PASSPHRASE),
                                    (SITE, site_args, LAB_PASSPHRASE)):  # fmt: skip
        checked = CliRunner().invoke(app, ["peer", "check", "--stack", stack, *args],
                                     env={"PULUMI_CONFIG_PASSPHRASE": passphrase})  # fmt: skip
        assert checked.exit_code == 2, checked.output  # CRIT on either side
        assert checked.output.startswith("CRIT:") and "dated in the future" in checked.output

    run_prune(lab)
    assert genuine(lab, "140", now) == []  # before: the genuine history is gone
    kept = genuine(lab, "110", now)  # after: the anchor stays, protected
    assert [s["protected"] for s in kept] == [True]
