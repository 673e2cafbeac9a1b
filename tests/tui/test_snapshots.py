"""How the screens look (pytest-textual-snapshot; update with --snapshot-update after checking).

Deterministic: a fixed terminal size, a fixed recording time, no cursor blink, no clock, and
every worker finished before the picture is taken.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tests.tui.conftest import press, settle
from tracker.tui.app import TrackerApp


async def _steady(pilot: Pilot[None]) -> None:
    await settle(pilot)
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await settle(pilot)


def test_main_screen_on_kerrys_refusal(app: TrackerApp, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await press(pilot, "j", "j", "j", "j")
        await _steady(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_help_screen(app: TrackerApp, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await press(pilot, "question_mark")
        await _steady(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_form_showing_an_error_at_the_story_date(app: TrackerApp, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await press(pilot, "a")
        form = pilot.app.screen
        form.query_one("#f-story", Input).value = "2014-02-30"
        form.query_one("#f-summary", Input).value = "A meeting that cannot have been"
        form.query_one("#f-role-participant", Input).value = "John Kerry, Sergey Lavrov"
        await press(pilot, "ctrl+s")
        await _steady(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_an_80x24_terminal_stacks_the_panes(app: TrackerApp, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await press(pilot, "j", "j", "j", "j")
        await _steady(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
