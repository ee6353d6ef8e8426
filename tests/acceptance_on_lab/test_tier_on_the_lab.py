"""The acceptance tier itself, run against the lab, so its code works when an operator
points it at real servers (it cannot reach real ones here; this is not that test).

It runs ``pytest tests/acceptance`` in a child process with ``TAPPAAS_ACCEPTANCE_*`` naming
this lab's PBS and PVE, and checks that every acceptance test ran and passed and that the
summary lists what held.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

from lab import Lab
from tests.conftest import REPO
from tests.providers.harness import lab_client

ACCEPTANCE_TESTS = 9
CHILD_TIMEOUT_SECONDS = 600


def test_the_acceptance_tier_passes_against_the_lab(lab_factory: Callable[..., Lab]) -> None:
    lab = lab_factory(pbs=("local",))
    pbs, pve = lab.pbs["local"], lab.pve
    pbs_client = lab_client(pbs)
    pbs_client.wait_for_task(pbs_client.post("/config/datastore", name="acc", path="/t/acc"))
    lab_client(pve).post("/storage", storage="tanka", type="zfspool", pool="tanka")
    lab.control.seed_vm(120, "tappaas1", "small", disks={"scsi0": "tanka:vm-120-disk-0,size=4G"})
    variables = {
        "PBS": f"{pbs.host}:{pbs.port}",
        "PBS_FINGERPRINT": pbs.fingerprint,
        "PBS_TOKEN_ID": pbs.token_id,
        "PBS_TOKEN_SECRET": pbs.token_secret,
        "PBS_DATASTORE": "acc",
        "PBS_DATASTORE_PATH": "/t/acceptance-store",
        "PVE": f"{pve.host}:{pve.port}",
        "PVE_FINGERPRINT": pve.fingerprint,
        "PVE_TOKEN_ID": pve.token_id,
        "PVE_TOKEN_SECRET": pve.token_secret,
        "PVE_NODE": "tappaas1",
        "PVE_VMID": "120",
        "PVE_RESTORE_VMID": "9120",
        "PVE_TARGET_STORAGE": "tanka",
    }
    env = {**os.environ, **{f"TAPPAAS_ACCEPTANCE_{k}": v for k, v in variables.items()}}
    child = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/acceptance"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_SECONDS,
        check=False,
    )
    assert child.returncode == 0, child.stdout + child.stderr
    assert f"{ACCEPTANCE_TESTS} passed" in child.stdout, child.stdout
    assert "skipped" not in child.stdout, child.stdout
    assert "ok  test_back_up_restore_latest_and_hand_over_groups: 'latest' restored" in (
        child.stdout
    )
    assert "ok  test_a_recovery_host_is_ready_and_its_backups_are_counted: the inventory" in (
        child.stdout
    )
    assert lab.control.vm(9120) is None  # the tier cleaned up after itself
    assert pbs_client.get("/config/sync", **{"sync-direction": "all"}) == []
