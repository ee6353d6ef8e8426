"""PBS verification: which snapshots a verify run checks, and what it finds.

The filter is PBS ``verify_filter`` (src/backup/verify.rs), used by verify jobs and the manual
verify API, with ``ignore-verified`` defaulting to true: snapshots never verified are checked;
verified ones — **even failed ones** — are skipped unless ``outdated-after`` days have passed
since that verification started (whole days, strictly more). With ``ignore-verified`` false
everything is checked. A snapshot verifies ``ok`` when every chunk its index references is in
the datastore; the result goes into its manifest. A datastore with ``verify-new`` starts such a
verify for each backup as it finishes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from lab.behaviour.chunk_store import ChunkStore
from lab.behaviour.disk_content import ChunkIndex
from lab.behaviour.snapshots import Snapshot, VerifyResult, VerifyState

__all__ = [
    "DEFAULT_IGNORE_VERIFIED",
    "needs_verify",
    "record_verify",
    "select_for_verify",
    "verify_result",
]

DEFAULT_IGNORE_VERIFIED = True
SECONDS_PER_DAY = 86400


def needs_verify(
    verification: VerifyState | None,
    now: int,
    ignore_verified: bool = DEFAULT_IGNORE_VERIFIED,
    outdated_after: int | None = None,
) -> bool:
    """PBS ``verify_filter`` for one snapshot's last verify state."""
    if not ignore_verified or verification is None:
        return True
    if outdated_after is None:
        return False
    return (now - verification.verified_at) // SECONDS_PER_DAY > outdated_after


def select_for_verify(
    snapshots: Iterable[Snapshot],
    now: int,
    ignore_verified: bool = DEFAULT_IGNORE_VERIFIED,
    outdated_after: int | None = None,
) -> list[Snapshot]:
    """The finished snapshots a verify run at ``now`` checks, oldest first."""
    return sorted(
        (
            s
            for s in snapshots
            if s.finished and needs_verify(s.verification, now, ignore_verified, outdated_after)
        ),
        key=lambda s: s.backup_time,
    )


def verify_result(index: ChunkIndex, store: ChunkStore) -> VerifyResult:
    """``ok`` when every referenced chunk is present, else ``failed``."""
    return VerifyResult.FAILED if store.missing(index) else VerifyResult.OK


def record_verify(snapshot: Snapshot, result: VerifyResult, started: int) -> Snapshot:
    """The snapshot with the verify state a verify task starting at ``started`` writes."""
    return replace(snapshot, verification=VerifyState(result, started))
