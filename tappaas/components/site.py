"""``Site``: a whole TAPPaaS site (roles ``site`` and ``peer``) from its model.

Datapools and HA/replication, the local PBS and backup job, this site's half of the off-site
copy, the guests it keeps (peers), and the personal removable disk.
"""

from __future__ import annotations

from typing import Any

import pulumi

from tappaas.client import Product
from tappaas.components.availability import Availability
from tappaas.components.connection import endpoint_input
from tappaas.components.datapools import Datapools
from tappaas.components.local_backup import LocalBackup
from tappaas.components.offsite import Offsite
from tappaas.components.peer import Peer
from tappaas.components.personal import PersonalBackup
from tappaas.components.pve_side import pve_side
from tappaas.components.recovery import Recovery
from tappaas.components.rented_recovery import RentedRecovery
from tappaas.model import Role, SiteConfig


class Site(pulumi.ComponentResource):
    """Every resource of a site or peer stack."""

    offsite_source: pulumi.Output[dict[str, Any]] | None = None
    guests: pulumi.Output[dict[str, Any]] | None = None

    def __init__(
        self, name: str, site: SiteConfig, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("tappaas:index:Site", name, None, opts)
        pve = pve_side(site, self)
        child = pulumi.ResourceOptions(parent=self)
        pools = Datapools("datapools", site, pve, child)
        # replication needs the pools' storage entries (PVE: "missing replicate feature")
        Availability(
            "availability",
            site,
            pve,
            pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[pools])),
        )
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
    (``RentedRecovery``); without, the cluster in ``cluster`` (the source storage and the
    restored VMs)."""

    rented: RentedRecovery | None = None

    def __init__(
        self, name: str, site: SiteConfig, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("tappaas:index:CloudRecovery", name, None, opts)
        if site.cloud is not None:
            self.rented = RentedRecovery("rented", site, pulumi.ResourceOptions(parent=self))
            self.recovery = self.rented.recovery
        else:
            api = site.cluster.api
            endpoint = endpoint_input(Product.PVE, api, api.api_token)
            self.recovery = Recovery(
                "recovery", site, endpoint, pulumi.ResourceOptions(parent=self)
            )
        self.register_outputs({})
