"""400 days of the prod example: exact retention here and on the peer, checked against an
independent statement of the prune rule applied the way the jobs run (daily, after the
backup), and the off-site copy never more than one sync interval behind."""

from __future__ import annotations

from collections import Counter, defaultdict

from lab.scenarios import retention
from lab.scenarios.common import local_times, peer_times
from lab.sim.clock import epoch
from tests.lab_behaviour.prune_reference import reference_reasons

DAY = 86400
KEEP = {"daily": 7, "weekly": 4, "monthly": 12, "yearly": 100}


def _backups(journal) -> dict[str, list[int]]:
    """Every backup the lab journalled: ``vm/110/2025-01-01T02:00:04Z -> tappaas_backup``."""
    groups: dict[str, list[int]] = defaultdict(list)
    for entry in journal:
        if entry.kind == "backup" and " -> " in entry.message:
            path = entry.message.split(" -> ")[0]
            kind, vmid, stamp = path.split("/")
            groups[f"{kind}/{vmid}"].append(int(epoch(stamp)))
    return groups


def _pruned_daily(times: list[int], until: int) -> set[int]:
    """The reference rule applied once a day after each new backup, up to ``until``."""
    survivors: set[int] = set()
    for t in sorted(x for x in times if x <= until):
        survivors = set(reference_reasons(survivors | {t}, KEEP))
    return survivors


def test_retention_and_off_site_lag_over_400_days(site_lab, prod, peer):
    configured = site_lab(prod, peer)
    result = retention.play(configured)
    assert result.ok, result.checks
    backups = _backups(configured.lab.control.journal())
    assert set(backups) == {f"vm/{s.vmid}" for s in prod.services.values()}
    assert {len(times) for times in backups.values()} == {401}  # one a day, none missed
    now = configured.lab.control.now()
    local, remote = local_times(configured), peer_times(configured)
    for group, times in backups.items():
        assert set(local[group]) == _pruned_daily(times, now), group
        # The peer pruned at 03:00 what it had pulled by yesterday's 04:00 pull.
        assert set(remote[group]) == _pruned_daily(times, now - DAY), group
        reasons = Counter(reference_reasons(set(local[group]), KEEP).values())
        assert reasons == {"daily": 7, "weekly": 4, "monthly": 12}
    lag = next(c for c in result.checks if c.name == "off-site lag")
    assert "within 2 h 29 min" in lag.detail  # 02:00 backups, 04:00 pull, sampled 04:30
