"""The page exports (TimelineJS, its sheet, the HTML page) take the state at the end in parts, a
section at a time from its records, as `tracker state` shows it: what they write is what the
whole state document gives, and no page export holds that document."""

from __future__ import annotations

import io
from contextlib import nullcontext
from pathlib import Path

import pytest

from tests.app.test_same_output import thawed_log
from tracker.app import exports
from tracker.app.exports import ExportView
from tracker.app.service import Timeline, open_timeline
from tracker.codec.exports import Marks
from tracker.codec.state_document import parts_of
from tracker.domain.selection import EventFilter

PAGES = ("timelinejs", "timelinejs-csv", "html")
VIEWS = {
    "whole": ExportView(),
    "as-of": ExportView(as_of="2014-03-08"),
    "known-at": ExportView(known_at="2014-03-09"),
    "chosen": ExportView(chosen=EventFilter.build(types=["statement"])),
}


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return thawed_log(tmp_path_factory.mktemp("pages"))


@pytest.fixture
def timeline(log: Path, monkeypatch: pytest.MonkeyPatch) -> Timeline:
    monkeypatch.setattr(exports, "utc_now", lambda: "2026-12-04T00:00:00.000000Z")
    return open_timeline(str(log))


@pytest.mark.parametrize("view", VIEWS.values(), ids=VIEWS.keys())
def test_the_marks_read_from_the_records_are_the_whole_documents(
        timeline: Timeline, view: ExportView) -> None:
    """What later entries did to each event (disputed, corrected, retracted), the disputed
    items and how many items stand in each status: the same read a section at a time from the
    records as from the whole document."""
    try:
        whole = Marks(timeline.state_document(view.query))
        with timeline.state_parts(view.query) as parts:
            assert vars(Marks(parts)) == vars(whole)
    finally:
        timeline.close()


def test_the_frozen_log_marks_every_kind_of_later_entry(timeline: Timeline) -> None:
    """The log the comparisons run on has accounts disputed, entries corrected and retracted,
    and disputed items: a comparison of empty marks would prove nothing."""
    try:
        with timeline.state_parts() as parts:
            marks = Marks(parts)
        assert marks.disputed_by and marks.corrected and marks.retracted
        assert marks.disputed_items
        assert len(marks.title_lines()) >= 5
    finally:
        timeline.close()


@pytest.mark.parametrize("view", VIEWS.values(), ids=VIEWS.keys())
@pytest.mark.parametrize("format", PAGES)
def test_a_page_export_writes_what_the_whole_state_document_gives(
        timeline: Timeline, format: str, view: ExportView,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Each page export, written from the state's parts, byte for byte as written from the
    whole document; and it never asks for the whole document."""
    try:
        whole = parts_of(timeline.state_document(view.query))
        from_document = io.BytesIO()
        with monkeypatch.context() as m:
            m.setattr(timeline, "state_parts", lambda query, head=None: nullcontext(whole))
            exports.write(timeline, format, view, from_document)

        def refused(*_: object, **__: object) -> None:
            raise AssertionError("a page export asked for the whole state document")

        monkeypatch.setattr(timeline, "state_document", refused)
        from_parts = io.BytesIO()
        exports.write(timeline, format, view, from_parts)
        assert from_parts.getvalue() == from_document.getvalue()
        assert len(from_parts.getvalue()) > 1000
    finally:
        timeline.close()
