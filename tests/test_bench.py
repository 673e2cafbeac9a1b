"""The benchmark harness works (timings are never asserted): the generator makes valid, varied,
deterministic logs, a tiny run produces every figure with its baseline and target, and the
states it times from checkpoints are exactly the states a full projection gives, events learned
late included.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bench import run as bench
from bench.generate import build_log, generate_events, rows_for_baseline
from tracker.app.service import open_timeline
from tracker.codec.state_document import state_to_dict
from tracker.domain.events import EVENT_TYPES
from tracker.domain.fold import Query, State, project
from tracker.domain.input import parse_event

TINY = bench.Sizes(import_n=400, big_n=1500, single_n=5, queries=12, repeat=1)


def test_the_generator_is_deterministic_and_seeded() -> None:
    assert list(generate_events(300, seed=1)) == list(generate_events(300, seed=1))
    assert list(generate_events(300, seed=1)) != list(generate_events(300, seed=2))


def test_generated_events_are_valid_varied_and_refer_only_backwards() -> None:
    objs = list(generate_events(3000, seed=5))
    ids = [o["id"] for o in objs]
    assert len(set(ids)) == len(ids) == 3000
    seen: set[str] = set()
    for o in objs:
        parse_event(o, o["id"])  # every one validates
        for ref in o.get("refs", ()):
            assert ref["id"] in seen, f"{o['id']} refers to a later or unknown entry"
        seen.add(o["id"])
    types = Counter(o["type"] for o in objs)
    assert set(types) == set(EVENT_TYPES)
    rels = {r["rel"] for o in objs for r in o.get("refs", ())}
    assert {"responds_to", "disputes", "part_of", "corrects", "retracts"} <= rels
    actors = {a["name"] for o in objs for a in o.get("actors", ())}
    assert len(actors) >= 200
    exprs = [o["story"] if isinstance(o["story"], str) else o["story"]["expr"] for o in objs]
    assert any(e.startswith("no later than") for e in exprs)
    assert any(".." in e for e in exprs)
    assert any(e.startswith("last ") for e in exprs)


def test_some_events_are_learned_late() -> None:
    late = 0
    for o in generate_events(2000, seed=7):
        event = parse_event(o, o["id"])
        latest = event.story.latest
        if latest and (date.fromisoformat(event.source.published)
                       - date.fromisoformat(latest)).days > 15:
            late += 1
    assert 20 <= late <= 200


def test_build_log_writes_the_generated_events_through_the_append_path(tmp_path: Path) -> None:
    path = tmp_path / "g.sqlite"
    build_log(str(path), 700, seed=3, batch=200)
    timeline = open_timeline(str(path))
    try:
        assert [e.id for e in timeline.all_events()] == [o["id"] for o in generate_events(700, 3)]
        assert timeline.verify().ok
    finally:
        timeline.close()
    rows = rows_for_baseline(50, seed=3)
    assert [r[0] for r in rows] == [o["id"] for o in generate_events(50, 3)]
    assert rows[0][3]["id"] == rows[0][0]


def test_a_tiny_run_produces_every_figure_and_its_states_are_exact(tmp_path: Path) -> None:
    log_events: dict[str, Any] = {}
    checked: Counter[str] = Counter()

    def check(kind: str, where: int | str, state: State) -> None:
        if "events" not in log_events:
            log_path = next(tmp_path.glob("log-*.sqlite"))
            timeline = open_timeline(str(log_path))
            log_events["events"] = timeline.all_events()
            timeline.close()
        events = log_events["events"]
        query = Query(at=int(where)) if kind == "at" else Query(as_of=str(where))
        assert state_to_dict(state) == state_to_dict(project(events, query)), (kind, where)
        checked[kind] += 1

    # The TUI's figures come from bench/tui.py, which has tests of its own (tests/tui).
    groups = ["import", "append", "replay", "states", "export", "disk"]
    figures = bench.run(TINY, quick=True, say=lambda _text: None, out=tmp_path, check=check,
                        only=groups)
    assert checked == {"at": TINY.queries, "as_of": TINY.queries}
    names = [f.name for f in figures]
    for expected in ("bulk import", "vs eventsourcing", "interactive append", "full replay",
                     "state at a random position", "state as of a random story date",
                     "export of", "disk per event"):
        assert any(expected in n for n in names), f"no figure for {expected!r} in {names}"
    for f in figures:
        if f.baseline is not None:
            assert f.ratio == pytest.approx(f.value / f.baseline)
            assert f.met in (True, False)
        assert f.target
    # The cached logs are reused: a second run builds nothing.
    before = sorted(p.name for p in tmp_path.glob("*.sqlite"))
    bench.run(TINY, quick=True, say=lambda _text: None, out=tmp_path, only=["disk"])
    assert sorted(p.name for p in tmp_path.glob("*.sqlite")) == before


def test_the_command_prints_the_table_and_writes_json(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(bench, "QUICK", TINY)
    monkeypatch.setattr(bench, "OUT", tmp_path / "out")
    out = tmp_path / "figures.json"
    assert bench.main(["--quick", "--only", "import,disk", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "bulk import" in printed and "baseline" in printed and "target" in printed
    doc = json.loads(out.read_text())
    assert doc["quick"] is True
    for figure in doc["figures"]:
        assert {"name", "value", "unit", "baseline", "ratio", "target"} <= set(figure)
