"""The engine is real: preview, up, no-change up, refresh and destroy of a dynamic resource."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from tappaas.automation import Engine, StackRunner

pytestmark = pytest.mark.engine

PROGRAM = Path(__file__).parent / "echo_program"
SECRET = "s3cr3t-token-that-must-not-leak-9f1c"


def _load_program(workdir: Path):
    import importlib.util
    import sys

    sys.path.insert(0, str(workdir))
    spec = importlib.util.spec_from_file_location("echo_program", workdir / "echo_program.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def test_full_lifecycle_with_a_secret(engine: Engine, tmp_path: Path) -> None:
    workdir = tmp_path / "echo"
    shutil.copytree(PROGRAM, workdir)
    backend = tmp_path / "state"
    runner = StackRunner(
        project_dir=workdir,
        stack_name="probe",
        program=_load_program(workdir),
        engine=engine,
        backend_dir=backend,
        passphrase="test-only-passphrase",
        extra_env={"PYTHONPATH": str(workdir)},
    )
    runner.stack.set_config("token", _secret_value())
    runner.stack.set_config("message", _plain("hello engine"))

    preview = runner.preview()
    assert preview.change_summary.get("create") == 2  # the stack and the echo resource

    up = runner.up()
    assert up.summary.result == "succeeded"
    assert up.outputs["message"].value == "hello engine"
    assert up.outputs["token_sha256"].value == hashlib.sha256(SECRET.encode()).hexdigest()
    assert up.outputs["token"].secret is True

    again = runner.up()
    assert again.summary.resource_changes == {"same": 2}

    refresh = runner.refresh()
    assert refresh.summary.result == "succeeded"
    assert set(refresh.summary.resource_changes or {}) == {"same"}

    state_files = list(backend.rglob("probe.json"))
    assert len(state_files) == 1, state_files
    raw = state_files[0].read_text()
    assert SECRET not in raw
    deployment = json.loads(raw)["checkpoint"]["latest"]
    echo = next(r for r in deployment["resources"] if r["urn"].endswith("::probe"))
    assert echo["outputs"]["message"] == "hello engine"
    assert "__provider" in echo["outputs"]  # pickled provider: must not hold the secret either

    destroy = runner.destroy()
    assert destroy.summary.resource_changes == {"delete": 2}
    after = json.loads(state_files[0].read_text())["checkpoint"]["latest"]
    assert not after.get("resources")


def _secret_value():
    from pulumi.automation import ConfigValue

    return ConfigValue(value=SECRET, secret=True)


def _plain(value: str):
    from pulumi.automation import ConfigValue

    return ConfigValue(value=value)
