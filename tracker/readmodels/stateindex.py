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
  replaying just those events with :func:`tracker.domain.fold.replay`).

Statuses come from the replay's own fold (:class:`tracker.domain.fold.ItemFold`, which runs the
same transition function as :func:`tracker.domain.fold.derive`), so the index agrees with a full
replay by construction.

Memory stays flat in the size of the log: the facts are held as columns (:class:`FactTable`, no
object per event), items are folded one at a time (an item's status depends on its own events
only), and the index itself is arrays of small integers.
"""

from __future__ import annotations

import io
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import BinaryIO, Literal, NamedTuple

from tracker.domain.dates import StoryTime
from tracker.domain.events import EMPTY_DETAILS, Actor, FrozenDict
from tracker.domain.fold import ItemFold, Step, deciding
from tracker.domain.ordering import (
    OPEN_END_DAY,
    OPEN_START_DAY,
    day_number,
    day_text,
    order_by_story,
    story_key_of,
    story_number,
    uncertain_marks_of,
)
from tracker.domain.vocabulary import EVENT_TYPES, FALLBACK_KIND, RECORDED
from tracker.readmodels.arrayfile import read_arrays, write_arrays
from tracker.readmodels.outline import TYPE_CODE, TYPE_NAMES, Outline

Order = Literal["story", "recorded"]
ORDERS: tuple[Order, ...] = ("story", "recorded")
NONE = 0  # status code: the item does not exist yet
DEFAULT_EVERY = 1024
WIDTH = 64  # statuses at most, all kinds together (the vocabulary has 34; a test checks)
KINDS = 16  # kinds at most (the vocabulary has 10; a test checks)


class Cancelled(Exception):
    """The build of an index was called off (the user quit, or asked for another view)."""


def _never() -> bool:
    return False


class Change(NamedTuple):
    """What one step did to its item."""

    subject: str
    kind: str
    before: str | None
    after: str
    position: int


_NO_EXTRAS: tuple[tuple[Actor, ...], FrozenDict] = ((), EMPTY_DETAILS)
#: Whether any actor or detail of an event of the type decides its item's status (else what
#: :func:`deciding` keeps of it is nothing: ``_NO_EXTRAS``).
_DECIDED = {t.name: t.party_role is not None or bool(t.deciding_details)
            for t in EVENT_TYPES.values()}


class Texts:
    """A list of strings held as one UTF-8 buffer and offsets (no object per string)."""

    def __init__(self, data: bytes | bytearray = b"", ends: array | None = None) -> None:
        self._data = bytearray(data)
        self._ends = ends if ends is not None else array("I")

    def append(self, text: str) -> None:
        self._data += text.encode()
        self._ends.append(len(self._data))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, i: int) -> str:
        start = self._ends[i - 1] if i else 0
        return self._data[start:self._ends[i]].decode()

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self)))

    def index_of(self, text: str) -> int | None:
        """Where ``text`` is in the list (None: not there), without a lookup table: the buffer
        is searched for the text and a hit counts only where a string starts and ends."""
        wanted = text.encode()
        data, ends = self._data, self._ends
        if not wanted:
            return next((k for k in range(len(ends)) if self[k] == ""), None)
        at = data.find(wanted)
        while at >= 0:
            k = bisect_right(ends, at)  # the string the hit starts in
            if (ends[k - 1] if k else 0) == at and k < len(ends) and ends[k] == at + len(wanted):
                return k
            at = data.find(wanted, at + 1)
        return None

    def copy(self) -> Texts:
        return Texts(self._data, array("I", self._ends))  # __init__ copies the buffer


class FactTable:
    """What the fold needs of each event of a log (its step, narrowed to what decides a status),
    as columns, in log order.

    Inside the index an event is known by its log position: ``step(i)`` names it and the entries
    it refers to by their positions (as text), which identifies them as their ids would, so the
    ids themselves need not be held. The table is what :class:`ItemFold` reads its tokens (row
    numbers) through.
    """

    def __init__(self) -> None:
        self.positions = array("I")
        self.items = array("I")  # fact -> item number
        self.subjects = Texts()  # item number -> subject
        self.item_of: dict[str, int] = {}  # while facts are added
        self.types = bytearray()  # type codes (TYPE_NAMES)
        self.lo = array("i")  # story bounds as day numbers
        self.hi = array("i")
        self.sources = array("I")  # fact -> (speaker, outlet) code
        self.published = array("I")  # fact -> date code
        self.ref_start = array("I", [0])  # fact -> its first referenced position in ref_to
        self.ref_to = array("I")
        self.extras = array("I")  # fact -> (actors, details) code; 0: none
        self._texts: list[tuple[str, str]] = []  # (speaker, outlet) pairs, then dates
        self._text_code: dict[tuple[str, str], int] = {}
        self._extras: list[tuple[tuple[Actor, ...], FrozenDict]] = [_NO_EXTRAS]
        self._extras_code: dict[tuple[tuple[Actor, ...], FrozenDict], int] = {_NO_EXTRAS: 0}
        self._stories: dict[tuple[int, int], StoryTime] = {}

    def __len__(self) -> int:
        return len(self.positions)

    def _code(self, pair: tuple[str, str]) -> int:
        code = self._text_code.get(pair)
        if code is None:
            code = self._text_code[pair] = len(self._texts)
            self._texts.append(pair)
        return code

    def add(self, subject: str, step: Step, targets: Iterable[int]) -> None:
        """Add the next event in log order (its item and step), with the positions it refers to."""
        self.positions.append(step.key[2])
        item = self.item_of.get(subject)
        if item is None:
            item = self.item_of[subject] = len(self.subjects)
            self.subjects.append(subject)
        self.items.append(item)
        type_ = step.type
        self.types.append(TYPE_CODE[type_])
        story = step.story
        self.lo.append(day_number(story.earliest, OPEN_START_DAY))
        self.hi.append(day_number(story.latest, OPEN_END_DAY))
        self.sources.append(self._code((step.speaker, step.outlet)))
        self.published.append(self._code(("", step.published)))
        self.ref_to.extend(targets)
        self.ref_start.append(len(self.ref_to))
        code = 0
        if (step.actors or step.details) and _DECIDED[type_]:
            extras = deciding(type_, step.actors, step.details)
            found = self._extras_code.get(extras)
            if found is None:
                found = self._extras_code[extras] = len(self._extras)
                self._extras.append(extras)
            code = found
        self.extras.append(code)

    @classmethod
    def of(cls, steps: Iterable[tuple[str, Step]]) -> FactTable:
        """The table of (subject, step) pairs held in memory (references resolved among them)."""
        ordered = sorted(steps, key=lambda pair: pair[1].key[2])
        position_of = {step.id: step.key[2] for _subject, step in ordered}
        table = cls()
        for subject, step in ordered:
            table.add(subject, step,
                      [p for t in step.targets if (p := position_of.get(t)) is not None])
        return table

    # -- what ItemFold reads (see tracker.domain.fold.Tokens) ---------------------------------

    def type_name(self, i: int) -> str:
        return TYPE_NAMES[self.types[i]]

    def actors_details(self, i: int) -> tuple[tuple[Actor, ...], FrozenDict]:
        return self._extras[self.extras[i]]

    def key(self, i: int) -> int:
        """The story-order key of fact ``i`` as one number (same order as its StoryKey)."""
        return story_number(self.lo[i], self.hi[i], self.positions[i])

    def targets(self, i: int) -> tuple[str, ...]:
        return tuple([str(p) for p in self.ref_to[self.ref_start[i]:self.ref_start[i + 1]]])

    def name(self, i: int) -> str:
        return str(self.positions[i])

    def step(self, i: int) -> Step:
        """Fact ``i`` as a fold step (what deciding its status needs, nothing it only shows)."""
        lo, hi = self.lo[i], self.hi[i]
        story = self._stories.get((lo, hi))
        earliest = day_text(lo) if lo != OPEN_START_DAY else None
        latest = day_text(hi) if hi != OPEN_END_DAY else None
        if story is None:
            story = self._stories[(lo, hi)] = StoryTime("", None, "", earliest, latest)
        speaker, outlet = self._texts[self.sources[i]]
        actors, details = self.actors_details(i)
        position = self.positions[i]
        return Step(story_key_of(earliest, latest, position), str(position), self.type_name(i),
                    speaker, outlet, self.targets(i), story, None, actors, None, details,
                    self._texts[self.published[i]][1])


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

    def __init__(self, facts: FactTable | Iterable[tuple[str, Step]], every: int = DEFAULT_EVERY,
                 orders: Sequence[Order] = ORDERS, story: Outline | None = None,
                 cancelled: Callable[[], bool] = _never) -> None:
        """The index of ``facts``; ``story``: the outline of the same whole log, if at hand (its
        story order is the one this index would work out from the facts: it is taken).
        ``cancelled``: asked now and then; when it says so, the build stops (:class:`Cancelled`)."""
        table = facts if isinstance(facts, FactTable) else FactTable.of(facts)
        self.every = every
        self.orders = tuple(orders)
        self._status_names: list[str] = ["", RECORDED]
        self._status_codes: dict[str, int] = {"": NONE, RECORDED: 1}
        self._kind_names: list[str] = [""]
        self._kind_codes: dict[str, int] = {"": 0}
        self.subjects = table.subjects
        self._items: dict[str, int] | None = None
        table.item_of = {}  # the table is the index's now: its lookup is no longer needed
        # bulk work: the app layer pauses the collector
        self._build(table, self.orders, story, cancelled)

    def _build(self, table: FactTable, orders: Sequence[Order], outline: Outline | None,
               cancelled: Callable[[], bool]) -> None:
        n = len(table)
        positions = table.positions
        if outline is not None and outline.count == n and (n == 0 or positions[-1] == n):
            # the whole log, whose story order the outline holds (by position: fact p - 1)
            story = array("I", (p - 1 for p in outline.story))
        else:
            story = self._story_order(table)
        self._positions = positions
        self._story_lo = array("i", (table.lo[i] for i in story))
        self._story_hi = array("i", (table.hi[i] for i in story))
        self._uncertain = uncertain_marks_of(self._story_lo, self._story_hi)
        self._folds: dict[str, _Fold] = {}
        if "story" in orders:
            self._folds["story"] = self._fold(table, story, cancelled)
        if "recorded" in orders:
            if "story" in orders:
                self._folds["recorded"] = self._fold_from_story(table, story)
            else:
                self._folds["recorded"] = self._fold(table, array("I", range(n)), cancelled)

    @staticmethod
    def _story_order(table: FactTable) -> array:
        """The facts in story order (:func:`order_by_story`, as the outline orders the log)."""
        n = len(table)
        positions = table.positions
        # references as fact indices (entries outside the table are left out)
        whole = n == 0 or positions[-1] == n  # the whole log: fact i is at position i + 1
        ref_start = array("I", [0])
        ref_to = array("I")
        starts, targets = table.ref_start, table.ref_to
        for i in range(n):
            for p in targets[starts[i]:starts[i + 1]]:
                if whole:
                    ref_to.append(p - 1)
                else:
                    k = bisect_right(positions, p) - 1
                    if k >= 0 and positions[k] == p:
                        ref_to.append(k)
            ref_start.append(len(ref_to))
        return order_by_story(table.lo, table.hi, positions, ref_start, ref_to)

    def _status(self, name: str) -> int:
        return _code(name, self._status_names, self._status_codes, WIDTH, "statuses")

    def _kind(self, name: str) -> int:
        return _code(name, self._kind_names, self._kind_codes, KINDS, "kinds")

    def _fold(self, table: FactTable, order: array, cancelled: Callable[[], bool] = _never
              ) -> _Fold:
        """One order's fold, one item at a time: an item's status depends on its own events
        only, so only one item's running state is held at once."""
        n = len(order)
        position = array("I", (table.positions[i] for i in order))
        items = array("I", (table.items[i] for i in order))
        before = array("H", bytes(2 * n))
        after = array("H", bytes(2 * n))
        kind_before = array("H", bytes(2 * n))
        kind_after = array("H", bytes(2 * n))
        by_item, offsets = _group_by_item(items, len(self.subjects))
        fold = _Fold(position, items, before, after, kind_before, kind_after, by_item, offsets,
                     [array("i", bytes(4 * KINDS * WIDTH))])
        for item in range(len(self.subjects)):
            if not item % 4096 and cancelled():
                raise Cancelled
            self._fold_item(fold, table, by_item[offsets[item]:offsets[item + 1]], order)
        fold.counts.extend(_counts(fold, self.every))
        return fold

    def _fold_from_story(self, table: FactTable, story: array) -> _Fold:
        """The recorded order's fold from the story order's, folding again only the items
        whose events the two orders take in a different sequence.

        After each step an item's status and kind are those of the item's events taken so far
        (:class:`ItemFold`, the replay's fold, is a function of the sequence it is given). An
        item whose events story order takes in log order (most items: their sources are
        recorded as the story goes) is given the same sequence by both orders, so its steps
        carry the same statuses in both: they are copied from the story fold, step for step.
        Only the other items are folded again, in log order.
        """
        n = len(story)
        folded = self._folds["story"]
        rank = array("I", bytes(4 * n))  # fact -> its step in story order
        for step, fact in enumerate(story):
            rank[fact] = step
        self._story_rank = rank  # what step_of_position would make when first asked
        items = array("I", table.items)
        fold = _Fold(array("I", table.positions), items,
                     array("H", [folded.before[s] for s in rank]),
                     array("H", [folded.after[s] for s in rank]),
                     array("H", [folded.kind_before[s] for s in rank]),
                     array("H", [folded.kind_after[s] for s in rank]),
                     *_group_by_item(items, len(self.subjects)),
                     [array("i", bytes(4 * KINDS * WIDTH))])
        # the items story order takes out of log order: one of their events comes after a
        # later-recorded one of the same item
        latest = array("i", [-1]) * len(self.subjects)
        reordered = bytearray(len(self.subjects))
        for fact in story:
            item = items[fact]
            if fact < latest[item]:
                reordered[item] = 1
            else:
                latest[item] = fact
        del latest
        recorded = range(n)
        by_item, offsets = fold.item_steps, fold.item_offsets
        at = reordered.find(1)
        while at >= 0:
            self._fold_item(fold, table, by_item[offsets[at]:offsets[at + 1]], recorded)
            at = reordered.find(1, at + 1)
        fold.counts.extend(_counts(fold, self.every))
        return fold

    def _fold_item(self, fold: _Fold, table: FactTable, steps: Iterable[int],
                   fact_at: Sequence[int] | dict[int, int]) -> None:
        """Fold one item's steps (ascending) into the fold's status and kind arrays; the fact of
        step ``s`` is ``table``'s ``fact_at[s]``. The fold is the replay's own
        (:class:`ItemFold`), reading the table's columns."""
        status_code = self._status
        kind_code = self._kind
        before, after = fold.before, fold.after
        kind_before, kind_after = fold.kind_before, fold.kind_after
        run: ItemFold[int] | None = None
        status_now, kind_now = NONE, 0
        status, kind = "", ""
        for step in steps:
            i = fact_at[step]
            if run is None:
                run = ItemFold(table.subjects[table.items[i]], table)
            run.add(i)
            old_status, old_kind = status_now, kind_now
            if run.status != status:
                status = run.status
                status_now = status_code(status)
            if run.kind != kind or not kind_now:
                kind = run.kind
                kind_now = kind_code(kind or FALLBACK_KIND)
            before[step] = old_status
            after[step] = status_now
            kind_before[step] = old_kind
            kind_after[step] = kind_now

    # -- growing -----------------------------------------------------------------------------

    def positions_of(self, subjects: Iterable[str]) -> list[int]:
        """Log positions of every event of these items (those this index knows), ascending."""
        fold = self._folds["recorded"] if "recorded" in self._folds else self._folds["story"]
        out: list[int] = []
        for subject in subjects:
            item = self.subjects.index_of(subject)
            if item is not None:
                steps = fold.item_steps[fold.item_offsets[item]:fold.item_offsets[item + 1]]
                out.extend(fold.position[s] for s in steps)
        return sorted(out)

    def extended(self, outline: Outline, table: FactTable) -> StateIndex:
        """The index of the whole log grown past this one (which must be of the whole log, as it
        stood ``len(self)`` events ago), without folding it all again.

        ``outline`` is the grown log's (its story order is this index's with the new events
        inserted); ``table`` holds every fact of the items the new events belong to, old and
        new, in log order. Only those items are folded again; everything else is copied (this
        index stays as it was: the screen may be showing it).
        """
        m, n = len(self), outline.count
        out = StateIndex.__new__(StateIndex)
        out.every, out.orders = self.every, self.orders
        out._status_names, out._kind_names = list(self._status_names), list(self._kind_names)
        out._status_codes, out._kind_codes = dict(self._status_codes), dict(self._kind_codes)
        out._items = None
        out.subjects = self.subjects.copy()
        item_of_fact = array("I")  # table fact -> item number in the grown index
        numbers: list[int] = []
        for k in range(len(table.subjects)):
            subject = table.subjects[k]
            number = self.subjects.index_of(subject)
            if number is None:
                number = len(out.subjects)
                out.subjects.append(subject)
            numbers.append(number)
        for i in range(len(table)):
            item_of_fact.append(numbers[table.items[i]])
        fact_of = {p: i for i, p in enumerate(table.positions)}
        out._positions = array("I", self._positions)
        out._positions.extend(range(m + 1, n + 1))
        story = outline.story
        inserted = [s for s, p in enumerate(story) if p > m]  # the new events' story steps
        out._story_lo = _spliced(self._story_lo, inserted, (outline.lo[story[s] - 1]
                                                             for s in inserted))
        out._story_hi = _spliced(self._story_hi, inserted, (outline.hi[story[s] - 1]
                                                             for s in inserted))
        uncertain = outline.uncertain  # by position; the index keeps it by story step
        out._uncertain = bytearray([uncertain[p - 1] for p in story])
        affected = sorted(set(numbers))
        out._folds = {}
        for name, fold in self._folds.items():
            if name == "story":
                at = inserted
                new_positions = [story[s] for s in inserted]
            else:
                at = list(range(m, n))
                new_positions = list(range(m + 1, n + 1))
            items = _spliced(fold.item, at, (item_of_fact[fact_of[p]] for p in new_positions))
            by_item, offsets = _group_by_item(items, len(out.subjects))
            zeros = [0] * len(at)
            grown = _Fold(
                _spliced(fold.position, at, new_positions), items,
                _spliced(fold.before, at, zeros), _spliced(fold.after, at, zeros),
                _spliced(fold.kind_before, at, zeros), _spliced(fold.kind_after, at, zeros),
                by_item, offsets, [],
            )
            first = at[0] if at else len(items)
            for item in affected:
                steps = by_item[offsets[item]:offsets[item + 1]]
                first = min(first, steps[0])
                out._fold_item(grown, table, steps,
                               {s: fact_of[grown.position[s]] for s in steps})
            start = first // self.every  # the count checkpoints before it stand as they were
            grown.counts.extend(fold.counts[:start + 1])
            grown.counts.extend(_counts(grown, self.every, start))
            out._folds[name] = grown
        return out

    @property
    def _item_of(self) -> dict[str, int]:
        """Item numbers by subject (made when first asked: most users go by step)."""
        if self._items is None:
            self._items = {s: i for i, s in enumerate(self.subjects)}
        return self._items

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
        return int(self._rank()[k])

    def _rank(self) -> array:
        """Each event's step in story order, in log order (made when first asked, unless the
        build or the saved index gave it)."""
        if not hasattr(self, "_story_rank"):
            rank = array("I", bytes(4 * len(self)))
            positions = self._positions
            if positions[-1] == len(positions):  # the whole log: position p is at p - 1
                for step, p in enumerate(self._folds["story"].position):
                    rank[p - 1] = step
            else:
                for step, p in enumerate(self._folds["story"].position):
                    rank[bisect_right(positions, p) - 1] = step
            self._story_rank = rank
        return self._story_rank

    def story_days(self) -> tuple[array, array]:
        """Each story-order step's earliest and latest day numbers (``OPEN_START_DAY`` /
        ``OPEN_END_DAY`` where a bound is open): what a date axis draws."""
        return self._story_lo, self._story_hi

    def item_at(self, order: Order, step: int) -> int:
        """The number of the item the step touched (``subjects[number]`` is its subject)."""
        return int(self._folds[order].item[step])

    def item_steps(self, order: Order, item: int) -> memoryview:
        """The steps of an item in an order, ascending (a view: nothing is copied)."""
        fold = self._folds[order]
        return memoryview(fold.item_steps)[fold.item_offsets[item]:fold.item_offsets[item + 1]]

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

    def _item_range(self, fold: _Fold, item: int | None, upto: int) -> tuple[int, int] | None:
        if item is None:
            return None
        lo, hi = fold.item_offsets[item], fold.item_offsets[item + 1]
        return lo, bisect_right(fold.item_steps, upto, lo, hi)

    def status_of(self, subject: str, order: Order, upto: int) -> str | None:
        """The item's status after step ``upto`` (None: it did not exist yet)."""
        fold = self._folds[order]
        found = self._item_range(fold, self._item_of.get(subject), upto)
        if found is None or found[1] == found[0]:
            return None
        return self._status_names[fold.after[fold.item_steps[found[1] - 1]]]

    def item_positions(self, subject: str, order: Order, upto: int) -> list[int]:
        """Log positions of the item's events at or before step ``upto`` of the order."""
        return self._positions_of(order, self._item_of.get(subject), upto)

    def positions_at(self, order: Order, step: int) -> list[int]:
        """Log positions of the events of the item the step touched, up to that step (no
        lookup by subject: what the state pane asks at each step)."""
        return self._positions_of(order, self.item_at(order, step), step)

    def _positions_of(self, order: Order, item: int | None, upto: int) -> list[int]:
        fold = self._folds[order]
        found = self._item_range(fold, item, upto)
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


