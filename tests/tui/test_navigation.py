"""Moving around the timeline: every binding, on the seed timeline (17 events).

Story order of the seed: #11 (last week), #4 (last Friday), #1, #2, #3, #5, #6 ... #10, #12 ...
#17 (the "no later than" entries keep their place by log position among same-day ones).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.widgets import OptionList

from tests.tui.conftest import (
    cursor_row,
    header,
    press,
    settle,
    text_of,
    text_of_main,
    timeline_rows,
    until,
)
from tracker.tui.app import TrackerApp

STORY = [11, 4, 1, 2, 3, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17]


def position(app: TrackerApp) -> int | None:
    return app.timeline_view.position


async def test_opens_on_the_first_event_in_story_order(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert "1/17" in header(app)
        assert "order: story" in header(app)
        rows = timeline_rows(app)
        assert [int(r[1:].split()[0]) for r in rows] == STORY
        assert rows[0].startswith("▶")
        assert "03-03..03-09" in rows[0] and "Kerry and Lavrov met in person" in rows[0]
        assert "Kerry and Lavrov met in person" in text_of_main(app, "#detail")
        assert "This step" in text_of_main(app, "#state")


async def test_j_k_and_the_arrows_step_and_the_panes_follow(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "j")
        assert position(app) == 4
        assert "US proposals" in text_of_main(app, "#detail")
        await press(pilot, "down", "down")
        assert position(app) == 2
        assert "Russia invites Kerry to Moscow" in text_of_main(app, "#detail")
        assert "4/17" in header(app)
        await press(pilot, "k")
        assert position(app) == 1
        await press(pilot, "up")
        assert position(app) == 4
        await press(pilot, "k", "k")  # stays on the first
        assert position(app) == 11


async def test_stepping_onto_kerrys_refusal_shows_the_invitation_change(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, *["j"] * 4)
        assert position(app) == 3
        state = text_of_main(app, "#state")
        this_step = state.split("After step")[0]
        assert "~ changed invitation" in this_step
        assert "open → declined" in this_step
        assert "Russia invites Kerry to Moscow" in this_step
        assert "Kerry declined the invitation to Moscow" in text_of_main(app, "#detail")


async def test_g_G_home_end_go_to_first_and_last(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "G")
        assert position(app) == 17 and "17/17" in header(app)
        await press(pilot, "g")
        assert position(app) == 11
        await press(pilot, "end")
        assert position(app) == 17
        await press(pilot, "home")
        assert position(app) == 11


async def test_page_down_and_up_move_a_screenful(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 16)) as pilot:
        await settle(pilot)
        page = app.timeline_view.page_height
        assert 1 < page < 16
        await press(pilot, "pagedown")
        assert app.timeline_view.cursor == page
        await press(pilot, "pageup")
        assert app.timeline_view.cursor == 0


async def test_search_then_n_and_N_move_among_matches(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "slash")
        await pilot.press(*"Lavrov", "enter")
        await settle(pilot)
        first = position(app)
        assert '/Lavrov' in header(app)
        assert "lavrov" in cursor_row(app).lower() or first in (1, 2, 3, 4, 5, 11)
        seen = [first]
        for _ in range(3):
            await press(pilot, "n")
            seen.append(position(app))
        assert len(set(seen)) == 4
        await press(pilot, "N")
        assert position(app) == seen[-2]
        matches = len(app.session.match_rows)
        assert f"/Lavrov {seen.index(seen[-2]) + 1}/{matches}" in header(app)
        # a match is marked in the timeline
        assert any(r.startswith("•") for r in timeline_rows(app))
        # off a match, the header counts them instead
        off = next(r for r in range(len(app.session.view)) if r not in app.session.match_rows)
        app.timeline_view.move_to(off)
        await settle(pilot)
        assert f"/Lavrov {matches} matches" in header(app)


async def test_while_a_search_runs_the_header_says_so_not_no_match(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.session.needle, app.session.searching = "Lavrov", True  # as run_search leaves it
        app.update_header()
        assert "/Lavrov searching…" in header(app) and "no match" not in header(app)
        await press(pilot, "slash")
        await pilot.press(*"Lavrov", "enter")
        await settle(pilot)
        assert not app.session.searching and "searching" not in header(app)
        assert f"/Lavrov 1/{len(app.session.match_rows)}" in header(app)


async def test_a_filter_that_matches_nothing_says_so_in_the_panes(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert "Kerry and Lavrov met in person" in text_of_main(app, "#detail")
        await press(pilot, "f", "tab")
        await pilot.press(*"zzzz", "enter")
        await settle(pilot)
        assert "0/0" in header(app)
        detail = text_of_main(app, "#detail")
        assert "Kerry and Lavrov met in person" not in detail
        assert "no event matches the filter (actor ~ 'zzzz')" in detail
        assert "Ways out: F clears the filter." in detail
        # the state still folds every event: the pane keeps the state at the cursor's event
        assert text_of_main(app, "#state").startswith(
            "The filter matches no event; the state still folds every event: here, as it "
            "stood after #11.")
        await press(pilot, "o")  # known on too: both ways out, each key as it is typed
        await pilot.press(*"2014-03-09", "enter")
        await settle(pilot)
        assert ("Ways out: o with an empty date shows everything; F clears the filter."
                in text_of_main(app, "#detail"))
        await press(pilot, "o")
        await pilot.press("ctrl+u", "enter")
        await settle(pilot)
        await press(pilot, "F")
        assert "1/17" in header(app)
        assert "Kerry and Lavrov met in person" in text_of_main(app, "#detail")


async def test_f_filters_by_type_and_clears(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "f")
        await pilot.press(*"invitation", "enter")
        await settle(pilot)
        rows = timeline_rows(app)
        assert len(rows) == 3
        assert all("invitation." in r for r in rows)
        assert "filter: type invitation" in header(app)
        await press(pilot, "F")
        assert len(timeline_rows(app)) == 17


async def test_f_filters_by_actor_and_by_source(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "f", "tab")
        await pilot.press(*"putin", "enter")
        await settle(pilot)
        assert [int(r[1:].split()[0]) for r in timeline_rows(app)] == [1]
        await press(pilot, "f")
        await pilot.click("#filter-clear")
        await settle(pilot)
        assert len(timeline_rows(app)) == 17


async def test_a_bad_type_in_the_filter_is_refused_at_the_field(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "f")
        await pilot.press(*"parade", "enter")
        await settle(pilot)
        error = app.screen.query_one("#filter-error")
        assert "'parade' is neither an event type nor a kind" in str(error.render())


async def test_colon_jumps_to_a_date_or_a_log_position(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "G", "colon")
        await pilot.press(*"2014-03-07", "enter")
        await settle(pilot)
        assert position(app) == 4
        await press(pilot, "colon")
        await pilot.press(*"13", "enter")
        await settle(pilot)
        assert position(app) == 13


def notices(app: TrackerApp) -> list[str]:
    """Everything the app has said, oldest first (kept after the toast itself expires)."""
    return list(app.said)


async def test_known_on_shows_only_what_was_published_by_then(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "o")
        await pilot.press(*"2014-03-09", "enter")
        await settle(pilot)
        assert "known on 2014-03-09" in header(app)
        assert "0/0" in header(app)
        # nothing from before lingers in the panes: they say why the view is empty
        detail = text_of_main(app, "#detail")
        assert "No events in this view: nothing had been published by 2014-03-09." in detail
        assert "Ways out: o with an empty date shows everything." in detail
        assert text_of_main(app, "#state").strip().startswith("Nothing yet. No events in this view")
        await press(pilot, "o")
        await pilot.press("ctrl+u", "enter")  # empty: everything again
        await settle(pilot)
        assert "1/17" in header(app)
        assert "known on" not in header(app)


async def test_space_plays_and_pauses_at_an_adjustable_speed(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        for _ in range(4):
            await press(pilot, "plus")
        assert app.speed == len((4.0, 2.0, 1.0, 0.5, 0.25, 0.1)) - 1
        await press(pilot, "minus")
        # 0.25 s a step: the 17 seed events take over 4 s to play, so a loaded machine cannot
        # reach the end (which stops the play) before we look.
        await press(pilot, "space")
        assert "▶ 0.25s" in header(app)
        await until(pilot, lambda: app.timeline_view.cursor >= 2, "two steps played")
        await press(pilot, "space")
        moved = app.timeline_view.cursor
        assert "▶" not in header(app)
        assert app.play_timer is None  # paused: nothing left to move the cursor on
        await settle(pilot)
        assert app.timeline_view.cursor == moved


async def test_enter_follows_a_reference_and_backspace_comes_back(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "colon")
        await pilot.press(*"3", "enter")  # Kerry declined: responds to the invitation (#2)
        await settle(pilot)
        assert "responds_to kl-02-moscow-invitation" in text_of_main(app, "#detail")
        await press(pilot, "enter")
        assert position(app) == 2
        await press(pilot, "backspace")
        assert position(app) == 3


async def test_s_shows_the_full_state_and_back(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "G", "s")
        full = text_of_main(app, "#state")
        assert "State of affairs from 17 events" in full
        assert "condition:" in full or "conditions" in full.lower()
        # the full state says what it is built from: the events up to the cursor, not the log
        await press(pilot, "g")
        assert "State of affairs from 1 event (the events up to this one in story order)" in \
            text_of_main(app, "#state")
        await press(pilot, "t", "g", "j", "j")
        assert "State of affairs from 3 events (the events up to this one in recorded order)" in \
            text_of_main(app, "#state")
        await press(pilot, "s")
        assert "State of affairs" not in text_of_main(app, "#state")


async def test_question_mark_shows_every_key_and_esc_closes(app: TrackerApp) -> None:
    from tracker.tui.keys import KEYS
    from tracker.tui.screens import HelpScreen

    async with app.run_test(size=(140, 50)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = "".join(text_of(app, f"#{w.id}") for w in app.screen.query("Static") if w.id)
        for key in KEYS:
            assert key.help in shown
        await press(pilot, "escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_every_binding_has_an_id_and_is_in_the_palette_and_footer(app: TrackerApp) -> None:
    from tracker.tui.keys import KEYS, MORE, footer_entries, footer_key

    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        ids = {b.id for b in app.main.BINDINGS if hasattr(b, "id")}
        assert {k.id for k in KEYS} <= ids
        titles = [c.title for c in app.get_system_commands(app.main)]
        commands = set(titles)
        for key in KEYS:
            assert any(title.startswith(key.description) for title in commands)
        # each action once: Textual's own Quit and Keys panel would repeat q and ?
        assert [t for t in titles if t.startswith("Quit")] == ["Quit (q)"]
        assert "Keys" not in commands and "Theme" in commands
        # every key is in the footer: on its own, or in its group's entry ("j k Step")
        in_footer = {k for e in footer_entries() for k in e.keys.split()}
        for key in KEYS:
            assert footer_key(key) in in_footer or key.id == MORE, key
        assert {"Step", "Search", "Filter", "Go to", "Order", "Play", "Add/correct",
                "Help", "Quit", "First/last", "Day", "Known on", "Audit", "Ref/back",
                "Full state", "Zoom", "Export", "Page", "Lanes", "Reload"} <= {
                    e.label for e in footer_entries()}


async def test_ctrl_p_runs_an_action_from_the_palette(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await pilot.press(*"Order (t)")
        await until(pilot, lambda: any(
            "Order (t)" in str(o.prompt) for o in app.screen.query(OptionList).first().options)
            and app.screen.query(OptionList).first().highlighted is not None,
            "the palette to offer the command")
        await pilot.press("enter")
        await settle(pilot)
        assert "order: recorded" in header(app)


async def test_a_click_on_a_line_moves_the_cursor_there(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        tl = app.timeline_view
        await pilot.click("#timeline", offset=(5, 1 + 4))  # border, then the fifth row
        await settle(pilot)
        assert tl.cursor == 4
        assert position(app) == 3


async def test_the_wheel_scrolls_the_timeline(seed_log: object, tmp_path: object) -> None:
    from tracker.app.service import Timeline

    assert isinstance(seed_log, Timeline)
    app = TrackerApp(seed_log)
    async with app.run_test(size=(140, 12)) as pilot:
        await settle(pilot)
        tl = app.timeline_view
        from textual import events

        await pilot._post_mouse_events([events.MouseScrollDown], "#timeline", offset=(5, 2))
        await pilot.wait_for_animation()
        await settle(pilot)
        assert tl.scroll_offset.y > 0


async def test_q_quits(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_a_large_log_steps_through_the_state_index(seed_log: object) -> None:
    """Past the small-log size the state comes from the state index: the same change shows."""
    from tracker.app.service import Timeline

    assert isinstance(seed_log, Timeline)
    app = TrackerApp(seed_log, small_log=5)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, *["j"] * 4)
        assert position(app) == 3
        state = text_of_main(app, "#state")
        assert "~ changed invitation invitation:kerry-to-moscow  open → declined" in state
        assert "Invitations (1): declined 1" in state
        await press(pilot, "t")  # the same event, third in recorded order too
        assert "After step 3 of 17 (#3)" in text_of_main(app, "#state")


async def test_on_a_large_log_known_on_narrows_the_state_and_going_back_is_a_load(
        seed_log: object) -> None:
    """Past the small-log size a "known on" view has a state index of its own (what had been
    published by then), saved beside the whole log's: asking for the same view again loads it."""
    from tracker.app.service import Timeline

    assert isinstance(seed_log, Timeline)
    seed_log.add({"type": "invitation.accepted", "subject": "invitation:kerry-to-moscow",
                  "story": "2014-03-12", "summary": "Kerry accepts after all",
                  "actors": [{"name": "John Kerry", "role": "invitee"}],
                  "source": {"outlet": "Wire", "published": "2014-03-12"}})
    built: list[object] = []
    state_index = seed_log.state_index
    seed_log.state_index = lambda *a, **k: built.append(state_index(*a, **k)) or built[-1]  # type: ignore
    saved: list[int] = []
    app = TrackerApp(seed_log, small_log=5)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "G")
        assert "18/18" in header(app)
        assert "Invitations (1): accepted 1" in text_of_main(app, "#state")
        for _ in range(2):  # the view, everything, the view again
            await press(pilot, "o")
            await pilot.press(*"2014-03-10", "enter")
            await settle(pilot)
            await press(pilot, "G")
            await settle(pilot)
            assert "17/17" in header(app) and "known on 2014-03-10" in header(app)
            assert "Invitations (1): disputed 1" in text_of_main(app, "#state")
            cache = Path(os.environ["XDG_CACHE_HOME"]) / "tracker"
            saved.extend(p.stat().st_ino for p in cache.glob("*.stateindex-view"))
            await press(pilot, "o")
            await pilot.press("ctrl+u", "enter")
            await settle(pilot)
            assert "known on" not in header(app)
    assert [len(i) for i in built] == [18, 17, 18, 17, 18]  # type: ignore[arg-type]
    assert len(saved) == 2 and saved[0] == saved[1]  # the second time, loaded: not written


