"""Moving around the log without a terminal: the app's Session on the seed timeline (17 events).

Story order of the seed: #11 (last week), #4 (last Friday), #1, #2, #3, #5, #6 ... #10, #12 ...
#17. What the keys do is the session's; test_navigation.py drives a few of them through the real
app to show they are wired.
"""

from __future__ import annotations

import pytest

from tracker.app.service import Timeline
from tracker.app.stepping import ItemChange
from tracker.app.terms import EventFilter
from tracker.tui.session import Said, Session

STORY = [11, 4, 1, 2, 3, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17]


def opened(log: Timeline, small_log: int = 50_000) -> Session:
    session = Session(log, small_log=small_log)
    session.take_outline(session.load())
    return session


@pytest.fixture
def session(seed_log: Timeline) -> Session:
    return opened(seed_log)


def positions(session: Session) -> list[int]:
    return session.view.positions(0, len(session.view))


def test_it_opens_on_the_first_event_in_story_order(session: Session) -> None:
    assert positions(session) == STORY
    assert session.cursor == 0 and session.position == 11


def test_stepping_stays_inside_the_view(session: Session) -> None:
    session.step(1)
    assert session.position == 4
    session.step(-5)
    assert session.position == 11
    session.last()
    assert session.position == 17
    session.step(1)
    assert session.position == 17
    session.first()
    assert session.position == 11


def test_moving_by_day(session: Session) -> None:
    session.day(1)  # from last week to last Friday
    assert session.position == 4
    session.day(1)  # to March 10
    assert session.position == 1
    session.day(-1)
    assert session.position == 4


def test_going_to_a_date_or_a_log_position(session: Session) -> None:
    session.last()
    assert session.goto("2014-03-07") is None
    assert session.position == 4
    assert session.goto("13") is None and session.position == 13
    assert session.goto("#2") is None and session.position == 2
    assert session.goto("99") == Said("position 99 is not in this view (the log has 17 events)",
                                      error=True)
    assert session.goto("the day after never") == Said(
        "could not understand 'the day after never' as a date; write an ISO date such as "
        "2014-03-10, a window such as 2014-03-03..2014-03-09 or 'June 30-July 2, 2019', 'no "
        "later than 2014-03-10', or words read from the publication date: today, yesterday, "
        "last night, Friday, last Friday, Friday night, this/last/next week, over the weekend, "
        "last weekend, three days ago, this/last month, early/mid/late March, late last month, "
        "early 2018", error=True)
    assert session.position == 2


def test_going_to_a_day_without_events_says_where_it_landed(session: Session) -> None:
    session.lines.put(11, session.lines_at([11])[0])  # row #11's text is on screen
    for date, at, said in [
        ("2014-03-08", 1, "nothing on 2014-03-08: the next event is on 2014-03-10; "
                          "#11 (03-03..03-09) may fall on it"),
        ("2014-03-10", 1, None),
        ("2015-01-01", 17, "nothing on or after 2015-01-01: the last event is on 2014-03-10"),
        ("2013-01-01", 11, "nothing on 2013-01-01: the next event is on 2014-03-03"),
    ]:
        told = session.goto(date)
        assert session.position == at, date
        assert (told.text if told else None) == said, date


def test_a_search_moves_among_its_matches(session: Session) -> None:
    assert session.start_search("Lavrov")
    assert session.search_status() == "/Lavrov searching…"
    found = session.search("Lavrov")
    assert session.take_search(session.generation, "Lavrov", found, keep=False) is None
    rows = list(session.match_rows)
    assert len(rows) == len(found) > 3
    assert session.cursor == rows[0]
    assert session.search_status() == f"/Lavrov 1/{len(rows)}"
    session.next_match(1)
    assert session.cursor == rows[1]
    session.next_match(-1)
    session.next_match(-1)
    assert session.cursor == rows[-1]  # round the end
    off = next(r for r in range(len(session.view)) if r not in rows)
    session.move_to(off)
    assert session.search_status() == f"/Lavrov {len(rows)} matches"


def test_a_search_that_finds_nothing_says_so(session: Session) -> None:
    session.start_search("zzzz")
    told = session.take_search(session.generation, "zzzz", session.search("zzzz"), keep=False)
    assert told == Said("no event matches 'zzzz'")
    assert session.search_status() == "/zzzz no match"
    assert session.next_match(1) == Said("no event matches 'zzzz'")


def test_an_answer_to_an_older_view_is_not_taken(session: Session) -> None:
    session.start_search("Lavrov")
    found = session.search("Lavrov")
    asked_in = session.generation
    session.toggle_order()
    assert session.take_search(asked_in, "Lavrov", found, keep=False) is None
    assert not session.match_rows and session.searching


def test_a_filter_by_type_is_applied_from_the_outline(session: Session) -> None:
    flt = EventFilter.build(["invitation"], None, None, None, None)
    assert not session.set_filter(flt)  # no need to read the log
    assert len(session.view) == 3
    session.take_filter(EventFilter(), None)
    assert len(session.view) == 17


