"""The figures of the exports (issue 13), each measured as whole processes.

    python -m bench.exports [--sizes 10000,100000,1000000] [--rounds 3] [--html 10000]

* ``tracker export --format csv`` and ``--format plover`` of the generated logs, against a
  baseline that writes the very same bytes straight from the stored rows: ``sqlite3`` reads the
  rows, ``orjson`` decodes each body, and the ``csv`` module (or ``orjson.dumps``) writes the same
  cells (or record). Both outputs are checked to be byte for byte the same before any time is
  believed. The two run in turn, A B A B, ``--rounds`` times; the medians, min–max and the ratio
  are printed, with each process's peak RSS as the OS reports it (``wait4``'s ``ru_maxrss``), at
  each size: flat memory means the same peak at 10k and at 1M.
* ``--format html`` of a log of ``--html`` events: the export process, then headless Chromium
  opening the page and drawing its first screen (``--screenshot`` at 1280x800, which returns once
  the page has loaded and been painted) against the same Chromium doing the same for an empty
  page, A B A B; the difference is what the page costs.

Logs come from ``bench/generate.py`` through :func:`bench.run.cached_logs` (built once, cached
under ``bench/out/``). Times are printed, never judged.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import orjson

from tracker.codec.exports import date_words
from tracker.codec.exports.csv import COLUMNS, _escape_part, neutralise
from tracker.codec.exports.plover import CODEBOOK, CODER, CONTEXT
from tracker.domain.dates import StoryTime
from tracker.domain.events import EVENT_TYPES
from tracker.text import json_safe

ROOT = Path(__file__).resolve().parent.parent
TRACKER = Path(sys.executable).parent / "tracker"
SELECT = ("SELECT position, id, type, schema_version, subject, story_earliest, story_latest, "
          "published, recorded_at, body FROM events ORDER BY position")


# --------------------------------------------------------------------------- the baselines


def _rows(log: Path) -> Any:
    conn = sqlite3.connect(f"file:{log}?mode=ro", uri=True)
    return conn.execute(SELECT)


def baseline_csv(log: Path, out: IO[str]) -> None:
    """tracker's CSV written straight from the rows with the csv module."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    loads = orjson.loads
    for (position, id_, type_, _version, subject, earliest, latest, published, _recorded,
         text) in _rows(log):
        body = loads(text)
        story, source = body["story"], body["source"]
        anchor = story["anchor"]
        details = body.get("details")
        writer.writerow([neutralise(c) for c in (
            str(position), id_, type_, story["expr"], earliest or "", latest or "",
            body["summary"],
            "; ".join(f"{_escape_part(n)} ({_escape_part(r)})" for n, r in body.get("actors", ())),
            body.get("place") or "", source["outlet"], source.get("speaker") or "",
            "yes" if source.get("on_record", True) else "no", source.get("quote") or "",
            source.get("url") or "", published,
            "; ".join(f"{r}:{_escape_part(i)}" for r, i in body.get("refs", ())),
            body.get("certainty", "certain"), subject or "", source.get("author") or "",
            source.get("title") or "", source.get("via") or "",
            anchor if anchor not in (None, published) else "",
            orjson.dumps(details).decode() if details else "")])


def baseline_plover(log: Path, out: IO[bytes]) -> None:
    """The PLOVER records written straight from the rows with orjson."""
    loads, dumps = orjson.loads, orjson.dumps
    for (_position, id_, type_, _version, subject, earliest, latest, published, recorded,
         text) in _rows(log):
        body = loads(text)
        story, source = body["story"], body["source"]
        etype = EVENT_TYPES[type_]
        acting = etype.roles[0] if etype.roles else None
        actors = body.get("actors", ())
        cite: dict[str, Any] = {"publication": source["outlet"], "date": published}
        for key in ("author", "title", "url", "via"):
            if source.get(key):
                cite[key] = source[key]
        comment = date_words(StoryTime(story["expr"], story["anchor"], story["edtf"], earliest,
                                       latest), published)
        if source.get("speaker"):
            comment += f"; said by {source['speaker']}" + (
                "" if source.get("on_record", True) else ", not for attribution")
        named = [(n, r) for n, r in actors if r not in etype.roles]
        if named:
            comment += "; also named: " + ", ".join(f"{n} ({r})" for n, r in named)
        certainty = body.get("certainty", "certain")
        if certainty != "certain":
            comment += f"; {certainty}"
        out.write(json_safe(dumps({
            "id": id_, "date": earliest or latest or published,
            "actor": [{"entity_text": n, "role": r} for n, r in actors if r == acting],
            "recipient": [{"entity_text": n, "role": r} for n, r in actors
                          if r != acting and r in etype.roles],
            "event": [etype.plover] if etype.plover else [], "mode": etype.plover_mode,
            "context": list(CONTEXT) if etype.plover or etype.cameo else [],
            "cameo": etype.cameo, "event_text": source.get("quote"), "text": body["summary"],
            "link": subject or id_, "cite_info": cite, "comment": comment,
            "story": {"expr": story["expr"], "edtf": story["edtf"], "earliest": earliest,
                      "latest": latest},
            "tracker_type": type_, "coder": CODER, "codebook": CODEBOOK,
            "coded_date": recorded[:10]})) + b"\n")


