"""Identity inputs follow the model's patterns, so a name cannot add path segments.

Issue 18, finding 7: a datastore named ``x/../../access/users/root@pam`` reached
``GET /config/access/users/root%40pam``. Now every identity input that becomes part of an API
path is checked with the model's pattern by the provider's ``check`` (before any request),
and the client refuses ``.``/``..`` path segments whatever built the path.
"""

from __future__ import annotations

from typing import Any

import pytest

from lab import Lab
from providers._lifecycle import ObjectProvider
from providers.backup_inventory import BackupInventoryProvider
from providers.pbs_acl import PbsAclProvider
from providers.pbs_datastore import PbsDatastoreProvider
from providers.pbs_group_owner import PbsGroupOwnerProvider
from providers.pbs_namespace import PbsNamespaceProvider
from providers.pbs_remote import PbsRemoteProvider
from providers.pbs_sync_job import PbsSyncJobProvider
from providers.pbs_token import PbsTokenProvider
from providers.pbs_user import PbsUserProvider
from providers.pve_api_ready import PveApiReadyProvider
from providers.pve_backup_job import PveBackupJobProvider
from providers.pve_replication_job import PveReplicationJobProvider
from providers.pve_zfs_storage import PveZfsStorageProvider
from tests.providers.harness import endpoint, lab_client

TRAVERSAL = "x/../../access/users/root@pam"
CASES: list[tuple[type[ObjectProvider[Any]], str, dict[str, Any]]] = [
    (PbsDatastoreProvider, "name", {"name": TRAVERSAL, "path": "/tankc1/x"}),
    (PbsNamespaceProvider, "store", {"store": TRAVERSAL, "namespace": "a"}),
    (PbsNamespaceProvider, "namespace", {"store": "store1", "namespace": "a/../b"}),
    (PbsGroupOwnerProvider, "store", {"store": TRAVERSAL, "owner": "a@pbs!t"}),
    (PbsGroupOwnerProvider, "ns", {"store": "store1", "ns": "a/../b", "owner": "a@pbs!t"}),
    (PbsRemoteProvider, "name", {"name": TRAVERSAL, "host": "h", "auth_id": "a@pbs!t"}),
    (PbsSyncJobProvider, "id", {"id": "../../access", "store": "s1", "remote_store": "s2"}),
    (PbsUserProvider, "userid", {"userid": "a/../b@pbs"}),
    (PbsTokenProvider, "userid", {"userid": "../root@pam", "token_name": "t"}),
    (PbsTokenProvider, "token_name", {"userid": "a@pbs", "token_name": "../x"}),
    (PbsAclProvider, "path", {"path": "/datastore/../access", "auth_id": "a@pbs", "role": "R"}),
    (PveZfsStorageProvider, "storage", {"storage": "../x", "pool": "tanka1"}),
    (PveBackupJobProvider, "id", {"id": "../../nodes", "schedule": "02:00", "storage": "s"}),
    (PveReplicationJobProvider, "id", {"id": "110/../0", "target": "tappaas2"}),
    (BackupInventoryProvider, "storage", {"node": "tappaas1", "storage": "../x", "vmids": [110]}),
    (BackupInventoryProvider, "node", {"node": "../x", "storage": "tappaas-dr", "vmids": [110]}),
    (
        PveApiReadyProvider,
        "storage",
        {"node": "tappaas1", "storage": "../x", "deadline_seconds": 1},
    ),
]


@pytest.mark.parametrize(("provider", "field", "fields"), CASES)
def test_check_refuses_an_identity_that_would_add_path_segments(
    lab: Lab, provider: type[ObjectProvider[Any]], field: str, fields: dict[str, Any]
) -> None:
    instance = lab.pve if provider.__name__.startswith("Pve") else lab.pbs["local"]
    result = provider().check({}, {"endpoint": endpoint(instance), **fields})
    assert [failure.property for failure in result.failures if failure.property == field]


def test_the_client_refuses_dot_segments_before_any_request(lab: Lab) -> None:
    client = lab_client(lab.pbs["local"])
    lab.control.clear_requests()
    with pytest.raises(ValueError, match=r"'\.' or '\.\.'"):
        client.get(f"/config/datastore/{TRAVERSAL}")
    assert [r for r in lab.control.requests() if "access" in r.path] == []
