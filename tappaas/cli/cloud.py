"""``tappaas cloud …``: prepare a cloud-recovery stack before any disaster.

``credentials`` generates the rented host's secrets (root password, API token secret, TLS
key and certificate, WireGuard key) and stores them as secret config of the stack, under
the keys its ``cloud.credentials`` (and ``cloud.wireguard.private_key``) name, through the
same engine and state backend as ``tappaas stack``. It prints only what is public: the
certificate fingerprint to write into ``cloud.fingerprint``, and the WireGuard public key
for the peer's admin. It refuses to replace secrets already set (a host set up with the old
ones would no longer be reachable) unless ``--force``.

Unlike ``tappaas stack``, which runs the engine on a private copy, this writes the stack
file, as ``pulumi config set --secret`` does: Pulumi keeps a stack's encrypted config there.
The file must exist (it is never created), and a passphrase must be set, before anything is
generated.

Exit codes: 0 done; 1 the engine could not store the secrets; 2 invalid input (no such stack
file, an invalid one, not a cloud stack, no passphrase, secrets already set without
``--force``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pulumi.automation.errors import CommandError

from tappaas.automation.pulumi_cli import PulumiCli, PulumiCommandError
from tappaas.automation.stacks import project_name
from tappaas.cli.errors import InputError, OperationFailed
from tappaas.cli.passphrase import require_passphrase
from tappaas.cli.stack import DEFAULT_BACKEND, require_stack_file, runner
from tappaas.model import ConfigError, SiteConfig, load_stack_file
from tappaas.rental import HostCredentials, fqdn, generate_credentials

app = typer.Typer(
    help="Prepare a cloud-recovery stack (host secrets).",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def cloud() -> None:
    """Prepare a cloud-recovery stack (a group: more subcommands may follow)."""


Dir = Annotated[Path, typer.Option("--dir", help="Project directory (holds Pulumi.yaml).")]
Backend = Annotated[Path, typer.Option("--backend", help="Local state backend directory.")]
Force = Annotated[bool, typer.Option("--force", help="Replace secrets that are already set.")]


def secrets_to_set(site: SiteConfig, generated: HostCredentials) -> dict[str, str]:
    """Config key → generated value, for every secret the stack's ``cloud:`` names."""
    cloud = site.cloud
    assert cloud is not None
    names = cloud.credentials
    values = {
        names.root_password.secret: generated.root_password,
        names.api_token.secret: generated.api_token,
        names.tls_key.secret: generated.tls_key,
        names.tls_certificate.secret: generated.tls_certificate,
    }
    if cloud.wireguard is not None:
        values[cloud.wireguard.private_key.secret] = generated.wireguard_key
    return {key: value.get_secret_value() for key, value in values.items()}


def format_public_part(stack: str, site: SiteConfig, generated: HostCredentials) -> str:
    """What to do with the public halves (80 columns, but for the 95-character fingerprint,
    which stays on one line of its own to be copied whole)."""
    cloud = site.cloud
    assert cloud is not None
    lines = [
        f"Stored the recovery host's secrets in stack {stack!r}.",
        "Write this certificate fingerprint into cloud.fingerprint:",
        generated.fingerprint,
    ]
    if cloud.wireguard is not None:
        lines += [
            "Give the peer's admin this WireGuard public key (allowed IPs: "
            f"{cloud.wireguard.address}):",
            f"  {generated.wireguard_public_key}",
        ]
    return "\n".join(lines)


@app.command("credentials")
def credentials(
    stack: Annotated[str, typer.Argument(help="The cloud-recovery stack (Pulumi.<stack>.yaml).")],
    project_dir: Dir = Path(),
    backend: Backend | None = None,
    force: Force = False,
) -> None:
    """Generate the rented host's secrets into the stack's secret config."""
    project_dir = project_dir.resolve()
    path = require_stack_file(project_dir, stack)
    try:
        site = load_stack_file(path)
    except ConfigError as error:
        raise InputError(f"{path}: {error}") from None
    if site.cloud is None:
        raise InputError(f"{path}: no cloud: section (a cloud-recovery stack rents a host)")
    require_passphrase(project_dir, stack)
    generated = generate_credentials(site.cloud.node, fqdn(site))
    values = secrets_to_set(site, generated)
    project = project_name(project_dir)
    try:
        stack_runner = runner(stack, project_dir, backend or DEFAULT_BACKEND)
        existing = set(stack_runner.stack.get_all_config())
        already = sorted(key for key in values if qualified(key, project) in existing)
        if already and not force:
            raise InputError(
                f"stack {stack!r} already holds {', '.join(already)}: a host set up with them "
                "would no longer be reachable; use --force to replace them"
            )
        pulumi = PulumiCli(
            stack_runner.engine,
            stack_runner.project_dir,
            stack_runner.backend_dir,
            passphrase=stack_runner.passphrase,
        )
        for key, value in values.items():
            pulumi.set_secret(stack, key, value)  # through stdin: never on a command line
    except (CommandError, PulumiCommandError) as error:
        raise OperationFailed(f"pulumi could not store the secrets: {error}") from None
    typer.echo(format_public_part(stack, site, generated))


def qualified(key: str, project: str) -> str:
    """``cloudPveToken`` → ``tappaas:cloudPveToken`` (keys with a namespace stay)."""
    return key if ":" in key else f"{project}:{key}"