def _spliced(old: array, at: Sequence[int], values: Iterable[int]) -> array:
    """``old`` with ``values`` inserted so that they stand at steps ``at`` (ascending) of the
    result."""
    out = array(old.typecode)
    taken = 0
    for k, (step, value) in enumerate(zip(at, values, strict=True)):
        out.extend(old[taken:step - k])
        out.append(value)
        taken = step - k
    out.extend(old[taken:])
    return out


def _group_by_item(items: array, n_items: int) -> tuple[array, array]:
    """The steps of each item, ascending (a counting sort by item), and where each item's
    steps start (``n_items + 1`` offsets)."""
    offsets = array("I", bytes(4 * (n_items + 1)))
    for item in items:
        offsets[item + 1] += 1
    for k in range(1, len(offsets)):
        offsets[k] += offsets[k - 1]
    fill = array("I", offsets)
    by_item = array("I", bytes(4 * len(items)))
    for step, item in enumerate(items):
        by_item[fill[item]] = step
        fill[item] += 1
    return by_item, offsets


def _counts(fold: _Fold, every: int, start: int = 0) -> list[array]:
    """The count checkpoints (items per kind and status every ``every`` steps) after the
    ``start``-th, which ``fold.counts`` holds."""
    before, after = fold.before, fold.after
    kind_before, kind_after = fold.kind_before, fold.kind_after
    current = array("i", fold.counts[start])
    out: list[array] = []
    for step in range(start * every, len(before)):
        if before[step]:
            current[kind_before[step] * WIDTH + before[step]] -= 1
        current[kind_after[step] * WIDTH + after[step]] += 1
        if (step + 1) % every == 0:
            out.append(array("i", current))
    return out


