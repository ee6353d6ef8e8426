"""The acceptance tier: our providers against a real PBS (and PVE), for whoever has them.

Opt-in through ``TAPPAAS_ACCEPTANCE_*`` variables (``servers.py``; README "Acceptance on real
hardware"); without them every test is skipped, naming the variables it needs. Each test
records what it verified through ``checklist``; the run ends with that list, so the operator
sees exactly which behaviours held on their servers. Everything the tests create is named
``tappaas-acceptance*`` and removed again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tappaas.client import Product
from tests.acceptance.servers import PBS_VARIABLES, PVE_VARIABLES, Server, server, variables

_VERIFIED: list[str] = []


@pytest.fixture(scope="session")
def pbs() -> Server:
    """The real PBS; its token needs Admin on ``/`` (it manages users, ACLs, jobs)."""
    return server(Product.PBS, variables(PBS_VARIABLES), "acceptancePbsToken")


@pytest.fixture(scope="session")
def pbs_datastore() -> str:
    """An existing datastore the tier may add namespace ``tappaas-acceptance`` to."""
    return variables(("PBS_DATASTORE",))["PBS_DATASTORE"]


@pytest.fixture(scope="session")
def pve() -> Server:
    """The real PVE; its token needs Administrator on ``/`` (storage, VMs)."""
    return server(Product.PVE, variables(PVE_VARIABLES), "acceptancePveToken")


@pytest.fixture(scope="session")
def pve_setup() -> dict[str, str]:
    """Node, VM to back up, free VM id for the restored copy, storage for its disks."""
    values = variables(PVE_VARIABLES)
    return {
        "node": values["PVE_NODE"],
        "vmid": values["PVE_VMID"],
        "restore_vmid": values["PVE_RESTORE_VMID"],
        "target_storage": values["PVE_TARGET_STORAGE"],
    }


@pytest.fixture
def checklist(request: pytest.FixtureRequest) -> Iterator[Callable[[str], None]]:
    """``checked("what held")``: recorded for the summary at the end of the run."""
    held: list[str] = []
    yield held.append
    _VERIFIED.extend(f"{request.node.name}: {line}" for line in held)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """What held on the real servers, one line each (nothing when the tier was skipped)."""
    if not _VERIFIED:
        return
    terminalreporter.section("acceptance: verified on the servers TAPPAAS_ACCEPTANCE_* name")
    for line in _VERIFIED:
        terminalreporter.write_line(f"  ok  {line}")
