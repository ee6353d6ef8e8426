"""What scenarios share: reading the lab through its API and the site model's names."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from proxmoxer import ResourceException

from lab.scenarios.client import api
from lab.scenarios.result import ScenarioResult
from lab.scenarios.site import LOCAL_PBS, PEER_PBS, SiteLab

DAY = 86400


def at_day(s: SiteLab, day: int, clock: str = "00:00") -> int:
    """Lab time of ``clock`` (HH:MM, UTC) on day ``day`` (0 = the day the lab started)."""
    start = s.lab.config.start_time
    first = int(start if start is not None else s.lab.control.now()) // DAY * DAY
    hours, minutes = (int(part) for part in clock.split(":"))
    return first + day * DAY + hours * 3600 + minutes * 60


def run_days(s: SiteLab, result: ScenarioResult, until: int) -> None:
    """Run the lab to ``until`` a simulated day at a time, showing the timeline so far and
    reporting progress (the same runs happen as in one step: each is due at its own time)."""
    control = s.lab.control
    start = control.now()
    result.flush(start)
    while (now := control.now()) < until:
        control.run_until(min(now + DAY, until))
        result.progress((control.now() - start) / DAY, (until - start) / DAY)


def local_store(s: SiteLab) -> tuple[str, str]:
    """The site's datastore and namespace on its own PBS."""
    assert s.site.backup is not None
    return s.site.backup.pbs.datastore, s.site.backup.pbs.namespace


def peer_store(s: SiteLab) -> tuple[str, str] | None:
    """Where the peer keeps the site's copy (datastore, namespace), if there is a peer."""
    guest = s.guest
    if s.peer is None or s.peer.backup is None or guest is None:
        return None
    return s.peer.backup.pbs.datastore, guest.namespace


def snapshot_times(s: SiteLab, pbs: str, store: str, ns: str) -> dict[str, list[int]]:
    """``GET /admin/datastore/{store}/snapshots``: backup times per group (``vm/110``)."""
    client = api(s.lab.pbs[pbs])
    try:
        listed = client.admin.datastore(store).snapshots.get(**({"ns": ns} if ns else {}))
    except ResourceException:  # a destroyed datastore lists nothing
        return {}
    groups: dict[str, list[int]] = defaultdict(list)
    for item in listed:
        groups[f"{item['backup-type']}/{item['backup-id']}"].append(int(item["backup-time"]))
    return {group: sorted(times) for group, times in sorted(groups.items())}


def local_times(s: SiteLab) -> dict[str, list[int]]:
    """The site's snapshots on its own PBS."""
    return snapshot_times(s, LOCAL_PBS, *local_store(s))


def peer_times(s: SiteLab) -> dict[str, list[int]]:
    """The site's copies on the peer's PBS."""
    where = peer_store(s)
    return snapshot_times(s, PEER_PBS, *where) if where is not None else {}


def count(groups: dict[str, list[int]]) -> int:
    """Snapshots in all groups."""
    return sum(len(times) for times in groups.values())


def wait_task(client: Any, node: str, upid: str) -> dict[str, Any]:
    """A task's final status (lab tasks of a simulated clock end at once)."""
    status: dict[str, Any] = client.nodes(node).tasks(upid).status.get()
    return status