# --------------------------------------------------------------------------- persistence

#: Bumped whenever the index's contents or meaning change: older saved indexes are rebuilt.
INDEX_FORMAT = 5  # 5: with each event's story step (4: 64 status codes; 3 had 32)
_MAGIC = b"TRACKER-STATEINDEX\n"
_FOLD_ARRAYS = ("position", "item", "before", "after", "kind_before", "kind_after",
                "item_steps", "item_offsets")


def save(index: StateIndex, key: str, out: BinaryIO) -> None:
    """Write the index, tagged with ``key``: what log state it was built from (the head position
    and hash)."""
    ranked = "story" in index._folds and len(index) > 0
    arrays: list[array] = [index._positions, index._story_lo, index._story_hi,
                           array("B", index.subjects._data), index.subjects._ends,
                           index._rank() if ranked else array("I")]
    folds: dict[str, dict[str, object]] = {}
    for name, fold in index._folds.items():
        folds[name] = {"counts": len(fold.counts)}
        arrays.extend(getattr(fold, a) for a in _FOLD_ARRAYS)
        arrays.extend(fold.counts)
    write_arrays(out, _MAGIC, {
        "format": INDEX_FORMAT,
        "key": key,
        "every": index.every,
        "orders": list(index._folds),
        "statuses": index._status_names,
        "kinds": index._kind_names,
        "uncertain": index._uncertain.hex(),
        "folds": folds,
    }, arrays)


