"""``tappaas peer key|invite|accept``: pairing two sites without sharing any state.

On the receiving side (the peer, or the site's recovery stack) ``key`` prints a public key
(its private half stays in that stack's secret config). On the granting side ``invite
--to <key>`` seals what the receiver needs — endpoint, fingerprint, datastore, namespace and
the read-only token, read from this stack's outputs — and prints it; the text is safe to
send by mail. ``accept`` opens it on the receiving side and writes it into that stack's
config: the token as a secret, the rest in ``Pulumi.<stack>.yaml`` (``peer.guests.<site>``
for a peer, ``remote`` for a recovery stack), replacing a ``stack`` reference. Neither side
reads the other's state or needs its passphrase. Exit codes: 0 ok, 1 failed, 2 bad input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tappaas.cli.check import require_file
from tappaas.cli.errors import InputError, OperationFailed
from tappaas.cli.passphrase import require_passphrase
from tappaas.model import ConfigError, Role, SiteConfig, load_stack_file, restore_token_id
from tappaas.model._types import join_address
from tappaas.model.invitation import Invitation, InvitationKind

if TYPE_CHECKING:
    from tappaas.automation.pulumi_cli import PulumiCli

SITE_KEY = "tappaas:site"

Stack = Annotated[str, typer.Option("--stack", help="Stack name: reads Pulumi.<stack>.yaml.")]
Dir = Annotated[Path, typer.Option("--dir", help="Project directory (holds Pulumi.yaml).")]
Backend = Annotated[Path, typer.Option("--backend", help="Local state backend.")]


def _load(stack: str, project_dir: Path) -> SiteConfig:
    path = project_dir / f"Pulumi.{stack}.yaml"
    require_file(path)
    try:
        return load_stack_file(path)
    except (ConfigError, OSError) as error:
        raise InputError(f"{path}: {error}") from None


def _pulumi(stack: str, project_dir: Path, backend: Path) -> PulumiCli:
    from tappaas.automation import find_engine, lab_stacks  # noqa: PLC0415  (loads Pulumi)
    from tappaas.automation.engine import EngineNotFoundError  # noqa: PLC0415
    from tappaas.automation.pulumi_cli import PulumiCli  # noqa: PLC0415

    require_passphrase(project_dir, stack)
    try:
        engine = find_engine()
    except EngineNotFoundError as exc:
        raise InputError(str(exc)) from None
    passphrase = lab_stacks.passphrase_for(project_dir / f"Pulumi.{stack}.yaml")
    state = backend if backend.is_absolute() else project_dir / backend
    return PulumiCli(engine, project_dir.resolve(), state.resolve(), passphrase=passphrase)


def _run(cli: PulumiCli, *args: str) -> str:
    from tappaas.automation.pulumi_cli import PulumiCommandError  # noqa: PLC0415

    try:
        return cli.read(*args)
    except PulumiCommandError as exc:
        raise OperationFailed(str(exc)) from None


def _private_key(cli: PulumiCli, stack: str, *, create: bool) -> str:
    from tappaas.automation.pairing import PAIRING_KEY, new_private_key  # noqa: PLC0415
    from tappaas.automation.pulumi_cli import PulumiCommandError  # noqa: PLC0415

    try:
        return cli.read("config", "get", PAIRING_KEY, "--stack", stack).strip()
    except PulumiCommandError as exc:
        if "not found" not in exc.output:
            raise OperationFailed(str(exc)) from None
        if not create:
            raise InputError(
                f"stack {stack} has no pairing key: run `tappaas peer key --stack {stack}` "
                "and send its output to the other site first"
            ) from None
    private = new_private_key()
    try:
        cli.set_secret(stack, PAIRING_KEY, private)
    except PulumiCommandError as exc:
        raise OperationFailed(str(exc)) from None
    return private


def key(stack: Stack, project_dir: Dir = Path(), backend: Backend = Path(".pulumi-state")) -> None:
    """Print this stack's public key for invitations (created on first use)."""
    from tappaas.automation.pairing import public_key_text  # noqa: PLC0415

    _load(stack, project_dir)
    cli = _pulumi(stack, project_dir, backend)
    typer.echo(public_key_text(_private_key(cli, stack, create=True)))


def _address(host: str, port: int | None) -> str:
    return join_address(host, port or None)


def _invitation(site: SiteConfig, outputs: dict[str, Any], guest: str | None) -> Invitation:
    """Read-only access from this stack's outputs: its own backups, or a guest's copy."""
    if guest is None:
        source = outputs.get("offsite_source")
        if not source:
            raise InputError("this stack exports no offsite_source (a pulled site, after `up`)")
        fields = {
            "kind": InvitationKind.SOURCE,
            "site": source.get("site", site.name),
            "address": _address(source["host"], source["port"]),
            "fingerprint": source["fingerprint"],
            "datastore": source["datastore"],
            "namespace": source["namespace"],
            "token_id": source["token_id"],
            "token_secret": source["token_secret"],
        }
    else:
        copy = (outputs.get("guests") or {}).get(guest)
        if not copy:
            raise InputError(f"this stack keeps no copy for {guest!r} (peer.guests, after `up`)")
        fields = {
            "kind": InvitationKind.RESTORE,
            "site": guest,
            "address": _address(copy["host"], copy["port"]),
            "fingerprint": copy["fingerprint"],
            "datastore": copy["datastore"],
            "namespace": copy["namespace"],
            "token_id": copy.get("restore_token_id", restore_token_id(guest)),
            "token_secret": copy["restore_token_secret"],
        }
    return Invitation.model_validate(fields)


