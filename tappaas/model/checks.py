"""Cross-field checks: references between parts of the config, and combinations Proxmox refuses.

Each check yields ``ConfigIssue`` with the exact path to edit. ``declared`` holds the names the
admin wrote (even for entries that failed validation and were set aside), so an entry with a
typo elsewhere does not also produce "is not declared" noise.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from tappaas.model._types import split_address
from tappaas.model.cloud import RESERVED_PORTS, CloudProvider, CloudSettings
from tappaas.model.datapool import PoolRole
from tappaas.model.drill_checks import drill_is_isolated, monitoring_thresholds_are_ordered
from tappaas.model.errors import ConfigIssue
from tappaas.model.recovery import MAX_VMID, RecoveryMethod
from tappaas.model.remote import Direction
from tappaas.model.service import Importance, PersonalExport
from tappaas.model.site import Role, SiteConfig


@dataclass(frozen=True)
class Declared:
    """Names declared in the raw config, valid or not."""

    services: frozenset[str]


Check = Callable[[SiteConfig, Declared], Iterator[ConfigIssue]]


def _quoted(names: Mapping[str, object] | frozenset[str]) -> str:
    return ", ".join(repr(name) for name in names) or "none"


def services_reference_nodes_and_pools(site: SiteConfig, _: Declared) -> Iterator[ConfigIssue]:
    """Home node, pool and failover node exist; the pool is on the home node and fits."""
    for name, service in site.services.items():
        path = f"services.{name}"
        if service.node not in site.nodes:
            yield ConfigIssue(
                f"{path}.node",
                f"{service.node!r} is not a declared node (nodes: {_quoted(site.nodes)})",
            )
        pool = site.datapools.get(service.pool)
        if pool is None:
            yield ConfigIssue(
                f"{path}.pool",
                f"{service.pool!r} is not a declared datapool "
                f"(datapools: {_quoted(site.datapools)})",
            )
        else:
            if service.node in site.nodes and service.node not in pool.devices:
                yield ConfigIssue(
                    f"{path}.pool",
                    f"datapool {service.pool!r} has no devices on home node {service.node!r}",
                )
            if service.importance is Importance.HIGH and pool.role is not PoolRole.IMPORTANT:
                yield ConfigIssue(
                    f"{path}.pool",
                    f"high-importance service on {pool.role.value} pool {service.pool!r}: "
                    "move it to an important pool or set importance: low",
                )
        failover = service.ha.failover_node
        if failover is not None and failover not in site.nodes:
            yield ConfigIssue(
                f"{path}.ha.failover_node",
                f"{failover!r} is not a declared node (nodes: {_quoted(site.nodes)})",
            )
        elif failover is not None and failover == service.node:
            yield ConfigIssue(
                f"{path}.ha.failover_node",
                f"failover node {failover!r} is the home node; choose another node",
            )


def ha_and_replication_need_a_second_node(site: SiteConfig, _: Declared) -> Iterator[ConfigIssue]:
    """HA and replication target the failover node, which must carry the same ZFS storage."""
    for name, service in site.services.items():
        path = f"services.{name}"
        failover = service.ha.failover_node
        for feature, enabled in (
            ("ha", service.ha.enabled),
            ("replication", service.replication.enabled),
        ):
            if enabled and failover is None:
                yield ConfigIssue(
                    f"{path}.{feature}.enabled",
                    f"{feature} needs a failover node and this site has only one node",
                )
        pool = site.datapools.get(service.pool)
        if (
            service.replication.enabled
            and failover in site.nodes
            and failover != service.node
            and pool is not None
            and failover not in pool.devices
        ):
            yield ConfigIssue(
                f"{path}.replication.enabled",
                f"replication target {failover!r} has no ZFS pool with storage ID "
                f"{pool.storage_id!r} (add devices for {failover!r} to datapools.{service.pool})",
            )


def vmids_are_unique(site: SiteConfig, _: Declared) -> Iterator[ConfigIssue]:
    """A vmid names one VM cluster-wide."""
    owner: dict[int, str] = {}
    for name, service in site.services.items():
        if service.vmid in owner:
            yield ConfigIssue(
                f"services.{name}.vmid",
                f"vmid {service.vmid} is also used by service {owner[service.vmid]!r}",
            )
        else:
            owner[service.vmid] = name


def restored_vmids_fit(site: SiteConfig, _: Declared) -> Iterator[ConfigIssue]:
    """A restore lands on a vmid PVE accepts, held by no other service and no other restore
    (generation ``g`` of a service restores as ``g * 100000 + vmid`` unless ``vmid`` says)."""
    owner = {service.vmid: f"service {name!r}" for name, service in site.services.items()}
    for name, point in sorted(site.recovery.restore.items()):
        service = site.services.get(name)
        if service is None:  # named by personal_and_recovery_references
            continue
        target = point.vmid_for(service.vmid)
        path = f"recovery.restore.{name}.{'vmid' if point.vmid else 'generation'}"
        if target > MAX_VMID:
            yield ConfigIssue(
                path,
                f"restores {name} as vmid {target}, above PVE's largest vmid {MAX_VMID}: "
                f"set recovery.restore.{name}.vmid",
            )
        elif target != service.vmid and target in owner:
            yield ConfigIssue(
                path, f"restores {name} as vmid {target}, which {owner[target]} already uses"
            )
        else:
            owner.setdefault(target, f"the restore of {name!r}")


def ha_rules_are_unique(site: SiteConfig, _: Declared) -> Iterator[ConfigIssue]:
    """A node-affinity rule id names one rule, and PVE refuses a resource in two of them."""
    owner: dict[str, str] = {}
    for name, service in site.services.items():
        if not service.ha.enabled:
            continue
        rule = service.ha.rule_id(name)
        if rule in owner:
            yield ConfigIssue(
                f"services.{name}.ha.rule",
                f"rule {rule!r} is also the rule of service {owner[rule]!r}",
            )
        else:
            owner[rule] = name


def datapools_fit_their_nodes(site: SiteConfig, _: Declared) -> Iterator[ConfigIssue]:
    """Devices on declared nodes, enough of them for the layout, each disk used once."""
    used: dict[tuple[str, str], str] = {}
    storage_owner: dict[str, str] = {}
    for name, pool in site.datapools.items():
        path = f"datapools.{name}"
        if pool.storage_id in storage_owner:
            yield ConfigIssue(
                f"{path}.storage_id",
                f"storage ID {pool.storage_id!r} is also used by datapool "
                f"{storage_owner[pool.storage_id]!r}",
            )
        storage_owner.setdefault(pool.storage_id, name)
        for node, devices in pool.devices.items():
            device_path = f"{path}.devices.{node}"
            if node not in site.nodes:
                yield ConfigIssue(device_path, f"{node!r} is not a declared node")
            redundancy = pool.redundancy
            if len(devices) < redundancy.min_devices:
                yield ConfigIssue(
                    device_path,
                    f"{redundancy.value} needs at least {redundancy.min_devices} devices, "
                    f"got {len(devices)}",
                )
            if redundancy.max_devices is not None and len(devices) > redundancy.max_devices:
                yield ConfigIssue(
                    device_path,
                    f"redundancy none takes exactly one device (PVE 'single'), got {len(devices)}; "
                    "use mirror or raidz for more",
                )
            for device in devices:
                if (node, device) in used:
                    yield ConfigIssue(
                        device_path,
                        f"{device} on {node!r} is already used by datapool {used[node, device]!r}",
                    )
                used.setdefault((node, device), name)


def backup_has_a_home(site: SiteConfig, _: Declared) -> Iterator[ConfigIssue]:
    """The local PBS runs on a declared node, on a backup pool present there."""
    if site.backup is None:
        return
    pbs = site.backup.pbs
    if pbs.node not in site.nodes:
        yield ConfigIssue("backup.pbs.node", f"{pbs.node!r} is not a declared node")
    pool = site.datapools.get(pbs.pool)
    if pool is None:
        yield ConfigIssue(
            "backup.pbs.pool",
            f"{pbs.pool!r} is not a declared datapool (declare one with role: backup)",
        )
        return
    if pool.role is not PoolRole.BACKUP:
        yield ConfigIssue(
            "backup.pbs.pool", f"datapool {pbs.pool!r} has role {pool.role.value}, not backup"
        )
    if pbs.node in site.nodes and pbs.node not in pool.devices:
        yield ConfigIssue(
            "backup.pbs.pool", f"datapool {pbs.pool!r} has no devices on PBS node {pbs.node!r}"
        )
    if pbs.storage_id in {p.storage_id for p in site.datapools.values()}:
        yield ConfigIssue(
            "backup.pbs.storage_id", f"storage ID {pbs.storage_id!r} is already a datapool's"
        )
    encryption = site.backup.encryption
    if encryption.enabled and encryption.key is None:
        yield ConfigIssue(
            "backup.encryption.key",
            "encryption is on but no key is referenced: write {secret: pbsEncryptionKey} and "
            "run `pulumi config set --secret pbsEncryptionKey <key JSON>`",
        )
    if not encryption.enabled and encryption.master_public_key is not None:
        yield ConfigIssue(
            "backup.encryption.master_public_key", "a master key needs encryption enabled"
        )


def role_has_its_sections(site: SiteConfig, _: Declared) -> Iterator[ConfigIssue]:
    """Sites and peers keep a local PBS; only peers host guests; cloud recovery needs a source."""
    if site.role in {Role.SITE, Role.PEER} and site.backup is None:
        yield ConfigIssue("backup", f"a {site.role.value} needs a local PBS (backup.pbs)")
    if site.role is Role.PEER and site.peer is None:
        yield ConfigIssue("peer", "role peer needs peer.guests: the sites whose backups it keeps")
    if site.role is not Role.PEER and site.peer is not None:
        yield ConfigIssue(
            "peer", f"only role peer hosts guests; this stack's role is {site.role.value}"
        )
    if site.role is Role.CLOUD_RECOVERY:
        if site.remote is None:
            yield ConfigIssue("remote", "cloud recovery needs the remote holding the backups")
        if RecoveryMethod.CLOUD not in site.recovery.methods:
            yield ConfigIssue("recovery.methods", "cloud recovery needs the 'cloud' method")


def remote_is_named_once(site: SiteConfig, _: Declared) -> Iterator[ConfigIssue]:
    """A peer stack, or explicit address + fingerprint + datastore; a credential only to push
    (or, for a recovery cluster, to read the copy it restores from)."""
    remote = site.remote
    if remote is None:
        return
    explicit = {
        "address": remote.address,
        "fingerprint": remote.fingerprint,
        "datastore": remote.datastore,
    }
    yield from _named_once("remote", "peer_stack", remote.peer_stack, explicit)
    if (
        remote.direction is Direction.PUSH
        and remote.peer_stack is None
        and remote.credential is None
    ):
        yield ConfigIssue(
            "remote.credential",
            "push needs a token on the peer (DatastoreBackup on our namespace): "
            "{token_id: …, token_secret: {secret: …}}",
        )
    if site.role is Role.CLOUD_RECOVERY:
        if remote.credential is None:
            yield ConfigIssue(
                "remote.credential",
                "recovery reads the copy on the peer: give a token with DatastoreReader on "
                "its namespace: {token_id: …, token_secret: {secret: …}}",
            )
    elif remote.direction is Direction.PULL and remote.credential is not None:
        yield ConfigIssue(
            "remote.credential",
            "pull does not use a credential here: the peer reads with reader_token_id",
        )


def guests_are_named_once(site: SiteConfig, _: Declared) -> Iterator[ConfigIssue]:
    """Each guest: a stack or explicit fields; its own namespace; a read token to pull."""
    if site.peer is None:
        return
    namespaces: dict[str, str] = {}
    for name, guest in site.peer.guests.items():
        path = f"peer.guests.{name}"
        explicit = {
            "address": guest.address,
            "fingerprint": guest.fingerprint,
            "datastore": guest.datastore,
        }
        yield from _named_once(path, "stack", guest.stack, explicit)
        if guest.direction is Direction.PULL and guest.stack is None and guest.credential is None:
            yield ConfigIssue(
                f"{path}.credential",
                "pulling needs the guest's read-only token: "
                "{token_id: …, token_secret: {secret: …}}",
            )
        if guest.direction is Direction.PUSH and guest.credential is not None:
            yield ConfigIssue(
                f"{path}.credential",
                "a pushing guest uses writer_token_id on this PBS; no credential is needed here",
            )
        if guest.namespace in namespaces:
            yield ConfigIssue(
                f"{path}.namespace",
                f"namespace {guest.namespace!r} is also used by guest "
                f"{namespaces[guest.namespace]!r}",
            )
        namespaces.setdefault(guest.namespace, name)
        if site.backup is not None and guest.namespace == site.backup.pbs.namespace:
            yield ConfigIssue(
                f"{path}.namespace", "a guest's copy cannot share this site's own backup namespace"
            )


def _named_once(
    path: str, reference_key: str, reference: str | None, explicit: dict[str, str | None]
) -> Iterator[ConfigIssue]:
    """Either ``reference`` (a stack) or all ``explicit`` fields, not both, not neither."""
    given = [key for key, value in explicit.items() if value is not None]
    if reference is not None and given:
        yield ConfigIssue(
            f"{path}.{reference_key}",
            f"give either {reference_key} or {', '.join(explicit)}, not both "
            f"(also set: {', '.join(given)})",
        )
    elif reference is None and len(given) < len(explicit):
        missing = [key for key in explicit if key not in given]
        yield ConfigIssue(
            path, f"name the peer by {reference_key}, or give {', '.join(missing)} as well"
        )


def personal_and_recovery_references(site: SiteConfig, declared: Declared) -> Iterator[ConfigIssue]:
    """Personal exports need the disk; restore order names services once; a VLAN for peers."""
    for name, service in site.services.items():
        if service.personal_export is not PersonalExport.NONE and site.personal is None:
            yield ConfigIssue(
                f"services.{name}.personal_export",
                "no personal disk is configured: add personal.backing_device",
            )
    personal = site.personal
    if (
        personal is not None
        and site.backup is not None
        and personal.datastore == site.backup.pbs.datastore
    ):
        yield ConfigIssue("personal.datastore", "the removable datastore needs its own name")
    seen: set[str] = set()
    for index, name in enumerate(site.recovery.restore_order):
        path = f"recovery.restore_order[{index}]"
        if name not in declared.services:
            yield ConfigIssue(path, f"{name!r} is not a declared service")
        elif name in seen:
            yield ConfigIssue(path, f"{name!r} is listed twice")
        seen.add(name)
    for name in site.recovery.restore:
        if name not in declared.services:
            yield ConfigIssue(f"recovery.restore.{name}", f"{name!r} is not a declared service")
    if RecoveryMethod.PEER_RESTORE in site.recovery.methods and site.recovery.vlan is None:
        yield ConfigIssue(
            "recovery.vlan", "peer-restore needs an isolated VLAN for the restored services"
        )


GCP_NESTED_SERIES = ("n1", "n2", "c2", "c3")
"""GCP machine series that run nested KVM: Intel only, not E2 or N2D (GCP "About nested
virtualization": no AMD or Arm, no E2/N2D; https://cloud.google.com/compute/docs/instances/
nested-virtualization/overview)."""
AWS_NESTED_FAMILIES = ("c8i", "m8i", "r8i", "c8i-flex", "m8i-flex", "r8i-flex")
"""EC2 families with ``cpu_options.nested_virtualization`` (8th-generation Intel; EC2 API
``CpuOptions.nestedVirtualization``); any ``*.metal`` type runs KVM without it."""


def aws_nests(size: str) -> bool:
    """Whether an EC2 instance type takes ``cpu_options.nested_virtualization``."""
    return size.split(".", 1)[0] in AWS_NESTED_FAMILIES


def cloud_host_fits(site: SiteConfig, declared: Declared) -> Iterator[ConfigIssue]:
    """The rented host can run KVM guests, is fully named, and restores declared services."""
    cloud = site.cloud
    if cloud is None:
        return
    if site.role is not Role.CLOUD_RECOVERY:
        yield ConfigIssue("cloud", f"only role cloud-recovery rents a host; this is a {site.role}")
    yield from _provider_fields(cloud)
    yield from _size_runs_kvm(cloud)
    for index, name in enumerate(cloud.services or ()):
        if name not in declared.services:
            yield ConfigIssue(f"cloud.services[{index}]", f"{name!r} is not a declared service")
        elif (cloud.services or ()).index(name) != index:
            yield ConfigIssue(f"cloud.services[{index}]", f"{name!r} is listed twice")
    if cloud.guest_network.network.overlaps(cloud.host_network.network):
        yield ConfigIssue("cloud.guest_network", "overlaps cloud.host_network")
    for index, forward in enumerate(cloud.forwards):
        path = f"cloud.forwards[{index}]"
        if forward.to not in cloud.guest_network.network:
            yield ConfigIssue(
                f"{path}.to",
                f"{forward.to} is outside the guest network {cloud.guest_network.network}",
            )
        if forward.port in RESERVED_PORTS:
            yield ConfigIssue(f"{path}.port", f"port {forward.port} is the host's (SSH, PVE API)")
    wireguard = cloud.wireguard
    if wireguard is not None and not wireguard.allowed_ips and site.remote is not None:
        host = site.remote.address and split_address(site.remote.address)[0]
        if host is None or not _is_ipv4(host):
            yield ConfigIssue(
                "cloud.wireguard.allowed_ips",
                "the peer's PBS is not named by an IPv4 address: list what the tunnel "
                "reaches, e.g. [10.20.0.11/32]",
            )


def _provider_fields(cloud: CloudSettings) -> Iterator[ConfigIssue]:
    needed = {
        CloudProvider.GCP: ("project", "region", "zone", "size"),
        CloudProvider.AWS: ("region", "zone", "size"),
        CloudProvider.EXISTING: ("address",),
    }[cloud.provider]
    for key in needed:
        if getattr(cloud, key) is None:
            yield ConfigIssue(f"cloud.{key}", f"provider {cloud.provider} needs {key}")
    unused = {"project", "region", "zone", "size", "address"} - set(needed)
    if cloud.provider is CloudProvider.AWS:
        unused -= {"project"}
    for key in sorted(unused):
        if getattr(cloud, key) is not None:
            yield ConfigIssue(f"cloud.{key}", f"provider {cloud.provider} does not use {key}")
    if cloud.provider is not CloudProvider.EXISTING and not cloud.admin_cidrs:
        yield ConfigIssue(
            "cloud.admin_cidrs",
            f"provider {cloud.provider} needs the networks allowed to reach the host "
            "(e.g. [198.51.100.7/32]); nothing else may",
        )
    for index, cidr in enumerate(cloud.admin_cidrs):
        if cidr.prefixlen == 0:
            yield ConfigIssue(
                f"cloud.admin_cidrs[{index}]",
                "0.0.0.0/0 would open SSH and the PVE GUI to the whole internet",
            )
    if cloud.zone and cloud.region and not cloud.zone.startswith(cloud.region):
        yield ConfigIssue("cloud.zone", f"zone {cloud.zone!r} is not in region {cloud.region!r}")
    if cloud.provider is CloudProvider.EXISTING and cloud.staging:
        yield ConfigIssue(
            "cloud.staging",
            "staging is set up by the rented host's installer; an existing "
            "host is not installed by this stack",
        )


def _size_runs_kvm(cloud: CloudSettings) -> Iterator[ConfigIssue]:
    """Refuse machine types that cannot run KVM guests, with what would."""
    size = cloud.size
    if size is None:
        return
    if cloud.provider is CloudProvider.GCP and size.split("-", 1)[0] not in GCP_NESTED_SERIES:
        yield ConfigIssue(
            "cloud.size",
            f"{size!r} cannot run nested KVM on GCP: use an Intel series "
            f"({', '.join(GCP_NESTED_SERIES)}), e.g. n2-standard-8 (not E2, N2D, AMD or Arm)",
        )
    if cloud.provider is CloudProvider.AWS and not (aws_nests(size) or size.endswith(".metal")):
        yield ConfigIssue(
            "cloud.size",
            f"{size!r} cannot run KVM guests on EC2: use a nested-virtualization family "
            f"({', '.join(AWS_NESTED_FAMILIES)}, e.g. m8i.2xlarge) or a *.metal type",
        )


def _is_ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def network_references(site: SiteConfig, declared: Declared) -> Iterator[ConfigIssue]:
    """Resolvers run on declared services, once each; names belong to declared services, and
    one name to one service."""
    network = site.network
    if network is None:
        return
    addresses: dict[tuple[str, int], int] = {}
    for index, resolver in enumerate(network.resolvers):
        path = f"network.resolvers[{index}]"
        if resolver.service is not None and resolver.service not in declared.services:
            yield ConfigIssue(
                f"{path}.service",
                f"{resolver.service!r} is not a declared service (the VM that runs the "
                "resolver, in TAPPaaS 'firewall')",
            )
        where = (resolver.host, resolver.port)
        if where in addresses:
            yield ConfigIssue(f"{path}.address", f"resolver {resolver.address} is listed twice")
        addresses.setdefault(where, index)
    owner: dict[str, str] = {}
    for name, entry in network.services.items():
        if name not in declared.services:
            yield ConfigIssue(f"network.services.{name}", f"{name!r} is not a declared service")
        for dns_name in entry.names:
            if dns_name in owner and owner[dns_name] != name:
                yield ConfigIssue(
                    f"network.services.{name}.names",
                    f"{dns_name} is also a name of service {owner[dns_name]!r}",
                )
            owner.setdefault(dns_name, name)


CHECKS: tuple[Check, ...] = (
    services_reference_nodes_and_pools,
    ha_and_replication_need_a_second_node,
    vmids_are_unique,
    restored_vmids_fit,
    ha_rules_are_unique,
    datapools_fit_their_nodes,
    backup_has_a_home,
    role_has_its_sections,
    remote_is_named_once,
    guests_are_named_once,
    personal_and_recovery_references,
    drill_is_isolated,
    monitoring_thresholds_are_ordered,
    cloud_host_fits,
    network_references,
)


def cross_field_issues(site: SiteConfig, declared: Declared) -> list[ConfigIssue]:
    """Every cross-field problem of ``site``."""
    return [issue for check in CHECKS for issue in check(site, declared)]