def load(inp: BinaryIO, key: str) -> StateIndex | None:
    """The index written by :func:`save`, or None if it is not one, is damaged, or was built
    from another state of the log (``key``) or by another version of this code."""
    found = read_arrays(inp, _MAGIC, {"format": INDEX_FORMAT, "key": key})
    if found is None:
        return None
    header, arrays = found
    try:
        index = StateIndex.__new__(StateIndex)
        index.every = header["every"]
        index.orders = tuple(header["orders"])
        index._status_names = header["statuses"]
        index._status_codes = {n: i for i, n in enumerate(index._status_names)}
        index._kind_names = header["kinds"]
        index._kind_codes = {n: i for i, n in enumerate(index._kind_names)}
        index._items = None
        index._uncertain = bytearray.fromhex(header["uncertain"])
        index._positions, index._story_lo, index._story_hi = arrays[0], arrays[1], arrays[2]
        index.subjects = Texts(arrays[3].tobytes(), arrays[4])
        if len(arrays[5]) == len(index._positions) > 0:
            index._story_rank = arrays[5]
        index._folds = {}
        k = 6
        for name in header["orders"]:
            fixed = arrays[k:k + len(_FOLD_ARRAYS)]
            k += len(_FOLD_ARRAYS)
            n_counts = header["folds"][name]["counts"]
            counts = arrays[k:k + n_counts]
            k += n_counts
            p_, i_, b_, a_, kb, ka, steps, offsets = fixed
            index._folds[name] = _Fold(p_, i_, b_, a_, kb, ka, steps, offsets, counts)
        return index
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def to_bytes(index: StateIndex, key: str) -> bytes:
    """The index as :func:`save` writes it."""
    out = io.BytesIO()
    save(index, key, out)
    return out.getvalue()


def from_bytes(data: bytes, key: str) -> StateIndex | None:
    """The index from :func:`to_bytes` (see :func:`load`)."""
    return load(io.BytesIO(data), key)
