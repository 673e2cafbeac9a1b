"""Moving around the log without a terminal: the app's Session on the seed timeline (17 events).

Story order of the seed: #11 (last week), #4 (last Friday), #1, #2, #3, #5, #6 ... #10, #12 ...
#17. What the keys do is the session's; test_navigation.py drives a few of them through the real
app to show they are wired.
"""

from __future__ import annotations

import pytest

from tracker.app.service import Timeline
from tracker.app.stepping import ItemChange
from tracker.app.terms import EventFilter, Query
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
                          "#11 (03-03..03-09) may fall on it (d: the state as of 2014-03-08)"),
        ("2014-03-10", 1, None),
        ("2015-01-01", 17, "nothing on or after 2015-01-01: the last event is on 2014-03-10"),
        ("2013-01-01", 11, "nothing on 2013-01-01: the next event is on 2014-03-03 "
                           "(d: the state as of 2013-01-01)"),
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
    assert told == Said("no event matches 'zzzz'", key="search")
    assert session.search_status() == "/zzzz no match"
    assert session.next_match(1) == Said("no event matches 'zzzz'", key="search")


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


def ask(session: Session, which: str, text: str) -> Query:
    """A view prompt answered, as the app takes it: the view narrowed (or widened)."""
    asked = session.view_dates(which, text)
    assert isinstance(asked, Query), asked
    session.take_narrowing(asked, session.narrow(asked), session.straddles(asked,
                                                                           session.narrow(asked)))
    return asked


def test_known_on_shows_only_what_was_published_by_then(session: Session) -> None:
    assert ask(session, "known_on", "2014-03-09") == Query(known_at="2014-03-09")
    assert len(session.view) == 0
    assert session.empty_reason() == (
        "No events in this view: nothing had been published by 2014-03-09.",
        ["o with an empty date shows everything"])
    ask(session, "known_on", "")
    assert len(session.view) == 17 and session.views_status() == ""


def test_a_known_on_date_that_is_not_a_date_is_refused(session: Session) -> None:
    told = session.view_dates("known_on", "the twelfth of never")
    assert isinstance(told, Said) and told.error


def test_the_audit_view_shows_what_the_log_held_at_a_time(session: Session) -> None:
    for when, shown in [("2020-01-01", 0), ("2030-01-01", 17)]:
        ask(session, "recorded_by", when)
        assert len(session.view) == shown
        assert session.views_status() == f"recorded by {when}"
    ask(session, "recorded_by", "2030-01-01T10:00")
    assert session.recorded_by == "2030-01-01T10:00:00.000000Z"
    assert session.views_status() == "recorded by 2030-01-01T10:00:00.000000Z"


@pytest.mark.parametrize("typed, said", [
    ("garbage", "the audit time 'garbage' is not an ISO date or time (e.g. 2014-03-10 or "
                "2026-11-28T09:30:00Z)"),
    ("yesterday", "the audit time 'yesterday' is not an ISO date or time (e.g. 2014-03-10 or "
                  "2026-11-28T09:30:00Z)"),
    ("2014-02-30", "the audit time '2014-02-30' is not a real date (February 2014 has 28 days)"),
])
def test_the_audit_view_reads_its_time_as_the_cli_does(session: Session, typed: str,
                                                       said: str) -> None:
    """As `tracker state --recorded-by` reads it (the same parser, the same messages, the field
    named as the app names it); nothing is narrowed."""
    assert session.view_dates("recorded_by", typed) == Said(said, error=True)
    assert session.recorded_by is None


def test_as_of_a_date_counts_what_had_certainly_happened_and_lists_what_straddles_it(
        session: Session) -> None:
    """As `tracker state --as-of 2014-03-08`: one event counts (#4, March 7); the meeting of
    "last week" (03-03..03-09) and the entries dated "no later than March 10" may have happened
    by then: they are listed apart, not counted."""
    ask(session, "as_of", "2014-03-08")
    assert positions(session) == [4]
    assert session.views_status() == "as of 2014-03-08"
    assert [(p, when) for p, when, _ in session.straddling] == [
        (11, "2014-03-03..2014-03-09"), (2, "no later than 2014-03-10"),
        (3, "no later than 2014-03-10"), (14, "no later than 2014-03-10"),
        (15, "no later than 2014-03-10"), (16, "no later than 2014-03-10"),
        (17, "no later than 2014-03-10")]
    assert session.straddling[0][2] == "Kerry and Lavrov met in person"
    stepper = session.stepper()
    state = session.state(stepper, 4)
    assert state is not None and (state.step, state.total, state.position) == (1, 1, 4)
    assert state.scope == "the events up to this one in story order, as of 2014-03-08"
    assert [(c.section, c.statuses) for c in state.counts] == [("proposals", (("pending", 1),))]
    ask(session, "as_of", "March 10 2014")  # every event is over by then
    assert len(session.view) == 17 and session.straddling == []
    ask(session, "as_of", "")
    assert session.query == Query() and len(session.view) == 17


