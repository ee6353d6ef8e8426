"""``tappaas cloud credentials``: the host's secrets land in the stack's secret config (through
the real engine, a local backend), only public halves are printed, and set secrets are
not replaced without ``--force``."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tappaas.automation import Engine
from tappaas.cli import app
from tappaas.cli.stack import runner
from tappaas.rental import certificate_fingerprint, wireguard_public_key
from tests.conftest import REPO

pytestmark = pytest.mark.engine
KEYS = ("cloudRootPassword", "cloudPveToken", "cloudTlsKey", "cloudTlsCertificate",
        "cloudWireguardKey")  # fmt: skip


def test_credentials_are_generated_into_the_stack_and_kept(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("Pulumi.yaml", "Pulumi.cloud.yaml"):
        shutil.copy(REPO / name, tmp_path / name)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "test-only-passphrase")
    arguments = ["cloud", "credentials", "cloud", "--dir", str(tmp_path), "--backend", "state"]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output

    stack = runner("cloud", tmp_path, Path("state")).stack
    config = stack.get_all_config()
    assert {f"tappaas:{key}" for key in KEYS} <= set(config)
    assert all(config[f"tappaas:{key}"].secret for key in KEYS)
    certificate = config["tappaas:cloudTlsCertificate"].value
    fingerprint = certificate_fingerprint(certificate)
    public = wireguard_public_key(config["tappaas:cloudWireguardKey"].value)
    assert fingerprint in result.output.splitlines()
    assert public in result.output
    for key in KEYS:  # nothing secret on the terminal
        assert config[f"tappaas:{key}"].value not in result.output
    assert re.fullmatch(r"[0-9a-f-]{36}", config["tappaas:cloudPveToken"].value)
    assert max(len(line) for line in result.output.splitlines() if line != fingerprint) <= 80

    again = CliRunner().invoke(app, arguments)
    assert again.exit_code == 2
    assert "already holds cloudPveToken, cloudRootPassword" in again.output
    assert stack.get_all_config()["tappaas:cloudTlsCertificate"].value == certificate

    forced = CliRunner().invoke(app, [*arguments, "--force"])
    assert forced.exit_code == 0, forced.output
    assert stack.get_all_config()["tappaas:cloudTlsCertificate"].value != certificate


def test_a_stack_without_a_cloud_section_is_refused(tmp_path: Path) -> None:
    for name in ("Pulumi.yaml", "Pulumi.prod.yaml"):
        shutil.copy(REPO / name, tmp_path / name)
    result = CliRunner().invoke(app, ["cloud", "credentials", "prod", "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "no cloud: section" in result.output
