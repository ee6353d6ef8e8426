"""Issue 11.13: moving a PBS to a new address, or rotating the token we reach it with, is an
update that writes nothing, under the real engine.

An object's identity is what the server calls it (a datastore's name, a job's id); the
endpoint (address, port, fingerprint, token) is only how we reach it. The lab restarts from
its state file with the peer's PBS on another port (``LabConfig.pbs_ports``): the same
server, datastores and jobs, reached elsewhere; the local PBS is reached with a new admin
token. The stack must plan no replace and send no write.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lab import Lab
from tappaas.automation import Engine, lab_stacks
from tests.engine.lab_project import PEER_CLUSTER, lab_project
from tests.engine.programs import plain, program_runner, secret
from tests.engine.test_providers_under_engine import (
    BACKUP_KEY,
    DYNAMIC_RESOURCES,
    MASTER_PUBKEY,
    PROGRAM,
    _seed,
)
from tests.providers.harness import endpoint, lab_client

pytestmark = pytest.mark.engine


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _config(lab: Lab, seeded: dict[str, str], local_token: tuple[str, str]) -> dict[str, Any]:
    local = {**endpoint(lab.pbs["local"], "localToken"), "token_id": local_token[0]}
    return {
        "local": local,
        "peer": endpoint(lab.pbs["peer"], "peerToken"),
        "pve": endpoint(lab.pve, "pveToken"),
        "storage_user": lab.pbs["local"].token_id,  # PVE's own credential does not rotate
        **seeded,
    }


def test_a_pbs_on_a_new_port_and_a_rotated_token_need_no_write(
    engine: Engine, tmp_path: Path, lab_factory: Callable[..., Lab]
) -> None:
    state_file = tmp_path / "lab.state"
    before = lab_factory(state_file=state_file)
    seeded = _seed(before)
    runner = program_runner(engine, PROGRAM, "providers_program", tmp_path, "lab")
    boot = (before.pbs["local"].token_id, before.pbs["local"].token_secret)
    runner.stack.set_config("lab", plain(json.dumps(_config(before, seeded, boot))))
    for key, value in {
        "localToken": boot[1],
        "storageToken": boot[1],
        "peerToken": before.pbs["peer"].token_secret,
        "pveToken": before.pve.token_secret,
        "backupKey": BACKUP_KEY,
        "masterKey": MASTER_PUBKEY,
    }.items():
        runner.stack.set_config(key, secret(value))
    assert runner.up().summary.resource_changes == {"create": DYNAMIC_RESOURCES + 1}

    # A second admin token on the local PBS, as an admin rotating credentials would make.
    admin = lab_client(before.pbs["local"])
    rotated_secret = admin.post("/access/users/root@pam/token/rotated")["value"]
    admin.put("/access/acl", path="/", role="Admin", **{"auth-id": "root@pam!rotated"})
    old_peer_port = before.pbs["peer"].port
    before.stop()

    after = lab_factory(state_file=state_file, pbs_ports={"peer": _free_port()})
    assert after.pbs["peer"].port != old_peer_port
    assert after.pbs["peer"].fingerprint == before.pbs["peer"].fingerprint  # the same server
    moved = _config(after, seeded, ("root@pam!rotated", rotated_secret))
    runner.stack.set_config("lab", plain(json.dumps(moved)))
    runner.stack.set_config("localToken", secret(rotated_secret))
    runner.stack.set_config("peerToken", secret(after.pbs["peer"].token_secret))

    preview = runner.preview()
    assert "replace" not in (preview.change_summary or {}), preview.stdout
    after.control.clear_requests()
    up = runner.up()
    changes = up.summary.resource_changes or {}
    assert set(changes) <= {"update", "same"} and changes.get("update"), changes
    writes = [f"{r.method} {r.path}" for r in after.control.requests() if r.method != "GET"]
    assert writes == []
    assert runner.up().summary.resource_changes == {"same": DYNAMIC_RESOURCES + 1}


def test_the_site_pbs_moving_rewrites_only_what_must_learn_the_port(
    engine: Engine, tmp_path: Path, lab_factory: Callable[..., Lab]
) -> None:
    """The lab stacks (real components, plain pulumi): the site's PBS comes back on another
    port and the user changes ``backup.pbs.address``. Nothing is replaced; the only writes
    are PVE's storage entry and the peer's remote learning the new port."""
    state_file = tmp_path / "lab.state"
    project = lab_project(engine, tmp_path, lab_factory, state_file=state_file)
    before, pulumi = project.lab, project.pulumi
    pulumi.up(lab_stacks.SITE_STACK)
    pulumi.up(lab_stacks.PEER_STACK)
    old_port = before.pbs["local"].port
    before.stop()

    after = lab_factory(
        state_file=state_file, pbs_ports={"local": _free_port()}, clusters=PEER_CLUSTER
    )
    new_port = after.pbs["local"].port
    stack_file = project.stack_file(lab_stacks.SITE_STACK)
    text = stack_file.read_text()
    stack_file.write_text(text.replace(f"127.0.0.1:{old_port}", f"127.0.0.1:{new_port}"))

    preview = pulumi.preview(lab_stacks.SITE_STACK, extra=["--json"])
    steps = json.loads(preview)["steps"]
    assert not [s for s in steps if s["op"] in ("replace", "create-replacement", "delete")]
    after.control.clear_requests()
    pulumi.up(lab_stacks.SITE_STACK)
    writes = [(r.instance, r.method, r.path) for r in after.control.requests() if r.is_write]
    assert writes == [("pve", "PUT", "/storage/tappaas_backup")]
    assert lab_client(after.pve).get("/storage/tappaas_backup")["port"] == new_port
    pulumi.up(lab_stacks.SITE_STACK, extra=["--expect-no-changes"])

    after.control.clear_requests()
    pulumi.up(lab_stacks.PEER_STACK)  # the peer's remote entry learns the site's new port
    remote_writes = [(r.method, r.path) for r in after.control.requests() if r.is_write]
    assert remote_writes == [("PUT", "/config/remote/home")]
    assert lab_client(after.pbs["peer"]).get("/config/remote/home")["port"] == new_port
