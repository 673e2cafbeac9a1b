"""Two more real stories, coded from public reporting: the 2018 Trump-Kim Singapore summit and
the Iran nuclear deal (JCPOA) from the sanctions of 2011-2012 to the US withdrawal of 2018.

Their expected states were written by hand, before anything ran, in
``tests/data/<story>.expected.json``: per query (as of a story date, known at a publication date),
per item, the status, whether it is disputed and each side's events. The part of each story that
today's vocabulary can hold is imported through the real CLI and checked here; the rest
(``"proposed"``) waits for the vocabulary of ``docs/proposed-vocabulary.md``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli_support import ok, state_json, tracker

DATA = Path(__file__).parent.parent / "data"
STORIES = ("singapore-summit-2018", "jcpoa-2011-2018")
KINDS = ("invitations", "meetings", "proposals", "demands", "agreements", "sanctions",
         "statements")


def story_events(name: str) -> list[dict[str, Any]]:
    lines = (DATA / f"{name}.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip() and not line.startswith("//")]


def expected(name: str) -> dict[str, Any]:
    return json.loads((DATA / f"{name}.expected.json").read_text("utf-8"))  # type: ignore[no-any-return]


def items_of(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["subject"]: item for kind in KINDS for item in state.get(kind, [])}


def flags(query: dict[str, str]) -> list[str]:
    return [f"--{key.replace('_', '-')}={value}" for key, value in query.items()]


@pytest.fixture(scope="module", params=STORIES)
def story(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> tuple[str, Path]:
    """The part of a story that today's vocabulary holds, imported into a new log."""
    name: str = request.param
    wanted = expected(name)["today"]["events"]
    events = [e for e in story_events(name) if e["id"] in wanted]
    assert [e["id"] for e in events] == wanted  # in the story's order, none missing
    folder = tmp_path_factory.mktemp(name)
    part = folder / "today.jsonl"
    part.write_text("".join(json.dumps(e) + "\n" for e in events), "utf-8")
    db = folder / "story.sqlite"
    assert ok("--db", db, "import", part).stdout.startswith(f"Imported {len(events)} events")
    return name, db


@pytest.mark.parametrize("name", STORIES)
def test_each_story_is_ten_to_twenty_real_events_with_outlets_dates_and_sources(name: str) -> None:
    events = story_events(name)
    assert 10 <= len(events) <= 20
    assert len({e["id"] for e in events}) == len(events)
    assert all(e["source"]["outlet"] and e["source"]["published"] for e in events)
    assert (DATA.parent.parent / "seeds" / f"{name}.jsonl").read_text("utf-8") == (
        DATA / f"{name}.jsonl").read_text("utf-8")
    plan = expected(name)
    # every event is either held by today's vocabulary or waits for a named proposal
    assert sorted([*plan["today"]["events"], *plan["proposed"]["needs"]]) == sorted(
        e["id"] for e in events)


def test_the_states_written_by_hand_hold_at_every_date(story: tuple[str, Path]) -> None:
    name, db = story
    for check in expected(name)["today"]["checks"]:
        state = state_json(db, *flags(check["query"]))
        items = items_of(state)
        where = f"{name} {check['query']}"
        for subject in check.get("absent", []):
            assert subject not in items, where
        for subject, want in check["items"].items():
            if want.get("sides"):
                continue  # the disputes: the test below
            assert subject in items, (where, subject)
            item = items[subject]
            assert item["status"] == want["status"], (where, subject)
            assert (item["status"] == "disputed") is want["disputed"], (where, subject)
            if "sources" in want:
                assert item["sources"] == want["sources"], (where, subject)
            for status, ids in want.get("agree", {}).items():
                assert set(ids) <= set(item["history"]), (where, subject, status)


def test_a_disputed_account_shows_each_side_with_its_events(story: tuple[str, Path]) -> None:
    name, db = story
    for check in expected(name)["today"]["checks"]:
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


def test_the_events_that_need_new_vocabulary_are_refused_today_one_by_one(
    tmp_path: Path,
) -> None:
    """What the proposals add is not in the vocabulary yet: each such event is refused with a
    message naming what is missing (and nothing is written), not dropped without a word."""
    for name in STORIES:
        needs = expected(name)["proposed"]["needs"]
        for event in story_events(name):
            if event["id"] not in needs or "answers" in needs[event["id"]] or (
                    "opened by" in needs[event["id"]]):
                continue
            path = tmp_path / f"{event['id']}.json"
            path.write_text(json.dumps(event), "utf-8")
            result = tracker("--db", tmp_path / "log.sqlite", "add", "--json", path)
            assert result.exit_code == 1, event["id"]
            assert ("unknown event type" in result.stderr or "is not a role of" in result.stderr
                    or "has no detail" in result.stderr), (event["id"], result.stderr)
