"""Fixtures shared by every test tier."""

from __future__ import annotations

from pathlib import Path

import pytest

from tappaas.automation import Engine, EngineNotFoundError, find_engine

pytest_plugins = ["tests.fixtures.lab"]

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The real Pulumi engine; a missing one is a failure (run `make setup`), never a skip."""
    try:
        return find_engine()
    except EngineNotFoundError as exc:
        pytest.fail(str(exc))
