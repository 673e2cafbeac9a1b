"""`tracker log`: the events, in story or recorded order, filtered by type (or kind), actor,
source and story dates; a readable table by default, JSON Lines with --json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli_support import ok, seeded_db, tracker
from tracker.app.service import Timeline


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeded_db(tmp_path_factory.mktemp("log"))


def listed(db: Path, *flags: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in ok("--db", db, "log", "--json", *flags).stdout.splitlines()]


def ids(db: Path, *flags: str) -> list[str]:
    return [e["id"] for e in listed(db, *flags)]


def test_recorded_order_is_log_order(db: Path) -> None:
    events = listed(db, "--order", "recorded")
    assert [e["position"] for e in events] == list(range(1, 18))


def test_story_order_puts_last_week_and_last_friday_first(db: Path) -> None:
    order = ids(db)
    assert order[:2] == ["kl-11-kerry-lavrov-met", "kl-04-us-paper"]
    assert sorted(order) == sorted(ids(db, "--order", "recorded"))
    # an answer never comes before what it answers
    assert order.index("kl-03-kerry-declines") > order.index("kl-02-moscow-invitation")
    assert order.index("kl-06-us-disputes-refusal") > order.index("kl-03-kerry-declines")


def test_a_kind_filters_all_its_types_and_a_type_only_itself(db: Path) -> None:
    assert ids(db, "--type", "invitation", "--order", "recorded") == [
        "kl-02-moscow-invitation", "kl-03-kerry-declines", "kl-13-no-trip-for-now"
    ]
    assert ids(db, "--type", "invitation.declined") == ["kl-03-kerry-declines"]
    assert ids(db, "--type", "invitation.declined", "--type", "proposal.rejected",
               "--order", "recorded") == ["kl-03-kerry-declines", "kl-05-paper-rejected"]


def test_actor_and_source_match_parts_of_names_in_any_case(db: Path) -> None:
    assert ids(db, "--actor", "PUTIN") == ["kl-01-sochi-meeting"]
    assert set(ids(db, "--source", "psaki")) == {
        "kl-07-psaki-seriousness", "kl-08-recognise-government", "kl-09-stop-manoeuvres",
        "kl-10-stop-annexation", "kl-11-kerry-lavrov-met", "kl-12-next-meeting-possible",
        "kl-13-no-trip-for-now",
    }
    assert len(ids(db, "--source", "mcclatchy")) == 17
    assert ids(db, "--source", "anonymous", "--type", "demand") == [
        "kl-15-drop-feb21", "kl-16-allow-monitors"
    ]


def test_a_date_range_keeps_events_whose_dates_overlap_it(db: Path) -> None:
    # "last week" (03-03..03-09) overlaps 03-05..03-06; "last Friday" (03-07) and the Monday
    # (03-10) reports do not; an open "no later than 2014-03-10" reaches back forever, so it may
    # have happened then
    middle = ids(db, "--from", "2014-03-05", "--to", "2014-03-06")
    assert "kl-11-kerry-lavrov-met" in middle
    assert "kl-04-us-paper" not in middle and "kl-13-no-trip-for-now" not in middle
    assert set(middle) - {"kl-11-kerry-lavrov-met"} == {
        "kl-02-moscow-invitation", "kl-03-kerry-declines", "kl-14-paper-terms",
        "kl-15-drop-feb21", "kl-16-allow-monitors", "kl-17-not-be-rolled",
    }
    early = ids(db, "--to", "2014-03-01")
    assert "kl-02-moscow-invitation" in early and "kl-11-kerry-lavrov-met" not in early
    assert ids(db, "--from", "2014-03-11") == []


def test_within_keeps_only_events_certainly_inside_the_range(db: Path) -> None:
    # last week (03-03..03-09) and last Friday (03-07) lie inside 03-03..03-09; the reports
    # "no later than 2014-03-10" only may have happened inside it
    assert ids(db, "--from", "2014-03-03", "--to", "2014-03-09", "--within") == [
        "kl-11-kerry-lavrov-met", "kl-04-us-paper"]
    assert ids(db, "--from", "2014-03-05", "--to", "2014-03-06", "--within") == []
    assert ok("--db", db, "log", "--from", "2014-03-05", "--to", "2014-03-06",
              "--within").stdout == (
        "No events match (story dates certainly within 2014-03-05..2014-03-06).\n")


def test_the_help_says_how_a_window_meets_the_range(db: Path) -> None:
    out = " ".join(ok("log", "--help").stdout.split())
    assert ("An event whose story date is a window (last week, no later than 2014-03-10) "
            "matches a --from/--to range the window overlaps: it may have happened inside it. "
            "--within keeps only the events certainly inside the range.") in out
    assert ("--within Only events certainly inside --from/--to: the whole window in the "
            "range.") in out


def test_limit_takes_the_first_in_the_chosen_order(db: Path) -> None:
    assert ids(db, "--limit", "2", "--order", "recorded") == [
        "kl-01-sochi-meeting", "kl-02-moscow-invitation"
    ]


def test_json_lines_are_export_shaped(db: Path) -> None:
    first = listed(db, "--order", "recorded", "--limit", "1")[0]
    assert set(first) >= {"id", "position", "type", "schema_version", "subject", "story",
                          "recorded_at", "summary", "actors", "place", "source", "refs",
                          "details", "hash"}


def test_the_table_shows_date_type_summary_actors_and_marks(db: Path) -> None:
    out = ok("--db", db, "log", "--type", "invitation").stdout
    assert "story date / type" in out
    assert "invitation.declined" in out
    assert "[disputed]" in out  # kl-03 is disputed by kl-06
    assert "≤ 2014-03-10" in out
    assert "Sergey Lavrov" in out


def test_nothing_matching_says_so(db: Path) -> None:
    assert ok("--db", db, "log", "--actor", "nobody").stdout == (
        "No events match (actor ~ 'nobody').\n"
    )


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--type", "invit"], "--type 'invit' is neither an event type nor a kind of event "
         "(kinds: meeting, invitation, proposal, demand, agreement, sanction, talks, statement, "
         "account, entry; see `tracker types`)"),
        (["--from", "2014-3-1"], "--from '2014-3-1' is not an ISO date (YYYY-MM-DD, e.g. 2014-03-10)"),
        (["--to", "2014-02-30"], "--to '2014-02-30' is not a real date (February 2014 has 28 days)"),
        (["--from", "2014-03-10", "--to", "2014-03-01"], "--to 2014-03-01 is before --from 2014-03-10"),
        (["--order", "alphabetical"], "--order must be story or recorded, not 'alphabetical'"),
        (["--limit", "-1"], "--limit must be 0 or more, not -1"),
        (["--within"], "--within needs --from or --to (the range the events must lie in)"),
    ],
)
def test_bad_flags_are_one_line(db: Path, flags: list[str], message: str) -> None:
    result = tracker("--db", db, "log", *flags)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {message}\n")


def test_the_listing_is_the_log_in_order_with_its_marks_and_reads_only_what_it_shows(
        seeded: Timeline) -> None:
    """The library call under `tracker log`: order, marks and ≈ from the outline agree with the
    events themselves; a limited listing stops reading at the chunk it needs."""
    from tracker.app import service
    from tracker.domain.ordering import story_order, uncertain_marks
    from tracker.domain.selection import EventFilter, entry_marks

    seeded.add({"type": "entry.corrected", "story": "2014-03-11", "summary": "Fix",
                "subject": "proposal:us-paper-on-ukraine",
                "refs": [{"rel": "corrects", "id": "kl-04-us-paper"}],
                "details": {"changes": {"summary": "Kerry sends Lavrov a paper"}},
                "source": {"outlet": "Wire", "published": "2014-03-11"}})
    events = seeded.all_events()
    marks = entry_marks(events)
    in_story = [events[i] for i in story_order(events)]
    listed = list(seeded.listing())
    assert [e.event for e in listed] == in_story
    assert [e.uncertain for e in listed] == uncertain_marks(in_story)
    assert [e.marks for e in listed] == [marks.get(e.id, ()) for e in in_story]
    assert ("corrected",) in [e.marks for e in listed]
    recorded = list(seeded.listing(order="recorded"))
    assert [e.event for e in recorded] == events and not any(e.uncertain for e in recorded)
    meetings = EventFilter.build(["meeting"], None, None, None, None)
    assert [e.event for e in seeded.listing(meetings, limit=2)] == [
        e for e in in_story if meetings.matches(e)][:2]
    assert list(seeded.listing(limit=0)) == []

    reads: list[int] = []
    read = seeded.recorder.read_positions
    seeded.recorder.read_positions = lambda ps: reads.append(len(ps)) or read(ps)  # type: ignore
    old, service.LISTING_CHUNK = service.LISTING_CHUNK, 5
    try:
        assert len(list(seeded.listing(limit=3))) == 3
    finally:
        service.LISTING_CHUNK = old
    assert reads == [5]


def test_the_table_into_a_pipe_has_no_padding_at_line_ends(db: Path) -> None:
    lines = ok("--db", db, "log").stdout.splitlines()
    assert len(lines) > 17 and all(line == line.rstrip() for line in lines)
