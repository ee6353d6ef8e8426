"""Creates that find their object already there: adopted when it is ours, else refused clearly.

What an interrupted ``pulumi up`` leaves behind is made here through the API, the way the
killed run made it; the provider's create must then take it over (no duplicate, settings
brought to the declared ones) or refuse in one line that says what exists, why it was not
taken over and the command to adopt or rename it — touching nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import SecretStr

from lab import Lab
from providers._errors import AdoptionRefusedError
from providers.pbs_acl import PbsAclProvider
from providers.pbs_datastore import PbsDatastoreProps, PbsDatastoreProvider
from providers.pbs_namespace import PbsNamespaceProvider
from providers.pbs_prune_job import PbsPruneJobProvider
from providers.pbs_remote import PbsRemoteProvider
from providers.pbs_token import PbsTokenProvider
from providers.pbs_user import PbsUserProvider
from providers.restored_vm import ForeignVmError, RestoredVmProvider
from tappaas.client import AuthError, ConnectionSettings, Product, ProxmoxClient
from tests.providers.harness import (
    configured,
    endpoint,
    fails_with,
    lab_client,
    lifecycle_inputs,
    stack_config,
)


def _on_local(lab: Lab, **fields: Any) -> dict[str, Any]:
    return lifecycle_inputs({"endpoint": endpoint(lab.pbs["local"]), **fields})


def _datastore(lab: Lab, name: str) -> str:
    """A datastore an interrupted run created (the task finished, the state never knew)."""
    pbs = lab_client(lab.pbs["local"])
    pbs.wait_for_task(pbs.post("/config/datastore", name=name, path=f"/tankc/{name}"))
    return name


def test_a_datastore_already_there_is_adopted_and_brought_to_the_declared_settings(
    lab: Lab, unique_name: Callable[[str], str]
) -> None:
    name = _datastore(lab, unique_name("ad"))
    provider = configured(PbsDatastoreProvider(), stack_config(lab.pbs["local"]))
    inputs = _on_local(lab, name=name, path=f"/tankc/{name}", gc_schedule="05:00")
    created = provider.create(inputs)
    assert created.id == name and created.outs["gc_schedule"] == "05:00"
    names = [d["name"] for d in lab_client(lab.pbs["local"]).get("/config/datastore")]
    assert names.count(name) == 1
    assert provider.diff(name, created.outs, inputs).changes is False


def test_a_datastore_on_another_path_is_refused_in_one_line_and_left_alone(
    lab: Lab, unique_name: Callable[[str], str]
) -> None:
    name = _datastore(lab, unique_name("ad"))
    provider = configured(PbsDatastoreProvider(), stack_config(lab.pbs["local"]))
    lab.control.clear_requests()
    with fails_with(AdoptionRefusedError, match=f"/tankc/{name}") as failed:
        provider.create(_on_local(lab, name=name, path=f"/tankb/{name}"))
    line = str(failed.value)
    assert f"PbsDatastore '{name}'" in line and "not taken over" in line
    assert "pulumi config set --path tappaas:site.backup.path" in line
    assert [r for r in lab.control.requests("local") if r.is_write] == []


def test_a_write_that_landed_although_its_answer_was_lost_is_adopted(
    lab: Lab, unique_name: Callable[[str], str]
) -> None:
    """The object appears between the look and the create: "already exists" → adopt."""
    name = unique_name("ad")

    class LateProvider(PbsDatastoreProvider):
        looked = False

        def observe(
            self, client: ProxmoxClient, object_id: str, props: PbsDatastoreProps
        ) -> PbsDatastoreProps | None:
            if not self.looked:
                self.looked = True
                _datastore(lab, name)  # the earlier run's create lands now
                return None
            return super().observe(client, object_id, props)

    provider = configured(LateProvider(), stack_config(lab.pbs["local"]))
    created = provider.create(_on_local(lab, name=name, path=f"/tankc/{name}"))
    assert created.id == name


def test_jobs_users_remotes_namespaces_and_acls_already_there_are_adopted(
    lab: Lab, unique_name: Callable[[str], str]
) -> None:
    pbs, peer = lab_client(lab.pbs["local"]), lab.pbs["peer"]
    store = _datastore(lab, unique_name("ad"))
    config = stack_config(lab.pbs["local"])
    job_id, userid, remote = unique_name("prune"), f"{unique_name('u')}@pbs", unique_name("rm")
    pbs.post("/config/prune", id=job_id, store=store, schedule="daily", **{"keep-last": 1})
    pbs.post("/access/users", userid=userid, comment="left over")
    pbs.post(
        "/config/remote",
        name=remote,
        host=peer.host,
        **{"auth-id": "sync@pbs!old"},
        password="old-secret",
        fingerprint=peer.fingerprint,
    )
    pbs.post(f"/admin/datastore/{store}/namespace", name="site-a")
    pbs.put("/access/acl", path=f"/datastore/{store}", role="DatastoreReader", propagate=False,
            **{"auth-id": userid})  # fmt: skip

    prune = configured(PbsPruneJobProvider(), config).create(
        _on_local(lab, id=job_id, store=store, schedule="03:00", keep_daily=7)
    )
    assert (prune.outs["schedule"], prune.outs["keep_daily"], prune.outs["keep_last"]) == (
        "03:00", 7, None,
    )  # fmt: skip
    user = configured(PbsUserProvider(), config).create(
        _on_local(lab, userid=userid, comment="ours")
    )
    assert user.outs["comment"] == "ours"
    remotes = configured(PbsRemoteProvider(), config)
    adopted = remotes.create(
        _on_local(lab, name=remote, host=peer.host, port=peer.port, auth_id=peer.token_id,
                  fingerprint=peer.fingerprint, password=peer.token_secret)
    )  # fmt: skip
    assert adopted.outs["auth_id"] == peer.token_id and adopted.outs["password_sha256"]
    namespace = configured(PbsNamespaceProvider(), config).create(
        _on_local(lab, store=store, namespace="site-a")
    )
    assert namespace.id == f"{store}:site-a"
    acl = configured(PbsAclProvider(), config).create(
        _on_local(lab, path=f"/datastore/{store}", auth_id=userid, role="DatastoreReader")
    )
    assert acl.outs["propagate"] is True

    assert [j["id"] for j in pbs.get("/config/prune")].count(job_id) == 1
    entries = pbs.get("/access/acl", path=f"/datastore/{store}", exact=True)
    assert [(e["ugid"], e["propagate"]) for e in entries if e["ugid"] == userid] == [(userid, True)]


def test_a_token_already_there_is_regenerated_since_its_secret_was_never_seen(
    lab: Lab, unique_name: Callable[[str], str]
) -> None:
    pbs = lab.pbs["local"]
    client = lab_client(pbs)
    userid = f"{unique_name('u')}@pbs"
    client.post("/access/users", userid=userid)
    lost = client.post(f"/access/users/{userid}/token/backup")["value"]  # shown to the dead run
    client.put("/access/acl", path="/", role="Audit", **{"auth-id": f"{userid}!backup"})
    client.put("/access/acl", path="/", role="Audit", **{"auth-id": userid})

    created = configured(PbsTokenProvider(), stack_config(pbs)).create(
        _on_local(lab, userid=userid, token_name="backup", comment="ours")
    )
    secret = created.outs["secret"]
    assert secret and secret != lost and created.outs["comment"] == "ours"

    def as_token(value: str) -> ProxmoxClient:
        return ProxmoxClient(
            ConnectionSettings(
                product=Product.PBS,
                host=pbs.host,
                port=pbs.port,
                fingerprint=pbs.fingerprint,
                token_id=f"{userid}!backup",
                token_secret=SecretStr(value),
            )
        )

    assert as_token(secret).get("/version")  # the new secret works, its ACL kept
    try:
        as_token(lost).get("/version")
    except AuthError:
        pass
    else:
        raise AssertionError("the secret nobody holds still authenticates")


def _restore_inputs(lab: Lab, vmid: int) -> dict[str, Any]:
    return lifecycle_inputs(
        {
            "endpoint": endpoint(lab.pve),
            "node": "tappaas2",
            "vmid": vmid,
            "archive": "anywhere:backup/vm/340/latest",
            "owner": "tappaas/lab-recovery",
        }
    )


def test_a_vm_at_the_restore_vmid_is_never_adopted_without_our_mark(lab: Lab) -> None:
    lab.control.seed_vm(9350, "tappaas2", "someone-elses")
    provider = configured(RestoredVmProvider(), stack_config(lab.pve))
    lab.control.clear_requests()
    with fails_with(ForeignVmError, match="neither adopted nor deleted") as failed:
        provider.create(_restore_inputs(lab, 9350))
    assert "no restore mark" in str(failed.value)
    assert [r for r in lab.control.requests("pve") if r.is_write] == []
    assert lab.control.vm(9350) is not None


def test_our_finished_restore_is_adopted_and_an_unfinished_one_is_not(lab: Lab) -> None:
    """The mark is written by the restore request itself, so an interrupted ``up`` leaves a VM
    that says it is ours; it is taken over once its restore finished (no lock)."""
    mark = (
        "tappaas-restored stack=tappaas/lab-recovery generation=0 "
        "snapshot=vm/340/2025-01-01T02:00:04Z"
    )
    lab.control.seed_vm(9351, "tappaas2", "restored", config={"description": mark})
    provider = configured(RestoredVmProvider(), stack_config(lab.pve))
    created = provider.create(_restore_inputs(lab, 9351))
    assert created.id == "tappaas2/9351"
    assert created.outs["restored_snapshot"] == "backup/vm/340/2025-01-01T02:00:04Z"

    lab.control.seed_vm(9352, "tappaas2", "half", config={"description": mark, "lock": "create"})
    with fails_with(AdoptionRefusedError, match="still locked"):
        provider.create(_restore_inputs(lab, 9352))


def test_a_restore_still_copying_at_the_vmid_is_named_as_such_and_left_alone(lab: Lab) -> None:
    """A full restore's placeholder (qemu-server: ``lock: create``, no description until the
    restore ends) carries no mark yet: not adopted, not deleted, and the error says what it is."""
    lab.control.seed_vm(9353, "tappaas2", config={"lock": "create"})
    provider = configured(RestoredVmProvider(), stack_config(lab.pve))
    lab.control.clear_requests()
    with fails_with(ForeignVmError, match="locked by a restore") as failed:
        provider.create(_restore_inputs(lab, 9353))
    assert "qm unlock 9353" in str(failed.value)
    assert [r for r in lab.control.requests("pve") if r.is_write] == []
    assert lab.control.vm(9353) is not None
