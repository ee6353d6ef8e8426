"""The README's main command, end to end: ``tappaas demo`` in a copy of the project.

The copy's ``Pulumi.yaml`` runs this checkout's program from its virtualenv, so the demo's
plain ``pulumi up`` goes through the Python language host exactly as in the checkout.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tappaas.automation import Engine
from tappaas.cli import app
from tests.conftest import REPO
from tests.engine.lab_project import project_yaml

pytestmark = pytest.mark.engine


def test_demo_tells_the_whole_story(engine: Engine, tmp_path: Path) -> None:
    project_yaml(tmp_path)
    for name in ("Pulumi.prod.yaml", "Pulumi.peer.yaml"):
        shutil.copy(REPO / name, tmp_path / name)
    result = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path)])
    out = result.output
    assert result.exit_code == 0, out
    assert "$ pulumi up --stack lab " in out and "$ pulumi up --stack lab-peer " in out
    assert "+ 51 created" in out  # the site: PVE half (plugin and ours) and PBS half
    for made_by_the_plugin in ("proxmoxve:node/disk:Zfs tanka1-tappaas1 created",
                               "proxmoxve:index:Harule nextcloud-affinity created",
                               "proxmoxve:cluster:Options cluster-options created"):  # fmt: skip
        assert made_by_the_plugin in out
    assert "pulumi-python:dynamic/pve:BackupJob daily created" in out
    assert "stood in" not in out
    counts = re.search(r"site's PBS: (\d+) snapshots; peer's copy in remote/home: (\d+)", out)
    assert counts is not None, out
    assert int(counts[1]) == int(counts[2]) == 21  # 7 backed-up services x 3 nights, all pulled
    assert "51 unchanged" in out
    requests = re.search(r"API requests: (\{.*\})", out)
    assert requests is not None and "write" not in requests[1], out
    assert "home-restore@pbs!dr" in out
    restored = re.findall(r"(\w+) +restored from backup/vm/(\d+)/\S+: running", out)
    assert [name for name, _ in restored] == ["firewall", "identity", "nextcloud", "vaultwarden"]
    assert "Protection of home (site)" in out
