"""Events: immutable records of reported diplomatic actions, and the vocabulary they are drawn from.

An event is one *account* of an action, with its source. Several events may concern the same item
(an invitation, a meeting, a proposal...): the item is named by the event's ``subject``. Events are
frozen; nothing here does I/O or knows about storage.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, NoReturn

from tracker.domain.dates import StoryTime

#: Version of the event envelope written by this code. Older rows are upcast on read (codec).
#: 1: the first shape. 2: adds ``certainty`` (how sure the source is), "certain" for older events.
#: 3: a story time may carry its time zone (``story.tz``) and, for a document, when it was
#: received (``story.received``); older bodies have neither (the day as the source gave it).
SCHEMA_VERSION = 3

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
    """A party to an event and the role it played in it ("inviter", "invitee", "speaker"...)."""

    name: str
    role: str


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


@dataclass(frozen=True, slots=True)
class EventType:
    """What one type of event means and what it must carry.

    ``status`` is the status the item takes when this event applies (None: no status change);
    ``roles`` lists the actor roles this type expects, ``required_roles`` those it cannot do without;
    ``details`` maps a detail field to its JSON type name ("str", "list[str]", "bool", "object");
    ``required_refs`` the reference relations it must carry (a refusal of nothing is not a refusal).
    """

    name: str
    description: str
    status: str | None = None
    roles: tuple[str, ...] = ()
    required_roles: tuple[str, ...] = ()
    details: Mapping[str, str] = field(default_factory=dict)
    required_details: tuple[str, ...] = ()
    required_refs: tuple[str, ...] = ()
    opens_item: bool = False  # first account of an item (a later repeat corroborates, not resets)
    #: True when the event reports something that happened (its story date is when it did), so a
    #: source cannot report it before that date; False for what is only planned or put forward
    #: (a meeting proposed or scheduled), whose story date may lie after the report.
    happened: bool = True
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Event-data codes, annotations only (the fold never reads them): the CAMEO 1.1b3 code and the
    #: PLOVER event category and mode. PLOVER dropped CAMEO's statements and appeals, so a type
    #: with no PLOVER category keeps its CAMEO code alone.
    cameo: str = ""
    plover: str = ""
    plover_mode: str = ""

    @property
    def kind(self) -> str:
        return self.name.partition(".")[0]


MEETING_FORMATS = ("in_person", "phone", "video")
_T = EventType

_TYPES: tuple[EventType, ...] = (
    # meetings
    _T("meeting.proposed", "A meeting is proposed or said to be possible.", "possible",
       ("participant", "proposer"), ("participant",), {"when": "str"}, opens_item=True,
       happened=False, cameo="036", plover="AGREE"),
    _T("meeting.scheduled", "A meeting is set for a date and place.", "scheduled",
       ("participant",), (), {"when": "str", "format": "str"}, opens_item=True,
       choices={"format": MEETING_FORMATS}, happened=False,
       cameo="036", plover="AGREE"),
    _T("meeting.postponed", "A scheduled meeting is put off.", "postponed",
       ("decided_by",), (), {"reason": "str", "new_when": "str"},
       cameo="125", plover="REJECT", plover_mode="meet"),
    _T("meeting.cancelled", "A meeting is called off.", "cancelled",
       ("decided_by",), (), {"reason": "str"},
       cameo="125", plover="REJECT", plover_mode="meet"),
    _T("meeting.reinstated", "A cancelled or postponed meeting is back on.", "scheduled",
       ("decided_by",), (), {"when": "str"},
       cameo="036", plover="AGREE"),
    _T("meeting.held", "A meeting took place.", "held",
       ("participant", "host"), ("participant",), {"format": "str"}, opens_item=True,
       choices={"format": MEETING_FORMATS},
       cameo="040", plover="CONSULT"),
    # invitations
    _T("invitation.extended", "One party invites another.", "open",
       ("inviter", "invitee"), ("inviter", "invitee"), {"venue": "str", "purpose": "str"},
       opens_item=True,
       cameo="036", plover="AGREE"),
    _T("invitation.accepted", "The invitee accepts.", "accepted", ("invitee",),
       cameo="036", plover="AGREE"),
    _T("invitation.declined", "The invitee declines.", "declined", ("invitee",), (),
       {"reason": "str"},
       cameo="125", plover="REJECT", plover_mode="meet"),
    _T("invitation.deferred", "The invitee will not go until conditions are met.", "deferred",
       ("invitee",), (), {"conditions": "list[str]", "until": "str"},
       cameo="125", plover="REJECT", plover_mode="meet"),
    _T("invitation.withdrawn", "The inviter takes the invitation back.", "withdrawn",
       ("inviter",), (), {"reason": "str"},
       cameo="125", plover="REJECT", plover_mode="meet"),
    _T("invitation.reinstated", "A declined, deferred or withdrawn invitation is open again.",
       "open", ("inviter",),
       cameo="036", plover="AGREE"),
    # proposals
    _T("proposal.submitted", "A proposal or paper is put to another party, with its terms.",
       "pending", ("proposer", "addressee"), ("proposer",), {"title": "str", "terms": "list[str]"},
       opens_item=True,
       cameo="027"),
    _T("proposal.accepted", "The addressee accepts the proposal.", "accepted", ("addressee",),
       cameo="057", plover="AGREE"),
    _T("proposal.rejected", "The addressee rejects the proposal, fully or in part.", "rejected",
       ("addressee",), (), {"degree": "str", "reasons": "str"},
       choices={"degree": ("full", "partial")},
       cameo="127", plover="REJECT", plover_mode="meet"),
    _T("proposal.withdrawn", "The proposer withdraws the proposal.", "withdrawn", ("proposer",),
       cameo="027", plover="RETREAT"),
    _T("proposal.countered", "The addressee answers with a counter-proposal.", "countered",
       ("addressee",), (), {"terms": "list[str]"},
       cameo="027"),
    # demands and preconditions
    _T("demand.made", "A party demands something of another, or sets a precondition.",
       "outstanding", ("demander", "target"), ("demander",),
       {"demand": "str", "kind": "str", "gates": "list[str]", "part_of": "str"},
       ("demand",), opens_item=True, choices={"kind": ("demand", "precondition", "term")},
       cameo="100", plover="REQUEST"),
    _T("demand.met", "The demand is met.", "met", ("target",),
       cameo="080", plover="CONCEDE"),
    _T("demand.refused", "The target refuses the demand.", "refused", ("target",),
       cameo="120", plover="REJECT", plover_mode="yield"),
    _T("demand.dropped", "The demander drops the demand.", "dropped", ("demander",),
       cameo="080", plover="CONCEDE"),
    # agreements
    _T("agreement.signed", "Parties sign an agreement.", "in_force", ("party",), ("party",),
       {"title": "str"}, opens_item=True,
       cameo="057", plover="AGREE"),
    _T("agreement.withdrawn_from", "One party withdraws; the agreement stays in force for the rest.",
       None, ("party",), ("party",),
       cameo="161", plover="SANCTION", plover_mode="withdraw"),
    _T("agreement.suspended", "The agreement is suspended.", "suspended", ("party",),
       cameo="161", plover="SANCTION", plover_mode="withdraw"),
    _T("agreement.reinstated", "A suspended agreement is back in force.", "in_force", ("party",),
       cameo="057", plover="AGREE"),
    # sanctions
    _T("sanction.imposed", "A party imposes sanctions on another.", "in_force",
       ("imposer", "target"), ("imposer", "target"), {"measure": "str"}, opens_item=True,
       cameo="163", plover="SANCTION"),
    _T("sanction.lifted", "The sanctions are lifted.", "lifted", ("imposer",),
       cameo="085", plover="RETREAT"),
    # statements and accounts
    _T("statement.made", "Someone says something on the record or off it.", "made",
       ("speaker", "addressee"), (), {"topic": "str"}, opens_item=True,
       cameo="010"),
    _T("account.disputed", "A party disputes an earlier account.", None, ("disputant",), (),
       {"counter_claim": "str", "dispute_kind": "str"}, required_refs=("disputes",),
       choices={"dispute_kind": ("occurrence", "characterization", "details", "date",
                                 "attribution")},
       cameo="016"),
    _T("account.confirmed", "A party confirms an earlier account.", None, ("confirmer",), (),
       {}, required_refs=("confirms",),
       cameo="015"),
    # corrections of the log itself
    _T("entry.corrected", "An earlier entry is corrected; replay uses the corrected fields.",
       None, (), (), {"changes": "object", "reason": "str"}, ("changes",),
       required_refs=("corrects",)),
    _T("entry.retracted", "An earlier entry is retracted; replay leaves it out.", None, (), (),
       {"reason": "str"}, required_refs=("retracts",)),
)

EVENT_TYPES: Mapping[str, EventType] = {t.name: t for t in _TYPES}

#: Reference relations an event may carry, and what they mean.
REF_RELATIONS: Mapping[str, str] = {
    "responds_to": "answers the referenced entry (a refusal of an invitation)",
    "disputes": "disputes the account in the referenced entry",
    "confirms": "confirms the account in the referenced entry",
    "corrects": "corrects the referenced entry",
    "retracts": "retracts the referenced entry",
    "fulfils": "fulfils the referenced entry (a meeting held on an invitation)",
    "part_of": "is part of the referenced entry (a term of a proposal)",
    "after": "happened after the referenced entry",
    "about": "concerns the referenced entry",
}

#: Relations that tie an event to the item of the entry it refers to.
ITEM_RELATIONS = ("responds_to", "disputes", "confirms", "corrects", "retracts", "about")

#: Fields an ``entry.corrected`` may replace.
CORRECTABLE_FIELDS = ("story", "summary", "actors", "place", "source", "details", "subject")


def event_types() -> Iterator[EventType]:
    return iter(_TYPES)


def kinds() -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for t in _TYPES:
        seen.setdefault(t.kind, None)
    return tuple(seen)


