"""Deterministic bulk events for the integrity tests (concurrent writers, crash, backup): valid,
varied enough to exercise the codec, and different for each ``prefix`` so writers never collide.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from tracker.app.service import open_timeline

SPEAKERS = ("Sergey Lavrov", "John Kerry", "Jen Psaki", "Alexander Lukashevich",
            "a senior official")
OUTLETS = ("McClatchy", "Reuters", "RIA Novosti", "Interfax", "The Guardian")
CERTAINTIES = ("certain", "probable", "possible")


def event(prefix: str, n: int) -> dict[str, Any]:
    """Event number n of a bulk series: a statement or a meeting, dated in March 2014."""
    day = 1 + n % 28
    published = f"2014-03-{min(day + n % 3, 28):02d}"
    speaker = SPEAKERS[n % len(SPEAKERS)]
    obj: dict[str, Any] = {
        "id": f"{prefix}-{n:07d}",
        "story": f"2014-03-{day:02d}",
        "source": {"outlet": OUTLETS[n % len(OUTLETS)], "published": published,
                   "speaker": speaker, "quote": f"statement number {n} on Ukraine"},
        "certainty": CERTAINTIES[n % 3],
    }
    if n % 4 == 0:
        obj |= {"type": "meeting.held", "subject": f"meeting:{prefix}-{n}",
                "summary": f"{speaker} meets a counterpart (bulk {prefix} {n})",
                "actors": [{"name": speaker, "role": "participant"},
                           {"name": SPEAKERS[(n + 1) % len(SPEAKERS)], "role": "participant"}],
                "place": "Geneva", "details": {"format": "in_person"}}
    else:
        obj |= {"type": "statement.made", "subject": f"statement:{prefix}-{n}",
                "summary": f"{speaker} comments on the crisis (bulk {prefix} {n})",
                "actors": [{"name": speaker, "role": "speaker"}],
                "details": {"topic": "Ukraine"}}
    return obj


def events(prefix: str, count: int) -> Iterator[dict[str, Any]]:
    for n in range(count):
        yield event(prefix, n)


def write_lines(path: Path, prefix: str, count: int) -> Path:
    """A JSON Lines file of ``count`` events for `tracker import`."""
    with path.open("wb") as fh:
        for obj in events(prefix, count):
            fh.write(orjson.dumps(obj))
            fh.write(b"\n")
    return path


def sqlite_exec(db: Path, sql: str) -> list[tuple[Any, ...]]:
    """Run SQL on an SQLite log through a plain connection that knows nothing of tracker."""
    conn = sqlite3.connect(db)
    try:
        with conn:
            return conn.execute(sql).fetchall()
    finally:
        conn.close()


def positions(db: Path) -> list[int]:
    """The positions in an SQLite log, in order."""
    return [p for (p,) in sqlite_exec(db, "SELECT position FROM events ORDER BY position")]


def digest(path: Path) -> str:
    """The sha256 of a file's bytes (to show a file was left untouched)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(db: str | Path) -> tuple[tuple[int, str], list[tuple[Any, ...]], dict[str, Any]]:
    """(head, every stored row, the state document) of a log, through tracker."""
    tl = open_timeline(str(db))
    try:
        return tl.head(), [tuple(r) for r in tl.rows()], tl.state_document()
    finally:
        tl.close()
