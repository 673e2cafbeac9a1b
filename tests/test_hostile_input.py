"""Hostile input: whatever is thrown at `tracker import` and `tracker add` — malformed JSON, wrong
types, a megabyte of summary, control characters and escape sequences, invalid UTF-8, dates that
do not exist, reference cycles, ids given twice — gets exactly one line on stderr starting
"Error: ", a non-zero exit, no traceback, and leaves the log as it was (count and head hash).
Text already in a database that bypassed validation never reaches the terminal raw.

Issue 4, "Must show" 6. Hypothesis drives the CLI in process (typer's CliRunner); a sample of
the same inputs also goes through the real `python -m tracker` process.
"""

from __future__ import annotations

import copy
import json
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest.mock import patch

import orjson
import pytest
import typer.main
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import Result

from tests.cli_support import ROOT, SEED, ok, runner
from tracker.app.service import open_timeline
from tracker.cli import app
from tracker.codec.rows import encode_body
from tracker.domain.input import parse_event
from tracker.store.recorder import GENESIS_HASH, chain_hash

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

#: What no byte of output may hold: C0 controls but newline, DEL, C1 controls, bidi overrides.
RAW_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

VALID: dict[str, Any] = {
    "id": "hostile-1",
    "type": "invitation.declined",
    "story": "last Friday",
    "summary": "Kerry declines the invitation to Moscow",
    "source": {"outlet": "McClatchy", "published": "2014-03-10", "speaker": "Jen Psaki",
               "quote": "no plans to travel"},
    "actors": [{"name": "John Kerry", "role": "invitee"}],
    "refs": [{"rel": "responds_to", "id": "kl-02-moscow-invitation"}],
    "details": {"reason": "no seriousness shown"},
    "certainty": "probable",
}


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    db = tmp_path_factory.mktemp("hostile") / "log.sqlite"
    tl = open_timeline(str(db))
    tl.import_file(SEED)
    tl.close()
    yield db


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("inputs")


COMMAND = typer.main.get_command(app)


def tracker(*args: str | Path) -> Result:
    """`tracker ARGS...` in process as tests.cli_support runs it, but with the click command
    built once rather than per call (hundreds of invocations follow)."""
    with patch("typer.testing._get_command", lambda _app: COMMAND):
        return runner.invoke(app, [str(a) for a in args])


def head(db: Path) -> tuple[int, str]:
    """The log's head read by a plain connection (no migration check: nothing may change)."""
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT position, hash FROM events ORDER BY position DESC LIMIT 1")
        return tuple(row.fetchone())  # type: ignore[return-value]
    finally:
        conn.close()


def assert_refused(stdout: str, stderr: str, exit_code: int, db: Path,
                   before: tuple[int, str]) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr[:2000]
    assert lines[0].startswith("Error: ")
    assert len(lines[0]) < 600, "an error is one short line, not an echo of the input"
    assert exit_code not in (0, None)
    assert "Traceback" not in stdout + stderr
    assert "unexpected failure" not in stderr
    assert not RAW_CONTROL.search(stdout + stderr)
    assert head(db) == before
    return lines[0]


def import_bytes(db: Path, folder: Path, data: bytes) -> str:
    before = head(db)
    path = folder / "input.jsonl"
    path.write_bytes(data)
    result = tracker("--db", db, "import", path)
    return assert_refused(result.stdout, result.stderr, result.exit_code, db, before)


def add_bytes(db: Path, folder: Path, data: bytes) -> str:
    before = head(db)
    path = folder / "event.json"
    path.write_bytes(data)
    result = tracker("--db", db, "add", "--json", path)
    return assert_refused(result.stdout, result.stderr, result.exit_code, db, before)


def both(db: Path, folder: Path, obj: Any) -> tuple[str, str]:
    """Import a one-event file and add the same event: both refused alike."""
    data = json.dumps(obj).encode()  # not orjson: integers beyond 64 bits are hostile too
    return import_bytes(db, folder, data + b"\n"), add_bytes(db, folder, data)


def test_the_valid_event_is_valid() -> None:
    """The hostile cases below are mutations of this event; it must itself be fine."""
    assert parse_event(copy.deepcopy(VALID), "event").certainty == "probable"


