"""Two more real stories, coded from public reporting: the 2018 Trump-Kim Singapore summit and
the Iran nuclear deal (JCPOA) from the sanctions of 2011-2012 to the US withdrawal of 2018.

Their expected states were written by hand in ``tests/data/<story>.expected.json``: per query (as
of a story date, known at a publication date), per item, the status, whether it is disputed and
each side's events, and what the developments of issue 12 show: the meeting's own date and
place, each party of an agreement with its own status and date, signatories and endorsers, the
talks with their rounds and outcome, the envoy who conveyed an invitation. Each story is imported
whole, from ``seeds/``, through the real CLI, as the README tells a new user to.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli_support import ok, state_json

DATA = Path(__file__).parent.parent / "data"
SEEDS = DATA.parent.parent / "seeds"
STORIES = ("singapore-summit-2018", "jcpoa-2011-2018")
KINDS = ("invitations", "meetings", "proposals", "demands", "agreements", "sanctions", "talks",
         "statements")
#: What a check may say of an item beyond its status, and where the state document shows it.
TOP = ("when", "place", "title", "history", "sources", "produced_by", "actors")
DETAILS = ("parties", "signatories", "endorsed_by", "terms", "measure")


def story_events(name: str) -> list[dict[str, Any]]:
    lines = (DATA / f"{name}.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip() and not line.startswith("//")]


def expected(name: str) -> dict[str, Any]:
    return json.loads((DATA / f"{name}.expected.json").read_text("utf-8"))  # type: ignore[no-any-return]


def items_of(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["subject"]: item for kind in KINDS for item in state.get(kind, [])}


def flags(query: dict[str, str]) -> list[str]:
    return [f"--{key.replace('_', '-')}={value}" for key, value in query.items()]


def role(item: dict[str, Any], name: str) -> list[str]:
    return [a["name"] for a in item["actors"] if a["role"] == name]


@pytest.fixture(scope="module", params=STORIES)
def story(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> tuple[str, Path]:
    """A whole story, imported from seeds/ into a new log as the README says."""
    name: str = request.param
    db = tmp_path_factory.mktemp(name) / "story.sqlite"
    imported = ok("--db", db, "import", SEEDS / f"{name}.jsonl").stdout
    assert imported.startswith(f"Imported {len(story_events(name))} events (0 already")
    return name, db


@pytest.mark.parametrize("name", STORIES)
def test_each_story_is_ten_to_twenty_real_events_with_outlets_dates_and_sources(name: str) -> None:
    events = story_events(name)
    assert 10 <= len(events) <= 20
    assert len({e["id"] for e in events}) == len(events)
    assert all(e["source"]["outlet"] and e["source"]["published"] for e in events)
    assert (SEEDS / f"{name}.jsonl").read_text("utf-8") == (DATA / f"{name}.jsonl").read_text(
        "utf-8")


def test_the_states_written_by_hand_hold_at_every_date(story: tuple[str, Path]) -> None:
    name, db = story
    for check in expected(name)["checks"]:
        state = state_json(db, *flags(check["query"]))
        items = items_of(state)
        where = f"{name} {check['query']}"
        for subject in check.get("absent", []):
            assert subject not in items, where
        listed = {actor["name"]: actor for actor in state["actors"]}
        for actor, said in check.get("actors", {}).items():
            if said is None:
                assert actor not in listed, (where, actor)
                continue
            assert actor in listed, (where, actor)
            for key in ("roles", "items", "offices"):
                assert listed[actor][key] == said[key], (where, actor, key)
        for subject, want in check["items"].items():
            if want.get("sides"):
                continue  # the disputes: the test below
            assert subject in items, (where, subject)
            item = items[subject]
            at = (where, subject)
            assert item["status"] == want["status"], at
            assert (item["status"] == "disputed") is want["disputed"], at
            for key in TOP:
                if key in want:
                    assert item.get(key) == want[key], (*at, key)
            for key in DETAILS:
                if key in want:
                    assert item["details"].get(key) == want[key], (*at, key)
            for key in ("intermediary", "imposer", "target"):
                if key in want:
                    assert role(item, key) == [want[key]], (*at, key)
            if "rounds" in want:
                assert [r["event"] for r in item.get("rounds", [])] == want["rounds"], at
            if "produced" in want:
                assert [o["subject"] for o in item.get("produced", [])] == want["produced"], at
            for status, ids in want.get("agree", {}).items():
                assert set(ids) <= set(item["history"]), (*at, status)


def test_a_disputed_account_shows_each_side_with_its_events(story: tuple[str, Path]) -> None:
    name, db = story
    for check in expected(name)["checks"]:
        items = items_of(state_json(db, *flags(check["query"])))
        for subject, want in check["items"].items():
            if not want.get("sides"):
                continue
            item = items[subject]
            assert item["status"] == "disputed", (name, subject, item["status"])
            sources = [s for group in item["accounts"] for s in group["sources"]]
            told = {s["event"] for s in sources} | {
                d["event"] for s in sources for d in s["disputed_by"]}
            assert told == {e for side in want["sides"] for e in side["events"]}, (name, subject)
