"""The vocabulary, as data: every event type, every item kind and status, every reference relation.

This is the one place that says what an event type means. Admission, the fold, the state index,
the app's form, the CLI (``tracker types``, ``--detail``), the terminal views (status order and
colours) and the export's JSON Schema all read these tables; no other module names a type or a
status in a string literal (``tests/domain/test_vocabulary.py`` checks the source).

Adding an event type is one :class:`EventType` entry in :data:`_TYPES` (its kind, whether it opens
an item, the transitions it makes, roles, details, references, codes, description). A new status
is one :class:`Status` in its kind's entry in :data:`_KINDS`. A new *kind of effect* (something no
existing :data:`Effect` does) is one more effect name here plus its rule in
:func:`tracker.domain.fold.Actions.act` — the only place the fold interprets a type.

Pure data and lookups: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

# --------------------------------------------------------------------------- statuses and kinds


@dataclass(frozen=True, slots=True)
class Status:
    """A status an item of some kind can stand in, with the colour the terminal views give it."""

    name: str
    colour: str
    description: str = ""


#: An item whose accounts of the same moment disagree, or whose latest account is disputed.
DISPUTED = "disputed"
#: An item no event has given a status yet (a correction on its own, an account of nothing).
RECORDED = "recorded"

#: Statuses every kind shares, with their colours.
COMMON_STATUSES: tuple[Status, ...] = (
    Status(DISPUTED, "bold magenta", "accounts of the same moment disagree, or one is disputed"),
    Status(RECORDED, "", "recorded, no status given yet"),
)


@dataclass(frozen=True, slots=True)
class Kind:
    """A family of items (invitations, meetings...): its statuses in display order, and where
    its items go in the state document."""

    name: str
    section: str  # the state document's key for items of this kind ("" : not shown there)
    title: str  # the heading of that section in the readable views
    statuses: tuple[Status, ...] = ()
    meta: bool = False  # its events speak about other entries; they are not actions of an item
    #: The status an item takes when every party that joined it has left (agreements).
    all_parties_left: str | None = None
    #: The detail under which the item's view lists the parties that left.
    parties_left_detail: str | None = None
    #: The detail (a list of subjects) naming the items this kind's items gate (demands).
    gates_detail: str | None = None
    #: The detail that states what an item of this kind is (a demand's text), shown first.
    headline_detail: str | None = None


_S = Status

_KINDS: tuple[Kind, ...] = (
    Kind("invitation", "invitations", "Invitations", (
        _S("open", "cyan", "extended, not yet answered"),
        _S("accepted", "green"), _S("deferred", "yellow"), _S("declined", "red"),
        _S("withdrawn", "red"),
    )),
    Kind("meeting", "meetings", "Meetings", (
        _S("possible", "cyan", "proposed or said to be possible"), _S("scheduled", "cyan"),
        _S("postponed", "yellow"), _S("held", "green"), _S("cancelled", "red"),
    )),
    Kind("proposal", "proposals", "Proposals", (
        _S("pending", "yellow", "submitted, not yet answered"), _S("countered", "yellow"),
        _S("accepted", "green"), _S("rejected_in_part", "dark_orange"), _S("rejected", "red"),
        _S("withdrawn", "red"),
    )),
    Kind("demand", "demands", "Demands and preconditions", (
        _S("outstanding", "yellow"), _S("met", "green"), _S("refused", "red"),
        _S("dropped", "red"),
    ), gates_detail="gates", headline_detail="demand"),
    Kind("agreement", "agreements", "Agreements", (
        _S("in_force", "green"), _S("suspended", "yellow"),
        _S("terminated", "red", "every party has withdrawn"),
    ), all_parties_left="terminated", parties_left_detail="withdrawn"),
    Kind("sanction", "sanctions", "Sanctions", (
        _S("in_force", "green"), _S("lifted", "green"),
    )),
    Kind("statement", "statements", "Statements", (_S("made", "green"),)),
    Kind("account", "", "Accounts", meta=True),
    Kind("entry", "", "Log entries", meta=True),
)

KINDS: Mapping[str, Kind] = {k.name: k for k in _KINDS}
#: The kind of an item none of whose events is an action of an item (a lone correction).
FALLBACK_KIND = "entry"


# --------------------------------------------------------------------------- references


@dataclass(frozen=True, slots=True)
class Relation:
    """A reference relation: what an event says about the earlier entry it refers to."""

    name: str
    description: str
    ties_item: bool = False  # the event belongs to the item of the entry it refers to
    mark: str = ""  # what the referenced entry is marked in listings ("" : nothing)
    mark_symbol: str = ""
    mark_colour: str = ""


_RELATIONS: tuple[Relation, ...] = (
    Relation("responds_to", "answers the referenced entry (a refusal of an invitation)", True),
    Relation("disputes", "disputes the account in the referenced entry", True,
             DISPUTED, "⚑", "bold magenta"),
    Relation("confirms", "confirms the account in the referenced entry", True,
             "confirmed", "✓", "green"),
    Relation("corrects", "corrects the referenced entry", True, "corrected", "✎", "magenta"),
    Relation("retracts", "retracts the referenced entry", True, "retracted", "✗", "red"),
    Relation("fulfils", "fulfils the referenced entry (a meeting held on an invitation)"),
    Relation("part_of", "is part of the referenced entry (a term of a proposal)"),
    Relation("after", "happened after the referenced entry"),
    Relation("about", "concerns the referenced entry", True),
)

RELATIONS: Mapping[str, Relation] = {r.name: r for r in _RELATIONS}


# --------------------------------------------------------------------------- event types

DetailType = Literal["text", "list", "bool", "enum", "changes"]

#: How each detail type is written in the stored JSON (and named in ``tracker types``).
JSON_SHAPE: Mapping[str, str] = {
    "text": "str", "enum": "str", "list": "list[str]", "bool": "bool", "changes": "object",
}


@dataclass(frozen=True, slots=True)
class Detail:
    """A type-specific field of an event. ``list`` details accumulate over an item's events
    (each term once); the others replace what an earlier event said."""

    name: str
    type: DetailType = "text"
    choices: tuple[str, ...] = ()  # for enum
    required: bool = False


#: What an event does to its item (the fold's rule for each is in ``fold.Actions.act``):
#: ``move``: take the status its transitions name; ``join``: parties join the item (and it moves);
#: ``leave``: parties leave it (when all have left it takes its kind's ``all_parties_left``);
#: ``dispute`` / ``confirm``: a claim about another account; ``correct`` / ``retract``: replay
#: reads the referenced entry as corrected, or leaves it out.
Effect = Literal["move", "join", "leave", "dispute", "confirm", "correct", "retract"]
META_EFFECTS = frozenset({"dispute", "confirm", "correct", "retract"})

#: ``Transition.source``: from any status, the item new or not.
ANY: tuple[str, ...] = ()
#: A status name in ``Transition.source`` standing for "the item does not exist yet".
NEW = ""


@dataclass(frozen=True, slots=True)
class Transition:
    """A status move an event makes: from ``source`` statuses (``ANY``: any) to ``target``;
    with ``when``, only if the event's detail has that value (a partial rejection)."""

    target: str
    source: tuple[str, ...] = ANY
    when: tuple[str, str] | None = None

    def applies(self, status: str, details: Mapping[str, object]) -> bool:
        if self.source and status not in self.source:
            return False
        return self.when is None or details.get(self.when[0]) == self.when[1]


