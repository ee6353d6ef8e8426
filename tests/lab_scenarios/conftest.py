"""Scenario fixtures: the example site and peer models, and a configured lab per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from lab.scenarios import SiteLab, start_site_lab
from tappaas.model import SiteConfig, load_stack_file
from tests.conftest import REPO


@pytest.fixture(scope="session")
def prod() -> SiteConfig:
    return load_stack_file(REPO / "Pulumi.prod.yaml")


@pytest.fixture(scope="session")
def peer() -> SiteConfig:
    return load_stack_file(REPO / "Pulumi.peer.yaml")


@pytest.fixture
def site_lab() -> Iterator[Callable[[SiteConfig, SiteConfig], SiteLab]]:
    """Start labs configured for a site and its peer; all are stopped after the test."""
    started: list[SiteLab] = []

    def start(site: SiteConfig, peer: SiteConfig) -> SiteLab:
        configured = start_site_lab(site, peer)
        started.append(configured)
        return configured

    yield start
    for configured in started:
        configured.lab.stop()
