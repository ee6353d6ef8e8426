"""``tappaas stack …``: run a stack of this project with the real engine, offline.

Plain ``pulumi preview``/``up`` in the project directory is the interface; these commands run
the same program through the Automation API (``tappaas.automation``) as a convenience, against
a local file backend. ``lab-files`` writes the lab's stack files from the lab's endpoint file,
and ``env`` prints the exports plain ``pulumi`` needs offline.

The stack file must exist (it is never created here), and the engine works on a private copy
of it: Pulumi rewrites the file it runs (adds ``encryptionsalt``, re-spaces comments), and a
tracked ``Pulumi.<stack>.yaml`` stays exactly as its author wrote it. The engine's output is
shown as it comes; a failure ends with the engine's errors, once.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import shlex
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pulumi.automation import ConfigValue
from pulumi.automation.errors import CommandError

from tappaas.automation import EngineNotFoundError, StackRunner, find_engine, lab_stacks
from tappaas.automation.engine import file_backend_url
from tappaas.automation.pulumi_cli import CA_FILE_ENV
from tappaas.cli.engine_output import EngineOutput
from tappaas.cli.errors import InputError, OperationFailed
from tappaas.cli.passphrase import require_passphrase
from tappaas.model import load_site_config, load_stack_file
from tappaas.program import main as program_main

DEFAULT_BACKEND = Path(".pulumi-state")
MASTER_KEY_BITS = 2048
LAB_PASSPHRASE = lab_stacks.LAB_PASSPHRASE

app = typer.Typer(
    help="Run a stack with the real Pulumi engine (offline).",
    no_args_is_help=True,
    add_completion=False,
)

Dir = Annotated[Path, typer.Option("--dir", help="Project directory (holds Pulumi.yaml).")]
Backend = Annotated[Path, typer.Option("--backend", help="Local state backend directory.")]
Stack = Annotated[
    str,
    typer.Argument(help="Stack name: runs Pulumi.<STACK>.yaml of the project.", show_default=False),
]


def runner(
    stack: str, project_dir: Path, backend: Path, work_dir: Path | None = None
) -> StackRunner:
    """The stack with ``tappaas.program.main`` as its inline program; the engine works in
    ``work_dir`` (default: the project folder), the state stays in ``backend``. A lab stack
    file (``lab_stacks.LAB_MARKER``, read in the project folder) gets the lab passphrase when
    none is set, and the lab CA for the upstream provider."""
    try:
        engine = find_engine()
    except EngineNotFoundError as exc:
        raise InputError(str(exc)) from None
    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    passphrase = lab_stacks.passphrase_for(stack_file)
    ca_file = lab_stacks.ca_file_of_stack(stack_file)
    return StackRunner(
        project_dir=(work_dir or project_dir).resolve(),
        stack_name=stack,
        program=program_main,
        engine=engine,
        backend_dir=(project_dir / backend).resolve() if not backend.is_absolute() else backend,
        passphrase=passphrase,
        extra_env={CA_FILE_ENV: str(ca_file.resolve())} if ca_file is not None else {},
    )


def require_stack_file(project_dir: Path, stack: str) -> Path:
    """``Pulumi.<stack>.yaml`` in the project, or an input error naming it (never created)."""
    if not (project_dir / "Pulumi.yaml").is_file():
        raise InputError(f"no Pulumi.yaml in {project_dir}: give --dir the project folder")
    path = project_dir / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        found = sorted(
            p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml")
        )
        there = f" (stacks there: {', '.join(found)})" if found else ""
        raise InputError(
            f"no stack file {path}{there}: write it first (the examples show the shape; "
            "`tappaas check` validates it)"
        )
    return path


@contextmanager
def private_copy(project_dir: Path, stack: str) -> Iterator[Path]:
    """A temporary folder holding copies of ``Pulumi.yaml`` and the stack file, for the engine
    to rewrite as it likes; the originals are left untouched."""
    with tempfile.TemporaryDirectory(prefix="tappaas-stack-") as folder:
        for name in ("Pulumi.yaml", f"Pulumi.{stack}.yaml"):
            shutil.copy2(project_dir / name, folder)
        yield Path(folder)


def _run(operation: str, stack: str, project_dir: Path, backend: Path) -> None:
    project_dir = project_dir.resolve()
    require_stack_file(project_dir, stack)
    require_passphrase(project_dir, stack)
    with private_copy(project_dir, stack) as work_dir:
        target = runner(stack, project_dir, backend, work_dir)
        typer.echo(
            f"pulumi {operation} of stack {stack} (engine {target.engine.version}, "
            f"state in {target.backend_dir})",
            err=True,
        )
        output = EngineOutput(typer.echo)
        try:
            getattr(target, operation)(on_output=output)
        except CommandError as exc:
            raise OperationFailed(output.failure(str(exc), f"pulumi {operation}")) from None


@app.command()
def preview(stack: Stack, project_dir: Dir = Path(), backend: Backend = DEFAULT_BACKEND) -> None:
    """Show what up would change (fails on config and policy errors)."""
    _run("preview", stack, project_dir, backend)


@app.command()
def up(stack: Stack, project_dir: Dir = Path(), backend: Backend = DEFAULT_BACKEND) -> None:
    """Create or update the stack's resources."""
    _run("up", stack, project_dir, backend)


