"""Scenario "ransomware": an attacker with the site's credentials deletes what they allow.

After ten days of backups the attacker, holding what a compromised site holds — the PBS token
PVE backs up with, and the site admin's tokens for PVE and the site's PBS — deletes every
VM, snapshot, job and datastore those credentials allow (``control.ransomware``, through
the API: the ACLs decide). Two days later (the peer's pulls and prunes have run) the copies
on the peer are counted through its API.

Played twice: with the prod example as configured (the peer pulls with a read-only token of
the site's, ``remove-vanished`` off: the site holds no credential that can touch the copy,
which survives), and with a push variant (the site pushes with ``remove-vanished`` and a
peer token allowed to prune: the attacker's deletions travel with the push and the copy is
gone).
"""

from __future__ import annotations

from lab.scenarios.common import at_day, count, local_times, peer_times, run_days
from lab.scenarios.result import ScenarioResult
from lab.scenarios.retention import breakdown
from lab.scenarios.site import LOCAL_PBS, SiteLab
from tappaas.model import Direction, Retention, SiteConfig

NAME = "ransomware"
DAYS_BEFORE = 10
ATTACK_CLOCK = "12:00"
DAYS_AFTER = 2


def push_variant(site: SiteConfig, peer: SiteConfig) -> tuple[SiteConfig, SiteConfig]:
    """The same site and peer, but the site pushes its copy with ``remove-vanished``."""
    assert site.remote is not None and peer.peer is not None
    remote = site.remote.model_copy(update={"direction": Direction.PUSH, "remove_vanished": True})
    guests = {
        name: guest.model_copy(update={"direction": Direction.PUSH, "remove_vanished": True})
        for name, guest in peer.peer.guests.items()
    }
    return (
        site.model_copy(update={"remote": remote}),
        peer.model_copy(update={"peer": peer.peer.model_copy(update={"guests": guests})}),
    )


def _retained(times: list[int], retention: Retention) -> list[int]:
    """What a retention keeps of a group that receives no new snapshot."""
    parts = breakdown(times, retention)
    return sorted(t for option, kept in parts.items() if option != "unexplained" for t in kept)


def play(s: SiteLab) -> ScenarioResult:
    """Back up for ten days, attack, wait two days, count what is left on both sides."""
    direction = s.guest.direction if s.guest is not None else Direction.PULL
    pull = direction is Direction.PULL
    how = "pull, read-only token" if pull else "push with remove-vanished"
    result = ScenarioResult(
        f"{NAME} ({direction})", f"Ransomware with the site's credentials ({how})"
    )
    control = s.lab.control
    attack_at = at_day(s, DAYS_BEFORE, ATTACK_CLOCK)
    run_days(s, result, attack_at)
    local_before, before = count(local_times(s)), peer_times(s)
    copies_before = count(before)
    result.say(
        attack_at, f"before: {local_before} local snapshots, {copies_before} copies on the peer"
    )
    attacks = (
        ("PVE's PBS token", s.pve_backup_token, None),
        ("the site admin", s.pbs_admin, s.pve_admin),
    )
    for holder, credential, pve in attacks:
        report = control.ransomware(pve=pve, pbs={LOCAL_PBS: credential})
        result.say(
            attack_at,
            f"attack with {holder} ({credential[0]}): {len(report.allowed)} writes allowed, "
            f"{len(report.denied)} refused",
        )
    run_days(s, result, attack_at + DAYS_AFTER * 86400)
    result.events(
        e for e in control.journal(since=attack_at) if e.kind in ("sync", "backup", "prune")
    )
    local_after, copies = count(local_times(s)), peer_times(s)
    result.say(
        control.now(), f"after: {local_after} local snapshots, {count(copies)} copies on the peer"
    )
    result.check(
        "local backups destroyed by the site admin",
        local_after == 0 < local_before,
        f"{local_before} -> {local_after}",
    )
    if pull:
        retention = s.guest.retention if s.guest is not None else Retention()
        kept = {group: _retained(times, retention) for group, times in before.items()}
        result.check(
            "the peer's pulled copies survive",
            copies_before > 0 and copies == kept,
            f"{copies_before} copies before, {count(copies)} after, in {len(copies)} groups: "
            "all that the peer's own retention keeps, nothing lost to the attack",
        )
    else:
        result.check(
            "push with remove-vanished: the copies are gone",
            copies_before > 0 and count(copies) == 0,
            f"{copies_before} copies before, {count(copies)} after",
        )
    return result
