"""Scenario "corrupted-snapshot": bit rot under the newest backup; verify and drill catch it.

After three nights, chunks only the newest snapshot of a service references are lost (a
disk sector gone under the datastore). The weekly verify job runs early; a drill restores
that snapshot (the newest, as a recovery would) and its guest never boots: live-restore hits
the missing chunk, the agent never answers, the restore task fails, the drill VM is deleted.
Checks: the drill FAILs; ``tappaas status`` turns CRIT on that service's verify and drill
lines while the other services stay OK.
"""

from __future__ import annotations

from lab.scenarios.common import at_day, local_store, run_days
from lab.scenarios.monitoring import drill, status, table_rows
from lab.scenarios.result import ScenarioResult
from lab.scenarios.site import LOCAL_PBS, SiteLab
from tappaas.health import Check, State, Verdict
from tappaas.model import SiteConfig

NAME = "corrupted-snapshot"
TITLE = "A corrupted newest backup: verify fails, its restore drill fails, status turns CRIT"
DEFAULT_SERVICE = "vaultwarden"
DAYS_BEFORE = 3
CORRUPT_CLOCK = "09:00"


def backed_up(site: SiteConfig) -> list[str]:
    return [name for name, service in site.services.items() if service.backup.enabled]


def victim(site: SiteConfig) -> str | None:
    """The service whose newest backup rots: vaultwarden (the prod example's), else the first
    one that is backed up."""
    names = backed_up(site)
    return DEFAULT_SERVICE if DEFAULT_SERVICE in names else next(iter(names), None)


def needs(site: SiteConfig, _: SiteConfig) -> list[str]:
    """Two backed-up services (one rots, one stays sound) and a verify job to find it."""
    unmet = [] if len(backed_up(site)) >= 2 else ["two services that are backed up"]
    if site.backup is not None and site.backup.verify.schedule is None:
        unmet.append("a verify job (backup.verify.schedule)")
    return unmet


def play(s: SiteLab, service: str | None = None) -> ScenarioResult:
    """Corrupt ``service``'s (default: ``victim``) newest snapshot on day 3 at 09:00, verify,
    drill it and a sound one, look."""
    result = ScenarioResult(NAME, TITLE)
    control = s.lab.control
    store, ns = local_store(s)
    service = service or victim(s.site)
    assert service is not None
    sound = next(name for name in backed_up(s.site) if name != service)
    vmid = str(s.site.services[service].vmid)
    run_days(s, result, at_day(s, DAYS_BEFORE, CORRUPT_CLOCK))
    lost = control.corrupt_snapshot(LOCAL_PBS, store, vmid, ns=ns)
    result.say(control.now(), f"{lost} chunk(s) of vm/{vmid}'s newest snapshot lost on disk")
    verify_id = f"{store}-verify"  # as scenarios/site.py names it
    control.run_job("verify", verify_id, pbs=LOCAL_PBS)
    result.say(control.now(), f"verify job {verify_id} run now")
    run = drill(s, [service, sound])
    for row in table_rows(run):
        result.say(run.started, row)
    report = status(s, list(run.results))
    bad = [x for x in report.lines if x.state is State.CRIT]
    for line in bad:
        result.say(report.now, f"status {line.subject} {line.check.value}: CRIT, {line.why}")
    failed = next(r for r in run.results if r.service == service)
    result.check(
        "the drill from the corrupted snapshot fails and leaves nothing",
        failed.verdict is Verdict.FAIL and failed.cleaned_up,
        f"{service}: {failed.verdict.value}: {failed.reason}",
    )
    crit = {(x.subject, x.check) for x in bad}
    result.check(
        "status is CRIT on that service's verify and drill, and only there",
        report.state is State.CRIT and crit == {(service, Check.VERIFY), (service, Check.DRILL)},
        ", ".join(f"{s_} {c.value}" for s_, c in sorted(crit)) or "nothing CRIT",
    )
    return result
