"""A stack's secrets are encrypted with a passphrase: every command that runs the engine on
a stack (``stack …``, ``peer …``) needs one, and says how to give it before anything runs.

Light on purpose (the lab-file check loads with the command that needs it).
"""

from __future__ import annotations

import os
from pathlib import Path

from tappaas.cli.errors import InputError

PASSPHRASE_VARIABLES = ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE")


def require_passphrase(project_dir: Path, stack: str) -> None:
    """A passphrase is set, or the stack file is one ``lab-files`` wrote (the lab's own
    passphrase, ``lab_stacks.passphrase_for``); else an input error saying how to set it."""
    from tappaas.automation import lab_stacks  # noqa: PLC0415  (loads Pulumi)

    if lab_stacks.is_lab_stack_file(project_dir / f"Pulumi.{stack}.yaml"):
        return
    if any(os.environ.get(v) for v in PASSPHRASE_VARIABLES):
        return
    raise InputError(
        f"stack {stack}'s secrets are encrypted with a passphrase, and none is set: "
        "export PULUMI_CONFIG_PASSPHRASE='<passphrase>' (or PULUMI_CONFIG_PASSPHRASE_FILE="
        "<file holding it>) and run again; use the passphrase the stack was created with"
    )
