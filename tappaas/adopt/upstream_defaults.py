"""What upstream TAPPaaS's scripts configure on a site, where no JSON file records it.

Read from the TAPPaaS sources (TAPPaaS/TAPPaaS on GitHub), so the import can say what the
imported stack changes:

- ``src/foundation/backup/install.sh``: the prune job ``prune-<store>`` (02:00, keep-last 4,
  keep-daily 14, keep-weekly 8, keep-monthly 12, keep-yearly 6), GC at 03:00, the user
  ``tappaas@pbs`` (password login, ``Admin`` on ``/datastore/<store>``), and the PVE storage
  entry added with ``pvesm add pbs`` with that user and no ``--encryption-key``;
- ``src/foundation/backup/lib/pbs-job.sh``: the verify job ``verify-<store>`` (04:00,
  ignore-verified, outdated-after 30), ``verify-new`` on the datastore, and one shared vzdump
  job marked with the comment ``TAPPaaS-backup-vm-managed`` (mode snapshot, zstd);
- ``src/foundation/backup/lib/pbs-schedule.sh``: that job's daily start time, 21:00;
- ``src/foundation/cluster/services/ha/update-service.sh``: ``ha-manager add vm:<id>
  --state started``, a node-affinity rule ``ha-<module>`` (home:2, HANode:1) and the
  replication job ``<vmid>-0`` to the HANode.
"""

from __future__ import annotations

from typing import Final

RETENTION: Final = {
    "keep_last": 4,
    "keep_daily": 14,
    "keep_weekly": 8,
    "keep_monthly": 12,
    "keep_yearly": 6,
}
PRUNE_JOB: Final = "prune-{store}"
PRUNE_SCHEDULE: Final = "02:00"
GC_SCHEDULE: Final = "03:00"
VERIFY_JOB: Final = "verify-{store}"
VERIFY_SCHEDULE: Final = "04:00"
VERIFY_OUTDATED_AFTER_DAYS: Final = 30
VERIFY_NEW: Final = True
BACKUP_START: Final = "21:00"
BACKUP_JOB_MARKER: Final = "TAPPaaS-backup-vm-managed"
PBS_USER: Final = "tappaas@pbs"
PBS_USER_ROLE: Final = "Admin"
HA_RULE: Final = "ha-{module}"
DEFAULT_STORAGE: Final = "tanka1"
"""module-fields.json ``storage`` default."""
DEFAULT_REPLICATION_SCHEDULE: Final = "*/15"
PBS_PORT: Final = 8007
