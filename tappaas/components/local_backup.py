"""``LocalBackup``: the site's own PBS and the daily backup of its VMs into it.

PBS side (our providers): the datastore on the backup pool (protected: it holds the
backups), its GC schedule, a prune job with the retention, a verify job, and a user + token
for PVE holding DatastoreBackup only, so a compromised PVE can write backups but never
prune or delete them; that token owns the namespace's backup groups (a renamed token takes
them over, since PBS lets only a group's owner add to it).

PVE side (our providers, see ``providers/pve_pbs_storage.py`` for why not upstream's): the
``pbs`` storage entry (port, pinned fingerprint, namespace, the client-side encryption key
from a config secret — never ``autogen``, which would orphan every backup with the host —
and its master public key), and the vzdump job for the services that are backed up;
retention is left to PBS (``keep-all``).
"""

from __future__ import annotations

import pulumi

from providers import (
    PbsAcl,
    PbsDatastore,
    PbsGroupOwner,
    PbsNamespace,
    PbsPruneJob,
    PbsToken,
    PbsVerifyJob,
    PveBackupJob,
    PvePbsStorage,
)
from tappaas.client import Product
from tappaas.components.connection import endpoint_input, secret
from tappaas.components.grants import token_with_role
from tappaas.components.pve_side import PveSide
from tappaas.model import PVE_KEEP_ALL, SiteConfig
from tappaas.model.pbs_ids import retention_job_id, verify_job_id

BACKUP_ROLE = "DatastoreBackup"


def datastore_acl_path(datastore: str, namespace: str) -> str:
    """``/datastore/<store>[/<ns>…]``: where a PBS ACL on (part of) a datastore lives."""
    return f"/datastore/{datastore}" + (f"/{namespace}" if namespace else "")


def namespace_chain(namespace: str) -> list[str]:
    """``a/b/c`` → ``[a, a/b, a/b/c]``: PBS creates one level at a time."""
    parts = [part for part in namespace.split("/") if part]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


