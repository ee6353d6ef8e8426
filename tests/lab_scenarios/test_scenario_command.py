"""``tappaas lab scenario``: streams the timeline, prints the checks, refuses what cannot run."""

from __future__ import annotations

import io

import pytest
from typer.testing import CliRunner

from lab.scenario_output import PrintingListener, format_scenario
from lab.scenarios import ScenarioResult, retention, run_scenario, streaming, unmet_needs
from lab.sim.journal import JournalEntry
from tappaas.cli import app
from tests.conftest import REPO


def test_the_command_prints_a_timeline_and_passing_checks():
    result = CliRunner().invoke(
        app,
        [
            "lab", "scenario", "accidental-deletion",
            "--site-file", str(REPO / "Pulumi.prod.yaml"),
            "--peer-file", str(REPO / "Pulumi.peer.yaml"),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("== accidental-deletion:")
    assert any("pve/tappaas1" in line and "backup" in line for line in lines)
    assert "  [PASS] the latest backup restores through the API:" in "\n".join(lines)


def test_an_unknown_scenario_is_refused():
    result = CliRunner().invoke(app, ["lab", "scenario", "meteor"])
    assert result.exit_code == 2 and "unknown scenario 'meteor'" in result.output


class Recorder:
    """A listener that keeps what it is told, in order."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.progress_reports: list[tuple[float, float]] = []
        self.printer = PrintingListener(io.StringIO(), None)

    def started(self, result: ScenarioResult) -> None:
        self.printer.started(result)

    def line(self, entry: JournalEntry) -> None:
        self.printer.line(entry)

    def progress(self, done: float, total: float) -> None:
        self.progress_reports.append((done, total))

    def finished(self, result: ScenarioResult) -> None:
        self.printer.finished(result)


@pytest.mark.parametrize("name", ["node-failure", "ransomware"])
def test_the_streamed_timeline_is_the_timeline_in_lab_time_order(name, prod, peer):
    """What is printed while it plays is exactly what the finished scenarios show."""
    recorder = Recorder()
    with streaming(recorder):
        results = run_scenario(name, prod, peer)
    printed = recorder.printer.out.getvalue()  # type: ignore[attr-defined]
    assert printed == "".join(format_scenario(result) + "\n" for result in results)
    assert recorder.progress_reports, "simulated days are reported"
    done, total = recorder.progress_reports[-1]
    assert done == total


def test_the_long_scenario_streams_day_by_day(site_lab, prod, peer):
    """prod-400-days reports every simulated day and shows its lines before it ends."""
    recorder = Recorder()
    configured = site_lab(prod, peer)
    with streaming(recorder):
        result = retention.play(configured, days=5)
        shown_before_the_end = recorder.printer.out.getvalue()  # type: ignore[attr-defined]
        result.finish()
    assert recorder.progress_reports == [(day, 5) for day in range(1, 6)]
    assert shown_before_the_end.count("\n") > 10
    assert recorder.printer.out.getvalue() == format_scenario(result) + "\n"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "site", "peer", "need"),
    [
        ("accidental-deletion", "single", "peer", "a peer that keeps the copy of 'cottage'"),
        ("node-failure", "peer", "peer", "a site (role: site); 'buddy' has role peer"),
        ("node-failure", "single", "single", "a peer (role: peer) next to it"),
    ],
)
def test_what_a_scenario_needs_is_named(name, site, peer, need):
    from tappaas.model import load_stack_file  # noqa: PLC0415

    unmet = unmet_needs(
        name,
        load_stack_file(REPO / f"Pulumi.{site}.yaml"),
        load_stack_file(REPO / f"Pulumi.{peer}.yaml"),
    )
    assert any(need in item for item in unmet), unmet


def test_a_site_without_ha_cannot_fail_a_node(prod, peer):
    no_ha = prod.model_copy(
        update={
            "services": {
                name: service.model_copy(
                    update={"ha": service.ha.model_copy(update={"enabled": False})}
                )
                for name, service in prod.services.items()
            }
        }
    )
    assert unmet_needs("node-failure", no_ha, peer) == [
        "a service with HA (services.<name>.ha.enabled; 3 or more nodes)"
    ]
