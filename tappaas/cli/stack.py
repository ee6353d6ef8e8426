"""``tappaas stack …``: run a stack of this project with the real engine, offline.

``pulumi up`` needs the CLI's Python language host, which cannot be built offline (the Go
module proxy refuses its module); these commands run the same program through the Automation
API instead (``tappaas.automation``), against a local file backend. With a normal Pulumi
install, ``pulumi preview``/``up`` work as usual and these commands are a convenience.
``lab-files`` writes the lab's stack files from the lab's endpoint file.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import time
from pathlib import Path
from typing import Annotated

import typer
from pulumi.automation import ConfigValue
from pulumi.automation.errors import CommandError

from tappaas.automation import EngineNotFoundError, StackRunner, find_engine, lab_stacks
from tappaas.model import load_site_config
from tappaas.program import main as program_main

DEFAULT_BACKEND = Path(".pulumi-state")
LAB_PASSPHRASE = "tappaas-lab-only"
"""Used for the lab stacks when ``PULUMI_CONFIG_PASSPHRASE`` is unset; never for real sites."""

app = typer.Typer(
    help="Run a stack with the real Pulumi engine (offline).",
    no_args_is_help=True,
    add_completion=False,
)

Dir = Annotated[Path, typer.Option("--dir", help="Project directory (holds Pulumi.yaml).")]
Backend = Annotated[Path, typer.Option("--backend", help="Local state backend directory.")]


def runner(stack: str, project_dir: Path, backend: Path) -> StackRunner:
    """The stack with ``tappaas.program.main`` as its inline program."""
    try:
        engine = find_engine()
    except EngineNotFoundError as exc:
        raise typer.BadParameter(str(exc)) from None
    passphrase = os.environ.get("PULUMI_CONFIG_PASSPHRASE")
    if passphrase is None and stack.startswith("lab"):
        passphrase = LAB_PASSPHRASE
    return StackRunner(
        project_dir=project_dir.resolve(),
        stack_name=stack,
        program=program_main,
        engine=engine,
        backend_dir=(project_dir / backend).resolve() if not backend.is_absolute() else backend,
        passphrase=passphrase,
    )


def _run(operation: str, stack: str, project_dir: Path, backend: Path) -> None:
    target = runner(stack, project_dir, backend)
    action = getattr(target, operation)
    try:
        action(on_output=typer.echo)
    except CommandError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None


@app.command()
def preview(stack: str, project_dir: Dir = Path(), backend: Backend = DEFAULT_BACKEND) -> None:
    """Show what ``up`` would change (fails on config and policy errors)."""
    _run("preview", stack, project_dir, backend)


@app.command()
def up(stack: str, project_dir: Dir = Path(), backend: Backend = DEFAULT_BACKEND) -> None:
    """Create or update the stack's resources."""
    _run("up", stack, project_dir, backend)


@app.command()
def refresh(stack: str, project_dir: Dir = Path(), backend: Backend = DEFAULT_BACKEND) -> None:
    """Read every resource back into the state."""
    _run("refresh", stack, project_dir, backend)


@app.command()
def destroy(stack: str, project_dir: Dir = Path(), backend: Backend = DEFAULT_BACKEND) -> None:
    """Delete the stack's resources (protected datastores and pools refuse)."""
    _run("destroy", stack, project_dir, backend)


def lab_encryption_key() -> str:
    """A PBS client key file (unprotected, ``kdf: null``) for the lab's encryption secret."""
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return json.dumps({"kdf": None, "created": created, "modified": created, "data": key})


def write_lab_stacks(lab_file: Path, project_dir: Path, backend: Path) -> list[str]:
    """Write the three lab stack files and put the lab's secrets into their encrypted config."""
    lab = lab_stacks.read_lab_file(lab_file)
    site = lab_stacks.site_config(project_dir, lab)
    peer = lab_stacks.peer_config(project_dir, lab, guest=site["name"])
    peer_model = load_site_config(peer)
    assert peer_model.peer is not None and peer_model.backup is not None
    guest = peer_model.peer.guests[site["name"]]
    recovery = lab_stacks.recovery_config(
        project_dir, lab, site["name"], guest.namespace, peer_model.backup.pbs.datastore
    )
    stacks = {
        lab_stacks.SITE_STACK: (site, "Pulumi.prod.yaml"),
        lab_stacks.PEER_STACK: (peer, "Pulumi.peer.yaml"),
        lab_stacks.RECOVERY_STACK: (recovery, "Pulumi.prod.yaml"),
    }
    if lab_stacks.SPARE in lab:
        cloud = lab_stacks.cloud_config(
            project_dir, lab, guest.namespace, peer_model.backup.pbs.datastore
        )
        stacks[lab_stacks.CLOUD_STACK] = (cloud, "Pulumi.cloud.yaml")
    tokens = {
        key: lab[name].token_secret for name, key in lab_stacks.SECRET_KEYS.items() if name in lab
    }
    tokens[lab_stacks.ENCRYPTION_KEY] = lab_encryption_key()
    tokens[lab_stacks.RECOVERY_READER_KEY] = lab["peer"].token_secret
    for stack, (config, source) in stacks.items():
        lab_stacks.write_stack_file(project_dir / f"Pulumi.{stack}.yaml", config, source, lab_file)
        target = runner(stack, project_dir, backend).stack
        for key, value in tokens.items():
            target.set_config(key, ConfigValue(value=value, secret=True))
    return list(stacks)


@app.command("lab-files")
def lab_files(
    lab_file: Annotated[Path, typer.Option(help="The lab's endpoint file.")] = Path(
        ".lab/lab.json"
    ),
    project_dir: Dir = Path(),
    backend: Backend = DEFAULT_BACKEND,
) -> None:
    """Write Pulumi.lab.yaml, Pulumi.lab-peer.yaml, Pulumi.lab-recovery.yaml (and, with a
    spare PVE instance, Pulumi.lab-cloud.yaml) for the lab."""
    written = write_lab_stacks(lab_file, project_dir, backend)
    typer.echo("wrote " + ", ".join(f"Pulumi.{s}.yaml" for s in written))
