"""Selecting a stack of a project and running it with the real engine.

Why: offline, the Pulumi CLI's Python language host cannot be built (the Go module proxy
refuses its module), so ``pulumi up`` cannot launch ``__main__.py`` itself. The Automation
API's inline programs host the language runtime in this process and drive the same engine
(``pulumi preview/up/refresh/destroy --client``), with the project's ``Pulumi.yaml`` and
``Pulumi.<stack>.yaml`` as usual. With a normal Pulumi install, plain ``pulumi up`` works too.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

from tappaas.automation.engine import Engine

Program = Callable[[], None]


def project_name(project_dir: Path) -> str:
    """The ``name`` of the project's Pulumi.yaml."""
    with (project_dir / "Pulumi.yaml").open() as fh:
        return str(yaml.safe_load(fh)["name"])


@dataclass
class StackRunner:
    """One stack of one project, driven through the engine with an inline program."""

    project_dir: Path
    stack_name: str
    program: Program
    engine: Engine
    backend_dir: Path
    passphrase: str | None = None
    extra_env: Mapping[str, str] = field(default_factory=dict)
    _stack: auto.Stack | None = None

    @property
    def env(self) -> dict[str, str]:
        env = self.engine.offline_env(self.backend_dir, passphrase=self.passphrase)
        env.update(self.extra_env)
        return env

    @property
    def stack(self) -> auto.Stack:
        if self._stack is None:
            self.backend_dir.mkdir(parents=True, exist_ok=True)
            workspace = auto.LocalWorkspaceOptions(
                work_dir=str(self.project_dir),
                env_vars=self.env,
                pulumi_command=auto.PulumiCommand(
                    root=str(self.engine.root), skip_version_check=True
                ),
            )
            self._stack = auto.create_or_select_stack(
                stack_name=self.stack_name,
                project_name=project_name(self.project_dir),
                program=self.program,
                opts=workspace,
            )
        return self._stack

    def preview(self, on_output: Callable[[str], None] | None = None) -> auto.PreviewResult:
        return self.stack.preview(on_output=on_output, diff=True)

    def up(self, on_output: Callable[[str], None] | None = None) -> auto.UpResult:
        return self.stack.up(on_output=on_output)

    def refresh(self, on_output: Callable[[str], None] | None = None) -> auto.RefreshResult:
        return self.stack.refresh(on_output=on_output)

    def destroy(self, on_output: Callable[[str], None] | None = None) -> auto.DestroyResult:
        return self.stack.destroy(on_output=on_output)

    def _read(self, *args: str, stack: str | None = None) -> Any:
        """Run a read-only ``pulumi`` command for ``stack`` (default: this one), parse its JSON.

        Nothing is selected or created (``--stack`` names the stack), so reading writes nothing;
        a wrong passphrase or a missing stack raises ``StackReadError`` with the engine's words.
        """
        command = [str(self.engine.pulumi), *args, "--json", "--stack", stack or self.stack_name]
        done = subprocess.run(
            command,
            cwd=self.project_dir,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            reason = (done.stderr or done.stdout).strip().splitlines()
            raise StackReadError(
                f"cannot read stack {stack or self.stack_name}: {reason[-1] if reason else '?'}"
            )
        return json.loads(done.stdout or "null")

    def config_values(self) -> dict[str, Any]:
        """The stack's config with secrets decrypted (``pulumi config --show-secrets``)."""
        raw = self._read("config", "--show-secrets") or {}
        return {key: entry.get("objectValue", entry.get("value")) for key, entry in raw.items()}

    def outputs_of(self, stack: str | None = None) -> dict[str, Any]:
        """A stack's outputs with secrets decrypted (``pulumi stack output --show-secrets``);
        another stack of the same backend (a peer stack) when ``stack`` names it."""
        return dict(self._read("stack", "output", "--show-secrets", stack=stack) or {})

    def resource_outputs(self, name: str) -> dict[str, Any]:
        """The outputs of resource ``name`` with secrets decrypted (``pulumi stack export
        --show-secrets``): what an operator holding the passphrase can read, e.g. a token the
        program minted for a system it does not manage itself."""
        exported = subprocess.run(
            [str(self.engine.pulumi), "stack", "export", "--show-secrets", "--stack",
             self.stack_name],
            cwd=self.project_dir,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            check=True,
        ).stdout  # fmt: skip
        resources = json.loads(exported)["deployment"].get("resources") or []
        for resource in resources:
            if resource["urn"].endswith(f"::{name}"):
                outputs = resource.get("outputs", {})
                return {key: _reveal(value) for key, value in outputs.items()}
        raise KeyError(f"stack {self.stack_name} has no resource named {name!r}")


class StackReadError(RuntimeError):
    """A stack's config or outputs could not be read (wrong passphrase, no such stack)."""


SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"
"""The key Pulumi marks secret values with in an exported deployment."""


def _reveal(value: Any) -> Any:
    """An exported secret (``{<sig>: …, "plaintext": "<json>"}``) as its plain value."""
    if isinstance(value, dict) and SECRET_SIGNATURE in value and "plaintext" in value:
        return json.loads(value["plaintext"])
    return value
