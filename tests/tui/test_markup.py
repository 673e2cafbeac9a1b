"""Text from events shows literally everywhere and triggers nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.tui.conftest import cursor_row, header, press, settle, text_of_main
from tracker.app.service import Timeline
from tracker.tui.app import TrackerApp

EVIL = ["[bold]", "[/]", "[link=https://example.org]x[/link]", "[@click=app.quit]x[/]"]


@pytest.fixture
def evil_log(seed_log: Timeline, tmp_path: Path) -> Timeline:
    """The markup strings imported as events: in summaries, actors, places, sources, quotes."""
    events = []
    for i, text in enumerate(EVIL):
        events.append({
            "id": f"evil-{i}", "type": "statement.made", "story": "2014-03-11",
            "summary": f"summary {text} end", "place": text,
            "actors": [{"name": f"actor {text}", "role": "speaker"}],
            "source": {"outlet": f"outlet {text}", "published": "2014-03-11", "quote": text,
                       "speaker": text},
        })
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(events))
    seed_log.import_file(path)
    return seed_log


async def test_markup_in_events_shows_literally_and_the_app_keeps_running(
        evil_log: Timeline) -> None:
    app = TrackerApp(evil_log)
    async with app.run_test(size=(260, 50)) as pilot:
        await settle(pilot)
        await press(pilot, "G")
        for i, text in reversed(list(enumerate(EVIL))):
            assert app.timeline_view.position == 18 + i
            assert f"summary {text} end" in cursor_row(app)
            detail = text_of_main(app, "#detail")
            for shown in (f"summary {text} end", f"actor {text}", f"outlet {text}",
                          f"“{text}”"):
                assert shown in detail
            await press(pilot, "s")
            assert f"summary {text} end" in text_of_main(app, "#state")
            await press(pilot, "s")
            # clicking where a link or an action would be does nothing
            await pilot.click("#detail", offset=(12, 4))
            await settle(pilot)
            assert app.is_running
            await press(pilot, "k")
        # a search for the text, and a filter by it, show it in the header literally
        await press(pilot, "slash")
        await pilot.press(*"[@click=app.quit]", "enter")
        await settle(pilot)
        assert "/[@click=app.quit] 1/1" in header(app)
        await press(pilot, "f", "tab")
        await pilot.press(*"actor [/]", "enter")
        await settle(pilot)
        assert "filter: actor ~ 'actor [/]'" in header(app)
        assert app.timeline_view.position == 19
        assert app.is_running


def test_a_long_word_in_the_full_state_is_folded_not_cut(evil_log: Timeline) -> None:
    """A value with no space to wrap at (a markup string, a URL) is shown whole, over lines."""
    from rich.console import Console

    from tracker.codec.state_document import state_to_dict
    from tracker.render.terminal import state_view

    console = Console(width=40, record=True, color_system=None)
    console.print(state_view(state_to_dict(evil_log.state()), "everything"))
    text = console.export_text()
    assert "…" not in text
    joined = "".join(line.strip() for line in text.splitlines())
    assert "[link=https://example.org]x[/link]" in joined