@dataclass(frozen=True, slots=True)
class EventType:
    """What one type of event means and what it must carry.

    ``transitions`` are tried in order, the first that applies moves the item. ``opens_item``: the
    first account of an item; on an item already standing at another status, it moves nothing
    and is kept as an account of the opening (admission refuses it where the log shows the item
    under way, naming the type to record instead). ``starts_round``: accounts of the item's outcome
    are compared from this event on (an invitation renewed starts its answers afresh).
    ``party_role``: the role whose actors join or leave the item (``join``/``leave`` effects).
    """

    name: str
    description: str
    effect: Effect = "move"
    transitions: tuple[Transition, ...] = ()
    roles: tuple[str, ...] = ()
    required_roles: tuple[str, ...] = ()
    detail_specs: tuple[Detail, ...] = ()
    references: tuple[str, ...] = ()  # relations it takes beyond those every event may carry
    required_refs: tuple[str, ...] = ()
    opens_item: bool = False
    starts_round: bool = False
    party_role: str | None = None
    #: Event-data codes, annotations only (the fold never reads them): the CAMEO 1.1b3 code and the
    #: PLOVER event category and mode. PLOVER dropped CAMEO's statements and appeals, so a type
    #: with no PLOVER category keeps its CAMEO code alone.
    cameo: str = ""
    plover: str = ""
    plover_mode: str = ""
    kind: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", self.name.partition(".")[0])

    @property
    def status(self) -> str | None:
        """The status the item takes in the usual case (the last transition), or None."""
        return self.transitions[-1].target if self.transitions else None

    @property
    def details(self) -> Mapping[str, str]:
        """Each detail's JSON shape ("str", "list[str]", "bool", "object")."""
        return {d.name: JSON_SHAPE[d.type] for d in self.detail_specs}

    @property
    def choices(self) -> Mapping[str, tuple[str, ...]]:
        return {d.name: d.choices for d in self.detail_specs if d.choices}

    @property
    def required_details(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.detail_specs if d.required)

    @property
    def list_details(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.detail_specs if d.type == "list")

    @property
    def meta(self) -> bool:
        return self.effect in META_EFFECTS

    @property
    def deciding_details(self) -> tuple[str, ...]:
        """The details a status depends on (what the state index keeps of an event)."""
        keys = [t.when[0] for t in self.transitions if t.when is not None]
        keys += [d.name for d in self.detail_specs if d.type == "changes"]
        return tuple(dict.fromkeys(keys))

    def move(self, status: str, details: Mapping[str, object]) -> str | None:
        """The status this event moves an item at ``status`` to (None: it does not move it)."""
        for t in self.transitions:
            if t.applies(status, details):
                return t.target
        return None