@app.command()
def refresh(stack: Stack, project_dir: Dir = Path(), backend: Backend = DEFAULT_BACKEND) -> None:
    """Read every resource back into the state."""
    _run("refresh", stack, project_dir, backend)


@app.command()
def destroy(stack: Stack, project_dir: Dir = Path(), backend: Backend = DEFAULT_BACKEND) -> None:
    """Delete the stack's resources (protected datastores and pools refuse)."""
    _run("destroy", stack, project_dir, backend)


def lab_encryption_key() -> str:
    """A PBS client key file (unprotected, ``kdf: null``, as ``proxmox-backup-client key
    create --kdf none`` writes it) for the lab's encryption secret."""
    key = secrets.token_bytes(32)
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    fingerprint = hashlib.sha256(key).digest().hex(":")
    document = {
        "kdf": None,
        "created": created,
        "modified": created,
        "data": base64.b64encode(key).decode(),
        "fingerprint": fingerprint,
    }
    return json.dumps(document)


def lab_master_pubkey() -> str:
    """The PEM of a fresh RSA public key (``proxmox-backup-client key create-master-key``
    writes such a pair; the lab throws the private half away)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=MASTER_KEY_BITS)
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem.decode()


def write_lab_stacks(lab_file: Path, project_dir: Path, backend: Path) -> list[str]:
    """Write the lab stack files (three; four with a ``cloud-pve`` cluster) and put into each
    stack's encrypted config the lab secrets that stack uses, and no other (the recovery
    reader comes from the peer stack)."""
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
    if lab_stacks.CLOUD_CLUSTER in lab.endpoints:
        cloud = lab_stacks.cloud_config(
            project_dir, lab, guest.namespace, peer_model.backup.pbs.datastore
        )
        stacks[lab_stacks.CLOUD_STACK] = (cloud, "Pulumi.cloud.yaml")
    needed = {key for stack in stacks for key in lab_stacks.STACK_SECRETS[stack]}
    values = {
        key: lab[name].token_secret for name, key in lab_stacks.SECRET_KEYS.items() if key in needed
    }
    values[lab_stacks.ENCRYPTION_KEY] = lab_encryption_key()
    values[lab_stacks.PEER_ENCRYPTION_KEY] = lab_encryption_key()
    values[lab_stacks.MASTER_PUBKEY] = lab_master_pubkey()
    for stack, (config, source) in stacks.items():
        lab_stacks.write_stack_file(project_dir / f"Pulumi.{stack}.yaml", config, source, lab_file)
        target = runner(stack, project_dir, backend).stack
        target.set_all_config(  # one `pulumi config set-all` per stack
            {
                key: ConfigValue(value=values[key], secret=True)
                for key in lab_stacks.STACK_SECRETS[stack]
            }
        )
    return list(stacks)


@app.command("lab-files")
def lab_files(
    lab_file: Annotated[Path, typer.Option(help="The lab's endpoint file.")] = Path(
        ".lab/lab.json"
    ),
    project_dir: Dir = Path(),
    backend: Backend = DEFAULT_BACKEND,
) -> None:
    """Write Pulumi.lab.yaml, Pulumi.lab-peer.yaml and Pulumi.lab-recovery.yaml (and, with a
    cloud-pve cluster, Pulumi.lab-cloud.yaml) for the lab, and give the lab's cluster the
    site's running VMs (as a real site has them)."""
    if not lab_file.is_file():
        raise InputError(
            f"no lab file {lab_file}: start the lab first (tappaas lab up --detach), or give "
            "--lab-file"
        )
    written = write_lab_stacks(lab_file, project_dir, backend)
    typer.echo("wrote " + ", ".join(f"Pulumi.{s}.yaml" for s in written))
    site = load_stack_file(project_dir / f"Pulumi.{lab_stacks.SITE_STACK}.yaml")
    seeded = lab_stacks.seed_site_vms(lab_file, site)
    typer.echo(f"the lab runs the site's VMs: {', '.join(seeded) or 'already there'}")


@app.command("env")
def env(
    lab_file: Annotated[Path, typer.Option(help="The lab's endpoint file.")] = Path(
        ".lab/lab.json"
    ),
    project_dir: Dir = Path(),
    backend: Backend = DEFAULT_BACKEND,
) -> None:
    """Print the shell exports plain `pulumi` needs offline: eval "$(tappaas stack env)"."""
    try:
        engine = find_engine()
    except EngineNotFoundError as exc:
        raise InputError(str(exc)) from None
    state = backend if backend.is_absolute() else (project_dir / backend).resolve()
    exports = {
        "PATH": f"{engine.bin_dir}:$PATH",
        "PULUMI_BACKEND_URL": file_backend_url(state),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    if lab_file.exists():
        ca_file = lab_stacks.read_lab_file(lab_file).ca_file
        if ca_file:
            exports[CA_FILE_ENV] = ca_file
        exports["PULUMI_CONFIG_PASSPHRASE"] = LAB_PASSPHRASE
    for name, value in exports.items():
        quoted = value if name == "PATH" else shlex.quote(value)
        typer.echo(f'export {name}="{value}"' if name == "PATH" else f"export {name}={quoted}")
