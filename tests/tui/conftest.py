"""The app, headless, on real SQLite logs; helpers that read what the user sees."""

from __future__ import annotations

import asyncio
import inspect
import io
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Static

from tests.conftest import SEED
from tracker.app.service import Timeline, open_timeline
from tracker.tui.app import TrackerApp

FIXED_TIME = "2026-01-02T03:04:05.000000Z"


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests in a fresh event loop (no async plugin needed)."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        names = pyfuncitem._fixtureinfo.argnames
        asyncio.run(pyfuncitem.obj(**{n: pyfuncitem.funcargs[n] for n in names}))
        return True
    return None


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every append is recorded at the same instant, so screens do not change from run to run."""
    monkeypatch.setattr("tracker.store.recorder.utc_now", lambda: FIXED_TIME)


@pytest.fixture
def seed_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixed_clock: None
             ) -> Iterator[Timeline]:
    """The seed timeline in a log named log.sqlite (the header shows that name)."""
    monkeypatch.chdir(tmp_path)
    tl = open_timeline("log.sqlite")
    tl.import_file(SEED)
    tl.notices.clear()  # "created": set-up's own; the app under test opens an existing log
    yield tl
    tl.close()


@pytest.fixture
def app(seed_log: Timeline) -> TrackerApp:
    return TrackerApp(seed_log)


#: How long a test waits for a condition before it fails: generous, for a loaded machine (the
#: condition usually holds within milliseconds; nothing is asserted about how long it took).
PATIENCE = 120.0


async def until(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    """Wait until ``condition()`` holds, letting the app run meanwhile."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {PATIENCE:.0f} s in vain for {what}")
        await pilot.pause()
        await asyncio.sleep(0.01)


async def settle(pilot: Pilot[None]) -> None:
    """Wait until no worker runs and the screen has caught up."""
    app = pilot.app

    def busy() -> bool:
        return bool(getattr(app, "busy", False)) or any(w.is_running for w in app.workers)

    while True:
        await until(pilot, lambda: not busy(), "the app's workers to finish")
        await pilot.pause()
        if not busy():  # and nothing started again meanwhile
            await pilot.pause()
            return


async def press(pilot: Pilot[None], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def text_of(app: App[None], selector: str) -> str:
    """The plain text a Static shows (as the user reads it, wrapped at 200 columns)."""
    static = app.screen.query_one(selector, Static)
    out = io.StringIO()
    Console(file=out, width=200, color_system=None, legacy_windows=False).print(static.content)
    return out.getvalue()


def timeline_rows(app: TrackerApp) -> list[str]:
    """The timeline's rows as drawn, top to bottom."""
    tl = app.timeline_view
    return [tl.render_line(y).text.rstrip() for y in range(min(tl.size.height, len(tl.view)))]


def cursor_row(app: TrackerApp) -> str:
    tl = app.timeline_view
    return tl.render_line(tl.cursor - round(tl.scroll_offset.y)).text.rstrip()


def header(app: TrackerApp) -> str:
    return app.main.query_one("#header").content.plain  # type: ignore[attr-defined]


def text_of_main(app: TrackerApp, selector: str) -> str:
    static = app.main.query_one(selector, Static)
    out = io.StringIO()
    Console(file=out, width=200, color_system=None).print(static.content)
    return out.getvalue()


def count(timeline: Timeline) -> int:
    return timeline.count()
