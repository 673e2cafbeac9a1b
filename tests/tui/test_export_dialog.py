"""Export from the app (issue 13, issue 15): every format, the view on screen or the whole log
(said which), into the user's documents folder unless told otherwise."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from textual.widgets import Input, RadioButton, Select

from tests.tui.conftest import header, press, settle, text_of, until
from tests.tui.test_session import opened
from tracker.app.exports import FORMATS
from tracker.app.service import Timeline
from tracker.app.terms import EventFilter, Query
from tracker.tui.app import TrackerApp
from tracker.tui.export import ExportScreen
from tracker.tui.session import Session, documents_folder


def invitation_events(log: Timeline) -> int:
    return sum(1 for e in log.events() if e.type.startswith("invitation."))


def filtered(session: Session, flt: EventFilter) -> Session:
    if session.set_filter(flt):
        session.take_filter(flt, session.filter_text(flt))
    return session


def rows_of(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_the_default_folder_is_the_documents_folder_else_home(own_home: Path) -> None:
    assert documents_folder() == own_home  # no Documents folder yet: the home folder
    (own_home / "Documents").mkdir()
    assert documents_folder() == own_home / "Documents"


def test_with_nothing_narrowing_the_screen_the_export_is_the_whole_log(seed_log: Timeline,
                                                                        own_home: Path) -> None:
    (own_home / "Documents").mkdir()
    offer = opened(seed_log).export_offer()
    assert offer.view is None and offer.shown == offer.total == 17
    assert offer.path("csv") == own_home / "Documents" / "tracker-export.csv"
    assert offer.path("plover") == own_home / "Documents" / "tracker-export.jsonl"


def test_a_filtered_screen_offers_its_view_or_the_whole_log(seed_log: Timeline,
                                                            tmp_path: Path) -> None:
    session = filtered(opened(seed_log), EventFilter(types=("invitation",)))
    offer = session.export_offer()
    n = invitation_events(seed_log)
    assert offer.view is not None and offer.shown == n < offer.total == 17
    assert offer.about == f"filter: {EventFilter(types=('invitation',)).describe()}"
    assert session.export("csv", offer.view, tmp_path / "view.csv") == n
    assert {r["type"].split(".")[0] for r in rows_of(tmp_path / "view.csv")} == {"invitation"}
    assert session.export("csv", None, tmp_path / "all.csv") == 17
    assert len(rows_of(tmp_path / "all.csv")) == 17


def test_a_known_on_view_is_exported_as_known_on_that_date(seed_log: Timeline) -> None:
    session = opened(seed_log)
    asked = session.view_dates("known_on", "2014-03-08")
    assert isinstance(asked, Query)
    session.take_narrowing(asked, session.narrow(asked))
    offer = session.export_offer()
    assert offer.view is not None and offer.view.known_at == "2014-03-08"
    assert offer.about == "known on 2014-03-08" and offer.shown == len(session.view) < 17


def test_the_audit_view_is_said_not_to_be_exported(seed_log: Timeline) -> None:
    session = opened(seed_log)
    asked = session.view_dates("recorded_by", "2099-01-01T00:00")
    assert isinstance(asked, Query)
    session.take_narrowing(asked, session.narrow(asked))
    note = session.export_offer().note
    assert note == ("The audit view (the log as it stood at 2099-01-01T00:00:00.000000Z) is not "
                    "exported: an export takes the log as it stands now.")


async def test_the_dialog_offers_every_format_and_the_filtered_view(app: TrackerApp,
                                                                    own_home: Path) -> None:
    (own_home / "Documents").mkdir()
    n = invitation_events(app.service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f")
        app.screen.query_one("#filter-type", Input).value = "invitation"
        await press(pilot, "enter")
        await until(pilot, lambda: "filter:" in header(app), "the filter")
        await press(pilot, "e")
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        formats = dialog.query_one("#export-format", Select)
        assert [value for _, value in formats._options if value != Select.BLANK] == list(FORMATS)
        assert str(dialog.query_one("#export-view", RadioButton).label) == (
            f"the view on screen ({n} of 17 events)")
        assert dialog.query_one("#export-view", RadioButton).value  # the view, in csv
        path = dialog.query_one("#export-path", Input)
        assert formats.value == "csv"
        assert path.value == str(own_home / "Documents" / "tracker-export.csv")
        # JSON is the whole log always: the view cannot be chosen with it, and it says why
        formats.value = "json"
        await settle(pilot)
        assert path.value == str(own_home / "Documents" / "tracker-export.json")
        assert dialog.query_one("#export-view", RadioButton).disabled
        assert dialog.query_one("#export-whole", RadioButton).value
        assert "always the whole log" in text_of(app, "#export-scope-note")
        formats.value = "csv"
        await settle(pilot)
        assert path.value == str(own_home / "Documents" / "tracker-export.csv")
        assert not dialog.query_one("#export-view", RadioButton).disabled
        dialog.query_one("#export-view", RadioButton).value = True
        await settle(pilot)
        path.focus()
        await press(pilot, "enter")
        await until(pilot, lambda: not isinstance(app.screen, ExportScreen), "the export")
        written = own_home / "Documents" / "tracker-export.csv"
        assert len(rows_of(written)) == n
        assert app.said[-1] == (f"Exported the view on screen ({n} events) as csv to "
                                f"{written}")


async def test_the_whole_log_from_a_filtered_screen(app: TrackerApp, tmp_path: Path) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f")
        app.screen.query_one("#filter-type", Input).value = "invitation"
        await press(pilot, "enter")
        await until(pilot, lambda: "filter:" in header(app), "the filter")
        await press(pilot, "e")
        app.screen.query_one("#export-format", Select).value = "plover"
        await settle(pilot)
        app.screen.query_one("#export-whole", RadioButton).value = True
        target = tmp_path / "all.jsonl"
        path = app.screen.query_one("#export-path", Input)
        path.value = str(target)
        path.focus()
        await press(pilot, "enter")
        await until(pilot, lambda: target.exists(), "the file")
        assert len([json.loads(line) for line in target.read_text().splitlines()]) == 17
        await until(pilot, lambda: app.said[-1].startswith("Exported the whole log (17 events)"),
                    "the notice")


async def test_a_file_that_cannot_be_written_is_said_in_the_dialog(app: TrackerApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "e")
        path = app.screen.query_one("#export-path", Input)
        path.value = "/proc/tracker-export.json"  # a folder nobody can write in, root included
        await press(pilot, "enter")
        await until(pilot, lambda: "cannot be written" in text_of(app, "#export-error"),
                    "the error")
        assert isinstance(app.screen, ExportScreen)  # still open, the error under the file
        assert text_of(app, "#export-error").startswith(
            "/proc/tracker-export.json: cannot be written (")
        assert not any("cannot be written" in said for said in app.said)  # no toast
