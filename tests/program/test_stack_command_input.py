"""``tappaas stack …`` refuses what it cannot run before the engine starts, and creates nothing."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from tappaas.cli import app
from tests.conftest import REPO


def test_a_missing_stack_file_is_named_and_not_created(tmp_path) -> None:
    shutil.copy(REPO / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copy(REPO / "Pulumi.prod.yaml", tmp_path / "Pulumi.prod.yaml")
    result = CliRunner().invoke(
        app, ["stack", "preview", "nope", "--dir", str(tmp_path), "--backend", str(tmp_path / "s")]
    )
    assert result.exit_code == 2
    assert f"no stack file {tmp_path / 'Pulumi.nope.yaml'} (stacks there: prod)" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Pulumi.prod.yaml", "Pulumi.yaml"]


def test_a_missing_passphrase_says_how_to_set_it(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    shutil.copy(REPO / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copy(REPO / "Pulumi.prod.yaml", tmp_path / "Pulumi.prod.yaml")
    result = CliRunner().invoke(app, ["stack", "up", "prod", "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "export PULUMI_CONFIG_PASSPHRASE=" in result.output
    assert not (tmp_path / ".pulumi-state").exists()
