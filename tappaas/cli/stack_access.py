"""What ``status`` and ``drill`` share: the stack's site config and its decrypted credentials."""

from __future__ import annotations

from pathlib import Path

from tappaas.automation import StackReadError
from tappaas.automation.credentials import StackCredentials
from tappaas.cli.errors import InputError
from tappaas.cli.stack import runner
from tappaas.model import ConfigError, SiteConfig, load_stack_file

DEFAULT_BACKEND = Path(".pulumi-state")


def load_site(stack: str, project_dir: Path) -> SiteConfig:
    """``Pulumi.<stack>.yaml`` validated; every problem in one error naming the paths."""
    path = project_dir / f"Pulumi.{stack}.yaml"
    try:
        return load_stack_file(path)
    except ConfigError as error:
        issues = "\n".join(f"  {issue}" for issue in error.issues)
        raise InputError(f"{path}: invalid site config\n{issues}") from None


def credentials(stack: str, project_dir: Path, backend: Path) -> StackCredentials:
    """The stack's secrets and outputs, decrypted by the engine with the passphrase."""
    try:
        return StackCredentials(runner(stack, project_dir, backend))
    except StackReadError as error:
        raise InputError(f"{error} (is PULUMI_CONFIG_PASSPHRASE set, --backend right?)") from None
