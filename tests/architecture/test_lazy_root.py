"""The root command loads a command's module only when it runs, and nothing heavy before.

Checked in a fresh interpreter (imports are process-wide): what ``sys.modules`` holds after
``tappaas --help``, ``tappaas check --help`` and a real ``tappaas check``. Pulumi, the
components, the HTTP stack and the lab take seconds to import on a small machine; a user
asking for help or checking a stack file needs none of them.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tappaas.cli import COMMANDS
from tests.conftest import REPO

PROBE = """
import json, sys
from tappaas.cli import main
sys.argv = ["tappaas", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
print("\\nLOADED " + json.dumps(sorted(sys.modules)))
"""
HEAVY = ("pulumi", "pulumi_proxmoxve", "lab", "providers", "proxmoxer", "requests", "urllib3")
COMMAND_MODULES = {entry.module for entry in COMMANDS.values()}


def loaded_after(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    marker = done.stdout.rindex("\nLOADED ")
    return set(json.loads(done.stdout[marker + len("\nLOADED ") :]))


def tops(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_root_help_imports_no_command_module_and_nothing_heavy() -> None:
    modules = loaded_after("--help")
    assert modules & COMMAND_MODULES == set()
    assert tops(modules) & {*HEAVY, "rich", "yaml", "pydantic"} == set()
    assert not any(name.startswith(("tappaas.model", "tappaas.policy")) for name in modules)


def test_check_help_imports_its_module_only() -> None:
    modules = loaded_after("check", "--help")
    assert modules & COMMAND_MODULES == {"tappaas.cli.check"}
    assert tops(modules) & {*HEAVY, "rich", "yaml"} == set()
    assert not any(name.startswith(("tappaas.model", "tappaas.policy")) for name in modules)


@pytest.mark.parametrize("stack", ["Pulumi.prod.yaml", "Pulumi.peer.yaml"])
def test_a_check_loads_no_pulumi_and_no_lab(stack: str) -> None:
    modules = loaded_after("check", stack)
    assert "tappaas.policy" in modules
    assert modules & COMMAND_MODULES == {"tappaas.cli.check"}
    assert tops(modules) & set(HEAVY) == set()
    assert not any(
        name.startswith(("tappaas.components", "tappaas.automation")) for name in modules
    )
