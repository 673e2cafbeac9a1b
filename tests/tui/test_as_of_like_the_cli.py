"""The app's "as of" answers what `tracker state --as-of` answers: an answer implies that what it
answers came no later, so as of a date on which an answer counts, the item it answers exists
with its opening event, in the view, in its state index and in the state pane (the Session and
its Stepper, no terminal; one Pilot test shows the key is wired)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli_support import ROOT, ok, state_json
from tests.tui.conftest import press, settle, text_of_main
from tests.tui.test_questions import answer
from tracker.app.service import open_timeline
from tracker.app.terms import Query
from tracker.codec.state_document import SECTIONS
from tracker.tui.app import TrackerApp
from tracker.tui.session import Session

STORIES = [ROOT / "seeds" / "kerry-lavrov-2014-03.json",
           ROOT / "seeds" / "jcpoa-2011-2018.jsonl",
           ROOT / "seeds" / "singapore-summit-2018.jsonl",
           ROOT / "tests" / "data" / "jcpoa-2011-2018.jsonl",
           ROOT / "tests" / "data" / "singapore-summit-2018.jsonl"]

#: Added to the seed: an invitation known only to have been extended by March 20, deferred on
#: March 12 (its answer). As of March 15 the deferral counts, so the invitation exists, with its
#: inviter, though its own date window ends later.
LATE_WINDOW = [
    {"id": "late-invitation", "type": "invitation.extended", "subject": "invitation:late-window",
     "story": "no later than 2014-03-20", "summary": "Lavrov invites Kerry to Sochi",
     "actors": [{"name": "Sergey Lavrov", "role": "inviter"},
                {"name": "John Kerry", "role": "invitee"}],
     "source": {"outlet": "TASS", "published": "2014-03-20"}},
    {"id": "late-deferral", "type": "invitation.deferred", "subject": "invitation:late-window",
     "story": "2014-03-12", "summary": "Kerry puts the Sochi visit off",
     "refs": [{"rel": "responds_to", "id": "late-invitation"}],
     "source": {"outlet": "Reuters", "published": "2014-03-12"}},
]


def log_of(folder: Path, story: Path, extra: list[dict[str, Any]] | None = None) -> Path:
    db = folder / "story.sqlite"
    ok("--db", db, "import", story)
    if extra:
        more = folder / "more.jsonl"
        more.write_text("".join(json.dumps(e) + "\n" for e in extra), encoding="utf-8")
        ok("--db", db, "import", more)
    return db


def dates_of(db: Path) -> list[str]:
    """Every day an event of the log begins or ends on, and the days either side of them."""
    from datetime import date, timedelta

    timeline = open_timeline(str(db), create=False)
    try:
        days = {d for e in timeline.all_events() for d in (e.story.earliest, e.story.latest) if d}
    finally:
        timeline.close()
    out = set(days)
    for d in days:
        day = date.fromisoformat(d)
        out |= {(day - timedelta(days=1)).isoformat(), (day + timedelta(days=1)).isoformat()}
    return sorted(out)


def app_state_as_of(session: Session, day: str) -> dict[str, Any] | None:
    """What the app shows as of ``day`` (d, then the state after the view's last event, every
    item): the state pane's full state, from the view's own state index and checkpoints."""
    asked = session.view_dates("as_of", day)
    assert isinstance(asked, Query), asked
    narrowing = session.narrow(asked)
    session.take_narrowing(asked, narrowing, session.straddles(asked, narrowing))
    session.last()
    position = session.position
    if position is None:
        return None
    stepper = session.stepper()
    state = session.state(stepper, position)
    assert state is not None and state.full is not None, state
    document = state.full
    # the index's counts (at every size of log) are those of the full state beside them
    counts = {(c.kind, status): n for c in state.counts for status, n in c.statuses}
    assert sum(counts.values()) == sum(len(v) for k, v in document.items()
                                       if k in SECTIONS.values()), (counts, day)
    return document


def as_the_cli_says(db: Path, day: str) -> dict[str, Any]:
    return state_json(db, "--as-of", day)


@pytest.mark.parametrize("story", STORIES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_apps_as_of_state_is_the_clis_on_every_day_of_a_story(
        tmp_path: Path, story: Path) -> None:
    db = log_of(tmp_path, story)
    timeline = open_timeline(str(db), create=False)
    try:
        session = Session(timeline)
        session.take_outline(session.load())
        session.full = True
        for day in dates_of(db):
            cli = as_the_cli_says(db, day)
            shown = app_state_as_of(session, day)
            if shown is None:  # nothing had happened by then: the CLI's state is empty too
                assert not any(cli[s] for s in cli if isinstance(cli[s], list)), day
                continue
            assert shown == cli, day
    finally:
        timeline.close()


def test_as_of_a_day_an_answer_counts_the_item_it_answers_shows_with_its_opening(
        tmp_path: Path) -> None:
    db = log_of(tmp_path, STORIES[0], LATE_WINDOW)
    cli = as_the_cli_says(db, "2014-03-15")
    (invitation,) = [i for i in cli["invitations"] if i["subject"] == "invitation:late-window"]
    assert invitation["status"] == "deferred"
    assert {"name": "Sergey Lavrov", "role": "inviter"} in invitation["actors"]
    timeline = open_timeline(str(db), create=False)
    try:
        session = Session(timeline)
        session.take_outline(session.load())
        session.full = True
        assert app_state_as_of(session, "2014-03-15") == cli
        # the view holds the invitation's opening (#18), its deferral (#19) after it
        order = session.view.positions(0, len(session.view))
        assert order.index(18) < order.index(19)
        # the state index of the view says so too, at every size of log
        stepper = session.stepper()
        last = len(stepper.index) - 1
        assert stepper.index.status_of("invitation:late-window", "story", last) == "deferred"
        assert stepper.index.item_positions("invitation:late-window", "story", last) == [18, 19]
        for day in dates_of(db):
            assert app_state_as_of(session, day) in (as_the_cli_says(db, day), None), day
    finally:
        timeline.close()


async def test_d_shows_the_answered_invitation_with_its_inviter(tmp_path: Path) -> None:
    db = log_of(tmp_path, STORIES[0], LATE_WINDOW)
    timeline = open_timeline(str(db), create=False)
    try:
        app = TrackerApp(timeline)
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(pilot)
            await answer(pilot, "d", "2014-03-15")
            assert "as of 2014-03-15" in app.session.views_status()
            assert 18 in app.session.view.positions(0, len(app.session.view))
            await press(pilot, "s")  # every item
            await settle(pilot)
            shown = text_of_main(app, "#state")
            assert "As of 2014-03-15: 19 events certainly happened by then" in shown
            assert "invitation:late-window  open → deferred" in shown  # opened, then deferred
            item = shown[shown.index("deferred          Lavrov invites Kerry to Sochi"):]
            assert "Sergey Lavrov (inviter), John Kerry (invitee)" in item.splitlines()[2]
    finally:
        timeline.close()
