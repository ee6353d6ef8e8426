"""``Offsite``: this site's half of the off-site copy on a peer.

Pull (the default): the peer reads from us. We create a reader token on our PBS with
DatastoreReader on our backups only and export it (secret) with our endpoint, for the peer
stack to pick up through a ``StackReference``. Nothing on this site can delete the copy.

Push: we write to the peer with its write-no-delete token (from the peer stack's outputs or
from config) through a remote and a push sync job; ``remove-vanished`` stays off, so a
snapshot deleted here is not deleted there.
"""

from __future__ import annotations

from typing import Any

import pulumi

from providers import PbsRemote, PbsSyncJob
from tappaas.components.connection import token_secret
from tappaas.components.grants import token_with_role
from tappaas.components.local_backup import datastore_acl_path
from tappaas.model import Direction, Endpoint, SiteConfig

READER_ROLE = "DatastoreReader"
PUSH_JOB_ID = "tappaas-offsite-push"


class Offsite(pulumi.ComponentResource):
    """Reader token for a pulling peer, or remote + push job towards it."""

    source: pulumi.Output[dict[str, Any]] | None = None

    def __init__(
        self,
        name: str,
        site: SiteConfig,
        local_endpoint: dict[str, object],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("tappaas:index:Offsite", name, None, opts)
        assert site.backup is not None and site.remote is not None
        self.child = pulumi.ResourceOptions(parent=self)
        if site.remote.direction is Direction.PULL:
            self.source = self._reader(site, local_endpoint)
            self.register_outputs({"source": self.source})
        else:
            self._push(site, local_endpoint)
            self.register_outputs({})

    def _reader(self, site: SiteConfig, endpoint: dict[str, object]) -> pulumi.Output[Any]:
        assert site.backup is not None and site.remote is not None
        pbs, remote = site.backup.pbs, site.remote
        token, _ = token_with_role(
            endpoint,
            token_id=remote.reader_token_id,
            names=("peer-reader", "peer-reader-token", "peer-may-read"),
            comment="the peer pulls our backups",
            path=datastore_acl_path(pbs.datastore, pbs.namespace),
            role=READER_ROLE,
            opts=self.child,
        )
        return token.secret.apply(
            lambda token_secret: {
                "site": site.name,
                "host": pbs.host,
                "port": pbs.port,
                "fingerprint": pbs.fingerprint,
                "datastore": pbs.datastore,
                "namespace": pbs.namespace,
                "token_id": remote.reader_token_id,
                "token_secret": token_secret,
            }
        )

    def _push(self, site: SiteConfig, endpoint: dict[str, object]) -> None:
        assert site.backup is not None and site.remote is not None
        pbs, remote = site.backup.pbs, site.remote
        if remote.peer_stack:
            peer = pulumi.StackReference(remote.peer_stack, opts=self.child)
            guest = peer.require_output("guests").apply(lambda guests: guests[site.name])
            host: pulumi.Input[str] = guest.apply(lambda g: str(g["host"]))
            port: pulumi.Input[int | None] = guest.apply(lambda g: g["port"])
            fingerprint: pulumi.Input[str] = guest.apply(lambda g: str(g["fingerprint"]))
            datastore: pulumi.Input[str] = guest.apply(lambda g: str(g["datastore"]))
            token_id: pulumi.Input[str] = guest.apply(lambda g: str(g["writer_token_id"]))
            password: pulumi.Output[str] = pulumi.Output.secret(
                guest.apply(lambda g: str(g["writer_token_secret"]))
            )
        else:
            assert remote.credential is not None and remote.address and remote.fingerprint
            assert remote.datastore is not None
            explicit = Endpoint(address=remote.address, fingerprint=remote.fingerprint)
            host, port, fingerprint = explicit.host, explicit.port, explicit.fingerprint
            datastore, token_id = remote.datastore, remote.credential.token_id
            password = token_secret(remote.credential.token_secret)
        target = PbsRemote(
            "peer",
            {
                "endpoint": endpoint,
                "name": remote.remote_id,
                "host": host,
                "port": port,
                "fingerprint": fingerprint,
                "auth_id": token_id,
                "password": password,
                "comment": f"tappaas: off-site copy of {site.name}",
            },
            self.child,
        )
        PbsSyncJob(
            "push",
            {
                "endpoint": endpoint,
                "id": PUSH_JOB_ID,
                "sync_direction": "push",
                "store": pbs.datastore,
                "ns": pbs.namespace or None,
                "remote": remote.remote_id,  # known at preview; ordered after it below
                "remote_store": datastore,
                "remote_ns": remote.namespace,
                "schedule": remote.schedule,
                "encrypted_only": remote.encrypted_only,
                "remove_vanished": remote.remove_vanished,
                "max_depth": remote.max_depth,
                "rate_out": remote.rate_limit,
                "comment": "tappaas: off-site copy (push, never deletes there)",
            },
            pulumi.ResourceOptions.merge(self.child, pulumi.ResourceOptions(depends_on=[target])),
        )
