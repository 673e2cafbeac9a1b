"""An actor keeps the office it held at the time of each event (a CIA director who becomes
Secretary of State) without becoming another actor: the name is the actor. Events are built in
memory; the state document is the one `tracker state --json` prints."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.codec.state_document import state_to_dict
from tracker.domain.events import Actor, Event
from tracker.domain.fold import Query, project, replay
from tracker.domain.input import (
    actor_as_text,
    actor_from_text,
    actors_as_field,
    actors_from_field,
    parse_event,
)
from tracker.domain.selection import EventFilter
from tracker.errors import InvalidEvent

POMPEO = "Mike Pompeo"


def ev(position: int, obj: dict[str, Any]) -> Event:
    obj = {"source": {"outlet": "Wire", "published": "2018-06-30"},
           "summary": f"event {position}", **obj}
    return parse_event(obj, f"event {position}")._replace(position=position)


def meeting(position: int, subject: str, story: str, office: str | None) -> Event:
    pompeo: dict[str, Any] = {"name": POMPEO, "role": "participant"}
    if office is not None:
        pompeo["office"] = office
    return ev(position, {"id": f"m-{position}", "type": "meeting.held", "subject": subject,
                         "story": story, "actors": [pompeo, {"name": "Kim Jong Un",
                                                             "role": "host"}]})


def pompeo_in_two_offices() -> list[Event]:
    """Told out of story order: the later office is recorded first."""
    return [
        meeting(1, "meeting:may", "2018-05-09", "Secretary of State"),
        meeting(2, "meeting:easter", "2018-03-31..2018-04-01", "CIA Director"),
        meeting(3, "meeting:july", "2018-07-06", "Secretary of State"),
        meeting(4, "meeting:june", "2018-06-12", None),
    ]


def actor_list(events: list[Event], query: Query = Query()) -> dict[str, dict[str, Any]]:
    doc = state_to_dict(project(events, query), query)
    return {actor["name"]: actor for actor in doc["actors"]}


def test_an_actor_who_changes_office_stays_one_actor() -> None:
    events = pompeo_in_two_offices()
    listed = actor_list(events)
    assert sorted(listed) == ["Kim Jong Un", POMPEO]
    assert listed[POMPEO]["items"] == 4
    assert listed[POMPEO]["roles"] == ["participant"]
    chosen = EventFilter.build((), "pompeo", None, None, None)
    assert [e.id for e in events if chosen.matches(e)] == ["m-1", "m-2", "m-3", "m-4"]


def test_the_actor_list_shows_each_office_with_its_dates() -> None:
    """In story order, the earliest office first: from the first event that gives it to the
    last; an event that names the actor without an office adds none."""
    assert actor_list(pompeo_in_two_offices())[POMPEO]["offices"] == [
        {"office": "CIA Director", "first": "2018-03-31..2018-04-01",
         "last": "2018-03-31..2018-04-01"},
        {"office": "Secretary of State", "first": "2018-05-09", "last": "2018-07-06"},
    ]
    assert actor_list(pompeo_in_two_offices())["Kim Jong Un"]["offices"] == []


def test_as_of_a_date_the_actor_list_shows_the_offices_held_by_then() -> None:
    events = pompeo_in_two_offices()
    assert actor_list(events, Query(as_of="2018-04-30"))[POMPEO]["offices"] == [
        {"office": "CIA Director", "first": "2018-03-31..2018-04-01",
         "last": "2018-03-31..2018-04-01"}]
    assert actor_list(events, Query(as_of="2018-06-30"))[POMPEO]["offices"][1] == {
        "office": "Secretary of State", "first": "2018-05-09", "last": "2018-05-09"}


def test_an_item_shows_each_actor_once_with_the_office_of_its_latest_event() -> None:
    """Two events of one item give the actor two offices: the item lists the actor once (per
    role), in the office its latest event in story order gives; an event naming no office
    keeps it. As of an earlier date, the earlier office."""
    pompeo = {"name": POMPEO, "role": "participant"}
    events = [
        ev(1, {"id": "held", "type": "meeting.held", "subject": "meeting:x",
               "story": "2018-05-09", "actors": [{**pompeo, "office": "Secretary of State"}]}),
        ev(2, {"id": "set", "type": "meeting.scheduled", "subject": "meeting:x",
               "story": "2018-04-01", "actors": [{**pompeo, "office": "CIA Director"}],
               "details": {"when": "2018-05-09"}}),
        ev(3, {"id": "told", "type": "meeting.held", "subject": "meeting:x",
               "story": "2018-05-09", "actors": [pompeo]}),
    ]
    assert replay(events).items["meeting:x"].actors == (
        Actor(POMPEO, "participant", "Secretary of State"),)
    as_of_april = project(events, Query(as_of="2018-04-30")).items["meeting:x"]
    assert as_of_april.actors == (Actor(POMPEO, "participant", "CIA Director"),)


def test_the_same_office_at_the_same_role_in_two_events_is_listed_once() -> None:
    events = [meeting(1, "meeting:a", "2018-05-09", "Secretary of State"),
              ev(2, {"id": "m-2", "type": "meeting.held", "subject": "meeting:a",
                     "story": "2018-05-10",
                     "actors": [{"name": POMPEO, "role": "participant",
                                 "office": "Secretary of State"}]})]
    doc = state_to_dict(replay(events))
    assert doc["meetings"][0]["actors"] == [
        {"name": POMPEO, "role": "participant", "office": "Secretary of State"},
        {"name": "Kim Jong Un", "role": "host"}]


def correction_of_the_office(office: str) -> Event:
    return ev(5, {"id": "fix", "type": "entry.corrected", "subject": "meeting:easter",
                  "story": "2018-06-30", "refs": [{"rel": "corrects", "id": "m-2"}],
                  "details": {"changes": {"actors": [
                      {"name": POMPEO, "role": "participant", "office": office},
                      {"name": "Kim Jong Un", "role": "host"}]}}})


def test_a_correction_changes_an_actors_office_and_retracting_it_restores_it() -> None:
    events = [*pompeo_in_two_offices(), correction_of_the_office("Director of Central Intelligence")]
    state = replay(events)
    assert state.items["meeting:easter"].actors[0] == Actor(
        POMPEO, "participant", "Director of Central Intelligence")
    assert [o["office"] for o in actor_list(events)[POMPEO]["offices"]] == [
        "Director of Central Intelligence", "Secretary of State"]
    undo = ev(6, {"id": "undo", "type": "entry.retracted", "subject": "meeting:easter",
                  "story": "2018-06-30", "refs": [{"rel": "retracts", "id": "fix"}]})
    assert replay([*events, undo]).items["meeting:easter"].actors[0] == Actor(
        POMPEO, "participant", "CIA Director")


# --------------------------------------------------------------------------- input


def with_office(office: Any) -> dict[str, Any]:
    return {"id": "ev-1", "type": "meeting.held", "story": "2018-05-09", "summary": "met",
            "source": {"outlet": "AP", "published": "2018-05-09"},
            "actors": [{"name": "Kim Jong Un", "role": "host"},
                       {"name": POMPEO, "role": "participant", "office": office}]}


@pytest.mark.parametrize(
    ("office", "message"),
    [
        (7, "line 3: field 'actors[1].office' must be a string, not a number"),
        (["Secretary of State"], "line 3: field 'actors[1].office' must be a string, not a list"),
        ("", "line 3: field 'actors[1].office' must not be empty"),
        ("   ", "line 3: field 'actors[1].office' must not be empty"),
        ("S" * 121, "line 3: field 'actors[1].office' is 121 characters long; the limit is 120"),
        ("Secretary\x1b[31m of State",
         "line 3: field 'actors[1].office' contains a control character or escape sequence"),
    ],
)
def test_a_bad_office_is_named_exactly(office: Any, message: str) -> None:
    with pytest.raises(InvalidEvent) as caught:
        parse_event(with_office(office), "line 3")
    assert (caught.value.message, caught.value.field, caught.value.place) == (
        message, "actors[1].office", "line 3")


def test_an_office_absent_or_null_is_none_and_one_given_is_kept_trimmed() -> None:
    assert parse_event(with_office(None), "x").actors[1] == Actor(POMPEO, "participant")
    assert parse_event(with_office("  Secretary of State "), "x").actors[1] == Actor(
        POMPEO, "participant", "Secretary of State")


def test_an_unknown_key_of_an_actor_is_named() -> None:
    obj = with_office("Secretary of State")
    obj["actors"][1]["title"] = "Mr"
    with pytest.raises(InvalidEvent) as caught:
        parse_event(obj, "line 3")
    assert (caught.value.message, caught.value.field) == (
        "line 3: field 'actors[1]' has unknown key 'title'", "actors[1]")


def test_a_correction_giving_a_bad_office_is_named_at_its_changes() -> None:
    with pytest.raises(InvalidEvent) as caught:
        parse_event({"id": "fix", "type": "entry.corrected", "story": "2018-06-30",
                      "summary": "fix", "source": {"outlet": "AP", "published": "2018-06-30"},
                      "refs": [{"rel": "corrects", "id": "m-2"}],
                      "details": {"changes": {"actors": [
                          {"name": POMPEO, "role": "participant", "office": ""}]}}}, "line 4")
    assert (caught.value.message, caught.value.field) == (
        "line 4: details.changes: field 'actors[0].office' must not be empty",
        "details.changes.actors[0].office")


@pytest.mark.parametrize(
    ("typed", "role", "actor"),
    [
        ("John Kerry:invitee", None, {"name": "John Kerry", "role": "invitee"}),
        ("Mike Pompeo:participant:Secretary of State", None,
         {"name": POMPEO, "role": "participant", "office": "Secretary of State"}),
        (" Mike Pompeo : participant : Minister: of State ", None,
         {"name": POMPEO, "role": "participant", "office": "Minister: of State"}),
        ("Kerry:invitee:", None, {"name": "Kerry", "role": "invitee", "office": ""}),
        ("Kerry", None, {"name": "Kerry", "role": ""}),
        ("Mike Pompeo", "participant", {"name": POMPEO, "role": "participant"}),
        ("Mike Pompeo: Secretary of State", "participant",
         {"name": POMPEO, "role": "participant", "office": "Secretary of State"}),
    ],
)
def test_an_actor_typed_as_text_reads_the_same_in_the_cli_and_the_form(
        typed: str, role: str | None, actor: dict[str, str]) -> None:
    """`tracker add --actor NAME:ROLE:OFFICE`; the form's field of a role takes NAME:OFFICE.
    What is missing or empty is left for the event's validation to name."""
    assert actor_from_text(typed, role) == actor


