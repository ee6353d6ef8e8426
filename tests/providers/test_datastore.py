"""PbsDatastore against the lab: lifecycle, drift, import, and deletion that keeps data."""

from __future__ import annotations

from collections.abc import Callable

from lab import Lab
from providers.pbs_datastore import PbsDatastoreProvider
from tests.providers.harness import configured, endpoint, lifecycle_inputs, stack_config


def _provider(lab: Lab) -> PbsDatastoreProvider:
    return configured(PbsDatastoreProvider(), stack_config(lab.pbs["local"]))


def _inputs(lab: Lab, name: str, **settings: object) -> dict[str, object]:
    return lifecycle_inputs(
        {"endpoint": endpoint(lab.pbs["local"]), "name": name, "path": f"/tankc/{name}", **settings}
    )


def test_lifecycle_with_drift_repair(lab: Lab, unique_name: Callable[[str], str]) -> None:
    provider = _provider(lab)
    name = unique_name("ds")
    inputs = _inputs(lab, name, gc_schedule="daily", comment="site backups")
    assert provider.check({}, inputs).failures == []

    created = provider.create(inputs)
    assert created.id == name
    assert created.outs["gc_schedule"] == "daily"
    assert created.outs["comment"] == "site backups"

    assert provider.diff(name, created.outs, inputs).changes is False

    # Someone changes the GC schedule behind Pulumi's back: the next diff sees it ...
    client = provider.client(provider.parse(inputs))
    client.put(f"/config/datastore/{name}", **{"gc-schedule": "sat 05:00"})
    drift = provider.diff(name, created.outs, inputs)
    assert drift.changes is True and drift.replaces == []
    # ... and an update puts the declared value back, in place.
    updated = provider.update(name, created.outs, inputs)
    assert updated.outs["gc_schedule"] == "daily"
    assert provider.diff(name, updated.outs, inputs).changes is False

    # Unsetting a setting deletes it on the server.
    without_comment = _inputs(lab, name, gc_schedule="daily")
    updated = provider.update(name, updated.outs, without_comment)
    assert updated.outs["comment"] is None

    provider.delete(name, updated.outs)
    assert provider.read(name, updated.outs).id is None


def test_path_change_is_a_replace(lab: Lab, unique_name: Callable[[str], str]) -> None:
    provider = _provider(lab)
    name = unique_name("ds")
    created = provider.create(_inputs(lab, name))
    moved = {**_inputs(lab, name), "path": f"/tankb/{name}"}
    diff = provider.diff(name, created.outs, moved)
    assert diff.replaces == ["path"]
    assert diff.delete_before_replace is True
    provider.delete(name, created.outs)


def test_import_of_an_existing_datastore(lab: Lab, unique_name: Callable[[str], str]) -> None:
    provider = _provider(lab)
    name = unique_name("ds")
    client = provider.client(provider.parse(_inputs(lab, name)))
    upid = client.post("/config/datastore", name=name, path=f"/tankc/{name}", comment="by hand")
    client.wait_for_task(upid)
    read = provider.read(name, _inputs(lab, name))
    assert read.id == name
    assert read.outs["comment"] == "by hand"
    assert read.outs["path"] == f"/tankc/{name}"
    provider.delete(name, read.outs)


def test_delete_keeps_chunks_and_jobs(lab: Lab, unique_name: Callable[[str], str]) -> None:
    provider = _provider(lab)
    name = unique_name("ds")
    created = provider.create(_inputs(lab, name))
    lab.control.seed_snapshot("local", name, backup_id="340", time=1_735_700_000)
    client = provider.client(provider.parse(_inputs(lab, name)))
    client.post("/config/verify", id=f"v-{name}", store=name, schedule="daily")

    provider.delete(name, created.outs)

    # The verify job the user still declares survives the datastore's removal ...
    assert client.get(f"/config/verify/v-{name}")["store"] == name
    # ... and the backup data is still there: re-adding the store with reuse finds it.
    again = provider.create(_inputs(lab, name, reuse_datastore=True))
    snapshots = client.get(f"/admin/datastore/{name}/snapshots")
    assert [s["backup-id"] for s in snapshots] == ["340"]
    assert provider.diff(name, again.outs, _inputs(lab, name)).changes is False
    client.delete(f"/config/verify/v-{name}")
    provider.delete(name, again.outs)