# --------------------------------------------------------------------------- malformed JSON


@SETTINGS
@given(st.binary(max_size=300))
@example(b"")
@example(b"{")
@example(b'{"id": "x", "type": ')
@example(b"[1, 2,")
@example(b"[]")
@example(b"null")
@example(b'"just a string"')
@example(b"// only a comment\n")
@example(b"\xef\xbb\xbf")
def test_any_bytes_that_are_not_events_are_refused(log: Path, folder: Path, data: bytes) -> None:
    import_bytes(log, folder, data)
    add_bytes(log, folder, data)


@SETTINGS
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_any_text_is_refused_on_one_line(log: Path, folder: Path, text: str) -> None:
    import_bytes(log, folder, text.encode())


# --------------------------------------------------------------------------- wrong types

NOT_STRING = st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans(),
                       st.lists(st.integers(), max_size=3),
                       st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))
NOT_LIST = st.one_of(st.integers(), st.booleans(), st.text(min_size=1, max_size=5),
                     st.dictionaries(st.text(max_size=5), st.integers(), min_size=1, max_size=2))
FIELDS: dict[tuple[str, ...], st.SearchStrategy[Any]] = {
    ("id",): NOT_STRING,
    ("type",): st.one_of(NOT_STRING, st.none()),
    ("story",): st.one_of(st.integers(), st.booleans(), st.none(),
                          st.lists(st.text(max_size=3), max_size=2)),
    ("summary",): st.one_of(NOT_STRING, st.none()),
    ("source",): st.one_of(NOT_STRING.filter(lambda v: not isinstance(v, dict)), st.none()),
    ("source", "outlet"): st.one_of(NOT_STRING, st.none()),
    ("source", "published"): st.one_of(NOT_STRING, st.none()),
    ("source", "quote"): NOT_STRING,
    ("source", "on_record"): st.one_of(st.integers(), st.text(max_size=5)),
    ("actors",): NOT_LIST,
    ("refs",): NOT_LIST,
    ("details",): st.one_of(st.integers(), st.text(min_size=1, max_size=5),
                            st.lists(st.integers(), min_size=1, max_size=2)),
    ("details", "reason"): NOT_STRING,
    ("certainty",): st.one_of(NOT_STRING, st.text(max_size=10).filter(
        lambda v: v.strip() not in ("", "certain", "probable", "possible"))),
    ("place",): NOT_STRING,
    ("schema_version",): st.one_of(st.integers().filter(lambda v: not 1 <= v <= 2),
                                   st.text(max_size=3), st.booleans()),
}


def mutate(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    obj = copy.deepcopy(VALID)
    target = obj
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return obj


@SETTINGS
@given(st.sampled_from(sorted(FIELDS)).flatmap(
    lambda path: st.tuples(st.just(path), FIELDS[path])))
def test_a_field_of_the_wrong_type_is_refused(log: Path, folder: Path,
                                              case: tuple[tuple[str, ...], Any]) -> None:
    path, value = case
    both(log, folder, mutate(path, value))


@SETTINGS
@given(st.dictionaries(st.text(min_size=1, max_size=20), st.integers(), min_size=1, max_size=3)
       .filter(lambda d: not set(d) <= set(VALID)))
def test_unknown_fields_are_refused(log: Path, folder: Path, extra: dict[str, int]) -> None:
    obj = copy.deepcopy(VALID) | {k: v for k, v in extra.items() if k not in VALID}
    both(log, folder, obj)


# --------------------------------------------------------------------------- sizes


@SETTINGS
@given(st.sampled_from([2_001, 1_000_000]),
       st.sampled_from([("summary",), ("source", "quote"), ("type",), ("id",), ("story",),
                        ("certainty",), ("source", "published")]))
def test_a_megabyte_of_text_is_refused_on_one_short_line(log: Path, folder: Path, size: int,
                                                         path: tuple[str, ...]) -> None:
    line, _ = both(log, folder, mutate(path, "x" * size))
    assert "x" * 100 not in line


# --------------------------------------------------------------------------- control characters

CONTROL_CHARS = st.one_of(
    st.characters(min_codepoint=0, max_codepoint=0x1F),
    st.characters(min_codepoint=0x7F, max_codepoint=0x9F),
    st.sampled_from(["\u202e", "\u2066", "\u2028"]),
    st.sampled_from(["\x1b[31m", "\x1b[2J", "\x1b]0;pwned\x07", "\x1b[?1049h", "\x9b31m"]),
)
TEXT_FIELDS = [("summary",), ("place",), ("source", "outlet"), ("source", "quote"),
               ("source", "speaker"), ("details", "reason"), ("id",), ("story",)]


@SETTINGS
@given(st.sampled_from(TEXT_FIELDS), CONTROL_CHARS)
@example(("source", "quote"), "\x1b[31m")
def test_control_characters_and_escape_sequences_are_refused(
    log: Path, folder: Path, path: tuple[str, ...], bad: str
) -> None:
    line, _ = both(log, folder, mutate(path, f"Kerry {bad} declines"))
    assert "\x1b" not in line


@SETTINGS
@given(CONTROL_CHARS)
def test_escape_sequences_in_a_field_name_do_not_reach_the_terminal(log: Path, folder: Path,
                                                                    bad: str) -> None:
    line, _ = both(log, folder, copy.deepcopy(VALID) | {f"note{bad}": "x"})
    assert line.startswith("Error: ") and "unknown field" in line


# --------------------------------------------------------------------------- invalid UTF-8


@SETTINGS
@given(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80",
                        b"\xe2\x82", b"\x80"]),
       st.integers(min_value=0, max_value=40))
