"""``Recovery``: a cluster that brings a site's services back from its off-site copy.

Role ``cloud-recovery`` (stood up on demand in a cloud, or on a peer's cluster): a PVE
``pbs`` storage entry reads the copy on the peer with a read-only token and the site's
encryption key (upstream provider), and each service is restored from its newest backup, in
the configured order, onto its pool, with new MAC addresses, optionally on an isolated
VLAN, live (running while its disks stream in) unless configured otherwise. The storage
entry holds the site's own encryption key (from this stack's secret config): a key minted
here could never decrypt the site's backups.
"""

from __future__ import annotations

import pulumi

from providers import PvePbsStorage, RestoredVm
from tappaas.components.connection import secret
from tappaas.model import Endpoint, SiteConfig
from tappaas.policy.restore_order import restore_order

SOURCE_STORAGE = "tappaas-dr"
"""PVE storage ID of the copy being restored from."""


class Recovery(pulumi.ComponentResource):
    """The source storage (upstream) and one ``RestoredVm`` per service, in order."""

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
        self.restored = {}
        for service_name, service in restore_order(site):
            vm = RestoredVm(
                service_name,
                {
                    "endpoint": pve_endpoint,
                    "node": service.node,
                    "vmid": service.vmid,
                    "archive": f"{SOURCE_STORAGE}:backup/vm/{service.vmid}/latest",
                    "storage": site.pool_of(service).storage_id,
                    "unique": True,
                    "live_restore": site.recovery.live_restore,
                    "start": True,
                    "bridge": site.recovery.bridge,
                    "vlan": site.recovery.vlan,
                },
                pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=after)),
            )
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
                "password": secret(remote.credential.token_secret),
                "fingerprint": copy.fingerprint,
                "content": ["backup"],
                "key": secret(key) if key is not None else None,
            },
            child,
        )
