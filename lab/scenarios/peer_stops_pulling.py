"""Scenario "peer-stops-pulling": the off-site copy falls behind; status says so, and recovers.

After three nights of backups and 04:00 pulls, the peer's pull job stops (its operator
removes the schedule: no credential of the site can touch it, so the site can only watch).
For three days the site keeps backing up. ``tappaas status`` reads the peer's reads of the
site's PBS (``reader`` tasks of the read-only token) and judges the off-site copy. Checks:
after three days every service's off-site line is CRIT (no copy newer than 2 days) while its
local backup is OK; once the pull runs again, the off-site lines are OK again.
"""

from __future__ import annotations

from lab.scenarios.client import api
from lab.scenarios.common import at_day, run_days
from lab.scenarios.monitoring import status
from lab.scenarios.result import ScenarioResult
from lab.scenarios.site import PEER_PBS, SiteLab
from tappaas.health import Check, State
from tappaas.model import Direction, SiteConfig

NAME = "peer-stops-pulling"
TITLE = "The peer stops pulling for 3 days: off-site CRIT while local stays OK"
STOP_DAY = 3
STOPPED_DAYS = 3
LOOK_CLOCK = "12:00"


def needs(site: SiteConfig, _: SiteConfig) -> list[str]:
    """An off-site copy the peer pulls (with push, the site itself sends it)."""
    if site.remote is None:
        return ["an off-site copy (remote) kept by the peer"]
    if site.remote.direction is not Direction.PULL:
        return ["a peer that pulls the copy (remote.direction: pull)"]
    return []


def play(s: SiteLab) -> ScenarioResult:
    """Stop the pull on day 3, look on day 6, resume, look on day 7."""
    result = ScenarioResult(NAME, TITLE)
    control, peer = s.lab.control, api(s.lab.pbs[PEER_PBS])
    job_id = f"pull-{s.site.name}"
    run_days(s, result, at_day(s, STOP_DAY, LOOK_CLOCK))
    schedule = peer.config.sync(job_id).get()["schedule"]
    peer.config.sync(job_id).put(delete="schedule")
    result.say(control.now(), f"the peer's pull job {job_id} stops (schedule removed)")
    run_days(s, result, at_day(s, STOP_DAY + STOPPED_DAYS, LOOK_CLOCK))
    stopped = status(s)
    offsite = [x for x in stopped.lines if x.check is Check.OFFSITE]
    local = [x for x in stopped.lines if x.check is Check.BACKUP]
    result.say(control.now(), f"status: {stopped.state.name}; e.g. off-site {offsite[0].why}")
    result.check(
        "after 3 days without pulls: off-site CRIT, local backups OK",
        all(x.state is State.CRIT for x in offsite) and all(x.state is State.OK for x in local),
        f"off-site CRIT {sum(x.state is State.CRIT for x in offsite)}/{len(offsite)}, "
        f"local OK {sum(x.state is State.OK for x in local)}/{len(local)}",
    )
    peer.config.sync(job_id).put(schedule=schedule)
    control.run_job("sync", job_id, pbs=PEER_PBS)
    result.say(control.now(), f"the pull job resumes ({schedule}) and runs once now")
    resumed = [x for x in status(s).lines if x.check is Check.OFFSITE]
    result.check(
        "after the next pull: off-site OK again",
        all(x.state is State.OK for x in resumed),
        f"off-site OK {sum(x.state is State.OK for x in resumed)}/{len(resumed)}; "
        f"e.g. {resumed[0].why}",
    )
    return result
