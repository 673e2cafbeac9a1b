"""Quitting while work is still under way: a worker's answer, or its failure, that arrives once
the app has begun to close (its widgets being taken down one by one) is dropped, never a
traceback (it used to find the header gone: NoMatches for HeaderLine)."""

from __future__ import annotations

import time

import pytest

from tests.tui.conftest import PATIENCE, until
from tracker.app.service import Timeline
from tracker.errors import TrackerError
from tracker.tui.app import TrackerApp


def closing(app: TrackerApp) -> None:
    """Wait, in a worker's thread, until the app has begun to close."""
    deadline = time.monotonic() + PATIENCE
    while app.is_running:
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {PATIENCE:.0f} s in vain for the app to close")
        time.sleep(0.001)


@pytest.mark.parametrize("late", ["answer", "failure"])
async def test_a_search_that_ends_as_the_app_closes_leaves_no_traceback(
        seed_log: Timeline, late: str) -> None:
    app = TrackerApp(seed_log)
    search = app.session.search

    def slow_search(needle: str, cancelled: object = None) -> set[int]:
        """The real search, as on a large log: still running when the user quits."""
        found = search(needle)
        closing(app)
        if late == "failure":  # what a log that went away says, as the service says it
            raise TrackerError(f"cannot read {seed_log.label}: the database is gone")
        return found

    app.session.search = slow_search  # type: ignore[method-assign]
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: app.session.loaded, "the log to load")
        await pilot.press("slash", *"moscow", "enter")
        await until(pilot, lambda: app.session.searching, "the search to start")
    # leaving run_test closes the app with the search still running: it raises what the app
    # raised, if anything
    assert app.fatal_message is None
    assert app.session.searching  # its answer never came: nothing was shown once closing
