"""A restored guest coming back: how long it takes, and what its agent answers.

Timing (``GuestTiming``; off by default, so restores stay instant for the demo and the
stacks): a full restore copies every disk from PBS (``pbs-restore`` per disk, qemu-server
``restore_proxmox_backup_archive``) at ``restore_bytes_per_second``, then the guest boots in
``boot_seconds`` once started. A live restore (``pbs_live_restore``) starts the VM at once
with its disks backed by the PBS snapshot and streams them in the background (``block-stream``;
the task ends when the streams do); the guest boots meanwhile, slower because every block it
reads first comes over the network: ``boot_seconds`` x ``LIVE_BOOT_SLOWDOWN`` plus the share of
the disk a boot reads (``BOOT_READ_SHARE``) at the restore rate. So both grow with disk size,
and a live restore is healthy sooner for all but tiny disks.

A guest restored from a snapshot with missing chunks (one a verify marks failed) does not
boot: a full restore fails reading the chunk, a live one hits I/O errors in the guest, its
agent never answers, and the task fails with "live-restore failed" (``pbs_live_restore``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BOOT_READ_SHARE", "LIVE_BOOT_SLOWDOWN", "GuestTiming"]

LIVE_BOOT_SLOWDOWN = 1.5
BOOT_READ_SHARE = 0.02
"""A boot reads about 2 % of a typical service disk (kernel, libraries, the service)."""


@dataclass(frozen=True)
class GuestTiming:
    """How long restores and boots take; ``restore_bytes_per_second`` None = instant."""

    restore_bytes_per_second: float | None = None
    boot_seconds: float = 0.0

    def restore_seconds(self, disk_bytes: int) -> float:
        """Copying (or streaming) every disk from PBS."""
        if self.restore_bytes_per_second is None:
            return 0.0
        return disk_bytes / self.restore_bytes_per_second

    def boot(self, disk_bytes: int, live: bool) -> float:
        """From start to the agent answering."""
        if not live:
            return self.boot_seconds
        return self.boot_seconds * LIVE_BOOT_SLOWDOWN + self.restore_seconds(
            int(disk_bytes * BOOT_READ_SHARE)
        )
