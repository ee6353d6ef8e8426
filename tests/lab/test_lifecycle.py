"""Starting without schema files, persisting state across restarts, and the CLI."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
from proxmoxer import ResourceException

from lab import Lab
from tests.fixtures.lab import lab_config
from tests.lab.clients import client, raw

ENTRY = "from tappaas.cli import main; main()"


def test_without_schema_files_the_builtin_checks_apply(lab_factory, tmp_path):
    bare = lab_factory(schema_dir=tmp_path, pbs=("local",))
    assert any("built-in checks" in note for note in bare.notes)
    api = client(bare.pve)
    with pytest.raises(ResourceException) as caught:
        api.cluster.replication.post(id="100-0", type="local")
    assert caught.value.errors == {"target": "property is missing and it is not optional"}
    with pytest.raises(ResourceException) as caught:
        api.cluster.replication.post(id="100-0", target="tappaas2", type="local", disable="yes")
    assert caught.value.errors == {"disable": "type check ('boolean') failed - got 'yes'"}
    assert raw(bare.pve, "GET", "/cluster/sdn").status_code == 501
    pbs = raw(bare.pbs["local"], "POST", "/config/datastore", data={"name": "x1"})
    assert (
        pbs.text
        == "parameter verification failed - 'path': parameter is missing and it is not optional."
    )


def test_state_file_survives_a_restart(tmp_path):
    state_file = tmp_path / "lab.state"
    with Lab.start(lab_config(state_file=state_file, pbs=("local",))) as first:
        client(first.pbs["local"]).config.datastore.post(name="keep", path="/mnt/keep")
        first.control.seed_vm(100, "tappaas1")
        before = first.endpoints()
    assert stat.S_IMODE(os.stat(state_file).st_mode) == 0o600
    with Lab.start(lab_config(state_file=state_file, pbs=("local",))) as second:
        assert [e.fingerprint for e in second.endpoints()] == [e.fingerprint for e in before]
        assert second.pve.token_secret == before[0].token_secret
        assert [d["name"] for d in client(second.pbs["local"]).config.datastore.get()] == ["keep"]
        assert second.control.vm(100) is not None


def test_cli_detach_status_down(tmp_path):
    lab_file = tmp_path / "lab.json"
    run = [sys.executable, "-c", ENTRY, "lab"]
    started = subprocess.run(
        [
            *run,
            "up",
            "--detach",
            "--pbs",
            "local",
            "--task-seconds",
            "0",
            "--lab-file",
            str(lab_file),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    try:
        assert "PBS local" in started.stdout
        assert stat.S_IMODE(os.stat(lab_file).st_mode) == 0o600
        data = json.loads(lab_file.read_text())
        assert {e["product"] for e in data["endpoints"]} == {"pve", "pbs"}
        assert all(e["token_secret"] and e["fingerprint"] for e in data["endpoints"])
        status = subprocess.run(
            [*run, "status", "--lab-file", str(lab_file)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert status.returncode == 0 and data["endpoints"][0]["fingerprint"] in status.stdout
        log = lab_file.with_suffix(".log").read_text()
        assert "Stop with: tappaas lab down" in log and "Ctrl-C" not in log
    finally:
        subprocess.run(
            [*run, "down", "--lab-file", str(lab_file)], capture_output=True, timeout=60, check=True
        )
    assert not lab_file.exists()