# --------------------------------------------------------------------------- measuring


def measure(command: Sequence[str | Path]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one whole process, as the OS accounts it."""
    started = time.perf_counter()
    process = subprocess.Popen([str(c) for c in command], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"{command} failed ({process.returncode}): {error[-500:]}")
    return seconds, usage.ru_maxrss / 1024


def alternate(a: Sequence[str | Path], b: Sequence[str | Path], rounds: int
              ) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """A B A B ...: each side ``rounds`` times, in turn, so both see the same load."""
    got_a, got_b = [], []
    for _ in range(rounds):
        got_a.append(measure(a))
        got_b.append(measure(b))
    return got_a, got_b


def spread(values: Sequence[float], unit: str = "s", digits: int = 2) -> str:
    return (f"{statistics.median(values):.{digits}f} {unit} "
            f"({min(values):.{digits}f}–{max(values):.{digits}f})")


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "uptime unavailable"


def commit() -> str:
    found = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                           capture_output=True, text=True, check=False)
    return found.stdout.strip() or "unknown"


def formats(sizes: Sequence[int], rounds: int, tmp: Path) -> list[str]:
    from bench.run import cached_logs

    lines = ["| export | events | tracker | baseline | ratio | tracker peak RSS | "
             "baseline peak RSS |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for n in sizes:
        log, _raw = cached_logs(n, 7, lambda s: print(s, file=sys.stderr))
        for fmt in ("csv", "plover"):
            ours, base = tmp / f"ours.{fmt}", tmp / f"base.{fmt}"
            a: list[str | Path] = [TRACKER, "--db", log, "export", "--format", fmt, "-o", ours]
            b: list[str | Path] = [sys.executable, "-m", "bench.exports", f"baseline-{fmt}", log, base]
            print(f"{fmt} of {n:,}: {uptime()}", file=sys.stderr)
            got_a, got_b = alternate(a, b, rounds)
            if digest(ours) != digest(base):
                raise SystemExit(f"{fmt} of {n:,}: tracker's output and the baseline's differ")
            ta, tb = [t for t, _ in got_a], [t for t, _ in got_b]
            ratio = statistics.median(ta) / statistics.median(tb)
            lines.append(
                f"| {fmt} | {n:,} | {spread(ta)} | {spread(tb)} | {ratio:.2f}x | "
                f"{spread([m for _, m in got_a], 'MB', 0)} | "
                f"{spread([m for _, m in got_b], 'MB', 0)} |")
            print(lines[-1], file=sys.stderr)
    return lines


def html(n: int, rounds: int, tmp: Path) -> list[str]:
    from bench.run import cached_logs

    log, _raw = cached_logs(n, 7, lambda s: print(s, file=sys.stderr))
    page, empty = tmp / "report.html", tmp / "empty.html"
    empty.write_text("<!DOCTYPE html><html><body></body></html>")
    exported = [measure([TRACKER, "--db", log, "export", "--format", "html", "-o", page])
                for _ in range(rounds)]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    lines = [f"| html of {n:,}: export | {spread([t for t, _ in exported])} | peak RSS "
             f"{spread([m for _, m in exported], 'MB', 0)} | {page.stat().st_size / 1e6:.1f} MB page |"]
    if chromium is None:
        return [*lines, "| html: open in Chromium | not measured: chromium is not installed | | |"]
    profile = tmp / "profile"

    def open_page(path: Path) -> list[str | Path]:
        return [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--hide-scrollbars", f"--user-data-dir={profile}", "--window-size=1280,800",
                f"--screenshot={tmp / 'shot.png'}", path.as_uri()]

    got_a, got_b = alternate(open_page(page), open_page(empty), rounds)
    ta, tb = [t for t, _ in got_a], [t for t, _ in got_b]
    lines.append(f"| html of {n:,}: Chromium loads it (whole process) | {spread(ta)} | "
                 f"an empty page: {spread(tb)} | the page's share: "
                 f"{statistics.median(ta) - statistics.median(tb):.2f} s |")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in {"baseline-csv", "baseline-plover"}:
        log, out = Path(args[1]), Path(args[2])
        if args[0] == "baseline-csv":
            with out.open("w", encoding="utf-8", newline="") as fh:
                baseline_csv(log, fh)
        else:
            with out.open("wb") as fh:
                baseline_plover(log, fh)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--html", type=int, default=10_000)
    options = parser.parse_args(args)
    sizes = [int(s) for s in options.sizes.split(",") if s]
    print(f"commit {commit()}; load at the start: {uptime()}")
    with tempfile.TemporaryDirectory(prefix="tracker-bench-exports-") as folder:
        tmp = Path(folder)
        for line in formats(sizes, options.rounds, tmp):
            print(line)
        print()
        if options.html:
            for line in html(options.html, options.rounds, tmp):
                print(line)
    print(f"load at the end: {uptime()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
