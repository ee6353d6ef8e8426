"""The command reads the OPNsense API key pair from the stack's secrets, through the engine."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from pulumi.automation import ConfigValue
from typer.testing import CliRunner

from tappaas.automation import Engine, StackRunner
from tappaas.cli import app
from tests.conftest import REPO
from tests.engine.programs import TEST_PASSPHRASE
from tests.resolver import sites
from tests.resolver.conftest import StartUnbound, loopback_pair
from tests.resolver.opnsense_api import API_KEY, API_SECRET, OpnsenseApi
from tests.resolver.unbound import FirewallUnbound
from tests.resolver.upstream import Upstream

pytestmark = pytest.mark.engine
STACK = "home"


def test_the_drill_reads_the_key_pair_from_secret_config(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    start_unbound: StartUnbound,
    start_upstream: Callable[[str, dict[str, tuple[str, int]]], Upstream],
    start_opnsense: Callable[[FirewallUnbound], OpnsenseApi],
) -> None:
    resolver_ip, upstream_ip = loopback_pair()
    unbound = sites.firewall()
    process = start_unbound(
        unbound, resolver_ip, start_upstream(upstream_ip, sites.UPSTREAM_RECORDS)
    )
    api = start_opnsense(unbound)
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(REPO / "Pulumi.yaml", project / "Pulumi.yaml")
    site = sites.site_raw(f"{process.address}:{process.port}", api)
    stack_file = project / f"Pulumi.{STACK}.yaml"
    stack_file.write_text(yaml.safe_dump({"config": {"tappaas:site": site}}))
    stack = StackRunner(
        project_dir=project,
        stack_name=STACK,
        program=lambda: None,
        engine=engine,
        backend_dir=project / ".pulumi-state",
        passphrase=TEST_PASSPHRASE,
    ).stack
    stack.set_config("opnsenseApiKey", ConfigValue(API_KEY, secret=True))
    stack.set_config("opnsenseApiSecret", ConfigValue(API_SECRET, secret=True))
    assert API_SECRET not in stack_file.read_text() and "secure:" in stack_file.read_text()

    command = ["drill", "internet", "--stack", STACK, "--dir", str(project)]
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", TEST_PASSPHRASE)
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    assert "Unbound on the firewall" in result.output and "serve-expired" in result.output
    assert API_KEY not in result.output and API_SECRET not in result.output
    assert [method for method, _ in api.requests] == ["GET", "GET"]

    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "not-the-passphrase")
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 3, result.output
    assert "no API key pair" in " ".join(result.output.split())
    assert len(api.requests) == 2  # nothing was sent without the key pair
