"""``Datapools``: the ZFS pools of every node and one PVE storage entry per pool.

Each pool is created per node (upstream ``node.disk.Zfs``), protected and retained on delete:
PVE has no in-place change for a pool, so a replace would destroy it with its data, and the
upstream delete runs ``zpool destroy`` — removing a pool from the stack (or destroying the
stack, after an explicit unprotect) only forgets it. One ``zfspool`` storage entry
(``PveZfsStorage``) carries the pool's storage ID on every node that holds it, which
replication needs.
"""

from __future__ import annotations

import pulumi
import pulumi_proxmoxve as proxmoxve

from providers import PveZfsStorage
from tappaas.components.pve_side import PveSide
from tappaas.model import PoolRole, SiteConfig

POOL_CONTENTS = {PoolRole.IMPORTANT: ["images", "rootdir"], PoolRole.BULK: ["images", "rootdir"]}


class Datapools(pulumi.ComponentResource):
    """ZFS pools (protected) and their storage entries."""

    def __init__(
        self,
        name: str,
        site: SiteConfig,
        pve: PveSide,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("tappaas:index:Datapools", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        upstream = pulumi.ResourceOptions(parent=self, provider=pve.provider)
        self.pools: dict[str, list[proxmoxve.node.disk.Zfs]] = {}
        for pool_name, pool in site.datapools.items():
            created = [
                proxmoxve.node.disk.Zfs(
                    f"{pool_name}-{node}",
                    node_name=node,
                    name=pool_name,
                    devices=devices,
                    raidlevel=pool.redundancy.raidlevel,
                    ashift=pool.ashift,
                    compression=pool.compression.value,
                    add_storage=False,
                    opts=pulumi.ResourceOptions.merge(
                        upstream,
                        _pool_options(
                            pve.existing.pool_import_id(
                                node, pool_name, pool.redundancy.raidlevel, devices
                            )
                        ),
                    ),
                )
                for node, devices in pool.devices.items()
            ]
            self.pools[pool_name] = created
            if pool.role in POOL_CONTENTS:  # the backup pool carries the PBS datastore instead
                PveZfsStorage(
                    f"{pool_name}-storage",
                    {
                        "endpoint": pve.endpoint,
                        "storage": pool.storage_id,
                        "pool": pool_name,
                        "nodes": sorted(pool.devices),
                        "content": POOL_CONTENTS[pool.role],
                    },
                    pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=created)),
                )
        self.register_outputs({"pools": sorted(self.pools)})


def _pool_options(existing_id: str | None) -> pulumi.ResourceOptions:
    """Protected and retained; a pool that already exists (on the declared disks) adopted.

    The plugin does not read a pool's disks, layout, ashift or compression back on import,
    and plans no replacement for an attribute its state lacks (bpg
    ``fwprovider/nodes/disks/zfs/resource.go``: ``RequiresReplaceIf`` on a non-null state), so
    an adopted pool is updated in place (no API call) with the declared values.
    """
    return pulumi.ResourceOptions(protect=True, retain_on_delete=True, import_=existing_id)
