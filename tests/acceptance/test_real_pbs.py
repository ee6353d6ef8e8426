"""Every PBS resource we own, against a real Proxmox Backup Server.

Needs ``TAPPAAS_ACCEPTANCE_PBS`` (``host[:port]``), ``…_PBS_FINGERPRINT``, ``…_PBS_TOKEN_ID`` and
``…_PBS_TOKEN_SECRET`` (a token with Admin on ``/``, e.g. ``root@pam!acceptance`` without
privilege separation) and ``…_PBS_DATASTORE`` (an existing datastore: the tier works in its
namespace ``tappaas-acceptance``, which must not exist yet). Optional
``…_PBS_DATASTORE_PATH``: an empty directory on the PBS for a throwaway datastore
``tappaas-acceptance`` (its removal keeps the chunk store: delete the directory afterwards).
Skipped without them: no real PBS can run on the build machine.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from providers.pbs_acl import PbsAclProvider
from providers.pbs_datastore import PbsDatastoreProvider
from providers.pbs_namespace import PbsNamespaceProvider
from providers.pbs_prune_job import PbsPruneJobProvider
from providers.pbs_remote import PbsRemoteProvider
from providers.pbs_sync_job import PbsSyncJobProvider
from providers.pbs_token import PbsTokenProvider
from providers.pbs_user import PbsUserProvider
from providers.pbs_verify_job import PbsVerifyJobProvider
from tappaas.client import (
    ApiError,
    ConnectionSettings,
    FingerprintMismatchError,
    Product,
    ProxmoxClient,
)
from tests.acceptance.servers import NAME, PREFIX, Server, stack_config
from tests.providers.harness import configured, lifecycle_inputs

pytestmark = pytest.mark.acceptance
Checked = Callable[[str], None]


def _on(server: Server, **fields: Any) -> dict[str, Any]:
    return lifecycle_inputs({"endpoint": server.endpoint, **fields})


@pytest.fixture
def namespace(pbs: Server, pbs_datastore: str) -> Iterator[str]:
    """Namespace ``tappaas-acceptance`` of the datastore, made and removed by our provider."""
    existing = pbs.client().get(f"/admin/datastore/{pbs_datastore}/namespace") or []
    if any(item.get("ns") == NAME for item in existing):
        pytest.fail(f"namespace {NAME} already exists in {pbs_datastore}: remove it first")
    provider = configured(PbsNamespaceProvider(), stack_config(pbs))
    created = provider.create(_on(pbs, store=pbs_datastore, namespace=NAME))
    yield NAME
    provider.delete(created.id, created.outs)


def test_the_release_is_supported_and_the_pin_holds(pbs: Server, checklist: Checked) -> None:
    client = pbs.client()
    client.require_supported()
    checklist(f"{client.server_version()} is at least the supported minimum")
    wrong = ":".join(["00"] * 32)
    with pytest.raises(FingerprintMismatchError):
        pbs.client(fingerprint=wrong).get("/version")
    checklist("a wrong fingerprint is refused before any request")


def test_namespace_prune_and_verify_jobs(
    pbs: Server, pbs_datastore: str, namespace: str, checklist: Checked
) -> None:
    checklist(f"namespace {namespace} created in {pbs_datastore}")
    prune = configured(PbsPruneJobProvider(), stack_config(pbs))
    inputs = _on(
        pbs,
        id=NAME,
        store=pbs_datastore,
        ns=namespace,
        max_depth=0,
        schedule="03:00",
        keep_daily=7,
        keep_weekly=4,
        keep_monthly=12,
        keep_yearly=100,
    )
    job = prune.create(inputs)
    assert prune.diff(job.id, job.outs, inputs).changes is False
    shorter = {**inputs, "keep_daily": 8}
    updated = prune.update(job.id, job.outs, shorter)
    assert updated.outs["keep_daily"] == 8
    prune.delete(job.id, updated.outs)
    assert prune.read(job.id, updated.outs).id is None
    checklist("prune job: create, no-op diff, update, delete")

    verify = configured(PbsVerifyJobProvider(), stack_config(pbs))
    vin = _on(
        pbs,
        id=NAME,
        store=pbs_datastore,
        ns=namespace,
        schedule="sun 06:00",
        ignore_verified=True,
        outdated_after=30,
    )
    vjob = verify.create(vin)
    assert verify.diff(vjob.id, vjob.outs, vin).changes is False
    verify.delete(vjob.id, vjob.outs)
    checklist("verify job: create, no-op diff, delete")


def test_user_token_and_acl_grant_least_privilege(
    pbs: Server, pbs_datastore: str, checklist: Checked
) -> None:
    users = configured(PbsUserProvider(), stack_config(pbs))
    tokens = configured(PbsTokenProvider(), stack_config(pbs))
    acls = configured(PbsAclProvider(), stack_config(pbs))
    userid = f"{NAME}@pbs"
    user = users.create(_on(pbs, userid=userid, comment="tappaas acceptance"))
    token = tokens.create(_on(pbs, userid=userid, token_name="read"))
    path = f"/datastore/{pbs_datastore}"
    grants = [
        acls.create(_on(pbs, path=path, auth_id=auth_id, role="DatastoreReader"))
        for auth_id in (userid, token.id)
    ]
    try:
        assert tokens.read(token.id, token.outs).outs["secret"] == token.outs["secret"]
        as_token = ProxmoxClient(
            ConnectionSettings(
                product=Product.PBS,
                host=pbs.host,
                port=pbs.port,
                fingerprint=pbs.fingerprint,
                token_id=token.id,
                token_secret=token.outs["secret"],
            )
        )
        as_token.get(f"/admin/datastore/{pbs_datastore}/groups")  # it may read
        with pytest.raises(ApiError) as denied:
            as_token.put(f"/config/datastore/{pbs_datastore}", comment="taken over")
        assert denied.value.status in (401, 403)
        checklist("user, token (secret shown once, kept), ACLs: the token reads, cannot modify")
    finally:
        for grant in grants:
            acls.delete(grant.id, grant.outs)
        tokens.delete(token.id, token.outs)
        users.delete(userid, user.outs)


def test_remote_and_pull_sync_job(
    pbs: Server, pbs_datastore: str, namespace: str, checklist: Checked
) -> None:
    """A remote pointing at this PBS itself, pulling ``tappaas-acceptance`` into a child."""
    namespaces = configured(PbsNamespaceProvider(), stack_config(pbs))
    target = namespaces.create(_on(pbs, store=pbs_datastore, namespace=f"{namespace}/pulled"))
    remotes = configured(PbsRemoteProvider(), stack_config(pbs))
    jobs = configured(PbsSyncJobProvider(), stack_config(pbs))
    remote_in = _on(
        pbs,
        name=NAME,
        host=pbs.host,
        port=pbs.port,
        fingerprint=pbs.fingerprint,
        auth_id=pbs.token_id,
        password=pbs.token_secret,
        comment="tappaas acceptance: this PBS itself",
    )
    remote = remotes.create(remote_in)
    job_in = _on(
        pbs,
        id=NAME,
        store=pbs_datastore,
        ns=f"{namespace}/pulled",
        remote=NAME,
        remote_store=pbs_datastore,
        remote_ns=namespace,
        max_depth=0,
        schedule="04:00",
        encrypted_only=False,
        remove_vanished=False,
        rate_in="50MiB",
    )
    client = pbs.client()
    try:
        assert remotes.diff(NAME, remote.outs, remote_in).changes is False
        checklist("remote: password never read back, no-op diff")
        job = jobs.create(job_in)
        assert client.get(f"/config/sync/{NAME}")["rate-in"] == "50 MiB"
        assert jobs.diff(NAME, job.outs, job_in).changes is False
        checklist("sync job: rate-in stored as '50 MiB' and compared normalised (no-op diff)")
        client.put(f"/config/sync/{NAME}", **{"resync-corrupt": True})
        repaired = jobs.update(NAME, job.outs, job_in)
        assert jobs.diff(NAME, repaired.outs, job_in).changes is False
        checklist("sync job: drift on undeletable resync-corrupt repaired with false")
        client.wait_for_task(client.post(f"/admin/sync/{NAME}/run"))
        checklist("sync job: ran with the remote's credential")
        jobs.delete(NAME, repaired.outs)
    finally:
        if jobs.read(NAME, job_in).id is not None:
            jobs.delete(NAME, job_in)
        remotes.delete(NAME, remote.outs)
        namespaces.delete(target.id, target.outs)


@pytest.mark.skipif(
    not os.environ.get(PREFIX + "PBS_DATASTORE_PATH"),
    reason=f"set {PREFIX}PBS_DATASTORE_PATH to an empty directory on the PBS",
)
def test_datastore_lifecycle_keeps_its_data(pbs: Server, checklist: Checked) -> None:
    provider = configured(PbsDatastoreProvider(), stack_config(pbs))
    inputs = _on(
        pbs,
        name=NAME,
        path=os.environ[PREFIX + "PBS_DATASTORE_PATH"],
        gc_schedule="05:00",
        comment="tappaas acceptance",
    )
    created = provider.create(inputs)
    client = pbs.client()
    try:
        assert provider.diff(NAME, created.outs, inputs).changes is False
        client.put(f"/config/datastore/{NAME}", **{"maintenance-mode": "type=read-only"})
        assert client.get(f"/config/datastore/{NAME}")["maintenance-mode"] == "read-only"
        assert provider.diff(NAME, created.outs, inputs).changes is False
        checklist("datastore: create (task), no-op diff, its maintenance mode left alone")
        client.put(f"/config/datastore/{NAME}", delete=["maintenance-mode"])
    finally:
        provider.delete(NAME, created.outs)
    assert provider.read(NAME, created.outs).id is None
    checklist("datastore: removal drops the config entry only (chunks stay on disk)")
