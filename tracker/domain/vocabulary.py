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
    #: The detail under which the item's view lists each party with its own status and date
    #: (an agreement's parties: "signed on 2018-06-12", "withdrew on 2018-05-08").
    parties_detail: str | None = None
    #: Items of this kind are made of items of other kinds (talks: their rounds, their outcome).
    whole: bool = False
    #: For a kind whose items can be part of a whole: the key under which the whole lists them
    #: ("rounds", "outcome"), and the key under which each names its whole ("round_of"...).
    part_key: str = ""
    whole_key: str = ""


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
    ), part_key="rounds", whole_key="round_of"),
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
        _S("framework", "cyan", "a framework or parameters announced; not in force"),
        _S("concluded", "cyan", "the text is agreed; not yet in force"),
        _S("signed", "cyan", "signed; not in force (a declaration, or awaiting ratification)"),
        _S("in_force", "green"), _S("suspended", "yellow"),
        _S("superseded", "dim", "replaced by another agreement"),
        _S("expired", "dim", "its term has run out"),
        _S("terminated", "red", "every party has withdrawn"),
    ), all_parties_left="terminated", parties_left_detail="withdrawn",
        parties_detail="parties", part_key="produced", whole_key="produced_by"),
    Kind("sanction", "sanctions", "Sanctions", (
        _S("in_force", "green"), _S("eased", "yellow", "in force, some measures eased"),
        _S("reimposed", "red", "in force again after being lifted or eased"),
        _S("lifted", "green"),
    )),
    Kind("talks", "talks", "Talks", (
        _S("active", "cyan", "under way"), _S("paused", "yellow"),
        _S("concluded", "cyan", "ended in an agreement"),
        _S("called_off", "red"), _S("broken_down", "red"),
    ), whole=True),
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
    Relation("about", "concerns the referenced entry (an event of its own kind and item)"),
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
#: ``note``: the item does not move, what the event says is kept (a party's ratification, an
#: endorsement by a third body); ``dispute`` / ``confirm``: a claim about another account;
#: ``correct`` / ``retract``: replay reads the referenced entry as corrected, or leaves it out.
Effect = Literal["move", "join", "leave", "note", "dispute", "confirm", "correct", "retract"]
META_EFFECTS = frozenset({"dispute", "confirm", "correct", "retract"})
#: The effect of a retraction (``entry.retracted``).
RETRACT = "retract"

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

    ``lists_as``: the item lists events of this type under that key (a round of the talks).

    ``transitions`` are tried in order, the first that applies moves the item. ``opens_item``: the
    first account of an item; on an item already standing at another status, it moves nothing
    and is kept as an account of the opening (admission refuses it where the log shows the item
    under way, naming the type to record instead). ``starts_round``: accounts of the item's outcome
    are compared from this event on (an invitation renewed starts its answers afresh).
    ``party_role``: the role whose actors join or leave the item (``join``/``leave`` effects).

    What the item shows: ``places_item``: the event's place is the item's (a meeting's venue,
    the place a proposal was put; not the place an answer was given) — every opening event does;
    ``dates_item``: where the item's own date comes from ("story": the event's story date, or a
    detail naming a date: a meeting scheduled ``when``); ``party_status``: what each party the
    event names (all standing parties, when it names none) now stands at, ``{date}`` the
    event's date ("withdrew on {date}"); ``party_note``: added to the party's status rather
    than replacing it ("reaffirmed on {date}"); ``roster``: (role, detail) pairs: the event's
    actors in that role are listed under that detail, each with the party they act for when
    the event names as many parties, else the date (signatories, endorsers).
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
    #: True when the event reports something that happened (its story date is when it did), so a
    #: source cannot report it before that date; False for what is only planned or put forward
    #: (a meeting proposed or scheduled), whose story date may lie after the report.
    happened: bool = True
    gives_place: bool = False
    dates_item: str = ""
    party_status: str = ""
    party_note: bool = False
    roster: tuple[tuple[str, str], ...] = ()
    #: The key under which the item lists the events of this type (a round of talks).
    lists_as: str = ""
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
    def places_item(self) -> bool:
        return self.opens_item or self.gives_place

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
#: What an agreement signed is (``kind``): each stays signed, not in force, when signed.
AGREEMENT_KINDS = ("treaty", "declaration", "framework")
_T = EventType
_D = Detail
_M = Transition
_FORMAT = _D("format", "enum", MEETING_FORMATS)


