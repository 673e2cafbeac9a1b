"""Fuzzing `tracker import` and `tracker add --json` over every type of the vocabulary.

Issue 16: the next hole should be found by the tests, not by a user. Each case is an event of a
type read from the vocabulary (tracker.domain.events.event_types()), built the way a user would
(its roles, details, choices and references) and then bent: fields dropped, added or replaced by
hostile values (huge and deep numbers, NaN, deep nesting, escape sequences, dates such as
``Y1E9999999999`` that once hung the edtf library, corrections that change any field to
anything). Every case must end in one of two ways, within a bound:

- accepted: exit 0, the log one event longer (or the same, for an event already there), and
  the log still reads (`log --json` and `state --json`) and verifies;
- refused cleanly: one line on stderr starting "Error: ", a non-zero exit, no traceback, no
  "unexpected failure", nothing raw, and the log exactly as it was.

Anything else fails the test; so does a case that runs past its bound (a Python-level hang is
interrupted by an alarm; a hang inside C code by faulthandler, which ends the worker and fails
the test with every thread's stack). ``TRACKER_FUZZ_EXAMPLES`` sets the number of cases per
test (the suite runs 40), ``TRACKER_FUZZ_REPORT`` names a JSON file that receives the counts.
"""

from __future__ import annotations

import faulthandler
import json
import os
import re
import signal
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
import typer.main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import Result

from tests.cli_support import SEED, runner
from tracker.app.service import open_timeline
from tracker.cli import app
from tracker.domain.events import CERTAINTY, CORRECTABLE_FIELDS, REF_RELATIONS, event_types

EXAMPLES = int(os.environ.get("TRACKER_FUZZ_EXAMPLES", "40"))
BOUND_S = 30  # per case, generous on a loaded machine: a normal case takes well under a second
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get(
    "TRACKER_FUZZ_RANDOM"), database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much])
RAW_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
TYPES = list(event_types())
SEED_IDS = [e["id"] for e in json.loads(SEED.read_text())["events"]]
SEED_SUBJECTS = sorted({e["subject"] for e in json.loads(SEED.read_text())["events"]})
COMMAND = typer.main.get_command(app)
COUNTS: Counter[str] = Counter()


def tracker(*args: str | Path) -> Result:
    with patch("typer.testing._get_command", lambda _app: COMMAND):
        return runner.invoke(app, [str(a) for a in args])


class CaseTimeout(Exception):
    pass


@contextmanager
def bounded(seconds: int) -> Iterator[None]:
    """Fail a case that runs longer than ``seconds``: an alarm for Python code, and (at twice
    the bound) faulthandler for a hang in C code that no alarm can interrupt."""
    def alarm(_signum: int, _frame: Any) -> None:
        raise CaseTimeout(f"a fuzz case ran past its bound of {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    faulthandler.dump_traceback_later(seconds * 2, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------- values


#: Written into the JSON text as a 5,000-digit integer (Python will not even print one).
BIG = "__5000_digits__"
HUGE = st.sampled_from([10 ** 30, -(10 ** 30), BIG, 2 ** 63, -(2 ** 63) - 1, 1e999])
HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from(list("\x1b[]0;m\x07\x9b\u202e\u2066 abc\n\t\x00")),
            max_size=30),
    st.sampled_from(["", " ", "x" * 5000, "[bold]markup[/]", "\x1b]0;title\x07", "null"]),
)
PLAIN = st.text(alphabet=st.characters(categories=["L", "N", "P", "S"]), min_size=1,
               max_size=40)
NUMBERS = st.one_of(st.integers(), HUGE, st.floats(allow_nan=True, allow_infinity=True))
#: Written into the JSON text as a list nested this deep.
DEEP = st.sampled_from([30, 300, 5000]).map(lambda n: f"__deep_{n}__")


def json_values(depth: int = 3) -> st.SearchStrategy[Any]:
    leaves = st.one_of(st.none(), st.booleans(), NUMBERS, HOSTILE_TEXT)
    return st.one_of(leaves, DEEP, st.recursive(
        leaves, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                        st.dictionaries(st.text(max_size=8), inner, max_size=4)),
        max_leaves=8))


