"""The whole site: one structured config object, ``tappaas:site`` in ``Pulumi.<stack>.yaml``.

Defaults that depend on other parts of the config are filled in here, before validation, so
every consumer reads resolved values (TAPPaaS's rules):

- a service's ``node`` is the first declared node; its ``pool`` the first important pool (high
  importance) or the first bulk pool (low importance);
- HA is on for high-importance services when the cluster has 3 or more nodes, with the first
  other node as failover node (``HANode``); replication follows HA;
- a pool's storage ID is its name; the local PBS uses the first backup pool;
- an off-site copy lives in namespace ``remote/<site name>`` on the peer;
- with a ``network`` section, every service has names (``<service>.<zone>.<local domain>``,
  and ``<service>.<domain>`` when a public domain is set) that must resolve offline when the
  service is of high importance.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from tappaas.model._types import NodeName, ServiceName, SiteName, StorageId, StrictModel
from tappaas.model.backup import BackupSettings
from tappaas.model.cloud import CloudSettings
from tappaas.model.cluster import ClusterSettings, Node
from tappaas.model.datapool import Datapool, PoolRole
from tappaas.model.network import (
    DEFAULT_LOCAL_DOMAIN,
    DEFAULT_ZONE,
    NetworkSettings,
    default_names,
)
from tappaas.model.personal import PersonalSettings
from tappaas.model.recovery import RecoverySettings
from tappaas.model.remote import PeerSettings, Remote, guest_namespace
from tappaas.model.service import Importance, Service

MIN_HA_NODES = 3
"""HA needs a quorum that survives one node: three votes (nodes, plus a QDevice)."""


class Role(StrEnum):
    """What this stack is for."""

    SITE = "site"
    """A TAPPaaS site running services."""
    PEER = "peer"
    """A site that also keeps other sites' backups."""
    CLOUD_RECOVERY = "cloud-recovery"
    """A cluster in a cloud, prepared to restore a site from its peer's copy."""


class SiteConfig(StrictModel):
    """A TAPPaaS site, its protection, and its role towards other sites."""

    name: SiteName
    role: Role = Role.SITE
    cluster: ClusterSettings
    nodes: dict[NodeName, Node] = Field(min_length=1)
    datapools: dict[StorageId, Datapool] = {}
    services: dict[ServiceName, Service] = {}
    backup: BackupSettings | None = None
    remote: Remote | None = None
    peer: PeerSettings | None = None
    personal: PersonalSettings | None = None
    recovery: RecoverySettings = RecoverySettings()
    cloud: CloudSettings | None = None
    """Role ``cloud-recovery`` only: rent a host and restore there (else: restore onto
    ``cluster``, a PVE cluster that already exists)."""
    network: NetworkSettings | None = None

    @model_validator(mode="before")
    @classmethod
    def _contextual_defaults(cls, data: Any) -> Any:
        """Fill the defaults that depend on other keys (see the module docstring)."""
        if not isinstance(data, dict):
            return data
        filled = dict(data)
        nodes = list(data["nodes"]) if isinstance(data.get("nodes"), dict) else []
        pools = data["datapools"] if isinstance(data.get("datapools"), dict) else {}
        _fill_storage_ids(filled, pools)
        if isinstance(data.get("services"), dict):
            filled["services"] = {
                name: _service_defaults(spec, nodes, pools)
                for name, spec in data["services"].items()
            }
        _fill_backup_pool(filled, pools)
        _fill_namespaces(filled)
        _fill_network_names(filled)
        return filled

    @property
    def quorum_votes(self) -> int:
        """Corosync votes: one per node, one for a QDevice."""
        return len(self.nodes) + (self.cluster.qdevice is not None)

    def pool_of(self, service: Service) -> Datapool:
        """The datapool a service's disks live on (validated to exist)."""
        return self.datapools[service.pool]


