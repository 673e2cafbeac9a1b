"""A log that stops being readable while the app is open: the app says so in one line and goes
on running (no traceback, no worker failure). The failures are real: another connection takes
the log's table away from under the app, as another program replacing the file would."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.tui.conftest import header, press, settle
from tracker.app.service import Timeline
from tracker.tui.app import TrackerApp


def take_the_table_away(log: Timeline) -> str:
    """Another connection renames the events table; what the app then says, exactly."""
    with sqlite3.connect(Path(log.label)) as other:
        other.execute("ALTER TABLE events RENAME TO events_elsewhere")
    return f"{log.label}: no such table: events"


async def test_a_search_on_a_log_that_cannot_be_read_says_why(seed_log: Timeline) -> None:
    app = TrackerApp(seed_log)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        said = take_the_table_away(seed_log)
        await press(pilot, "slash")
        await pilot.press(*"Moscow", "enter")
        await settle(pilot)
        assert said in app.said
        assert app.is_running
        assert "searching" not in header(app)  # no search result is coming: not "searching…"


async def test_a_step_on_a_log_that_cannot_be_read_says_why(seed_log: Timeline) -> None:
    app = TrackerApp(seed_log)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        said = take_the_table_away(seed_log)
        await press(pilot, "G")  # the last event: not read yet
        assert said in app.said
        assert app.is_running and "17/17" in header(app)
        await press(pilot, "g")  # stepping on still works on what was read before
        assert "1/17" in header(app)
