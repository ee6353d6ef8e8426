"""``Recovery``: a cluster that brings a site's services back from its off-site copy.

Role ``cloud-recovery`` (stood up on demand in a cloud, or on a peer's cluster): a PVE
``pbs`` storage entry reads the copy on the peer with a read-only token and the site's
encryption key (our provider), and each service is restored from its newest backup, in
the configured order, onto its pool, with new MAC addresses, optionally on an isolated
VLAN, live (running while its disks stream in) unless configured otherwise. The storage
entry holds the site's own encryption key (from this stack's secret config): a key minted
here could never decrypt the site's backups.
"""

from __future__ import annotations

import functools
from typing import Any

import pulumi

from providers import PvePbsStorage, RestoredVm
from providers.restored_vm import LATEST
from tappaas.components.connection import secret, token_secret
from tappaas.model import Endpoint, RestorePoint, SiteConfig
from tappaas.policy.restore_order import restore_order

SOURCE_STORAGE = "tappaas-dr"
"""PVE storage ID of the copy being restored from."""


class Recovery(pulumi.ComponentResource):
    """The source storage (ours) and one ``RestoredVm`` per service, in order.

    Restored VMs are production data: each is marked as this stack's, protected in PVE, and
    retained when the stack lets go of it (destroy, a new generation): the stack never
    deletes a restored VM. Restore-time settings changed later change nothing, and the
    program says so; ``recovery.restore.<service>.generation`` restores again, into a new
    VM beside the old one.
    """

    restored: dict[str, RestoredVm]

    def __init__(
        self,
        name: str,
        site: SiteConfig,
        pve_endpoint: dict[str, object],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("tappaas:index:Recovery", name, None, opts)
        assert site.remote is not None
        child = pulumi.ResourceOptions(parent=self)
        after: list[pulumi.Resource] = [self._source(site, pve_endpoint, child)]
        owner = f"{pulumi.get_project()}/{pulumi.get_stack()}"
        self.restored = {}
        for service_name, service in restore_order(site):
            point = site.recovery.restore.get(service_name, RestorePoint())
            options = {
                "archive": f"{SOURCE_STORAGE}:backup/vm/{service.vmid}/"
                + (point.snapshot or LATEST),
                "storage": site.pool_of(service).storage_id,
                "unique": True,
                "live_restore": site.recovery.live_restore,
                "start": True,
                "bwlimit": None,
                "bridge": site.recovery.bridge,
                "vlan": site.recovery.vlan,
            }
            vm = RestoredVm(
                service_name,
                {
                    "endpoint": pve_endpoint,
                    "node": service.node,
                    "vmid": point.vmid_for(service.vmid),
                    "restore_generation": point.generation,
                    "owner": owner,
                    "description": service.description or "",
                    **options,
                },
                pulumi.ResourceOptions.merge(
                    child, pulumi.ResourceOptions(depends_on=after, retain_on_delete=True)
                ),
            )
            vm.restored_with.apply(functools.partial(_unchanged, service_name, wanted=options))
            self.restored[service_name] = vm
            after = [vm]
        self.register_outputs({name: vm.restored_snapshot for name, vm in self.restored.items()})

    def _source(
        self, site: SiteConfig, pve_endpoint: dict[str, object], child: pulumi.ResourceOptions
    ) -> pulumi.Resource:
        remote = site.remote
        assert remote is not None and remote.credential is not None
        assert remote.address and remote.fingerprint and remote.datastore
        copy = Endpoint(address=remote.address, fingerprint=remote.fingerprint)
        key = site.recovery.encryption_key or (site.backup.encryption.key if site.backup else None)
        return PvePbsStorage(
            "source",
            {
                "endpoint": pve_endpoint,
                "storage": SOURCE_STORAGE,
                "server": copy.host,
                "port": copy.port,
                "datastore": remote.datastore,
                "namespace": remote.namespace or None,
                "username": remote.credential.token_id,
                "password": token_secret(remote.credential.token_secret),
                "fingerprint": copy.fingerprint,
                "content": ["backup"],
                "key": secret(key) if key is not None else None,
            },
            child,
        )


def _unchanged(service: str, used: dict[str, Any] | None, *, wanted: dict[str, Any]) -> None:
    """Say so when restore-time settings changed after the restore: they change nothing."""
    if not used:
        return
    changed = sorted(key for key, value in wanted.items() if key in used and used[key] != value)
    if changed:
        pulumi.log.warn(
            f"{service}: {', '.join(changed)} changed since it was restored; these settings "
            f"only steer a restore, so the running VM is left as it is. To restore again "
            f"with them, raise recovery.restore.{service}.generation (the old VM is kept)"
        )
