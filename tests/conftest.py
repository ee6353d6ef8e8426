"""Fixtures shared by every test tier."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tappaas.automation import Engine, EngineNotFoundError, find_engine

pytest_plugins = ["tests.fixtures.lab"]

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CACHES = (".venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis")


def checkout_status() -> list[str] | None:
    """``git status`` of the checkout, ignored files included (caches and the venv aside);
    ``None`` outside a git checkout."""
    try:
        done = subprocess.run(
            ["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return [
        line
        for line in done.stdout.splitlines()
        if not any(
            part in CACHES or part.endswith(".egg-info") for part in Path(line[3:].strip('"')).parts
        )
    ]


@pytest.fixture(scope="session", autouse=True)
def checkout_stays_clean() -> Iterator[None]:
    """Tests write into temporary folders, never into the checkout: every ``tappaas`` command
    they run leaves ``git status`` (ignored files too) as it was."""
    before = checkout_status()
    yield
    assert checkout_status() == before, "a test wrote into the checkout"


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The real Pulumi engine; a missing one is a failure (run `make setup`), never a skip."""
    try:
        return find_engine()
    except EngineNotFoundError as exc:
        pytest.fail(str(exc))
