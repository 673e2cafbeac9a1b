"""`tracker state`: the readable view (sections per kind, each disputed item with each side's
account and source, conditions), the JSON document, and one-line errors for bad flags."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_support import ROOT, ok, seeded_db, tracker


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeded_db(tmp_path_factory.mktemp("state"))


def test_the_readable_view_has_a_section_per_kind(db: Path) -> None:
    out = ok("--db", db, "state").stdout
    assert out.startswith("State of affairs from 17 events (everything in the log)\n")
    headings = [line for line in out.splitlines() if line and line[0].isupper()
                and line.endswith(")")][1:]
    assert headings == ["Invitations (1)", "Meetings (3)", "Proposals (1)",
                        "Demands and preconditions (5)", "Statements (2)", "Actors (7)"]


def test_the_disputed_invitation_shows_each_side_with_its_source(db: Path) -> None:
    out = ok("--db", db, "state").stdout
    start = out.index("disputed          Russia invites Kerry")
    assert out[start:out.index("\n\nMeetings")] == """\
disputed          Russia invites Kerry to Moscow for further talks on the
                  Ukraine crisis
                  invitation:kerry-to-moscow  ·  ≤ 2014-03-10  ·  Moscow
                  Sergey Lavrov (inviter), John Kerry (invitee), Sergey Lavrov
                  (mentioned)
                  venue: Moscow
                  purpose: further talks on the Ukraine crisis
                  until: Russia shows seriousness on Ukraine
                  account: declined per Sergey Lavrov (McClatchy), ≤ 2014-03-10:
                  “Kerry has declined an invitation to visit Russia”
                  [kl-03-kerry-declines]
                  disputed by: U.S. State Department (McClatchy), 2014-03-10,
                  saying instead: No trip to Moscow until Russia shows
                  seriousness on Ukraine, not a refusal
                  [kl-06-us-disputes-refusal]
                  account: deferred per Jen Psaki (McClatchy), 2014-03-10:
                  “there's no trip to Moscow in the cards”
                  [kl-13-no-trip-for-now]
                  condition: outstanding Recognise the new Ukrainian government
                  condition: outstanding Stop annexation attempts in Crimea
                  condition: outstanding Stop military manoeuvres in Crimea
                  sources: Sergey Lavrov, McClatchy; Jen Psaki, McClatchy"""
    flat = " ".join(out.split())
    assert "rejected in part Kerry forwards Lavrov a paper" in flat
    assert "term: Allow international monitors into Crimea" in flat


def test_agreeing_accounts_are_grouped_and_a_confirmation_says_who_where(tmp_path: Path) -> None:
    db = seeded_db(tmp_path)
    ok("--db", db, "add", "--type", "invitation.deferred", "--id", "paper", "--story",
       "2014-03-10", "--published", "2014-03-11", "--outlet", "Kommersant", "--summary",
       "The trip is postponed", "--quote", "postponed", "--ref",
       "responds_to:kl-02-moscow-invitation")
    ok("--db", db, "add", "--type", "account.confirmed", "--id", "yes", "--story", "2014-03-12",
       "--published", "2014-03-12", "--outlet", "Reuters", "--speaker", "John Kerry",
       "--summary", "Kerry confirms", "--actor", "John Kerry:confirmer",
       "--ref", "confirms:kl-13-no-trip-for-now")
    out = ok("--db", db, "state").stdout
    start = out.index("                  account: deferred")
    assert out[start:out.index("                  condition:")] == """\
                  account: deferred per Jen Psaki (McClatchy), 2014-03-10:
                  “there's no trip to Moscow in the cards”
                  [kl-13-no-trip-for-now]
                  confirmed by: John Kerry (Reuters), 2014-03-12 [yes]
                  account: deferred, also per Kommersant, 2014-03-10:
                  “postponed” [paper]
