"""Reading a stack's secret config values outside a deployment (``pulumi config get``).

Why: a command that reads a system the program does not manage (the drill reads OPNsense's
API) needs its credential, which the stack config holds encrypted. The engine decrypts it
with the stack's secrets provider (``PULUMI_CONFIG_PASSPHRASE`` for the passphrase provider),
exactly as ``pulumi config get`` does; the value stays in memory as a ``SecretStr``.
The stack must exist in the backend; it is selected, never created.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pulumi import automation as auto
from pulumi.automation.errors import CommandError
from pydantic import SecretStr

from tappaas.automation.engine import Engine, EngineNotFoundError, find_engine
from tappaas.automation.stacks import project_name
from tappaas.model.secrets import SecretValueError, clean_secret


class ConfigSecretError(RuntimeError):
    """A secret could not be read: no engine, no such stack, wrong passphrase, no such key."""


def _no_program() -> None:
    """Reading config runs no program."""


def read_config_secrets(
    project_dir: Path,
    stack_name: str,
    keys: Sequence[str],
    backend_dir: Path,
    *,
    engine: Engine | None = None,
    passphrase: str | None = None,
) -> dict[str, SecretStr]:
    """The decrypted values of ``keys`` (``key`` or ``project:key``) in ``stack_name``
    (``passphrase`` if given, else the environment's)."""
    try:
        engine = engine or find_engine()
    except EngineNotFoundError as exc:
        raise ConfigSecretError(str(exc)) from None
    options = auto.LocalWorkspaceOptions(
        work_dir=str(project_dir.resolve()),
        env_vars=engine.offline_env(backend_dir, passphrase=passphrase),
        pulumi_command=auto.PulumiCommand(root=str(engine.root), skip_version_check=True),
    )
    try:
        stack = auto.select_stack(
            stack_name=stack_name,
            project_name=project_name(project_dir),
            program=_no_program,
            opts=options,
        )
        values = {key: stack.get_config(key).value for key in keys}
        return {
            key: SecretStr(clean_secret(value, f"stack config key '{key}' of {stack_name}"))
            for key, value in values.items()
        }
    except SecretValueError as exc:
        raise ConfigSecretError(str(exc)) from None
    except (CommandError, OSError) as exc:
        last = str(exc).strip().splitlines()
        detail = next((line for line in reversed(last) if "error" in line.lower()), "")
        raise ConfigSecretError(
            f"cannot read {', '.join(keys)} from stack {stack_name} "
            f"({detail.strip() or type(exc).__name__}); set PULUMI_CONFIG_PASSPHRASE and "
            f"check `pulumi config get <key> --stack {stack_name}`"
        ) from None