MEETING_FORMATS = ("in_person", "phone", "video")
_T = EventType
_D = Detail
_M = Transition
_FORMAT = _D("format", "enum", MEETING_FORMATS)


def _opens(status: str) -> tuple[Transition, ...]:
    """An opening event: it starts the item, or corroborates it at the same status."""
    return (_M(status, (NEW, status)),)


def _to(status: str) -> tuple[Transition, ...]:
    return (_M(status),)


_TYPES: tuple[EventType, ...] = (
    # meetings
    _T("meeting.proposed", "A meeting is proposed or said to be possible.", "move",
       _opens("possible"), ("participant", "proposer"), ("participant",), (_D("when"),),
       opens_item=True, starts_round=True, cameo="036", plover="AGREE"),
    _T("meeting.scheduled", "A meeting is set for a date and place.", "move",
       _opens("scheduled"), ("participant",), (), (_D("when"), _FORMAT),
       opens_item=True, starts_round=True, cameo="036", plover="AGREE"),
    _T("meeting.postponed", "A scheduled meeting is put off.", "move", _to("postponed"),
       ("decided_by",), (), (_D("reason"), _D("new_when")),
       cameo="125", plover="REJECT", plover_mode="meet"),
    _T("meeting.cancelled", "A meeting is called off.", "move", _to("cancelled"),
       ("decided_by",), (), (_D("reason"),),
       cameo="125", plover="REJECT", plover_mode="meet"),
    _T("meeting.reinstated", "A cancelled or postponed meeting is back on.", "move",
       _to("scheduled"), ("decided_by",), (), (_D("when"),),
       starts_round=True, cameo="036", plover="AGREE"),
    _T("meeting.held", "A meeting took place.", "move", _to("held"),
       ("participant", "host"), ("participant",), (_FORMAT,), opens_item=True,
       cameo="040", plover="CONSULT"),
    # invitations
    _T("invitation.extended", "One party invites another.", "move", _opens("open"),
       ("inviter", "invitee"), ("inviter", "invitee"), (_D("venue"), _D("purpose")),
       opens_item=True, starts_round=True, cameo="036", plover="AGREE"),
    _T("invitation.accepted", "The invitee accepts.", "move", _to("accepted"), ("invitee",),
       cameo="036", plover="AGREE"),
    _T("invitation.declined", "The invitee declines.", "move", _to("declined"), ("invitee",), (),
       (_D("reason"),), cameo="125", plover="REJECT", plover_mode="meet"),
    _T("invitation.deferred", "The invitee will not go until conditions are met.", "move",
       _to("deferred"), ("invitee",), (), (_D("conditions", "list"), _D("until")),
       cameo="125", plover="REJECT", plover_mode="meet"),
    _T("invitation.withdrawn", "The inviter takes the invitation back.", "move",
       _to("withdrawn"), ("inviter",), (), (_D("reason"),),
       cameo="125", plover="REJECT", plover_mode="meet"),
    _T("invitation.reinstated", "A declined, deferred or withdrawn invitation is open again.",
       "move", _to("open"), ("inviter",), starts_round=True, cameo="036", plover="AGREE"),
    # proposals
    _T("proposal.submitted", "A proposal or paper is put to another party, with its terms.",
       "move", _opens("pending"), ("proposer", "addressee"), ("proposer",),
       (_D("title"), _D("terms", "list")), opens_item=True, starts_round=True, cameo="027"),
    _T("proposal.accepted", "The addressee accepts the proposal.", "move", _to("accepted"),
       ("addressee",), cameo="057", plover="AGREE"),
    _T("proposal.rejected", "The addressee rejects the proposal, fully or in part.", "move",
       (_M("rejected_in_part", when=("degree", "partial")), _M("rejected")),
       ("addressee",), (), (_D("degree", "enum", ("full", "partial")), _D("reasons")),
       cameo="127", plover="REJECT", plover_mode="meet"),
    _T("proposal.withdrawn", "The proposer withdraws the proposal.", "move", _to("withdrawn"),
       ("proposer",), cameo="027", plover="RETREAT"),
    _T("proposal.countered", "The addressee answers with a counter-proposal.", "move",
       _to("countered"), ("addressee",), (), (_D("terms", "list"),), cameo="027"),
    # demands and preconditions
    _T("demand.made", "A party demands something of another, or sets a precondition.", "move",
       _opens("outstanding"), ("demander", "target"), ("demander",),
       (_D("demand", required=True), _D("kind", "enum", ("demand", "precondition", "term")),
        _D("gates", "list"), _D("part_of")),
       opens_item=True, starts_round=True, cameo="100", plover="REQUEST"),
    _T("demand.met", "The demand is met.", "move", _to("met"), ("target",),
       cameo="080", plover="CONCEDE"),
    _T("demand.refused", "The target refuses the demand.", "move", _to("refused"), ("target",),
       cameo="120", plover="REJECT", plover_mode="yield"),
    _T("demand.dropped", "The demander drops the demand.", "move", _to("dropped"),
       ("demander",), cameo="080", plover="CONCEDE"),
    # agreements
    _T("agreement.signed", "Parties sign an agreement.", "join", _opens("in_force"),
       ("party",), ("party",), (_D("title"),), opens_item=True, starts_round=True,
       party_role="party", cameo="057", plover="AGREE"),
    _T("agreement.withdrawn_from",
       "One party withdraws; the agreement stays in force for the rest.", "leave", (),
       ("party",), ("party",), party_role="party",
       cameo="161", plover="SANCTION", plover_mode="withdraw"),
    _T("agreement.suspended", "The agreement is suspended.", "move", _to("suspended"),
       ("party",), cameo="161", plover="SANCTION", plover_mode="withdraw"),
    _T("agreement.reinstated", "A suspended agreement is back in force.", "move",
       _to("in_force"), ("party",), starts_round=True, cameo="057", plover="AGREE"),
    # sanctions
    _T("sanction.imposed", "A party imposes sanctions on another.", "move", _opens("in_force"),
       ("imposer", "target"), ("imposer", "target"), (_D("measure"),), opens_item=True,
       starts_round=True, cameo="163", plover="SANCTION"),
    _T("sanction.lifted", "The sanctions are lifted.", "move", _to("lifted"), ("imposer",),
       cameo="085", plover="RETREAT"),
    # statements and accounts
    _T("statement.made", "Someone says something on the record or off it.", "move",
       _opens("made"), ("speaker", "addressee"), (), (_D("topic"),), opens_item=True,
       starts_round=True, cameo="010"),
    _T("account.disputed", "A party disputes an earlier account.", "dispute", (),
       ("disputant",), (),
       (_D("counter_claim"),
        _D("dispute_kind", "enum",
           ("occurrence", "characterization", "details", "date", "attribution"))),
       ("disputes",), ("disputes",), cameo="016"),
    _T("account.confirmed", "A party confirms an earlier account.", "confirm", (),
       ("confirmer",), (), (), ("confirms",), ("confirms",), cameo="015"),
    # corrections of the log itself
    _T("entry.corrected", "An earlier entry is corrected; replay uses the corrected fields.",
       "correct", (), (), (), (_D("changes", "changes", required=True), _D("reason")),
       ("corrects",), ("corrects",)),
    _T("entry.retracted", "An earlier entry is retracted; replay leaves it out.", "retract", (),
       (), (), (_D("reason"),), ("retracts",), ("retracts",)),
)

