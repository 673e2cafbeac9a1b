"""The state index: where every item stood after every step, for logs of any size.

Stepping through a million events cannot keep a million states, nor replay from the start at
each step. The index folds the log once per order (story order and recorded order) and keeps,
in flat arrays, for each step: the event's log position, the item it touched and that item's
kind and status before and after. From that it answers, at any step:

- the status of any item (its last step at or before that step: a binary search);
- what the step changed (its item's status before and after);
- how many items stood in each kind and status (count checkpoints every ``every`` steps plus
  the changes since);
- which events make up an item at that step (their log positions: show the item in full by
  replaying just those events with :func:`tracker.projections.replay`).

Statuses come from :func:`tracker.projections.derive` itself, so the index agrees with a full
replay by construction; a fast path handles the common case (an item's next event in story
order, with no disputes, corrections or retractions) without re-deriving the whole item. The
facts the index is built from are dropped once it is built: it keeps arrays of small integers.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Sequence
from typing import Literal, NamedTuple

import orjson

from tracker.bulk import paused_gc
from tracker.codec import Fact
from tracker.dates import StoryTime
from tracker.ordering import (
    OPEN_END_DAY,
    OPEN_START_DAY,
    day_number,
    day_text,
    order_by_story,
    story_key_of,
    uncertain_marks_of,
)
from tracker.projections import Actions, Step, _accounts, _info, _Round, derive

Order = Literal["story", "recorded"]
ORDERS: tuple[Order, ...] = ("story", "recorded")
NONE = 0  # status code: the item does not exist yet
DEFAULT_EVERY = 1024
WIDTH = 32  # statuses per kind at most (the vocabulary has 26)
KINDS = 16  # kinds at most (the vocabulary has 9, plus "entry")


class Change(NamedTuple):
    """What one step did to its item."""

    subject: str
    kind: str
    before: str | None
    after: str
    position: int


class _Running:
    """An item's fold state while the index is built."""

    __slots__ = ("actions", "built", "claims", "kind", "kind_code", "last_key", "slow", "status",
                 "status_code", "steps")

    def __init__(self) -> None:
        self.steps: list[int] = []  # fact indices, in story order
        self.last_key: tuple[str, str, int] | None = None
        self.actions: Actions[int] = Actions()  # round tokens: fact indices
        self.kind = ""
        self.status = ""  # what it shows: the base status, or disputed
        self.status_code = NONE
        self.kind_code = 0
        self.built: list[Step] | None = None  # on the slow path: the steps themselves
        self.claims: tuple[dict[str, list[str]], dict[str, list[str]]] | None = None
        self.slow = False  # once corrections, retractions or late events touch it: full derive


class _Fold(NamedTuple):
    """One order's fold, step by step."""

    position: array  # step -> log position
    item: array  # step -> item number
    before: array  # step -> status code before
    after: array  # step -> status code after
    kind_before: array  # step -> kind code before (a retraction can leave an item kindless)
    kind_after: array  # step -> kind code after
    item_steps: array  # steps grouped by item, ascending
    item_offsets: array  # item -> start in item_steps (len = items + 1)
    counts: list[array]  # every `every` steps: items per kind * WIDTH + status


