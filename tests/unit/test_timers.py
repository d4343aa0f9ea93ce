"""The shared timer loop: runs once, keeps running with --every, refuses --at with --every."""

from datetime import UTC, datetime

import pytest

from app.timers import run_timer


class _Enough(Exception):
    pass


def test_every_keeps_running_until_the_step_stops_it():
    seen = []

    def step(now):
        seen.append(now)
        if len(seen) == 3:
            raise _Enough

    with pytest.raises(_Enough):
        run_timer(step, every=0.01)
    assert len(seen) == 3
    assert all(now.tzinfo is not None for now in seen)


def test_at_runs_once_as_of_that_time():
    seen = []
    run_timer(seen.append, every=None, at=datetime(2026, 3, 2, 9, 30))
    assert seen == [datetime(2026, 3, 2, 9, 30, tzinfo=UTC)]


@pytest.mark.parametrize("group", ["tickets", "chat", "incidents"])
def test_at_with_every_is_a_usage_error(runner, group):
    result = runner.invoke(args=[group, "tick", "--every", "5", "--at", "2026-03-02T09:30"])
    assert result.exit_code == 2
    assert "--at runs once" in result.output