STORIES = st.one_of(
    st.sampled_from(["2014-03-07", "last Friday", "2014-03", "2014", "no later than 2014-03-10",
                     "2014-03-03..2014-03-09", "2014-03-1X", "2014-03-10/2014-03-12", "unknown",
                     "2014-02-30", "Y1E9999999999", "Y1E8", "Y17E7", "Y-12000", "Y2014",
                     "2014-03-10T10:00", "in two weeks", "../2014-03-10", "2014-21", "0000-01-01",
                     "10000-01-01", "[2014-03-01,2014-03-05]", "{2014-03-01..2014-03-05}"]),
    st.text(alphabet=st.sampled_from(list("0123456789XYSE?~%/.[]{},:+-TZ ")), max_size=16),
    HOSTILE_TEXT,
)
DATES = st.one_of(st.sampled_from(["2014-03-10", "2014-03-11", "2014-02-30", "20140310",
                                   "2014-3-10", "9999-12-31", "0001-01-01"]), HOSTILE_TEXT)


@st.composite
def detail_value(draw: st.DrawFn, kind: str, choices: tuple[str, ...]) -> Any:
    if draw(st.integers(0, 9)) == 9:
        return draw(json_values())
    if choices:
        return draw(st.sampled_from(choices))
    if kind == "list[str]":
        return draw(st.lists(st.one_of(st.sampled_from(SEED_SUBJECTS), HOSTILE_TEXT), max_size=4))
    if kind == "bool":
        return draw(st.booleans())
    if kind == "object":
        return draw(st.dictionaries(st.sampled_from([*CORRECTABLE_FIELDS, "position", "id"]),
                                    st.one_of(STORIES, json_values()), max_size=3))
    return draw(mostly(PLAIN, HOSTILE_TEXT))


@st.composite
def events(draw: st.DrawFn) -> dict[str, Any]:
    """An event of any type of the vocabulary, mostly well formed, then bent."""
    kind = draw(st.sampled_from(TYPES))
    roles = list(kind.roles) or ["participant"]
    obj: dict[str, Any] = {
        "id": draw(mostly(st.from_regex(r"fz-[a-z0-9]{1,12}", fullmatch=True),
                          st.one_of(st.sampled_from(SEED_IDS), HOSTILE_TEXT))),
        "type": kind.name,
        "story": draw(mostly(st.sampled_from(["2014-03-07", "last Friday", "2014-03",
                                              "no later than 2014-03-10", "2014-03-1X"]),
                             STORIES)),
        "summary": draw(mostly(PLAIN, HOSTILE_TEXT)),
        "source": {"outlet": draw(mostly(st.just("Wire"), HOSTILE_TEXT)),
                   "published": draw(mostly(st.just("2014-03-10"), DATES))},
        "actors": [{"name": draw(st.sampled_from(["John Kerry", "Sergey Lavrov", "X"])),
                    "role": draw(mostly(st.just(role), HOSTILE_TEXT))}
                   for role in kind.required_roles]
                  + [{"name": draw(mostly(PLAIN, HOSTILE_TEXT)),
                      "role": draw(mostly(st.sampled_from(roles), HOSTILE_TEXT))}
                     for _ in range(draw(st.integers(0, 2)))],
        "refs": [{"rel": draw(mostly(st.just(rel), HOSTILE_TEXT)),
                  "id": draw(mostly(st.sampled_from(SEED_IDS), HOSTILE_TEXT))}
                 for rel in kind.required_refs]
                + [{"rel": draw(mostly(st.sampled_from(list(REF_RELATIONS)), HOSTILE_TEXT)),
                    "id": draw(mostly(st.sampled_from(SEED_IDS), HOSTILE_TEXT))}
                   for _ in range(draw(st.integers(0, 1)))],
        "details": {name: draw(detail_value(type_name, kind.choices.get(name, ())))
                    for name, type_name in kind.details.items() if draw(st.booleans())
                    or name in kind.required_details},
        "certainty": draw(mostly(st.sampled_from(list(CERTAINTY)), st.just("definitely"))),
    }
    if not kind.opens_item or draw(st.booleans()):
        obj["subject"] = draw(mostly(st.sampled_from(SEED_SUBJECTS), HOSTILE_TEXT))
    for _ in range(draw(mostly(st.just(0), st.integers(1, 2)))):  # bend it, now and then
        how = draw(st.integers(0, 2))
        key = draw(st.sampled_from(sorted(obj)))
        if how == 0:
            del obj[key]
        elif how == 1:
            obj[key] = draw(json_values())
        else:
            obj[draw(st.text(max_size=10))] = draw(json_values())
    return obj


# --------------------------------------------------------------------------- the log and a case


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("fuzz") / "log.sqlite"
    tl = open_timeline(str(db))
    tl.import_file(SEED)
    tl.close()
    return db


