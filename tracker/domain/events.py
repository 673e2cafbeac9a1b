"""Events: immutable records of reported diplomatic actions (their vocabulary: :mod:`vocabulary`).

An event is one *account* of an action, with its source. Several events may concern the same item
(an invitation, a meeting, a proposal...): the item is named by the event's ``subject``. Events are
frozen; nothing here does I/O or knows about storage.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple, NoReturn

from tracker.domain.dates import StoryTime
from tracker.domain.vocabulary import (  # noqa: F401  (re-exported: the vocabulary's names)
    EVENT_TYPES,
    ITEM_RELATIONS,
    MEETING_FORMATS,
    REF_RELATIONS,
    EventType,
    event_types,
    kinds,
)

#: Version of the event envelope written by this code. Older rows are upcast on read (codec).
#: 1: the first shape. 2: adds ``certainty`` (how sure the source is), "certain" for older events.
#: 3: a story may carry ``tz`` and ``received``. 4: an actor may carry the ``office`` it held at
#: the time of the event (none for older events).
SCHEMA_VERSION = 4

#: How sure the source is of what it reports (FactBank-style factuality), surest first.
CERTAINTY: Mapping[str, str] = {
    "certain": "the source states it as fact",
    "probable": "the source says it is likely (\"expected to\", \"is likely to\")",
    "possible": "the source says it may be so (\"could\", \"might\", \"is considering\")",
}
DEFAULT_CERTAINTY = "certain"


class FrozenDict(dict[str, Any]):
    """A dict that refuses changes, so type-specific event details stay immutable.

    It stays a dict subclass so that JSON encoders serialise it natively.
    """

    __slots__ = ()

    def _refuse(self, *_: object, **__: object) -> NoReturn:
        raise TypeError("event details are immutable")

    __setitem__ = __delitem__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __ior__(self, other: object) -> NoReturn:  # type: ignore[misc]
        raise TypeError("event details are immutable")

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items(), key=lambda kv: kv[0])))

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))


def freeze(value: Any) -> Any:
    """Deep-freeze JSON-shaped data: dicts become FrozenDict, lists become tuples."""
    if isinstance(value, dict):
        if isinstance(value, FrozenDict):
            return value
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """The inverse of :func:`freeze`, for writers that want plain dicts and lists."""
    if isinstance(value, dict):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [thaw(v) for v in value]
    return value


EMPTY_DETAILS = FrozenDict()


class Actor(NamedTuple):
    """A party to an event and the role it played in it ("inviter", "invitee", "speaker"...).

    ``office``: the office the actor held at the time of the event, as the source gives it
    ("Deputy Foreign Minister"), or None. The name is the actor: the same name in another office
    is the same actor, who held that office then.
    """

    name: str
    role: str
    office: str | None = None

    def text(self) -> str:
        """How an actor reads in a line: ``Mike Pompeo (participant, Secretary of State)``."""
        return actor_text(self.name, self.role, self.office)


def actor_text(name: str, role: str, office: str | None = None) -> str:
    """An actor as one line of text: the name, then the role and any office in parentheses
    (``Mike Pompeo (participant, Secretary of State)``, ``Iran (target)``); every view that
    lists actors says them this way, and tracker's CSV reads it back."""
    return f"{name} ({role}, {office})" if office else f"{name} ({role})"


class Ref(NamedTuple):
    """A reference from one event to an earlier entry it acts on."""

    rel: str
    id: str


class Source(NamedTuple):
    """Where an account comes from: the publication, and who inside it said so."""

    outlet: str
    published: str  # ISO date: when the account became public (drives "as known on")
    author: str | None = None
    title: str | None = None
    url: str | None = None
    via: str | None = None  # the outlet quoted in turn ("Radio Free Europe/Reuters")
    speaker: str | None = None  # a named person or an anonymous label
    on_record: bool = True
    quote: str | None = None


class Event(NamedTuple):
    """One immutable log entry: an account of a diplomatic action.

    ``position`` and ``recorded_at`` are given by the log when the event is appended; before that
    they are 0 and "". ``schema_version`` is the version the event was recorded at; the object
    always has the current shape (older rows are upcast on read).
    """

    id: str
    type: str
    story: StoryTime
    summary: str
    source: Source
    subject: str | None = None
    actors: tuple[Actor, ...] = ()
    place: str | None = None
    refs: tuple[Ref, ...] = ()
    details: FrozenDict = EMPTY_DETAILS
    certainty: str = DEFAULT_CERTAINTY
    schema_version: int = SCHEMA_VERSION
    position: int = 0
    recorded_at: str = ""

    @property
    def kind(self) -> str:
        """The family of the type: "invitation" for "invitation.declined"."""
        return self.type.partition(".")[0]

    @property
    def action(self) -> str:
        """The verb of the type: "declined" for "invitation.declined"."""
        return self.type.partition(".")[2]


# --------------------------------------------------------------------------- vocabulary
# The vocabulary lives in tracker.domain.vocabulary; these names are kept here for importers.

#: Fields an ``entry.corrected`` may replace.
CORRECTABLE_FIELDS = ("story", "summary", "actors", "place", "source", "details", "certainty",
                      "subject")
