"""An independent statement of the prune rule, for tests: per-bucket newest selection.

For each option in order (last, hourly, daily, weekly, monthly, yearly) with count N: group the
snapshots no earlier option decided into buckets; ignore buckets that already hold a kept
snapshot; among the rest take the N newest buckets, keep the newest snapshot of each and drop the
other members of those buckets. Protected snapshots are never decided by an option and never
cover a bucket. Whatever no option kept is removed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import UTC, datetime


def _utc(t: int) -> datetime:
    return datetime.fromtimestamp(t, UTC)


BUCKET_OF: dict[str, Callable[[int], Hashable]] = {
    "last": lambda t: t,
    "hourly": lambda t: _utc(t).strftime("%Y/%m/%d/%H"),
    "daily": lambda t: _utc(t).strftime("%Y/%m/%d"),
    "weekly": lambda t: _utc(t).strftime("%G/%V"),
    "monthly": lambda t: _utc(t).strftime("%Y/%m"),
    "yearly": lambda t: _utc(t).strftime("%Y"),
}


def reference_reasons(
    times: Iterable[int], options: Mapping[str, int], protected: Iterable[int] = ()
) -> dict[int, str]:
    """Surviving snapshot time → why it survives ('protected' or the option that kept it)."""
    all_times = set(times)
    reasons = dict.fromkeys(protected, "protected")
    dropped: set[int] = set()
    for option, bucket_of in BUCKET_OF.items():
        count = options.get(option)
        if not count:
            continue
        covered = {bucket_of(t) for t, why in reasons.items() if why != "protected"}
        members: dict[Hashable, list[int]] = defaultdict(list)
        for t in all_times - reasons.keys() - dropped:
            members[bucket_of(t)].append(t)
        open_buckets = [b for b in members if b not in covered]
        open_buckets.sort(key=lambda b: max(members[b]), reverse=True)
        for bucket in open_buckets[:count]:
            newest = max(members[bucket])
            reasons[newest] = option
            dropped.update(t for t in members[bucket] if t != newest)
    return reasons
