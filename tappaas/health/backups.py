"""Rules for a service's backups: fresh, verified, off-site, and on the personal disk.

Thresholds follow the configured schedules (period P = the longest gap between two runs):

- backup: newest local snapshot older than 1.5 P → WARN, older than 3 P or none → CRIT; any
  snapshot dated in the future (a forged timestamp prune would trust) → CRIT;
- verify: the newest snapshot failed verification → CRIT; no snapshot verified within
  1.5 x (verify period + backup period) (1.5 backup periods with ``verify_new``) → CRIT;
  older snapshots that failed → WARN; verification switched off → WARN;
- off-site: no copy on the peer newer than ``monitoring.offsite_max_age`` (or none) → CRIT;
  the copy more than 1.5 sync periods behind the newest local backup → WARN;
- personal disk: its newest copy older than ``monitoring.personal_max_age`` → WARN (never
  CRIT: the disk is attached by hand).
"""

from __future__ import annotations

from datetime import UTC, datetime

from tappaas.health.lines import Check, Line, Metric
from tappaas.health.observations import Observation, PeerView, Snapshot
from tappaas.health.state import State
from tappaas.health.wording import ago, span
from tappaas.model import Importance, PersonalExport, Service, SiteConfig
from tappaas.policy.snapshot_clock import SnapshotRef, future_snapshots
from tappaas.schedule.interval import longest_gap

BACKUP_WARN_PERIODS = 1.5
BACKUP_CRIT_PERIODS = 3.0
VERIFY_WINDOW_PERIODS = 1.5
OFFSITE_LAG_WARN_PERIODS = 1.5
LOCAL_SOURCE = "pbs local"
PEER_SOURCE = "peer"


def _snapshots(service: Service, obs: Observation) -> tuple[Snapshot, ...]:
    assert obs.local is not None
    return obs.local.get(service.vmid, ())


def local_backup(name: str, service: Service, site: SiteConfig, obs: Observation) -> Line:
    """The newest local backup against the backup schedule."""
    if not service.backup.enabled:
        return Line(name, Check.BACKUP, State.OK, "excluded by config (backup.enabled: false)")
    if site.backup is None:
        return Line(name, Check.BACKUP, State.CRIT, "no local PBS configured (backup)")
    if obs.local is None:
        return Line(name, Check.BACKUP, State.UNKNOWN, obs.why_unknown(LOCAL_SOURCE))
    snapshots = _snapshots(service, obs)
    period = longest_gap(site.backup.schedule).total_seconds()
    if not snapshots:
        store = site.backup.pbs.datastore
        return Line(name, Check.BACKUP, State.CRIT, f"no backup of vm/{service.vmid} in {store}")
    forged = _dated_in_the_future(service, site, snapshots, obs.now)
    if forged:
        return Line(name, Check.BACKUP, State.CRIT, forged)
    age = obs.now - snapshots[-1].time
    state = State.OK
    if age > BACKUP_CRIT_PERIODS * period:
        state = State.CRIT
    elif age > BACKUP_WARN_PERIODS * period:
        state = State.WARN
    why = f"newest {ago(age)} (every {span(period)}), {len(snapshots)} kept"
    return Line(name, Check.BACKUP, state, why, ((Metric.BACKUP_AGE, age),))


def _dated_in_the_future(
    service: Service, site: SiteConfig, snapshots: tuple[Snapshot, ...], now: int
) -> str | None:
    """Why a snapshot dated after now (+ clock skew) is CRIT, or None: PBS prune keeps by
    timestamp, and the writer chooses it (``tappaas.policy.snapshot_clock``, the one rule)."""
    assert site.backup is not None
    pbs = site.backup.pbs
    refs = [
        SnapshotRef(pbs.datastore, pbs.namespace, "vm", str(service.vmid), snapshot.time)
        for snapshot in snapshots
    ]
    future = future_snapshots(refs, datetime.fromtimestamp(now, UTC))
    if not future:
        return None
    return (
        f"{len(future)} backup(s) dated in the future (latest {future[-1].when:%Y-%m-%d}): "
        "prune would keep them over the real history (tappaas peer check)"
    )


def _verify_window(site: SiteConfig) -> float | None:
    """How old the newest verified backup may be; None when verification is off."""
    assert site.backup is not None
    backup_period = longest_gap(site.backup.schedule).total_seconds()
    verify = site.backup.verify
    if verify.verify_new:
        return VERIFY_WINDOW_PERIODS * backup_period
    if verify.schedule is None:
        return None
    return VERIFY_WINDOW_PERIODS * (longest_gap(verify.schedule).total_seconds() + backup_period)