def test_as_of_and_known_on_combine(session: Session) -> None:
    ask(session, "known_on", "2014-03-10")
    ask(session, "as_of", "2014-03-08")
    assert session.query == Query(as_of="2014-03-08", known_at="2014-03-10")
    assert session.views_status() == "as of 2014-03-08 · known on 2014-03-10"
    assert positions(session) == [4]
    ask(session, "as_of", "2014-03-01")
    assert session.empty_reason()[0].startswith(
        "No events in this view: nothing had certainly happened by 2014-03-01")
    assert session.empty_reason()[1][0] == "d with an empty date shows everything"


def test_an_as_of_date_that_is_not_a_date_is_refused(session: Session) -> None:
    assert session.view_dates("as_of", "2014-02-30") == Said(
        "'2014-02-30' is not a real date (February 2014 has 28 days)", error=True)


def test_comparing_two_dates_lists_the_changes_item_by_item(session: Session) -> None:
    """What changed between the 8th and the 10th?"""
    first, second = session.compare_point("2014-03-08"), session.compare_point("2014-03-10")
    assert first == (Query(as_of="2014-03-08"), "as of 2014-03-08")
    assert not isinstance(first, Said) and not isinstance(second, Said)
    changes = {d.subject: d for d in session.compare(first[0], second[0])}
    paper = changes["proposal:us-paper-on-ukraine"]
    assert (paper.verb, paper.before, paper.after) == ("changed", "pending", "rejected_in_part")
    assert ("details.degree", "", "partial") in paper.fields
    invitation = changes["invitation:kerry-to-moscow"]
    assert (invitation.verb, invitation.before, invitation.after) == ("added", None, "disputed")
    assert len(changes) == 12
    assert session.compare(second[0], second[0]) == []


def test_comparing_two_steps_of_the_view(session: Session) -> None:
    """Steps count in the view's order (story order here: #11, #4, #1, #2, #3 ...); #N names a
    log position."""
    first, second = session.compare_point("step 4"), session.compare_point("#3")
    assert first == ((11, 4, 1, 2), "step 4 (#2)")
    assert second == ((11, 4, 1, 2, 3), "step 5 (#3)")
    assert not isinstance(first, Said) and not isinstance(second, Said)
    [change] = session.compare(first[0], second[0])
    assert (change.subject, change.before, change.after) == ("invitation:kerry-to-moscow",
                                                             "open", "declined")
    assert session.compare_point("2") == ((11, 4), "step 2 (#4)")


@pytest.mark.parametrize("typed, said", [
    ("step 18", "step 18 is not in this view (it has steps 1 to 17)"),
    ("0", "step 0 is not in this view (it has steps 1 to 17)"),
    ("#99", "#99 is not a log position in this view"),
    ("", "give a step (5), a log position (#5) or a story date (2014-03-08)"),
    ("2014-02-30", "'2014-02-30' is not a real date (February 2014 has 28 days)"),
])
def test_a_point_to_compare_that_cannot_be_read_is_refused(session: Session, typed: str,
                                                           said: str) -> None:
    assert session.compare_point(typed) == Said(said, error=True)


def test_a_search_run_again_after_the_view_changed_says_nothing_again(session: Session) -> None:
    """The header says "no match"; the toast was said once, when the search was asked for."""
    session.start_search("zzz")
    assert session.take_search(session.generation, "zzz", set(), keep=False) == Said(
        "no event matches 'zzz'", key="search")
    session.toggle_order()
    assert session.take_search(session.generation, "zzz", set(), keep=True) is None
    assert session.search_status() == "/zzz no match"


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


def _lane_subjects(session: Session) -> set[str]:
    window = session.lanes(60, 20)
    assert not isinstance(window, Said), window
    return {lane.subject for lane in window.lanes}


def test_the_lanes_show_only_what_the_filter_admits(session: Session) -> None:
    session.take_stepper(session.stepper_key, session.stepper())
    everything = _lane_subjects(session)
    assert any(not s.startswith("invitation:") for s in everything)

    flt = EventFilter.build(["invitation"], None, None, None, None)
    session.set_filter(flt)
    assert _lane_subjects(session) == {"invitation:kerry-to-moscow"}

    session.take_filter(EventFilter(), None)
    assert _lane_subjects(session) == everything


def test_a_lane_draws_only_the_events_the_filter_admits(session: Session) -> None:
    session.take_stepper(session.stepper_key, session.stepper())
    flt = EventFilter.build((), "putin", None, None, None)  # only #1, Lavrov meets Putin
    session.take_filter(flt, session.filter_text(flt))
    window = session.lanes(60, 20)
    assert not isinstance(window, Said)
    assert [(lane.subject, lane.cells.strip()) for lane in window.lanes] == [
        ("meeting:lavrov-putin-sochi", "█")]
