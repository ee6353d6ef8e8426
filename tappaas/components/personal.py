"""``PersonalBackup``: a removable PBS datastore (a USB disk) that fills itself when plugged in.

The datastore lives on the disk (``backing-device`` = its filesystem UUID) and is protected;
a local sync job copies the opted-in services' backups onto it whenever the disk is mounted
and unmounts it when done, so the disk can be taken away (and off-site) right after.
"""

from __future__ import annotations

import pulumi

from providers import PbsDatastore, PbsSyncJob
from tappaas.model import PersonalExport, SiteConfig
from tappaas.model.pbs_ids import on_mount_job_id

PERSONAL_PATH = "tappaas"
"""Where the datastore sits on the disk (relative to its mount point)."""


class PersonalBackup(pulumi.ComponentResource):
    """Removable datastore + run-on-mount sync of the services that opted in."""

    def __init__(
        self,
        name: str,
        site: SiteConfig,
        local_endpoint: dict[str, object],
        source: pulumi.Resource,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("tappaas:index:PersonalBackup", name, None, opts)
        assert site.backup is not None and site.personal is not None
        personal, pbs = site.personal, site.backup.pbs
        child = pulumi.ResourceOptions(parent=self)
        vmids = sorted(
            s.vmid for s in site.services.values() if s.personal_export is PersonalExport.PBS
        )
        disk = PbsDatastore(
            "disk",
            {
                "endpoint": local_endpoint,
                "name": personal.datastore,
                "path": PERSONAL_PATH,
                "backing_device": personal.backing_device,
                "comment": f"tappaas {site.name}: personal removable disk",
            },
            pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=True)),
        )
        if vmids:
            PbsSyncJob(
                "on-mount",
                {
                    "endpoint": local_endpoint,
                    "id": on_mount_job_id(personal.datastore),
                    "store": personal.datastore,
                    "remote_store": pbs.datastore,
                    "remote_ns": pbs.namespace or None,
                    "max_depth": 0,  # the site's own groups, never a guest's copy below
                    "group_filter": [f"group:vm/{vmid}" for vmid in vmids],
                    # Only when on: PBS before 4.0.4 / 4.0.20 does not know these options.
                    "run_on_mount": personal.run_on_mount or None,
                    "unmount_on_done": (personal.unmount_on_done and personal.run_on_mount) or None,
                    "remove_vanished": False,
                    "comment": "tappaas: personal copies, written when the disk is plugged in",
                },
                pulumi.ResourceOptions.merge(
                    child, pulumi.ResourceOptions(depends_on=[disk, source])
                ),
            )
        self.register_outputs({"services": vmids})
