"""The lab clock and the event-driven engine: time order, rescheduling, rebuilds, real time."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest

from lab.sim.clock import LabClock, epoch, iso
from lab.sim.engine import Engine


def test_a_simulated_clock_stands_still_and_only_moves_forward():
    clock = LabClock("simulated", start=1000.0)
    assert clock.now() == 1000.0
    clock.move_to(1500.0)
    clock.move_to(1200.0)
    assert clock.now() == 1500.0


def test_a_real_clock_follows_the_wall_shifted_by_advances():
    wall = [100.0]
    clock = LabClock("real", start=5000.0, wall=lambda: wall[0])
    wall[0] = 130.0
    assert clock.now() == 5030.0
    clock.move_to(6000.0)
    wall[0] = 131.0
    assert clock.now() == 6001.0


def test_times_print_and_parse_in_utc():
    assert iso(epoch("2025-01-16T02:00:04Z")) == "2025-01-16T02:00:04Z"
    assert epoch("2025-01-16T02:00:04") == epoch("2025-01-16T02:00:04+00:00")
    with pytest.raises(ValueError):
        LabClock("sundial")


@dataclass
class Every:
    """Runs every ``period`` seconds from ``first``; records when it ran."""

    key: str
    first: int
    period: int
    runs: list[int] = field(default_factory=list)

    def next_due(self, now: int) -> int | None:
        last = self.runs[-1] if self.runs else None
        return self.first if last is None else last + self.period

    def run(self, at: int) -> None:
        self.runs.append(at)


def _engine(*activities: Every, start: float = 0.0) -> tuple[Engine, LabClock]:
    clock = LabClock("simulated", start=start)
    return Engine(clock, threading.RLock(), lambda: list(activities)), clock


def test_activities_run_in_time_order_and_the_clock_shows_each_moment():
    seen: list[tuple[str, int, float]] = []
    clock = LabClock("simulated", start=0.0)

    @dataclass
    class Recorder(Every):
        def run(self, at: int) -> None:
            super().run(at)
            seen.append((self.key, at, clock.now()))

    fast, slow = Recorder("fast", 10, 30), Recorder("slow", 25, 100)
    engine = Engine(clock, threading.RLock(), lambda: [fast, slow])
    assert engine.run_until(130) == 7
    assert [(key, at) for key, at, _ in seen] == [
        ("fast", 10),
        ("slow", 25),
        ("fast", 40),
        ("fast", 70),
        ("fast", 100),
        ("slow", 125),
        ("fast", 130),
    ]
    assert all(at == shown for _, at, shown in seen)
    assert clock.now() == 130


def test_an_activity_due_again_at_once_moves_a_second_on():
    stuck = Every("stuck", 5, 0)
    engine, _ = _engine(stuck)
    engine.run_until(8)
    assert stuck.runs == [5, 6, 7, 8]


def test_a_change_rebuilds_the_schedule_from_the_activities():
    first = Every("a", 10, 10)
    activities: list[Every] = [first]
    clock = LabClock("simulated", start=0.0)
    engine = Engine(clock, threading.RLock(), lambda: list(activities))
    engine.run_until(15)
    later = Every("b", 12, 100)
    activities.append(later)
    engine.run_until(30)
    assert later.runs == []  # not seen until a change is announced
    engine.changed()
    engine.run_until(40)
    assert first.runs == [10, 20, 30, 40] and later.runs == [30]
    assert engine.next_due() == 50


def test_advance_refuses_to_go_back():
    engine, _ = _engine()
    with pytest.raises(ValueError, match="backwards"):
        engine.advance(-1)
