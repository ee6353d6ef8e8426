"""Scenario "prod-400-days": 400 days of the prod example, local retention and the off-site copy.

Every day the nodes back up at 02:00, the local PBS prunes at 03:00 (7 daily, 4 weekly,
12 monthly, yearly for ever), the peer prunes the copy with the same retention at 03:00 and
pulls at 04:00, both collect garbage at 05:00 and verify weekly; replication and HA run
throughout. Sampled every day at 03:30 — after both prunes, before the pull, where the copy
lags most — and at 04:30, and read through the PBS API at the end, it checks that both
sides keep exactly 7 daily + 4 weekly + 12 monthly snapshots per guest and one in each
calendar year, and that every snapshot reached the peer within one sync interval.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from datetime import UTC, datetime

from lab.scenarios.common import DAY, at_day, local_times, peer_times
from lab.scenarios.result import ScenarioResult
from lab.scenarios.site import SiteLab
from lab.sim.schedule import calendar
from tappaas.model import Retention

NAME = "prod-400-days"
TITLE = "400 days of the prod example: retention here and on the peer, off-site lag"
DAYS = 400
SAMPLE_CLOCKS = ("03:30", "04:30")
"""Around the peer's 04:00 pull, after the 03:00 prunes (the prod and peer examples): the
copy lags most before the pull, and a snapshot's arrival shows after it."""
DETAILED_DAYS = 2
"""Days whose every event goes into the timeline (later days are summarised monthly)."""


def _utc(t: int) -> datetime:
    return datetime.fromtimestamp(t, UTC)


BUCKETS: dict[str, Callable[[int], Hashable]] = {
    "last": lambda t: t,
    "hourly": lambda t: _utc(t).strftime("%Y-%m-%d %H"),
    "daily": lambda t: _utc(t).strftime("%Y-%m-%d"),
    "weekly": lambda t: _utc(t).strftime("%G-W%V"),
    "monthly": lambda t: _utc(t).strftime("%Y-%m"),
    "yearly": lambda t: _utc(t).strftime("%Y"),
}


def breakdown(times: Iterable[int], retention: Retention) -> dict[str, list[int]]:
    """Which survivors each keep option accounts for, the way the design states retention.

    Each option in turn takes the newest survivor of each of its N newest buckets (days, ISO
    weeks, months, years, UTC) that no earlier option covered; ``unexplained`` lists any
    survivor no option accounts for (there should be none).
    """
    newest_first = sorted(set(times), reverse=True)
    out: dict[str, list[int]] = {}
    covered: list[int] = []
    for option, bucket in BUCKETS.items():
        wanted = retention.prune_options().get(f"keep-{option}")
        if not wanted:
            continue
        taken = {bucket(t) for t in covered}
        chosen: list[int] = []
        for t in newest_first:
            if len(chosen) < wanted and t not in covered and bucket(t) not in taken:
                taken.add(bucket(t))
                chosen.append(t)
        out[option] = chosen
        covered += chosen
    out["unexplained"] = [t for t in set(times) if t not in covered]
    return out


def _exact(groups: dict[str, list[int]], retention: Retention) -> tuple[bool, str]:
    """Every group keeps exactly the design's counts, and one snapshot in each year."""
    expected = {k: v for k, v in retention.prune_options().items() if k != "keep-yearly"}
    problems = []
    for group, times in groups.items():
        parts = breakdown(times, retention)
        counts = {
            f"keep-{k}": len(v) for k, v in parts.items() if k not in ("yearly", "unexplained")
        }
        years = {_utc(t).year for t in times}
        span = set(range(_utc(min(times)).year, _utc(max(times)).year + 1)) if times else set()
        if counts != expected or parts["unexplained"] or years != span:
            problems.append(f"{group}: {counts}, years {sorted(years)}")
    if not groups:
        return False, "no snapshots"
    shape = ", ".join(f"{v} {k.removeprefix('keep-')}" for k, v in expected.items())
    return not problems, "; ".join(problems) or f"{len(groups)} groups x ({shape}), every year kept"


def _sync_interval(s: SiteLab) -> int:
    guest = s.guest
    event = calendar(guest.schedule if guest is not None else None)
    if event is None:
        return DAY
    first = event.next_epoch_after(0) or 0
    return (event.next_epoch_after(first) or first + DAY) - first


def play(s: SiteLab, days: int = DAYS) -> ScenarioResult:
    """Run ``days`` days and check retention and lag (through the API at the end)."""
    result = ScenarioResult(NAME, TITLE)
    control = s.lab.control
    interval = _sync_interval(s)
    result.say(control.now(), f"site {s.site.name} configured through the API; {days} days")
    copied: set[tuple[str, int]] = set()
    worst_wait = worst_behind = 0
    detailed = False
    for day in range(days):
        for clock in SAMPLE_CLOCKS:
            sample = at_day(s, day, clock)
            control.run_until(sample)
            local, remote = _control_groups(s)
            for group, times in remote.items():
                arrived = {(group, t) for t in times} - copied
                worst_wait = max([worst_wait, *(sample - t for _, t in arrived)])
                copied |= arrived
                if local.get(group) and clock == SAMPLE_CLOCKS[0]:
                    worst_behind = max(worst_behind, max(local[group]) - max(times))
        if _utc(sample).day == 1 or day == days - 1:
            result.say(
                sample,
                f"local {sum(map(len, local.values()))} snapshots in {len(local)} groups; "
                f"peer copy {sum(map(len, remote.values()))}",
            )
        if day >= DETAILED_DAYS and not detailed:  # the detailed days are over: show them
            _add_detailed_days(s, result)
            detailed = True
        if detailed:
            result.flush(sample)
        result.progress(day + 1, days)
    if not detailed:
        _add_detailed_days(s, result)
    control.run_until(at_day(s, days, SAMPLE_CLOCKS[0]))  # after the prunes: read the API
    retention = s.site.backup.retention if s.site.backup else Retention()
    copy_retention = s.guest.retention if s.guest else retention
    local_api, remote_api = local_times(s), peer_times(s)
    result.check("local retention", *_exact(local_api, retention))
    result.check("off-site retention", *_exact(remote_api, copy_retention))
    result.check(
        "off-site lag",
        0 < worst_wait <= interval and set(remote_api) == set(local_api),
        f"every snapshot reached the peer within {_hours(worst_wait)} (sync interval "
        f"{_hours(interval)}); the copy's newest was at most {_hours(worst_behind)} behind",
    )
    return result


def _add_detailed_days(s: SiteLab, result: ScenarioResult) -> None:
    """Every event of the first days (not HA's rounds) goes into the timeline."""
    until = at_day(s, DETAILED_DAYS)
    result.events(e for e in s.lab.control.journal() if e.time < until and e.kind != "ha")


def _hours(seconds: int) -> str:
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def _control_groups(s: SiteLab) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Both sides' snapshot times per group, read cheaply through the control surface."""
    assert s.site.backup is not None
    store, ns = s.site.backup.pbs.datastore, s.site.backup.pbs.namespace
    local = _by_group(s.lab.control.snapshots("local", store, ns))
    guest = s.guest
    if guest is None or s.peer is None or s.peer.backup is None:
        return local, {}
    return local, _by_group(
        s.lab.control.snapshots("peer", s.peer.backup.pbs.datastore, guest.namespace)
    )


def _by_group(items: list[dict[str, object]]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for item in items:
        groups.setdefault(f"{item['backup-type']}/{item['backup-id']}", []).append(
            int(str(item["backup-time"]))
        )
    return groups