def verification(name: str, service: Service, site: SiteConfig, obs: Observation) -> Line | None:
    """Whether the backups a restore would use were read back and found whole."""
    if not service.backup.enabled or site.backup is None:
        return None
    if obs.local is None:
        return Line(name, Check.VERIFY, State.UNKNOWN, obs.why_unknown(LOCAL_SOURCE))
    snapshots = _snapshots(service, obs)
    if not snapshots:
        return None
    newest = snapshots[-1]
    if newest.verify_state == "failed":
        why = f"newest backup ({ago(obs.now - newest.time)}) failed verification"
        return Line(name, Check.VERIFY, State.CRIT, why)
    window = _verify_window(site)
    if window is None:
        return Line(name, Check.VERIFY, State.WARN, "verification is off (backup.verify)")
    verified = [s for s in snapshots if s.verified_ok]
    if not verified:
        oldest = obs.now - snapshots[0].time
        if oldest > window:
            why = f"no backup verified; oldest is {span(oldest)} old"
            return Line(name, Check.VERIFY, State.CRIT, why)
        return Line(name, Check.VERIFY, State.OK, "not verified yet (next verify job run)")
    age = obs.now - verified[-1].time
    metrics = ((Metric.VERIFY_AGE, float(age)),)
    if age > window:
        why = f"newest verified backup is {span(age)} old (limit {span(window)})"
        return Line(name, Check.VERIFY, State.CRIT, why, metrics)
    failed = sum(1 for s in snapshots[:-1] if s.verify_state == "failed")
    if failed:
        why = f"{failed} older backup(s) failed verification"
        return Line(name, Check.VERIFY, State.WARN, why, metrics)
    checked = verified[-1].verified_at
    when = f", checked {ago(obs.now - checked)}" if checked is not None else ""
    return Line(name, Check.VERIFY, State.OK, f"newest verified {span(age)} old{when}", metrics)


def offsite(name: str, service: Service, site: SiteConfig, obs: Observation) -> Line | None:
    """The newest copy on the peer: its age, and how far it is behind the local one."""
    if not service.backup.enabled or site.backup is None:
        return None
    remote = site.remote
    if remote is None:
        state = State.CRIT if service.importance is Importance.HIGH else State.WARN
        return Line(name, Check.OFFSITE, state, "no off-site copy declared (remote)")
    pulled = obs.peer_view is PeerView.PULL_READS
    if obs.offsite is None:
        source = LOCAL_SOURCE if pulled else PEER_SOURCE
        return Line(name, Check.OFFSITE, State.UNKNOWN, obs.why_unknown(source))
    copy = obs.offsite.get(service.vmid)
    if copy is None:
        never = "the peer never fetched a backup" if pulled else "the peer holds no copy"
        return Line(name, Check.OFFSITE, State.CRIT, never)
    age = obs.now - copy.time
    local = _snapshots(service, obs) if obs.local is not None else ()
    lag = max(0, local[-1].time - copy.time) if local else 0
    metrics = ((Metric.OFFSITE_AGE, float(age)), (Metric.OFFSITE_LAG, float(lag)))
    limit = site.monitoring.offsite_max_age.total_seconds()
    fetched = f", fetched {ago(obs.now - copy.seen_at)}" if pulled else ", on the peer"
    if age > limit:
        why = f"none newer than {span(limit)}: newest {span(age)} old{fetched}"
        return Line(name, Check.OFFSITE, State.CRIT, why, metrics)
    period = longest_gap(remote.schedule).total_seconds()
    state = State.WARN if lag > OFFSITE_LAG_WARN_PERIODS * period else State.OK
    why = f"newest {span(age)} old, {span(lag)} behind local{fetched}"
    return Line(name, Check.OFFSITE, state, why, metrics)


def personal(name: str, service: Service, site: SiteConfig, obs: Observation) -> Line | None:
    """The copy on the personal removable disk (``personal_export: pbs``)."""
    if service.personal_export is not PersonalExport.PBS or site.personal is None:
        return None
    if obs.personal is None:
        return Line(name, Check.PERSONAL, State.UNKNOWN, obs.why_unknown(LOCAL_SOURCE))
    limit = site.monitoring.personal_max_age.total_seconds()
    disk = obs.personal
    if disk.problem is not None:
        return Line(name, Check.PERSONAL, State.WARN, disk.problem)
    newest = disk.newest.get(service.vmid) if disk.mounted else disk.last_sync
    if newest is None:
        never = "no copy on the disk" if disk.mounted else "disk not mounted, never synced"
        return Line(name, Check.PERSONAL, State.WARN, never)
    age = obs.now - newest
    state = State.WARN if age > limit else State.OK
    if disk.mounted:
        why = f"newest copy on the disk {span(age)} old"
    else:
        why = f"disk not mounted; last synced {ago(age)}"
    return Line(name, Check.PERSONAL, state, why, ((Metric.PERSONAL_AGE, float(age)),))
