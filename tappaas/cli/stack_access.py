"""What ``status`` and ``drill`` share: the stack's site config and its decrypted credentials.

Reading is read-only: the stack files are never rewritten (the engine reads them from a
private copy, as ``tappaas stack`` runs them), and nothing is selected or created in the
backend. A lab stack file (``lab_stacks.LAB_MARKER``) gets the lab passphrase when none is
set; any other stack needs ``PULUMI_CONFIG_PASSPHRASE``, as for ``pulumi up``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tappaas.automation import StackReadError
from tappaas.automation.credentials import MissingCredentialError, StackCredentials
from tappaas.cli.errors import InputError
from tappaas.cli.passphrase import require_passphrase
from tappaas.cli.stack import private_copy, require_stack_file, runner
from tappaas.model import ConfigError, SiteConfig, load_stack_file

DEFAULT_BACKEND = Path(".pulumi-state")


def load_site(stack: str, project_dir: Path) -> SiteConfig:
    """``Pulumi.<stack>.yaml`` validated; every problem in one error naming the paths."""
    path = require_stack_file(project_dir, stack)
    try:
        return load_stack_file(path)
    except ConfigError as error:
        issues = "\n".join(f"  {issue}" for issue in error.issues)
        raise InputError(f"{path}: invalid site config\n{issues}") from None


@contextmanager
def credentials(
    stack: str, project_dir: Path, backend: Path, *others: str
) -> Iterator[dict[str, StackCredentials]]:
    """The secrets and outputs of ``stack`` and ``others`` (e.g. a recovery stack), by stack
    name, decrypted by the engine with the passphrase; read in a private copy of the project's
    stack files (a stack a peer stack references is read from the same backend)."""
    names = list(dict.fromkeys((stack, *others)))
    for name in names:
        require_stack_file(project_dir, name)
        require_passphrase(project_dir, name)
    state = backend if backend.is_absolute() else project_dir / backend
    if not state.is_dir():
        raise InputError(
            f"no stack state in {state}: give --backend the folder `pulumi up` keeps the "
            "stack's state in (PULUMI_BACKEND_URL=file://<folder>)"
        )
    every = [p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml")]
    with private_copy(project_dir, stack, *names, *every) as work_dir:
        try:
            yield {
                name: StackCredentials(runner(name, project_dir, backend, work_dir))
                for name in names
            }
        except StackReadError as error:
            raise InputError(f"{error} (is PULUMI_CONFIG_PASSPHRASE right, --backend?)") from None
        except MissingCredentialError as error:
            raise InputError(str(error)) from None