def head(db: Path) -> tuple[int, str]:
    conn = sqlite3.connect(db)
    try:
        return tuple(conn.execute(  # type: ignore[return-value]
            "SELECT position, hash FROM events ORDER BY position DESC LIMIT 1").fetchone())
    finally:
        conn.close()


def judge(result: Result, db: Path, before: tuple[int, str], command: str,
          most: int = 1) -> str:
    """'accepted' or 'refused'; anything else fails the test."""
    out = result.stdout + result.stderr
    assert "Traceback" not in out, out[:3000]
    assert "unexpected failure" not in result.stderr, result.stderr[:3000]
    assert not RAW_CONTROL.search(out), out[:500]
    if result.exit_code == 0:
        after = head(db)
        assert before[0] <= after[0] <= before[0] + most
        for reading in (["log", "--json"], ["state", "--json"], ["verify"]):
            check = tracker("--db", db, *reading)
            assert check.exit_code == 0, (reading, check.stderr[:2000])
        COUNTS[f"{command} accepted"] += 1
        return "accepted"
    lines = result.stderr.splitlines()
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr[:2000]
    assert len(lines[0]) < 600
    assert head(db) == before
    COUNTS[f"{command} refused"] += 1
    return "refused"


def dumps(obj: Any, indent: int | None = None) -> str:
    """JSON as a careless writer makes it: NaN, Infinity and 5,000-digit integers included."""
    text = json.dumps(obj, allow_nan=True, indent=indent).replace(f'"{BIG}"', "9" * 5000)
    return re.sub(r'"__deep_(\d+)__"', lambda m: "[" * int(m[1]) + "]" * int(m[1]), text)


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``good`` nine times in ten, ``bad`` the tenth: a case bends a field or two, not all."""
    return st.integers(0, 9).flatmap(lambda i: bad if i == 9 else good)


def fresh_ids(obj: Any) -> Any:
    """A well-formed generated id made unique: hypothesis repeats its simplest ids, and a second
    event under the id of the first is a conflict, which would hide every other outcome."""
    if isinstance(obj, dict) and isinstance(obj.get("id"), str) and obj["id"].startswith("fz-"):
        COUNTS["ids"] += 1
        return dict(obj, id=f"{obj['id']}-{os.getpid()}-{COUNTS['ids']}")
    return obj


def run_case(db: Path, folder: Path, command: str, obj: dict[str, Any]) -> None:
    data = dumps(fresh_ids(obj))
    path = folder / ("case.jsonl" if command == "import" else "case.json")
    path.write_text(data + "\n")
    before = head(db)
    COUNTS[f"{command} cases"] += 1
    with bounded(BOUND_S):
        if command == "import":
            result = tracker("--db", db, "import", path)
        else:
            result = tracker("--db", db, "add", "--json", path)
        judge(result, db, before, command)


@SETTINGS
@given(obj=events())
def test_import_of_any_event_of_the_vocabulary_is_accepted_or_refused_cleanly(
        log: Path, tmp_path_factory: pytest.TempPathFactory, obj: dict[str, Any]) -> None:
    run_case(log, tmp_path_factory.getbasetemp(), "import", obj)


@SETTINGS
@given(obj=events())
def test_add_json_of_any_event_of_the_vocabulary_is_accepted_or_refused_cleanly(
        log: Path, tmp_path_factory: pytest.TempPathFactory, obj: dict[str, Any]) -> None:
    run_case(log, tmp_path_factory.getbasetemp(), "add", obj)


@SETTINGS
@given(objs=st.lists(events(), min_size=2, max_size=5))
def test_an_import_of_several_events_is_all_or_nothing(
        log: Path, tmp_path_factory: pytest.TempPathFactory, objs: list[dict[str, Any]]) -> None:
    folder = tmp_path_factory.getbasetemp()
    path = folder / "many.json"
    path.write_text(dumps([fresh_ids(o) for o in objs], indent=1))
    before = head(log)
    COUNTS["import-array cases"] += 1
    with bounded(BOUND_S):
        result = tracker("--db", log, "import", path)
        outcome = judge(result, log, before, "import-array", len(objs))
    assert outcome in ("accepted", "refused")


def test_every_type_of_the_vocabulary_is_fuzzed() -> None:
    """The strategy draws from the vocabulary itself: a type added later is fuzzed too."""
    assert {t.name for t in TYPES} == {t.name for t in event_types()}
    assert len(TYPES) >= 30


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    yield
    target = os.environ.get("TRACKER_FUZZ_REPORT")
    if target:
        with open(target, "a") as fh:
            fh.write(json.dumps(dict(COUNTS)) + "\n")
