"""The credentials ``tappaas status`` and ``tappaas drill`` use: the stack's own, no new one.

They are decrypted by the engine with the user's passphrase (``PULUMI_CONFIG_PASSPHRASE``,
as for ``pulumi up``): the PVE token (``cluster.api.api_token``) and the PBS admin token
(``backup.pbs.api_token``) from the stack's secret config, and the off-site side from its
outputs. With pull, ``offsite_source`` names the read-only token the peer pulls with; its
secret is not needed: the site sees the peer's reads in its own PBS's task log. With push,
the write token on the peer (``remote.credential``, or the peer stack's ``guests`` output)
lists the copy there. Where the operator holds the read-only restore token the peer minted for
the site (``restore_token_id``: a ``cloud-recovery`` stack's ``remote.credential``), that
stack's credentials list the copy itself (``restore_reader``). Nothing is written: values are
read with ``pulumi config`` and ``pulumi stack output`` for the named stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr

from tappaas.automation.stacks import StackRunner
from tappaas.client import ConnectionSettings, Product, ProxmoxClient
from tappaas.health import PeerView
from tappaas.model import ApiToken, Direction, Endpoint, Role, SecretRef, SiteConfig
from tappaas.model.secrets import SecretValueError, clean_token_secret
from tappaas.observe import PeerAccess, Sources

PROJECT = "tappaas"
OFFSITE_OUTPUT = "offsite_source"
GUESTS_OUTPUT = "guests"


class MissingCredentialError(ValueError):
    """A credential the site config names is not in the stack (say which key to set)."""


def config_key(ref: SecretRef) -> str:
    """The full stack-config key of a secret reference (``tappaas:pveApiToken``)."""
    return f"{ref.namespace or PROJECT}:{ref.key}"


def settings(
    product: Product, endpoint: Endpoint, token_id: str, secret: str
) -> ConnectionSettings:
    return ConnectionSettings(
        product=product,
        host=endpoint.host,
        port=endpoint.port,
        fingerprint=endpoint.fingerprint,
        token_id=token_id,
        token_secret=SecretStr(secret),
    )


class StackCredentials:
    """One stack's decrypted config and outputs, read once."""

    def __init__(self, runner: StackRunner) -> None:
        self.runner = runner
        self.config: Mapping[str, Any] = runner.config_values()
        self._outputs: dict[str, Any] | None = None

    @property
    def outputs(self) -> dict[str, Any]:
        if self._outputs is None:
            self._outputs = self.runner.outputs_of()
        return self._outputs

    def secret(self, ref: SecretRef, path: str) -> str:
        key = config_key(ref)
        value = self.config.get(key)
        if not isinstance(value, str) or not value:
            raise MissingCredentialError(
                f"{path}: secret {key!r} is not set in stack {self.runner.stack_name} "
                f"(pulumi config set --secret {ref.key} <value>)"
            )
        try:
            return clean_token_secret(
                value, f"{path}: secret {key!r} of stack {self.runner.stack_name}"
            )
        except SecretValueError as error:
            raise MissingCredentialError(str(error)) from None

    def _output_secret(self, value: object, stack: str) -> str:
        """A token secret from another stack's outputs, checked as the config's are."""
        source = f"the writer token secret in the guests output of {stack}"
        try:
            return clean_token_secret(str(value or ""), source)
        except SecretValueError as error:
            raise MissingCredentialError(str(error)) from None

    def client(
        self, product: Product, endpoint: Endpoint, token: ApiToken, path: str
    ) -> ProxmoxClient:
        secret = self.secret(token.token_secret, f"{path}.token_secret")
        return ProxmoxClient(settings(product, endpoint, token.token_id, secret))

    def pve_settings(self, site: SiteConfig) -> ConnectionSettings:
        """The cluster API with the stack's PVE token (settings: drills open one per thread)."""
        api = site.cluster.api
        secret = self.secret(api.api_token.token_secret, "cluster.api.api_token.token_secret")
        return settings(Product.PVE, api, api.api_token.token_id, secret)

    def pve(self, site: SiteConfig) -> ProxmoxClient:
        return ProxmoxClient(self.pve_settings(site))

    def local_pbs(self, site: SiteConfig) -> ProxmoxClient:
        """The site's PBS with the stack's PBS token."""
        if site.backup is None:
            raise MissingCredentialError("backup: the site declares no PBS")
        pbs = site.backup.pbs
        return self.client(Product.PBS, pbs, pbs.api_token, "backup.pbs.api_token")

    def peer_access(self, site: SiteConfig) -> PeerAccess | None:
        """How ``status`` sees the off-site copy (see the module docstring)."""
        remote = site.remote
        if remote is None or site.backup is None:
            return None
        if remote.direction is Direction.PULL:
            source = self.outputs.get(OFFSITE_OUTPUT) or {}
            token_id = str(source.get("token_id") or remote.reader_token_id)
            return PeerAccess(PeerView.PULL_READS, reader_token_id=token_id)
        return self._push_access(site)

    def _push_access(self, site: SiteConfig) -> PeerAccess:
        remote = site.remote
        assert remote is not None
        if remote.credential is not None:
            assert remote.address and remote.fingerprint and remote.datastore
            endpoint = Endpoint(address=remote.address, fingerprint=remote.fingerprint)
            client = self.client(Product.PBS, endpoint, remote.credential, "remote.credential")
            return PeerAccess(
                PeerView.LISTING,
                client=client,
                store=remote.datastore,
                namespace=remote.namespace,
            )
        if remote.peer_stack is None:
            raise MissingCredentialError("remote: push needs credential or peer_stack")
        guest = self.runner.outputs_of(remote.peer_stack).get(GUESTS_OUTPUT, {}).get(site.name)
        if not guest:
            raise MissingCredentialError(
                f"remote.peer_stack: {remote.peer_stack} exports no guest {site.name!r}"
            )
        port = f":{guest['port']}" if guest.get("port") else ""
        endpoint = Endpoint(address=f"{guest['host']}{port}", fingerprint=guest["fingerprint"])
        client = ProxmoxClient(
            settings(
                Product.PBS,
                endpoint,
                guest["writer_token_id"],
                self._output_secret(guest.get("writer_token_secret"), remote.peer_stack),
            )
        )
        return PeerAccess(
            PeerView.LISTING,
            client=client,
            store=str(guest["datastore"]),
            namespace=str(guest["namespace"]),
        )

    def restore_reader(self, recovery: SiteConfig) -> PeerAccess:
        """The copy on the peer, listed with this ``cloud-recovery`` stack's credential (the
        read-only restore token the peer minted for the site: it may read, never write)."""
        stack = self.runner.stack_name
        remote = recovery.remote
        if recovery.role is not Role.CLOUD_RECOVERY or remote is None:
            raise MissingCredentialError(
                f"stack {stack} is not a cloud-recovery stack (role: {recovery.role.value}): "
                "it holds no restore token for the copy on the peer"
            )
        if remote.credential is None or not (remote.address and remote.fingerprint):
            raise MissingCredentialError(
                f"stack {stack}: remote needs address, fingerprint and credential to read the "
                "copy on the peer"
            )
        assert remote.datastore is not None
        endpoint = Endpoint(address=remote.address, fingerprint=remote.fingerprint)
        client = self.client(Product.PBS, endpoint, remote.credential, "remote.credential")
        return PeerAccess(
            PeerView.LISTING, client=client, store=remote.datastore, namespace=remote.namespace
        )

    def sources(self, site: SiteConfig, peer: PeerAccess | None = None) -> Sources:
        """Everything ``tappaas status`` reads with (``peer``: another view of the copy)."""
        peer = peer if peer is not None else self.peer_access(site)
        return Sources(pve=self.pve(site), local=self.local_pbs(site), peer=peer)
