"""A failure nothing handled ends the app with one line: never Textual's traceback, whose frame
locals would show the log's URL, and with it a server's password."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import SEED
from tests.tui.conftest import settle
from tracker.app.service import open_timeline
from tracker.tui.app import TrackerApp

PASSWORD = "S3CRET-pw"


@pytest.mark.postgres
async def test_a_crash_on_a_server_log_shows_one_masked_line_and_no_traceback(
        pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    url = make_url(pg_url).set(password=PASSWORD).render_as_string(hide_password=False)
    tl = open_timeline(url)  # the server trusts this machine: the password is carried, not checked
    try:
        tl.import_file(SEED)
        assert PASSWORD not in repr(tl)
        app = TrackerApp(tl)

        def fail() -> None:
            raise RuntimeError(f"lost {url} while stepping")

        with pytest.raises(RuntimeError):
            async with app.run_test() as pilot:
                await pilot.pause()
                app.call_later(fail)
                await pilot.pause()
        assert app.fatal_message is not None
        assert app.fatal_message.startswith("unexpected failure: RuntimeError: lost postgresql")
        assert PASSWORD not in app.fatal_message and "***" in app.fatal_message
        shown = capsys.readouterr().err  # what the app printed as it ended
        assert " ".join(shown.split()) == f"Error: {app.fatal_message}"
        assert "Traceback" not in shown and PASSWORD not in shown
    finally:
        tl.close()


async def test_an_altered_log_is_said_to_be_altered_when_the_app_opens(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    tl = open_timeline("log.sqlite")
    tl.import_file(SEED)
    tl.close()
    with sqlite3.connect(tmp_path / "log.sqlite") as conn:
        conn.execute("DROP TRIGGER events_refuse_update")
        conn.execute("UPDATE events SET body = body || ' ' WHERE position = 17")
    tl = open_timeline("log.sqlite")
    try:
        app = TrackerApp(tl)
        async with app.run_test() as pilot:
            await settle(pilot)
            assert app.said[-1] == (
                "the log was altered at position 17: entry 'kl-17-not-be-rolled' does not match "
                "its hash (it was edited, or inserted or moved there) (log.sqlite); appending is "
                "refused (the CLI's --force appends anyway)")
            assert app.log_altered
    finally:
        tl.close()
