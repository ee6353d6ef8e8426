"""``Site``: a whole TAPPaaS site (roles ``site`` and ``peer``) from its model.

Datapools and HA/replication (upstream provider), the local PBS and backup job, this site's
half of the off-site copy, the guests it keeps (peers), and the personal removable disk.
``pve_resources=False`` leaves out everything the upstream proxmoxve plugin manages (for a
machine where that plugin cannot be installed, like the offline lab): the PBS side still runs.
"""

from __future__ import annotations

from typing import Any

import pulumi

from tappaas.client import Product
from tappaas.components.availability import Availability
from tappaas.components.connection import endpoint_input, upstream_provider
from tappaas.components.datapools import Datapools
from tappaas.components.local_backup import LocalBackup, PveSide
from tappaas.components.offsite import Offsite
from tappaas.components.peer import Peer
from tappaas.components.personal import PersonalBackup
from tappaas.components.recovery import Recovery
from tappaas.components.rented_recovery import RentedRecovery
from tappaas.model import Role, SiteConfig


def pve_side(site: SiteConfig, parent: pulumi.Resource) -> PveSide:
    """The upstream provider for this site's cluster, and the endpoint our PVE resources use."""
    api = site.cluster.api
    provider = upstream_provider("pve", api, pulumi.ResourceOptions(parent=parent))
    return PveSide(provider, endpoint_input(Product.PVE, api, api.api_token))


class Site(pulumi.ComponentResource):
    """Every resource of a site or peer stack."""

    offsite_source: pulumi.Output[dict[str, Any]] | None = None
    guests: pulumi.Output[dict[str, Any]] | None = None

    def __init__(
        self,
        name: str,
        site: SiteConfig,
        pve_resources: bool = True,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("tappaas:index:Site", name, None, opts)
        pve = pve_side(site, self) if pve_resources else None
        child = pulumi.ResourceOptions(parent=self)
        if pve is not None:
            upstream = pulumi.ResourceOptions(parent=self, providers=[pve.provider])
            Datapools("datapools", site, upstream)
            Availability("availability", site, upstream)
        if site.backup is not None:
            local = LocalBackup("backup", site, pve, child)
            if site.role is Role.PEER and site.peer is not None:
                self.guests = Peer("peer", site, local.endpoint, local.datastore, child).guests
            if site.remote is not None:
                self.offsite_source = Offsite("offsite", site, local.endpoint, child).source
            if site.personal is not None:
                PersonalBackup("personal", site, local.endpoint, local.datastore, child)
        self.register_outputs({})


class CloudRecovery(pulumi.ComponentResource):
    """A recovery cluster (role ``cloud-recovery``): with ``cloud:``, a host it rents
    (``RentedRecovery``); without, the cluster in ``cluster`` (the source storage through the
    upstream provider, and the restored VMs)."""

    rented: RentedRecovery | None = None

    def __init__(
        self,
        name: str,
        site: SiteConfig,
        pve_resources: bool = True,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("tappaas:index:CloudRecovery", name, None, opts)
        if site.cloud is not None:
            self.rented = RentedRecovery("rented", site, pulumi.ResourceOptions(parent=self))
            self.recovery = self.rented.recovery
        else:
            api = site.cluster.api
            pve = pve_side(site, self) if pve_resources else None
            endpoint = endpoint_input(Product.PVE, api, api.api_token)
            self.recovery = Recovery(
                "recovery", site, endpoint, pve, pulumi.ResourceOptions(parent=self)
            )
        self.register_outputs({})