def test_the_form_shows_an_actor_as_it_reads_it_back() -> None:
    for actor in (Actor(POMPEO, "participant", "Secretary of State"), Actor("Iran", "target")):
        typed = actor_from_text(actor_as_text(actor), actor.role)
        assert Actor(**typed) == actor


@pytest.mark.parametrize(
    ("typed", "actors"),
    [
        ("John Kerry: Secretary of State, Sergey Lavrov",
         [{"name": "John Kerry", "role": "participant", "office": "Secretary of State"},
          {"name": "Sergey Lavrov", "role": "participant"}]),
        ('"Chrystia Freeland: Minister of Foreign Affairs, Trade and Development", Lavrov',
         [{"name": "Chrystia Freeland", "role": "participant",
           "office": "Minister of Foreign Affairs, Trade and Development"},
          {"name": "Lavrov", "role": "participant"}]),
        ('Lavrov,  "Smith, John"', [{"name": "Lavrov", "role": "participant"},
                                    {"name": "Smith, John", "role": "participant"}]),
        ('"Ali ""Chemical"" Majid"', [{"name": 'Ali "Chemical" Majid', "role": "participant"}]),
        ('Ali "Chemical" Majid', [{"name": 'Ali "Chemical" Majid', "role": "participant"}]),
        ('"Open, to the end', [{"name": "Open, to the end", "role": "participant"}]),
        (", ,Kerry,", [{"name": "Kerry", "role": "participant"}]),
        ("", []),
    ],
)
def test_a_role_field_holds_actors_separated_by_commas_and_quoted_where_one_holds_a_comma(
        typed: str, actors: list[dict[str, str]]) -> None:
    assert actors_from_field(typed, "participant") == actors


_text = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF), min_size=1).map(
    str.strip).filter(lambda t: t and ":" not in t)


@given(st.lists(st.builds(Actor, _text, st.just("participant"), st.none() | _text), max_size=5))
def test_the_form_shows_the_actors_of_a_role_as_it_reads_them_back(actors: list[Actor]) -> None:
    read = actors_from_field(actors_as_field(actors), "participant")
    assert [Actor(**a) for a in read] == actors
