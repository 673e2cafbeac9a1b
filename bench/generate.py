"""Realistic synthetic diplomatic logs, deterministic from a seed.

Many actors (a hundred countries and their officials), every event type of the vocabulary, items
with realistic life cycles (an invitation extended, then declined, deferred, reinstated, accepted;
a proposal submitted and rejected in part; a demand made and refused; sanctions imposed, eased,
lifted and reimposed; a framework concluded, in force, withdrawn from; talks with rounds...), uncertain dates (windows, "no later than", relative words anchored on the source's
date), references (responds_to, part_of, fulfils), disputed and confirmed accounts, corrections
and retractions, and events learned late: published long after the events around them in the
log, but belonging earlier in story time.

``generate_events`` yields import-shaped event dicts (what :func:`tracker.domain.input.parse_event`
accepts): ids are unique and references point only to earlier ids. ``build_log`` writes a log
through the real append path; ``rows_for_baseline`` gives the same events as raw rows for the
baselines (which store them as JSON payloads).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from tracker.domain.events import EVENT_TYPES
from tracker.domain.input import parse_event

_COUNTRY_NAMES = (
    "Afghanistan Albania Algeria Angola Argentina Armenia Australia Austria Azerbaijan Bahrain "
    "Bangladesh Belarus Belgium Bolivia Bosnia Brazil Bulgaria Cambodia Cameroon Canada Chad "
    "Chile China Colombia Croatia Cuba Cyprus Czechia Denmark Ecuador Egypt Estonia Ethiopia "
    "Finland France Georgia Germany Ghana Greece Guatemala Hungary Iceland India Indonesia Iran "
    "Iraq Ireland Israel Italy Japan Jordan Kazakhstan Kenya Kosovo Kuwait Latvia Lebanon Libya "
    "Lithuania Malaysia Mali Mexico Moldova Mongolia Morocco Myanmar Nepal Netherlands Nigeria "
    "Norway Oman Pakistan Panama Peru Philippines Poland Portugal Qatar Romania Russia Rwanda "
    "Serbia Singapore Slovakia Somalia Spain Sudan Sweden Switzerland Syria Thailand Tunisia "
    "Turkey Uganda Ukraine Uruguay Venezuela Vietnam Yemen Zambia"
)
COUNTRIES = tuple(_COUNTRY_NAMES.split(" "))
OFFICES = ("foreign minister", "president", "prime minister", "envoy", "defence minister")
OUTLETS = (
    "Reuters", "AP", "AFP", "McClatchy", "BBC", "Al Jazeera", "Kyodo", "Xinhua", "TASS",
    "Deutsche Welle", "Le Monde", "El Pais", "The Hindu", "Anadolu", "Yonhap", "ANSA",
    "Radio Free Europe", "Financial Times", "The Guardian", "NHK",
)
AUTHORS = ("Hannah Allam", "Lesley Wroughton", "Arshad Mohammed", "Steve Gutterman",
           "Jonathan Saul", "Maria Tsvetkova", "Laurence Norman", "Anne Gearan")
ANONYMOUS = ("a senior official", "a diplomat briefed on the talks", "a ministry spokesperson",
             "two officials familiar with the matter")
PLACES = ("Geneva", "Vienna", "Moscow", "Washington", "Brussels", "Paris", "London", "Beijing",
          "New York", "Doha", "Istanbul", "Minsk", "Oslo", "Helsinki", "Sochi", "Rome", "Tokyo")
TOPICS = ("the ceasefire", "border crossings", "prisoner exchanges", "energy transit",
          "nuclear inspections", "trade tariffs", "humanitarian corridors", "visa rules",
          "fishing rights", "troop withdrawals", "election monitoring", "debt relief")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DISPUTE_KINDS = ("occurrence", "characterization", "details", "date", "attribution")

START = date(2008, 1, 1)
MAX_OPEN_ITEMS = 4000
RECENT = 2000  # how many recent entries disputes and corrections pick from


def actors() -> list[str]:
    """The cast: every country and, for the first forty, five of its officials (~300 names)."""
    names = list(COUNTRIES)
    for country in COUNTRIES[:40]:
        names.extend(f"{country} {office}" for office in OFFICES)
    return names


class _Item:
    __slots__ = ("first", "kind", "last", "parties", "status", "subject")

    def __init__(self, kind: str, subject: str, first: str, parties: tuple[str, str]) -> None:
        self.kind = kind
        self.subject = subject
        self.first = first
        self.last = first
        self.parties = parties
        self.status = ""


# The next moves of an item from each status: (event type, weight). No entry: the item is done.
_NEXT: dict[str, dict[str, tuple[tuple[str, int], ...]]] = {
    "invitation": {
        "open": (("invitation.declined", 4), ("invitation.deferred", 3), ("invitation.accepted", 3),
                 ("invitation.withdrawn", 1)),
        "declined": (("invitation.reinstated", 2), ("invitation.renewed", 1), ("", 3)),
        "deferred": (("invitation.accepted", 2), ("invitation.declined", 2), ("", 1)),
        "withdrawn": (("invitation.reinstated", 1), ("invitation.renewed", 1), ("", 3)),
        "accepted": (("meeting.held", 3), ("", 1)),
    },
    "meeting": {
        "possible": (("meeting.scheduled", 4), ("meeting.cancelled", 1)),
        "scheduled": (("meeting.held", 5), ("meeting.postponed", 2), ("meeting.cancelled", 1)),
        "postponed": (("meeting.reinstated", 3), ("meeting.cancelled", 1)),
        "cancelled": (("meeting.reinstated", 1), ("", 3)),
    },
    "proposal": {
        "pending": (("proposal.rejected", 4), ("proposal.accepted", 2), ("proposal.countered", 2),
                    ("proposal.withdrawn", 1), ("demand.made", 2)),
        "countered": (("proposal.accepted", 1), ("proposal.rejected", 2), ("", 1)),
        "rejected": (("", 1),),
    },
    "demand": {
        "outstanding": (("demand.refused", 3), ("demand.met", 2), ("demand.dropped", 1)),
    },
    "agreement": {
        "framework": (("agreement.concluded", 3), ("agreement.endorsed", 1), ("", 1)),
        "concluded": (("agreement.entered_into_force", 3), ("agreement.endorsed", 1), ("", 1)),
        "in_force": (("agreement.withdrawn_from", 2), ("agreement.suspended", 1),
                     ("agreement.ratified", 1), ("agreement.reaffirmed", 1),
                     ("agreement.superseded", 1), ("agreement.expired", 1), ("", 2)),
        "suspended": (("agreement.reinstated", 2), ("", 1)),
    },
    "sanction": {
        "in_force": (("sanction.lifted", 2), ("sanction.extended", 1), ("sanction.eased", 1),
                     ("", 2)),
        "eased": (("sanction.lifted", 1), ("sanction.reimposed", 1), ("", 1)),
        "lifted": (("sanction.reimposed", 1), ("", 2)),
        "reimposed": (("sanction.lifted", 1), ("", 2)),
    },
    "talks": {
        "active": (("talks.round_held", 4), ("talks.paused", 1), ("talks.called_off", 1),
                   ("talks.concluded", 1), ("talks.broke_down", 1)),
        "paused": (("talks.resumed", 2), ("talks.broke_down", 1)),
        "called_off": (("talks.resumed", 1), ("", 1)),
    },
}

_OPENERS = (("invitation.extended", 5), ("meeting.proposed", 3), ("meeting.scheduled", 2),
            ("proposal.submitted", 3), ("demand.made", 2), ("agreement.signed", 1),
            ("sanction.imposed", 1), ("statement.made", 5), ("agreement.framework_announced", 1),
            ("talks.opened", 1))

# Roles per type: (role of party 0, role of party 1); None: that party is not named.
_ROLES: dict[str, tuple[str | None, str | None]] = {
    "meeting.proposed": ("proposer", "participant"),
    "meeting.scheduled": ("participant", "participant"),
    "meeting.postponed": ("decided_by", None),
    "meeting.cancelled": ("decided_by", None),
    "meeting.reinstated": ("decided_by", None),
    "meeting.held": ("participant", "participant"),
    "invitation.extended": ("inviter", "invitee"),
    "invitation.accepted": (None, "invitee"),
    "invitation.declined": (None, "invitee"),
    "invitation.deferred": (None, "invitee"),
    "invitation.withdrawn": ("inviter", None),
    "invitation.reinstated": ("inviter", None),
    "invitation.renewed": ("inviter", None),
    "proposal.submitted": ("proposer", "addressee"),
    "proposal.accepted": (None, "addressee"),
    "proposal.rejected": (None, "addressee"),
    "proposal.withdrawn": ("proposer", None),
    "proposal.countered": (None, "addressee"),
    "demand.made": ("demander", "target"),
    "demand.met": (None, "target"),
    "demand.refused": (None, "target"),
    "demand.dropped": ("demander", None),
    "agreement.framework_announced": ("party", "party"),
    "agreement.concluded": ("party", "party"),
    "agreement.signed": ("party", "party"),
    "agreement.ratified": (None, "party"),
    "agreement.entered_into_force": (None, None),
    "agreement.endorsed": ("endorser", None),
    "agreement.reaffirmed": ("party", None),
    "agreement.superseded": ("party", None),
    "agreement.expired": (None, None),
    "agreement.withdrawn_from": (None, "party"),
    "agreement.suspended": ("party", None),
    "agreement.reinstated": ("party", None),
    "sanction.imposed": ("imposer", "target"),
    "sanction.extended": ("imposer", "target"),
    "sanction.eased": ("imposer", None),
    "sanction.lifted": ("imposer", None),
    "sanction.reimposed": ("imposer", "target"),
    "talks.opened": ("party", "party"),
    "talks.round_held": ("participant", "participant"),
    "talks.paused": ("decided_by", None),
    "talks.called_off": ("decided_by", None),
    "talks.resumed": ("decided_by", None),
    "talks.concluded": ("party", "party"),
    "talks.broke_down": ("party", None),
    "statement.made": ("speaker", "addressee"),
    "account.disputed": ("disputant", None),
    "account.confirmed": ("confirmer", None),
    "entry.corrected": (None, None),
    "entry.retracted": (None, None),
}


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    total = sum(w for _, w in weighted)
    x = rng.random() * total
    for value, w in weighted:
        x -= w
        if x < 0:
            return value
    return weighted[-1][0]


class _Generator:
    def __init__(self, n: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.n = n
        self.prefix = f"g{seed}"
        self.cast = actors()
        # Spread the story over about 180 events a day of world diplomacy, at least a year.
        self.days = max(365, n // 180)
        self.open: list[_Item] = []
        self.recent: list[tuple[str, str]] = []  # (id, type) of recent non-meta entries
        self.retracted: set[str] = set()  # entries already retracted (a retraction is once)
        self.count = 0

    # -- dates -------------------------------------------------------------------------------

    def _story(self, i: int) -> tuple[Any, str]:
        """(story expression or object, published date) for the i-th event."""
        rng = self.rng
        today = START + timedelta(days=i * self.days // self.n)
        late = rng.random() < 0.03
        if late:  # learned late: published now, happened weeks or months before
            published = today
            day = today - timedelta(days=rng.randint(20, 400))
        else:
            day = today
            published = day + timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 3, 5)))
        pub = published.isoformat()
        lag = (published - day).days
        x = rng.random()
        if x < 0.45:
            expr: Any = day.isoformat()
        elif x < 0.55 and 1 <= lag <= 7:
            expr = f"last {WEEKDAYS[day.weekday()]}"
        elif x < 0.6 and lag == 1:
            expr = "yesterday"
        elif x < 0.65:
            expr = "last week"
        elif x < 0.72:
            expr = f"no later than {pub}"
        elif x < 0.8:
            lo = day - timedelta(days=rng.randint(1, 6))
            expr = f"{lo.isoformat()}..{day.isoformat()}"
        elif x < 0.84:
            expr = day.strftime("%Y-%m")
        elif x < 0.86:
            expr = f"no earlier than {(day - timedelta(days=3)).isoformat()}"
        elif x < 0.9:
            # The date a quoted speaker gave, anchored on the day they spoke.
            spoke = day + timedelta(days=1)
            return {"expr": "yesterday", "anchor": spoke.isoformat()}, max(pub, spoke.isoformat())
        else:
            expr = day.isoformat()
        return expr, pub

    def _source(self, pub: str) -> dict[str, Any]:
        rng = self.rng
        source: dict[str, Any] = {"outlet": rng.choice(OUTLETS), "published": pub}
        x = rng.random()
        if x < 0.5:
            source["author"] = rng.choice(AUTHORS)
        if x < 0.2:
            source["speaker"] = rng.choice(ANONYMOUS)
            source["on_record"] = False
        elif x < 0.6:
            source["speaker"] = rng.choice(self.cast)
        if rng.random() < 0.3:
            source["url"] = f"https://news.example.org/{pub}/{rng.randrange(10**8)}"
        if rng.random() < 0.25:
            source["quote"] = f"we discussed {rng.choice(TOPICS)} at length"
        if rng.random() < 0.05:
            source["via"] = rng.choice(OUTLETS)
        return source

    # -- events ------------------------------------------------------------------------------

    def _event(self, type_: str, parties: tuple[str, str], subject: str | None,
               refs: list[dict[str, str]], details: dict[str, Any], summary: str) -> dict[str, Any]:
        self.count += 1
        i = self.count
        story, pub = self._story(i)
        roles = _ROLES[type_]
        actors_ = [{"name": name, "role": role} for name, role in zip(parties, roles, strict=True)
                   if role is not None]
        obj: dict[str, Any] = {
            "id": f"{self.prefix}-{i:07d}",
            "type": type_,
            "story": story,
            "summary": summary,
            "source": self._source(pub),
        }
        if subject is not None:
            obj["subject"] = subject
        if actors_:
            obj["actors"] = actors_
        if refs:
            obj["refs"] = refs
        if details:
            obj["details"] = details
        if type_ in ("meeting.held", "meeting.scheduled", "invitation.extended") or (
            self.rng.random() < 0.2 and actors_
        ):
            obj["place"] = self.rng.choice(PLACES)
        x = self.rng.random()
        if x < 0.06:
            obj["certainty"] = "probable"
        elif x < 0.09:
            obj["certainty"] = "possible"
        if not type_.startswith(("entry.", "account.")):
            self.recent.append((obj["id"], type_))
            if len(self.recent) > 2 * RECENT:
                del self.recent[:RECENT]
        return obj

    def _details(self, type_: str, parties: tuple[str, str]) -> dict[str, Any]:
        rng = self.rng
        topic = rng.choice(TOPICS)
        if type_ in ("meeting.held", "meeting.scheduled"):
            return {"format": rng.choice(("in_person", "in_person", "phone", "video"))}
        if type_ == "invitation.extended":
            return {"purpose": f"talks on {topic}"}
        if type_ == "invitation.deferred":
            return {"conditions": [f"progress on {topic}"]}
        if type_ == "invitation.declined" and rng.random() < 0.5:
            return {"reason": f"no progress on {topic}"}
        if type_ == "proposal.submitted":
            return {"title": f"Paper on {topic}",
                    "terms": [f"{t}" for t in rng.sample(TOPICS, 3)]}
        if type_ == "proposal.rejected":
            return {"degree": rng.choice(("full", "partial", "partial"))}
        if type_ == "proposal.countered":
            return {"terms": [rng.choice(TOPICS)]}
        if type_ == "demand.made":
            return {"demand": f"movement on {topic}",
                    "kind": rng.choice(("demand", "precondition", "term"))}
        if type_ == "agreement.signed":
            return {"title": f"Accord on {topic}"}
        if type_ == "sanction.imposed":
            return {"measure": f"restrictions over {topic}"}
        if type_ == "statement.made":
            return {"topic": topic}
        if type_ == "meeting.postponed" and rng.random() < 0.5:
            return {"reason": "scheduling"}
        return {}

    def _open(self) -> dict[str, Any]:
        rng = self.rng
        type_ = _pick(rng, _OPENERS)
        a, b = rng.sample(self.cast, 2)
        kind = type_.partition(".")[0]
        subject = f"{kind}:{self.prefix}-{self.count + 1}"
        refs: list[dict[str, str]] = []
        obj = self._event(type_, (a, b), subject, refs, self._details(type_, (a, b)),
                          _summary(type_, a, b))
        if kind != "statement":
            item = _Item(kind, subject, obj["id"], (a, b))
            item.status = EVENT_TYPES[type_].status or ""
            self._keep(item)
        return obj

    def _keep(self, item: _Item) -> None:
        if len(self.open) >= MAX_OPEN_ITEMS:
            # The oldest threads go quiet: replace a random one.
            self.open[self.rng.randrange(len(self.open))] = item
        else:
            self.open.append(item)

    def _advance(self) -> dict[str, Any] | None:
        rng = self.rng
        k = rng.randrange(len(self.open))
        item = self.open[k]
        moves = _NEXT.get(item.kind, {}).get(item.status)
        type_ = _pick(rng, moves) if moves else ""
        if not type_:
            self.open[k] = self.open[-1]
            self.open.pop()
            return None
        a, b = item.parties
        if type_ == "meeting.held" and item.kind == "invitation":
            # The visit takes place: a new meeting item that fulfils the invitation.
            self.open[k] = self.open[-1]
            self.open.pop()
            subject = f"meeting:{self.prefix}-{self.count + 1}"
            return self._event(type_, (a, b), subject, [{"rel": "fulfils", "id": item.last}],
                               self._details(type_, (a, b)), _summary(type_, a, b))
        if type_ == "demand.made":
            # A precondition attached to the proposal: its own item, part of the proposal.
            subject = f"demand:{self.prefix}-{self.count + 1}"
            obj = self._event(type_, (b, a), subject, [{"rel": "part_of", "id": item.first}],
                              self._details(type_, (b, a)), _summary(type_, b, a))
            demand = _Item("demand", subject, obj["id"], (b, a))
            demand.status = "outstanding"
            self._keep(demand)
            return obj
        refs = [{"rel": "responds_to", "id": item.last}]
        # Half the answers name their item; the others leave it to the reference.
        named = item.subject if rng.random() < 0.5 else None
        obj = self._event(type_, (a, b), named, refs, self._details(type_, (a, b)),
                          _summary(type_, a, b))
        item.last = obj["id"]
        status = EVENT_TYPES[type_].status
        if status is not None:
            item.status = status
        return obj

    def _meta(self) -> dict[str, Any] | None:
        """A dispute, confirmation, correction or retraction of a recent entry."""
        rng = self.rng
        if not self.recent:
            return None
        target, target_type = self.recent[rng.randrange(max(0, len(self.recent) - RECENT),
                                                        len(self.recent))]
        x = rng.random()
        who = rng.choice(self.cast)
        if x < 0.45:
            return self._event(
                "account.disputed", (who, ""), None, [{"rel": "disputes", "id": target}],
                {"counter_claim": f"{who} says it did not happen that way",
                 "dispute_kind": rng.choice(DISPUTE_KINDS)},
                f"{who} disputes the account",
            )
        if x < 0.65 or (x >= 0.9 and target in self.retracted):  # an entry is retracted once
            return self._event("account.confirmed", (who, ""), None,
                               [{"rel": "confirms", "id": target}], {},
                               f"{who} confirms the account")
        if x < 0.9:
            y = rng.random()
            changes: dict[str, Any]
            if y < 0.4:
                changes = {"summary": f"Corrected: {_summary(target_type, who, who)}"}
            elif y < 0.7:
                day = START + timedelta(days=rng.randrange(self.days))
                changes = {"story": day.isoformat()}
            else:
                changes = {"place": rng.choice(PLACES)}
            return self._event("entry.corrected", ("", ""), None,
                               [{"rel": "corrects", "id": target}],
                               {"changes": changes, "reason": "the outlet corrected its report"},
                               "Correction of an earlier entry")
        self.retracted.add(target)
        return self._event("entry.retracted", ("", ""), None, [{"rel": "retracts", "id": target}],
                           {"reason": "the outlet withdrew the report"},
                           "Retraction of an earlier entry")

    def __iter__(self) -> Iterator[dict[str, Any]]:
        rng = self.rng
        while self.count < self.n:
            x = rng.random()
            obj: dict[str, Any] | None
            if x < 0.06:
                obj = self._meta()
            elif x < 0.4 or len(self.open) < 50:
                obj = self._open()
            else:
                obj = self._advance()
            if obj is not None:
                yield obj


def _summary(type_: str, a: str, b: str) -> str:
    verb = type_.replace(".", " ").replace("_", " ")
    return f"{a}: {verb} ({b})" if b else f"{a}: {verb}"


def generate_events(n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """``n`` import-shaped event dicts, the same for the same (n, seed)."""
    return iter(_Generator(n, seed))


def build_log(path_or_url: str, n: int, seed: int = 7, batch: int = 50_000) -> None:
    """Write a log of ``n`` generated events through the real append path, in batches."""
    from tracker.app.service import open_timeline

    timeline = open_timeline(path_or_url)
    try:
        pending = []
        for obj in generate_events(n, seed):
            pending.append(parse_event(obj, obj["id"]))
            if len(pending) >= batch:
                timeline.append(pending)
                pending = []
        if pending:
            timeline.append(pending)
    finally:
        timeline.close()


def rows_for_baseline(n: int, seed: int = 7) -> list[tuple[str, str, str, dict[str, Any]]]:
    """The same events as raw rows: (id, type, published, payload), the payload being the whole
    event dict, which a baseline stores as JSON."""
    return [(obj["id"], obj["type"], obj["source"]["published"], obj)
            for obj in generate_events(n, seed)]