def test_a_filter_by_actor_reads_the_log(session: Session) -> None:
    flt = EventFilter.build((), "putin", None, None, None)
    assert session.set_filter(flt)
    session.take_filter(flt, session.filter_text(flt))
    assert positions(session) == [1]


def test_a_filter_that_admits_nothing_says_why_and_the_way_out(session: Session) -> None:
    flt = EventFilter.build((), "zzzz", None, None, None)
    session.take_filter(flt, session.filter_text(flt))
    assert len(session.view) == 0 and session.position is None
    assert session.empty_reason() == (
        "No events in this view: no event matches the filter (actor ~ 'zzzz').",
        ["F clears the filter"])


def test_switching_the_order_keeps_the_event(session: Session) -> None:
    session.step(1)  # on #4
    session.toggle_order()
    assert positions(session) == list(range(1, 18)) and session.position == 4
    session.toggle_order()
    assert positions(session) == STORY and session.position == 4


def test_known_on_shows_only_what_was_published_by_then(session: Session) -> None:
    asked = session.view_dates("known", "2014-03-09")
    assert asked == ("2014-03-09", None)
    session.take_narrowing(*asked, session.narrow(*asked))
    assert len(session.view) == 0
    assert session.empty_reason() == (
        "No events in this view: nothing had been published by 2014-03-09.",
        ["o with an empty date shows everything"])
    asked = session.view_dates("known", "")
    session.take_narrowing(*asked, session.narrow(*asked))  # type: ignore[misc]
    assert len(session.view) == 17 and session.views_status() == ""


def test_a_known_on_date_that_is_not_a_date_is_refused(session: Session) -> None:
    told = session.view_dates("known", "the twelfth of never")
    assert isinstance(told, Said) and told.error


def test_the_audit_view_shows_what_the_log_held_at_a_time(session: Session) -> None:
    for when, shown in [("2020-01-01", 0), ("2030-01-01", 17)]:
        asked = session.view_dates("recorded", when)
        session.take_narrowing(*asked, session.narrow(*asked))  # type: ignore[misc]
        assert len(session.view) == shown
        assert session.views_status() == f"recorded by {when}"


def test_following_a_reference_and_coming_back(session: Session) -> None:
    session.goto("3")  # Kerry declined: responds to the invitation (#2)
    detail = session.detail(3)
    assert detail is not None
    assert [r.id for r in detail.event.refs] == ["kl-02-moscow-invitation"]
    assert detail.refs == {"kl-02-moscow-invitation": "Russia invites Kerry to Moscow for further "
                                                      "talks on the Ukraine crisis"}
    assert session.take_located("kl-02-moscow-invitation",
                                session.locate("kl-02-moscow-invitation")) is None
    assert session.position == 2
    assert session.go_back() is None and session.position == 3
    assert session.go_back() == Said("nothing to come back to")
    assert session.take_located("nowhere", session.locate("nowhere")) == Said(
        "the log holds no entry 'nowhere'", error=True)


def test_the_state_at_a_step_says_what_changed_and_where_things_stand(session: Session) -> None:
    stepper = session.stepper()
    state = session.state(stepper, 3)  # Kerry declines the invitation
    assert state is not None
    assert (state.step, state.total) == (5, 17)
    assert state.change == ItemChange(
        "invitation", "invitation:kerry-to-moscow", "open", "declined",
        "Russia invites Kerry to Moscow for further talks on the Ukraine crisis")
    assert state.recent[0].subject == "invitation:kerry-to-moscow"
    assert ("invitation", (("declined", 1),)) in [(c.kind, c.statuses) for c in state.counts]
    assert state.full is None
    assert state.scope == "the events up to this one in story order"


def test_the_state_pane_says_the_same_at_any_size_of_log(seed_log: Timeline) -> None:
    """Below and above the small-log size the state at every step is one and the same answer;
    only the full state (s) is kept for a small log alone."""
    small, large = opened(seed_log), opened(seed_log, small_log=5)
    for order in ("story", "recorded"):
        if small.order_name != order:
            small.toggle_order()
            large.toggle_order()
        small_stepper, large_stepper = small.stepper(), large.stepper()
        for p in positions(small):
            assert small.state(small_stepper, p) == large.state(large_stepper, p), (order, p)


def test_s_shows_every_item_on_a_small_log_and_says_where_they_are_on_a_large_one(
        seed_log: Timeline) -> None:
    small, large = opened(seed_log), opened(seed_log, small_log=5)
    assert small.toggle_full() is None and small.full
    state = small.state(small.stepper(), 17)
    assert state is not None and state.full is not None
    assert [i["subject"] for i in state.full["invitations"]] == ["invitation:kerry-to-moscow"]
    told = large.toggle_full()
    assert told is not None and "`tracker state --at N` prints every item" in told.text
    assert not large.full
