"""``Peer``: the copies this site keeps for its guest sites (role ``peer``).

For each guest, in our datastore under the guest's namespace (``remote/<site>``): for pull,
a remote pointing at the guest's PBS (with the read-only token the guest exported) and a pull
sync job — encrypted snapshots only, ``remove-vanished`` off, so whatever happens on the
guest's site, what we hold stays —; for push, a write-no-delete token for the guest. Either
way the guest's own retention, as a prune job on its namespace, and a read-only token on that
namespace alone, exported to the guest for its recovery (``restore_token_id``).
"""

from __future__ import annotations

from typing import Any

import pulumi

from providers import PbsNamespace, PbsPruneJob, PbsRemote, PbsSyncJob, PbsToken
from tappaas.components.connection import token_secret
from tappaas.components.grants import token_with_role
from tappaas.components.local_backup import datastore_acl_path, keep_fields, namespace_chain
from tappaas.model import Direction, Endpoint, GuestSite, SiteConfig, restore_token_id
from tappaas.model.pbs_ids import guest_remote_name, pull_job_id, retention_job_id

READER_ROLE = "DatastoreReader"
"""Read (and so restore) the guest's own snapshots; nothing else."""
WRITER_ROLE = "DatastoreBackup"
"""Back up into the namespace and read its own groups; no prune, no delete."""
PRUNING_WRITER_ROLE = "DatastorePowerUser"
"""Backup + prune: only when the guest asked for ``remove_vanished`` (its deletions then
reach its copy here, which PBS does through prune rights)."""


