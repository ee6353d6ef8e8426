"""Issue 11.7: a PBS storage entry that lost its master key gets it back.

PVE reports ``master-pubkey: 1`` on an entry holding one (pve-storage ``PBSPlugin.pm``
``on_add_hook``/``on_update_hook`` set ``$scfg->{'master-pubkey'} = 1``), and deleting an entry
deletes its key file (``on_delete_hook``). So when the upstream provider replaces the entry
(or someone re-creates it), the escrow is gone while ``PbsStorageKeys`` still exists.
"""

from __future__ import annotations

from lab import Lab
from providers.pbs_storage_keys import PbsStorageKeysProvider
from tests.providers.harness import (
    configured,
    endpoint,
    lab_client,
    lifecycle_inputs,
    stack_config,
)

MASTER_PUBKEY = (
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A\n-----END PUBLIC KEY-----\n"
)
KEY = '{"kdf": null, "data": "c2l0ZS1rZXk=", "fingerprint": "aa"}'


def _add_entry(lab: Lab, storage: str) -> None:
    pbs = lab.pbs["local"]
    lab_client(lab.pve).post(
        "/storage",
        storage=storage,
        type="pbs",
        server=pbs.host,
        port=pbs.port,
        datastore="tanka",
        username=pbs.token_id,
        password=pbs.token_secret,
        fingerprint=pbs.fingerprint,
        **{"encryption-key": KEY},
    )


def test_a_replaced_storage_entry_gets_its_master_key_again(lab: Lab, unique_name) -> None:
    storage = unique_name("esc")
    _add_entry(lab, storage)
    provider = configured(PbsStorageKeysProvider(), stack_config(lab.pve))
    inputs = lifecycle_inputs(
        {"endpoint": endpoint(lab.pve), "storage": storage, "master_pubkey": MASTER_PUBKEY}
    )
    created = provider.create(inputs)
    pve = lab_client(lab.pve)
    assert pve.get(f"/storage/{storage}")["master-pubkey"] == 1
    assert created.outs["escrowed"] is True
    assert provider.diff(storage, created.outs, inputs).changes is False

    pve.delete(f"/storage/{storage}")  # what a replace of the upstream storage.Pbs does
    _add_entry(lab, storage)
    assert "master-pubkey" not in pve.get(f"/storage/{storage}")
    drift = provider.diff(storage, created.outs, inputs)
    assert drift.changes is True and drift.replaces == []
    repaired = provider.update(storage, created.outs, inputs)
    assert pve.get(f"/storage/{storage}")["master-pubkey"] == 1
    assert provider.read(storage, repaired.outs).outs["escrowed"] is True
    assert provider.diff(storage, repaired.outs, inputs).changes is False
    pve.delete(f"/storage/{storage}")
