"""The README's main command, end to end: ``tappaas demo`` in a copy of the project."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tappaas.automation import Engine
from tappaas.cli import app
from tests.conftest import REPO

pytestmark = pytest.mark.engine


def test_demo_tells_the_whole_story(engine: Engine, tmp_path: Path) -> None:
    for name in ("Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.peer.yaml"):
        shutil.copy(REPO / name, tmp_path / name)
    result = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path)])
    out = result.output
    assert result.exit_code == 0, out
    assert "pulumi up lab: succeeded, {'create': 19}" in out
    assert "pulumi up lab-peer: succeeded" in out
    counts = re.search(r"site's PBS: (\d+) snapshots; peer's copy in remote/home: (\d+)", out)
    assert counts is not None, out
    assert int(counts[1]) == int(counts[2]) == 21  # 7 backed-up services x 3 nights, all pulled
    assert "pulumi up lab: succeeded, {'same': 19}" in out
    assert re.search(r"API requests: \d+ reads, 0 writes", out)
    restored = re.findall(r"(\w+) +restored from backup/vm/(\d+)/\S+: running", out)
    assert [name for name, _ in restored] == ["firewall", "identity", "nextcloud", "vaultwarden"]
    assert "Protection of home (site)" in out
