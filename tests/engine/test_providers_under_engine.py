"""Every dynamic provider under the real engine against the lab.

up → a second up with no changes (no write, at most one read per resource, from the lab's
request log) → refresh → destroy, which leaves every backup snapshot in place; the state
file never holds a secret in plaintext.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from lab import Lab
from tappaas.automation import Engine
from tests.engine.programs import plain, program_runner, secret, state_file
from tests.providers.harness import add_pbs_storage, endpoint, lab_client

pytestmark = pytest.mark.engine

PROGRAM = Path(__file__).parent / "providers_program"
SNAPSHOT = "2025-01-01T02:00:04Z"
BACKUP_KEY = json.dumps(
    {"kdf": None, "created": "2025-01-01T00:00:00Z", "modified": "2025-01-01T00:00:00Z",
     "data": "a2V5LWJ5dGVzLWZvci10aGUtZW5naW5lLXRlc3QtLS0=", "fingerprint": "ee:11"}
)  # fmt: skip
MASTER_PUBKEY = (
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A\n-----END PUBLIC KEY-----\n"
)
DYNAMIC_RESOURCES = 14


def _seed(lab: Lab) -> dict[str, str]:
    """A datastore holding VM 340's backup, reachable from PVE as storage ``pbs-archive``."""
    pbs, pve = lab.pbs["local"], lab_client(lab.pve)
    client = lab_client(pbs)
    client.wait_for_task(client.post("/config/datastore", name="archive", path="/tankb/archive"))
    lab.control.seed_snapshot("local", "archive", backup_id="340", time=1_735_696_804)
    lab.control.seed_snapshot("local", "archive", backup_id="110", time=1_735_696_900)
    pve.post("/storage", storage="tanka", type="zfspool", pool="tanka")
    add_pbs_storage(pve, "pbs-archive", pbs, "archive", **{"encryption-key": "autogen"})
    return {"archive": f"pbs-archive:backup/vm/340/{SNAPSHOT}", "pve_storage": "pbs-archive"}


def test_every_provider_up_noop_refresh_destroy(
    engine: Engine, tmp_path: Path, lab_factory: Callable[..., Lab]
) -> None:
    lab = lab_factory()
    seeded = _seed(lab)
    runner = program_runner(engine, PROGRAM, "providers_program", tmp_path, "lab")
    lab_config = {
        "local": endpoint(lab.pbs["local"], "localToken"),
        "peer": endpoint(lab.pbs["peer"], "peerToken"),
        "pve": endpoint(lab.pve, "pveToken"),
        **seeded,
    }
    runner.stack.set_config("lab", plain(json.dumps(lab_config)))
    secrets = {
        "localToken": lab.pbs["local"].token_secret,
        "peerToken": lab.pbs["peer"].token_secret,
        "pveToken": lab.pve.token_secret,
        "backupKey": BACKUP_KEY,
        "masterKey": MASTER_PUBKEY,
    }
    for key, value in secrets.items():
        runner.stack.set_config(key, secret(value))

    up = runner.up()
    assert up.summary.result == "succeeded"
    assert up.summary.resource_changes == {"create": DYNAMIC_RESOURCES + 1}
    assert up.outputs["token_id"].value == "peer-pull@pbs!pull"
    assert up.outputs["token_secret"].secret is True
    token_secret = up.outputs["token_secret"].value
    assert up.outputs["restored_snapshot"].value == f"backup/vm/340/{SNAPSHOT}"
    peer_jobs = lab_client(lab.pbs["peer"]).get("/config/sync/pull-site-a")
    assert peer_jobs["encrypted-only"] in (True, 1) and peer_jobs["remote"] == "site-a"

    lab.control.clear_requests()
    again = runner.up()
    assert again.summary.resource_changes == {"same": DYNAMIC_RESOURCES + 1}
    records = lab.control.requests()
    writes = [r for r in records if r.method != "GET"]
    assert writes == [], writes
    assert len(records) <= DYNAMIC_RESOURCES, [f"{r.method} {r.path}" for r in records]

    refresh = runner.refresh()
    assert set(refresh.summary.resource_changes or {}) == {"same"}

    raw = state_file(runner).read_text()
    key_material = (json.loads(BACKUP_KEY)["data"], MASTER_PUBKEY.splitlines()[1])
    for value in (*secrets.values(), token_secret, *key_material):
        assert value not in raw

    # A restored VM is protected in PVE: deleting it takes the admin unsetting that first.
    lab_client(lab.pve).put("/nodes/tappaas2/qemu/9340/config", protection=0)
    destroyed = runner.destroy()
    assert destroyed.summary.resource_changes == {"delete": DYNAMIC_RESOURCES + 1}
    archive = lab.control.snapshots("local", "archive")
    assert sorted(s["backup-id"] for s in archive) == ["110", "340"]
    assert lab.control.vm(9340) is None
    assert lab_client(lab.pbs["peer"]).get("/config/sync", **{"sync-direction": "all"}) == []
