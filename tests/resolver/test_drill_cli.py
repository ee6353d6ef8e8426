"""``tappaas drill internet``: exit codes, JSON, 80 columns, against a real Unbound."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from tappaas.cli import app
from tappaas.cli.drill_internet import format_internet_drill
from tappaas.internet import run_internet_drill
from tests.resolver import sites
from tests.resolver.conftest import StartUnbound, free_port, loopback_pair
from tests.resolver.opnsense_api import OpnsenseApi
from tests.resolver.unbound import FirewallUnbound, UnboundProcess
from tests.resolver.upstream import Upstream

runner = CliRunner()
WIDTH = 80


@pytest.fixture(scope="module")
def resolver(
    start_unbound: StartUnbound,
    start_upstream: Callable[[str, dict[str, tuple[str, int]]], Upstream],
) -> UnboundProcess:
    resolver_ip, upstream_ip = loopback_pair()
    upstream = start_upstream(upstream_ip, sites.UPSTREAM_RECORDS)
    return start_unbound(sites.firewall(), resolver_ip, upstream)


def address(process: UnboundProcess) -> str:
    return f"{process.address}:{process.port}"


def write_stack(tmp_path: Path, site: dict[str, Any], stack: str = "site") -> list[str]:
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(
        yaml.safe_dump({"config": {"tappaas:site": site}})
    )
    return ["drill", "internet", "--stack", stack, "--dir", str(tmp_path)]


def lines_of(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


def words(text: str) -> str:
    """The text with its line wrapping undone."""
    return " ".join(text.split())


def test_the_group_alone_prints_its_help() -> None:
    result = runner.invoke(app, ["drill"])
    assert result.exit_code == 0
    assert "internet" in result.output and "0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN" in result.output


def test_a_well_configured_resolver_passes_at_80_columns(
    resolver: UnboundProcess, tmp_path: Path
) -> None:
    result = runner.invoke(app, write_stack(tmp_path, sites.site_raw(address(resolver))))
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in lines_of(result.output)) <= WIDTH, result.output
    assert "nextcloud.srv.internal" in result.output
    assert "OK: every site name resolves from local data" in result.output
    assert "serve-expired and prefetch unknown" in words(result.output)


def test_json_names_every_check(resolver: UnboundProcess, tmp_path: Path) -> None:
    command = [*write_stack(tmp_path, sites.site_raw(address(resolver))), "--json"]
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert (document["status"], document["status_name"]) == (0, "OK")
    kinds = [(n["kind"], n["origin"]) for n in document["names"]]
    assert kinds.count(("service", "local data")) == 6
    assert ("outside", "upstream") in kinds
    assert document["names"][0]["udp"]["authoritative"] is True


def test_a_name_outside_the_local_data_is_crit_and_named(
    resolver: UnboundProcess, tmp_path: Path
) -> None:
    raw = sites.site_raw(address(resolver))
    raw["network"]["services"]["nextcloud"]["names"] = ["cloud.example.net"]
    result = runner.invoke(app, write_stack(tmp_path, raw))
    assert result.exit_code == 2, result.output
    assert "CRIT: 1 check(s): cloud.example.net" in words(result.output)


def test_a_resolver_that_does_not_answer_is_unknown(tmp_path: Path) -> None:
    host, _ = loopback_pair()
    raw = sites.site_raw(f"{host}:{free_port(host)}")
    result = runner.invoke(app, [*write_stack(tmp_path, raw), "--timeout", "0.3"])
    assert result.exit_code == 3, result.output
    assert "does not answer" in result.output and "connection refused" in words(result.output)


def test_a_stack_without_network_or_with_errors_is_unknown(tmp_path: Path) -> None:
    raw = sites.site_raw("10.0.0.1")
    del raw["network"]
    result = runner.invoke(app, write_stack(tmp_path, raw))
    assert result.exit_code == 3
    assert "has no network section" in words(result.output)
    raw = sites.site_raw("10.0.0.1:70000")
    result = runner.invoke(app, write_stack(tmp_path, raw))
    assert result.exit_code == 3
    assert "network.resolvers[0].address" in result.output
    result = runner.invoke(app, [*write_stack(tmp_path, raw), "--json"])
    assert json.loads(result.output)["status_name"] == "UNKNOWN"


def test_the_report_with_opnsense_and_findings_reads_at_80_columns(
    start_unbound: StartUnbound,
    start_upstream: Callable[[str, dict[str, tuple[str, int]]], Upstream],
    start_opnsense: Callable[[FirewallUnbound], OpnsenseApi],
) -> None:
    resolver_ip, upstream_ip = loopback_pair()
    unbound = sites.firewall(serveexpired="0", prefetch="0")
    unbound.overrides.pop(1)  # nextcloud.srv.internal
    process = start_unbound(
        unbound, resolver_ip, start_upstream(upstream_ip, sites.UPSTREAM_RECORDS)
    )
    api = start_opnsense(unbound)
    report = run_internet_drill(sites.site(address(process), api), sites.reader(api))
    console = Console(record=True, width=WIDTH)
    console.print(format_internet_drill(report))
    text = console.export_text()
    assert max(len(line) for line in lines_of(text)) <= WIDTH, text
    assert "serve-expired off" in words(text)
    assert "none for nextcloud.srv.internal" in words(text)
    assert "(unbound.advanced.serveexpired)" in text and "dns-prefetch" in text
    assert "CRIT: 1 check(s): nextcloud.srv.internal" in words(text)
    print(text)


def test_a_static_local_zone_denies_a_missing_name_at_once(
    start_unbound: StartUnbound,
    start_upstream: Callable[[str, dict[str, tuple[str, int]]], Upstream],
    tmp_path: Path,
) -> None:
    """Local Zone Type ``static``: a name under the system domain without an override is
    answered NXDOMAIN by the resolver itself, never sent upstream (nor hanging offline)."""
    resolver_ip, upstream_ip = loopback_pair()
    upstream = start_upstream(upstream_ip, sites.UPSTREAM_RECORDS)
    unbound = sites.firewall()
    unbound.local_zone_type = "static"
    unbound.overrides.pop(1)  # nextcloud.srv.internal
    process = start_unbound(unbound, resolver_ip, upstream)
    result = runner.invoke(
        app, [*write_stack(tmp_path, sites.site_raw(address(process))), "--json"]
    )
    assert result.exit_code == 2, result.output
    [missing] = [n for n in json.loads(result.output)["names"] if n["status"] == 2]
    assert (missing["name"], missing["origin"]) == ("nextcloud.srv.internal", "not in local zone")
    assert missing["udp"]["authoritative"] and missing["why"].startswith(
        "the local zone has no such name"
    )
    assert "nextcloud.srv.internal" not in upstream.queries
