"""The personal removable disk: a PBS removable datastore that fills itself when plugged in."""

from __future__ import annotations

from tappaas.model._types import FilesystemUuid, PbsId, StrictModel

DEFAULT_PERSONAL_DATASTORE = "personal"


class PersonalSettings(StrictModel):
    """A USB disk (by filesystem UUID) that receives the opted-in services' backups on mount.

    Services opt in with ``personal_export: pbs`` (or ``native`` when the application writes
    its own export format to the disk). ``offsite`` says the disk is kept away from the site
    between runs, so it survives a site loss.
    """

    datastore: PbsId = DEFAULT_PERSONAL_DATASTORE
    backing_device: FilesystemUuid
    run_on_mount: bool = True
    unmount_on_done: bool = True
    offsite: bool = False
