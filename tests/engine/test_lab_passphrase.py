"""The public lab passphrase is only for stack files ``tappaas stack lab-files`` wrote.

Finding 6 of issue 18: any stack whose name started with ``lab`` silently got the lab
passphrase. Now the marker on a stack file's first line decides, never the name: a real
stack called ``labrador-prod`` without ``PULUMI_CONFIG_PASSPHRASE`` gets no passphrase, so
the engine refuses to create it (its secrets are never encrypted with a public passphrase),
while a marked file under any name gets the lab's.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pulumi.automation.errors import CommandError

from tappaas.automation import Engine, lab_stacks
from tappaas.cli.stack import LAB_PASSPHRASE, runner
from tests.conftest import REPO
from tests.engine.lab_project import project_yaml

pytestmark = pytest.mark.engine


def test_a_real_stack_named_lab_something_gets_no_default_passphrase(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    project_yaml(tmp_path)
    shutil.copy(REPO / "Pulumi.prod.yaml", tmp_path / "Pulumi.labrador-prod.yaml")
    backend = tmp_path / "state"

    real = runner("labrador-prod", tmp_path, backend)
    assert real.passphrase is None
    with pytest.raises(CommandError, match="passphrase"):
        real.stack  # noqa: B018 - creating the stack is what must fail
    assert not list(backend.rglob("labrador-prod.json"))

    marked = tmp_path / "Pulumi.rehearsal.yaml"
    marked.write_text(
        f"{lab_stacks.LAB_MARKER}\n{lab_stacks.LAB_FILE_LINE}{tmp_path / 'lab.json'}\n"
        + (REPO / "Pulumi.prod.yaml").read_text()
    )
    assert lab_stacks.is_lab_stack_file(marked)
    rehearsal = runner("rehearsal", tmp_path, backend)
    assert rehearsal.passphrase == LAB_PASSPHRASE
    rehearsal.stack  # noqa: B018 - created with the lab passphrase
    assert list(backend.rglob("rehearsal.json"))
