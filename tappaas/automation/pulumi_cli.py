"""Running the ``pulumi`` CLI itself in a project directory, offline, as a user would.

Plain ``pulumi preview``/``up``/``refresh``/``destroy``: the engine starts the Python language
host, which runs ``__main__.py`` from the project's virtualenv. This module only sets the
environment (``Engine.offline_env`` plus ``SSL_CERT_FILE`` when a CA must be trusted by the
upstream provider, which cannot pin) and streams the output line by line.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tappaas.automation.engine import Engine

LineSink = Callable[[str], None]
CA_FILE_ENV = "SSL_CERT_FILE"
BACKEND_ENV = "PULUMI_BACKEND_URL"


class PulumiCommandError(RuntimeError):
    """A ``pulumi`` command exited non-zero; ``output`` holds what it printed."""

    def __init__(self, command: Sequence[str], code: int, output: str) -> None:
        self.command = list(command)
        self.code = code
        self.output = output
        tail = "\n".join(output.strip().splitlines()[-15:])
        super().__init__(f"`pulumi {' '.join(command)}` failed (exit {code}):\n{tail}")


@dataclass(frozen=True)
class PulumiCli:
    """The ``pulumi`` binary of ``engine``, run in ``project_dir`` against a file backend
    (``backend_dir``), or, without one, the backend the environment names (a CI's)."""

    engine: Engine
    project_dir: Path
    backend_dir: Path | None
    passphrase: str | None = None
    ca_file: Path | None = None
    extra_env: Mapping[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        offline = self.engine.offline_env(self.backend_dir or Path(), passphrase=self.passphrase)
        if self.backend_dir is None:
            del offline[BACKEND_ENV]
        env = {**os.environ, **offline}
        if self.ca_file is not None:
            env[CA_FILE_ENV] = str(self.ca_file)
        env.update(self.extra_env)
        return env

    def run(self, *args: str, on_line: LineSink | None = None, check: bool = True) -> str:
        """Run ``pulumi <args>``, streaming each output line to ``on_line``; the output."""
        if self.backend_dir is not None:
            self.backend_dir.mkdir(parents=True, exist_ok=True)
        process = subprocess.Popen(
            [str(self.engine.pulumi), *args],
            cwd=self.project_dir,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        lines: list[str] = []
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if on_line is not None:
                on_line(line.rstrip("\n"))
        code = process.wait()
        output = "".join(lines)
        if check and code != 0:
            raise PulumiCommandError(args, code, output)
        return output

    def read(self, *args: str) -> str:
        """Run ``pulumi <args>`` for what it prints on stdout alone (JSON, a config value):
        a warning on stderr must not become part of it. Both are in the error."""
        process = subprocess.run(
            [str(self.engine.pulumi), *args],
            cwd=self.project_dir,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if process.returncode != 0:
            raise PulumiCommandError(args, process.returncode, process.stdout + process.stderr)
        return process.stdout

    def up(self, stack: str, on_line: LineSink | None = None, extra: Sequence[str] = ()) -> str:
        return self.run("up", "--stack", stack, "--yes", "--skip-preview", *extra, on_line=on_line)

    def preview(
        self, stack: str, on_line: LineSink | None = None, extra: Sequence[str] = ()
    ) -> str:
        return self.run("preview", "--stack", stack, *extra, on_line=on_line)

    def refresh(
        self, stack: str, on_line: LineSink | None = None, extra: Sequence[str] = ()
    ) -> str:
        return self.run(
            "refresh", "--stack", stack, "--yes", "--skip-preview", *extra, on_line=on_line
        )

    def destroy(
        self, stack: str, on_line: LineSink | None = None, extra: Sequence[str] = ()
    ) -> str:
        return self.run(
            "destroy", "--stack", stack, "--yes", "--skip-preview", *extra, on_line=on_line
        )

    def outputs(self, stack: str, *, show_secrets: bool = False) -> dict[str, Any]:
        """``pulumi stack output --json`` (secrets shown only when asked)."""
        args = ["stack", "output", "--json", "--stack", stack]
        if show_secrets:
            args.append("--show-secrets")
        parsed: dict[str, Any] = json.loads(self.read(*args))
        return parsed

    def set_secret(self, stack: str, key: str, value: str) -> None:
        """``pulumi config set --secret`` (the value goes through stdin, never argv)."""
        process = subprocess.run(
            [str(self.engine.pulumi), "config", "set", "--secret", "--stack", stack, key],
            cwd=self.project_dir,
            env=self.env,
            input=value,
            capture_output=True,
            text=True,
            check=False,
        )
        if process.returncode != 0:
            raise PulumiCommandError(["config", "set", "--secret", key], process.returncode,
                                     process.stdout + process.stderr)  # fmt: skip
