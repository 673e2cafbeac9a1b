"""While a view's state index is built (tens of seconds on a million events), the state pane
answers the view's first steps from an index of those events alone: the same state the whole
index gives, at once. Past them it says the state is being worked out (None here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_support import ROOT, ok
from tracker.app.service import open_timeline
from tracker.app.terms import Query
from tracker.tui import session as session_module
from tracker.tui.session import Session

STORIES = [ROOT / "seeds" / "kerry-lavrov-2014-03.json",
           ROOT / "seeds" / "jcpoa-2011-2018.jsonl",
           ROOT / "seeds" / "singapore-summit-2018.jsonl"]


@pytest.mark.parametrize("story", STORIES, ids=lambda p: p.name)
def test_the_early_state_is_the_state_the_whole_index_gives(
        tmp_path: Path, story: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session_module, "EARLY_STEPS", 5)  # fewer than the story's events
    db = tmp_path / "story.sqlite"
    ok("--db", db, "import", story)
    timeline = open_timeline(str(db), create=False)
    try:
        session = Session(timeline, small_log=10)  # a "large" log: counts and recent changes
        session.take_outline(session.load())
        views: list[Query] = [Query(), Query(as_of=timeline.all_events()[-1].story.latest)]
        for query in views:
            narrowing = session.narrow(query)
            session.take_narrowing(query, narrowing, [])
            for _order in ("first", "toggled"):
                order = list(session.view.order)
                assert len(order) > 5
                whole = session.stepper()
                for i, position in enumerate(order):
                    early = session.early_state(position)
                    if i >= 5:
                        assert early is None, (query, session.order, i)
                        continue
                    assert early == session.state(whole, position), (query, session.order, i)
                    assert early is not None and early.total == len(order)
                session.toggle_order()
    finally:
        timeline.close()
