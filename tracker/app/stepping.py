"""The state at a step of a view, as the state pane shows it, at any size of log.

:class:`Stepper` is what :meth:`tracker.app.service.Timeline.stepper` gives a shell for one view
(an order, and what the view admits): :meth:`Stepper.state_at` answers one :class:`StepState`
for any step. This step's change, the counts by status and the items changed lately come from the
view's state index (:mod:`tracker.readmodels.stateindex`) at every size of log; the full state
(every item, with its title) comes from full states kept every few hundred steps
(:mod:`tracker.readmodels.checkpoints`), built on the first request and only while the log is
no larger than ``full_limit`` events (past that a full state is a replay: ``tracker state --at``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from tracker.app.collector import paused_gc
from tracker.codec.state_document import SECTIONS, state_to_dict
from tracker.domain.events import Event
from tracker.domain.fold import Query, replay
from tracker.readmodels.checkpoints import Checkpoints
from tracker.readmodels.stateindex import Change, Order, StateIndex

#: Items changed lately, listed under the counts.
RECENT = 15
#: The full state lists at most this many items (more: "too many to show in full here").
FULL_LIMIT = 3000
#: Full states are kept every this many steps.
EVERY = 256
#: The title of this step's item is worked out from the item's events up to this many of them.
TITLE_EVENTS = 2000


@dataclass(frozen=True)
class ItemChange:
    """What a step did to one item: its status before (None: it is new) and after."""

    kind: str
    subject: str
    before: str | None
    after: str
    title: str = ""

    @property
    def verb(self) -> str:
        return "added" if self.before is None else "changed"


@dataclass(frozen=True)
class StatusCount:
    """How many items of a kind stand in each status, largest first."""

    kind: str
    section: str  # "invitations"
    statuses: tuple[tuple[str, int], ...]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.statuses)


@dataclass(frozen=True)
class StepState:
    """Everything the state pane shows after one step of a view."""

    step: int  # 1-based
    total: int
    scope: str  # which events the state is built from, in words
    change: ItemChange
    counts: tuple[StatusCount, ...]
    recent: tuple[ItemChange, ...]
    #: the full state as a state document (``tracker state --json``'s shape) when asked for
    full: dict[str, Any] | None = None
    #: why the full state was asked for and is not there (one line), else ""
    full_note: str = ""
    #: the log position of the event this step is (#N; ``step`` counts in the view's order)
    position: int = 0


class Stepper:
    """The state at each step of one view: an order of log positions and the query they pass."""

    def __init__(self, index: StateIndex, query: Query,
                 read_events: Callable[[Sequence[int]], list[Event]], full_limit: int,
                 size: int | None = None) -> None:
        """``size``: how many events the view holds, when ``index`` is of its first events only
        (an early stepper: see :meth:`tracker.app.service.Timeline.early_stepper`)."""
        self.index = index
        self.query = query
        self.full_limit = full_limit
        self.size = len(index) if size is None else size
        self._read_events = read_events
        self._full: dict[Order, Checkpoints] = {}
        self._full_lock = threading.Lock()

    def __len__(self) -> int:
        return self.size

    @property
    def full_available(self) -> bool:
        return self.size <= self.full_limit

    def state_at(self, position: int, order: Order, scope: str, full: bool = False,
                 cancelled: Callable[[], bool] = lambda: False) -> StepState | None:
        """The state after the event at a log position in an order (None: the view does not
        hold it); ``scope`` says in words which events it is built from; ``full``: with every
        item."""
        index = self.index
        step = index.step_of_position(order, position)
        if step is None:
            return None
        by_kind: dict[str, list[tuple[str, int]]] = {}
        for (kind, status), n in index.counts_at(order, step).items():
            by_kind.setdefault(kind, []).append((status, n))
        counts = tuple(
            StatusCount(kind, section, tuple(sorted(by_kind[kind], key=lambda sn: -sn[1])))
            for kind, section in SECTIONS.items() if kind in by_kind
        )
        document, note = None, ""
        if full:
            if not self.full_available:
                note = (f"past {self.full_limit:,} events the state pane shows counts and what "
                        "changed lately; `tracker state --at N` prints every item after the first "
                        "N events")
            else:
                document, note = self._full_document(order, step, cancelled)
        change = _change(index.change_at(order, step))
        change = ItemChange(change.kind, change.subject, change.before, change.after,
                            self._title(order, change.subject, step))
        return StepState(step + 1, self.size, scope, change,
                         counts, tuple(_change(c) for c in index.recent(order, step, RECENT)),
                         document, note, position)

    def _title(self, order: Order, subject: str, step: int) -> str:
        """The item's title after the step, from its own events (read and folded alone)."""
        positions = self.index.positions_at(order, step)  # the step's item: ``subject``
        if not positions or len(positions) > TITLE_EVENTS:
            return ""
        item = replay(self._read_events(positions)).get(subject)
        return item.title if item is not None else ""

    def _full_document(self, order: Order, step: int, cancelled: Callable[[], bool]
                       ) -> tuple[dict[str, Any] | None, str]:
        with self._full_lock:
            held = self._full.get(order)
            if held is None:
                positions = self.index.positions(order)

                def fetch(start: int, stop: int) -> list[Event]:
                    return self._read_events(positions[start:stop])

                def in_order() -> Iterator[Event]:
                    for start in range(0, len(positions), 2000):
                        if cancelled():
                            return
                        yield from self._read_events(positions[start:start + 2000])

                with paused_gc():  # millions of immutable objects: see paused_gc
                    held = Checkpoints(in_order(), fetch, EVERY)
                if len(held) != len(positions):
                    return None, ""  # cancelled on the way: built again when next asked
                self._full[order] = held
            state = held.state_at(step + 1)
        if len(state.items) > FULL_LIMIT:
            return None, (f"{len(state.items):,} items: too many to show in full here "
                          "(`tracker state --at` prints them all)")
        return state_to_dict(state, self.query), ""


def _change(change: Change) -> ItemChange:
    return ItemChange(change.kind, change.subject, change.before, change.after)
