"""The local Proxmox Backup Server and the daily backup of the site's VMs into it."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, model_validator

from tappaas.model._types import (
    Namespace,
    NodeName,
    PbsId,
    PveJobId,
    Schedule,
    StorageId,
    StrictModel,
    TokenId,
)
from tappaas.model.endpoint import Endpoint
from tappaas.model.retention import Retention
from tappaas.model.secrets import ApiToken, SecretRef

DEFAULT_DATASTORE = "tappaas_backup"
"""TAPPaaS ``pbsStorageName``: both the PBS datastore and the PVE storage ID."""
DEFAULT_PVE_TOKEN_ID = "tappaas-pve@pbs!backup"
"""The PBS token PVE writes backups with: DatastoreBackup only, so PVE cannot prune."""
DEFAULT_BACKUP_SCHEDULE = "02:00"
DEFAULT_BACKUP_JOB_ID = "tappaas-daily"
DEFAULT_PRUNE_SCHEDULE = "03:00"
DEFAULT_GC_SCHEDULE = "05:00"
DEFAULT_VERIFY_SCHEDULE = "sun 06:00"
DEFAULT_VERIFY_OUTDATED_AFTER_DAYS = 30
DEFAULT_NOTES_TEMPLATE = "{{guestname}}"


class BackupMode(StrEnum):
    """vzdump mode; ``snapshot`` keeps the VM running."""

    SNAPSHOT = "snapshot"
    SUSPEND = "suspend"
    STOP = "stop"


class LocalPbs(Endpoint):
    """The site's own PBS: where it runs, its datastore, and the admin token we manage it with.

    TAPPaaS installs PBS on a node (``backup`` module, ``tappaas3``) with its datastore on the
    backup pool (``tankc1``); the datastore path defaults to the pool's mount point.
    """

    node: NodeName
    pool: str
    api_token: ApiToken
    datastore: PbsId = DEFAULT_DATASTORE
    storage_id: StorageId
    """The PVE storage entry pointing at the datastore (default: the datastore name)."""
    path: Annotated[str, Field(pattern=r"^/\S*$")]
    namespace: Namespace = ""
    """Namespace of this site's backups in its own datastore (``""`` = root)."""
    pve_token_id: TokenId = DEFAULT_PVE_TOKEN_ID

    @model_validator(mode="before")
    @classmethod
    def _defaults_from_datastore(cls, data: Any) -> Any:
        """Storage ID = datastore name (TAPPaaS uses one name for both); path on the pool."""
        if not isinstance(data, dict):
            return data
        datastore = data.get("datastore", DEFAULT_DATASTORE)
        filled = dict(data)
        if "storage_id" not in filled and isinstance(datastore, str):
            filled["storage_id"] = datastore
        pool = filled.get("pool")
        if "path" not in filled and isinstance(pool, str) and isinstance(datastore, str):
            filled["path"] = f"/{pool}/{datastore}"
        return filled


class VerifySettings(StrictModel):
    """A PBS verify job; ``schedule: null`` turns it off (not recommended)."""

    schedule: Schedule | None = DEFAULT_VERIFY_SCHEDULE
    outdated_after_days: Annotated[int, Field(ge=1)] | None = DEFAULT_VERIFY_OUTDATED_AFTER_DAYS
    """Re-verify snapshots whose last verification is older than this."""
    verify_new: bool = False
    """Verify each backup right after it is written (the datastore's ``verify-new``)."""


class EncryptionSettings(StrictModel):
    """Client-side encryption (on by default): PVE encrypts before the data leaves the node.

    The peer that stores the off-site copy then sees only ciphertext. ``master_public_key``
    escrows the key (an RSA public key whose private half is kept offline).
    """

    enabled: bool = True
    key: SecretRef | None = None
    master_public_key: SecretRef | None = None


class BackupSettings(StrictModel):
    """Daily vzdump of every included VM to the local PBS, with prune, GC and verify jobs."""

    pbs: LocalPbs
    job_id: PveJobId = DEFAULT_BACKUP_JOB_ID
    """The vzdump job's id on PVE (``/cluster/backup/<id>``); set it to an existing job's id
    (e.g. upstream TAPPaaS's generated ``backup-…``) to take that job over."""
    schedule: Schedule = DEFAULT_BACKUP_SCHEDULE
    mode: BackupMode = BackupMode.SNAPSHOT
    repeat_missed: bool = True
    """Run a missed backup once after downtime (PVE's default drops it)."""
    notes_template: Annotated[str, Field(max_length=1024)] = DEFAULT_NOTES_TEMPLATE
    retention: Retention = Retention()
    prune_schedule: Schedule = DEFAULT_PRUNE_SCHEDULE
    gc_schedule: Schedule | None = DEFAULT_GC_SCHEDULE
    verify: VerifySettings = VerifySettings()
    encryption: EncryptionSettings = EncryptionSettings()