def _first(pools: dict[str, Any], role: PoolRole) -> str | None:
    """Name of the first pool declared with ``role``."""
    return next(
        (
            name
            for name, pool in pools.items()
            if isinstance(pool, dict) and pool.get("role") == role
        ),
        None,
    )


def _fill_storage_ids(filled: dict[str, Any], pools: dict[str, Any]) -> None:
    if pools:
        filled["datapools"] = {
            name: {"storage_id": name, **pool} if isinstance(pool, dict) else pool
            for name, pool in pools.items()
        }


def _service_defaults(spec: Any, nodes: list[str], pools: dict[str, Any]) -> Any:
    """Home node, pool and HA defaults of a service (TAPPaaS ``node``, ``storage``, ``HANode``)."""
    if not isinstance(spec, dict):
        return spec
    service = dict(spec)
    importance = service.get("importance", Importance.HIGH)
    if "node" not in service and nodes:
        service["node"] = nodes[0]
    if "pool" not in service:
        preferred = [PoolRole.IMPORTANT] if importance == Importance.HIGH else [PoolRole.BULK]
        for role in [*preferred, PoolRole.IMPORTANT]:
            if (pool := _first(pools, role)) is not None:
                service["pool"] = pool
                break
    ha = service.get("ha", {})
    if isinstance(ha, dict):
        ha = dict(ha)
        ha.setdefault("enabled", importance == Importance.HIGH and len(nodes) >= MIN_HA_NODES)
        others = [node for node in nodes if node != service.get("node")]
        if "failover_node" not in ha and others:
            ha["failover_node"] = others[0]
        service["ha"] = ha
    return service


def _fill_backup_pool(filled: dict[str, Any], pools: dict[str, Any]) -> None:
    backup = filled.get("backup")
    if isinstance(backup, dict) and isinstance(backup.get("pbs"), dict):
        pbs = backup["pbs"]
        if "pool" not in pbs and (pool := _first(pools, PoolRole.BACKUP)) is not None:
            filled["backup"] = {**backup, "pbs": {**pbs, "pool": pool}}


def _fill_namespaces(filled: dict[str, Any]) -> None:
    """Our copy on the peer: ``remote/<site>``; a guest's copy here: ``remote/<guest>``."""
    remote, name = filled.get("remote"), filled.get("name")
    if isinstance(remote, dict) and "namespace" not in remote and isinstance(name, str):
        filled["remote"] = {**remote, "namespace": guest_namespace(name)}
    peer = filled.get("peer")
    if isinstance(peer, dict) and isinstance(peer.get("guests"), dict):
        filled["peer"] = {
            **peer,
            "guests": {
                guest: {
                    "namespace": guest_namespace(guest),
                    "writer_token_id": f"{guest}@pbs!push",
                    **spec,
                }
                if isinstance(spec, dict)
                else spec
                for guest, spec in peer["guests"].items()
            },
        }


def _fill_network_names(filled: dict[str, Any]) -> None:
    """Every declared service gets its TAPPaaS names and an ``offline`` flag by importance."""
    network, services = filled.get("network"), filled.get("services")
    if not isinstance(network, dict) or not isinstance(services, dict):
        return
    written = network.get("services", {})
    if not isinstance(written, dict):
        return
    local_domain = network.get("local_domain", DEFAULT_LOCAL_DOMAIN)
    domain = network.get("domain")
    if not isinstance(local_domain, str) or not (domain is None or isinstance(domain, str)):
        return
    entries = dict(written)
    for name in [*services, *(key for key in written if key not in services)]:
        spec = entries.get(name, {})
        if not isinstance(spec, dict):
            continue
        spec = dict(spec)
        zone = spec.get("zone", DEFAULT_ZONE)
        if "names" not in spec and isinstance(zone, str):
            spec["names"] = default_names(name, zone, local_domain, domain)
        if "offline" not in spec:
            service = services.get(name)
            importance = service.get("importance") if isinstance(service, dict) else None
            spec["offline"] = importance in (None, Importance.HIGH)
        entries[name] = spec
    filled["network"] = {**network, "services": entries}
