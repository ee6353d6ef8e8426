"""A lab set up the way the TAPPaaS program configures a site and its peer, over the real API.

The upstream Pulumi provider cannot run offline, so this does, through proxmoxer and the
lab's endpoints, what the program's components would: ZFS pools and storage entries, the
cluster's HA options, HA resources with node-affinity rules and replication jobs for each
service, the local PBS (datastore, namespaces, prune/verify/GC schedules, a token for PVE
holding DatastoreBackup only), the PVE side of backups (PBS storage with an encryption key,
the daily vzdump job keeping everything, ``keep-all``), the personal removable disk (a
removable datastore and its run-on-mount sync job), and the off-site copy: a pull by the
peer with a read-only token, or a push to the peer with its write token. The services' VMs
are seeded through the control surface (TAPPaaS modules create them, not the program), and
so is the drill's probe helper (a small VM on the drill bridge) when the site declares one.

One deliberate difference from the program: with push and ``remove_vanished`` the peer's
write token gets DatastorePowerUser (backup + prune), since PBS needs prune rights to remove
vanished snapshots on the remote; the program's DatastoreBackup alone would make that fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lab.config import LabConfig
from lab.endpoint import Endpoint
from lab.lab import Lab
from lab.scenarios.client import api
from lab.sim.clock import ClockMode, epoch
from tappaas.model import (
    Direction,
    GuestSite,
    PersonalExport,
    PoolRole,
    SiteConfig,
    SyncSettings,
)
from tappaas.model.pbs_ids import retention_job_id, verify_job_id

LOCAL_PBS = "local"
PEER_PBS = "peer"
DEFAULT_START = epoch("2025-01-01T00:00:00Z")
DISK_SIZE = "32G"
PUSH_JOB_ID = "tappaas-offsite-push"
PERSONAL_PATH = "tappaas"
BACKUP_ROLE = "DatastoreBackup"
READER_ROLE = "DatastoreReader"
PRUNING_WRITER_ROLE = "DatastorePowerUser"
VZDUMP_KEEP_ALL = "keep-all=1"

Credential = tuple[str, str]


@dataclass(frozen=True)
class SiteLab:
    """A configured lab with the credentials the configuration created."""

    lab: Lab
    site: SiteConfig
    peer: SiteConfig | None
    pve_backup_token: Credential
    """The PBS token PVE writes backups with (DatastoreBackup on the site's namespace)."""
    reader_token: Credential | None = None
    """Pull: the token on the site's PBS the peer reads with (DatastoreReader)."""
    writer_token: Credential | None = None
    """Push: the token on the peer's PBS the site writes with."""

    @property
    def pve_admin(self) -> Credential:
        """The site admin's PVE token."""
        return (self.lab.pve.token_id, self.lab.pve.token_secret)

    @property
    def pbs_admin(self) -> Credential:
        """The site admin's token on its own PBS."""
        local = self.lab.pbs[LOCAL_PBS]
        return (local.token_id, local.token_secret)

    @property
    def guest(self) -> GuestSite | None:
        """The peer's settings for this site's copy."""
        if self.peer is None or self.peer.peer is None:
            return None
        return self.peer.peer.guests.get(self.site.name)


def lab_config(
    site: SiteConfig,
    *,
    start: float = DEFAULT_START,
    clock: ClockMode = "simulated",
    **overrides: Any,
) -> LabConfig:
    """A lab with the site's nodes and their pool disks, a local and a peer PBS; other
    ``LabConfig`` fields from ``overrides`` (e.g. restore and boot timing for drills)."""
    disks: dict[str, list[str]] = {node: [] for node in site.nodes}
    for pool in site.datapools.values():
        for node, devices in pool.devices.items():
            disks[node] += devices
    return LabConfig(
        nodes=tuple(site.nodes),
        pbs=(LOCAL_PBS, PEER_PBS),
        task_seconds=0.0,
        node_disks={node: tuple(devices) for node, devices in disks.items()},
        clock=clock,
        start_time=start,
        **overrides,
    )


def start_site_lab(
    site: SiteConfig,
    peer: SiteConfig | None = None,
    *,
    start: float = DEFAULT_START,
    clock: ClockMode = "simulated",
    **overrides: Any,
) -> SiteLab:
    """Start a lab for ``site`` and configure it (and the peer's PBS, if given)."""
    lab = Lab.start(lab_config(site, start=start, clock=clock, **overrides))
    try:
        return configure(lab, site, peer)
    except BaseException:
        lab.stop()
        raise


def configure(lab: Lab, site: SiteConfig, peer: SiteConfig | None = None) -> SiteLab:
    """Configure ``lab`` as the program would ``site`` (and the peer's side of its copy)."""
    pve = api(lab.pve)
    _datapools(pve, site)
    pve.cluster.options.put(
        ha=f"shutdown_policy={site.cluster.ha_shutdown_policy}",
        crs=f"ha={site.cluster.crs_mode}",
    )
    _guests(lab, site)
    _availability(pve, site)
    backup_token = local_pbs(lab, site)
    _pve_backup(lab, pve, site, backup_token)
    return configure_copies(lab, site, peer, backup_token)


def configure_copies(
    lab: Lab, site: SiteConfig, peer: SiteConfig | None, backup_token: Credential
) -> SiteLab:
    """The copies beyond the local PBS, as the program would: the personal removable disk and
    the off-site copy on the peer (its datastore, the guest's namespace and retention, and a
    pull with a read-only token or a push with the peer's write token)."""
    _personal(lab, site)
    configured = SiteLab(lab, site, peer, backup_token)
    if peer is None or site.remote is None:
        return configured
    guest = configured.guest
    if guest is None:
        raise ValueError(f"the peer keeps no copy for site {site.name!r}")
    _peer_store(lab, peer, guest, site.name)
    assert peer.backup is not None
    store = peer.backup.pbs.datastore
    if guest.direction is Direction.PULL:
        reader = _pull(lab, site, guest, store)
        return SiteLab(lab, site, peer, backup_token, reader_token=reader)
    return SiteLab(lab, site, peer, backup_token, writer_token=_push(lab, site, guest, store))


def _datapools(pve: Any, site: SiteConfig) -> None:
    for pool in site.datapools.values():
        for node, devices in pool.devices.items():
            pve.nodes(node).disks.zfs.post(
                name=pool.storage_id,
                raidlevel=pool.redundancy.raidlevel,
                devices=",".join(devices),
                ashift=pool.ashift,
                compression=str(pool.compression),
                add_storage=0,
            )
        if pool.role is not PoolRole.BACKUP:
            pve.storage.post(
                storage=pool.storage_id,
                type="zfspool",
                pool=pool.storage_id,
                nodes=",".join(sorted(pool.devices)),
                content="images,rootdir",
            )


def _guests(lab: Lab, site: SiteConfig) -> None:
    for name, service in site.services.items():
        disks = {"scsi0": f"{service.pool}:vm-{service.vmid}-disk-0,size={DISK_SIZE}"}
        for index, key in enumerate(service.backup.exclude_disks, start=1):
            disks[key] = f"{service.pool}:vm-{service.vmid}-disk-{index},size={DISK_SIZE},backup=0"
        lab.control.seed_vm(service.vmid, service.node, name, disks=disks)
    helper, drill = site.drill.probe_helper, site.drill
    if helper is not None and drill.bridge is not None:
        tag = f",tag={drill.vlan}" if drill.vlan is not None else ""
        nic = f"virtio=BC:24:11:FF:00:01,bridge={drill.bridge}{tag}"
        pool = next(iter(site.datapools))
        disk = {"scsi0": f"{pool}:vm-{helper.vmid}-disk-0,size=4G"}
        lab.control.seed_vm(
            helper.vmid, helper.node, "probe-helper", disks=disk, config={"net0": nic}
        )


def _availability(pve: Any, site: SiteConfig) -> None:
    for name, service in site.services.items():
        ha, failover = service.ha, service.ha.failover_node
        if failover is None:
            continue
        sid = f"vm:{service.vmid}"
        if ha.enabled:
            pve.cluster.ha.resources.post(
                sid=sid,
                state=str(ha.state),
                max_restart=ha.max_restart,
                max_relocate=ha.max_relocate,
                failback=int(ha.failback),
                comment=f"tappaas: {name}",
            )
            pve.cluster.ha.rules.post(
                rule=ha.rule_id(name),
                type="node-affinity",
                resources=sid,
                nodes=f"{service.node}:{ha.home_priority},{failover}:{ha.failover_priority}",
                strict=int(ha.strict),
                comment=f"tappaas: {name} prefers {service.node}, then {failover}",
            )
        if service.replication.enabled:
            options: dict[str, Any] = {"schedule": service.replication.schedule}
            if service.replication.rate_limit_mbps is not None:
                options["rate"] = service.replication.rate_limit_mbps
            pve.cluster.replication.post(
                id=f"{service.vmid}-0", target=failover, type="local", **options
            )


def _namespaces(pbs: Any, store: str, namespace: str) -> None:
    parts = [part for part in namespace.split("/") if part]
    for depth in range(len(parts)):
        parent = "/".join(parts[:depth])
        pbs.admin.datastore(store).namespace.post(
            name=parts[depth], **({"parent": parent} if parent else {})
        )


def _token(pbs: Any, token_id: str, path: str, role: str) -> Credential:
    """A user and its token, both granted ``role`` on ``path`` alone (not propagating, as the
    program grants): on PBS a token holds only what both it and its user hold, so a grant to
    the token alone gives it nothing."""
    userid, name = token_id.split("!", 1)
    if userid not in {u["userid"] for u in pbs.access.users.get()}:
        pbs.access.users.post(userid=userid)
    secret = str(pbs.access.users(userid).token(name).post()["value"])
    for auth_id in (userid, token_id):
        pbs.access.acl.put(path=path, role=role, propagate=0, **{"auth-id": auth_id})
    return (token_id, secret)


def _acl_path(store: str, namespace: str) -> str:
    return f"/datastore/{store}" + (f"/{namespace}" if namespace else "")


def local_pbs(lab: Lab, site: SiteConfig) -> Credential:
    """The local PBS as the program sets it up (datastore, namespaces, prune and verify jobs,
    GC, and PVE's DatastoreBackup token); returns that token."""
    assert site.backup is not None
    backup, pbs_model = site.backup, site.backup.pbs
    store, ns = pbs_model.datastore, pbs_model.namespace
    pbs = api(lab.pbs[LOCAL_PBS])
    options: dict[str, Any] = {"gc-schedule": backup.gc_schedule} if backup.gc_schedule else {}
    if backup.verify.verify_new:
        options["verify-new"] = 1
    pbs.config.datastore.post(name=store, path=pbs_model.path, **options)
    _namespaces(pbs, store, ns)
    scope = {"ns": ns} if ns else {}
    pbs.config.prune.post(
        id=retention_job_id(store),
        store=store,
        schedule=backup.prune_schedule,
        **{"max-depth": 0},
        **scope,
        **backup.retention.prune_options(),
    )
    if backup.verify.schedule is not None:
        extra = (
            {"outdated-after": backup.verify.outdated_after_days}
            if (backup.verify.outdated_after_days)
            else {}
        )
        pbs.config.verify.post(
            id=verify_job_id(store),
            store=store,
            schedule=backup.verify.schedule,
            **{"ignore-verified": 1},
            **extra,
            **scope,
        )
    return _token(pbs, pbs_model.pve_token_id, _acl_path(store, ns), BACKUP_ROLE)


def _pve_backup(lab: Lab, pve: Any, site: SiteConfig, token: Credential) -> None:
    """PVE's PBS storage entry (encrypted) and the daily vzdump job, as the program's."""
    assert site.backup is not None
    backup, pbs_model = site.backup, site.backup.pbs
    store, ns = pbs_model.datastore, pbs_model.namespace
    endpoint = lab.pbs[LOCAL_PBS]
    storage: dict[str, Any] = {"namespace": ns} if ns else {}
    if backup.encryption.enabled:
        storage["encryption-key"] = "autogen"
    pve.storage.post(
        storage=pbs_model.storage_id,
        type="pbs",
        server=endpoint.host,
        port=endpoint.port,
        datastore=store,
        username=token[0],
        password=token[1],
        fingerprint=endpoint.fingerprint,
        content="backup",
        **storage,
    )
    vmids = [str(s.vmid) for s in site.services.values() if s.backup.enabled]
    pve.cluster.backup.post(
        id=backup.job_id,
        schedule=backup.schedule,
        storage=pbs_model.storage_id,
        vmid=",".join(vmids),
        mode=str(backup.mode),
        enabled=1,
        **{
            "prune-backups": VZDUMP_KEEP_ALL,
            "notes-template": backup.notes_template,
            "repeat-missed": int(backup.repeat_missed),
        },
    )


def _personal(lab: Lab, site: SiteConfig) -> None:
    """The removable datastore on the personal disk, and its run-on-mount local sync of the
    services that opted in (``personal_export: pbs``)."""
    if site.personal is None or site.backup is None:
        return
    personal, local = site.personal, site.backup.pbs
    pbs = api(lab.pbs[LOCAL_PBS])
    pbs.config.datastore.post(
        name=personal.datastore, path=PERSONAL_PATH, **{"backing-device": personal.backing_device}
    )
    opted_in = (s for s in site.services.values() if s.personal_export is PersonalExport.PBS)
    vmids = sorted(s.vmid for s in opted_in)
    if not vmids:
        return
    options: dict[str, Any] = {"ns": local.namespace} if local.namespace else {}
    pbs.config.sync.post(
        id=f"{personal.datastore}-on-mount",
        store=personal.datastore,
        **{
            "remote-store": local.datastore,
            "group-filter": [f"group:vm/{vmid}" for vmid in vmids],
            "run-on-mount": int(personal.run_on_mount),
            "unmount-on-done": int(personal.unmount_on_done and personal.run_on_mount),
            "remove-vanished": 0,
        },
        **options,
    )


def _peer_store(lab: Lab, peer: SiteConfig, guest: GuestSite, site_name: str) -> None:
    """The peer's datastore, the guest's namespace and its retention there."""
    assert peer.backup is not None
    backup = peer.backup
    store = backup.pbs.datastore
    pbs = api(lab.pbs[PEER_PBS])
    options: dict[str, Any] = {"gc-schedule": backup.gc_schedule} if backup.gc_schedule else {}
    pbs.config.datastore.post(name=store, path=backup.pbs.path, **options)
    _namespaces(pbs, store, guest.namespace)
    pbs.config.prune.post(
        id=f"{site_name}-retention",
        store=store,
        ns=guest.namespace,
        schedule=backup.prune_schedule,
        **guest.retention.prune_options(),
    )


def _sync_options(settings: SyncSettings, max_depth: int | None) -> dict[str, Any]:
    options: dict[str, Any] = {
        "schedule": settings.schedule,
        "encrypted-only": int(settings.encrypted_only),
        "remove-vanished": int(settings.remove_vanished),
    }
    if max_depth is not None:
        options["max-depth"] = max_depth
    return options


def _remote(pbs: Any, name: str, endpoint: Endpoint, credential: Credential) -> None:
    """A remote ``name`` on ``pbs`` for the PBS at ``endpoint``, pinned, logging in as
    ``credential``."""
    token_id, secret = credential
    pbs.config.remote.post(
        name=name,
        host=endpoint.host,
        port=endpoint.port,
        fingerprint=endpoint.fingerprint,
        password=secret,
        **{"auth-id": token_id},
    )


def _pull(lab: Lab, site: SiteConfig, guest: GuestSite, store: str) -> Credential:
    """The site's read-only token for the peer, and the peer's remote and pull job."""
    assert site.backup is not None and site.remote is not None
    local = site.backup.pbs
    reader = _token(
        api(lab.pbs[LOCAL_PBS]),
        site.remote.reader_token_id,
        _acl_path(local.datastore, local.namespace),
        READER_ROLE,
    )
    peer = api(lab.pbs[PEER_PBS])
    _remote(peer, site.name, lab.pbs[LOCAL_PBS], reader)
    remote_ns = {"remote-ns": local.namespace} if local.namespace else {}
    peer.config.sync.post(
        id=f"pull-{site.name}",
        store=store,
        ns=guest.namespace,
        remote=site.name,
        **{"remote-store": local.datastore},
        **remote_ns,
        **_sync_options(guest, guest.max_depth),
    )
    return reader


def _push(lab: Lab, site: SiteConfig, guest: GuestSite, store: str) -> Credential:
    """The peer's write token for the site, and the site's remote and push job."""
    assert site.backup is not None and site.remote is not None
    remote = site.remote
    role = PRUNING_WRITER_ROLE if remote.remove_vanished else BACKUP_ROLE
    writer = _token(
        api(lab.pbs[PEER_PBS]), guest.writer_token_id, _acl_path(store, guest.namespace), role
    )
    local = api(lab.pbs[LOCAL_PBS])
    _remote(local, remote.remote_id, lab.pbs[PEER_PBS], writer)
    local_ns = {"ns": site.backup.pbs.namespace} if site.backup.pbs.namespace else {}
    local.config.sync.post(
        id=PUSH_JOB_ID,
        store=site.backup.pbs.datastore,
        remote=remote.remote_id,
        **{"sync-direction": "push", "remote-store": store, "remote-ns": guest.namespace},
        **local_ns,
        **_sync_options(remote, remote.max_depth),
    )
    return writer
