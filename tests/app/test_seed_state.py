"""The seed story, imported through the CLI and replayed: the state the article describes, and the
same log asked as of a story date, as known on a date, and as recorded by a time.

Issue 2, "Must show" 2 and 6: `tracker --db NEW import seeds/...` then `tracker --db NEW state
--json`, pinned item by item.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cli_support import ok, seeded_db, state_json


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeded_db(tmp_path_factory.mktemp("seed"))


@pytest.fixture(scope="module")
def state(seed_db: Path) -> dict[str, Any]:
    return state_json(seed_db)


def by_subject(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {i["subject"]: i for i in items}


def test_importing_the_seed_says_what_it_added(tmp_path: Path) -> None:
    from tests.cli_support import SEED

    db = tmp_path / "new.sqlite"
    result = ok("--db", db, "import", SEED)
    assert result.stdout == "Imported 17 events (0 already in the log).\n"
    assert result.stderr == f"Created a new tracker log at {db}.\n"


def test_the_whole_seed_is_replayed(state: dict[str, Any]) -> None:
    assert state["events"] == 17
    assert state["query"] == {"at": None, "as_of": None, "known_at": None, "recorded_by": None}


def test_the_moscow_invitation_is_disputed_between_the_russian_and_the_us_account(
    state: dict[str, Any],
) -> None:
    (invitation,) = state["invitations"]
    assert invitation["subject"] == "invitation:kerry-to-moscow"
    assert invitation["status"] == "disputed"
    assert invitation["place"] == "Moscow"
    assert {"name": "Sergey Lavrov", "role": "inviter"} in invitation["actors"]
    assert {"name": "John Kerry", "role": "invitee"} in invitation["actors"]
    declined, deferred = invitation["accounts"]
    assert declined == {"status": "declined", "sources": [{
        "event": "kl-03-kerry-declines",
        "speaker": "Sergey Lavrov",
        "outlet": "McClatchy",
        "story": "≤ 2014-03-10",
        "quote": "Kerry has declined an invitation to visit Russia",
        "disputed_by": [{
            "event": "kl-06-us-disputes-refusal",
            "who": "U.S. State Department",
            "outlet": "McClatchy",
            "story": "2014-03-10",
            "counter_claim": "No trip to Moscow until Russia shows seriousness on Ukraine, "
                             "not a refusal",
            "quote": "fired back Monday at Russian claims",
        }],
        "confirmed_by": [],
        "current": True,
    }]}
    assert deferred["status"] == "deferred"
    assert [(s["event"], s["speaker"], s["disputed_by"]) for s in deferred["sources"]] == [
        ("kl-13-no-trip-for-now", "Jen Psaki", [])]
    assert "accepted" not in {g["status"] for g in invitation["accounts"]}


def test_the_invitation_waits_on_the_three_us_preconditions(state: dict[str, Any]) -> None:
    (invitation,) = state["invitations"]
    assert invitation["conditions"] == [
        {"subject": "demand:recognise-ukraine-government", "status": "outstanding",
         "demand": "Recognise the new Ukrainian government"},
        {"subject": "demand:stop-crimea-annexation", "status": "outstanding",
         "demand": "Stop annexation attempts in Crimea"},
        {"subject": "demand:stop-crimea-manoeuvres", "status": "outstanding",
         "demand": "Stop military manoeuvres in Crimea"},
    ]


def test_the_us_paper_is_rejected_in_part_with_its_three_terms(state: dict[str, Any]) -> None:
    (paper,) = state["proposals"]
    assert paper["subject"] == "proposal:us-paper-on-ukraine"
    assert paper["status"] == "rejected_in_part"
    assert paper["when"] == "2014-03-07"  # "last Friday" in a Monday, March 10 story
    assert paper["details"]["terms"] == [
        "Mechanisms to start direct Ukrainian-Russian negotiations",
        "Drop the Feb. 21 agreement as a precondition",
        "Allow international monitors into Crimea",
    ]
    assert paper["history"] == ["kl-04-us-paper", "kl-05-paper-rejected", "kl-14-paper-terms"]
    assert "State Department official (anonymous), McClatchy" in paper["sources"]


def test_five_demands_are_outstanding(state: dict[str, Any]) -> None:
    demands = by_subject(state["demands"])
    assert set(demands) == {
        "demand:recognise-ukraine-government",
        "demand:stop-crimea-manoeuvres",
        "demand:stop-crimea-annexation",
        "demand:drop-feb21-precondition",
        "demand:allow-monitors-in-crimea",
    }
    assert {d["status"] for d in demands.values()} == {"outstanding"}
    assert demands["demand:drop-feb21-precondition"]["details"]["part_of"] == (
        "proposal:us-paper-on-ukraine"
    )
    assert demands["demand:recognise-ukraine-government"]["details"]["gates"] == [
        "invitation:kerry-to-moscow"
    ]


def test_two_meetings_were_held_and_a_further_one_is_possible(state: dict[str, Any]) -> None:
    meetings = by_subject(state["meetings"])
    assert {s: m["status"] for s, m in meetings.items()} == {
        "meeting:lavrov-putin-sochi": "held",
        "meeting:kerry-lavrov-last-week": "held",
        "meeting:kerry-lavrov-next": "possible",
    }
    assert meetings["meeting:lavrov-putin-sochi"]["place"] == "Sochi"
    assert meetings["meeting:kerry-lavrov-last-week"]["when"] == "2014-03-03..2014-03-09"


def test_nothing_else_is_in_the_state(state: dict[str, Any]) -> None:
    assert state["agreements"] == []
    assert state["sanctions"] == []
    assert {s["subject"] for s in state["statements"]} == {
        "statement:psaki-seriousness", "statement:official-not-be-rolled"
    }
    assert [(d["subject"], d["event"], [c["event"] for c in d["disputed_by"]])
            for d in state["disputes"]] == [
        ("invitation:kerry-to-moscow", "kl-03-kerry-declines", ["kl-06-us-disputes-refusal"])
    ]


# ----------------------------------------------------------------------- the four questions


def test_as_of_march_6_the_paper_had_not_been_submitted(seed_db: Path) -> None:
    state = state_json(seed_db, "--as-of", "2014-03-06")
    assert state["query"]["as_of"] == "2014-03-06"
    assert state["proposals"] == []
    assert state["events"] == 0


def test_as_of_march_8_the_paper_was_submitted_and_not_yet_rejected(seed_db: Path) -> None:
    state = state_json(seed_db, "--as-of", "2014-03-08")
    (paper,) = state["proposals"]
    assert paper["subject"] == "proposal:us-paper-on-ukraine"
    assert paper["status"] == "pending"
    assert paper["history"] == ["kl-04-us-paper"]
    assert state["invitations"] == []


def test_known_on_march_9_nothing_of_the_march_10_reports_was_public(seed_db: Path) -> None:
    state = state_json(seed_db, "--known-at", "2014-03-09")
    assert state["events"] == 0
    for section in ("invitations", "meetings", "proposals", "demands", "statements", "disputes",
                    "actors"):
        assert state[section] == [], section


def test_known_on_march_10_everything_was(seed_db: Path, state: dict[str, Any]) -> None:
    known = state_json(seed_db, "--known-at", "2014-03-10")
    assert {k: v for k, v in known.items() if k != "query"} == {
        k: v for k, v in state.items() if k != "query"
    }


def test_recorded_by_a_time_before_the_import_the_state_is_empty(seed_db: Path) -> None:
    for before in ("2014-03-10", "2020-01-01T00:00:00Z", "2001-01-01T10:00:00+02:00"):
        state = state_json(seed_db, "--recorded-by", before)
        assert state["events"] == 0, before
        assert state["invitations"] == [] and state["proposals"] == []


def test_recorded_by_now_holds_everything(seed_db: Path) -> None:
    assert state_json(seed_db, "--recorded-by", "2999-01-01")["events"] == 17


def test_at_a_log_position_only_the_first_events_count(seed_db: Path) -> None:
    state = state_json(seed_db, "--at", "3")
    assert state["events"] == 3
    (invitation,) = state["invitations"]
    assert invitation["status"] == "declined"  # Lavrov's account, not yet disputed


def test_the_questions_combine(seed_db: Path) -> None:
    state = state_json(seed_db, "--at", "5", "--as-of", "2014-03-08")
    assert state["query"]["at"] == 5 and state["query"]["as_of"] == "2014-03-08"
    assert [p["status"] for p in state["proposals"]] == ["pending"]


@pytest.mark.postgres
def test_the_same_state_on_the_postgresql_server(pg_url: str, state: dict[str, Any]) -> None:
    from tests.cli_support import SEED

    ok("--db", pg_url, "import", SEED)
    assert state_json(pg_url) == state
    assert state_json(pg_url, "--as-of", "2014-03-08")["proposals"][0]["status"] == "pending"
