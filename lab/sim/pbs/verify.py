"""Verification: a verify job (scheduled or run now), and ``verify-new`` after a backup.

Which snapshots are checked is ``behaviour.verify`` (PBS ``verify_filter``: unverified ones,
and verified ones whose last check is more than ``outdated-after`` days old, unless
``ignore-verified`` is off). A snapshot verifies ``ok`` when every chunk its index references
is still in the datastore; the state and the task's UPID go into its manifest.
"""

from __future__ import annotations

from collections.abc import Iterable

from lab.behaviour.namespaces import subtree
from lab.behaviour.snapshots import VerifyResult
from lab.behaviour.verify import DEFAULT_IGNORE_VERIFIED, needs_verify, verify_result
from lab.sim.pbs.manifests import verify_state
from lab.state.pbs import DatastoreContent, Snapshot

VERIFY_FAILED = "verification failed - please check the log for details"


def verify_snapshots(
    content: DatastoreContent, store: str, snapshots: Iterable[Snapshot], start: int, upid: str
) -> tuple[list[str], int]:
    """Check ``snapshots`` and record the results; returns the log and the failure count."""
    log, failed = [], 0
    for snapshot in sorted(snapshots, key=lambda s: s.time):
        result = (
            verify_result(snapshot.index, content.chunks)
            if snapshot.index is not None
            else VerifyResult.OK
        )
        snapshot.verify_state, snapshot.verify_upid = str(result), upid
        snapshot.verified_at = start
        log.append(f"verify {store}:{snapshot.name}")
        if result is VerifyResult.FAILED:
            failed += 1
            log.append(f"verify {store}:{snapshot.name} failed: missing chunks")
    return log, failed


def run_verify(
    content: DatastoreContent,
    store: str,
    *,
    ns: str = "",
    max_depth: int | None = None,
    ignore_verified: bool = DEFAULT_IGNORE_VERIFIED,
    outdated_after: int | None = None,
    start: int,
    upid: str,
) -> tuple[list[str], str | None]:
    """Verify what the filter selects in ``ns`` down to ``max_depth``; log and error."""
    scope = set(subtree(content.namespaces, ns, max_depth))
    selected = [
        snapshot
        for key, group in content.groups.items()
        if key.split("|", 1)[0] in scope
        for snapshot in group.snapshots.values()
        if snapshot.finished
        and needs_verify(verify_state(snapshot), start, ignore_verified, outdated_after)
    ]
    log = [f"verify datastore {store}", f"found {len(selected)} snapshots to verify"]
    lines, failed = verify_snapshots(content, store, selected, start, upid)
    log += lines
    if failed:
        log.append(f"Failed to verify the following snapshots ({failed})")
        return log, VERIFY_FAILED
    return log, None
