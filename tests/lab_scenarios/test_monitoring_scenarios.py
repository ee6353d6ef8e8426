"""The monitoring scenarios: a month of weekly drills, a corrupted backup, a peer that stops
pulling — each played on a lab of its own, checked through the product's status and drills."""

from __future__ import annotations

from lab.scenarios import SCENARIOS, run_scenario
from lab.scenarios.monitoring import DRILL_TIMING
from tappaas.model import SiteConfig


def test_a_month_of_weekly_drills_prints_measured_rto_and_rpo(prod: SiteConfig, peer) -> None:
    [result] = run_scenario("drills-30-days", prod, peer)
    assert result.ok, result.checks
    rows = [e.message for e in result.timeline if e.message.startswith("  nextcloud ")]
    assert len(rows) == 4  # one line per weekly drill
    assert all("/ 1d" in row and "/ < 1 hour" in row and row.endswith("PASS") for row in rows)
    assert SCENARIOS["drills-30-days"].lab == DRILL_TIMING


def test_a_corrupted_snapshot_fails_its_drill_and_status_turns_crit(prod, peer) -> None:
    [result] = run_scenario("corrupted-snapshot", prod, peer)
    assert result.ok, result.checks
    assert any("vaultwarden  " in e.message and e.message.endswith("FAIL") for e in result.timeline)


def test_the_peer_stops_pulling_and_status_turns_crit_on_off_site_only(prod, peer) -> None:
    [result] = run_scenario("peer-stops-pulling", prod, peer)
    assert result.ok, result.checks
    assert [c.passed for c in result.checks] == [True, True]