def test_invalid_utf8_is_refused(log: Path, folder: Path, bad: bytes, at: int) -> None:
    good = orjson.dumps(VALID)
    line = import_bytes(log, folder, good[:at] + bad + good[at:] + b"\n")
    assert "not valid UTF-8" in line or "not valid JSON" in line
    add_bytes(log, folder, good[:at] + bad + good[at:])


# --------------------------------------------------------------------------- dates


@st.composite
def impossible_dates(draw: st.DrawFn) -> str:
    year = draw(st.integers(min_value=1900, max_value=2100))
    month = draw(st.integers(min_value=1, max_value=12))
    days = [31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28,
            31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    kind = draw(st.sampled_from(["day", "month", "zero"]))
    if kind == "day":
        return f"{year}-{month:02d}-{draw(st.integers(min_value=days + 1, max_value=39)):02d}"
    if kind == "month":
        return f"{year}-{draw(st.integers(min_value=13, max_value=99))}-01"
    return f"{year}-{month:02d}-00"


@SETTINGS
@given(impossible_dates(), st.sampled_from(["story", "published", "anchor"]))
@example("2014-02-30", "story")
@example("2013-02-29", "published")
def test_dates_that_do_not_exist_are_refused(log: Path, folder: Path, date: str,
                                             where: str) -> None:
    if where == "story":
        obj = mutate(("story",), date)
    elif where == "published":
        obj = mutate(("source", "published"), date)
    else:
        obj = mutate(("story",), {"expr": "last Friday", "anchor": date})
    line, _ = both(log, folder, obj)
    assert date in line


# --------------------------------------------------------------------------- references and ids


def chain_of(n: int, cycle: bool) -> list[dict[str, Any]]:
    events = []
    for k in range(n):
        obj = copy.deepcopy(VALID) | {"id": f"loop-{k}", "type": "statement.made",
                                      "subject": f"statement:loop-{k}",
                                      "actors": [{"name": "Sergey Lavrov", "role": "speaker"}],
                                      "details": {}}
        obj["refs"] = [{"rel": "about", "id": f"loop-{(k + 1) % n if cycle else k + 1}"}]
        events.append(obj)
    return events


@SETTINGS
@given(st.integers(min_value=1, max_value=6))
def test_reference_cycles_are_refused(log: Path, folder: Path, n: int) -> None:
    events = chain_of(n, cycle=True)
    data = b"".join(orjson.dumps(e) + b"\n" for e in events)
    line = import_bytes(log, folder, data)
    assert "cannot refer to itself" in line if n == 1 else "comes later in this input" in line
    import_bytes(log, folder, orjson.dumps(events))  # as a JSON array too


@SETTINGS
@given(st.integers(min_value=2, max_value=5), st.booleans())
def test_an_id_given_twice_in_one_file_is_refused(log: Path, folder: Path, copies: int,
                                                  same: bool) -> None:
    events = []
    for k in range(copies):
        obj = copy.deepcopy(VALID)
        if not same:
            obj["summary"] = f"Kerry declines, take {k}"
        events.append(obj)
    line = import_bytes(log, folder, b"".join(orjson.dumps(e) + b"\n" for e in events))
    assert "appears twice in this input" in line


def test_one_bad_event_among_many_good_ones_writes_nothing(log: Path, folder: Path) -> None:
    good = [copy.deepcopy(VALID) | {"id": f"good-{k}"} for k in range(50)]
    bad = mutate(("story",), "2014-02-30") | {"id": "bad"}
    line = import_bytes(log, folder, b"".join(orjson.dumps(e) + b"\n" for e in [*good, bad]))
    assert line.startswith(f"Error: {folder / 'input.jsonl'} line 51: ")


# --------------------------------------------------------------------------- add with options


@SETTINGS
@given(st.sampled_from(["--summary", "--outlet", "--speaker", "--quote", "--place"]),
       CONTROL_CHARS.filter(lambda c: c not in ("\x00",)))
def test_add_with_options_refuses_control_characters(log: Path, flag: str, bad: str) -> None:
    before = head(log)
    args = {"--summary": "Kerry declines", "--outlet": "McClatchy", "--speaker": "Psaki",
            "--quote": "no plans", "--place": "Washington"}
    args[flag] = f"Kerry {bad} declines"
    argv = ["--db", str(log), "add", "--type", "statement.made", "--story", "2014-03-10",
            "--published", "2014-03-10", "--actor", "John Kerry:speaker"]
    for key, value in args.items():
        argv += [key, value]
    result = tracker(*argv)
    assert_refused(result.stdout, result.stderr, result.exit_code, log, before)


# --------------------------------------------------------------------------- real processes

PROCESS_CASES = {
    "malformed-json": b'{"id": "x", "type": \n',
    "invalid-utf8": orjson.dumps(VALID)[:30] + b"\xff\xfe" + orjson.dumps(VALID)[30:] + b"\n",
    "escape-sequence": orjson.dumps(mutate(("source", "quote"), "\x1b[31mred\x1b[0m")) + b"\n",
    "megabyte-summary": orjson.dumps(mutate(("summary",), "x" * 1_000_000)) + b"\n",
    "impossible-date": orjson.dumps(mutate(("story",), "2014-02-30")) + b"\n",
    "reference-cycle": b"".join(orjson.dumps(e) + b"\n" for e in chain_of(3, cycle=True)),
    "duplicate-ids": orjson.dumps(VALID) + b"\n" + orjson.dumps(VALID) + b"\n",
}


@pytest.mark.parametrize(
    ("case", "command"),
    [*((case, "import") for case in sorted(PROCESS_CASES)),
     *((case, "add") for case in ("escape-sequence", "invalid-utf8", "megabyte-summary"))],
)
def test_the_real_process_refuses_hostile_input_on_one_line(log: Path, folder: Path,
                                                            case: str, command: str) -> None:
    before = head(log)
    path = folder / f"{case}.jsonl"
    path.write_bytes(PROCESS_CASES[case])
    argvs = [["import", str(path)]] if command == "import" else [["add", "--json", "-"]]
    for argv in argvs:
        done = subprocess.run(
            [sys.executable, "-m", "tracker", "--db", str(log), *argv],
            input=PROCESS_CASES[case] if argv[-1] == "-" else None,
            capture_output=True, timeout=120, cwd=ROOT, check=False,
        )
        stdout, stderr = (done.stdout.decode("utf-8", "replace"),
                          done.stderr.decode("utf-8", "replace"))
        assert_refused(stdout, stderr, done.returncode, log, before)


def test_the_real_process_refuses_invalid_utf8_in_arguments(log: Path) -> None:
    before = head(log)
    done = subprocess.run(
        [sys.executable.encode(), b"-m", b"tracker", b"--db", str(log).encode(), b"add",
         b"--type", b"statement.made", b"--story", b"2014-03-10", b"--published", b"2014-03-10",
         b"--outlet", b"McClatchy", b"--summary", b"Kerry \xff\xfe declines"],
        capture_output=True, timeout=120, cwd=ROOT, check=False,
    )
    assert_refused(done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"),
                   done.returncode, log, before)


# --------------------------------------------------------------------------- text in the database

RAW_TEXT = "Kerry \x1b[31mdeclines\x1b[0m \x1b]0;pwned\x07 \u202eecnalav\u202c \x9b2J end"


def smuggle(db: Path) -> None:
    """Append an event whose text never went through validation, as a bypassing writer could
    (INSERT is what the log allows; the triggers stop only UPDATE and DELETE). Its hash is
    computed properly, so the log still verifies: only the display defends the terminal."""
    tl = open_timeline(str(db))
    try:
        position, prev = tl.head()
        obj = copy.deepcopy(VALID) | {"id": "smuggled", "story": "2014-03-12"}  # last in story
        event = parse_event(obj, "event")
        event = event._replace(
            summary=RAW_TEXT, place=RAW_TEXT,
            source=event.source._replace(quote=RAW_TEXT, speaker=RAW_TEXT),
            subject="invitation:kerry-to-moscow",
        )
    finally:
        tl.close()
    recorded = "2026-11-28T00:00:00.000000Z"
    new = (event.id, event.type, 2, event.subject, event.story.earliest, event.story.latest,
           event.source.published, encode_body(event))
    digest = chain_hash(prev or GENESIS_HASH, position + 1, new, recorded)
    conn = sqlite3.connect(db)
    try:
        with conn:
            conn.execute(
                "INSERT INTO events (position, id, type, schema_version, subject, story_earliest, "
                "story_latest, published, recorded_at, body, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (position + 1, *new[:7], recorded, new[7], digest),
            )
    finally:
        conn.close()


@pytest.mark.parametrize(
    "argv",
    [["log"], ["log", "--order", "recorded"], ["state"], ["log", "--json"], ["state", "--json"],
     ["export"]],
    ids=lambda a: " ".join(a),
)
def test_text_that_bypassed_validation_is_never_printed_raw(tmp_path: Path,
                                                            argv: list[str]) -> None:
    db = tmp_path / "smuggled.sqlite"
    ok("--db", db, "import", SEED)
    smuggle(db)
    assert ok("--db", db, "verify").stdout.startswith("OK: 18 events")
    out = ok("--db", db, *argv).stdout
    assert not RAW_CONTROL.search(out), repr(RAW_CONTROL.search(out))
    assert "declines" in out or "smuggled" in out


def plain_texts(renderable: Any) -> list[str]:
    """The plain strings inside a Rich renderable (Text, Group...), before any console."""
    if hasattr(renderable, "plain"):
        return [renderable.plain]
    return [t for r in getattr(renderable, "renderables", ()) for t in plain_texts(r)]


def test_text_that_bypassed_validation_never_reaches_the_tui_raw(tmp_path: Path) -> None:
    """The TUI's side, headless: the smuggled event in the timeline row, its detail and the
    state pane carry no raw control character (the TUI's own tests cover markup)."""
    import asyncio

    from tests.tui.conftest import cursor_row, press, settle, text_of_main
    from tracker.tui.app import TrackerApp

    db = tmp_path / "smuggled.sqlite"
    ok("--db", db, "import", SEED)
    smuggle(db)
    tl = open_timeline(str(db))

    async def look() -> list[str]:
        app = TrackerApp(tl)
        async with app.run_test(size=(200, 50)) as pilot:
            await settle(pilot)
            await press(pilot, "G")
            detail = app.main.query_one("#detail").content  # type: ignore[attr-defined]
            seen = [cursor_row(app), text_of_main(app, "#detail"), *plain_texts(detail)]
            await press(pilot, "s")
            seen.append(text_of_main(app, "#state"))
            return seen

    try:
        seen = asyncio.run(look())
    finally:
        tl.close()
    assert "declines" in seen[0] and "end" in seen[1]
    for text in seen:
        assert not RAW_CONTROL.search(text), repr(text)
