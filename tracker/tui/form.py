"""The event form: append a new event, or correct or retract the one under the cursor.

The form adapts to the chosen type (one field per actor role and per detail). The story date is
an explicit or relative expression read against the source's publication date, and shown back
as it resolves. On ctrl+s the entry is built into the same JSON-shaped object `tracker add`
takes, checked by :func:`tracker.domain.input.parse_event`, and appended in one transaction through
:meth:`tracker.app.service.Timeline.append` (with the log position the form was opened at, so a
concurrent append is reported instead of silently interleaved). Errors show at their field.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static

from tracker.app.service import Timeline, today
from tracker.app.terms import (
    CERTAINTY,
    DEFAULT_TYPE,
    EVENT_TYPES,
    REF_RELATIONS,
    Event,
    EventType,
    event_to_dict,
    parse_story,
    type_with_effect,
)
from tracker.errors import AppendConflict, TrackerError
from tracker.text import one_line
from tracker.tui.model import Line
from tracker.tui.screens import TrackerModal

NEW, CORRECT, RETRACT = "new", "correct", "retract"

FORM_CSS = """
EventForm > VerticalScroll { width: 90%; max-width: 110; max-height: 100%; }
EventForm Label.field { margin-top: 1; text-style: bold; }
EventForm Input, EventForm Select { margin: 0 0 0 2; }
EventForm .hint { color: $text-muted; }
EventForm Label.error { color: $error; text-style: bold; width: 100%; height: auto; display: none; }
EventForm Label.error.-shown { display: block; }
EventForm #form-error { margin: 1 0 0 0; }
EventForm .section { margin-top: 1; text-style: bold underline; }
EventForm Vertical { height: auto; }
EventForm SelectOverlay { text-wrap: nowrap; text-overflow: ellipsis; }
"""

def _id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)


def field_of(exc: TrackerError, actor_roles: list[str]) -> str:
    """The form field a failure is about ("story", "role-inviter", "detail-reason", "ref"...),
    from the input field the failure names (its ``field``: "source.published", "actors[1].role",
    "actors.inviter", "details.terms"); "form" when it names none the form shows."""
    name = exc.field
    if not name:
        return "form"
    head, _, rest = name.partition(".")
    head, _, index = head.partition("[")
    if head == "source":
        return rest.split(".")[0] if rest else "outlet"
    if head == "actors":
        if index:
            i = int(index.rstrip("]"))
            return f"role-{actor_roles[i]}" if i < len(actor_roles) else "form"
        return f"role-{rest}" if rest else "form"
    if head == "details":
        detail = rest.split("[")[0].split(".")[0]
        if detail == "changes":
            return "fix-summary"
        return f"detail-{detail}" if detail else "form"
    if head == "refs":
        return "ref"
    if name.startswith("story.received"):
        return "received-tz" if name == "story.received.tz" else "received"
    if name == "story.tz":
        return "story-tz"
    if head in {"story", "summary", "place", "certainty", "type"}:
        return head
    return "form"


def said_here(exc: TrackerError) -> str:
    """The failure's message without its place when the place is this form's own entry
    ("event 'ev-…': …": the event not saved yet is the form)."""
    text = exc.message
    if exc.place and text.startswith(f"{exc.place}: "):
        return text[len(exc.place) + 2:]
    return text


class EventForm(TrackerModal[Event | None]):
    """Append an event (or a correction or retraction of the one under the cursor)."""

    DEFAULT_CSS = FORM_CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True, id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    def __init__(self, service: Timeline, mode: str, cursor_event: Event | None,
                 nearby: list[tuple[int, Line]], expected_position: int) -> None:
        super().__init__()
        self.service = service
        self.mode = mode
        self.target = cursor_event
        self.nearby = nearby
        self.expected = expected_position
        self.actor_roles: list[str] = []
        self.saving = False
        self._type_shown = ""
        self.edited = False  # the user has typed or chosen something
        self._rel_set: str | None = None  # the reference relation the form chose for the type
        self._discard_armed = False

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        target = self.target
        published = target.source.published if target else today()
        with VerticalScroll(id="form"):
            if self.mode == NEW:
                yield Static("New event", classes="title")
            else:
                assert target is not None
                verb = "Correct" if self.mode == CORRECT else "Retract"
                yield Static(Content.assemble((f"{verb} #{target.position} ", "bold"),
                                              one_line(target.summary)), classes="title")
            yield Label("", id="form-error", classes="error", markup=False)
            if self.mode == NEW:
                yield Label("Type", classes="field")
                yield Select([(Content(f"{name}  ({t.description})"), name)
                              for name, t in EVENT_TYPES.items()
                              if t.effect not in ("correct", "retract")],
                             value=DEFAULT_TYPE, allow_blank=False, id="f-type",
                             compact=True)
                yield from self._error("type")
            if self.mode == CORRECT:
                assert target is not None
                yield Static("Corrected fields (change what was wrong)", classes="section")
                yield Label("Summary", classes="field")
                yield Input(target.summary, id="f-fix-summary", compact=True)
                yield from self._error("fix-summary")
                yield Label("Story date", classes="field")
                yield Input(target.story.expr, id="f-fix-story", compact=True)
                yield Static("", id="f-fix-story-shown", classes="hint")
                yield from self._error("fix-story")
                yield Label("Place", classes="field")
                yield Input(target.place or "", id="f-fix-place", compact=True)
                yield from self._error("fix-place")
            if self.mode != NEW:
                yield Label("Reason", classes="field")
                yield Input("", id="f-detail-reason", placeholder="why the entry was wrong",
                            compact=True)
                yield from self._error("detail-reason")
            yield Static("This entry" if self.mode != NEW else "What happened",
                         classes="section")
            yield Label("Story date (when it happened)", classes="field")
            yield Input(published if self.mode != NEW else "", id="f-story",
                        placeholder="2014-03-10, last Friday, last week, no later than 2014-03-10",
                        compact=True)
            yield Static("", id="f-story-shown", classes="hint")
            yield from self._error("story")
            yield Label("Summary", classes="field")
            default_summary = ""
            if target is not None and self.mode != NEW:
                default_summary = ("Correction of " if self.mode == CORRECT
                                   else "Retraction of ") + target.id
            yield Input(default_summary, id="f-summary", placeholder="one line", compact=True)
            yield from self._error("summary")
            if self.mode == NEW:
                yield Vertical(id="f-roles")
                yield Vertical(id="f-details")
                yield Label("Place", classes="field")
                yield Input("", id="f-place", compact=True)
                yield from self._error("place")
                yield Label("Certainty", classes="field")
                yield Select([(Content(f"{k}  ({v})"), k) for k, v in CERTAINTY.items()],
                             value="certain", allow_blank=False, id="f-certainty",
                             compact=True)
                yield from self._error("certainty")
                yield Label("Time zone of the story date (the place's local day; optional)",
                            classes="field")
                yield Input("", id="f-story-tz", placeholder="Europe/Brussels, +01:00",
                            compact=True)
                yield from self._error("story-tz")
                yield Label("Received (a document: when it reached its addressee; optional)",
                            classes="field")
                yield Input("", id="f-received", placeholder="Saturday, 2014-03-08", compact=True)
                yield from self._error("received")
                yield Label("Time zone of the receipt (optional)", classes="field")
                yield Input("", id="f-received-tz", placeholder="Asia/Shanghai, +08:00",
                            compact=True)
                yield from self._error("received-tz")
            yield Static("Source", classes="section")
            src = target.source if target else None
            for key, label, value in (
                ("outlet", "Outlet", src.outlet if src else ""),
                ("published", "Published (ISO date)", published),
                ("author", "Author", ""),
                ("url", "URL", ""),
                ("speaker", "Speaker (a name or an anonymous label)", ""),
                ("quote", "Quote", ""),
            ):
                yield Label(label, classes="field")
                yield Input(value, id=f"f-{key}", compact=True)
                yield from self._error(key)
            yield Checkbox("On the record", True, id="f-on-record")
            if self.mode == NEW:
                yield Static("Reference (picked from the timeline)", classes="section")
                yield Select([(Content(f"{rel}  ({why})"), rel)
                              for rel, why in REF_RELATIONS.items()],
                             prompt="no reference", id="f-ref-rel", compact=True)
                options = [
                    (Content(f"#{p} {line.date} {line.type} {line.summary}"), p)
                    for p, line in self.nearby
                ]
                here = self.target.position if self.target else None
                yield Select(options, prompt="the entry it refers to", compact=True,
                             value=here if any(p == here for p, _ in self.nearby)
                             else Select.BLANK, id="f-ref-target")
                yield from self._error("ref")
            yield Static("ctrl+s saves · esc cancels · tab moves between fields", classes="hint")

    def _error(self, key: str) -> ComposeResult:
        yield Label("", id=f"e-{_id(key)}", classes="error", markup=False)

    async def on_mount(self) -> None:
        if self.mode == NEW:
            await self._rebuild_type_fields(DEFAULT_TYPE)
            self.query_one("#f-type", Select).focus()
        elif self.mode == CORRECT:
            summary = self.query_one("#f-fix-summary", Input)
            summary.focus()
            # the summary being corrected shows from its start, nothing selected to type over
            self.call_after_refresh(setattr, summary, "cursor_position", 0)
        else:
            self.query_one("#f-detail-reason", Input).focus()
        self._show_story()

    @on(Select.Changed, "#f-type")
    async def type_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self._type_shown:
            await self._rebuild_type_fields(event.value)

    async def _rebuild_type_fields(self, type_name: str) -> None:
        self._type_shown = type_name
        etype = EVENT_TYPES[type_name]
        roles_box = self.query_one("#f-roles", Vertical)
        details_box = self.query_one("#f-details", Vertical)
        kept = {w.id: w.value for w in self.query(Input) if w.id and
                w.id.startswith(("f-role-", "f-detail-"))}
        await roles_box.remove_children()
        await details_box.remove_children()
        role_widgets: list[Widget] = []
        for role in (*etype.roles, "mentioned"):
            required = " (required)" if role in etype.required_roles else ""
            role_widgets += [
                Label(f"Actors: {role}{required}", classes="field", markup=False),
                Input(kept.get(f"f-role-{_id(role)}", ""), id=f"f-role-{_id(role)}",
                      placeholder="names, separated by commas", compact=True),
                Label("", id=f"e-role-{_id(role)}", classes="error", markup=False),
            ]
        await roles_box.mount_all(role_widgets)
        detail_widgets: list[Widget] = []
        for name, kind in etype.details.items():
            if kind == "object":
                continue
            required = " (required)" if name in etype.required_details else ""
            hint = {"list[str]": "several, separated by ;", "bool": "yes or no"}.get(kind, "")
            if name in etype.choices:
                hint = "one of: " + ", ".join(etype.choices[name])
            detail_widgets += [
                Label(f"{name.replace('_', ' ').capitalize()}{required}", classes="field",
                      markup=False),
                Input(kept.get(f"f-detail-{_id(name)}", ""), id=f"f-detail-{_id(name)}",
                      placeholder=hint, compact=True),
                Label("", id=f"e-detail-{_id(name)}", classes="error", markup=False),
            ]
        await details_box.mount_all(detail_widgets)
        rel = self.query_one("#f-ref-rel", Select)
        chosen = None if rel.is_blank() or rel.value == self._rel_set else rel.value
        if etype.required_refs:
            self._rel_set = etype.required_refs[0]
        elif not etype.opens_item and not etype.meta:
            self._rel_set = "responds_to"  # an answer (a refusal, a rejection...) answers an entry
        else:
            self._rel_set = None
        if chosen is None:  # what the form set for the type before, the user has not changed
            if self._rel_set is None:
                rel.clear()
            else:
                rel.value = self._rel_set

    # -- the story date, shown back ----------------------------------------------------------

    @on(Input.Changed, "#f-story, #f-published, #f-fix-story")
    def story_changed(self) -> None:
        # A save's error about the date is stale once the date changes: the preview speaks now.
        for key in ("story", "fix-story"):
            for label in self.query(f"#e-{key}").results(Label):
                label.update("")
                label.remove_class("-shown")
            for field in self.query(f"#f-{key}"):
                field.remove_class("-invalid")
        self._show_story()

    def _show_story(self) -> None:
        published = self._value("published") or None
        for key in ("story", "fix-story"):
            found = self.query(f"#f-{key}")
            if not found:
                continue
            expr = self._value(key)
            shown = self.query_one(f"#f-{key}-shown", Static)
            if not expr:
                shown.update("")
                continue
            try:
                story = parse_story(expr, "story", published)
            except TrackerError as exc:
                shown.update(Content.styled(one_line(said_here(exc)), "$warning"))
                continue
            text = f"→ {story.display()}   (EDTF {story.edtf}"
            text += f", read against {story.anchor})" if story.anchor else ")"
            shown.update(Content(text))

    # -- building and saving -----------------------------------------------------------------

    def _value(self, key: str) -> str:
        found = self.query(f"#f-{_id(key)}")
        if not found:
            return ""
        widget = found.first()
        if isinstance(widget, Input):
            return widget.value.strip()
        if isinstance(widget, Select):
            return str(widget.value) if isinstance(widget.value, str | int) else ""
        return ""

    def build(self) -> dict[str, Any]:
        """The entry as the JSON object `tracker add` takes."""
        source: dict[str, Any] = {"outlet": self._value("outlet"),
                                  "published": self._value("published")}
        for key in ("author", "url", "speaker", "quote"):
            if self._value(key):
                source[key] = self._value(key)
        source["on_record"] = self.query_one("#f-on-record", Checkbox).value
        obj: dict[str, Any] = {"story": self._value("story"), "summary": self._value("summary"),
                               "source": source}
        self.actor_roles = []
        if self.mode == NEW:
            type_name = self._value("type")
            etype = EVENT_TYPES[type_name]
            obj["type"] = type_name
            actors = []
            for role in (*etype.roles, "mentioned"):
                for name in self._value(f"role-{role}").split(","):
                    if name.strip():
                        actors.append({"name": name.strip(), "role": role})
                        self.actor_roles.append(role)
            obj["actors"] = actors
            obj["details"] = self._details(etype)
            if self._value("place"):
                obj["place"] = self._value("place")
            obj["certainty"] = self._value("certainty") or "certain"
            story: dict[str, Any] = {"expr": obj["story"]}
            if self._value("story-tz"):
                story["tz"] = self._value("story-tz")
            if self._value("received"):
                story["received"] = {"expr": self._value("received")}
                if self._value("received-tz"):
                    story["received"]["tz"] = self._value("received-tz")
            if len(story) > 1:
                obj["story"] = story
            rel, target = self._value("ref-rel"), self._value("ref-target")
            if rel:  # the entry it refers to defaults to the one under the cursor
                obj["refs"] = [{"rel": rel, "id": self._ref_id(target)}]
        else:
            assert self.target is not None
            reason = self._value("detail-reason")
            if self.mode == CORRECT:
                corrects = type_with_effect("correct")
                obj["type"] = corrects.name
                obj["refs"] = [{"rel": corrects.required_refs[0], "id": self.target.id}]
                obj["details"] = {"changes": self._changes()}
            else:
                retracts = type_with_effect("retract")
                obj["type"] = retracts.name
                obj["refs"] = [{"rel": retracts.required_refs[0], "id": self.target.id}]
                obj["details"] = {}
            if reason:
                obj["details"]["reason"] = reason
        return obj

    def _ref_id(self, target: str) -> str:
        if not target:
            return ""
        position = int(target)
        return next((line.id for p, line in self.nearby if p == position), "")

    def _details(self, etype: EventType) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, kind in etype.details.items():
            text = self._value(f"detail-{name}")
            if not text or kind == "object":
                continue
            if kind == "list[str]":
                out[name] = [part.strip() for part in text.split(";") if part.strip()]
            elif kind == "bool":
                out[name] = text.lower() in {"yes", "y", "true", "1"}
            else:
                out[name] = text
        return out

    def _changes(self) -> dict[str, Any]:
        assert self.target is not None
        changes: dict[str, Any] = {}
        if self._value("fix-summary") != self.target.summary:
            changes["summary"] = self._value("fix-summary")
        if self._value("fix-story") != self.target.story.expr:
            changes["story"] = {"expr": self._value("fix-story"),
                                "anchor": self.target.story.anchor}
        if (self._value("fix-place") or None) != self.target.place:
            changes["place"] = self._value("fix-place") or None
        return changes

    def _check_correction(self) -> bool:
        """A correction must leave a valid entry behind: check the corrected entry as a whole."""
        assert self.target is not None
        if not self._changes():
            self.show_error("fix-summary", "nothing is corrected yet: change the summary, the "
                            "story date or the place")
            return False
        merged = event_to_dict(self.target)
        for key in ("position", "recorded_at", "schema_version"):
            merged.pop(key, None)
        merged.update(self._changes())
        try:
            self.service.parse(merged, "correction")
        except TrackerError as exc:
            fixed = {"story": "fix-story", "summary": "fix-summary", "place": "fix-place"}
            self.show_error(fixed.get(field_of(exc, []), "form"), said_here(exc))
            return False
        return True

    def clear_errors(self) -> None:
        for label in self.query("Label.error").results(Label):
            label.update("")
            label.remove_class("-shown")
        for widget in self.query(".-invalid"):
            widget.remove_class("-invalid")

    def show_error(self, key: str | None, message: str) -> None:
        text = one_line(message)
        found = self.query(f"#e-{_id(key)}") if key and key != "form" else None
        label = found.first(Label) if found else self.query_one("#form-error", Label)
        label.update(Content(text))
        label.add_class("-shown")
        if key in ("story", "fix-story"):
            self.query_one(f"#f-{key}-shown", Static).update("")  # said once, at the field
        field = self.query(f"#f-{_id(key)}") if key else None
        target = field.first() if field else label
        target.add_class("-invalid")
        if target.focusable:
            target.focus()
        self.query_one("#form", VerticalScroll).scroll_to_widget(label, animate=False)
        if key in (None, "form"):  # said at the top of a long form: it may be out of sight
            self.app.notify(text, severity="warning", markup=False)

    def action_save(self) -> None:
        if self.saving:
            return
        self.clear_errors()
        obj = self.build()
        if self.mode == CORRECT and not self._check_correction():
            return
        try:
            event = self.service.parse(obj)
        except TrackerError as exc:
            self.show_error(field_of(exc, self.actor_roles), said_here(exc))
            return
        self.saving = True
        self.save(event, self.expected)

    @work(thread=True, exclusive=True, group="save")
    def save(self, event: Event, expected: int) -> None:
        try:
            report = self.service.append([event], expected_position=expected)
        except AppendConflict as exc:
            head = self.service.head()[0]
            self.app.call_from_thread(self._conflict, str(exc), head)
            return
        except TrackerError as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        stored = report.added[0] if report.added else self.service.get(event.id)
        self.app.call_from_thread(self.dismiss, stored)

    def _conflict(self, message: str, head: int) -> None:
        self.saving = False
        self.expected = head
        self.show_error("form", message + ". The timeline behind this form was reloaded: "
                        "look at it, then ctrl+s saves")
        load = getattr(self.app, "load", None)
        if load is not None:
            load()

    def _failed(self, exc: TrackerError) -> None:
        self.saving = False
        self.show_error(field_of(exc, self.actor_roles), said_here(exc))

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def note_edit(self, event: Input.Changed | Select.Changed | Checkbox.Changed) -> None:
        # Only what the user does counts (pre-filled values arrive before anything has focus).
        if event.control.has_focus or (isinstance(event, Select.Changed)
                                       and self.app.focused is not None
                                       and event.control in self.app.focused.ancestors):
            self.edited = True
            self._discard_armed = False

    def action_cancel(self) -> None:
        if self.edited and not self._discard_armed:
            self._discard_armed = True
            self.show_error("form", "Nothing is saved yet: esc again discards what you typed, "
                            "ctrl+s saves it")
            return
        self.dismiss(None)
