"""``status`` end to end on the lab over HTTPS: read-only, and CRIT where the design breaks."""

from __future__ import annotations

import json

from rich.console import Console

from lab.scenarios import start_site_lab
from lab.scenarios.client import api
from lab.scenarios.ransomware import push_variant
from tappaas.cli.status import format_json, format_prometheus, format_status
from tappaas.health import Check, PeerView, State, StatusReport, evaluate, outcomes
from tappaas.observe import PeerAccess, Sources, observe
from tests.monitoring.labs import (
    REALISTIC,
    client,
    drill,
    peer_site,
    site_lab,
    site_with,
    sources,
)

SITE = site_with()
DAY = 86400


def status(configured, drills=None) -> StatusReport:
    return evaluate(SITE, observe(SITE, sources(configured), drills or {}))


def line(report: StatusReport, subject: str, check: Check):
    [found] = [x for x in report.lines if x.subject == subject and x.check is check]
    return found


def test_status_after_three_nights_reads_everything_and_writes_nothing() -> None:
    with site_lab(SITE) as configured:
        configured.lab.control.clear_requests()
        report = status(configured)
        records = configured.lab.control.requests()
    assert [r for r in records if r.is_write] == []
    assert {r.instance for r in records} == {"pve", "local"}  # nothing asked of the peer
    for service in SITE.services:
        assert line(report, service, Check.BACKUP).state is State.OK
        assert line(report, service, Check.OFFSITE).state is State.OK
        assert line(report, service, Check.DRILL).why == "never drilled (tappaas drill)"
    offsite = line(report, "nextcloud", Check.OFFSITE)
    assert offsite.why == "newest 9h 59min old, 0s behind local, fetched 8h ago"
    assert line(report, "nextcloud", Check.HA).why == "started on home node tappaas1"
    assert line(report, "nextcloud", Check.REPLICATION).state is State.OK
    assert line(report, "datastore tappaas_backup", Check.GC).state is State.OK
    assert report.state is State.WARN  # never drilled; no personal datastore in the lab


def test_the_peer_stops_pulling_for_three_days_crit_off_site_while_local_is_ok() -> None:
    with site_lab(SITE) as configured:
        peer = api(configured.lab.pbs["peer"])  # the peer's operator pauses its pull job
        peer.config.sync("pull-home").put(delete="schedule")
        configured.lab.control.advance(days=3)
        report = status(configured)
    for service in SITE.services:
        assert line(report, service, Check.BACKUP).state is State.OK
        offsite = line(report, service, Check.OFFSITE)
        assert offsite.state is State.CRIT, offsite
        assert offsite.why.startswith("none newer than 2d: newest 3d 9h old, fetched 3d 8h ago")
    assert report.state is State.CRIT


def test_a_corrupted_snapshot_turns_verify_and_drill_crit() -> None:
    with site_lab(SITE, **REALISTIC) as configured:
        lab = configured.lab
        lab.control.corrupt_snapshot("local", "tappaas_backup", "610")
        lab.control.run_job("verify", "tappaas_backup-verify", pbs="local")
        run = drill(configured).run(["vaultwarden"])
        report = status(configured, outcomes(run.results))
    assert line(report, "vaultwarden", Check.VERIFY).state is State.CRIT
    failed = line(report, "vaultwarden", Check.DRILL)
    assert failed.state is State.CRIT and "live-restore failed" in failed.why
    assert line(report, "nextcloud", Check.VERIFY).state is State.OK
    assert report.state is State.CRIT


def test_an_unreachable_pbs_is_unknown_and_named() -> None:
    with site_lab(SITE) as configured:
        configured.lab.control.disconnect("local")
        report = status(configured)
    assert line(report, "nextcloud", Check.BACKUP).state is State.UNKNOWN
    assert [e.source for e in report.unreachable] == ["pbs local"]
    assert "pbs local unreachable" in line(report, "nextcloud", Check.OFFSITE).why
    assert line(report, "nextcloud", Check.HA).state is State.OK  # PVE still answers
    assert report.state is State.UNKNOWN


def test_outputs_table_json_and_prometheus() -> None:
    with site_lab(SITE) as configured:
        report = status(configured)
    document = json.loads(format_json(report))
    assert document["state"] == "WARN" and document["exit_code"] == 1
    backup = next(x for x in document["lines"] if x["subject"] == "nextcloud")
    assert backup["check"] == "backup" and backup["metrics"]["backup_age_seconds"] == 35980
    text = format_prometheus(report)
    assert 'tappaas_status_state{site="home",subject="nextcloud",check="backup"} 0' in text
    assert 'tappaas_backup_age_seconds{site="home",subject="nextcloud"} 35980' in text
    assert 'tappaas_status_overall{site="home"} 1' in text
    assert "# TYPE tappaas_offsite_lag_seconds gauge" in text
    console = Console(width=80, record=True)
    console.print(format_status(report))
    rendered = console.export_text()
    assert max(len(row) for row in rendered.splitlines()) <= 80
    assert rendered.startswith("home: WARN (")  # the first line is the result


def test_with_push_the_site_lists_its_copy_on_the_peer_with_its_write_token() -> None:
    site, peer_config = push_variant(SITE, peer_site())
    configured = start_site_lab(site, peer_config)
    try:
        lab = configured.lab
        lab.control.advance(days=2, hours=12)
        assert configured.writer_token is not None and configured.guest is not None
        peer = PeerAccess(
            PeerView.LISTING,
            client=client(lab.pbs["peer"], configured.writer_token),
            store="tappaas_backup",
            namespace=configured.guest.namespace,
        )
        sources = Sources(pve=client(lab.pve), local=client(lab.pbs["local"]), peer=peer)
        lab.control.clear_requests()
        report = evaluate(site, observe(site, sources, {}))
        writes = [r for r in lab.control.requests() if r.is_write]
    finally:
        configured.lab.stop()
    assert writes == []
    offsite = line(report, "nextcloud", Check.OFFSITE)
    assert offsite.state is State.OK and "0s behind local" in offsite.why
