"""Running a test program folder under the real engine, with a state backend of its own."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from pulumi.automation import ConfigValue

from lab import Lab
from tappaas.automation import Engine, StackRunner
from tappaas.cli.stack import write_lab_stacks
from tests.conftest import REPO

TEST_PASSPHRASE = "test-only-passphrase"
PROJECT_FILES = ("Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.peer.yaml")


def load_main(workdir: Path, module: str) -> Callable[[], None]:
    """The ``main`` of ``workdir/<module>.py``; ``workdir`` goes on ``sys.path`` for its imports."""
    if str(workdir) not in sys.path:
        sys.path.insert(0, str(workdir))
    spec = importlib.util.spec_from_file_location(module, workdir / f"{module}.py")
    assert spec and spec.loader
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    main: Callable[[], None] = loaded.main
    return main


def program_runner(
    engine: Engine, source: Path, module: str, tmp_path: Path, stack: str
) -> StackRunner:
    """A copy of the program folder under ``tmp_path``, one stack, a file backend there too."""
    workdir = tmp_path / source.name
    shutil.copytree(source, workdir)
    return StackRunner(
        project_dir=workdir,
        stack_name=stack,
        program=load_main(workdir, module),
        engine=engine,
        backend_dir=tmp_path / "state",
        passphrase=TEST_PASSPHRASE,
        extra_env={"PYTHONPATH": str(workdir)},
    )


def secret(value: str) -> ConfigValue:
    return ConfigValue(value=value, secret=True)


def plain(value: str) -> ConfigValue:
    return ConfigValue(value=value)


def state_file(runner: StackRunner) -> Path:
    """The stack's checkpoint file in the local backend."""
    found = list(runner.backend_dir.rglob(f"{runner.stack_name}.json"))
    assert len(found) == 1, found
    return found[0]


Lifecycle = Callable[[StackRunner], None]


def lab_project(tmp_path: Path, lab: Lab) -> tuple[Path, Path]:
    """The project's stack files in ``tmp_path``, with lab stacks written for ``lab``."""
    project = tmp_path / "project"
    project.mkdir()
    for name in PROJECT_FILES:
        shutil.copy(REPO / name, project / name)
    lab_file = project / ".lab" / "lab.json"
    lab_file.parent.mkdir()
    lab_file.write_text(json.dumps({"endpoints": [e.to_dict() for e in lab.endpoints()]}))
    backend = project / ".state"
    write_lab_stacks(lab_file, project, backend)
    return project, backend
