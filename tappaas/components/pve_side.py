"""What the PVE-side resources of a stack need: the upstream provider and our PVE endpoint.

The upstream proxmoxve provider manages ZFS pools, HA resources and rules and the cluster
options; our dynamic providers manage storage entries, replication and backup jobs and
restores through the ``endpoint`` input (no secret inside: ``configure()`` supplies it).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_proxmoxve as proxmoxve

from providers.upstream_adoption import UpstreamInventory
from tappaas.client import Product
from tappaas.components.connection import endpoint_input, upstream_inventory, upstream_provider
from tappaas.model import SiteConfig


@dataclass(frozen=True)
class PveSide:
    """The upstream provider for the cluster, the endpoint our PVE resources use, and what
    already exists of the upstream objects (adopted with ``import_``: see
    ``providers.upstream_adoption``)."""

    provider: proxmoxve.Provider
    endpoint: dict[str, object]
    existing: UpstreamInventory


def pve_side(site: SiteConfig, parent: pulumi.Resource) -> PveSide:
    """All three, for this site's cluster API."""
    api = site.cluster.api
    provider = upstream_provider("pve", api, pulumi.ResourceOptions(parent=parent))
    return PveSide(provider, endpoint_input(Product.PVE, api, api.api_token), existing(api))


existing = upstream_inventory
"""How ``pve_side`` learns what exists (Pulumi-mock tests put ``NothingExists`` here)."""