class Peer(pulumi.ComponentResource):
    """Namespaces, remotes, pull jobs, writer tokens and retention for every guest site."""

    guests: pulumi.Output[dict[str, Any]]

    def __init__(
        self,
        name: str,
        site: SiteConfig,
        local_endpoint: dict[str, object],
        datastore: pulumi.Resource,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("tappaas:index:Peer", name, None, opts)
        assert site.backup is not None and site.peer is not None
        self.site = site
        self.endpoint = local_endpoint
        self.child = pulumi.ResourceOptions(parent=self, depends_on=[datastore])
        self.namespaces: dict[str, PbsNamespace] = {}
        exports = {guest: self._guest(guest, spec) for guest, spec in site.peer.guests.items()}
        self.guests = pulumi.Output.from_input(exports)
        self.register_outputs({"guests": self.guests})

    def _namespace(self, path: str) -> PbsNamespace:
        """Each namespace once, parents first (guests share ``remote``)."""
        assert self.site.backup is not None
        for level in namespace_chain(path):
            if level not in self.namespaces:
                parents = [self.namespaces[p] for p in namespace_chain(level)[:-1]]
                self.namespaces[level] = PbsNamespace(
                    f"ns-{level.replace('/', '-')}",
                    {
                        "endpoint": self.endpoint,
                        "store": self.site.backup.pbs.datastore,
                        "namespace": level,
                    },
                    pulumi.ResourceOptions.merge(  # a guest's copy lives in it
                        self.child, pulumi.ResourceOptions(depends_on=parents, protect=True)
                    ),
                )
        return self.namespaces[path]

    def _guest(self, guest: str, spec: GuestSite) -> dict[str, Any]:
        assert self.site.backup is not None
        pbs, backup = self.site.backup.pbs, self.site.backup
        namespace = self._namespace(spec.namespace)
        in_ns = pulumi.ResourceOptions.merge(
            self.child, pulumi.ResourceOptions(depends_on=[namespace])
        )
        PbsPruneJob(
            f"{guest}-retention",
            {
                "endpoint": self.endpoint,
                "id": retention_job_id(guest),
                "store": pbs.datastore,
                "ns": spec.namespace,
                "schedule": backup.prune_schedule,
                **keep_fields(spec.retention.prune_options()),
                "comment": f"tappaas: {guest}'s retention for its off-site copy",
            },
            in_ns,
        )
        exported: dict[str, Any] = {
            "host": pbs.host,
            "port": pbs.port,
            "fingerprint": pbs.fingerprint,
            "datastore": pbs.datastore,
            "namespace": spec.namespace,
        }
        if spec.direction is Direction.PULL:
            self._pull(guest, spec, in_ns)
        else:
            exported.update(self._writer(guest, spec, in_ns))
        exported.update(self._restore_reader(guest, spec, in_ns))
        return exported

    def _restore_reader(
        self, guest: str, spec: GuestSite, opts: pulumi.ResourceOptions
    ) -> dict[str, Any]:
        """A token that may read the guest's copy (to restore from it) and nothing else."""
        token_id = restore_token_id(guest)
        token = self._token_on_copy(
            guest, token_id, ("restore", "restore-token", "may-restore"),
            role=READER_ROLE, spec=spec, opts=opts, comment=f"{guest} restores with this",
        )  # fmt: skip
        return {"restore_token_id": token_id, "restore_token_secret": token.secret}

    def _token_on_copy(
        self,
        guest: str,
        token_id: str,
        names: tuple[str, str, str],
        *,
        role: str,
        spec: GuestSite,
        opts: pulumi.ResourceOptions,
        comment: str,
    ) -> PbsToken:
        """A token with ``role`` on the guest's namespace alone; ``names`` are prefixed with
        the guest's name."""
        assert self.site.backup is not None
        token, _ = token_with_role(
            self.endpoint,
            token_id=token_id,
            names=(f"{guest}-{names[0]}", f"{guest}-{names[1]}", f"{guest}-{names[2]}"),
            comment=comment,
            path=datastore_acl_path(self.site.backup.pbs.datastore, spec.namespace),
            role=role,
            opts=self.child,
            grant_opts=opts,
        )
        return token

    def _pull(self, guest: str, spec: GuestSite, opts: pulumi.ResourceOptions) -> None:
        assert self.site.backup is not None
        source = self._source(guest, spec)
        remote = PbsRemote(
            f"{guest}-remote",
            {
                "endpoint": self.endpoint,
                "name": guest_remote_name(guest),
                "host": source.apply(lambda s: str(s["host"])),
                "port": source.apply(lambda s: s["port"]),
                "fingerprint": source.apply(lambda s: str(s["fingerprint"])),
                "auth_id": source.apply(lambda s: str(s["token_id"])),
                "password": pulumi.Output.secret(source.apply(lambda s: str(s["token_secret"]))),
                "comment": f"tappaas: {guest}'s PBS (read-only token)",
            },
            self.child,
        )
        PbsSyncJob(
            f"{guest}-pull",
            {
                "endpoint": self.endpoint,
                "id": pull_job_id(guest),
                "store": self.site.backup.pbs.datastore,
                "ns": spec.namespace,
                "remote": guest_remote_name(guest),  # known at preview; ordered below
                "remote_store": source.apply(lambda s: str(s["datastore"])),
                "remote_ns": source.apply(lambda s: str(s["namespace"]) or None),
                "schedule": spec.schedule,
                "encrypted_only": spec.encrypted_only,
                "remove_vanished": spec.remove_vanished,
                "max_depth": spec.max_depth,
                "rate_in": spec.rate_limit,
                "comment": f"tappaas: off-site copy of {guest} (pull)",
            },
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[remote])),
        )

    def _source(self, guest: str, spec: GuestSite) -> pulumi.Output[dict[str, Any]]:
        """Where to pull from: the guest stack's ``offsite_source`` output, or config."""
        if spec.stack:
            reference = pulumi.StackReference(f"{guest}-stack", spec.stack, opts=self.child)
            return reference.require_output("offsite_source")
        assert spec.address and spec.fingerprint and spec.datastore and spec.credential
        explicit = Endpoint(address=spec.address, fingerprint=spec.fingerprint)
        credential = spec.credential
        return token_secret(credential.token_secret).apply(
            lambda token: {
                "host": explicit.host,
                "port": explicit.port,
                "fingerprint": explicit.fingerprint,
                "datastore": spec.datastore,
                "namespace": spec.remote_namespace,
                "token_id": credential.token_id,
                "token_secret": token,
            }
        )

    def _writer(self, guest: str, spec: GuestSite, opts: pulumi.ResourceOptions) -> dict[str, Any]:
        role = PRUNING_WRITER_ROLE if spec.remove_vanished else WRITER_ROLE
        token = self._token_on_copy(
            guest, spec.writer_token_id, ("writer", "writer-token", "may-write"),
            role=role, spec=spec, opts=opts, comment=f"{guest} pushes here",
        )  # fmt: skip
        return {"writer_token_id": spec.writer_token_id, "writer_token_secret": token.secret}