EVENT_TYPES: Mapping[str, EventType] = {t.name: t for t in _TYPES}


#: The type a new event starts as in the app's form.
DEFAULT_TYPE = "meeting.held"


def type_with_effect(effect: Effect) -> EventType:
    """The type that has this effect (``correct``: the correction of an entry...)."""
    return next(t for t in _TYPES if t.effect == effect)


def event_types() -> Iterator[EventType]:
    return iter(_TYPES)


def kinds() -> tuple[str, ...]:
    """The kinds of the event types, in the vocabulary's order."""
    return tuple(dict.fromkeys(t.kind for t in _TYPES))


def sections() -> Mapping[str, str]:
    """Kind → state document section, for the kinds the state document shows, in reading order."""
    return {k.name: k.section for k in _KINDS if k.section}


def status_names() -> tuple[str, ...]:
    """Every status name: each kind's in display order, then the common ones."""
    names = [s.name for k in _KINDS for s in k.statuses]
    names += [s.name for s in COMMON_STATUSES]
    return tuple(dict.fromkeys(names))


def status_colour(status: str) -> str:
    """The colour the terminal views give a status (or a mark): "" for none."""
    return _COLOURS.get(status, "")


def status_rank(kind: str, status: str) -> int:
    """Where a status sorts among its kind's (display order; common statuses last)."""
    found = KINDS.get(kind)
    order = [s.name for s in found.statuses] if found is not None else []
    order += [s.name for s in COMMON_STATUSES]
    return order.index(status) if status in order else len(order)


