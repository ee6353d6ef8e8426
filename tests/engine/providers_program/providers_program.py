"""A program that declares every dynamic resource against a lab (local + peer PBS, PVE).

Config: ``lab`` (JSON: endpoints without secrets, the seeded archive and PVE storage) and
the secrets ``localToken``, ``peerToken``, ``pveToken``, ``backupKey`` and ``masterKey``
(set with ``--secret``); PVE's storage entry authenticates with ``storage_user`` and
``storageToken`` when given (else the local admin token).
"""

from __future__ import annotations

from typing import Any

import pulumi

from providers import (
    PbsAcl,
    PbsDatastore,
    PbsNamespace,
    PbsPruneJob,
    PbsRemote,
    PbsSyncJob,
    PbsToken,
    PbsUser,
    PbsVerifyJob,
    PveBackupJob,
    PvePbsStorage,
    PveZfsStorage,
    RestoredVm,
)


def main() -> None:
    lab: dict[str, Any] = pulumi.Config().require_object("lab")
    local, peer, pve = lab["local"], lab["peer"], lab["pve"]

    store = PbsDatastore(
        "store", {"endpoint": local, "name": "tankc", "path": "/tankc/pbs", "gc_schedule": "daily"}
    )
    after_store = pulumi.ResourceOptions(depends_on=[store])
    PbsNamespace("ns", {"endpoint": local, "store": "tankc", "namespace": "site-a"}, after_store)
    PbsPruneJob(
        "retention",
        {
            "endpoint": local,
            "id": "tankc-retention",
            "store": "tankc",
            "schedule": "daily",
            "keep_daily": 7,
            "keep_weekly": 4,
            "keep_monthly": 12,
            "keep_yearly": 100,
        },
        after_store,
    )
    PbsVerifyJob(
        "verify",
        {"endpoint": local, "id": "tankc-verify", "store": "tankc", "schedule": "sat 04:00"},
        after_store,
    )
    # Ids as PBS knows them (known even in a preview where the token is being updated),
    # ordered by dependencies, as the components do (tappaas/components/grants.py).
    user = PbsUser("puller", {"endpoint": local, "userid": "peer-pull@pbs"})
    token = PbsToken(
        "pull-token",
        {"endpoint": local, "userid": "peer-pull@pbs", "token_name": "pull"},
        pulumi.ResourceOptions(depends_on=[user]),
    )
    PbsAcl(
        "pull-read",
        {"endpoint": local, "path": "/datastore/tankc", "auth_id": "peer-pull@pbs!pull",
         "role": "DatastoreReader"},
        pulumi.ResourceOptions(depends_on=[store, token]),
    )  # fmt: skip

    offsite = PbsDatastore("offsite", {"endpoint": peer, "name": "guests", "path": "/tankc/guests"})
    remote = PbsRemote(
        "site-a",
        {
            "endpoint": peer,
            "name": "site-a",
            "host": local["host"],
            "port": local["port"],
            "fingerprint": local["fingerprint"],
            "auth_id": "peer-pull@pbs!pull",
            "password": token.secret,
        },
    )
    PbsSyncJob(
        "pull-site-a",
        {
            "endpoint": peer,
            "id": "pull-site-a",
            "store": "guests",
            "remote": "site-a",
            "remote_store": "tankc",
            "schedule": "hourly",
            "encrypted_only": True,
            "remove_vanished": False,
        },
        pulumi.ResourceOptions(depends_on=[offsite, remote]),
    )

    config = pulumi.Config()
    PveZfsStorage(
        "tankb-entry",
        {"endpoint": pve, "storage": "tankb", "pool": "tankb", "content": ["images"]},
    )
    backups = PvePbsStorage(
        "backups",
        {
            "endpoint": pve,
            "storage": "tankc-backups",
            "server": local["host"],
            "port": local["port"],
            "datastore": "tankc",
            "username": lab.get("storage_user", lab["local"]["token_id"]),
            "password": config.get_secret("storageToken") or config.require_secret("localToken"),
            "fingerprint": local["fingerprint"],
            "content": ["backup"],
            "key": config.require_secret("backupKey"),
            "master_key": config.require_secret("masterKey"),
        },
        after_store,
    )
    PveBackupJob(
        "daily",
        {
            "endpoint": pve,
            "id": "daily",
            "schedule": "02:00",
            "storage": "tankc-backups",
            "vmid": ["340"],
            "prune_backups": "keep-all=1",
        },
        pulumi.ResourceOptions(depends_on=[backups]),
    )
    restored = RestoredVm(
        "dr-nextcloud",
        {
            "endpoint": pve,
            "node": "tappaas2",
            "vmid": 9340,
            "archive": lab["archive"],
            "storage": "tanka",
            "unique": True,
            "owner": f"{pulumi.get_project()}/{pulumi.get_stack()}",
        },
    )
    pulumi.export("token_id", token.token_id)
    pulumi.export("token_secret", token.secret)
    pulumi.export("restored_snapshot", restored.restored_snapshot)
    pulumi.export("restore_seconds", restored.restore_seconds)
