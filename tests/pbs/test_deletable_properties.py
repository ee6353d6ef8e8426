"""Issue 11.6: each PBS wire model knows which of its settings the API can delete.

The lists are the ``delete`` enums of the official schema's PUT methods (the Rust
``DeletableProperty`` enums of proxmox-backup ``src/api2/config/{sync,prune,verify,datastore,
remote}.rs`` and ``src/api2/access/user.rs``). A setting missing from the enum that we
tried to delete would fail the whole update; one listed there but not in our model would be
left behind when the user unsets it.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from tappaas.pbs.access import TokenSettings, UserSettings
from tappaas.pbs.datastore import DatastoreSettings
from tappaas.pbs.prune import PruneJobSettings
from tappaas.pbs.remote import RemoteSettings
from tappaas.pbs.sync import SyncJobSettings
from tappaas.pbs.verify import VerifyJobSettings
from tappaas.wire import WireModel, settings_delta, to_kebab
from tests.conftest import SHARED

SCHEMA = SHARED / "proxmox-schema" / "pbs-4.x-apidoc.json"
MODELS: dict[str, type[WireModel]] = {
    "/config/sync/{id}": SyncJobSettings,
    "/config/prune/{id}": PruneJobSettings,
    "/config/verify/{id}": VerifyJobSettings,
    "/config/datastore/{name}": DatastoreSettings,
    "/config/remote/{name}": RemoteSettings,
    "/access/users/{userid}": UserSettings,
    "/access/users/{userid}/token/{token-name}": TokenSettings,
}


@cache
def _schema() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(SCHEMA.read_text())
    return data


def _deletable_in_schema(path: str) -> set[str]:
    todo = list(_schema())
    while todo:
        node = todo.pop()
        if node["path"] == path:
            delete = node["info"]["PUT"]["parameters"]["properties"]["delete"]
            return set(delete["items"]["enum"])
        todo.extend(node.get("children", []))
    raise AssertionError(f"{path} not in {SCHEMA}")


@pytest.mark.parametrize("path", sorted(MODELS))
def test_deletable_settings_are_the_schemas(path: str) -> None:
    model = MODELS[path]
    ours = {to_kebab(name) for name in model.model_fields}
    assert {to_kebab(name) for name in model.deletable} == _deletable_in_schema(path) & ours


def test_an_unset_undeletable_setting_sends_its_default_not_a_delete() -> None:
    drifted = SyncJobSettings(store="a", remote_store="b", resync_corrupt=True, comment="x")
    desired = SyncJobSettings(store="a", remote_store="b")
    assert settings_delta(drifted, desired, set(SyncJobSettings.model_fields)) == (
        {"resync-corrupt": False},
        ["comment"],
    )
    settled = SyncJobSettings(store="a", remote_store="b", resync_corrupt=False)
    assert settings_delta(settled, desired, set(SyncJobSettings.model_fields)) == ({}, [])


def test_an_unset_enable_flag_is_left_alone() -> None:
    disabled = UserSettings(enable=False, comment="c")
    assert settings_delta(disabled, UserSettings(), set(UserSettings.model_fields)) == (
        {},
        ["comment"],
    )
