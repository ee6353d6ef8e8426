"""Graph-shape tests run under Pulumi mocks: no cluster to ask what already exists."""

from __future__ import annotations

import pytest

from providers.upstream_adoption import NothingExists
from tappaas.components import pve_side


@pytest.fixture(autouse=True)
def nothing_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    """The program adopts nothing here (the real reads are tested against the lab)."""
    monkeypatch.setattr(pve_side, "existing", lambda api: NothingExists())
