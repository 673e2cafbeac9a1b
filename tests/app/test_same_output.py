"""The speed work changes no output: on the same log, ``tracker state --json`` (whole and under each
question), ``tracker export`` and the errors of ``tracker import`` are byte for byte what they were
before it (golden files written by the code before the change).

The log is a frozen SQLite file (``tests/data/golden/log.sqlite.gz``): the seed timeline, 800
generated events of every type and one event whose text bypassed validation (escape sequences, C1
controls, bidirectional overrides), so the escaping of unsafe text is compared too.

    python -m tests.app.test_same_output     # write the golden files again from the code as it is
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.cli_support import ROOT, SEED, ok, tracker

GOLDEN = ROOT / "tests" / "data" / "golden"
FROZEN_LOG = GOLDEN / "log.sqlite.gz"

STATE_QUESTIONS: dict[str, list[str]] = {
    "state": [],
    "state-at-300": ["--at", "300"],
    "state-as-of-2009-06-30": ["--as-of", "2009-06-30"],
    "state-known-at-2010-01-01": ["--known-at", "2010-01-01"],
    "state-recorded-by-2000": ["--recorded-by", "2000-01-01"],
}

#: The parts of an export that say when and from where it was written.
_STAMPS = re.compile(rb'^  "(exported_at|source)": "[^"]*",$', re.MULTILINE)


def thawed_log(folder: Path) -> Path:
    """A private copy of the frozen log."""
    db = folder / "log.sqlite"
    with gzip.open(FROZEN_LOG, "rb") as src, db.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return db


def export_of(db: Path) -> bytes:
    out = ok("--db", db, "export").stdout_bytes
    return _STAMPS.sub(rb'  "\1": "-",', out)


def _lines(objs: list[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(o) + b"\n" for o in objs)


def import_cases(export: bytes) -> dict[str, bytes]:
    """Input files (name -> bytes), each wrong in one way somewhere in the middle, from the
    frozen log's export."""
    doc = orjson.loads(export)
    events: list[dict[str, Any]] = doc["events"]
    clean = [e for e in events if e["id"] != "smuggled"]
    bare = [{k: v for k, v in e.items() if k not in {"position", "recorded_at", "hash"}}
            for e in clean]
    cases: dict[str, bytes] = {}
    cases["export-whole.json"] = export  # the smuggled event is refused on its line
    altered = json.loads(export)
    altered["events"] = altered["events"][:-1]
    altered["events"][400]["summary"] += " (edited)"
    cases["export-altered.json"] = json.dumps(altered, indent=2, ensure_ascii=False).encode()
    short = json.loads(export)
    short["events"] = short["events"][:-1]
    short["head"]["position"] = 999
    cases["export-wrong-head.json"] = json.dumps(short, indent=2, ensure_ascii=False).encode()
    typo = [dict(e) for e in bare]
    typo[450] = {**typo[450], "type": "invitation.extnded"}
    cases["array-bad-type.json"] = json.dumps(typo, indent=1, ensure_ascii=False).encode()
    text = json.dumps(bare, indent=1, ensure_ascii=False)
    cut = text.index('"id": "' + bare[600]["id"])
    cases["array-broken.json"] = (text[:cut] + "oops" + text[cut:]).encode()
    lines = _lines(bare).split(b"\n")
    lines[299] = lines[299][:-7]
    cases["lines-broken.jsonl"] = b"\n".join(lines)
    dup = list(bare)
    dup.insert(500, dup[120])
    cases["lines-duplicate-id.jsonl"] = _lines(dup)
    dangling = [dict(e) for e in bare]
    dangling[200] = {**dangling[200], "refs": [{"rel": "responds_to", "id": "no-such-event"}]}
    cases["lines-dangling-ref.jsonl"] = _lines(dangling)
    baddate = [dict(e) for e in bare]
    baddate[700] = {**baddate[700], "story": "2014-02-30"}
    cases["lines-bad-date.jsonl"] = _lines(baddate)
    data = _lines(bare)
    at = data.index(b'"summary":"', len(data) // 2) + 11
    cases["lines-bad-utf8.jsonl"] = data[:at] + b"\xff\xfe" + data[at:]
    cases["lines-good.jsonl"] = _lines(bare)
    # Two faults: the one a check of the whole input names first is told (a bad entry, then an
    # id given twice, then what the log refuses), wherever the faults are.
    two = [dict(e) for e in bare]
    two[10] = {**two[10], "refs": [{"rel": "responds_to", "id": "no-such-event"}]}
    two[700] = {**two[700], "type": "no.such.type"}
    cases["lines-ref-then-bad-entry.jsonl"] = _lines(two)
    two = [dict(e) for e in bare]
    two[10] = {**two[10], "refs": [{"rel": "responds_to", "id": "no-such-event"}]}
    two.insert(650, two[640])
    cases["lines-ref-then-duplicate.jsonl"] = _lines(two)
    forward = [dict(e) for e in bare]
    forward[20] = {**forward[20], "refs": [{"rel": "responds_to", "id": forward[600]["id"]}]}
    cases["lines-forward-ref.jsonl"] = _lines(forward)
    return cases


def outputs(folder: Path, only_imports: bool = False) -> dict[str, bytes]:
    """Every compared output, by name, on a fresh copy of the frozen log."""
    db = thawed_log(folder)
    out: dict[str, bytes] = {}
    if not only_imports:
        for name, flags in STATE_QUESTIONS.items():
            out[f"{name}.json"] = ok("--db", db, "state", "--json", *flags).stdout_bytes
    export = export_of(db)
    out["export.json"] = export
    errors: dict[str, Any] = {}
    for name, data in import_cases(export).items():
        (folder / name).write_bytes(data)
        target = folder / f"into-{name}.sqlite"
        first = tracker("--db", target, "import", name)
        again = tracker("--db", target, "import", name)
        errors[name] = [first.exit_code, first.stdout, first.stderr.replace(str(target), "LOG"),
                        again.exit_code, again.stdout]
    out["import-results.json"] = json.dumps(errors, indent=2, ensure_ascii=False).encode() + b"\n"
    return out


def test_the_outputs_are_those_from_before_the_speed_work(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the import files are named as the user typed them
    for name, produced in outputs(tmp_path).items():
        expected = (GOLDEN / name).read_bytes()
        assert produced == expected, f"{name} differs from the golden file"


def test_an_import_checked_in_small_chunks_says_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 100 and of 7 events: the same results and the same errors as the golden ones
    (taken from the import that checked the whole input at once)."""
    from tracker.app import service

    monkeypatch.chdir(tmp_path)
    for size in (100, 7):
        monkeypatch.setattr(service, "IMPORT_CHUNK", size)
        folder = tmp_path / str(size)
        folder.mkdir()
        monkeypatch.chdir(folder)
        produced = outputs(folder, only_imports=True)["import-results.json"]
        assert produced == (GOLDEN / "import-results.json").read_bytes(), size


def freeze_log(folder: Path) -> None:  # pragma: no cover - run by hand (see the module doc)
    """Build the log that the golden files are taken from (once; it is then kept as it is)."""
    from bench.generate import generate_events
    from tests.test_hostile_input import smuggle
    from tracker.app.service import open_timeline

    db = folder / "log.sqlite"
    ok("--db", db, "import", SEED)
    tl = open_timeline(str(db))
    try:
        tl.append([tl.parse(o, o["id"]) for o in generate_events(800, seed=11)])
    finally:
        tl.close()
    smuggle(db)
    import sqlite3
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    GOLDEN.mkdir(parents=True, exist_ok=True)
    with db.open("rb") as src, gzip.open(FROZEN_LOG, "wb", compresslevel=9) as dst:
        shutil.copyfileobj(src, dst)


if __name__ == "__main__":  # pragma: no cover
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(HOME=tmp, XDG_CACHE_HOME=f"{tmp}/cache", XDG_DATA_HOME=f"{tmp}/data")
        if not FROZEN_LOG.exists() or "--new-log" in sys.argv:
            (Path(tmp) / "build").mkdir()
            freeze_log(Path(tmp) / "build")
        os.chdir(tmp)
        for name, data in outputs(Path(tmp)).items():
            (GOLDEN / name).write_bytes(data)
            print(f"wrote {GOLDEN / name} ({len(data):,} bytes)")


def test_an_export_entry_decoded_straight_from_its_row_is_the_events(tmp_path: Path) -> None:
    """The export writes each row's JSON from the stored body without building the event:
    exactly what the event would give, on every row of the frozen log and of a log written by
    the first schema (bodies upcast on read)."""
    from tracker.app.service import open_timeline
    from tracker.codec.rows import event_from_row, event_to_dict, row_to_dict

    old = tmp_path / "old.sqlite"
    shutil.copyfile(ROOT / "tests" / "data" / "tracker-0001-seed.sqlite", old)
    for db in (thawed_log(tmp_path), old):
        tl = open_timeline(str(db))
        try:
            rows = list(tl.rows())
        finally:
            tl.close()
        assert rows
        for row in rows:
            assert orjson.dumps(row_to_dict(row)) == orjson.dumps(
                event_to_dict(event_from_row(row), row.hash))
    assert {r.schema_version for r in rows} == {1}
