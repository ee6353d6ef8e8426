"""Which of the upstream plugin's objects already exist, so the program can adopt them.

An interrupted ``pulumi up`` leaves *pending creates* in the state. ``pulumi refresh
--clear-pending-creates`` drops them; so does ``--import-pending-creates`` on this engine
(v3.274.1 marks the operation "importing", and no step ever turns that into a resource:
``cmd/pulumi/operations/refresh.go``, ``backend/journal.go``). The object may exist all the
same, and the plugin's create then fails ("pool 'tanka1' already exists"). Unlike our own
providers, the plugin cannot be taught to adopt; the engine's way to take over an existing
object is the ``import`` resource option: set to the plugin's id, it imports the object when
the state lacks that id and does nothing when the state has it (pulumi
``pkg/resource/deploy/step_generator.go``: ``isImport``). So the program asks, per run,
which of its upstream objects exist — per node with pools one list and one detail per
declared pool that exists (and the node's disk list when ZFS names disks by id), plus the
HA resource and rule lists — and passes ``import_``
for those. Ids are the plugin's (bpg ``fwprovider/nodes/disks/zfs/resource.go``:
``<node>/<name>``; ``cluster/ha/resource_haresource.go``: the sid;
``resource_harule.go``: the rule id).

A pool holds data, so it is adopted only when it has the declared layout on the declared
disks; otherwise the program stops with one line saying what is there and what to do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TypeVar

import pulumi

from tappaas.client import ProxmoxClient, ProxmoxError
from tappaas.pve.ha import ha_resource_ids, ha_rule_ids
from tappaas.pve.zfs import DiskInfo, node_disks, zfs_pool, zfs_pool_names

T = TypeVar("T")


class UpstreamInventory:
    """The cluster's existing pools, HA resources and rules, read lazily, once per run."""

    def __init__(self, client: ProxmoxClient) -> None:
        self.client = client
        self._pools: dict[str, frozenset[str]] = {}
        self._disks: dict[str, dict[str, DiskInfo]] = {}

    def _read(self, what: str, read: Callable[[ProxmoxClient], T]) -> T:
        """``read`` with the cluster's answer, or one line saying what could not be read."""
        try:
            return read(self.client)
        except ProxmoxError as error:
            raise InventoryUnreadableError(
                f"cannot read {what} at {self.client.settings.base_url} (cluster.api): {error}. "
                "Every preview and up reads which pools and HA objects already exist, to adopt "
                "those an interrupted up made; check cluster.api's address, fingerprint and "
                "api_token."
            ) from None

    def _pool_names(self, node: str) -> frozenset[str]:
        if node not in self._pools:
            self._pools[node] = self._read(
                f"node {node}'s ZFS pools", lambda client: zfs_pool_names(client, node)
            )
        return self._pools[node]

    def _node_disks(self, node: str) -> dict[str, DiskInfo]:
        if node not in self._disks:
            self._disks[node] = self._read(
                f"node {node}'s disks", lambda client: node_disks(client, node)
            )
        return self._disks[node]

    @cached_property
    def _ha_resources(self) -> frozenset[str]:
        return self._read("the HA resources", ha_resource_ids)

    @cached_property
    def _ha_rules(self) -> frozenset[str]:
        return self._read("the HA rules", ha_rule_ids)

    def pool_import_id(
        self, node: str, name: str, raidlevel: str, devices: Sequence[str]
    ) -> str | None:
        """``<node>/<name>`` when that pool exists with the declared layout on the declared
        disks; None when it does not exist. Raises ``PoolNotOursError`` otherwise."""
        if name not in self._pool_names(node):
            return None
        pool = self._read(f"ZFS pool {name} on node {node}", lambda c: zfs_pool(c, node, name))
        by_id = any("/by-id/" in d for d in pool.disks)
        known = self._node_disks(node) if by_id else {}
        if pool.layout_matches(raidlevel, devices) and all(pool.holds(d, known) for d in devices):
            return f"{node}/{name}"
        raise PoolNotOursError(
            f"ZFS pool '{name}' already exists on node {node} ({pool.layout} of "
            f"{', '.join(pool.disks)}), not as declared ({raidlevel} of {', '.join(devices)}): "
            "not taken over, it holds data. To adopt it, declare its layout and disks in "
            f"datapools.{name} (`pulumi config set --path "
            f"'tappaas:site.datapools.{name}.devices.{node}[0]' <disk>` for each); to keep it "
            "apart, name the datapool differently."
        )

    def ha_resource_import_id(self, sid: str) -> str | None:
        """``sid`` when the cluster has that HA resource."""
        return sid if sid in self._ha_resources else None

    def ha_rule_import_id(self, rule: str) -> str | None:
        """``rule`` when the cluster has that HA rule."""
        return rule if rule in self._ha_rules else None


class NothingExists(UpstreamInventory):
    """An inventory that reads nothing (Pulumi-mock tests of the graph's shape)."""

    def __init__(self) -> None:
        self._pools, self._disks = {}, {}

    def pool_import_id(
        self, node: str, name: str, raidlevel: str, devices: Sequence[str]
    ) -> str | None:
        return None

    def ha_resource_import_id(self, sid: str) -> str | None:
        return None

    def ha_rule_import_id(self, rule: str) -> str | None:
        return None


class PoolNotOursError(pulumi.RunError):
    """A pool of the declared name exists on other disks: never adopted (the program stops
    with this one line, as ``RunError`` shows no traceback)."""


class InventoryUnreadableError(pulumi.RunError):
    """The cluster did not answer what exists (unreachable, wrong fingerprint or token): the
    program stops with one line naming the config key, not a traceback."""