class LocalBackup(pulumi.ComponentResource):
    """The local PBS (datastore, retention, verify, PVE's credential) and PVE's backup job."""

    datastore: PbsDatastore
    pve_token: PbsToken

    def __init__(
        self,
        name: str,
        site: SiteConfig,
        pve: PveSide,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("tappaas:index:LocalBackup", name, None, opts)
        assert site.backup is not None, "LocalBackup needs a backup section"
        backup, pbs = site.backup, site.backup.pbs
        child = pulumi.ResourceOptions(parent=self)
        endpoint = endpoint_input(Product.PBS, pbs, pbs.api_token)
        self.endpoint = endpoint

        self.datastore = PbsDatastore(
            "datastore",
            {
                "endpoint": endpoint,
                "name": pbs.datastore,
                "path": pbs.path,
                "gc_schedule": backup.gc_schedule,
                "verify_new": backup.verify.verify_new or None,
                "comment": f"tappaas {site.name}: local backups",
            },
            pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=True)),
        )
        on_store = pulumi.ResourceOptions.merge(
            child, pulumi.ResourceOptions(depends_on=[self.datastore])
        )
        self.namespaces = self._namespaces(endpoint, pbs.datastore, pbs.namespace, on_store)
        in_namespace = pulumi.ResourceOptions.merge(
            on_store, pulumi.ResourceOptions(depends_on=self.namespaces)
        )
        PbsPruneJob(
            "retention",
            {
                "endpoint": endpoint,
                "id": retention_job_id(pbs.datastore),
                "store": pbs.datastore,
                "ns": pbs.namespace or None,
                "max_depth": 0,  # this site's own groups only, never a guest's namespace below
                "schedule": backup.prune_schedule,
                **keep_fields(backup.retention.prune_options()),
                "comment": "tappaas: the design's retention (yearly = forever)",
            },
            in_namespace,
        )
        if backup.verify.schedule is not None:
            PbsVerifyJob(
                "verify",
                {
                    "endpoint": endpoint,
                    "id": verify_job_id(pbs.datastore),
                    "store": pbs.datastore,
                    "ns": pbs.namespace or None,
                    "schedule": backup.verify.schedule,
                    "ignore_verified": True,
                    "outdated_after": backup.verify.outdated_after_days,
                },
                in_namespace,
            )

        self.pve_token, acls = token_with_role(
            endpoint,
            token_id=pbs.pve_token_id,
            names=("pve-user", "pve-token", "pve-may-back-up"),
            comment="PVE writes backups with this",
            path=datastore_acl_path(pbs.datastore, pbs.namespace),
            role=BACKUP_ROLE,
            opts=child,
            grant_opts=in_namespace,
        )
        # PBS adds backups to a group only for its owner: a renamed PVE token takes over
        # the groups its predecessor wrote, or PVE's next backup of each VM fails.
        PbsGroupOwner(
            "pve-owns-backups",
            {
                "endpoint": endpoint,
                "store": pbs.datastore,
                "ns": pbs.namespace,
                "owner": pbs.pve_token_id,
            },
            pulumi.ResourceOptions.merge(
                in_namespace, pulumi.ResourceOptions(depends_on=[self.pve_token])
            ),
        )
        self._pve_side(site, pve, acls, child)
        self.register_outputs({"datastore": self.datastore.name})

    def _namespaces(
        self, endpoint: dict[str, object], store: str, namespace: str, opts: pulumi.ResourceOptions
    ) -> list[PbsNamespace]:
        created: list[PbsNamespace] = []
        for path in namespace_chain(namespace):
            created.append(
                PbsNamespace(
                    f"ns-{path.replace('/', '-')}",
                    {"endpoint": endpoint, "store": store, "namespace": path},
                    pulumi.ResourceOptions.merge(
                        opts, pulumi.ResourceOptions(depends_on=created, protect=True)
                    ),
                )
            )
        return created

    def _pve_side(
        self,
        site: SiteConfig,
        pve: PveSide,
        acls: list[PbsAcl],
        child: pulumi.ResourceOptions,
    ) -> None:
        assert site.backup is not None
        backup, pbs = site.backup, site.backup.pbs
        after_grants = pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=acls))
        encryption = backup.encryption
        encrypted = encryption.enabled and encryption.key is not None
        storage = PvePbsStorage(
            "pbs-storage",
            {
                "endpoint": pve.endpoint,
                "storage": pbs.storage_id,
                "server": pbs.host,
                "port": pbs.port,
                "datastore": pbs.datastore,
                "namespace": pbs.namespace or None,
                "username": pbs.pve_token_id,
                "password": pulumi.Output.secret(self.pve_token.secret),
                "fingerprint": pbs.fingerprint,
                "content": ["backup"],
                "prune_backups": PVE_KEEP_ALL,
                "key": secret(encryption.key) if encrypted and encryption.key else None,
                "master_key": secret(encryption.master_public_key)
                if encrypted and encryption.master_public_key is not None
                else None,
            },
            after_grants,
        )
        vmids = [str(s.vmid) for s in site.services.values() if s.backup.enabled]
        if vmids:
            PveBackupJob(
                "daily",
                {
                    "endpoint": pve.endpoint,
                    "id": backup.job_id,
                    "schedule": backup.schedule,
                    "storage": pbs.storage_id,
                    "vmid": vmids,
                    "mode": backup.mode.value,
                    "enabled": True,
                    "prune_backups": PVE_KEEP_ALL,
                    "notes_template": backup.notes_template,
                    "repeat_missed": backup.repeat_missed,
                    "comment": f"tappaas {site.name}: daily backup to the local PBS",
                },
                pulumi.ResourceOptions.merge(
                    after_grants, pulumi.ResourceOptions(depends_on=[storage])
                ),
            )


def keep_fields(options: dict[str, int]) -> dict[str, int]:
    """``keep-daily`` → ``keep_daily`` (our props' spelling)."""
    return {key.replace("-", "_"): value for key, value in options.items()}
