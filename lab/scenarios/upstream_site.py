"""A lab site set up the way upstream TAPPaaS's scripts set one up, over the real API.

The PVE side follows the TAPPaaS sources (TAPPaaS/TAPPaaS on GitHub; each call below is the
API form of the command they run):

- ``src/foundation/cluster/config-storage.sh``: each pool ``zpool create -o ashift=12 -O
  compression=lz4 …`` on every node that has it, registered once with ``pvesm add zfspool
  <pool> -pool <pool> -content images,rootdir`` (no node list: all nodes);
- ``src/foundation/cluster/services/ha/update-service.sh``, per ``cluster:ha`` module:
  ``ha-manager add vm:<id> --state started``, ``ha-manager rules add node-affinity
  ha-<module> --nodes <home>:2,<HANode>:1 --resources vm:<id>`` and ``pvesr
  create-local-job <vmid>-0 <HANode> --schedule <replicationSchedule>``;
- ``src/foundation/backup/install.sh`` and ``lib/pbs-storage.sh``: the PBS user
  ``tappaas@pbs`` (password, ``Admin`` on the datastore) and ``pvesm add pbs <store> --server
  … --datastore <store> --username tappaas@pbs --password … --content backup --fingerprint …
  --port …``, with no encryption key;
- ``src/foundation/backup/lib/pbs-job.sh``: one vzdump job ``pvesh create /cluster/backup
  --storage <store> --vmid <ids> --mode snapshot --compress zstd --schedule 21:00 --enabled 1
  --mailnotification always --comment TAPPaaS-backup-vm-managed``, whose id PVE generates.

The PBS side (datastore, jobs, PVE's DatastoreBackup token), the personal disk and the
peer's side of the copy are set up as the program would (``site.local_pbs``,
``site.configure_copies``): an adoption that meets the program's own PBS objects has been
shown for them; what differs upstream on PBS is reported by ``tappaas import tappaas``.
The module of each service is named after the service (``ha-<service>``), as in upstream's
examples; the VMs exist already (TAPPaaS modules made them).
"""

from __future__ import annotations

import secrets
from typing import Any

from lab.lab import Lab
from lab.scenarios.client import api
from lab.scenarios.site import LOCAL_PBS, SiteLab, configure_copies, local_pbs
from tappaas.model import SiteConfig

UPSTREAM_COMPRESSION = "lz4"
UPSTREAM_ASHIFT = 12
UPSTREAM_CONTENT = "images,rootdir"
UPSTREAM_HOME_PRIORITY, UPSTREAM_FAILOVER_PRIORITY = 2, 1
UPSTREAM_PBS_USER = "tappaas@pbs"
UPSTREAM_PBS_ROLE = "Admin"
UPSTREAM_BACKUP_START = "21:00"
UPSTREAM_JOB_MARKER = "TAPPaaS-backup-vm-managed"


def upstream_rule(service: str) -> str:
    """The node-affinity rule upstream's ``cluster:ha`` makes for a module."""
    return f"ha-{service}"


def configure_as_upstream(lab: Lab, site: SiteConfig, peer: SiteConfig | None = None) -> SiteLab:
    """Configure ``lab``'s PVE side as upstream TAPPaaS would for ``site``, the rest as the
    program would (see the module docstring)."""
    pve = api(lab.pve)
    _pools(pve, site)
    _guests(lab, site)
    _ha_and_replication(pve, site)
    backup_token = local_pbs(lab, site)
    _backup(lab, pve, site)
    return configure_copies(lab, site, peer, backup_token)


def _pools(pve: Any, site: SiteConfig) -> None:
    for pool in site.datapools.values():
        for node, devices in pool.devices.items():
            pve.nodes(node).disks.zfs.post(
                name=pool.storage_id,
                raidlevel=pool.redundancy.raidlevel,
                devices=",".join(devices),
                ashift=UPSTREAM_ASHIFT,
                compression=UPSTREAM_COMPRESSION,
                add_storage=0,
            )
        pve.storage.post(
            storage=pool.storage_id, type="zfspool", pool=pool.storage_id, content=UPSTREAM_CONTENT
        )


def _guests(lab: Lab, site: SiteConfig) -> None:
    """The services' VMs, where they are not running yet."""
    for name, service in site.services.items():
        if lab.control.vm(service.vmid) is None:
            disk = f"{site.pool_of(service).storage_id}:vm-{service.vmid}-disk-0,size=32G"
            lab.control.seed_vm(service.vmid, service.node, name, disks={"scsi0": disk})


def _ha_and_replication(pve: Any, site: SiteConfig) -> None:
    for name, service in site.services.items():
        failover = service.ha.failover_node
        if not service.ha.enabled or failover is None:
            continue
        sid = f"vm:{service.vmid}"
        pve.cluster.ha.resources.post(sid=sid, state="started")
        pve.cluster.ha.rules.post(
            rule=upstream_rule(name),
            type="node-affinity",
            resources=sid,
            nodes=f"{service.node}:{UPSTREAM_HOME_PRIORITY},{failover}:{UPSTREAM_FAILOVER_PRIORITY}",
        )
        pve.cluster.replication.post(
            id=f"{service.vmid}-0",
            target=failover,
            type="local",
            schedule=service.replication.schedule,
        )


def _backup(lab: Lab, pve: Any, site: SiteConfig) -> None:
    """Upstream's PBS user, PVE's storage entry logging in with it, and the vzdump job."""
    assert site.backup is not None
    store = site.backup.pbs.datastore
    endpoint = lab.pbs[LOCAL_PBS]
    pbs = api(endpoint)
    password = secrets.token_urlsafe(18)
    pbs.access.users.post(userid=UPSTREAM_PBS_USER, password=password)
    pbs.access.acl.put(
        path=f"/datastore/{store}", role=UPSTREAM_PBS_ROLE, **{"auth-id": UPSTREAM_PBS_USER}
    )
    pve.storage.post(
        storage=site.backup.pbs.storage_id,
        type="pbs",
        server=endpoint.host,
        port=endpoint.port,
        datastore=store,
        username=UPSTREAM_PBS_USER,
        password=password,
        fingerprint=endpoint.fingerprint,
        content="backup",
    )
    vmids = sorted(s.vmid for s in site.services.values() if s.backup.enabled)
    pve.cluster.backup.post(
        storage=site.backup.pbs.storage_id,
        vmid=",".join(str(vmid) for vmid in vmids),
        mode="snapshot",
        compress="zstd",
        schedule=UPSTREAM_BACKUP_START,
        enabled=1,
        mailnotification="always",
        comment=UPSTREAM_JOB_MARKER,
    )
