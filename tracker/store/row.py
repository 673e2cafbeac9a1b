"""The shape of one stored event: what the store reads and writes, and nothing it means."""

from __future__ import annotations

from typing import NamedTuple


class Row(NamedTuple):
    """An event as the store holds it. The store reads and writes these and nothing else;
    :mod:`tracker.codec.rows` turns them into events and fold steps."""

    position: int
    id: str
    type: str
    schema_version: int
    subject: str | None
    story_earliest: str | None
    story_latest: str | None
    published: str
    recorded_at: str
    body: str
    hash: str
