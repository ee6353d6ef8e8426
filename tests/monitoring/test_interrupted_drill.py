"""A drill killed mid-way (``kill -9``: no cleanup at all) leaves its VM; the next run
finds it by its marks (the tag, or PVE's locked restore placeholder) and deletes it first."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO
from tests.monitoring.labs import DRILL, drill, site_lab, site_with

WAIT_SECONDS = 60


@pytest.mark.parametrize(
    ("live", "timing", "mark"),
    [
        (True, {"guest_boot_seconds": 3600.0}, "tag"),  # killed while waiting for the agent
        (False, {"restore_bytes_per_second": 1024**2}, "lock"),  # killed while restoring
    ],
)
def test_the_next_run_removes_what_a_killed_drill_left(live, timing, mark) -> None:
    settings = {**DRILL, "live_restore": live}
    with site_lab(site_with(settings), clock="real", **timing) as configured:
        lab = configured.lab
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.monitoring.killable_drill"],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdin is not None
        child.stdin.write(json.dumps({"pve": lab.pve.to_dict(), "drill": settings}))
        child.stdin.close()
        deadline = time.monotonic() + WAIT_SECONDS
        while lab.control.vm(9900) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        child.kill()
        child.wait()
        left = lab.control.vm(9900)
        assert left is not None, "the drill never restored"
        if mark == "tag":
            assert left.config["tags"] == "tappaas-drill" and left.status == "running"
        else:
            assert left.lock == "create" and "tags" not in left.config  # the placeholder

        run = drill(configured).run(["logging"])

        assert run.cleaned_leftovers == (9900,)
        assert lab.control.vm(9900) is None and lab.control.vm(340) is not None
        assert [r.drill_vmid for r in run.results] == [9900]  # the vmid is free again
