"""Scenario "drills-30-days": a month of nightly backups and pulls, a weekly drill of all.

Every Monday at 10:00 each service's newest backup is restored from the local PBS into an
isolated VM (NICs unplugged, a reserved vmid), started (live-restore), probed (the guest
agent answers) and deleted; restores copy 500 MiB/s and guests boot in 30 s
(``DRILL_TIMING``), so the figures are lab time. The timeline prints each drill's RTO/RPO
table. Checks: every drill passed within the policy's RTO and RPO targets; no drill VM was
left; ``tappaas status`` at the end shows every service's last drill passed, off-site copies
fresh and local backups fresh.
"""

from __future__ import annotations

from lab.scenarios.common import DAY, at_day, run_days
from lab.scenarios.monitoring import drill, status, table_rows
from lab.scenarios.result import ScenarioResult
from lab.scenarios.site import SiteLab
from tappaas.health import Check, ServiceDrill, State, Verdict, span

NAME = "drills-30-days"
TITLE = "30 days of backups and pulls with a weekly restore drill of every service"
DAYS = 30
DRILL_DAYS = (6, 13, 20, 27)
"""Mondays, with the lab starting on Wednesday 2025-01-01."""
DRILL_CLOCK = "10:00"


def play(s: SiteLab) -> ScenarioResult:
    """Run the month; drill every service each week."""
    result = ScenarioResult(NAME, TITLE)
    control = s.lab.control
    services = [name for name, service in s.site.services.items() if service.backup.enabled]
    history: list[ServiceDrill] = []
    for day in DRILL_DAYS:
        run_days(s, result, at_day(s, day, DRILL_CLOCK))
        run = drill(s, services)
        history += run.results
        result.say(run.started, f"weekly drill {run.drill_id}: {run.state.name}")
        for row in table_rows(run):
            result.say(run.started, f"  {row}")
    run_days(s, result, at_day(s, DAYS, DRILL_CLOCK))
    report = status(s, history)
    result.say(control.now(), f"tappaas status: {report.state.name}")
    passed = [d for d in history if d.verdict is Verdict.PASS]
    result.check(
        "every weekly drill passed within its RTO and RPO targets",
        len(passed) == len(history) == len(services) * len(DRILL_DAYS),
        f"{len(passed)}/{len(history)} PASS; RTO {span(min(d.rto_seconds or 0 for d in history))}"
        f" to {span(max(d.rto_seconds or 0 for d in history))}, RPO "
        f"{span(max(d.rpo_seconds or 0 for d in history))} at most",
    )
    left = [vmid for vmid in s.lab.world.pve.vms if s.site.drill.in_range(vmid)]
    result.check("no drill VM was left behind", not left, f"drill-range VMs: {left or 'none'}")
    drills = [x for x in report.lines if x.check is Check.DRILL]
    fresh = [x for x in report.lines if x.check in (Check.BACKUP, Check.OFFSITE)]
    result.check(
        "status: every service's last drill passed, backups and off-site copies fresh",
        all(x.state is State.OK for x in drills + fresh) and len(drills) == len(services),
        f"{len(drills)} drill lines OK, last passes {drills[0].why if drills else '-'}; "
        f"backup and off-site lines: {sum(x.state is State.OK for x in fresh)}/{len(fresh)} OK",
    )
    result.say(at_day(s, DAYS, DRILL_CLOCK) - DAY, f"{len(history)} service drills in {DAYS} days")
    return result
