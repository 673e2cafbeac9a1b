"""The app sees other writers (issue 15): events another process appends appear without a
restart, with a notice of how many arrived; R looks at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.tui.conftest import header, press, settle, timeline_rows, until
from tests.tui.test_session import opened
from tracker.app.service import Timeline, open_timeline
from tracker.tui.app import TrackerApp
from tracker.tui.session import Said


def add_from_another_process(db: Path, story: str, summary: str) -> None:
    """`tracker add` run as its own process on the same log (as a teammate or a script would)."""
    subprocess.run(
        [sys.executable, "-m", "tracker", "--db", str(db), "add", "--type", "meeting.held",
         "--subject", f"meeting:{story}", "--story", story, "--published", story,
         "--outlet", "Reuters", "--summary", summary,
         "--actor", "John Kerry:participant", "--actor", "Sergey Lavrov:participant"],
        check=True, capture_output=True)


def test_arrivals_count_what_others_appended_not_what_the_session_did(seed_log: Timeline
                                                                        ) -> None:
    session = opened(seed_log)
    assert session.arrivals(17) is None
    assert session.arrivals(18) == Said("1 new event from another writer (#18)")
    assert session.arrivals(20) == Said("3 new events from another writer (#18–#20)")
    session.appended(18)  # the session's own save
    assert session.arrivals(18) is None
    assert session.arrivals(19) == Said("1 new event from another writer (#19)")


async def test_what_another_process_appends_appears_with_a_notice(seed_log: Timeline) -> None:
    db = Path(seed_log.label)
    app = TrackerApp(seed_log, watch_every=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "1/17" in header(app)
        add_from_another_process(db, "2014-03-14", "Kerry and Lavrov meet in London")
        await until(pilot, lambda: "/18" in header(app), "the new event to appear")
        await settle(pilot)
        assert "1 new event from another writer (#18)" in app.said
        assert "1/18" in header(app)  # the cursor stays where it was
        await press(pilot, "G")
        assert "Kerry and Lavrov meet in" in timeline_rows(app)[-1]
        add_from_another_process(db, "2014-03-15", "A second meeting")
        add_from_another_process(db, "2014-03-16", "A third meeting")
        await until(pilot, lambda: "/20" in header(app), "two more to appear")
        # however the two were seen (together or one by one), each was announced once
        announced = [s for s in app.said if "from another writer" in s]
        assert announced[1:] in (["2 new events from another writer (#19–#20)"],
                                 ["1 new event from another writer (#19)",
                                  "1 new event from another writer (#20)"])
        await settle(pilot)


async def test_r_reloads_at_once_and_says_when_there_is_nothing_new(seed_log: Timeline) -> None:
    app = TrackerApp(seed_log, watch_every=None)  # no looking of its own accord
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "R")
        assert app.said[-1] == "Nothing new: the log holds 17 events."
        other = open_timeline(seed_log.label)  # a second connection, as a teammate's
        try:
            other.add({"type": "meeting.held", "subject": "meeting:london",
                       "story": "2014-03-14", "summary": "Kerry and Lavrov meet in London",
                       "source": {"outlet": "Reuters", "published": "2014-03-14"},
                       "actors": [{"name": "John Kerry", "role": "participant"},
                                  {"name": "Sergey Lavrov", "role": "participant"}]})
        finally:
            other.close()
        await settle(pilot)
        assert "/17" in header(app)  # not seen until asked
        await press(pilot, "R")
        await until(pilot, lambda: "/18" in header(app), "the reload")
        assert "1 new event from another writer (#18)" in app.said