def invite(
    stack: Stack,
    to: Annotated[str, typer.Option("--to", help="The receiver's `tappaas peer key` output.")],
    guest: Annotated[
        str | None,
        typer.Option("--guest", help="On a peer: invite this guest site to its restore token."),
    ] = None,
    project_dir: Dir = Path(),
    backend: Backend = Path(".pulumi-state"),
) -> None:
    """Print read-only access to this stack's backups (or a guest's copy), sealed for ``--to``."""
    from tappaas.automation.pairing import PairingError, read_public_key, seal  # noqa: PLC0415

    try:
        read_public_key(to)
    except PairingError as exc:
        raise InputError(f"--to: {exc}") from None
    site = _load(stack, project_dir)
    guests = site.peer.guests if site.peer is not None else {}
    if guest is not None and guest not in guests:
        kept = f" (it keeps {', '.join(sorted(guests))})" if guests else ""
        raise InputError(f"--guest: stack {stack} keeps no copy for {guest!r}{kept}")
    cli = _pulumi(stack, project_dir, backend)
    outputs = json.loads(_run(cli, "stack", "output", "--json", "--show-secrets", "--stack",
                              stack))  # fmt: skip
    try:
        typer.echo(seal(_invitation(site, outputs, guest), to))
    except PairingError as exc:
        raise InputError(str(exc)) from None


def _set(cli: PulumiCli, stack: str, path: str, value: str) -> None:
    _run(cli, "config", "set", "--path", "--plaintext", "--stack", stack, "--",
         f"{SITE_KEY}.{path}", value)  # fmt: skip


def _remove(cli: PulumiCli, stack: str, path: str) -> None:
    from tappaas.automation.pulumi_cli import PulumiCommandError  # noqa: PLC0415

    try:
        cli.run("config", "rm", "--path", "--stack", stack, f"{SITE_KEY}.{path}")
    except PulumiCommandError:
        return  # nothing to remove


def accept(
    invitation: Annotated[str, typer.Argument(help="The `tappaas peer invite` output.")],
    stack: Stack,
    project_dir: Dir = Path(),
    backend: Backend = Path(".pulumi-state"),
) -> None:
    """Open an invitation sealed for this stack and write it into this stack's config."""
    from tappaas.automation.pairing import (  # noqa: PLC0415
        PairingError,
        open_invitation,
        read_sealed,
    )
    from tappaas.automation.pulumi_cli import PulumiCommandError  # noqa: PLC0415

    try:
        read_sealed(invitation)
    except PairingError as exc:
        raise InputError(f"INVITATION: {exc}") from None
    site = _load(stack, project_dir)
    if site.role not in (Role.PEER, Role.CLOUD_RECOVERY):
        raise InputError(
            f"stack {stack} has role {site.role.value}: only a peer (a guest's backups) or a "
            "recovery stack (role cloud-recovery, a copy to restore from) accepts invitations"
        )
    cli = _pulumi(stack, project_dir, backend)
    try:
        opened = open_invitation(invitation, _private_key(cli, stack, create=False))
    except PairingError as exc:
        raise InputError(str(exc)) from None
    if opened.kind is InvitationKind.SOURCE:
        if site.role is not Role.PEER:
            raise InputError(f"stack {stack} is not a peer: it cannot pull {opened.site}'s backups")
        base, reference = f'peer.guests["{opened.site}"]', "stack"
        namespace_key, secret_key = "remote_namespace", f"tappaasSource-{opened.site}"
    else:
        if site.role is not Role.CLOUD_RECOVERY:
            raise InputError(f"stack {stack} is not a recovery stack (role cloud-recovery)")
        base, reference = "remote", "peer_stack"
        namespace_key, secret_key = "namespace", f"tappaasRestore-{opened.site}"
    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    before = stack_file.read_bytes()
    try:
        try:
            cli.set_secret(stack, secret_key, opened.token_secret.get_secret_value())
        except PulumiCommandError as exc:
            raise OperationFailed(str(exc)) from None
        for name, value in (
            ("address", opened.address),
            ("fingerprint", opened.fingerprint),
            ("datastore", opened.datastore),
            (namespace_key, opened.namespace),
            ("credential.token_id", opened.token_id),
            ("credential.token_secret.secret", secret_key),
        ):
            _set(cli, stack, f"{base}.{name}", value)
        _remove(cli, stack, f"{base}.{reference}")
        _load(stack, project_dir)  # the result must still be a valid site
    except (InputError, OperationFailed):
        stack_file.write_bytes(before)  # all or nothing: the stack file as it was
        raise
    typer.echo(
        f"accepted {opened.kind.value} access to {opened.site}'s backups at {opened.address} "
        f"({opened.datastore}/{opened.namespace or '<root>'}, {opened.token_id}); the token "
        f"is in config key {secret_key}"
    )