def _opens(status: str) -> tuple[Transition, ...]:
    """An opening event: it starts the item, or corroborates it at the same status."""
    return (_M(status, (NEW, status)),)


def _to(status: str) -> tuple[Transition, ...]:
    return (_M(status),)


#: Where an agreement stands when it can be signed (signing moves it to signed, or in force).
_SIGNABLE = (NEW, "framework", "concluded", "signed")


_TYPES: tuple[EventType, ...] = (
    # meetings
    _T("meeting.proposed", "A meeting is proposed or said to be possible.", "move",
       _opens("possible"), ("participant", "proposer"), ("participant",), (_D("when"),),
       opens_item=True, starts_round=True, happened=False, dates_item="when",
       cameo="036", plover="AGREE"),
    _T("meeting.scheduled", "A meeting is set for a date and place.", "move",
       (_M("scheduled", (NEW, "possible", "scheduled")),), ("participant",), (), (_D("when"), _FORMAT),
       opens_item=True, starts_round=True, happened=False, dates_item="when",
       cameo="036", plover="AGREE"),
    _T("meeting.postponed", "A scheduled meeting is put off.", "move", _to("postponed"),
       ("decided_by",), (), (_D("reason"), _D("new_when")), dates_item="new_when",
       cameo="125", plover="REJECT", plover_mode="meet"),
    _T("meeting.cancelled", "A meeting is called off.", "move", _to("cancelled"),
       ("decided_by",), (), (_D("reason"),),
       cameo="125", plover="REJECT", plover_mode="meet"),
    _T("meeting.reinstated", "A cancelled or postponed meeting is back on.", "move",
       _to("scheduled"), ("decided_by",), (), (_D("when"),),
       starts_round=True, gives_place=True, dates_item="when", cameo="036", plover="AGREE"),
    _T("meeting.held", "A meeting took place.", "move", _to("held"),
       ("participant", "host"), ("participant",), (_FORMAT,), opens_item=True,
       dates_item="story", cameo="040", plover="CONSULT"),
    # invitations
    _T("invitation.extended", "One party invites another (through an intermediary, an envoy).",
       "move", _opens("open"),
       ("inviter", "invitee", "intermediary"), ("inviter", "invitee"), (_D("venue"), _D("purpose")),
       opens_item=True, starts_round=True, cameo="036", plover="AGREE"),
    _T("invitation.accepted", "The invitee accepts.", "move", _to("accepted"),
       ("invitee", "intermediary"), cameo="036", plover="AGREE"),
    _T("invitation.declined", "The invitee declines.", "move", _to("declined"),
       ("invitee", "intermediary"), (), (_D("reason"),),
       cameo="125", plover="REJECT", plover_mode="meet"),
    _T("invitation.deferred", "The invitee will not go until conditions are met.", "move",
       _to("deferred"), ("invitee", "intermediary"), (), (_D("conditions", "list"), _D("until")),
       cameo="125", plover="REJECT", plover_mode="meet"),
    _T("invitation.withdrawn", "The inviter takes the invitation back.", "move",
       _to("withdrawn"), ("inviter", "intermediary"), (), (_D("reason"),),
       cameo="125", plover="REJECT", plover_mode="meet"),
    _T("invitation.reinstated", "A declined, deferred or withdrawn invitation is open again.",
       "move", _to("open"), ("inviter", "intermediary"), starts_round=True,
       cameo="036", plover="AGREE"),
    _T("invitation.renewed", "The inviter extends the invitation anew (after an answer, or "
       "again while it is open).", "move",
       (_M("open", ("open", "declined", "deferred", "withdrawn")),),
       ("inviter", "invitee", "intermediary"), ("inviter",), (_D("venue"), _D("purpose")),
       starts_round=True, cameo="036", plover="AGREE"),
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
    _T("agreement.framework_announced",
       "Parties announce a framework (the parameters of an agreement); it is not in force.",
       "join", _opens("framework"), ("party",), ("party",), (_D("title"), _D("terms", "list")),
       ("part_of",), opens_item=True, starts_round=True, party_role="party",
       party_status="agreed the framework on {date}", cameo="057", plover="AGREE"),
    _T("agreement.concluded", "Parties agree the text of an agreement (not yet signed or in force).",
       "join", (_M("concluded", (NEW, "framework", "concluded")),), ("party",), ("party",),
       (_D("title"), _D("terms", "list")), ("part_of",), opens_item=True, starts_round=True,
       party_role="party", party_status="concluded on {date}", cameo="057", plover="AGREE"),
    _T("agreement.signed",
       "Parties sign an agreement (signatories sign for them); in force at once unless it is a "
       "treaty awaiting ratification, a declaration or a framework.", "join",
       (*(_M("signed", _SIGNABLE, ("kind", k)) for k in AGREEMENT_KINDS),
        _M("signed", ("signed",)), _M("in_force", (NEW, "framework", "concluded", "in_force"))),
       ("party", "signatory"), ("party",),
       (_D("title"), _D("terms", "list"), _D("kind", "enum", AGREEMENT_KINDS)), ("part_of",),
       opens_item=True, starts_round=True, party_role="party", party_status="signed on {date}",
       roster=(("signatory", "signatories"),), cameo="057", plover="AGREE"),
    _T("agreement.ratified", "A party ratifies the agreement.", "note", (), ("party",),
       ("party",), (_D("instrument"),), party_role="party", party_status="ratified on {date}",
       cameo="057", plover="AGREE"),
    _T("agreement.entered_into_force", "The agreement enters into force.", "join",
       (_M("in_force", (NEW, "concluded", "signed", "in_force")),), ("party",),
       party_role="party", party_status="in force since {date}", starts_round=True, cameo="057", plover="AGREE"),
    _T("agreement.endorsed",
       "A third body endorses the agreement (a regional organisation, the UN Security Council).",
       "note", (), ("endorser",), ("endorser",), (_D("instrument"),),
       roster=(("endorser", "endorsed_by"),), cameo="051", plover="SUPPORT"),
    _T("agreement.reaffirmed", "Parties say they remain committed to the agreement.", "note", (),
       ("party",), ("party",), party_role="party", party_status="reaffirmed on {date}",
       party_note=True, cameo="051", plover="SUPPORT"),
    _T("agreement.withdrawn_from",
       "One party withdraws; the agreement stays in force for the rest.", "leave", (),
       ("party",), ("party",), (_D("reason"),), party_role="party",
       party_status="withdrew on {date}",
       cameo="161", plover="SANCTION", plover_mode="withdraw"),
    _T("agreement.suspended", "The agreement is suspended.", "move", _to("suspended"),
       ("party",), (), (_D("reason"),), party_role="party", party_status="suspended on {date}",
       starts_round=True, cameo="161", plover="SANCTION", plover_mode="withdraw"),
    _T("agreement.reinstated", "A suspended agreement is back in force.", "move",
       _to("in_force"), ("party",), starts_round=True, party_role="party",
       party_status="in force again since {date}", cameo="057", plover="AGREE"),
    _T("agreement.superseded", "Another agreement replaces this one.", "move",
       _to("superseded"), ("party",), (), (_D("by"),), starts_round=True, cameo="057", plover="AGREE"),
    _T("agreement.expired", "The agreement's term runs out.", "move", _to("expired"), (),
       starts_round=True, cameo="161", plover="SANCTION", plover_mode="withdraw"),
    # sanctions
    _T("sanction.imposed", "A party imposes sanctions on another.", "move", _opens("in_force"),
       ("imposer", "target"), ("imposer", "target"), (_D("measure"),), opens_item=True,
       starts_round=True, cameo="163", plover="SANCTION"),
    _T("sanction.extended", "The sanctions are extended (prolonged, or widened).", "move",
       (_M("eased", ("eased",)), _M("reimposed", ("reimposed",)), _M("in_force")),
       ("imposer", "target"), ("imposer",), (_D("measure"), _D("until")),
       starts_round=True, cameo="163", plover="SANCTION"),
    _T("sanction.eased", "Some of the sanctions are eased; the rest stay in force.", "move",
       _to("eased"), ("imposer", "target"), ("imposer",), (_D("measure"),),
       starts_round=True, cameo="085", plover="RETREAT"),
    _T("sanction.lifted", "The sanctions are lifted.", "move", _to("lifted"),
       ("imposer", "target"), (), (_D("measure"),), starts_round=True, cameo="085", plover="RETREAT"),
    _T("sanction.reimposed", "Sanctions lifted or eased are imposed again.", "move",
       _to("reimposed"), ("imposer", "target"), ("imposer",), (_D("measure"),),
       starts_round=True, cameo="163", plover="SANCTION"),
    # talks
    _T("talks.opened", "Parties open talks (a negotiation made of rounds).", "join",
       _opens("active"), ("party", "mediator"), ("party",), (_D("topic"),),
       opens_item=True, starts_round=True, party_role="party", cameo="046", plover="CONSULT"),
    _T("talks.round_held", "A round of the talks is held.", "move", _to("active"),
       ("participant", "host"), (), (_D("deadline"), _FORMAT), ("part_of",), lists_as="rounds",
       starts_round=True, cameo="046", plover="CONSULT"),
    _T("talks.paused", "The talks are paused.", "move", _to("paused"), ("decided_by",),
       ("decided_by",), (_D("reason"),), starts_round=True, cameo="125", plover="REJECT", plover_mode="meet"),
    _T("talks.called_off", "The talks are called off.", "move", _to("called_off"),
       ("decided_by",), ("decided_by",), (_D("reason"),),
       starts_round=True, cameo="125", plover="REJECT", plover_mode="meet"),
    _T("talks.resumed", "Paused or called-off talks resume.", "move",
       (_M("active", ("paused", "called_off", "active")),), ("decided_by",), starts_round=True,
       cameo="046", plover="CONSULT"),
    _T("talks.concluded", "The talks end in an agreement.", "move", _to("concluded"),
       ("party",), (), (_D("outcome"),), starts_round=True, cameo="057", plover="AGREE"),
    _T("talks.broke_down", "The talks break down without an agreement.", "move",
       _to("broken_down"), ("party",), (), (_D("reason"),),
       starts_round=True, cameo="125", plover="REJECT", plover_mode="meet"),
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


def lane_titles() -> Mapping[str, str]:
    """Each kind's title ("Demands and preconditions"), by its section ("demands"), or by its
    name for a kind that has no section ("account"): what every view heads its items with."""
    return {k.section or k.name: k.title for k in _KINDS}


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

#: The relation of an event that fulfils an entry: of the same kind (a meeting held on a meeting
#: scheduled), it joins that entry's item.
FULFILS = "fulfils"
#: Relations that tie an event to the item of the entry it refers to.
ITEM_RELATIONS: tuple[str, ...] = tuple(r.name for r in _RELATIONS if r.ties_item)
#: Reference relations an event may carry, and what they mean.
REF_RELATIONS: Mapping[str, str] = {r.name: r.description for r in _RELATIONS}
#: The mark an entry gets from each relation a later entry refers to it with, in display order.
MARK_OF_RELATION: Mapping[str, str] = {r.name: r.mark for r in _RELATIONS if r.mark}