class StateIndex:
    """Statuses of every item after every step of a log, in story and recorded order."""

    def __init__(self, facts: Sequence[Fact], every: int = DEFAULT_EVERY,
                 orders: Sequence[Order] = ORDERS) -> None:
        self.every = every
        self.orders = tuple(orders)
        self._status_names: list[str] = ["", "recorded"]
        self._status_codes: dict[str, int] = {"": NONE, "recorded": 1}
        self._kind_names: list[str] = [""]
        self._kind_codes: dict[str, int] = {"": 0}
        self.subjects: list[str] = []
        self._item_of: dict[str, int] = {}
        with paused_gc():
            self._build(facts, self.orders)

    def _build(self, facts: Sequence[Fact], orders: Sequence[Order]) -> None:
        item_of = self._item_of
        subjects = self.subjects
        fact_item = array("I", bytes(4 * len(facts)))
        for i, f in enumerate(facts):
            n = item_of.get(f.subject)
            if n is None:
                n = item_of[f.subject] = len(subjects)
                subjects.append(f.subject)
            fact_item[i] = n
        referenced = {t for f in facts if f.targets for t in f.targets}
        index_of = {f.id: i for i, f in enumerate(facts) if f.id in referenced}
        del referenced
        refs = [
            tuple(j for t in f.targets if (j := index_of.get(t)) is not None) if f.targets else ()
            for f in facts
        ]
        del index_of
        keys = [story_key_of(f.earliest, f.latest, f.position) for f in facts]
        story = order_by_story(keys, refs)
        del refs
        recorded = sorted(range(len(facts)), key=lambda i: facts[i].position)
        self._positions = array("I", sorted(f.position for f in facts))
        self._story_lo = array("i", (day_number(facts[i].earliest, OPEN_START_DAY) for i in story))
        self._story_hi = array("i", (day_number(facts[i].latest, OPEN_END_DAY) for i in story))
        self._uncertain = bytearray(
            uncertain_marks_of([(facts[i].earliest, facts[i].latest) for i in story])
        )
        self._folds: dict[str, _Fold] = {}
        if "story" in orders:
            self._folds["story"] = self._fold(facts, fact_item, story, keys)
        if "recorded" in orders:
            self._folds["recorded"] = self._fold(facts, fact_item, recorded, keys)

    def _status(self, name: str) -> int:
        return _code(name, self._status_names, self._status_codes, WIDTH, "statuses")

    def _kind(self, name: str) -> int:
        return _code(name, self._kind_names, self._kind_codes, KINDS, "kinds")

    def _fold(
        self,
        facts: Sequence[Fact],
        fact_item: array,
        order: Sequence[int],
        keys: Sequence[tuple[str, str, int]],
    ) -> _Fold:
        running: dict[int, _Running] = {}
        n = len(order)
        position = array("I", (facts[i].position for i in order))
        items = array("I", (fact_item[i] for i in order))
        before = array("H", bytes(2 * n))
        after = array("H", bytes(2 * n))
        kind_before = array("H", bytes(2 * n))
        kind_after = array("H", bytes(2 * n))
        counts: list[array] = [array("i", bytes(4 * KINDS * WIDTH))]
        current = array("i", bytes(4 * KINDS * WIDTH))
        builder = _Steps(facts, keys)
        status_code = self._status
        kind_code = self._kind
        every = self.every
        for step, i in enumerate(order):
            item = items[step]
            run = running.get(item)
            if run is None:
                run = running[item] = _Running()
            old_status, old_kind = run.status_code, run.kind_code
            status, kind = run.status, run.kind
            _advance(run, i, facts[i], keys[i], builder)
            if run.status != status:
                run.status_code = status_code(run.status)
            if run.kind != kind or not run.kind_code:
                run.kind_code = kind_code(run.kind or "entry")
            new_status, new_kind = run.status_code, run.kind_code
            if old_status:
                current[old_kind * WIDTH + old_status] -= 1
            current[new_kind * WIDTH + new_status] += 1
            before[step] = old_status
            after[step] = new_status
            kind_before[step] = old_kind
            kind_after[step] = new_kind
            if (step + 1) % every == 0:
                counts.append(array("i", current))
        del running
        by_item = array("I", sorted(range(n), key=items.__getitem__))
        offsets = array("I", bytes(4 * (len(self.subjects) + 1)))
        for item in items:
            offsets[item + 1] += 1
        for k in range(1, len(offsets)):
            offsets[k] += offsets[k - 1]
        return _Fold(
            position, items, before, after, kind_before, kind_after, by_item, offsets, counts
        )

    # -- asking ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._positions)

    def positions(self, order: Order) -> array:
        """Log positions in this order."""
        return self._folds[order].position

    def step_of_position(self, order: Order, position: int) -> int | None:
        """Where the event at a log position stands in an order (None: not in this index)."""
        k = bisect_right(self._positions, position) - 1
        if k < 0 or self._positions[k] != position:
            return None
        if order == "recorded":
            return k
        if not hasattr(self, "_story_rank"):
            rank = array("I", bytes(4 * len(self)))
            for step, p in enumerate(self._folds["story"].position):
                rank[bisect_right(self._positions, p) - 1] = step
            self._story_rank = rank
        return int(self._story_rank[k])

    def story_bounds(self, step: int) -> tuple[str | None, str | None]:
        """The (earliest, latest) story dates of the story-order step (None: unbounded)."""
        lo, hi = self._story_lo[step], self._story_hi[step]
        return (day_text(lo) if lo else None, day_text(hi) if hi != OPEN_END_DAY else None)

    def uncertain(self, step: int) -> bool:
        """Whether the story-order step is of uncertain order against a neighbour."""
        return bool(self._uncertain[step])

    def change_at(self, order: Order, step: int) -> Change:
        """What the step changed: its item's status before and after."""
        fold = self._folds[order]
        before = fold.before[step]
        return Change(
            self.subjects[fold.item[step]],
            self._kind_names[fold.kind_after[step]],
            self._status_names[before] if before else None,
            self._status_names[fold.after[step]],
            int(fold.position[step]),
        )

    def _item_range(self, fold: _Fold, subject: str, upto: int) -> tuple[int, int] | None:
        item = self._item_of.get(subject)
        if item is None:
            return None
        lo, hi = fold.item_offsets[item], fold.item_offsets[item + 1]
        return lo, bisect_right(fold.item_steps, upto, lo, hi)

    def status_of(self, subject: str, order: Order, upto: int) -> str | None:
        """The item's status after step ``upto`` (None: it did not exist yet)."""
        fold = self._folds[order]
        found = self._item_range(fold, subject, upto)
        if found is None or found[1] == found[0]:
            return None
        return self._status_names[fold.after[fold.item_steps[found[1] - 1]]]

    def item_positions(self, subject: str, order: Order, upto: int) -> list[int]:
        """Log positions of the item's events at or before step ``upto`` of the order."""
        fold = self._folds[order]
        found = self._item_range(fold, subject, upto)
        if found is None:
            return []
        return [int(fold.position[s]) for s in fold.item_steps[found[0] : found[1]]]

    def counts_at(self, order: Order, upto: int) -> dict[tuple[str, str], int]:
        """How many items stood in each (kind, status) after step ``upto`` (-1: before any)."""
        fold = self._folds[order]
        n = upto + 1
        k = n // self.every
        counts = array("i", fold.counts[k])
        for step in range(k * self.every, n):
            if fold.before[step]:
                counts[fold.kind_before[step] * WIDTH + fold.before[step]] -= 1
            counts[fold.kind_after[step] * WIDTH + fold.after[step]] += 1
        return {
            (self._kind_names[c // WIDTH], self._status_names[c % WIDTH]): v
            for c, v in enumerate(counts)
            if v > 0
        }

    def recent(self, order: Order, upto: int, limit: int = 50) -> list[Change]:
        """The items most recently changed at or before step ``upto``, newest first, each with
        the change that last touched it."""
        fold = self._folds[order]
        seen: set[int] = set()
        out: list[Change] = []
        step = upto
        while step >= 0 and len(out) < limit:
            item = fold.item[step]
            if item not in seen:
                seen.add(item)
                out.append(self.change_at(order, step))
            step -= 1
        return out


def _code(name: str, names: list[str], codes: dict[str, int], limit: int, what: str) -> int:
    """The small number that stands for a status or kind name in the index's arrays."""
    code = codes.get(name)
    if code is None:
        if len(names) >= limit:
            raise ValueError(f"more than {limit} {what}: widen the index's arrays")
        code = codes[name] = len(names)
        names.append(name)
    return code


class _Steps:
    """Builds projection steps from facts, on the slow path only."""

    def __init__(self, facts: Sequence[Fact], keys: Sequence[tuple[str, str, int]]) -> None:
        self.facts = facts
        self.keys = keys
        self.stories: dict[tuple[str | None, str | None], StoryTime] = {}

    def __call__(self, i: int) -> Step:
        f = self.facts[i]
        story = self.stories.get((f.earliest, f.latest))
        if story is None:
            story = self.stories[(f.earliest, f.latest)] = StoryTime(
                "", None, "", f.earliest, f.latest
            )
        return Step(
            self.keys[i],
            f.id,
            f.type,
            f.speaker,
            f.outlet,
            f.targets,
            story,
            None,
            f.actors,
            None,
            f.details,
            f.published,
        )


_CLAIMS = {"account.disputed": 0, "account.confirmed": 1}


def _advance(run: _Running, i: int, f: Fact, key: tuple[str, str, int], step_of: _Steps) -> None:
    """Add an event to a running item and update its kind and status exactly as derive would.

    Corrections, retractions and events that land before the item's last one in story order
    re-derive the item in full from then on; everything else, disputes and confirmations
    included, advances it by one step.
    """
    info = _info(f.type)
    last = run.last_key
    in_order = last is None or key >= last
    claim = _CLAIMS.get(f.type)
    if run.slow or (claim is None and (info.meta or not in_order)):
        _advance_slowly(run, i, f.subject, key, in_order, step_of)
        return
    if in_order:
        run.steps.append(i)
        run.last_key = key
    if claim is not None:
        # A dispute or confirmation changes no action of the item, only how its accounts
        # compare; it may arrive in any order.
        if not in_order:
            keys = step_of.keys
            run.steps.insert(bisect_right([keys[j] for j in run.steps], key), i)
        if run.claims is None:
            run.claims = ({}, {})
        for target in f.targets:
            run.claims[claim].setdefault(target, []).append(f.id)
        _settle(run, step_of)
        return
    run.actions.act(f.type, f.actors, f.details, i)
    run.kind = run.actions.kind
    _settle(run, step_of)


def _settle(run: _Running, step_of: _Steps) -> None:
    """The item's status from its base status and its competing accounts, as derive ends."""
    actions = run.actions
    run.status = actions.base or "recorded"
    if not actions.round_:
        return
    if run.claims is None:
        if actions.trivial(lambda i: step_of.facts[i].type):
            return
        disputes: dict[str, list[str]] = {}
        confirms: dict[str, list[str]] = {}
    else:
        disputes, confirms = run.claims
    rounds = [_Round(step_of(j), st) for j, st in actions.round_]
    _, disputed = _accounts(rounds, disputes, confirms)
    if disputed:
        run.status = "disputed"


def _advance_slowly(run: _Running, i: int, subject: str, key: tuple[str, str, int],
                    in_order: bool, step_of: _Steps) -> None:
    """The slow path: the item's steps in story order, derived in full."""
    if run.built is None:
        run.slow = True
        run.built = [step_of(j) for j in run.steps]
    step = step_of(i)
    if in_order:
        run.steps.append(i)
        run.built.append(step)
        run.last_key = key
    else:
        k = bisect_right([s.key for s in run.built], key)
        run.steps.insert(k, i)
        run.built.insert(k, step)
    item = derive(subject, tuple(run.built))
    run.kind, run.status = item.kind, item.status



# --------------------------------------------------------------------------- persistence

#: Bumped whenever the index's contents or meaning change: older saved indexes are rebuilt.
INDEX_FORMAT = 2
_MAGIC = b"TRACKER-STATEINDEX\n"
_FOLD_ARRAYS = ("position", "item", "before", "after", "kind_before", "kind_after",
                "item_steps", "item_offsets")


def to_bytes(index: StateIndex, key: str) -> bytes:
    """The index as bytes (a JSON header, then the raw arrays), tagged with ``key``: what log
    state it was built from (the head position and hash)."""
    arrays: list[array] = [index._positions, index._story_lo, index._story_hi]
    folds: dict[str, dict[str, object]] = {}
    for name, fold in index._folds.items():
        folds[name] = {"counts": len(fold.counts)}
        arrays.extend(getattr(fold, a) for a in _FOLD_ARRAYS)
        arrays.extend(fold.counts)
    header = {
        "format": INDEX_FORMAT,
        "key": key,
        "every": index.every,
        "orders": list(index._folds),
        "statuses": index._status_names,
        "kinds": index._kind_names,
        "subjects": index.subjects,
        "uncertain": index._uncertain.hex(),
        "folds": folds,
        "arrays": [[a.typecode, len(a)] for a in arrays],
    }
    head = orjson.dumps(header)
    return b"".join([_MAGIC, str(len(head)).encode(), b"\n", head, *(a.tobytes() for a in arrays)])


def from_bytes(data: bytes, key: str) -> StateIndex | None:
    """The index saved by :func:`to_bytes`, or None if it is not one, is damaged, or was built
    from another state of the log (``key``) or by another version of this code."""
    try:
        if not data.startswith(_MAGIC):
            return None
        rest = data[len(_MAGIC):]
        length_text, _, rest = rest.partition(b"\n")
        length = int(length_text)
        header = orjson.loads(rest[:length])
        if header.get("format") != INDEX_FORMAT or header.get("key") != key:
            return None
        offset = length
        arrays: list[array] = []
        for typecode, count in header["arrays"]:
            a = array(typecode)
            size = a.itemsize * count
            a.frombytes(rest[offset:offset + size])
            if len(a) != count:
                return None
            arrays.append(a)
            offset += size
        if offset != len(rest):
            return None
        index = StateIndex.__new__(StateIndex)
        index.every = header["every"]
        index.orders = tuple(header["orders"])
        index._status_names = header["statuses"]
        index._status_codes = {n: i for i, n in enumerate(index._status_names)}
        index._kind_names = header["kinds"]
        index._kind_codes = {n: i for i, n in enumerate(index._kind_names)}
        index.subjects = header["subjects"]
        index._item_of = {s: i for i, s in enumerate(index.subjects)}
        index._uncertain = bytearray.fromhex(header["uncertain"])
        index._positions, index._story_lo, index._story_hi = arrays[0], arrays[1], arrays[2]
        index._folds = {}
        k = 3
        for name in header["orders"]:
            fixed = arrays[k:k + len(_FOLD_ARRAYS)]
            k += len(_FOLD_ARRAYS)
            n_counts = header["folds"][name]["counts"]
            counts = arrays[k:k + n_counts]
            k += n_counts
            p_, i_, b_, a_, kb, ka, steps, offsets = fixed
            index._folds[name] = _Fold(p_, i_, b_, a_, kb, ka, steps, offsets, counts)
        return index
    except (ValueError, KeyError, TypeError, IndexError, orjson.JSONDecodeError):
        return None
