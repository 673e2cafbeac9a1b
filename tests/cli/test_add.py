"""`tracker add`: one event from options or from a JSON object on stdin, validated, shown back
with its position and its resolved story date; bad input is one line and writes nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.cli_support import ok, seeded_db, tracker

MEETING = [
    "add", "--type", "meeting.held", "--id", "kl-18-phone-call",
    "--story", "last Friday", "--published", "2014-03-10", "--outlet", "McClatchy",
    "--author", "Hannah Allam", "--speaker", "Jen Psaki", "--quote", "they spoke by phone",
    "--summary", "Kerry and Lavrov spoke by phone",
    "--actor", "John Kerry:participant", "--actor", "Sergey Lavrov:participant",
    "--detail", "format=phone", "--place", "Washington",
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return seeded_db(tmp_path)


def count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


def test_options_append_one_event_and_show_it_back_with_its_resolved_date(db: Path) -> None:
    result = ok("--db", db, *MEETING)
    lines = result.stdout.splitlines()
    assert lines[0] == "Added event 18: kl-18-phone-call"
    assert lines[1] == "  story     last Friday → 2014-03-07 (read against 2014-03-10)"
    assert "  actors    John Kerry (participant), Sergey Lavrov (participant)" in lines
    assert "  speaker   Jen Psaki (on the record)" in lines
    assert "  quote     “they spoke by phone”" in lines
    assert count(db) == 18
    listed = json.loads(ok("--db", db, "log", "--json", "--type", "meeting.held",
                           "--actor", "kerry", "--from", "2014-03-07", "--to", "2014-03-07")
                        .stdout.splitlines()[-1])
    assert listed["id"] == "kl-18-phone-call"
    assert listed["story"]["earliest"] == listed["story"]["latest"] == "2014-03-07"
    assert listed["details"] == {"format": "phone"}
    assert listed["source"]["author"] == "Hannah Allam"


def test_an_actor_given_with_its_office_is_stored_and_stays_one_actor(db: Path) -> None:
    """--actor NAME:ROLE:OFFICE, as --json's {"name", "role", "office"}: Kerry, already in the
    log without an office, is the same actor in his office."""
    result = ok("--db", db, "add", "--type", "statement.made", "--id", "kl-18-kerry",
                "--story", "2014-03-11", "--published", "2014-03-11", "--outlet", "Reuters",
                "--summary", "Kerry comments on Crimea",
                "--actor", "John Kerry:speaker:Secretary of State")
    assert "  actors    John Kerry (speaker, Secretary of State)" in result.stdout.splitlines()
    listed = json.loads(ok("--db", db, "log", "--json", "--actor", "kerry").stdout.splitlines()[-1])
    assert listed["actors"] == [{"name": "John Kerry", "role": "speaker",
                                 "office": "Secretary of State"}]
    state = json.loads(ok("--db", db, "state", "--json").stdout)
    (kerry,) = [a for a in state["actors"] if a["name"] == "John Kerry"]
    assert kerry == {"name": "John Kerry", "roles": ["invitee", "participant", "proposer",
                                                     "speaker"], "items": 5,
                     "offices": [{"office": "Secretary of State", "first": "2014-03-11",
                                  "last": "2014-03-11"}]}


def test_adding_the_same_event_twice_adds_it_once(db: Path) -> None:
    ok("--db", db, *MEETING)
    again = ok("--db", db, *MEETING)
    assert again.stdout.splitlines()[0] == (
        "Already in the log at position 18 with the same content: kl-18-phone-call; nothing added."
    )
    assert count(db) == 18


def test_a_json_object_on_stdin_is_an_event(db: Path) -> None:
    event = {
        "type": "invitation.accepted",
        "story": "2014-03-20",
        "summary": "Kerry accepts after all",
        "actors": [{"name": "John Kerry", "role": "invitee"}],
        "refs": [{"rel": "responds_to", "id": "kl-02-moscow-invitation"}],
        "source": {"outlet": "Wire", "published": "2014-03-20"},
    }
    result = ok("--db", db, "add", input=json.dumps(event))
    assert result.stdout.startswith("Added event 18: ev-")
    assert "  subject   invitation:kerry-to-moscow" in result.stdout.splitlines()
    explicit = ok("--db", db, "add", "--json", "-", input=json.dumps({**event, "id": "acc-2"}))
    assert explicit.stdout.startswith("Added event 19: acc-2")


def test_list_details_take_semicolons_and_repeats(db: Path) -> None:
    """A list's items are separated by ; (as in the app's form): an item may hold a comma."""
    ok("--db", db, "add", "--type", "proposal.submitted", "--id", "p-1", "--story", "2014-03-12",
       "--published", "2014-03-12", "--outlet", "Wire", "--summary", "A paper",
       "--actor", "Russia:proposer", "--detail", "terms=Neutral Ukraine; Federal constitution, amended",
       "--detail", "terms=Russian as a state language")
    (line,) = ok("--db", db, "log", "--json", "--type", "proposal.submitted",
                 "--source", "wire").stdout.splitlines()
    assert json.loads(line)["details"]["terms"] == [
        "Neutral Ukraine", "Federal constitution, amended", "Russian as a state language"
    ]


def test_a_reference_answers_the_entry_it_names(db: Path) -> None:
    ok("--db", db, "add", "--type", "account.confirmed", "--id", "c-1", "--story", "2014-03-11",
       "--published", "2014-03-11", "--outlet", "TASS", "--summary", "Moscow repeats it",
       "--ref", "confirms:kl-03-kerry-declines")
    state = json.loads(ok("--db", db, "state", "--json").stdout)
    (declined,) = [g for g in state["invitations"][0]["accounts"] if g["status"] == "declined"]
    assert declined["sources"][0]["confirmed_by"] == [
        {"event": "c-1", "who": "TASS", "outlet": "TASS", "story": "2014-03-11", "quote": None}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "meeting.held", "--summary", "s"],
         "--story, --outlet, --published are required with --type (every event has a story "
         "date, a summary and a source with its publication date)"),
        (["--type", "meeting.teleported", "--story", "2014-03-10", "--summary", "s", "--outlet",
          "o", "--published", "2014-03-10"],
         "event: unknown event type 'meeting.teleported' (see `tracker types`)"),
        (["--type", "meeting.held", "--story", "2014-02-30", "--summary", "s", "--outlet", "o",
          "--published", "2014-03-10", "--actor", "A:participant"],
         "event: field 'story': '2014-02-30' is not a real date (February 2014 has 28 days)"),
        (["--type", "meeting.held", "--story", "2014-03-10", "--summary", "s", "--outlet", "o",
          "--published", "2014-03-10", "--actor", "Kerry"],
         "--actor 'Kerry' must look like NAME:ROLE or NAME:ROLE:OFFICE (e.g. 'John "
         "Kerry:invitee' or 'Mike Pompeo:participant:Secretary of State')"),
        (["--type", "meeting.held", "--story", "2014-03-10", "--summary", "s", "--outlet", "o",
          "--published", "2014-03-10", "--actor", "Kerry::Secretary of State"],
         "--actor 'Kerry::Secretary of State' must look like NAME:ROLE or NAME:ROLE:OFFICE "
         "(e.g. 'John Kerry:invitee' or 'Mike Pompeo:participant:Secretary of State')"),
        (["--type", "meeting.held", "--story", "2014-03-10", "--summary", "s", "--outlet", "o",
          "--published", "2014-03-10", "--actor", "John Kerry:participant: "],
         "event: field 'actors[0].office' must not be empty"),
        (["--type", "invitation.declined", "--story", "2014-03-10", "--summary", "s",
          "--outlet", "o", "--published", "2014-03-10", "--ref", "responds_to:nothing-here"],
         "event: refs: responds_to 'nothing-here', but the log holds no entry 'nothing-here'"),
        (["--type", "meeting.held", "--story", "2014-03-10", "--summary", "s", "--outlet", "o",
          "--published", "2014-03-10", "--actor", "A:participant", "--detail", "format=telepathy"],
         "event: field 'details.format' 'telepathy' is not one of: in_person, phone, video"),
        (["--story", "2014-03-10"],
         "--type is required (see `tracker types`), or give the event as JSON with --json"),
    ],
)
def test_bad_options_are_one_line_and_write_nothing(
    db: Path, args: list[str], message: str
) -> None:
    result = tracker("--db", db, "add", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {message}\n")
    assert count(db) == 17


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("", "stdin: no event given (expected one JSON object)"),
        ("{oops", "stdin: not valid JSON (unexpected character, expected a string key)"),
        ("[1, 2]", "stdin: expected one JSON object (an event), not a list or a value"),
        ('{"type": "meeting.held", "story": "2014-03-10", "summary": "s", "extra": 1}',
         "stdin: unknown field 'extra'"),
    ],
)
def test_bad_json_on_stdin_is_one_line(db: Path, stdin: str, message: str) -> None:
    result = tracker("--db", db, "add", input=stdin)
    assert (result.exit_code, result.stderr) == (1, f"Error: {message}\n")
    assert count(db) == 17


def test_an_expected_position_that_moved_on_is_a_conflict(db: Path) -> None:
    result = tracker("--db", db, *MEETING, "--expect-position", "16")
    assert result.exit_code == 3
    assert result.stderr == (
        "Error: the log is at position 17, not 16: someone else appended meanwhile; "
        "look again and retry\n"
    )
    assert count(db) == 17
    ok("--db", db, *MEETING, "--expect-position", "17")
    assert count(db) == 18


def test_markup_and_escape_sequences_print_literally(db: Path) -> None:
    summary = "[bold]Kerry[/] meets [link=https://example.org]x[/link] \x1b[31mred"
    result = tracker("--db", db, "add", "--type", "statement.made", "--story", "2014-03-11",
                     "--published", "2014-03-11", "--outlet", "Wire", "--summary", summary)
    # the escape character is refused at the door ...
    assert result.exit_code == 1
    assert "field 'summary' contains a control character or escape sequence" in result.stderr
    assert "\x1b" not in result.stderr
    # ... and markup is kept as typed
    result = ok("--db", db, "add", "--type", "statement.made", "--story", "2014-03-11",
                "--published", "2014-03-11", "--outlet", "[red]Wire[/red]",
                "--summary", "[bold]Kerry[/] meets [link=https://example.org]x[/link]")
    assert "  summary   [bold]Kerry[/] meets [link=https://example.org]x[/link]" in (
        result.stdout.splitlines()
    )
    assert "[red]Wire[/red], published 2014-03-11" in result.stdout


def test_certainty_is_recorded_and_shown(db: Path) -> None:
    result = ok("--db", db, "add", "--type", "meeting.proposed", "--id", "m-next",
                "--story", "next week", "--published", "2014-03-10", "--outlet", "Wire",
                "--summary", "They may meet", "--actor", "John Kerry:participant",
                "--certainty", "possible")
    assert "  certainty possible" in result.stdout.splitlines()
    assert "  story     next week → 2014-03-17..2014-03-23 (read against 2014-03-10)" in (
        result.stdout.splitlines()
    )
    (line,) = ok("--db", db, "log", "--json", "--actor", "kerry", "--from", "2014-03-17").stdout.splitlines()
    assert json.loads(line)["certainty"] == "possible"
    bad = tracker("--db", db, "add", "--type", "meeting.proposed", "--story", "2014-03-10",
                  "--published", "2014-03-10", "--outlet", "Wire", "--summary", "s",
                  "--actor", "A:participant", "--certainty", "maybe")
    assert (bad.exit_code, bad.stderr) == (
        1, "Error: event: field 'certainty' must be one of: certain, probable, possible, "
           "not 'maybe'\n"
    )
