"""Appending, correcting and retracting from the form; exporting from the app."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.widgets import Input, Label, OptionList, Select
from typer.testing import CliRunner

from tests.tui.conftest import cursor_row, header, press, settle, text_of_main
from tracker.app.service import Timeline, open_timeline
from tracker.cli import app as cli
from tracker.tui.app import TrackerApp
from tracker.tui.form import EventForm


async def fill(pilot: object, selector: str, text: str) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    widget = app.screen.query_one(selector, Input)
    widget.value = text
    await settle(pilot)  # type: ignore[arg-type]


async def fill_all(pilot: object, fields: dict[str, str]) -> None:
    for selector, text in fields.items():
        await fill(pilot, selector, text)


async def save_new(pilot: object, fields: dict[str, str]) -> None:
    """`a`, the fields typed in, ctrl+s: a new event as a user enters it."""
    await settle(pilot)  # type: ignore[arg-type]
    await press(pilot, "a")  # type: ignore[arg-type]
    await fill_all(pilot, fields)
    await press(pilot, "ctrl+s")  # type: ignore[arg-type]


async def go_to(pilot: object, position: int) -> None:
    """`:` and a log position, as a user moves the cursor onto an event."""
    await press(pilot, "colon")  # type: ignore[arg-type]
    await pilot.press(*str(position), "enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]


def error_at(app: TrackerApp, key: str) -> str:
    return str(app.screen.query_one(f"#e-{key}", Label).render())


async def test_a_meeting_filled_in_is_saved_and_the_cursor_lands_on_it(
        app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        assert isinstance(app.screen, EventForm)
        await fill(pilot, "#f-story", "last Friday")
        await fill(pilot, "#f-published", "2014-03-14")
        assert "2014-03-07" in str(app.screen.query_one("#f-story-shown").render())
        await fill_all(pilot, {
            "#f-summary": "Kerry and Lavrov meet in London",
            "#f-role-participant": "John Kerry, Sergey Lavrov",
            "#f-place": "London",
            "#f-outlet": "Reuters",
        })
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, EventForm)
        assert seed_log.count() == 18
        stored = list(seed_log.events())[-1]
        assert stored.type == "meeting.held"
        assert stored.story.earliest == "2014-03-07"
        assert {a.name for a in stored.actors} == {"John Kerry", "Sergey Lavrov"}
        assert app.timeline_view.position == 18
        assert "Kerry and Lavrov meet in London" in text_of_main(app, "#detail")
    listing = CliRunner().invoke(cli, ["--db", "log.sqlite", "log"])
    assert "Kerry and Lavrov meet in London" in listing.output


async def test_an_impossible_date_shows_an_error_at_the_field_and_writes_nothing(
        app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await save_new(pilot, {
            "#f-story": "2014-02-30",
            "#f-summary": "A meeting that cannot have been",
            "#f-role-participant": "A, B",
            "#f-outlet": "Reuters",
        })
        assert isinstance(app.screen, EventForm)
        assert "'2014-02-30' is not a real date (February 2014 has 28 days)" in error_at(
            app, "story")
        form = app.screen
        shown = str(form.query_one("#f-story-shown").render())
        assert "not a real date" not in shown  # said once, at the field
        assert app.screen.query_one("#f-story", Input).has_class("-invalid")
        assert app.screen.focused is app.screen.query_one("#f-story", Input)
        assert seed_log.count() == 17


async def test_a_missing_required_actor_is_shown_at_that_role(
        app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await save_new(pilot, {
            "#f-story": "2014-03-10",
            "#f-summary": "Someone met",
            "#f-outlet": "Reuters",
        })
        assert "needs an actor with role 'participant'" in error_at(app, "role-participant")
        assert seed_log.count() == 17


async def test_the_form_adapts_to_the_type(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        form = app.screen
        assert form.query("#f-role-participant")
        form.query_one("#f-type").value = "invitation.extended"  # type: ignore[attr-defined]
        await settle(pilot)
        assert form.query("#f-role-inviter") and form.query("#f-role-invitee")
        assert not form.query("#f-role-participant")
        assert form.query("#f-detail-venue")


async def test_esc_on_an_untouched_form_closes_it(app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        await press(pilot, "escape")
        assert not isinstance(app.screen, EventForm)
        assert seed_log.count() == 17


async def test_esc_after_typing_asks_once_then_discards_and_writes_nothing(
        app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        app.screen.query_one("#f-summary", Input).focus()
        await press(pilot, *"never saved")
        await press(pilot, "escape")
        assert isinstance(app.screen, EventForm)  # what was typed is still there
        assert app.screen.query_one("#f-summary", Input).value == "never saved"
        assert "esc again discards what you typed" in str(
            app.screen.query_one("#form-error", Label).render())
        # ... and in a notice: the top of a long form may be scrolled out of sight
        assert any("esc again discards" in said for said in app.said)
        await press(pilot, "escape")
        assert not isinstance(app.screen, EventForm)
        assert seed_log.count() == 17
        await press(pilot, "a")  # a new form starts blank and untouched
        assert app.screen.query_one("#f-summary", Input).value == ""
        await press(pilot, "escape")
        assert not isinstance(app.screen, EventForm)


async def test_someone_appending_meanwhile_is_shown_in_the_form_then_saving_works(
        app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        other = open_timeline("log.sqlite")
        other.add({"type": "statement.made", "story": "2014-03-11", "summary": "Another desk",
                   "source": {"outlet": "AP", "published": "2014-03-11"}})
        other.close()
        await fill_all(pilot, {
            "#f-story": "2014-03-12",
            "#f-published": "2014-03-12",
            "#f-summary": "Kerry and Lavrov talk by phone",
            "#f-role-participant": "John Kerry, Sergey Lavrov",
            "#f-outlet": "Reuters",
        })
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, EventForm)
        shown = error_at(app, "form") if app.screen.query("#e-form") else str(
            app.screen.query_one("#form-error", Label).render())
        assert "the log is at position 18, not 17: someone else appended meanwhile" in shown
        assert seed_log.count() == 18
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, EventForm)
        assert seed_log.count() == 19
        assert app.timeline_view.position == 19


async def test_a_reference_is_picked_from_the_timeline(app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "colon")
        await pilot.press(*"2", "enter")  # the invitation
        await settle(pilot)
        await press(pilot, "a")
        form = app.screen
        form.query_one("#f-type").value = "invitation.accepted"  # type: ignore[attr-defined]
        await settle(pilot)
        form.query_one("#f-ref-rel").value = "responds_to"  # type: ignore[attr-defined]
        await fill_all(pilot, {
            "#f-story": "2014-03-20",
            "#f-summary": "Kerry accepts after all",
            "#f-role-invitee": "John Kerry",
            "#f-outlet": "Reuters",
            "#f-published": "2014-03-20",
        })
        await press(pilot, "ctrl+s")
        assert seed_log.count() == 18
        stored = list(seed_log.events())[-1]
        assert [(r.rel, r.id) for r in stored.refs] == [("responds_to", "kl-02-moscow-invitation")]


async def test_c_corrects_the_event_under_the_cursor(app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await go_to(pilot, 1)
        await press(pilot, "c")
        summary = app.screen.query_one("#f-fix-summary", Input)
        # the summary being corrected is shown from its start, nothing selected to type over
        assert summary.value.startswith("Lavrov meets Putin")
        assert summary.cursor_position == 0 and summary.selected_text == ""
        await fill(pilot, "#f-fix-place", "Novo-Ogaryovo")
        await fill(pilot, "#f-detail-reason", "the meeting was outside Moscow")
        await press(pilot, "ctrl+s")
        assert seed_log.count() == 18
        stored = list(seed_log.events())[-1]
        assert stored.type == "entry.corrected"
        assert stored.details["changes"] == {"place": "Novo-Ogaryovo"}
        assert [(r.rel, r.id) for r in stored.refs] == [("corrects", "kl-01-sochi-meeting")]
        await settle(pilot)
        assert app.timeline_view.position == 18
        detail = text_of_main(app, "#detail")
        assert "changes   place → Novo-Ogaryovo" in detail  # read as a person reads it
        assert "{" not in detail


async def test_a_correction_to_an_impossible_date_is_refused_at_its_field(
        app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await fill(pilot, "#f-fix-story", "2014-02-30")
        await press(pilot, "ctrl+s")
        assert "not a real date" in error_at(app, "fix-story")
        assert seed_log.count() == 17


async def test_x_retracts_the_event_under_the_cursor(app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "x")
        await fill(pilot, "#f-detail-reason", "no second source")
        await press(pilot, "ctrl+s")
        stored = list(seed_log.events())[-1]
        assert stored.type == "entry.retracted"
        assert [(r.rel, r.id) for r in stored.refs] == [("retracts", "kl-11-kerry-lavrov-met")]
        await settle(pilot)
        # the retracted entry is marked in the timeline
        await press(pilot, "g")
        assert "✗" in app.timeline_view.render_line(0).text


async def test_e_exports_to_a_path_the_user_confirms(app: TrackerApp, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "e")
        app.screen.query_one("#export-path", Input).value = str(target)
        await press(pilot, "enter")
        assert target.exists()
        assert len(json.loads(target.read_text())["events"]) == 17
        # an existing file needs a second enter
        await press(pilot, "e")
        app.screen.query_one("#export-path", Input).value = str(target)
        await press(pilot, "enter")
        assert "exists: press enter again" in str(app.screen.query_one("#export-error").render())
        await press(pilot, "enter")
        assert not app.screen.query("#export-path")


async def test_on_a_large_log_a_saved_meeting_takes_its_story_place_and_its_state_shows(
        seed_log: Timeline) -> None:
    """Past the small-log size the timeline is extended with the new event, not read again, and
    the state index is rebuilt: the meeting sits on its story day and its step says so."""
    from tracker.domain.ordering import story_order

    app = TrackerApp(seed_log, small_log=5)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        outline_before = app.session.outline
        await press(pilot, "a")
        await fill(pilot, "#f-story", "2014-03-07")
        await fill(pilot, "#f-published", "2014-03-14")
        await fill_all(pilot, {
            "#f-summary": "Kerry and Lavrov meet in London",
            "#f-role-participant": "John Kerry, Sergey Lavrov",
            "#f-outlet": "Reuters",
        })
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert seed_log.count() == 18
        assert app.session.outline is not outline_before and outline_before.count == 17
        events = seed_log.all_events()
        assert list(app.session.outline.story) == [events[i].position for i in story_order(events)]
        assert app.timeline_view.position == 18
        state = text_of_main(app, "#state")
        # the item is named from the summary, not by a generated event id
        assert "+ added   meeting meeting:kerry-and-lavrov-meet-in-london" in state
        assert "  held" in state and "ev-" not in state
        assert "After step 3 of 18 (#18)" in state  # 2014-03-07: third in story order


async def test_an_answer_refers_to_the_entry_under_the_cursor_by_default(
        app: TrackerApp, seed_log: Timeline) -> None:
    """A refusal added on the invitation answers it without choosing the relation: the form
    starts on "responds_to" and the entry under the cursor."""
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await go_to(pilot, 2)
        await press(pilot, "a")
        form = app.screen
        form.query_one("#f-type", Select).value = "invitation.declined"
        await settle(pilot)
        assert form.query_one("#f-ref-rel", Select).value == "responds_to"
        assert form.query_one("#f-ref-target", Select).value == 2
        form.query_one("#f-type", Select).value = "meeting.held"  # opens an item: no answer
        await settle(pilot)
        assert form.query_one("#f-ref-rel", Select).is_blank()
        form.query_one("#f-type", Select).value = "invitation.declined"
        await settle(pilot)
        assert form.query_one("#f-ref-rel", Select).value == "responds_to"
        await fill_all(pilot, {"#f-story": "2014-03-12", "#f-published": "2014-03-12",
                               "#f-summary": "Kerry declines again",
                               "#f-role-invitee": "John Kerry", "#f-outlet": "Wire"})
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, EventForm)
        stored = list(seed_log.events())[-1]
        assert [(r.rel, r.id) for r in stored.refs] == [("responds_to", "kl-02-moscow-invitation")]
        assert stored.subject == "invitation:kerry-to-moscow"


async def test_a_correction_that_changes_nothing_says_what_to_change(
        app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, EventForm)
        assert error_at(app, "fix-summary") == (
            "nothing is corrected yet: change what was wrong in the entry's fields (summary, "
            "date, actors, details, place, certainty, source)")
        assert seed_log.count() == 17


async def test_a_meeting_held_after_its_report_is_refused_at_the_story_date(
        app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        await fill_all(pilot, {
            "#f-story": "tomorrow",
            "#f-published": "2014-03-14",
            "#f-summary": "A meeting not held yet",
            "#f-role-participant": "A, B",
            "#f-outlet": "Reuters",
        })
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, EventForm)
        assert error_at(app, "story") == (
            "field 'story': 'tomorrow' begins on 2014-03-15, after the source's publication "
            "date (2014-03-14); meeting.held reports what happened, which no source can tell "
            "before it does (a plan is meeting.proposed or meeting.scheduled)")
        assert app.screen.query_one("#f-story", Input).has_class("-invalid")
        assert seed_log.count() == 17


async def test_a_paper_sent_in_brussels_and_received_in_beijing_is_saved_with_both_zones(
        app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        app.screen.query_one("#f-type", Select).value = "proposal.submitted"
        await settle(pilot)
        await fill_all(pilot, {
            "#f-story": "Friday night",
            "#f-published": "2014-03-10",
            "#f-summary": "An EU paper reaches Beijing",
            "#f-role-proposer": "European Union",
            "#f-outlet": "Xinhua",
            "#f-story-tz": "Europe/Brussels",
            "#f-received": "Saturday",
            "#f-received-tz": "Mars/Olympus",
        })
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, EventForm)
        assert error_at(app, "received-tz") == (
            "field 'story.received.tz': 'Mars/Olympus' is not a time zone; give an IANA time "
            "zone such as Europe/Brussels or Asia/Shanghai, or a UTC offset such as +01:00")
        await fill(pilot, "#f-received-tz", "Asia/Shanghai")
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, EventForm)
        stored = list(seed_log.events())[-1]
        assert stored.story.told() == "2014-03-07 Europe/Brussels, received 2014-03-08 Asia/Shanghai"


async def test_tab_typed_right_after_text_moves_to_the_next_field_at_once(
        app: TrackerApp) -> None:
    """Keys arriving in one burst (a paste without bracketed paste, fast typing): each tab
    moves on before the text behind it is typed, so each text lands in its own field."""
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        app.screen.query_one("#f-story", Input).focus()
        await settle(pilot)
        names = {"\t": "tab", " ": "space", ",": "comma", "-": "minus"}
        for ch in "2014-03-10\tKerry meets Lavrov\tJohn Kerry, Sergey Lavrov":
            app.post_message(events.Key(names.get(ch, ch), ch))
        await settle(pilot)
        form = app.screen
        assert [form.query_one(f"#f-{key}", Input).value
                for key in ("story", "summary", "role-participant")] == [
            "2014-03-10", "Kerry meets Lavrov", "John Kerry, Sergey Lavrov"]


@pytest.mark.parametrize("small_log", [50_000, 5], ids=["checkpoints", "state index"])
async def test_a_saved_event_shows_at_once_in_every_pane(
        seed_log: Timeline, small_log: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """From the moment the cursor lands on the saved event, its row has its text, the event
    pane shows it and the state pane the state after it, as counted in the header: never the
    previous event, a row showing only a type, or a state still being worked out. What the
    screen shows is looked at after every answer the app takes from its workers (each is
    followed by a frame)."""
    app = TrackerApp(seed_log, small_log=small_log)
    seen: list[tuple[str, bool, bool, str]] = []
    take = TrackerApp.on_answer

    def looked_at(self: TrackerApp, message: Any) -> None:
        take(self, message)
        if self.session.loaded and self.timeline_view.position == 18:
            state = text_of_main(self, "#state")
            seen.append((cursor_row(self), "Kerry and Lavrov meet in London" in text_of_main(
                self, "#detail"), bool(re.search(r"After (event|step) 18 of 18", state)),
                header(self)[:13]))

    monkeypatch.setattr(TrackerApp, "on_answer", looked_at)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        await fill_all(pilot, {
            "#f-story": "2014-03-20", "#f-published": "2014-03-20",
            "#f-summary": "Kerry and Lavrov meet in London",
            "#f-role-participant": "John Kerry, Sergey Lavrov", "#f-outlet": "Reuters"})
        await press(pilot, "ctrl+s")
        assert app.timeline_view.position == 18
        assert seen
        for row, event_shown, state_shown, head in seen:
            assert "Kerry and Lavrov meet in London" in row
            assert event_shown and state_shown
            assert head == "tracker 18/18"


async def test_a_new_item_is_named_from_its_summary_and_an_existing_one_is_completed(
        app: TrackerApp, seed_log: Timeline) -> None:
    """The item field completes the items the log holds; left empty, a new item is named
    from the summary (never by a generated event id); the id is the user's if given."""
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        form = app.screen
        await fill_all(pilot, {
            "#f-story": "2014-03-20", "#f-published": "2014-03-20",
            "#f-summary": "Kerry and Lavrov meet in London",
            "#f-role-participant": "John Kerry, Sergey Lavrov", "#f-outlet": "Reuters"})
        assert str(form.query_one("#f-subject-shown").render()) == (
            "empty: a new item, meeting:kerry-and-lavrov-meet-in-london")
        await press(pilot, "ctrl+s")
        stored = list(seed_log.events())[-1]
        assert stored.subject == "meeting:kerry-and-lavrov-meet-in-london"
        assert stored.id.startswith("ev-")

        await press(pilot, "a")
        form = app.screen
        form.query_one("#f-type", Select).value = "meeting.scheduled"
        form.query_one("#f-ref-rel", Select).clear()
        form.query_one("#f-subject", Input).focus()
        await press(pilot, *"meeting:kerry-lavrov-n", "right")  # → accepts the completion
        assert form.query_one("#f-subject", Input).value == "meeting:kerry-lavrov-next"
        assert str(form.query_one("#f-subject-shown").render()) == "an item the log holds"
        await fill_all(pilot, {
            "#f-id": "kl-18-next-meeting-set", "#f-story": "2014-03-30",
            "#f-published": "2014-03-21", "#f-summary": "The next meeting is set for Paris",
            "#f-role-participant": "John Kerry, Sergey Lavrov", "#f-outlet": "AP"})
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, EventForm)
        stored = list(seed_log.events())[-1]
        assert (stored.id, stored.subject) == ("kl-18-next-meeting-set",
                                              "meeting:kerry-lavrov-next")


