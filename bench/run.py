"""The tracker's benchmarks: each figure next to its baseline, measured in the same run on the same
generated events, the ratio, and the target (issue 5). Timings never fail anything.

    python -m bench               # the full run (100k import, 1M replay/export/states)
    python -m bench --quick       # small sizes, under a minute (what CI runs)
    python -m bench --json out.json

Generated logs are cached under ``bench/out/`` keyed by size, seed and the version of the code
that shapes stored rows, so a second full run does not rebuild its 1M-event log.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python bench/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import baselines
from bench.generate import generate_events
from tracker.app.collector import paused_gc
from tracker.app.service import Timeline, open_timeline
from tracker.codec import document
from tracker.codec.rows import event_from_row
from tracker.domain.events import Event
from tracker.domain.fold import State, latest_possible
from tracker.domain.input import parse_event
from tracker.readmodels.checkpoints import Checkpoints

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
SEED = 7

#: Files whose content shapes the generated events and the tables they are stored in: a change to
#: any of them (or to a migration) rebuilds the cached logs. Speed work on the append path does
#: not: a log it wrote reads the same.
SHAPING = ("bench/generate.py", "tracker/domain/events.py", "tracker/domain/dates.py", "tracker/store/tables.py")


@dataclass(frozen=True)
class Sizes:
    import_n: int  # bulk import
    big_n: int  # replay, states, export, disk
    single_n: int  # interactive appends
    queries: int  # random states asked for
    repeat: int  # runs per timed case (best kept)


FULL = Sizes(import_n=100_000, big_n=1_000_000, single_n=300, queries=200, repeat=2)
QUICK = Sizes(import_n=3_000, big_n=10_000, single_n=40, queries=40, repeat=1)


@dataclass
class Figure:
    """One measured figure. ``ratio`` = value / baseline; ``target`` in words; ``limit`` is the
    largest ratio (or, without a baseline, the largest value) that meets it."""

    name: str
    value: float
    unit: str
    baseline: float | None
    ratio: float | None
    target: str
    limit: float | None = None
    note: str = ""

    @property
    def met(self) -> bool | None:
        if self.limit is None:
            return None
        measured = self.ratio if self.baseline is not None else self.value
        if measured is None:
            return None
        return measured <= self.limit

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["met"] = self.met
        return out


def ratio_figure(name: str, value: float, unit: str, baseline: float, limit: float,
                 target: str, note: str = "") -> Figure:
    return Figure(name, value, unit, baseline, value / baseline if baseline else None, target,
                  limit, note)


# --------------------------------------------------------------------------- helpers


def code_version() -> str:
    digest = hashlib.sha256()
    for rel in SHAPING:
        digest.update((ROOT / rel).read_bytes())
    for path in sorted((ROOT / "migrations" / "versions").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def best_of(repeat: int, run: Callable[[], float]) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        times.append(run())
    return min(times)


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def raw_rows(objs: Iterable[dict[str, Any]]) -> list[baselines.RawRow]:
    return [(o["id"], o["type"], o["source"]["published"], o) for o in objs]


def subjects_of(objs: Sequence[dict[str, Any]]) -> list[str]:
    """The item each event is about, as admission resolves it (for the eventsourcing streams)."""
    known: dict[str, str] = {}
    out = []
    for o in objs:
        subject = o.get("subject")
        if subject is None:
            for ref in o.get("refs", ()):
                if ref["id"] in known:
                    subject = known[ref["id"]]
                    break
        subject = subject or o["id"]
        known[o["id"]] = subject
        out.append(subject)
    return out


def cached_logs(n: int, seed: int, say: Callable[[str], None], out: Path = OUT
                ) -> tuple[Path, Path]:
    """(tracker log, raw rows) of ``n`` generated events, built once per code version."""
    out.mkdir(parents=True, exist_ok=True)
    key = f"{n}-{seed}-{code_version()}"
    log, raw = out / f"log-{key}.sqlite", out / f"raw-{key}.sqlite"
    if log.exists() and raw.exists():
        return log, raw
    for stale in out.glob(f"*-{n}-{seed}-*.sqlite*"):
        stale.unlink()
    say(f"building the {n:,}-event logs (cached in {out})...")
    started = time.perf_counter()
    tmp_log, tmp_raw = log.with_suffix(".building"), raw.with_suffix(".building")
    baselines.remove_db(tmp_log)
    baselines.remove_db(tmp_raw)
    timeline = open_timeline(str(tmp_log))
    conn = baselines.connect(tmp_raw)
    conn.execute(baselines.RAW_DDL)
    try:
        chunk: list[dict[str, Any]] = []

        def flush() -> None:
            timeline.append([parse_event(o, o["id"]) for o in chunk])
            conn.execute("BEGIN")
            conn.executemany(baselines.INSERT, [
                (i, t, p, json.dumps(o, separators=(",", ":"), ensure_ascii=False))
                for i, t, p, o in raw_rows(chunk)
            ])
            conn.execute("COMMIT")
            chunk.clear()

        for obj in generate_events(n, seed):
            chunk.append(obj)
            if len(chunk) >= 50_000:
                flush()
        if chunk:
            flush()
    finally:
        timeline.close()
        conn.close()
    for src, dst in ((tmp_log, log), (tmp_raw, raw)):
        checkpoint = sqlite3.connect(src)
        checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        checkpoint.close()
        baselines.remove_db(Path(f"{src}-wal"))
        src.replace(dst)
    say(f"  built in {time.perf_counter() - started:.0f} s")
    return log, raw


# --------------------------------------------------------------------------- the figures


@contextmanager
def fresh_timeline(path: Path) -> Iterator[Timeline]:
    """A new, empty log at ``path`` (created and migrated outside any timing)."""
    baselines.remove_db(path)
    timeline = open_timeline(str(path))
    try:
        yield timeline
    finally:
        timeline.close()


def bulk_import(sizes: Sizes, tmp: Path, say: Callable[[str], None]) -> list[Figure]:
    objs = list(generate_events(sizes.import_n, SEED))
    rows = raw_rows(objs)
    data = document.Input([document.Entry(o["id"], o) for o in objs], None, "array")

    def ours() -> float:
        with fresh_timeline(tmp / "import.sqlite") as timeline:
            start = time.perf_counter()
            report = timeline.import_input(data)
            seconds = time.perf_counter() - start
        assert len(report.added) == len(objs)
        return seconds

    n = len(objs)
    say(f"bulk import of {n:,} events...")
    mine = best_of(sizes.repeat, ours)
    raw = best_of(sizes.repeat, lambda: baselines.bulk_insert(tmp / "raw-import.sqlite", rows))
    figures = [ratio_figure(
        f"bulk import {n:,} (parse, validate, admit, append, hash chain)", mine, "s", raw, 2.0,
        "<= 2x raw sqlite3 executemany + JSON, one transaction",
        f"{n / mine:,.0f} events/s",
    )]
    version = baselines.eventsourcing_version()
    if version is None:
        figures.append(Figure("bulk import vs eventsourcing", mine, "s", None, None,
                              "faster than eventsourcing 9.x", None,
                              "skipped: eventsourcing is not installed (pip install -e '.[dev]')"))
    else:
        subjects = subjects_of(objs)
        es = best_of(sizes.repeat, lambda: baselines.eventsourcing_append(
            tmp / "es-import.sqlite", rows, subjects))
        figures.append(ratio_figure(
            f"bulk import {n:,} vs eventsourcing {version}", mine, "s", es, 1.0,
            "faster than eventsourcing (SQLite, one save of all aggregates)",
            f"eventsourcing {n / es:,.0f} events/s, {es / raw:.1f}x raw; "
            f"{len(set(subjects)):,} aggregates",
        ))
    return figures


def replay(sizes: Sizes, log: Path, raw: Path, say: Callable[[str], None]) -> list[Figure]:
    say(f"full replay of {sizes.big_n:,} events...")

    def ours() -> float:
        timeline = open_timeline(str(log))
        try:
            start = time.perf_counter()
            state = timeline.state()
            seconds = time.perf_counter() - start
            assert state.size == sizes.big_n
        finally:
            timeline.close()
        return seconds

    mine = best_of(sizes.repeat, ours)
    base = best_of(sizes.repeat, lambda: baselines.read_decode(raw)[0])
    return [ratio_figure(
        f"full replay of {sizes.big_n:,} into state", mine, "s", base, 2.0,
        "<= 2x sqlite3 read + json.loads of the same rows (issue 14; issue 5 asked 2.5x)",
        f"{sizes.big_n / mine:,.0f} events/s",
    )]


def _events_of(timeline: Timeline, sql: str, params: Sequence[Any] = ()) -> Iterable[Event]:
    conn = timeline.engine.raw_connection()
    try:
        cur = conn.cursor()
        cur.execute(sql, params)
        while True:
            chunk = cur.fetchmany(5000)
            if not chunk:
                break
            for row in chunk:
                yield event_from_row(row)
        cur.close()
    finally:
        conn.close()


def states(sizes: Sizes, log: Path, say: Callable[[str], None],
           check: Callable[[str, int | str, State], None] | None = None) -> list[Figure]:
    """State at a random log position and as of a random story date, from checkpoints.

    ``check(kind, where, state)`` (tests) compares sampled states with a full projection.
    """
    rng = random.Random(SEED)
    timeline = open_timeline(str(log))
    figures = []
    try:
        n = timeline.count()
        say(f"state at a random position of {n:,} (checkpoints)...")
        start = time.perf_counter()
        with paused_gc():  # as the app builds them
            by_position = Checkpoints(timeline.events(),
                                      lambda a, b: list(timeline.events(a, b)))
        built = time.perf_counter() - start
        times = []
        for _ in range(sizes.queries):
            at = rng.randint(0, n)
            t0 = time.perf_counter()
            state = by_position.state_at(at)
            times.append(time.perf_counter() - t0)
            if check is not None:
                check("at", at, state)
        del by_position
        gc.collect()
        figures.append(Figure(
            f"state at a random position of {n:,}, p95", p95(times) * 1000, "ms", None, None,
            "p95 < 20 ms", 20.0,
            f"median {statistics.median(times) * 1000:.1f} ms; checkpoints built in {built:.1f} s",
        ))

        say(f"state as of a random story date of {n:,} (checkpoints)...")
        # As of date D admits the events whose latest possible date (their own, or that of an
        # answer to them: tracker.domain.fold.latest_possible) is on or before D: in the order
        # of (latest possible, position) that is a prefix, whatever order they reached the log in.
        dated = list(timeline.recorder.read_times(0, n))
        references = [(p, t) for p, _rel, t in timeline.recorder.read_references(0, n)]
        possible = latest_possible(((p, latest) for p, latest, _pub, _rec in dated),
                                   references, n)
        keyed = sorted((day, position) for position, day in enumerate(possible)
                       if day is not None)
        del dated, references, possible
        positions = [p for _, p in keyed]
        latests = [d for d, _ in keyed]
        del keyed

        def fetch(a: int, b: int) -> list[Event]:
            rows = timeline.recorder.read_positions(positions[a:b])
            return [event_from_row(rows[p]) for p in positions[a:b]]

        def in_date_order() -> Iterator[Event]:
            for a in range(0, len(positions), 2000):
                yield from fetch(a, a + 2000)

        start = time.perf_counter()
        with paused_gc():
            by_date = Checkpoints(in_date_order(), fetch)
        built = time.perf_counter() - start
        lo, hi = latests[0], latests[-1]
        days = _days_between(lo, hi)
        times = []
        for _ in range(sizes.queries):
            day = _add_days(lo, rng.randint(0, days))
            t0 = time.perf_counter()
            state = by_date.state_at(bisect_right(latests, day))
            times.append(time.perf_counter() - t0)
            if check is not None:
                check("as_of", day, state)
        figures.append(Figure(
            f"state as of a random story date of {n:,}, p95", p95(times) * 1000, "ms", None,
            None, "p95 < 20 ms", 20.0,
            f"median {statistics.median(times) * 1000:.1f} ms; checkpoints built in {built:.1f} s",
        ))
    finally:
        timeline.close()
    return figures


def _days_between(a: str, b: str) -> int:
    from datetime import date

    return (date.fromisoformat(b) - date.fromisoformat(a)).days


def _add_days(a: str, days: int) -> str:
    from datetime import date, timedelta

    return (date.fromisoformat(a) + timedelta(days=days)).isoformat()


def interactive_append(sizes: Sizes, tmp: Path, say: Callable[[str], None]) -> list[Figure]:
    objs = list(generate_events(sizes.single_n, SEED + 4))
    rows = raw_rows(objs)
    say(f"{len(objs)} interactive appends (one event, one durable transaction each)...")

    def ours() -> float:
        with fresh_timeline(tmp / "single.sqlite") as timeline:
            start = time.perf_counter()
            for obj in objs:
                timeline.add(obj)
            return time.perf_counter() - start

    mine = best_of(sizes.repeat, ours)
    raw = best_of(sizes.repeat, lambda: baselines.single_inserts(tmp / "raw-single.sqlite", rows))
    sync = _synchronous_of_ours(tmp)
    conn = baselines.connect(tmp / "raw-single.sqlite")
    raw_sync = baselines.synchronous(conn)
    conn.close()
    per = len(objs)
    return [ratio_figure(
        "one interactive append (durable)", mine / per * 1000, "ms", raw / per * 1000, 1.5,
        "<= 1.5x raw sqlite3 single-row insert + commit",
        f"WAL; synchronous={sync} (tracker) / {raw_sync} (raw); mean of {per}",
    )]


def _synchronous_of_ours(tmp: Path) -> int:
    timeline = open_timeline(str(tmp / "single.sqlite"))
    try:
        conn = timeline.engine.raw_connection()
        try:
            cur = conn.cursor()
            cur.execute("PRAGMA synchronous")
            row = cur.fetchone()
            value = int(row[0]) if row else 0
            cur.close()
            return value
        finally:
            conn.close()
    finally:
        timeline.close()


def export(sizes: Sizes, log: Path, raw: Path, tmp: Path, say: Callable[[str], None]) -> list[Figure]:
    say(f"export of {sizes.big_n:,} events to JSON...")

    def ours() -> float:
        timeline = open_timeline(str(log))
        try:
            start = time.perf_counter()
            written = timeline.export_to(tmp / "export.json")
            seconds = time.perf_counter() - start
            assert written == sizes.big_n
            return seconds
        finally:
            timeline.close()

    mine = best_of(sizes.repeat, ours)
    base = best_of(sizes.repeat, lambda: baselines.dump_orjson(raw, tmp / "raw-export.json"))
    size = (tmp / "export.json").stat().st_size
    return [ratio_figure(
        f"export of {sizes.big_n:,} to JSON", mine, "s", base, 2.0,
        "<= 2x reading the rows and dumping them with orjson",
        f"{size / sizes.big_n:,.0f} bytes/event exported (with the state document)",
    )]


def disk(sizes: Sizes, log: Path, raw: Path) -> list[Figure]:
    mine = baselines.file_bytes(log) / sizes.big_n
    base = baselines.file_bytes(raw) / sizes.big_n
    return [ratio_figure(
        f"disk per event at {sizes.big_n:,}", mine, "B", base, 1.5,
        "<= 1.5x the raw rows (JSON payload, no index)",
        "tracker: body + columns + hash + id and certainty indexes",
    )]


def tui_figures(sizes: Sizes, quick: bool, say: Callable[[str], None]) -> list[Figure]:
    try:
        from bench import tui
    except ImportError:
        return [Figure("TUI open time and step latency", 0.0, "", None, None, "see the TUI issue",
                       None, "skipped: bench/tui.py is not there yet")]
    say("TUI figures...")
    out = []
    wanted = [sizes.big_n] if quick else [sizes.import_n, sizes.big_n]
    for d in tui.run(wanted, quick):
        out.append(Figure(
            d["name"], float(d["value"]), d.get("unit", ""), d.get("baseline"), d.get("ratio"),
            d.get("target", ""), d.get("limit"), d.get("note", ""),
        ))
    return out


# --------------------------------------------------------------------------- driver


def environment() -> dict[str, str]:
    def ver(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "n/a"

    return {
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "orjson": ver("orjson"),
        "eventsourcing": ver("eventsourcing"),
        "machine": f"{platform.machine()} x{os.cpu_count()}",
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def run(sizes: Sizes, quick: bool, say: Callable[[str], None] = print,
        only: Sequence[str] | None = None, out: Path | None = None,
        check: Callable[[str, int | str, State], None] | None = None) -> list[Figure]:
    """Every figure, in order. ``only`` picks groups by name (import, replay, states, append,
    export, disk, tui); ``out`` holds the cached logs; ``check`` sees sampled states."""
    wanted = set(only or ("import", "replay", "states", "append", "export", "disk", "tui"))
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as name:
        tmp = Path(name)
        if "import" in wanted:
            figures += bulk_import(sizes, tmp, say)
        if "append" in wanted:
            figures += interactive_append(sizes, tmp, say)
        if wanted & {"replay", "states", "export", "disk"}:
            log, raw = cached_logs(sizes.big_n, SEED, say, out or OUT)
            if "replay" in wanted:
                figures += replay(sizes, log, raw, say)
            if "states" in wanted:
                figures += states(sizes, log, say, check)
            if "export" in wanted:
                figures += export(sizes, log, raw, tmp, say)
            if "disk" in wanted:
                figures += disk(sizes, log, raw)
        if "tui" in wanted:
            figures += tui_figures(sizes, quick, say)
    return figures


def table(figures: Sequence[Figure]) -> str:
    def num(x: float | None, unit: str = "") -> str:
        if x is None:
            return "-"
        text = f"{x:,.3f}" if abs(x) < 10 else f"{x:,.1f}"
        return f"{text} {unit}".strip()

    head = f"{'figure':<62} {'value':>12} {'baseline':>12} {'ratio':>7}  {'target':<52} result"
    lines = [head, "-" * len(head)]
    for f in figures:
        met = {True: "met", False: "MISSED", None: "-"}[f.met]
        ratio = "-" if f.ratio is None else f"{f.ratio:.2f}x"
        lines.append(f"{f.name:<62} {num(f.value, f.unit):>12} {num(f.baseline, f.unit):>12} "
                     f"{ratio:>7}  {f.target:<52} {met}")
        if f.note:
            lines.append(f"    {f.note}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (under a minute)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--only", help="comma-separated groups: import,append,replay,states,"
                        "export,disk,tui")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    env = environment()
    print(" | ".join(f"{k} {v}" for k, v in env.items()), flush=True)
    started = time.perf_counter()

    def say(text: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {text}", flush=True)

    only = args.only.split(",") if args.only else None
    figures = run(sizes, args.quick, say, only)
    print()
    print(table(figures))
    print(f"\ntotal {time.perf_counter() - started:.1f} s ({'quick' if args.quick else 'full'} run;"
          " timings are reported, never enforced)")
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"environment": env, "quick": args.quick, "sizes": asdict(sizes),
             "figures": [f.to_json() for f in figures]}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
