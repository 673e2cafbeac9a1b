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
from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static

from tracker.app.service import Timeline, today
from tracker.app.terms import (
    CERTAINTY,
    DEFAULT_TYPE,
    EVENT_TYPES,
    LIST_SEPARATOR,
    REF_RELATIONS,
    RELATIONS,
    Actor,
    Event,
    EventType,
    actors_as_field,
    actors_from_field,
    detail_from_text,
    detail_hint,
    event_to_dict,
    parse_story,
    thaw,
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
EventForm Input { margin: 0 0 0 2; }
EventForm Select.-textual-compact > SelectCurrent { padding: 0 1 0 2; }
EventForm Select > SelectOverlay, EventForm Select > SelectOverlay.-textual-compact {
    border: round $accent !important; background: $panel; width: 100%; max-height: 12;
}
EventForm .hint { color: $text-muted; }
EventForm Label.error { color: $error; text-style: bold; width: 100%; height: auto; display: none; }
EventForm Label.error.-shown { display: block; }
EventForm #form-error { margin: 1 0 0 0; }
EventForm .section { margin-top: 1; text-style: bold underline; }
EventForm Vertical { height: auto; }
EventForm SelectOverlay { text-wrap: nowrap; text-overflow: ellipsis; overflow-x: hidden; }
"""

def _id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)


#: The source fields the form shows, with their labels.
SOURCE_FIELDS = (
    ("outlet", "Outlet"),
    ("published", "Published (ISO date)"),
    ("author", "Author"),
    ("url", "URL"),
    ("speaker", "Speaker (a name or an anonymous label)"),
    ("quote", "Quote"),
)
#: What the field of an actor role says about what it takes, by example (what shows of it in a
#: narrow form is its start): names separated by commas, the office held then after a colon,
#: one holding a comma in double quotes.
ACTORS_HINT = 'Kim Jong Un, Mike Pompeo: Secretary of State, "Name: an office, with a comma"'
#: How many of the items matching what is typed in the item field its hint names.
SUBJECTS_SHOWN = 4


def slug(text: str, limit: int = 48) -> str:
    """A short identifier part from a summary: "Kerry and Lavrov meet in London" →
    "kerry-and-lavrov-meet-in-london" (cut at a word, at most ``limit`` characters)."""
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(words) <= limit:
        return words
    cut = words[:limit + 1].rsplit("-", 1)[0]
    return cut or words[:limit]


def new_subject(kind: str, summary: str, taken: set[str]) -> str:
    """A name for a new item of a kind, from its summary, not one the log holds already
    ("meeting:kerry-and-lavrov-meet-in-london", "...-2"); "" without a summary."""
    part = slug(summary)
    if not part:
        return ""
    name = f"{kind}:{part}"
    n = 2
    while name in taken:
        name, n = f"{kind}:{part}-{n}", n + 1
    return name


def _shown_value(value: Any) -> str:
    """A detail's stored value as the form shows it for editing."""
    if isinstance(value, list | tuple):
        return f"{LIST_SEPARATOR} ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def _unordered(actors: Iterable[Actor]) -> list[tuple[str, str, str]]:
    """Actors to compare whatever their order."""
    return sorted((a.name, a.role, a.office or "") for a in actors)


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
    if head in {"story", "summary", "place", "certainty", "type", "subject", "id"}:
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
        self.subjects: list[str] = []  # the items the log names (read when the form opens)

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
                yield Select([(Text(f"{name}  ({t.description})"), name)
                              for name, t in EVENT_TYPES.items()
                              if t.effect not in ("correct", "retract")],
                             value=DEFAULT_TYPE, allow_blank=False, id="f-type",
                             compact=True)
                yield from self._error("type")
                yield Label("Item (what it is about: type to complete one the log holds, "
                            "→ accepts; or name a new one)", classes="field")
                yield Input("", id="f-subject", compact=True,
                            placeholder="invitation:kerry-to-moscow")
                yield Static("", id="f-subject-shown", classes="hint")
                yield from self._error("subject")
                yield Label("Id (optional)", classes="field")
                yield Input("", id="f-id", compact=True,
                            placeholder="a stable id of your own; empty: one is generated")
                yield from self._error("id")
            if self.mode == CORRECT:
                assert target is not None
                yield from self._corrected_fields(target)
            n = f"#{target.position}" if target is not None else ""
            own = {NEW: "What happened", CORRECT: f"This correction (of {n})",
                   RETRACT: f"This retraction (of {n})"}[self.mode]
            yield Static(own, classes="section")
            if self.mode != NEW:
                yield Label("Reason", classes="field")
                yield Input("", id="f-detail-reason", placeholder="why the entry was wrong",
                            compact=True)
                yield from self._error("detail-reason")
            yield Label("Story date (when it happened)" if self.mode == NEW else
                        f"Date of this {'correction' if self.mode == CORRECT else 'retraction'}"
                        f" (when it was made; not {n}'s own date)", classes="field")
            yield Input(published if self.mode != NEW else "", id="f-story",
                        placeholder="2014-03-10, last Friday, last week, no later than 2014-03-10",
                        compact=True)
            yield Static("", id="f-story-shown", classes="hint")
            yield from self._error("story")
            yield Label("Summary", classes="field")
            default_summary = ""
            if target is not None and self.mode != NEW:
                default_summary = (("Correction of " if self.mode == CORRECT
                                    else "Retraction of ") + f"#{target.position}: "
                                   + one_line(target.summary))[:200]
            yield Input(default_summary, id="f-summary", placeholder="one line", compact=True)
            yield from self._error("summary")
            if self.mode == NEW:
                yield Vertical(id="f-roles")
                yield Vertical(id="f-details")
                yield Label("Place", classes="field")
                yield Input("", id="f-place", compact=True)
                yield from self._error("place")
                yield Label("Certainty", classes="field")
                yield self._certainty("f-certainty", "certain")
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
            yield Static("Source" if self.mode == NEW else f"{own.split(' (')[0]}: its source",
                         classes="section")
            src = target.source if target else None
            for key, label in SOURCE_FIELDS:
                value = {"outlet": src.outlet if src else "", "published": published}.get(key, "")
                yield Label(label, classes="field")
                yield Input(value, id=f"f-{key}", compact=True)
                yield from self._error(key)
            yield Checkbox("On the record", True, id="f-on-record")
            if self.mode == NEW:
                yield Static("Reference (picked from the timeline)", classes="section")
                yield Select([(Text(f"{rel}  ({why})"), rel)
                              for rel, why in REF_RELATIONS.items()],
                             prompt="no reference", id="f-ref-rel", compact=True)
                options = [
                    (Text(f"#{p} {line.date} {line.type} {line.summary}"), p)
                    for p, line in self.nearby
                ]
                here = self.target.position if self.target else None
                yield Select(options, prompt="the entry it refers to", compact=True,
                             value=here if any(p == here for p, _ in self.nearby)
                             else Select.NULL, id="f-ref-target")
                yield from self._error("ref")
            yield Static("ctrl+s saves · esc cancels · tab moves between fields", classes="hint")

    def _corrected_fields(self, target: Event) -> ComposeResult:
        """Every field of the entry being corrected, as it reads now: what is changed is
        what the correction replaces."""
        n = f"#{target.position}"
        etype = EVENT_TYPES[target.type]
        yield Static(f"{n} as it should read (change what was wrong)", classes="section")
        yield Label(f"Summary of {n}", classes="field")
        yield Input(target.summary, id="f-fix-summary", compact=True)
        yield from self._error("fix-summary")
        yield Label(f"Story date of {n} (when it happened)", classes="field")
        yield Input(target.story.expr, id="f-fix-story", compact=True)
        yield Static("", id="f-fix-story-shown", classes="hint")
        yield from self._error("fix-story")
        named: dict[str, list[Actor]] = {}
        for actor in target.actors:
            named.setdefault(actor.role, []).append(actor)
        yield from self._role_widgets("fix-", etype, {
            r: actors_as_field(v) for r, v in named.items()})
        yield from self._detail_widgets("fix-", etype, {
            k: _shown_value(v) for k, v in target.details.items()})
        yield Label(f"Place of {n}", classes="field")
        yield Input(target.place or "", id="f-fix-place", compact=True)
        yield from self._error("fix-place")
        yield Label(f"Certainty of {n}", classes="field")
        yield self._certainty("f-fix-certainty", target.certainty)
        yield from self._error("fix-certainty")
        yield Static(f"{n}'s source", classes="section")
        src = target.source._asdict()
        for key, label in SOURCE_FIELDS:
            yield Label(label, classes="field")
            yield Input(src.get(key) or "", id=f"f-fix-{key}", compact=True)
            yield from self._error(f"fix-{key}")
        yield Checkbox("On the record", target.source.on_record, id="f-fix-on-record")

    def _certainty(self, widget_id: str, value: str) -> Select[str]:
        return Select([(Text(f"{k}  ({v})"), k) for k, v in CERTAINTY.items()],
                      value=value, allow_blank=False, id=widget_id, compact=True)

    def _role_widgets(self, prefix: str, etype: EventType, values: dict[str, str]
                      ) -> list[Widget]:
        widgets: list[Widget] = []
        for role in (*etype.roles, "mentioned"):
            required = " (required)" if role in etype.required_roles else ""
            widgets += [
                Label(f"Actors: {role}{required}", classes="field", markup=False),
                Input(values.get(role, ""), id=f"f-{prefix}role-{_id(role)}",
                      placeholder=ACTORS_HINT, compact=True),
                Label("", id=f"e-{prefix}role-{_id(role)}", classes="error", markup=False),
            ]
        return widgets

    def _detail_widgets(self, prefix: str, etype: EventType, values: dict[str, str]
                        ) -> list[Widget]:
        """A field per detail of the type: a pick list for a detail with choices, a line for
        the others (a list's items separated as the hint says)."""
        widgets: list[Widget] = []
        for name, kind in etype.details.items():
            if kind == "object":
                continue
            required = " (required)" if name in etype.required_details else ""
            wid = f"f-{prefix}detail-{_id(name)}"
            value = values.get(name, "")
            field: Widget
            choices = etype.choices.get(name)
            if choices:
                field = Select([(Text(c), c) for c in choices], id=wid, compact=True,
                               prompt="not given", allow_blank=True,
                               value=value if value in choices else Select.NULL)
            else:
                field = Input(value, id=wid, placeholder=detail_hint(etype, name),
                              compact=True)
            widgets += [
                Label(f"{name.replace('_', ' ').capitalize()}{required}", classes="field",
                      markup=False),
                field,
                Label("", id=f"e-{prefix}detail-{_id(name)}", classes="error", markup=False),
            ]
        return widgets

    def _error(self, key: str) -> ComposeResult:
        yield Label("", id=f"e-{_id(key)}", classes="error", markup=False)

    async def on_mount(self) -> None:
        if self.mode == NEW:
            await self._rebuild_type_fields(DEFAULT_TYPE)
            self.query_one("#f-type", Select).focus()
            self.load_subjects()
        elif self.mode == CORRECT:
            summary = self.query_one("#f-fix-summary", Input)
            summary.focus()
            # the summary being corrected shows from its start, nothing selected to type over
            self.call_after_refresh(setattr, summary, "cursor_position", 0)
        else:
            self.query_one("#f-detail-reason", Input).focus()
        self._show_story()

    @work(thread=True, exclusive=True, group="subjects")
    def load_subjects(self) -> None:
        try:
            subjects = self.service.subjects()
        except TrackerError:
            return  # no completion; saving says what is wrong with the log
        self.app.call_from_thread(self._take_subjects, subjects)

    def _take_subjects(self, subjects: list[str]) -> None:
        self.subjects = subjects
        self.query_one("#f-subject", Input).suggester = SuggestFromList(subjects)
        self._show_subject()

    @on(Select.Changed, "#f-type")
    async def type_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self._type_shown:
            await self._rebuild_type_fields(event.value)
            self._show_subject()

    async def _rebuild_type_fields(self, type_name: str) -> None:
        self._type_shown = type_name
        etype = EVENT_TYPES[type_name]
        roles_box = self.query_one("#f-roles", Vertical)
        details_box = self.query_one("#f-details", Vertical)
        kept = {w.id: self._value(w.id[len("f-"):]) for w in self.query("Input, Select")
                if w.id and w.id.startswith(("f-role-", "f-detail-"))}
        await roles_box.remove_children()
        await details_box.remove_children()
        await roles_box.mount_all(self._role_widgets("", etype, {
            r: kept.get(f"f-role-{_id(r)}", "") for r in (*etype.roles, "mentioned")}))
        await details_box.mount_all(self._detail_widgets("", etype, {
            d: kept.get(f"f-detail-{_id(d)}", "") for d in etype.details}))
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

    # -- the item, shown back ----------------------------------------------------------------

    @on(Input.Changed, "#f-subject, #f-summary")
    @on(Select.Changed, "#f-ref-rel")
    def subject_changed(self) -> None:
        self._show_subject()

    def _ties_item(self) -> bool:
        """Whether the reference chosen makes the event part of the entry's item."""
        rel = self._value("ref-rel")
        return bool(rel) and RELATIONS[rel].ties_item

    def _generated_subject(self) -> str:
        type_name = self._value("type")
        if not type_name or self._ties_item():
            return ""
        return new_subject(EVENT_TYPES[type_name].kind, self._value("summary"),
                           set(self.subjects))

    def _show_subject(self) -> None:
        found = self.query("#f-subject-shown")
        if not found:
            return
        typed = self._value("subject")
        if typed:
            if typed in self.subjects:
                text = "an item the log holds"
            else:
                near = [s for s in self.subjects if typed.lower() in s.lower()]
                text = "a new item" + (
                    "; the log holds " + ", ".join(near[:SUBJECTS_SHOWN])
                    + (f" and {len(near) - SUBJECTS_SHOWN} more" if len(near) > SUBJECTS_SHOWN
                       else "") if near else "")
        elif self._ties_item():
            text = "empty: the item of the entry it refers to (see Reference below)"
        else:
            generated = self._generated_subject()
            text = (f"empty: a new item, {generated}" if generated
                    else "empty: a new item, named from the summary")
        found.first(Static).update(Content(text))

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
        obj: dict[str, Any] = {"story": self._value("story"), "summary": self._value("summary"),
                               "source": self._source("")}
        self.actor_roles = []
        if self.mode == NEW:
            type_name = self._value("type")
            etype = EVENT_TYPES[type_name]
            obj["type"] = type_name
            subject = self._value("subject") or self._generated_subject()
            if subject:
                obj["subject"] = subject
            if self._value("id"):
                obj["id"] = self._value("id")
            obj["actors"] = self._actors("", etype)
            self.actor_roles = [a["role"] for a in obj["actors"]]
            obj["details"] = self._details("", etype)
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

    def _source(self, prefix: str) -> dict[str, Any]:
        source: dict[str, Any] = {}
        if prefix and self.target is not None:  # what the form does not show is kept
            old = self.target.source
            source.update({k: v for k, v in (("title", old.title), ("via", old.via)) if v})
        for key, _ in SOURCE_FIELDS:
            if self._value(prefix + key) or key in ("outlet", "published"):
                source[key] = self._value(prefix + key)
        source["on_record"] = self.query_one(f"#f-{prefix}on-record", Checkbox).value
        return source

    def _actors(self, prefix: str, etype: EventType) -> list[dict[str, str]]:
        """The actors typed in the fields of the roles (see ``actors_from_field``): names
        separated by commas, each with the office held then after a colon, if given (``Mike
        Pompeo: Secretary of State``); in double quotes, one may hold a comma."""
        return [actor for role in (*etype.roles, "mentioned")
                for actor in actors_from_field(self._value(f"{prefix}role-{role}"), role)]

    def _ref_id(self, target: str) -> str:
        if not target:
            return ""
        position = int(target)
        return next((line.id for p, line in self.nearby if p == position), "")

    def _details(self, prefix: str, etype: EventType) -> dict[str, Any]:
        """The details typed, as the event's JSON holds them (read as `tracker add --detail`
        reads them: :func:`tracker.domain.input.detail_from_text`)."""
        out: dict[str, Any] = {}
        for name, kind in etype.details.items():
            text = self._value(f"{prefix}detail-{name}")
            if not text or kind == "object":
                continue
            out[name] = detail_from_text(etype, name, text)
        return out

    def _changes(self) -> dict[str, Any]:
        """What the correction replaces: each field of the entry that the form shows changed."""
        target = self.target
        assert target is not None
        etype = EVENT_TYPES[target.type]
        changes: dict[str, Any] = {}
        if self._value("fix-summary") != target.summary:
            changes["summary"] = self._value("fix-summary")
        if self._value("fix-story") != target.story.expr:
            changes["story"] = {"expr": self._value("fix-story"),
                                "anchor": target.story.anchor}
        actors = self._actors("fix-", etype)
        if _unordered(Actor(**a) for a in actors) != _unordered(target.actors):
            changes["actors"] = actors
        old_details = {k: thaw(v) for k, v in target.details.items()}
        details = {**{k: v for k, v in old_details.items() if etype.details.get(k) == "object"},
                   **self._details("fix-", etype)}
        if details != old_details:
            changes["details"] = details
        if (self._value("fix-place") or None) != target.place:
            changes["place"] = self._value("fix-place") or None
        if (self._value("fix-certainty") or target.certainty) != target.certainty:
            changes["certainty"] = self._value("fix-certainty")
        source = self._source("fix-")
        old_source = {k: v for k, v in target.source._asdict().items() if v is not None}
        if source != {k: v for k, v in old_source.items() if v != ""}:
            changes["source"] = source
        return changes

    def _check_correction(self) -> bool:
        """A correction must leave a valid entry behind: check the corrected entry as a whole."""
        assert self.target is not None
        try:
            changes = self._changes()
        except TrackerError as exc:
            self.show_error(self._fixed_field(exc), said_here(exc))
            return False
        if not changes:
            self.show_error("fix-summary", "nothing is corrected yet: change what was wrong in "
                            "the entry's fields (summary, date, actors, details, place, "
                            "certainty, source)")
            return False
        merged = event_to_dict(self.target)
        for key in ("position", "recorded_at", "schema_version"):
            merged.pop(key, None)
        merged.update(changes)
        try:
            self.service.parse(merged, "correction")
        except TrackerError as exc:
            self.show_error(self._fixed_field(exc, [a["role"] for a in merged["actors"]]),
                            said_here(exc))
            return False
        return True

    def _fixed_field(self, exc: TrackerError, roles: list[str] | None = None) -> str:
        """The field of the corrected entry a failure is about ("form" if the form shows
        none)."""
        key = field_of(exc, roles or [])
        if key != "form" and self.query(f"#f-fix-{_id(key)}"):
            return f"fix-{key}"
        return "form"

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
        if self.mode == CORRECT and not self._check_correction():
            return
        try:
            obj = self.build()
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