def openers_to(kind: str, status: str) -> tuple[str, ...]:
    """The types of a kind that move an item standing at ``status`` back to where an opening
    event would put it (what to record instead of opening an item again)."""
    opening = {t.status for t in _TYPES if t.kind == kind and t.opens_item}
    return tuple(
        t.name for t in _TYPES
        if t.kind == kind and not t.opens_item and t.status in opening
        and any(not tr.source or status in tr.source for tr in t.transitions)
    )


def _colours() -> dict[str, str]:
    out: dict[str, str] = {}
    for k in _KINDS:
        for s in k.statuses:
            out.setdefault(s.name, s.colour)
    for s in COMMON_STATUSES:
        out[s.name] = s.colour
    for r in _RELATIONS:
        if r.mark:
            out.setdefault(r.mark, r.mark_colour)
    return out


_COLOURS = _colours()

#: Relations that tie an event to the item of the entry it refers to.
ITEM_RELATIONS: tuple[str, ...] = tuple(r.name for r in _RELATIONS if r.ties_item)
#: Reference relations an event may carry, and what they mean.
REF_RELATIONS: Mapping[str, str] = {r.name: r.description for r in _RELATIONS}
#: The mark an entry gets from each relation a later entry refers to it with, in display order.
MARK_OF_RELATION: Mapping[str, str] = {r.name: r.mark for r in _RELATIONS if r.mark}