async def test_z_zooms_the_event_pane_then_the_state_pane_then_back(app: TrackerApp) -> None:
    """At 80x24 the event's source and quote do not fit beside the timeline: z gives the event
    pane the screen (stepping still works), then the state pane, then every pane again."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j", "j")  # #2, the invitation: its quote is far down
        assert "quote" not in text_of_main(app, "#detail").split("\n")[:6]
        await press(pilot, "z")
        assert not app.main.query_one("#timeline").display
        assert not app.main.query_one("#state-pane").display
        detail = app.main.query_one("#detail-pane")
        assert detail.display and detail.size.height >= 18
        assert "“an invitation to visit Russia" in text_of_main(app, "#detail")
        await press(pilot, "j")  # stepping on, zoomed: the pane follows
        assert "#3 invitation.declined" in text_of_main(app, "#detail")
        await press(pilot, "z")
        assert app.main.query_one("#state-pane").display
        assert not app.main.query_one("#detail-pane").display
        assert "open → declined" in text_of_main(app, "#state")
        await press(pilot, "z")
        assert all(app.main.query_one(p).display
                   for p in ("#timeline", "#detail-pane", "#state-pane"))
        assert position(app) == 3


async def test_what_opening_the_log_did_is_said_in_the_app(seed_log: object) -> None:
    """A first run creates and seeds the default log: the app says so (not only the terminal
    it covers)."""
    from tracker.app.service import Timeline

    assert isinstance(seed_log, Timeline)
    seed_log.notices[:] = ["Created a new tracker log at x.sqlite.", "Seeded it with the seed."]
    app = TrackerApp(seed_log)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert notices(app)[:2] == ["Created a new tracker log at x.sqlite.",
                                    "Seeded it with the seed."]


async def test_the_filter_dialog_fits_an_80x24_terminal(app: TrackerApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f")
        dialog = app.screen.query_one("TrackerModal > Vertical").content_region
        for widget in ("#filter-type", "#filter-actor", "#filter-source", "#filter-apply",
                       "#filter-clear"):
            region = app.screen.query_one(widget).region
            assert region.height >= 1 and dialog.contains_region(region), widget


def _late_invitation_and_early_refusal(log: object) -> None:
    """An invitation published on March 20 and a refusal of it published on March 12, whose own
    date (March 5) is earlier: as known on March 15 the refusal answers nothing yet, so it sorts
    by its own date, and a correction published on March 20 has not been made."""
    from tracker.app.service import Timeline

    assert isinstance(log, Timeline)
    inv = log.add({"type": "invitation.extended", "subject": "invitation:late",
                   "story": "2014-03-12", "summary": "A late invitation",
                   "actors": [{"name": "A", "role": "inviter"}, {"name": "B", "role": "invitee"}],
                   "source": {"outlet": "Wire", "published": "2014-03-20"}})
    log.add({"type": "invitation.declined", "subject": "invitation:late", "story": "2014-03-05",
             "summary": "An early refusal", "refs": [{"rel": "responds_to", "id": inv.id}],
             "actors": [{"name": "B", "role": "invitee"}],
             "source": {"outlet": "Wire", "published": "2014-03-12"}})
    log.add({"type": "entry.corrected", "subject": "meeting:lavrov-putin-sochi",
             "story": "2014-03-20", "summary": "Sochi, not Moscow",
             "refs": [{"rel": "corrects", "id": "kl-01-sochi-meeting"}],
             "details": {"changes": {"place": "Bocharov Ruchei"}},
             "source": {"outlet": "Wire", "published": "2014-03-20"}})


@pytest.mark.parametrize("small_log", [50_000, 5], ids=["checkpoints", "state index"])
async def test_a_known_on_view_orders_and_marks_as_if_only_its_events_were_known(
        seed_log: object, small_log: int) -> None:
    _late_invitation_and_early_refusal(seed_log)
    app = TrackerApp(seed_log, small_log=small_log)  # type: ignore[arg-type]
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "o")
        await pilot.press(*"2014-03-15", "enter")
        await settle(pilot)
        await press(pilot, "g", "j")  # after "last week" (03-03..03-09): the refusal of 03-05
        await settle(pilot)
        assert "2/18" in header(app) and position(app) == 19
        state = text_of_main(app, "#state")
        assert "After step 2 of 18 (#19)" in state
        rows = timeline_rows(app)
        sochi = next(r for r in rows if "Lavrov meets Putin" in r)
        assert "✎" not in sochi  # corrected only on March 20
        await press(pilot, "o")
        await pilot.press("ctrl+u", "enter")
        await settle(pilot)
        sochi = next(r for r in timeline_rows(app) if "Lavrov meets Putin" in r)
        assert "✎" in sochi


async def test_s_on_a_large_log_says_where_the_full_state_is(seed_log: object) -> None:
    app = TrackerApp(seed_log, small_log=5)  # type: ignore[arg-type]
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        assert "`tracker state --at N` prints every item" in notices(app)[-1]
        assert "Changed lately" in text_of_main(app, "#state")