"""
    doc = json.loads(ok("--db", db, "state", "--json").stdout)
    (invitation,) = doc["invitations"]
    assert invitation["status"] == "disputed"
    assert invitation["accounts"][1] == {"status": "deferred", "sources": [
        {"event": "kl-13-no-trip-for-now", "speaker": "Jen Psaki", "outlet": "McClatchy",
         "story": "2014-03-10", "quote": "there's no trip to Moscow in the cards",
         "disputed_by": [],
         "confirmed_by": [{"event": "yes", "who": "John Kerry", "outlet": "Reuters",
                           "story": "2014-03-12", "quote": None}], "current": True},
        {"event": "paper", "speaker": "Kommersant", "outlet": "Kommersant",
         "story": "2014-03-10", "quote": "postponed", "disputed_by": [], "confirmed_by": [],
         "current": True},
    ]}


def test_an_empty_answer_says_so(db: Path) -> None:
    out = ok("--db", db, "state", "--known-at", "2014-03-09").stdout
    assert out == (
        "State of affairs from 0 events (as known on 2014-03-09)\n\n"
        "Nothing yet: no event of the log is admitted by this query.\n"
    )


def test_json_is_the_state_document_with_its_query(db: Path) -> None:
    doc = json.loads(ok("--db", db, "state", "--json", "--at", "2", "--as-of", "2014-03-10",
                        "--known-at", "2014-03-10", "--recorded-by", "2999-12-31T12:00:00+01:00")
                     .stdout)
    assert doc["query"] == {"at": 2, "as_of": "2014-03-10", "known_at": "2014-03-10",
                            "recorded_by": "2999-12-31T11:00:00.000000Z"}
    assert doc["events"] == 2


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--as-of", "2014-02-30"], "--as-of '2014-02-30' is not a real date (February 2014 has 28 days)"),
        (["--as-of", "last Friday"], "--as-of 'last Friday' is not an ISO date (YYYY-MM-DD, e.g. 2014-03-10)"),
        (["--known-at", "2014-13-01"], "--known-at '2014-13-01' is not a real date (there is no month 13)"),
        (["--recorded-by", "yesterday"], "--recorded-by 'yesterday' is not an ISO date or time "
         "(e.g. 2014-03-10 or 2026-11-28T09:30:00Z)"),
        (["--recorded-by", "2026-02-30"], "--recorded-by '2026-02-30' is not a real date (February 2026 has 28 days)"),
        (["--at", "-1"], "--at must be a log position, 0 or more, not -1"),
    ],
)
def test_bad_flags_are_one_line_naming_the_flag(db: Path, flags: list[str], message: str) -> None:
    result = tracker("--db", db, "state", *flags)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {message}\n")


def test_text_from_events_is_shown_literally(tmp_path: Path) -> None:
    db = tmp_path / "markup.sqlite"
    hostile = "[bold]x[/] [link=https://example.org]y[/link] [@click=app.quit]z[/]"
    ok("--db", db, "add", "--type", "statement.made", "--story", "2014-03-11", "--published",
       "2014-03-11", "--outlet", "[red]Wire[/red]", "--summary", hostile,
       "--actor", "[i]Anon[/i]:speaker")
    out = ok("--db", db, "state").stdout
    assert hostile in out
    assert "[i]Anon[/i] (speaker)" in out
    assert "[red]Wire[/red]" in out
    table = ok("--db", db, "log").stdout
    assert "[bold]x[/]" in table and "[i]Anon[/i]" in table


def test_statuses_are_coloured_in_a_terminal(db: Path) -> None:
    from rich.console import Console
    from rich.style import Style

    from tracker.render.terminal import state_view

    doc = json.loads(ok("--db", db, "state", "--json").stdout)
    console = Console(force_terminal=True, width=100)
    styles = {seg.text.strip(): seg.style for seg in console.render(state_view(doc, "everything"))
              if seg.text.strip() in {"disputed", "held", "outstanding", "rejected in part"}}
    assert styles == {
        "disputed": Style.parse("bold magenta"),
        "held": Style.parse("green"),
        "outstanding": Style.parse("yellow"),
        "rejected in part": Style.parse("dark_orange"),
    }


def test_the_text_names_the_actors_its_json_has(db: Path) -> None:
    """`tracker state` shows what `tracker state --json` holds: each actor, the roles it played
    and in how many items."""
    out = ok("--db", db, "state").stdout
    actors = " ".join(out[out.index("\nActors (7)\n"):].split())
    assert actors.startswith("Actors (7) Jen Psaki in 1 item: speaker John Kerry in 4 items: "
                             "invitee, participant, proposer Russia in 5 items: target")
    assert actors.endswith("Vladimir Putin in 1 item: host")


@pytest.fixture(scope="module")
def singapore(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("singapore") / "story.sqlite"
    ok("--db", db, "import", ROOT / "seeds" / "singapore-summit-2018.jsonl")
    return db


def test_the_actor_list_shows_each_actor_once_with_each_office_and_its_dates(
        singapore: Path) -> None:
    """Pompeo met Kim as CIA Director at Easter and as Secretary of State on May 9: one actor,
    two offices, each from the first to the last event that gives it."""
    out = ok("--db", singapore, "state").stdout
    actors = out[out.index("\nActors (10)\n"):]
    assert " ".join(actors.split()).count("Mike Pompeo") == 1
    assert ("Mike Pompeo — CIA Director (2018-03-31..2018-04-01); Secretary of State "
            "(2018-05-09) in 2 items: participant") in " ".join(actors.split())
    assert ("Kim Yong Chol — Vice Chairman of the Workers' Party Central Committee (2018-06-01) "
            "in 1 item: participant") in " ".join(actors.split())
    assert "Kim Jong Un in 7 items: addressee, host, inviter, participant, signatory" in (
        " ".join(actors.split()))


def test_an_items_actors_line_shows_the_office_at_its_event(singapore: Path) -> None:
    out = ok("--db", singapore, "state").stdout
    start = out.index("CIA Director Mike Pompeo met Kim Jong Un")
    assert " ".join(out[start:out.index("sources:", start)].split()) == (
        "CIA Director Mike Pompeo met Kim Jong Un in Pyongyang over the Easter weekend "
        "meeting:pompeo-kim-pyongyang-easter-2018 · 2018-03-31..2018-04-01 · Pyongyang "
        "Mike Pompeo (participant, CIA Director), Kim Jong Un (host) format: in_person")


def test_as_of_a_date_the_actor_list_shows_only_the_offices_held_by_then(
        singapore: Path) -> None:
    out = " ".join(ok("--db", singapore, "state", "--as-of", "2018-04-30").stdout.split())
    assert "Mike Pompeo — CIA Director (2018-03-31..2018-04-01) in 1 item: participant" in out
    assert "Secretary of State" not in out
    data = json.loads(ok("--db", singapore, "state", "--json", "--as-of", "2018-04-30").stdout)
    (pompeo,) = [a for a in data["actors"] if a["name"] == "Mike Pompeo"]
    assert pompeo == {"name": "Mike Pompeo", "roles": ["participant"], "items": 1, "offices": [
        {"office": "CIA Director", "first": "2018-03-31..2018-04-01",
         "last": "2018-03-31..2018-04-01"}]}
