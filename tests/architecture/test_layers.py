"""The layers are visible in the imports: nothing runs back up, the lab stays apart.

program → components → providers → pbs/pve operations → client; the readers of live state
(observe) and the restore drills (drill) use the operations too; the internet drill →
opnsense (read-only) → client's TLS pinning; model, policy, schedule, health and rental are
pure; the lab is a separate world that only the lab's own CLI commands load.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

PURE = (
    "tappaas/model",
    "tappaas/policy",
    "tappaas/schedule",
    "tappaas/health",
    "tappaas/rental",
    "tappaas/adopt",
)
IMPURE = ("pulumi", "pulumi_proxmoxve", "proxmoxer", "requests", "urllib3", "providers")
LAB_LOADERS = {"tappaas/cli/lab_demo.py"}
# Which internal packages each layer may import (besides the pure ones and itself).
ALLOWED = {
    "tappaas/client": set(),
    "tappaas/pbs": {"tappaas.client", "tappaas.wire", "tappaas.section"},
    "tappaas/pve": {"tappaas.client", "tappaas.wire", "tappaas.section"},
    "providers": {
        "tappaas.client",
        "tappaas.pbs",
        "tappaas.pve",
        "tappaas.wire",
        "tappaas.section",
    },
    "tappaas/components": {"providers", "tappaas.client"},
    "tappaas/observe": {"tappaas.client", "tappaas.pbs", "tappaas.pve", "tappaas.wire"},
    "tappaas/drill": {"tappaas.client", "tappaas.pbs", "tappaas.pve", "tappaas.wire"},
    "tappaas/opnsense": {"tappaas.client"},
    "tappaas/internet": {"tappaas.opnsense"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _files(folder: str) -> list[Path]:
    root = REPO / folder
    return sorted(root.rglob("*.py")) if root.is_dir() else [root]


def _rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


@pytest.mark.parametrize("folder", PURE)
def test_pure_layers_import_no_pulumi_or_http(folder: str) -> None:
    offenders = {
        _rel(f): sorted(i for i in _imports(f) if i.split(".")[0] in IMPURE) for f in _files(folder)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_the_lab_commands_import_the_lab() -> None:
    product = _files("tappaas")
    product += _files("providers")
    importers = {_rel(f) for f in product if any(i.split(".")[0] == "lab" for i in _imports(f))}
    assert importers <= LAB_LOADERS, importers - LAB_LOADERS


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_no_import_runs_back_up(layer: str) -> None:
    internal = ("tappaas", "providers")
    own = layer.replace("/", ".")
    pure = {p.replace("/", ".") for p in PURE}
    bad: dict[str, list[str]] = {}
    for path in _files(layer):
        for name in _imports(path):
            if name.split(".")[0] not in internal or name.startswith(own):
                continue
            if name in ("tappaas",) or any(name.startswith(p) for p in pure):
                continue
            if not any(name == a or name.startswith(a + ".") for a in ALLOWED[layer]):
                bad.setdefault(_rel(path), []).append(name)
    assert bad == {}


def test_the_client_alone_talks_to_proxmoxer() -> None:
    users = {
        _rel(f)
        for folder in ("tappaas", "providers")
        for f in _files(folder)
        if any(i.split(".")[0] == "proxmoxer" for i in _imports(f))
    }
    assert users == {"tappaas/client/client.py"}