async def test_an_enumerated_detail_is_picked_from_the_vocabulary(
        app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        form = app.screen
        fmt = form.query_one("#f-detail-format", Select)
        fmt.focus()
        await press(pilot, "enter")
        overlay = fmt.query_one("SelectOverlay", OptionList)
        assert [str(overlay.get_option_at_index(i).prompt)
                for i in range(overlay.option_count)] == [
            "not given", "in_person", "phone", "video"]
        await press(pilot, "p", "h", "enter")  # typing in the open list moves its selection
        assert fmt.value == "phone"
        await fill_all(pilot, {
            "#f-story": "2014-03-20", "#f-published": "2014-03-20",
            "#f-summary": "Kerry and Lavrov speak by phone",
            "#f-role-participant": "John Kerry, Sergey Lavrov", "#f-outlet": "Reuters"})
        await press(pilot, "ctrl+s")
        assert list(seed_log.events())[-1].details == {"format": "phone"}


async def test_c_corrects_every_field_of_the_entry_and_labels_the_two_dates(
        app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await go_to(pilot, 2)  # the invitation: inviter Lavrov, invitee Kerry
        await press(pilot, "c")
        form = app.screen
        labels = [str(label.render()) for label in form.query("Label.field")]
        assert "Story date of #2 (when it happened)" in labels
        assert "Date of this correction (when it was made; not #2's own date)" in labels
        assert form.query_one("#f-fix-role-inviter", Input).value == "Sergey Lavrov"
        await fill_all(pilot, {"#f-fix-role-invitee": "John Kerry, Victoria Nuland",
                               "#f-fix-speaker": "a senior official",
                               "#f-detail-reason": "Nuland was invited too"})
        form.query_one("#f-fix-certainty", Select).value = "probable"
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, EventForm)
        stored = list(seed_log.events())[-1]
        changes = stored.details["changes"]
        assert sorted(changes) == ["actors", "certainty", "source"]
        assert changes["certainty"] == "probable"
        assert {(a["name"], a["role"]) for a in changes["actors"]} >= {
            ("Victoria Nuland", "invitee"), ("John Kerry", "invitee")}
        assert changes["source"]["speaker"] == "a senior official"
        assert stored.summary.startswith("Correction of #2: ")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_an_open_list_covers_whole_lines_inside_the_form_and_typing_picks(
        app: TrackerApp, size: tuple[int, int]) -> None:
    """A drop-down list is a box over whole lines of the form (no label shows through beside
    it), inside the form's border, and typing in it moves its selection."""
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        form = app.screen
        box = form.query_one("#form").region
        label_x = form.query_one("Label.field").region.x
        for selector in ("#f-type", "#f-ref-target"):
            select = form.query_one(selector, Select)
            select.focus()
            form.query_one("#form").scroll_to_widget(select, animate=False)
            await press(pilot, "enter")
            overlay = select.query_one("SelectOverlay", OptionList)
            assert overlay.region.x <= label_x
            assert box.contains_region(overlay.region)
            await press(pilot, "escape")
        form.query_one("#f-type", Select).focus()
        await press(pilot, "enter", *"decl", "enter")
        assert form.query_one("#f-type", Select).value == "invitation.declined"
