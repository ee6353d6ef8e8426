"""Fixtures: real Unbound processes, a dnspython upstream, the OPNsense API stand-in.

Every address is on 127.0.0.0/8; each process is stopped in teardown. Unbound must be
installed (``make setup`` / ``.ci/run`` install Debian's package): a missing one fails these
tests, it never skips them.
"""

from __future__ import annotations

import itertools
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.resolver.opnsense_api import API_KEY, API_SECRET, ApiKey, OpnsenseApi
from tests.resolver.unbound import UNBOUND, FirewallUnbound, UnboundProcess, unbound_installed
from tests.resolver.upstream import Upstream

_subnets = itertools.count(60)


def loopback_pair() -> tuple[str, str]:
    """Two fresh loopback addresses (resolver, upstream) for one test's world."""
    subnet = next(_subnets)
    return f"127.0.{subnet}.1", f"127.0.{subnet}.2"


def free_port(host: str) -> int:
    """A port free for both UDP and TCP on ``host`` (bounded tries)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind((host, 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind((host, port))
                except OSError:
                    continue
                return port
    raise RuntimeError(f"no free port on {host}")


@pytest.fixture(scope="session", autouse=True)
def _unbound_is_installed() -> None:
    if not unbound_installed():
        pytest.fail(f"{UNBOUND} is missing: run `make setup` (installs Debian's unbound)")


StartUnbound = Callable[[FirewallUnbound, str, Upstream], UnboundProcess]


@pytest.fixture(scope="module")
def start_unbound(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StartUnbound]:
    """Start Unbounds forwarding to an upstream; all stopped at the end of the module."""
    started: list[UnboundProcess] = []
    counter = itertools.count()

    def start(settings: FirewallUnbound, address: str, upstream: Upstream) -> UnboundProcess:
        directory = tmp_path_factory.mktemp(f"unbound{next(counter)}")
        process = UnboundProcess.start(
            settings, directory, address, free_port(address), f"{upstream.host}@{upstream.port}"
        )
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture(scope="module")
def start_upstream() -> Iterator[Callable[[str, dict[str, tuple[str, int]]], Upstream]]:
    started: list[Upstream] = []

    def start(host: str, records: dict[str, tuple[str, int]]) -> Upstream:
        upstream = Upstream(host, records).start()
        started.append(upstream)
        return upstream

    yield start
    for upstream in started:
        upstream.stop()


@pytest.fixture(scope="module")
def start_opnsense() -> Iterator[Callable[[FirewallUnbound], OpnsenseApi]]:
    started: list[OpnsenseApi] = []

    def start(unbound: FirewallUnbound) -> OpnsenseApi:
        api = OpnsenseApi(unbound, {API_KEY: ApiKey(API_SECRET)}).start()
        started.append(api)
        return api

    yield start
    for api in started:
        api.stop()


@pytest.fixture
def ca_file(tmp_path: Path) -> Path:
    return tmp_path / "opnsense-ca.pem"
