"""The lanes of the app's timeline view, worked out without a terminal, on the seed timeline.

The seed's dates: #11 "last week" (2014-03-03 .. 2014-03-09), #4 on 2014-03-07, most events on
2014-03-10, and #14 .. #17 "no later than 2014-03-10" (the earliest bound open).
"""

from __future__ import annotations

import pytest

from tracker.app.lanes import OPEN_RUN, Lane, Lanes, LaneWindow, ordinal
from tracker.app.service import Timeline
from tracker.domain.fold import Query


def lanes_of(timeline: Timeline) -> Lanes:
    return Lanes(timeline.stepper(Query(), full_limit=1000).index)


def window(timeline: Timeline, position: int, columns: int = 40, rows: int = 12
           ) -> LaneWindow:
    found = lanes_of(timeline).window(position, columns, rows)
    assert found is not None
    return found


def lane(window: LaneWindow, subject: str) -> Lane:
    return next(lane for lane in window.lanes if lane.subject == subject)


def column(window: LaneWindow, day: int) -> int:
    return (ordinal(day) - window.first) // window.scale


def test_each_item_is_a_lane_and_a_certain_date_one_block_at_its_day(seeded: Timeline) -> None:
    w = window(seeded, 1)  # Lavrov meets Putin in Sochi, 2014-03-10
    assert w.scale == 1 and w.span().endswith("a day per column")
    tenth = column(w, 20140310)
    assert w.cursor_column == tenth and w.ruler[tenth] == "▼"
    sochi = lane(w, "meeting:lavrov-putin-sochi")
    assert sochi.cursor and sochi.cursor_span == (tenth, tenth)
    assert sochi.cells.strip() == "█" and sochi.cells.index("█") == tenth
    assert [lane.subject for lane in w.lanes if lane.cursor] == ["meeting:lavrov-putin-sochi"]
    assert len({lane.subject for lane in w.lanes}) == len(w.lanes)


def test_an_uncertain_date_is_shaded_over_the_window_it_may_fall_in(seeded: Timeline) -> None:
    w = window(seeded, 11)  # "last week": 2014-03-03 .. 2014-03-09
    met = lane(w, "meeting:kerry-lavrov-last-week")
    third = column(w, 20140303)
    assert met.cells[third:third + 7] == "░" * 7 and met.cells.count("░") == 7
    assert "█" not in met.cells
    assert met.cursor_span == (third, third + 6)


def test_no_later_than_a_date_runs_back_from_it_open_ended(seeded: Timeline) -> None:
    w = window(seeded, 17)  # no later than 2014-03-10
    said = lane(w, "statement:official-not-be-rolled")
    tenth = column(w, 20140310)
    assert said.cells[tenth - OPEN_RUN:tenth + 1] == "░" * (OPEN_RUN + 1)
    assert said.cells.strip() == "░" * (OPEN_RUN + 1)


def test_an_item_s_events_are_all_on_its_lane(seeded: Timeline) -> None:
    # the US paper: forwarded on the 7th (#4), answered on the 10th (#5), described no later
    # than the 10th (#14)
    w = window(seeded, 4)
    paper = lane(w, "proposal:us-paper-on-ukraine")
    seventh, tenth = column(w, 20140307), column(w, 20140310)
    assert paper.cells[seventh] == "█" and paper.cells[tenth] == "█"
    assert paper.cursor_span == (seventh, seventh) and w.cursor_column == seventh


def test_stepping_moves_the_cursor_along_an_axis_that_stays_still(seeded: Timeline) -> None:
    lanes = lanes_of(seeded)
    first = lanes.window(11, 40, 12)
    assert first is not None
    then = lanes.window(4, 40, 12, first.anchor)
    assert then is not None
    assert (then.first, then.scale) == (first.first, first.scale)
    assert then.cursor_column == column(then, 20140307) != first.cursor_column
    assert lane(then, "proposal:us-paper-on-ukraine").cursor
    assert not lane(then, "meeting:kerry-lavrov-last-week").cursor


def test_no_more_lanes_than_rows_and_the_cursor_s_item_always_has_one(seeded: Timeline) -> None:
    w = window(seeded, 17, rows=3)
    assert len(w.lanes) == 3 and w.more
    assert lane(w, "statement:official-not-be-rolled").cursor


def test_the_axis_is_labelled_and_a_narrow_one_is_coarser(seeded: Timeline) -> None:
    w = window(seeded, 1, columns=40)
    assert "2014" in w.labels and "Mar " in w.labels
    assert len(w.labels) == len(w.ruler) == 40
    narrow = window(seeded, 1, columns=5)
    assert narrow.scale > 1
    assert narrow.cursor_column is not None and narrow.ruler[narrow.cursor_column] == "▼"


def test_a_lane_denser_than_its_columns_draws_the_first_event_of_each_column(
        seeded: Timeline, monkeypatch: pytest.MonkeyPatch) -> None:
    exact = window(seeded, 4)
    monkeypatch.setattr("tracker.app.lanes.DENSE", 0)  # every lane counts as dense
    dense = window(seeded, 4)
    paper = "proposal:us-paper-on-ukraine"
    seventh, tenth = column(dense, 20140307), column(dense, 20140310)
    assert lane(dense, paper).cells[seventh] == lane(exact, paper).cells[seventh] == "█"
    assert lane(dense, paper).cells[tenth] == "█"
    assert lane(dense, paper).cursor_span == lane(exact, paper).cursor_span
