"""Where the imported stack departs from what upstream TAPPaaS set up, and what to do about it.

The design (BackupDesign.md) keeps 7 daily, 4 weekly, 12 monthly and yearly-forever backups,
encrypts them on the client, and lets PVE write backups with a token that cannot delete
them. Upstream's scripts keep a different history, write unencrypted backups with a PBS
admin user, and name their jobs and rules differently (``upstream_defaults``). Data is
sacred: the imported retention keeps, per rule, the larger of upstream's and the design's
count, so adopting a site never prunes a snapshot that upstream would still keep.
"""

from __future__ import annotations

from typing import Any

from tappaas.adopt import upstream_defaults as upstream
from tappaas.adopt.result import Difference
from tappaas.model import FOREVER_YEARS, Retention
from tappaas.model.backup import (
    DEFAULT_GC_SCHEDULE,
    DEFAULT_PRUNE_SCHEDULE,
    DEFAULT_PVE_TOKEN_ID,
    DEFAULT_VERIFY_SCHEDULE,
)
from tappaas.model.pbs_ids import retention_job_id, verify_job_id


def kept_retention() -> dict[str, Any]:
    """Per ``keep-*`` rule the larger of upstream's and the design's (yearly: forever)."""
    design = Retention().model_dump()
    kept: dict[str, Any] = {}
    for key in ("keep_last", "keep_hourly", "keep_daily", "keep_weekly", "keep_monthly"):
        counts = [c for c in (design.get(key), upstream.RETENTION.get(key)) if c is not None]
        if counts:
            kept[key] = max(counts)
    kept["keep_yearly"] = "forever"
    return kept


def _describe(retention: dict[str, Any]) -> str:
    return Retention.model_validate(retention).describe()


def design_differences(datastore: str) -> tuple[Difference, ...]:
    """What the imported stack changes on a site upstream's scripts set up."""
    prune = upstream.PRUNE_JOB.format(store=datastore)
    verify = upstream.VERIFY_JOB.format(store=datastore)
    upstream_kept = _describe(dict(upstream.RETENTION))
    design_kept = Retention().describe()
    kept = _describe(kept_retention())
    return (
        Difference(
            "retention",
            f"prune job {prune} at {upstream.PRUNE_SCHEDULE}: {upstream_kept}",
            f"prune job {retention_job_id(datastore)} at {DEFAULT_PRUNE_SCHEDULE}: {kept} (the "
            "larger of each rule; "
            f"the design keeps {design_kept}, yearly = {FOREVER_YEARS} years)",
            f"Both jobs prune the same backups, and a snapshot survives only if both keep it: "
            f"after the first up, remove upstream's with `proxmox-backup-manager prune-job "
            f"remove {prune}`. Lowering backup.retention to the design's later prunes the "
            "older dailies and weeklies: decide that explicitly.",
        ),
        Difference(
            "encryption",
            "backups written unencrypted (the PBS storage has no encryption key)",
            "client-side encryption on (backup.encryption.key = secret pbsEncryptionKey)",
            "New backups are encrypted from the first backup after the up; existing "
            "unencrypted snapshots stay readable and restorable without a key. Encrypted "
            "chunks do not deduplicate with the old ones, so each VM starts a new chain (one "
            "full copy more on the datastore until the old snapshots age out). Keep the key "
            "file (and a paper or master-key copy) off the site: without it nothing encrypted "
            "can be restored. The peer's encrypted-only sync skips the old snapshots.",
        ),
        Difference(
            "backup credential",
            f"PVE writes backups as {upstream.PBS_USER} (password, "
            f"{upstream.PBS_USER_ROLE} on /datastore/{datastore}: may prune and delete)",
            f"PVE writes with the token {DEFAULT_PVE_TOKEN_ID} (DatastoreBackup only)",
            f"A compromised PVE can then no longer delete backups. {upstream.PBS_USER} keeps "
            "its rights until you remove them (`proxmox-backup-manager acl update "
            f"/datastore/{datastore} {upstream.PBS_USER_ROLE} --auth-id {upstream.PBS_USER} "
            "--delete`).",
        ),
        Difference(
            "schedules",
            f"backup {upstream.BACKUP_START}, prune {upstream.PRUNE_SCHEDULE}, GC "
            f"{upstream.GC_SCHEDULE}, verify daily {upstream.VERIFY_SCHEDULE} "
            f"({verify}), verify-new on",
            f"backup {upstream.BACKUP_START} (kept), prune {DEFAULT_PRUNE_SCHEDULE}, GC "
            f"{DEFAULT_GC_SCHEDULE}, verify {DEFAULT_VERIFY_SCHEDULE} "
            f"({verify_job_id(datastore)}), verify-new on (kept)",
            f"Remove upstream's {verify} after the first up (`proxmox-backup-manager "
            f"verify-job remove {verify}`), or keep it: verifying twice only costs reads.",
        ),
        Difference(
            "backup job",
            f"one vzdump job marked '{upstream.BACKUP_JOB_MARKER}' (a generated id "
            "backup-…), retention left to PVE's storage default",
            "the same job, taken over: keep-all (only PBS prunes), repeat-missed on, the "
            "notes template, this program's comment",
            "No file records the job's id: `tappaas import live` finds it (the vzdump job "
            "writing to the same storage) and names it; set backup.job_id to it so the job "
            "is taken over instead of doubled (two jobs would back every VM up twice), and "
            "stop upstream's backup:vm scripts from editing it.",
        ),
        Difference(
            "HA rules",
            f"node-affinity rule {upstream.HA_RULE.format(module='<module>')} per HA module",
            "the same rules, taken over (services.<name>.ha.rule: ha-<module>)",
            "PVE refuses a resource in two node-affinity rules (pve-ha-manager, "
            "src/PVE/HA/Rules/NodeAffinity.pm, check_single_resource_reference), so the "
            "stack keeps upstream's rule names; `tappaas import live` adopts them. Without "
            "ha.rule a rule tappaas-<name> is made, and upstream's must go first "
            "(`ha-manager rules remove ha-<module>`).",
        ),
    )
