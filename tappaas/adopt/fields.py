"""What happens to every upstream field: mapped into the site config, or reported and why.

One table per file kind, keyed by upstream's field names (``module-fields.json``,
``configuration-fields.json``; a test keeps these tables complete against both files).
A field found in a file but absent here is reported as unknown, never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Reason(StrEnum):
    """Why a field is not imported (the import report groups fields by reason)."""

    MODULE_BOOKKEEPING = "module bookkeeping of TAPPaaS's module manager"
    VM_BUILD = "how the module builds its VM (the module owns the VM, not this program)"
    NETWORK = "network, firewall and reverse proxy: not part of backup, DR or HA"
    SINGLE_SIGN_ON = "single sign-on (Authentik): not part of backup, DR or HA"
    SITE_OPERATIONS = "TAPPaaS's updater, domains and repositories: not part of backup, DR or HA"
    INFORMATION = "read for the import report only"


@dataclass(frozen=True)
class Handling:
    """``target`` names the site config it feeds; otherwise ``reason`` says why not."""

    target: str | None = None
    reason: Reason | None = None

    @property
    def mapped(self) -> bool:
        return self.target is not None


def mapped(target: str) -> Handling:
    return Handling(target=target)


def ignored(reason: Reason) -> Handling:
    return Handling(reason=reason)


_BOOKKEEPING = ignored(Reason.MODULE_BOOKKEEPING)
_VM = ignored(Reason.VM_BUILD)
_NET = ignored(Reason.NETWORK)

MODULE_FIELDS: dict[str, Handling] = {
    "description": mapped("services.<name>.description"),
    "version": _BOOKKEEPING,
    "appVersion": _BOOKKEEPING,
    "releaseDate": _BOOKKEEPING,
    "installTime": _BOOKKEEPING,
    "updateTime": _BOOKKEEPING,
    "variant": _BOOKKEEPING,
    "maintainer": _BOOKKEEPING,
    "status": mapped("archived and external modules are not services"),
    "location": _BOOKKEEPING,
    "vmname": mapped("services.<name>"),
    "vmid": mapped("services.<name>.vmid"),
    "vmtag": mapped("recovery.restore_order (Foundation VMs first)"),
    "node": mapped("services.<name>.node; backup.pbs.node on the backup module"),
    "bios": _VM,
    "ostype": _VM,
    "cputype": _VM,
    "cores": _VM,
    "memory": _VM,
    "diskSize": _VM,
    "storage": mapped("services.<name>.pool, datapools; backup.pbs.pool on the backup module"),
    "pbsStorageName": mapped("backup.pbs.datastore and storage_id"),
    "alwaysBackup": mapped("services.<name>.backup.enabled"),
    "imageType": _VM,
    "image": _VM,
    "imageLocation": _VM,
    "os": _VM,
    "windows": _VM,
    "cloudInit": _VM,
    "autoInstall": _VM,
    "sshAccess": _VM,
    "HANode": mapped("services.<name>.ha.failover_node"),
    "replicationSchedule": mapped("services.<name>.replication.schedule"),
    "bridge0": _NET,
    "mac0": _NET,
    "zone0": _NET,
    "trunks0": _NET,
    "bridge1": _NET,
    "mac1": _NET,
    "zone1": _NET,
    "trunks1": _NET,
    "firewallType": _NET,
    "aliasType": _NET,
    "ip": _NET,
    "proxyDomain": _NET,
    "proxyPort": _NET,
    "proxyUpstreamTls": _NET,
    "proxyUpstreamHttp1": _NET,
    "proxyPreserveHost": _NET,
    "proxyTls": _NET,
    "proxyAllowedZones": _NET,
    "discoveryMdns": _NET,
    "discoveryUdpRelay": _NET,
    "ports": _NET,
    "ingress": _NET,
    "egress": _NET,
    "aliases": _NET,
    "natRules": _NET,
    "dependsOn": mapped(
        "cluster:vm/lxc (a guest), cluster:ha (services.<name>.ha, .replication), "
        "backup:vm (services.<name>.backup)"
    ),
    "provides": ignored(Reason.INFORMATION),
    "config": mapped("flattened into the module's fields (Pattern-A blocks)"),
    "identity": ignored(Reason.SINGLE_SIGN_ON),
    # Newer upstream fields, not yet in module-fields.json, that carry the same meaning.
    "integratesWith": mapped("backup:vm (services.<name>.backup), as dependsOn"),
    "placementState": mapped("backup.pbs.node on the backup module (node:<name>)"),
}

_SITE_OPS = ignored(Reason.SITE_OPERATIONS)

CONFIGURATION_FIELDS: dict[str, Handling] = {
    "tappaas.version": ignored(Reason.INFORMATION),
    "tappaas.domain": mapped("name (its first label)"),
    "tappaas.email": _SITE_OPS,
    "tappaas.nodeCount": mapped("checked against tappaas-nodes"),
    "tappaas.variants": _SITE_OPS,
    "tappaas.repositories": _SITE_OPS,
    "tappaas.updateSchedule": _SITE_OPS,
    "tappaas.automaticReboot": _SITE_OPS,
    "tappaas.snapshotRetention": ignored(Reason.VM_BUILD),
    "tappaas-nodes.hostname": mapped("nodes.<hostname>"),
    "tappaas-nodes.dns-hostname": _NET,
    "tappaas-nodes.ip": mapped("nodes.<hostname>.address; cluster.api.address (first node)"),
}
"""Keys are ``<section>.<field>``; ``tappaas-nodes`` fields apply to each node entry."""

PULL_SOURCE_FIELDS: dict[str, Handling] = {
    "name": mapped("peer.guests.<name>"),
    "type": mapped("the file's kind (tappaas: a site we pull from)"),
    "remoteHost": mapped("peer.guests.<name>.address"),
    "remoteStore": mapped("peer.guests.<name>.datastore"),
    "remoteNamespace": mapped("peer.guests.<name>.remote_namespace"),
    "namespace": mapped("peer.guests.<name>.namespace"),
    "pullSchedule": mapped("peer.guests.<name>.schedule"),
    "removeVanished": mapped("peer.guests.<name>.remove_vanished"),
    "encryptionRequired": mapped("peer.guests.<name>.encrypted_only"),
    "readAuthId": mapped("peer.guests.<name>.credential.token_id"),
    "retention": mapped("peer.guests.<name>.retention"),
}
"""``remote-<name>.json`` (upstream ``backup/services/remote/remote.json``)."""

RETENTION_KEYS = {
    "keepLast": "keep_last",
    "keepHourly": "keep_hourly",
    "keepDaily": "keep_daily",
    "keepWeekly": "keep_weekly",
    "keepMonthly": "keep_monthly",
    "keepYearly": "keep_yearly",
}
"""Upstream's retention spelling → the site model's."""
