"""``tappaas stack …`` with the real engine: tracked stack files stay as written, errors once.

Pulumi rewrites the stack file it runs (adds ``encryptionsalt``, re-spaces comments); run in
place, the engine does exactly that (the witness below), through ``tappaas stack`` the file
is untouched because the engine works on a private copy.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from lab import Lab
from tappaas.automation import Engine, lab_stacks
from tappaas.cli import app
from tappaas.cli.stack import runner
from tests.conftest import REPO
from tests.engine.lab_project import lab_project

pytestmark = pytest.mark.engine
PASSPHRASE = {"PULUMI_CONFIG_PASSPHRASE": "tests-only"}


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.peer.yaml"):
        shutil.copy(REPO / name, project / name)
    return project


def _invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, ["stack", *args], env=env)


def test_run_in_place_the_engine_rewrites_the_stack_file(engine: Engine, tmp_path: Path) -> None:
    """The witness: what ``tappaas stack`` must prevent."""
    project = _project(tmp_path)
    before = (project / "Pulumi.prod.yaml").read_bytes()
    in_place = runner("prod", project, tmp_path / "state")
    in_place.passphrase = PASSPHRASE["PULUMI_CONFIG_PASSPHRASE"]
    with pytest.raises(Exception, match="pveApiToken"):
        in_place.preview()
    after = (project / "Pulumi.prod.yaml").read_bytes()
    assert after != before and b"encryptionsalt" in after


def test_preview_leaves_a_tracked_stack_file_as_written(engine: Engine, tmp_path: Path) -> None:
    project = _project(tmp_path)
    before = {p.name: p.read_bytes() for p in project.iterdir()}
    result = _invoke(
        "preview", "prod", "--dir", str(project), "--backend", str(tmp_path / "state"),
        env=PASSPHRASE,
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert {p.name: p.read_bytes() for p in project.iterdir()} == before
    assert "Error: pulumi preview failed:\nMissing required configuration variable" in (
        result.output
    )
    assert "stdout:" not in result.output and " code: " not in result.output
    assert result.output.count("Missing required configuration variable") == 1


def test_a_policy_error_is_said_once_and_a_good_preview_streams(
    engine: Engine, tmp_path: Path, lab_factory: Callable[..., Lab]
) -> None:
    lab_site = lab_project(engine, tmp_path, lab_factory)
    project, backend = lab_site.directory, lab_site.pulumi.backend_dir
    assert backend is not None
    common = ("--dir", str(project), "--backend", str(backend))

    good = _invoke("preview", lab_stacks.SITE_STACK, *common)
    assert good.exit_code == 0, good.output
    assert "pulumi preview of stack lab (engine" in good.output
    assert "Previewing update (lab)" in good.output

    stack_file = project / f"Pulumi.{lab_stacks.SITE_STACK}.yaml"
    text = stack_file.read_text()
    header = "".join(text.splitlines(keepends=True)[:2])  # the lab stack file's marker lines
    broken = copy.deepcopy(yaml.safe_load(text))
    del broken["config"]["tappaas:site"]["remote"]
    stack_file.write_text(header + yaml.safe_dump(broken))
    written = stack_file.read_bytes()
    bad = _invoke("preview", lab_stacks.SITE_STACK, *common)
    assert bad.exit_code == 1
    assert bad.output.count("[321-offsite] services.nextcloud") == 1, bad.output
    assert "stdout:" not in bad.output
    assert stack_file.read_bytes() == written
