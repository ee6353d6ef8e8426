"""Locating the Pulumi engine and the environment that keeps it offline.

Why: the Pulumi CLI's installers download from the internet. ``make setup`` either finds a
``pulumi`` >= 3.272 on PATH or builds one from the Go module proxy into a cache outside the
checkout; this module finds whichever exists and names the environment variables that stop
the engine from reaching out (update check, plugin downloads, the Pulumi Cloud backend).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

MINIMUM_VERSION = (3, 272)
BUILT_VERSION = os.environ.get("TAPPAAS_PULUMI_VERSION", "3.274.1")
DEFAULT_CACHE = Path.home() / ".cache" / "tappaas"


class EngineNotFoundError(RuntimeError):
    """No usable Pulumi engine: run ``make setup``."""


@dataclass(frozen=True)
class Engine:
    """A Pulumi CLI install: ``root/bin/pulumi`` plus the scripts beside it."""

    root: Path
    version: str

    @property
    def pulumi(self) -> Path:
        return self.root / "bin" / "pulumi"

    @property
    def bin_dir(self) -> Path:
        return self.root / "bin"

    def offline_env(
        self,
        backend_dir: Path,
        venv: Path | None = None,
        passphrase: str | None = None,
    ) -> dict[str, str]:
        """Environment for an offline run against a local file backend.

        ``venv`` is the virtualenv that the dynamic-provider host
        (``pulumi-resource-pulumi-python``) runs ``python -m pulumi.dynamic`` from; the
        passphrase is for tests and demos only — real stacks take it from the user.
        """
        venv = venv or Path(sys.prefix)
        env = {
            "PATH": os.pathsep.join([str(self.bin_dir), str(venv / "bin"), os.environ["PATH"]]),
            "PULUMI_BACKEND_URL": file_backend_url(backend_dir),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_RUNTIME_VIRTUALENV": str(venv),
            "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "true",
        }
        if passphrase is not None:
            env["PULUMI_CONFIG_PASSPHRASE"] = passphrase
        return env


FILE_BACKEND_OPTIONS = "metadata=skip"
"""Query of our ``file://`` backend URLs. gocloud's fileblob, which the file backend uses,
replaces a state file atomically (temp file, rename) but rewrites its ``.attrs`` sidecar in
place (gocloud.dev ``blob/fileblob/attrs.go``, ``setAttrs``): an ``up`` killed at that moment
leaves it empty, and every later command fails with "failed to load checkpoint: EOF" (seen
here in the kill test). Pulumi reads none of those attributes, so none are written."""


def file_backend_url(backend_dir: Path) -> str:
    """``PULUMI_BACKEND_URL`` for a local file backend that survives a kill."""
    return f"{backend_dir.resolve().as_uri()}?{FILE_BACKEND_OPTIONS}"


def _version_of(pulumi: Path) -> str | None:
    try:
        out = subprocess.run(
            [str(pulumi), "version"], capture_output=True, text=True, timeout=60, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out.removeprefix("v") or None


def _is_recent(version: str) -> bool:
    match = re.match(r"(\d+)\.(\d+)", version)
    return bool(match) and (int(match[1]), int(match[2])) >= MINIMUM_VERSION  # type: ignore[index]


def find_engine() -> Engine:
    """The engine to use: ``$TAPPAAS_PULUMI_ROOT``, a recent ``pulumi`` on PATH, or the cache."""
    candidates: list[Path] = []
    if root := os.environ.get("TAPPAAS_PULUMI_ROOT"):
        candidates.append(Path(root) / "bin" / "pulumi")
    if on_path := shutil.which("pulumi"):
        candidates.append(Path(on_path).resolve())
    candidates.append(DEFAULT_CACHE / f"pulumi-v{BUILT_VERSION}" / "bin" / "pulumi")
    for pulumi in candidates:
        if pulumi.is_file() and (version := _version_of(pulumi)) and _is_recent(version):
            return Engine(root=pulumi.parent.parent, version=version)
    tried = ", ".join(str(c) for c in candidates)
    raise EngineNotFoundError(
        f"no Pulumi engine >= {'.'.join(map(str, MINIMUM_VERSION))} found (tried {tried}); "
        "run `make setup`"
    )
