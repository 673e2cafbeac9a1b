"""Checkpoints: the state after any step of an order of events, without a replay from the start.

The state is a persistent map, so keeping it every ``every`` steps costs only what changed in
between. The state after step n is the nearest checkpoint at or before n, plus the few events
after it, fetched on demand (from memory for small logs, from the database for large ones).

Because folding is independent of arrival order (an event learned late lands in its story
place), the same checkpoints serve story order and recorded order alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice

from tracker.domain.events import Event
from tracker.domain.fold import EMPTY, State, replay

Fetch = Callable[[int, int], Sequence[Event]]
"""fetch(start, stop): the events at steps start..stop-1 of the order (0-based)."""

DEFAULT_EVERY = 256


class Checkpoints:
    """States along one order of events, kept every ``every`` steps."""

    def __init__(self, events_in_order: Iterable[Event], fetch: Fetch,
                 every: int = DEFAULT_EVERY) -> None:
        if every < 1:
            raise ValueError("every must be at least 1")
        self.every = every
        self._fetch = fetch
        self._states: list[State] = [EMPTY]
        state = EMPTY
        count = 0
        iterator: Iterator[Event] = iter(events_in_order)
        while True:  # bulk work: callers in the app layer pause the collector around it
            chunk = list(islice(iterator, every))
            if not chunk:
                break
            state = replay(chunk, state)
            count += len(chunk)
            if len(chunk) == every:
                self._states.append(state)
        self._count = count
        self._last = state

    @classmethod
    def of(cls, events_in_order: Sequence[Event], every: int = DEFAULT_EVERY) -> Checkpoints:
        """Checkpoints over events held in memory."""
        return cls(events_in_order, lambda a, b: events_in_order[a:b], every)

    def __len__(self) -> int:
        return self._count

    def state_at(self, n: int) -> State:
        """The state after the first ``n`` steps (0: before any)."""
        if not 0 <= n <= self._count:
            raise IndexError(f"step {n} is outside 0..{self._count}")
        if n == self._count:
            return self._last
        k = n // self.every
        base = self._states[k]
        start = k * self.every
        if start == n:
            return base
        return replay(self._fetch(start, n), base)
