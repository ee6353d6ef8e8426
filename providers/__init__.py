"""Python dynamic providers for what the upstream proxmoxve provider lacks: PBS, VM restore, and
the rented recovery host (readiness wait, pinned backup source, inventory).

Each module holds one resource: a frozen props model (identity fields replace, settings
update in place), a provider built on ``ObjectProvider`` (check/diff/create/read/update/
delete written once in ``_lifecycle``), and the ``Resource`` class components instantiate.
Providers call the typed operations in ``tappaas.pbs`` / ``tappaas.pve``, never proxmoxer.
Credentials arrive through ``configure()`` from stack config (see ``_endpoint``).
"""

from providers._endpoint import Endpoint
from providers.backup_inventory import BackupInventory
from providers.pbs_acl import PbsAcl
from providers.pbs_datastore import PbsDatastore
from providers.pbs_namespace import PbsNamespace
from providers.pbs_prune_job import PbsPruneJob
from providers.pbs_remote import PbsRemote
from providers.pbs_storage_keys import PbsStorageKeys
from providers.pbs_sync_job import PbsSyncJob
from providers.pbs_token import PbsToken
from providers.pbs_user import PbsUser
from providers.pbs_verify_job import PbsVerifyJob
from providers.pve_api_ready import PveApiReady
from providers.pve_pbs_source import PveBackupSource
from providers.restored_vm import RestoredVm

__all__ = [
    "BackupInventory",
    "Endpoint",
    "PbsAcl",
    "PbsDatastore",
    "PbsNamespace",
    "PbsPruneJob",
    "PbsRemote",
    "PbsStorageKeys",
    "PbsSyncJob",
    "PbsToken",
    "PbsUser",
    "PbsVerifyJob",
    "PveApiReady",
    "PveBackupSource",
    "RestoredVm",
]
