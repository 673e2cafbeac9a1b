"""The timeline view (l): lanes on a date axis, driven through the real app at 80x24."""

from __future__ import annotations

from tests.tui.conftest import press, settle, text_of, text_of_main, until
from tracker.tui.app import TrackerApp


def lanes_text(app: TrackerApp) -> list[str]:
    return app.lanes_view.lines()


def cursor_lane(app: TrackerApp) -> str:
    window = app.lanes_view.window
    assert window is not None
    return next(lane.subject for lane in window.lanes if lane.cursor)


async def test_l_shows_the_lanes_and_stepping_moves_along_them(app: TrackerApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "l")
        await until(pilot, lambda: app.lanes_view.window is not None, "the lanes")
        lines = lanes_text(app)
        assert "▼" in lines[1]  # the cursor's column on the axis
        assert any(line.startswith("meeting:kerry-lavrov") and "░" in line for line in lines)
        assert lines[-1].startswith("█ date  ░ may fall within  ▼ cursor  l: list · 2014-")
        assert cursor_lane(app) == "meeting:kerry-lavrov-last-week"
        await press(pilot, "j")  # to #4, the US paper (2014-03-07)
        await until(pilot, lambda: cursor_lane(app) == "proposal:us-paper-on-ukraine",
                    "the cursor's lane to follow the step")
        assert "US proposals" in text_of_main(app, "#detail")  # the panes follow as ever
        await press(pilot, "l")  # back to the list, on the same event
        assert app.timeline_view.display and not app.lanes_view.display
        assert app.timeline_view.position == 4


async def test_the_lanes_are_in_the_footer_help_and_palette(app: TrackerApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert any(t.startswith("Lanes (l)") for t in commands)
        await press(pilot, "question_mark")
        assert "The timeline as lanes on a date axis" in text_of(app, "#help-keys")
