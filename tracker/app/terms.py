"""The names the shells (tracker/cli, tracker/tui) use from the layers below the service.

The shells import the application layer (this package) and tracker/render only; what they need
to name of the domain's value types and vocabulary, of reading a document and of the read
models' outline, comes through here, so the import contracts hold and a newcomer sees in one
place what a shell may touch.
"""

from __future__ import annotations

from tracker.codec.document import Input, json_value, read_file, read_input, read_stream
from tracker.codec.document import schema as export_schema
from tracker.codec.rows import event_to_dict
from tracker.codec.state_document import SECTIONS
from tracker.domain.dates import StoryTime, parse_iso_date, parse_recorded_time, resolve
from tracker.domain.events import (
    CERTAINTY,
    EVENT_TYPES,
    REF_RELATIONS,
    Actor,
    Event,
    EventType,
    Source,
    kinds,
    thaw,
)
from tracker.domain.fold import Query
from tracker.domain.input import (
    LIST_SEPARATOR,
    actor_from_text,
    actors_as_field,
    actors_from_field,
    detail_from_text,
    detail_hint,
    parse_story,
)
from tracker.domain.ordering import OPEN_END_DAY, OPEN_START_DAY, day_number, day_text
from tracker.domain.selection import EventFilter, check_type_prefix
from tracker.domain.vocabulary import DEFAULT_TYPE, RELATIONS, type_with_effect
from tracker.readmodels.outline import TYPE_NAMES, Outline, mark_names
from tracker.readmodels.stateindex import Order

__all__ = [
    "CERTAINTY",
    "DEFAULT_TYPE",
    "EVENT_TYPES",
    "LIST_SEPARATOR",
    "OPEN_END_DAY",
    "OPEN_START_DAY",
    "REF_RELATIONS",
    "RELATIONS",
    "SECTIONS",
    "TYPE_NAMES",
    "Actor",
    "Event",
    "EventFilter",
    "EventType",
    "Input",
    "Order",
    "Outline",
    "Query",
    "Source",
    "StoryTime",
    "actor_from_text",
    "actors_as_field",
    "actors_from_field",
    "check_type_prefix",
    "day_number",
    "day_text",
    "detail_from_text",
    "detail_hint",
    "event_to_dict",
    "export_schema",
    "json_value",
    "kinds",
    "mark_names",
    "parse_iso_date",
    "parse_recorded_time",
    "parse_story",
    "read_file",
    "read_input",
    "read_stream",
    "resolve",
    "thaw",
    "type_with_effect",
]
