"""``Recovery``: a cluster that brings a site's services back from its off-site copy.

Role ``cloud-recovery`` (on a peer's or a rebuilt cluster, or on a rented host): a PVE
``pbs`` storage entry reads the copy on the peer with a read-only token and the site's
encryption key, and each service is restored from its newest backup, in the policy's
priority tiers (``restore_tiers``: the services others depend on first, one tier each,
then the rest side by side), onto its pool (or the rented host's data storage), with new
MAC addresses, optionally on an isolated VLAN, live (running while its disks stream in)
unless configured otherwise. A tier starts when the tier before it has been restored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_proxmoxve as proxmoxve

from providers import RestoredVm
from tappaas.components.connection import secret
from tappaas.components.local_backup import PveSide
from tappaas.model import Endpoint, SiteConfig
from tappaas.model.recovery import SOURCE_STORAGE
from tappaas.policy import restore_tiers
from tappaas.policy.restore_key import restore_key_ref


@dataclass(frozen=True)
class RestoreTarget:
    """Where every service lands when the cluster is not the site's own (a rented host)."""

    node: str
    storage: str
    bridge: str | None = None


class Recovery(pulumi.ComponentResource):
    """The source storage (upstream, when ``pve`` is given) and one ``RestoredVm`` per
    service, tier by tier."""

    restored: dict[str, RestoredVm]
    tiers: dict[str, int]
    """Service → its tier (1 first)."""

    def __init__(
        self,
        name: str,
        site: SiteConfig,
        pve_endpoint: dict[str, object],
        pve: PveSide | None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        target: RestoreTarget | None = None,
        after: Sequence[pulumi.Resource] = (),
    ) -> None:
        super().__init__("tappaas:index:Recovery", name, None, opts)
        assert site.remote is not None
        child = pulumi.ResourceOptions(parent=self)
        before: list[pulumi.Resource] = list(after)
        if pve is not None:
            before.append(self._source(site, pve, child))
        self.restored, self.tiers = {}, {}
        for number, tier in enumerate(restore_tiers(site), start=1):
            restored_tier = []
            for service_name in tier:
                service = site.services[service_name]
                vm = RestoredVm(
                    service_name,
                    {
                        "endpoint": pve_endpoint,
                        "node": target.node if target else service.node,
                        "vmid": service.vmid,
                        "archive": f"{SOURCE_STORAGE}:backup/vm/{service.vmid}/latest",
                        "storage": target.storage if target else site.pool_of(service).storage_id,
                        "unique": True,
                        "live_restore": site.recovery.live_restore,
                        "start": True,
                        "bridge": target.bridge if target else site.recovery.bridge,
                        "vlan": None if target else site.recovery.vlan,
                    },
                    pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=before)),
                )
                self.restored[service_name] = vm
                self.tiers[service_name] = number
                restored_tier.append(vm)
            before = list(restored_tier)
        self.register_outputs({name: vm.restored_snapshot for name, vm in self.restored.items()})

    def _source(
        self, site: SiteConfig, pve: PveSide, child: pulumi.ResourceOptions
    ) -> pulumi.Resource:
        remote = site.remote
        assert remote is not None and remote.credential is not None
        assert remote.address and remote.fingerprint and remote.datastore
        copy = Endpoint(address=remote.address, fingerprint=remote.fingerprint)
        key = restore_key_ref(site)
        return proxmoxve.storage.Pbs(
            "source",
            resource_id=SOURCE_STORAGE,
            server=copy.host,
            datastore=remote.datastore,
            namespace=remote.namespace or None,
            username=remote.credential.token_id,
            password=secret(remote.credential.token_secret),
            fingerprint=copy.fingerprint,
            encryption_key=secret(key) if key is not None else None,
            contents=["backup"],
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(provider=pve.provider)),
        )
