"""Reading a stack's secret config values outside a deployment (``pulumi config get``).

Why: a command that reads a system the program does not manage (the drill reads OPNsense's
API) needs its credential, which the stack config holds encrypted. The engine decrypts it
with the stack's secrets provider (``PULUMI_CONFIG_PASSPHRASE`` for the passphrase provider),
exactly as ``pulumi config get`` does; the value stays in memory as a ``SecretStr``.
The stack must exist in the backend; it is neither selected nor created.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from pydantic import SecretStr

from tappaas.automation.engine import Engine, EngineNotFoundError, find_engine
from tappaas.automation.pulumi_cli import PulumiCli, PulumiCommandError
from tappaas.automation.stacks import project_name
from tappaas.model.secrets import SecretValueError, clean_secret


class ConfigSecretError(RuntimeError):
    """A secret could not be read: no engine, no such stack, wrong passphrase, no such key."""


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
    (``passphrase`` if given, else the environment's): one ``pulumi config --json
    --show-secrets --stack``, which neither selects the stack nor puts a value on a command
    line."""
    try:
        engine = engine or find_engine()
    except EngineNotFoundError as exc:
        raise ConfigSecretError(str(exc)) from None
    pulumi = PulumiCli(engine, project_dir.resolve(), backend_dir, passphrase=passphrase)
    try:
        config = json.loads(
            pulumi.read("config", "--json", "--show-secrets", "--stack", stack_name)
        )
    except (PulumiCommandError, OSError, ValueError) as exc:
        last = str(exc).strip().splitlines()
        detail = next((line for line in reversed(last) if "error" in line.lower()), "")
        raise ConfigSecretError(
            f"cannot read {', '.join(keys)} from stack {stack_name} "
            f"({detail.strip() or type(exc).__name__}); set PULUMI_CONFIG_PASSPHRASE and "
            f"check `pulumi config get <key> --stack {stack_name}`"
        ) from None
    project = project_name(project_dir)
    values: dict[str, SecretStr] = {}
    for key in keys:
        entry = config.get(key if ":" in key else f"{project}:{key}")
        if not isinstance(entry, dict) or not isinstance(entry.get("value"), str):
            raise ConfigSecretError(
                f"stack {stack_name} has no config key '{key}' "
                f"(`pulumi config set --secret {key} <value> --stack {stack_name}`)"
            )
        try:
            where = f"stack config key '{key}' of {stack_name}"
            values[key] = SecretStr(clean_secret(entry["value"], where))
        except SecretValueError as exc:
            raise ConfigSecretError(str(exc)) from None
    return values
