"""Python dynamic providers: all of PBS, VM restore, the PVE objects upstream cannot serve, and
the rented recovery host's readiness wait and backup inventory.

Each module holds one resource: a frozen props model (identity fields replace, settings
update in place), a provider built on ``ObjectProvider`` (check/diff/create/read/update/
delete written once in ``_lifecycle``), and the ``Resource`` class components instantiate.
Providers call the typed operations in ``tappaas.pbs`` / ``tappaas.pve``, never proxmoxer.
Credentials arrive through ``configure()`` from stack config (see ``_endpoint``).
"""

from typing import Any

from providers._endpoint import Credentials, Endpoint
from providers._lifecycle import ObjectProvider, Props
from providers.backup_inventory import BackupInventory
from providers.pbs_acl import PbsAcl
from providers.pbs_datastore import PbsDatastore
from providers.pbs_group_owner import PbsGroupOwner
from providers.pbs_namespace import PbsNamespace
from providers.pbs_prune_job import PbsPruneJob
from providers.pbs_remote import PbsRemote
from providers.pbs_sync_job import PbsSyncJob
from providers.pbs_token import PbsToken
from providers.pbs_user import PbsUser
from providers.pbs_verify_job import PbsVerifyJob
from providers.pve_api_ready import PveApiReady
from providers.pve_backup_job import PveBackupJob
from providers.pve_pbs_storage import PvePbsStorage
from providers.pve_replication_job import PveReplicationJob
from providers.pve_zfs_storage import PveZfsStorage
from providers.restored_vm import RestoredVm

PROVIDERS_BY_TYPE: dict[str, type[ObjectProvider[Any]]] = {
    resource.type_token(): resource.provider_type
    for resource in (
        PbsAcl,
        PbsDatastore,
        PbsGroupOwner,
        PbsNamespace,
        PbsPruneJob,
        PbsRemote,
        PbsSyncJob,
        PbsToken,
        PbsUser,
        PbsVerifyJob,
        PveBackupJob,
        PvePbsStorage,
        PveReplicationJob,
        PveZfsStorage,
        RestoredVm,
    )
}
"""Each resource's engine type token → its provider (an adoption reads live objects with it)."""

__all__ = [
    "PROVIDERS_BY_TYPE",
    "BackupInventory",
    "Credentials",
    "Endpoint",
    "PbsAcl",
    "PbsDatastore",
    "PbsGroupOwner",
    "PbsNamespace",
    "PbsPruneJob",
    "PbsRemote",
    "PbsSyncJob",
    "PbsToken",
    "PbsUser",
    "PbsVerifyJob",
    "Props",
    "PveApiReady",
    "PveBackupJob",
    "PvePbsStorage",
    "PveReplicationJob",
    "PveZfsStorage",
    "RestoredVm",
]
