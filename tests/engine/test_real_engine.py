"""The engine is real: preview, up, no-change up, refresh and destroy of a dynamic resource."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tappaas.automation import Engine
from tests.engine.programs import plain, program_runner, secret, state_file

pytestmark = pytest.mark.engine

PROGRAM = Path(__file__).parent / "echo_program"
SECRET = "s3cr3t-token-that-must-not-leak-9f1c"


def test_full_lifecycle_with_a_secret(engine: Engine, tmp_path: Path) -> None:
    runner = program_runner(engine, PROGRAM, "echo_program", tmp_path, "probe")
    runner.stack.set_config("token", secret(SECRET))
    runner.stack.set_config("message", plain("hello engine"))

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

    raw = state_file(runner).read_text()
    assert SECRET not in raw
    deployment = json.loads(raw)["checkpoint"]["latest"]
    echo = next(r for r in deployment["resources"] if r["urn"].endswith("::probe"))
    assert echo["outputs"]["message"] == "hello engine"
    assert "__provider" in echo["outputs"]  # pickled provider: must not hold the secret either

    destroy = runner.destroy()
    assert destroy.summary.resource_changes == {"delete": 2}
    after = json.loads(state_file(runner).read_text())["checkpoint"]["latest"]
    assert not after.get("resources")
