"""The clock on the control surface: advance, run_until, run_job, journal — in Python, over
``/_lab/``, with ``tappaas lab advance``, across a save and restore, and in real time."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from typer.testing import CliRunner

from lab import Lab, LabError
from lab.sim.clock import iso
from tappaas.cli import app
from tests.fixtures.lab import SIMULATED_START
from tests.lab.clients import _PinnedAdapter, client

DAY = 86400


def _prune_setup(lab: Lab) -> None:
    api = client(lab.pbs["local"])
    api.config.datastore.post(name="tanka", path="/mnt/tanka", **{"gc-schedule": "05:00"})
    api.config.prune.post(id="prn", store="tanka", schedule="03:00", **{"keep-last": 1})


def test_advance_and_run_until_move_the_simulated_clock_running_what_falls_due(simulated_lab):
    lab = simulated_lab
    _prune_setup(lab)
    assert lab.control.now() == SIMULATED_START
    moved = lab.control.advance(hours=4)
    assert moved == {"time": SIMULATED_START + 4 * 3600, "iso": "2025-01-01T04:00:00Z", "runs": 1}
    moved = lab.control.run_until("2025-01-03T00:00:00Z")
    assert moved["runs"] == 3  # GC at 05:00, then prune and GC on the 2nd
    assert [(iso(e.time), e.kind) for e in lab.control.journal(since=SIMULATED_START + DAY)] == [
        ("2025-01-02T03:00:00Z", "prune"),
        ("2025-01-02T05:00:00Z", "gc"),
    ]
    with pytest.raises(LabError, match="in the lab's past"):
        lab.control.run_until(SIMULATED_START)
    with pytest.raises(LabError, match="unknown job kind"):
        lab.control.run_job("backup-everything", "x")
    with pytest.raises(LabError, match="no prune job 'nope'"):
        lab.control.run_job("prune", "nope", pbs="local")


def test_the_clock_operations_over_http(simulated_lab):
    lab = simulated_lab
    _prune_setup(lab)
    session = requests.Session()
    session.mount("https://", _PinnedAdapter(lab.pve.fingerprint))
    base, headers = f"{lab.pve.url}/_lab", {"X-Lab-Token": lab.pve.token_secret}

    def call(method: str, operation: str, **body: object) -> Any:
        answer = session.request(
            method, f"{base}/{operation}", json=body, headers=headers, verify=False
        )
        assert answer.status_code == 200, answer.text
        return answer.json()["data"]

    assert call("GET", "now") == SIMULATED_START
    assert call("POST", "advance", days=1)["iso"] == "2025-01-02T00:00:00Z"
    [upid] = call("POST", "run-job", kind="prune", name="prn", pbs="local")
    assert upid.split(":")[6] == "prunejob"
    journal = call("GET", "journal")
    assert [entry["kind"] for entry in journal] == ["prune", "gc", "prune"]
    assert call("POST", "run-until", time="2025-01-02T06:00:00Z")["runs"] == 2
    assert call("POST", "disconnect", instance="peer") is None
    with pytest.raises(requests.ConnectionError):
        session.get(f"{lab.pbs['peer'].url}/api2/json/version", verify=False, timeout=5)
    call("POST", "reconnect", instance="peer")
    assert call("GET", "recoveries") == []


def test_tappaas_lab_advance_drives_a_running_lab(simulated_lab, tmp_path):
    lab = simulated_lab
    lab_file = tmp_path / "lab.json"
    lab_file.write_text(
        json.dumps(
            {
                "pid": 0,
                "control_token": lab.pve.token_secret,
                "endpoints": [e.to_dict() for e in lab.endpoints()],
            }
        )
    )
    result = CliRunner().invoke(
        app, ["lab", "advance", "--hours", "6", "--lab-file", str(lab_file)]
    )
    assert result.exit_code == 0, result.output
    assert "Lab time 2025-01-01T06:00:00Z" in result.output
    assert lab.control.now() == SIMULATED_START + 6 * 3600


def test_a_saved_simulated_lab_restarts_at_its_saved_time(lab_factory, tmp_path):
    state = tmp_path / "state.pickle"
    lab = lab_factory(clock="simulated", start_time=SIMULATED_START, state_file=state)
    _prune_setup(lab)
    lab.control.advance(days=2, hours=4)
    lab.stop()
    again = lab_factory(clock="simulated", start_time=SIMULATED_START, state_file=state)
    assert again.control.now() == SIMULATED_START + 2 * DAY + 4 * 3600
    job = client(again.pbs["local"]).admin.prune.get()[0]
    assert job["last-run-state"] == "ok" and job["next-run"] == SIMULATED_START + 3 * DAY + 3 * 3600


def test_a_real_time_lab_runs_scheduled_work_and_can_be_moved_ahead(lab_factory):
    lab = lab_factory(start_time=SIMULATED_START)
    _prune_setup(lab)
    assert SIMULATED_START <= lab.control.now() < SIMULATED_START + 60
    moved = lab.control.advance(days=1)
    assert moved["runs"] == 2 and moved["time"] >= SIMULATED_START + DAY
    assert lab.control.now() >= moved["time"]
