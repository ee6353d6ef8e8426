"""The lab's model of restored guests: timing that grows with disk size (live sooner), and
the few commands a guest's agent answers as Linux would."""

from __future__ import annotations

from lab.behaviour.guest import GuestTiming
from lab.behaviour.guest_agent import CURL_CONNECT_FAILED, run_command

GIB = 1024**3
TIMING = GuestTiming(restore_bytes_per_second=512 * 1024**2, boot_seconds=30.0)


def test_restores_and_live_boots_grow_with_disk_size() -> None:
    assert TIMING.restore_seconds(32 * GIB) == 64.0
    assert TIMING.restore_seconds(64 * GIB) == 128.0
    assert TIMING.boot(32 * GIB, live=False) == 30.0  # booting a copied disk: local reads
    small, big = TIMING.boot(32 * GIB, live=True), TIMING.boot(256 * GIB, live=True)
    assert 45.0 < small < big  # 1.5 x the boot, plus 2 % of the disk read from PBS
    full = TIMING.restore_seconds(256 * GIB) + TIMING.boot(256 * GIB, live=False)
    assert big < full  # a live restore is healthy sooner


def test_without_timing_everything_is_instant() -> None:
    assert GuestTiming().restore_seconds(32 * GIB) == 0.0
    assert GuestTiming().boot(32 * GIB, live=True) == 0.0


def test_the_guest_shell_model() -> None:
    nowhere = lambda host: False  # noqa: E731
    here = lambda host: host == "10.0.1.84"  # noqa: E731
    assert run_command(["systemctl", "is-active", "nextcloud"], nowhere).out == "active\n"
    assert run_command(["/usr/bin/false"], nowhere).exitcode == 1
    assert run_command(["nc", "-z", "-w", "5", "10.0.1.84", "443"], here).exitcode == 0
    assert run_command(["nc", "-z", "-w", "5", "10.0.1.85", "443"], here).exitcode == 1
    url = "https://10.0.1.84:443/status.php"
    assert run_command(["curl", "-s", "-w", "%{http_code}", url], here).out == "200"
    missed = run_command(["curl", "-s", "-w", "%{http_code}", url], nowhere)
    assert (missed.exitcode, missed.out) == (CURL_CONNECT_FAILED, "000")
    assert run_command(["anything"], nowhere).exitcode == 0
