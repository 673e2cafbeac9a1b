"""The application service: one Timeline over one database. The CLI and the TUI are thin shells
around these calls; this is the composition root that wires codec, admission, store and
projections together.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from itertools import islice, starmap
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, NamedTuple, TypeVar, cast

import platformdirs

from tracker.app.collector import paused_gc
from tracker.app.progress import Progress, Tally, counted
from tracker.codec import document
from tracker.codec.rows import (
    Row,
    admits_row,
    decode_step,
    decode_steps,
    event_from_row,
    row_dict_and_step,
    row_fields,
    stored_body,
)
from tracker.domain.admission import (
    admit,
    reopened_subjects,
    retracted_ids,
)
from tracker.domain.events import Event
from tracker.domain.fold import (
    Item,
    ItemView,
    Query,
    State,
    Step,
    fold_items,
    fold_steps,
    happened_by,
    replay,
)
from tracker.domain.input import parse_event
from tracker.errors import (
    AppendConflict,
    DatabaseError,
    IntegrityFailure,
    InvalidEvent,
    InvalidInput,
    TrackerError,
)
from tracker.store import migrate
from tracker.store.backup import BackupReport, Verdict, backup, check_chain, require_whole
from tracker.store.engine import (
    SQLiteFile,
    database_url,
    is_sqlalchemy_error,
    make_engine,
    open_sqlite_file,
    remove_sqlite_files,
    sqlite_path,
    writable,
)
from tracker.store.files import is_log_file, mode_of, temporary_beside
from tracker.store.migrate import current_revision, head_revision, script_directory
from tracker.store.recorder import (
    GENESIS_HASH,
    LogAltered,
    Recorder,
    chain_hash,
    utc_now,
    wrap_database_errors,
)
from tracker.text import SafeWriter, clip, mask_url, visible

if TYPE_CHECKING:  # what a command that does not use them does not import (start-up)
    from sqlalchemy.engine import Engine

    from tracker.app.compare import ItemDifference
    from tracker.app.exports import ExportView
    from tracker.app.stepping import Stepper
    from tracker.codec.state_document import ItemRecord, StateParts
    from tracker.domain.selection import EventFilter
    from tracker.readmodels.entries import Records
    from tracker.readmodels.outline import Outline
    from tracker.readmodels.stateindex import FactTable, Order, StateIndex

T = TypeVar("T")

ENV_DB = "TRACKER_DB"
APP_NAME = "tracker"
SEED_NAME = "kerry-lavrov-2014-03.json"
#: An import is parsed, checked and written this many events at a time (in one transaction).
IMPORT_CHUNK = 5_000
#: How many chunks' events an import keeps at hand for the entries after them to refer to.
RECENT_CHUNKS = 2
#: How many times an import is done before another writer appending meanwhile is told.
IMPORT_ATTEMPTS = 3
#: Up to this many new events, a state index is grown from the one before them; past it (an
#: import, say) it is built again, which then costs less than finding each new event's item.
GROW_AT_MOST = 5_000
LISTING_CHUNK = 1_000

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


#: Positions per read of the outline's columns (see :meth:`Timeline.outline`): each column of
#: a run comes back as one string.
OUTLINE_RUN = 65_536


def new_event_id() -> str:
    """A time-ordered, collision-resistant id (ULID-like) for events given without one."""
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        value, rem = divmod(value, 32)
        chars.append(_CROCKFORD[rem])
    return "ev-" + "".join(reversed(chars)).lower()


def default_database_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "tracker.sqlite"


def seed_file() -> Path:
    """The seed timeline: in the package when installed, at the top of a checkout otherwise."""
    package = Path(__file__).resolve().parent.parent
    for folder in (package / "seeds", package.parent / "seeds"):
        candidate = folder / SEED_NAME
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"the seed timeline {SEED_NAME} is missing from this installation")


@dataclass(frozen=True)
class AppendReport:
    """What an append did: the events added (as stored) and the ids that were already there."""

    added: Sequence[Event]  # a tuple, or (an import) the added positions of the log, read on demand
    repeated: tuple[str, ...]


class StoredEvents(Sequence[Event]):
    """The events at positions ``after + 1 .. until`` of a log, read when asked for: what an
    import added, without holding a million events."""

    def __init__(self, timeline: Timeline, after: int, until: int) -> None:
        self._timeline, self._after, self._until = timeline, after, until

    def __len__(self) -> int:
        return self._until - self._after

    def __iter__(self) -> Iterator[Event]:
        return self._timeline.events(self._after, self._until)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return tuple(self)[index]
        position = range(self._after + 1, self._until + 1)[index]
        return next(self._timeline.events(position - 1, position))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(self) == len(other) and tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self._after, self._until))

    def __repr__(self) -> str:
        return f"StoredEvents(positions {self._after + 1}..{self._until})"


@dataclass(frozen=True)
class VerifyReport:
    checked: int
    head_hash: str
    first_bad: int | None

    @property
    def ok(self) -> bool:
        return self.first_bad is None


class Listed(NamedTuple):
    """One entry of a listing: the event, its stored hash, the marks later entries gave it and
    whether its order is uncertain (story order only)."""

    event: Event
    hash: str
    marks: tuple[str, ...]
    uncertain: bool


@dataclass
class Timeline:
    """The log of one database and everything a user can ask of it."""

    url: str = field(repr=False)
    #: an SQLite log opened only to be read needs no SQLAlchemy (see ``open_timeline``)
    engine: Engine | SQLiteFile = field(repr=False)
    notices: list[str] = field(default_factory=list)
    #: whether opening it created it (a new SQLite file): :meth:`discard_if_unused` removes it
    created: bool = False
    #: told how a long replay, export or import is going (see :mod:`tracker.app.progress`)
    progress: Progress | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.recorder = Recorder(self.engine)

    def __repr__(self) -> str:  # never the URL as given: it may carry a password
        return f"Timeline({self.label!r})"

    @property
    def label(self) -> str:
        path = sqlite_path(self.url)
        return str(path) if path is not None else mask_url(self.url)

    def close(self) -> None:
        self.engine.dispose()

    def _engine(self) -> Engine:
        """The log's SQLAlchemy engine (made now for a log opened without one)."""
        return self.engine.engine() if isinstance(self.engine, SQLiteFile) else self.engine

    def discard_if_unused(self) -> bool:
        """Close, and remove the SQLite file this open created if nothing was appended to it
        (a refused import into a new path leaves no file behind); whether it was removed."""
        path = sqlite_path(self.url)
        try:
            empty = self.created and path is not None and self.recorder.count() == 0
        except Exception:
            empty = False
        self.close()
        if empty and path is not None:
            remove_sqlite_files(path)
        return empty

    # -- appending ---------------------------------------------------------------------------

    def parse(self, obj: Any, where: str = "event") -> Event:
        """Validate one event object (the shape of an export entry or `tracker add --json`)."""
        return parse_event(obj, where, new_event_id)

    def append(
        self,
        events: Sequence[Event],
        labels: Sequence[str] | None = None,
        expected_position: int | None = None,
        force: bool = False,
    ) -> AppendReport:
        """Append events in one transaction, after checking them against the log as it is.

        A log that fails the cheap check of its tail (see :meth:`Recorder.tail_check`) is not
        appended to unless ``force``: the message is the one ``backup`` and ``verify`` give."""
        admitted_box: list[Any] = []

        # The items that opening events name, read before the append's transaction (the store's
        # check sees rows by id only): an item another writer moves meanwhile is judged as it
        # stood a moment before.
        named = [*reopened_subjects(events), *self._retracted_items(retracted_ids(events))]
        held = [event_from_row(r) for r in self._guard(
            partial(self.recorder.read_subjects, named))] if named else []

        def items(subjects: Iterable[str]) -> list[Event]:
            return held

        def check(lookup: Callable[[Iterable[str]], dict[str, Row]]) -> list[Any]:
            def stored(ids: Iterable[str]) -> dict[str, Event]:
                return {id_: event_from_row(row) for id_, row in lookup(ids).items()}

            admitted = admit(events, stored, labels, items)
            admitted_box.append(admitted)
            return [row_fields(e) for e in admitted.new]

        with paused_gc():
            try:
                rows = self._guard(
                    lambda: self.recorder.append([], expected_position, check, whole=not force))
            except LogAltered:
                self.require_whole("--force appends anyway")
                raise
            admitted = admitted_box[0]
            # The events as stored: what was admitted, with what the log gave each of them.
            added = tuple([
                e._replace(schema_version=r.schema_version, position=r.position,
                           recorded_at=r.recorded_at)
                for e, r in zip(admitted.new, rows, strict=True)
            ])
        return AppendReport(added, admitted.repeated)

    def add(self, obj: dict[str, Any], expected_position: int | None = None,
            force: bool = False) -> Event:
        """Validate and append one event given as a JSON-shaped object."""
        event = self.parse(obj)
        report = self.append([event], expected_position=expected_position, force=force)
        if report.added:
            return report.added[0]
        return self.get(event.id)

    def import_input(self, data: document.Input, force: bool = False) -> AppendReport:
        """Append every event of an input, all or nothing."""
        with _told_by_line(data):
            _check_input_shape(data)
            for _ in range(IMPORT_ATTEMPTS - 1):
                try:
                    return self._import_entries(data.entries, force)
                except AppendConflict:
                    continue  # another writer appended while the input was read: read it again
            return self._import_entries(data.entries, force)

    def _import_entries(self, entries: document.EntryList | document.LinesFile,
                        force: bool = False) -> AppendReport:
        """Parse, check and append the entries a chunk at a time, in one transaction.

        Only a chunk's entries, events and rows are held at once (the entries of a JSON Lines
        file are read from it as they go), and the events of the items admission must look back
        on. The error is the one a check of the whole input at once gives: the first entry that
        is not a valid event, else the first id given twice, else the first event the log
        refuses. So when a chunk fails for any other reason than a bad entry, the entries after
        it are parsed before its error is told.
        """
        first_at: dict[str, int] = {}  # each id of the input: the index of its entry
        repeated: list[str] = []
        # Admission needs the events so far (in the log and in earlier chunks) of the items that
        # opening events name, to tell whether an opening would change nothing, and of the items
        # whose entries retractions retract. Those are kept across chunks: the stored rows read
        # first, and the ids of the events appended since (read back from the log when asked
        # for). Into a log that holds events, the items are noted first from the raw entries (a
        # JSON Lines file is gone through twice); into an empty one, there is nothing stored to
        # read first and every item's events are kept (the entries are gone through once).
        named: set[str] | None = None  # None: every item
        held: dict[str, list[Row | str]] = {}  # the items' events so far, in log order
        # What is read here is read before the import's transaction: the append then requires
        # the log to be where it was (another writer meanwhile: the import is done again).
        at, at_hash = self.head()
        if at:
            # a file of JSON Lines is gone through once for its names, told as it goes
            names = entries.read_names(partial(
                counted, report=self.progress, what="noting the items the file names",
                total=None)) if isinstance(entries, document.LinesFile) else entries.names
            named = set(names.named)
            named.update(self._retracted_items(names.retracted))
            for row in (self._guard(partial(self.recorder.read_subjects, sorted(named)))
                        if named else ()):
                held.setdefault(row.subject or row.id, []).append(row)
        reading = iter(entries)
        tally = Tally(self.progress, "importing",  # a file of JSON Lines: known once gone through
                      len(entries) if isinstance(entries, document.EntryList) else entries.size)

        def parsed(chunk: Sequence[document.Entry], start: int
                   ) -> tuple[list[Event], Exception | None]:
            """The entries' events, and the first id among them given twice (its error)."""
            events = []
            twice: Exception | None = None
            for i, entry in enumerate(chunk, start):
                try:
                    event = parse_event(entry.obj, entry.label, new_event_id)
                except TrackerError:
                    for _ in reading:  # an entry further on that is not JSON is told first
                        pass
                    raise
                events.append(event)
                if event.id in first_at:
                    twice = twice or InvalidEvent(
                        f"{entry.label}: id {event.id!r} appears twice in this input "
                        f"(first at {entries.label(first_at[event.id])})")
                else:
                    first_at[event.id] = i
            return events, twice

        # The events the last few chunks appended, as admission gave them: what later entries
        # refer to and whose items they name is mostly recent, and these need no reading back
        # from the log (bounded: memory stays flat as the input grows).
        recent = _RecentEvents(RECENT_CHUNKS)
        # Into an empty log (the append requires it to be where it was), what the log holds is
        # exactly what the chunks before have appended: the entries before the chunk at hand.
        from_empty = (at, at_hash) == (0, GENESIS_HASH)

        def chunks(lookup: Callable[[Iterable[str]], dict[str, Row]]) -> Iterator[list[Any]]:
            def stored(ids: Iterable[str]) -> dict[str, Event]:
                if from_empty:  # no need to ask the log about any other id
                    ids = [id_ for id_ in ids if first_at.get(id_, start) < start]
                found, rest = recent.split(ids)
                found.update((id_, event_from_row(row)) for id_, row in lookup(rest).items())
                return found

            def items(subjects: Iterable[str]) -> list[Event]:
                kept = [r for s in subjects for r in held.get(s, ())]
                known = recent.get
                appended = lookup(r for r in kept if isinstance(r, str) and known(r) is None)
                return [event_from_row(r) if isinstance(r, Row)
                        else known(r) or _appended(appended[r]) for r in kept]

            start = 0
            while chunk := list(islice(reading, IMPORT_CHUNK)):
                stop = start + len(chunk)
                events, twice = parsed(chunk, start)
                labels = [entry.label for entry in chunk]
                del chunk
                try:
                    if twice is not None:
                        raise twice
                    admitted = admit(events, stored, labels, items)
                except TrackerError as refused:
                    first_twice = twice
                    at = stop
                    while rest := list(islice(reading, IMPORT_CHUNK)):
                        _, twice_later = parsed(rest, at)  # a bad entry raises here
                        first_twice = first_twice or twice_later
                        at += len(rest)
                    if first_twice is not None:
                        raise first_twice from None
                    later = {id_: entries.label(i) for id_, i in first_at.items() if i >= stop}
                    admit(events, stored, labels, items, later)
                    raise refused from None
                repeated.extend(admitted.repeated)
                for e in admitted.new:
                    subject = e.subject or e.id
                    if named is None or subject in named:
                        held.setdefault(subject, []).append(e.id)
                recent.add(admitted.new)
                tally.add(len(events))
                yield [row_fields(e) for e in admitted.new]
                start = stop

        try:
            with paused_gc():
                first, last = self._guard(lambda: self.recorder.append_chunks(
                    chunks, expected_position=at, whole=not force))
        except LogAltered:
            self.require_whole("--force imports anyway")
            raise
        return AppendReport(StoredEvents(self, first - 1, last), tuple(repeated))

    def _retracted_items(self, ids: Iterable[str]) -> list[str]:
        """The items of the stored entries that retractions name (admission refuses retracting
        an entry twice from those items' events)."""
        wanted = list(ids)
        if not wanted:
            return []
        rows = self._guard(partial(self.recorder.lookup, wanted))
        return list(dict.fromkeys(row.subject or row.id for row in rows.values()))

    def import_file(self, path: Path, force: bool = False) -> AppendReport:
        return self.import_input(document.read_file(path), force)

    # -- reading -----------------------------------------------------------------------------

    def head(self) -> tuple[int, str]:
        return self._guard(self.recorder.head)

    def count(self) -> int:
        return self.head()[0]

    def rows(self, after: int = 0, until: int | None = None) -> Iterator[Row]:
        return self.recorder.read(after, until)

    def events(self, after: int = 0, until: int | None = None) -> Iterator[Event]:
        for row in self.recorder.read(after, until):
            yield event_from_row(row)

    def all_events(self) -> list[Event]:
        return self._guard(lambda: list(self.events()))

    def listing(self, chosen: EventFilter | None = None, order: Order = "story",
                limit: int | None = None) -> Iterator[Listed]:
        """The events in story or recorded order that ``chosen`` admits, at most ``limit``.

        The order and the marks come from the outline (saved, like the state index); events
        are read and decoded a chunk at a time as the listing is consumed, so the first lines
        of a large log come at once and memory holds one chunk."""
        from tracker.readmodels.outline import mark_names

        outline = self.outline()
        positions = outline.story if order == "story" else range(1, outline.count + 1)
        left = limit
        for start in range(0, len(positions) if left != 0 else 0, LISTING_CHUNK):
            chunk = positions[start:start + LISTING_CHUNK]
            rows: dict[int, Row] = self._guard(partial(self.recorder.read_positions, chunk))
            for p in chunk:
                event = event_from_row(rows[p])
                if chosen is not None and not chosen.matches(event):
                    continue
                yield Listed(event, rows[p].hash, tuple(mark_names(outline.marks[p - 1])),
                             order == "story" and bool(outline.uncertain[p - 1]))
                if left is not None:
                    left -= 1
                    if not left:
                        return

    def get(self, event_id: str) -> Event:
        rows = self._guard(lambda: self.recorder.lookup([event_id]))
        if event_id not in rows:
            raise InvalidEvent(f"the log holds no entry {event_id!r}")
        return event_from_row(rows[event_id])

    def events_at(self, positions: Sequence[int]) -> list[Event]:
        """The events at these log positions, in the order given (positions not in the log are
        left out)."""
        rows: dict[int, Row] = self._guard(partial(self.recorder.read_positions, positions))
        return [event_from_row(rows[p]) for p in positions if p in rows]

    def position_of(self, event_id: str) -> int | None:
        """The log position of an entry (None: the log holds no such entry)."""
        rows = self._guard(lambda: self.recorder.lookup([event_id]))
        row = rows.get(event_id)
        return row.position if row is not None else None

    def subjects(self) -> list[str]:
        """The items the log names (each event's subject, but for items named by the id of
        their first event), sorted: what the app's form completes."""
        return self._guard(self.recorder.read_subject_names)

    def summaries(self, event_ids: Iterable[str]) -> dict[str, str]:
        """What each of these entries says (its summary), for the ones the log holds."""
        rows = self._guard(lambda: self.recorder.lookup(list(event_ids)))
        return {rid: event_from_row(r).summary for rid, r in rows.items()}

    def search(self, needle: str, chosen: EventFilter | None = None,
               cancelled: Callable[[], bool] = lambda: False) -> set[int]:
        """Positions of the events whose text (:func:`search_text`) holds ``needle`` (any
        case) and, if given, that ``chosen`` admits. A cheap look at the stored text first;
        only candidates are decoded and checked properly."""
        want = needle.casefold()
        quick = bool(want) and not any(c in want for c in '"\\')  # as stored in the JSON body

        def scan() -> set[int]:
            found: set[int] = set()
            for row in self.recorder.read():
                if cancelled():
                    break
                if quick and want not in row.body.casefold() and want not in row.type \
                        and want not in row.id.casefold():
                    continue
                event = event_from_row(row)
                if chosen is not None and not chosen.matches(event):
                    continue
                if want and want not in search_text(event):
                    continue
                found.add(row.position)
            return found

        return self._guard(scan)

    def narrowed(self, outline: Outline, query: Query,
                 cancelled: Callable[[], bool] = lambda: False) -> Narrowed | None:
        """What a "known on" / "recorded by" view holds of the log its outline describes: one
        byte per position (1: admitted), and the view's own story order and marks, as if only
        its events were known (None: cancelled)."""
        from tracker.readmodels.outline import narrowed

        admitted = self.admitted(query, outline.count, cancelled)
        if admitted is None or cancelled():
            return None
        story, marks = narrowed(outline, admitted)
        return Narrowed(admitted, story, marks)

    def admitted(self, query: Query, until: int, cancelled: Callable[[], bool] = lambda: False
                 ) -> bytearray | None:
        """Which of the first ``until`` events of the log a query admits: one byte per log
        position (1: admitted; None: cancelled). As of a date, an entry that an admitted event
        refers to counts too (:func:`tracker.domain.fold.happened_by`, the rule ``tracker state
        --as-of`` folds by): read from the date columns and the references, no body decoded."""
        rest = replace(query, as_of=None)
        whole = rest == Query()

        def scan() -> bytearray | None:
            admitted = bytearray(until + 1)
            dated: list[tuple[int, str | None]] = []
            for n, (position, latest, published, recorded_at) in enumerate(
                    self.recorder.read_times(0, until)):
                if n % 4096 == 0 and cancelled():
                    return None
                if whole or rest.admits_times(position, latest, published, recorded_at):
                    admitted[position] = 1
                    if query.as_of is not None:
                        dated.append((position, latest))
            if query.as_of is None:
                return admitted
            references = [(position, target) for position, _rel, target
                          in self.recorder.read_references(0, until) if admitted[position]]
            if cancelled():
                return None
            return happened_by(dated, references, query.as_of, until)

        found: bytearray | None = self._guard(scan)
        return found

    def stepper(self, query: Query, *, full_limit: int,
                base: Stepper | None = None, outline: Outline | None = None,
                cancelled: Callable[[], bool] = lambda: False) -> Stepper | None:
        """The state at each step of a view (see :class:`tracker.app.stepping.Stepper`): one
        answer at any size of log. ``base``: the stepper of the whole log held before an append
        (its index is grown, not built again); ``outline``: the log's outline if at hand.
        None: ``cancelled`` said so while its index was being built (nothing is kept)."""
        from tracker.app.stepping import Stepper
        from tracker.readmodels.stateindex import Cancelled

        try:
            index = self.state_index(query, base=base.index if base is not None else None,
                                     outline=outline, cancelled=cancelled)
        except Cancelled:
            return None
        return Stepper(index, query, self.events_at, full_limit)

    def early_stepper(self, query: Query, order: Sequence[int], size: int, *,
                      full_limit: int) -> Stepper:
        """The state at each of the first steps of a view, while its whole index is being built
        (:meth:`stepper`): ``order`` is the log positions of the view's first events in its
        order (story or recorded), ``size`` how many events the view holds.

        The state after a step depends only on the events up to it, and the first events of
        story order are in story order among themselves (an answer never sorts before what it
        answers), so an index of those events alone answers those steps exactly as the whole
        index will."""
        from tracker.app.stepping import Stepper
        from tracker.readmodels.stateindex import FactTable, StateIndex

        def build() -> StateIndex:
            rows = self.recorder.read_positions(order)
            with paused_gc():
                return StateIndex(FactTable.of([decode_step(rows[p]) for p in sorted(rows)]))

        return Stepper(self._guard(build), query, self.events_at, full_limit, size)

    def revision(self) -> str | None:
        """The schema revision the database is at."""
        return self._guard(lambda: current_revision(self._engine()))

    def state(self, query: Query = Query()) -> State:
        def fold() -> State:
            with paused_gc():
                return fold_steps(decode_steps(self.replaying(self.rows()), query))

        return self._guard(fold)

    def state_after(self, positions: Sequence[int]) -> State:
        """The state folded from the events at these log positions (the events up to a step of
        a view)."""
        def fold() -> State:
            with paused_gc():
                return replay(self.events_at(sorted(positions)))

        return self._guard(fold)

    def compare(self, first: Query | Sequence[int], second: Query | Sequence[int]
                ) -> list[ItemDifference]:
        """What changed from one point to another, item by item; a point is a query (what had
        happened by a story date, say) or the log positions of the events up to a step."""
        from tracker.app.compare import compare_states

        def state_of(point: Query | Sequence[int]) -> State:
            return self.state(point) if isinstance(point, Query) else self.state_after(point)

        return compare_states(state_of(first), state_of(second))

    def state_document(self, query: Query = Query(), head: tuple[int, str] | None = None
                       ) -> dict[str, Any]:
        """The state as a JSON-shaped document: what :meth:`write_state` writes, read back
        (with the collector paused, and what it built frozen after: see :func:`paused_gc`). So
        no question folds every step of the log at once, and the whole log's is read from the
        records kept for it, not folded again. ``head``: the log's as it was read by the
        caller (the state of the events an export lists), else as it is now."""
        import io

        import orjson

        written = io.BytesIO()
        self.write_state(written, query, indent=False, head=head)
        with paused_gc():
            return cast(dict[str, Any], orjson.loads(written.getbuffer()))

    def write_state(self, out: IO[bytes], query: Query = Query(), *, indent: bool = True,
                    head: tuple[int, str] | None = None) -> None:
        """Write the state document as JSON (what ``state_document`` gives, as ``tracker state
        --json`` prints it), folded an item at a time: no item's events are held once the item
        is written (see :meth:`_folded_items`); nothing is written if the fold fails. The whole
        state is written from the records kept for this log (see :meth:`_state_records`)."""

        def run() -> None:
            with paused_gc(), self._records_of_state(query, head) as (records, size):
                records.write(out, size, query, indent=indent)

        self._guard(run)

    @contextmanager
    def state_parts(self, query: Query = Query(), head: tuple[int, str] | None = None
                    ) -> Iterator[StateParts]:
        """The state document in parts (what ``tracker state`` shows, and the page exports
        take), each section's items read from the records as they are shown: a large log's
        state is never held whole. ``head``: as for :meth:`state_document`."""
        with self._guarding(), self._records_of_state(query, head) as (records, size):
            yield records.parts(size)

    @contextmanager
    def _records_of_state(self, query: Query, head: tuple[int, str] | None = None
                          ) -> Iterator[tuple[Records, int]]:
        """The records of the state a question asks for, with how many events it holds: the
        whole log's, kept for it (see :meth:`_state_records`); another question's, folded an
        item at a time (see :meth:`_folded_items`) into records kept nowhere."""
        from tracker.codec.state_document import item_record
        from tracker.readmodels import entries

        head = head or self.head()
        if query == Query():
            with self._state_records(head) as records:
                yield records, head[0]
            return
        size = 0
        # As of a date, what an admitted event refers to counts too (an answer implies that
        # what it answers came no later): which events those are is read first, from the
        # dates and the references alone (see :meth:`admitted`), no row's body decoded.
        happened = self.admitted(query, head[0]) if query.as_of is not None else None

        def admitted(row: Row) -> tuple[str, Step] | None:
            nonlocal size
            if happened[row[0]] if happened is not None else admits_row(query, row):
                size += 1
                return decode_step(row)
            return None

        with entries.opened(None) as records:  # a question's state: nothing kept
            with paused_gc():
                records.make(starmap(item_record, self._folded_items(
                    self.replaying(self.rows(0, head[0]), head[0]), head[0], admitted)))
            yield records, size

    @contextmanager
    def _state_records(self, head: tuple[int, str],
                       stepping: Callable[[Row], tuple[str, Step]] = decode_step
                       ) -> Iterator[Records]:
        """The records of the whole state up to ``head`` (see
        :mod:`tracker.readmodels.entries`): those kept for this log in the user cache
        directory, brought up to date (:meth:`_bring_up_to_date`)."""
        from tracker.readmodels import entries

        with entries.opened(_cache_file(self.url, "entries")) as records:
            with paused_gc():
                self._bring_up_to_date(records, head, stepping)
            try:
                yield records
            except BaseException:
                # what reads them failed, or stopped (`tracker state | head` closes the pipe):
                # the records are made all the same, and kept for the next run
                records.keep()
                raise

    def _bring_up_to_date(self, records: Records, head: tuple[int, str],
                          stepping: Callable[[Row], tuple[str, Step]] = decode_step) -> None:
        """Bring the records kept up to ``head``. ``records.made_from_start`` says whether
        every row up to ``head`` was read, in log order, through ``stepping`` to make them."""
        from tracker.codec.state_document import item_record
        from tracker.readmodels import entries

        def hash_at(position: int) -> str | None:
            found = self.recorder.read_positions([position]).get(position)
            return found.hash if found is not None else None

        def changed_subjects(after: int, until: int) -> set[str]:
            return {row[4] or row[1] for row in self.rows(after, until)}

        def items_of(subjects: set[str], until: int) -> Iterator[ItemRecord]:
            grouped: dict[str, list[Step]] = {}
            for row in self.recorder.read_subjects(subjects):
                if row[0] <= until:  # rows appended since are not this state's
                    subject, step = decode_step(row)
                    grouped.setdefault(subject, []).append(step)
            return starmap(item_record, fold_items(grouped.items()))

        def every_item(until: int) -> Iterator[ItemRecord]:
            return starmap(item_record, self._folded_items(
                self.replaying(self.rows(0, until), until), until, stepping))

        records.made_from_start = entries.bring_up_to_date(
            records, head, hash_at=hash_at, changed_subjects=changed_subjects,
            items_of=items_of, every_item=every_item)

    def replaying(self, rows: Iterable[Row], until: int | None = None,
                  what: str = "replaying the log") -> Iterable[Row]:
        """The rows of a replay of the log (through ``until``: the head if None), told as they
        are read to whoever listens (:attr:`progress`), as ``what`` the command is doing."""
        if self.progress is None:
            return rows
        return counted(rows, self.progress, what, self.count() if until is None else until)

    def _folded_items(self, rows: Iterable[Row], until: int,
                      stepping: Callable[[Row], tuple[str, Step] | None]
                      ) -> Iterator[tuple[Item, ItemView]]:
        """The items (with their views) of the rows up to ``until`` as they are read in log
        order, each as soon as its last row has been read: ``stepping`` gives each row's
        (subject, step), or None if the fold leaves it out. Only the items under way at one
        point of the log are held (a narrow read tells where each item's last row is)."""
        last = bytearray(until + 1)
        for position in self.recorder.read_last_positions(until):
            last[position] = 1
        pending: dict[str, list[Step]] = {}

        def groups() -> Iterator[tuple[str, list[Step]]]:
            get, pop = pending.get, pending.pop
            for row in rows:
                stepped = stepping(row)
                if stepped is not None:
                    subject, step = stepped
                    steps = get(subject)
                    if steps is None:
                        if last[row[0]]:  # the item's only row: folded at once
                            yield subject, [step]
                            continue
                        pending[subject] = [step]
                    else:
                        steps.append(step)
                if last[row[0]]:
                    done = pop(row[4] or row[1], None)
                    if done:
                        yield row[4] or row[1], done
            for subject, steps in pending.items():  # not reached unless rows came and went
                yield subject, steps

        return fold_items(groups())

    # -- export ------------------------------------------------------------------------------

    def export(self, out: IO[bytes], force: bool = False) -> int:
        """Write the whole timeline as a tracker-timeline document; returns events written.

        A stream, from what is kept for this log (see :mod:`tracker.readmodels.entries`): the
        events as an export wrote them before, then each stored row since as it is read; the
        state from the records kept, brought up to date first. When they are made from the
        start, each row is handed on to the fold as it is written (its body parsed once), which
        makes each item's record once its last row is read (see :meth:`_folded_items`). Neither
        every event nor every row nor every item's events is held at once. A log that fails the
        cheap check of its tail is not exported unless ``force`` (its export would be refused
        on import, blaming the export); so exported, it is written from its rows as they are
        now, with nothing kept read or kept."""
        from tracker.readmodels import entries

        # a log failing its check, exported anyway: as its rows are now, nothing kept read or
        # kept (``force`` alone, a file replaced say, changes nothing)
        damaged = self.altered() is not None
        if damaged and not force:
            self.require_whole("--force exports anyway")
        head = self.head()
        written = 0
        events = SafeWriter(out)  # the events, written a batch at a time (and kept: see run)

        def writing(row: Row) -> tuple[str, Step]:
            nonlocal written
            entry, step = row_dict_and_step(row)
            document.write_entry(events, written, entry)
            written += 1
            return step

        def run() -> int:
            nonlocal written, events
            document.write_head(out, head, utc_now(), self.label)
            with entries.opened(None if damaged else _cache_file(self.url, "entries")) as records:
                kept = records.keeping_events(out)
                events = SafeWriter(cast(IO[bytes], kept))
                self._bring_up_to_date(records, head, writing)
                if not records.made_from_start:
                    through, written = records.write_events(out)
                    tally = Tally(self.progress, "writing the events", head[0] - through)
                    # a hundred rows a write: what a write makes is freed before the heap
                    # grows (larger batches made the allocator return and take back memory
                    # from the system, faulting in every page anew)
                    for rows in self.recorder.read_batches(through, head[0], 100):
                        document.write_rows(events, written, rows)
                        written += len(rows)
                        tally.add(len(rows))
                events.flush()
                kept.flush()
                records.mark_events(head[0], written)
                document.write_state_tail(out, records.write_whole)
            return written

        with paused_gc():
            return self._guard(run)

    def export_to(self, path: Path, force: bool = False) -> int:
        """Export the whole log to a file (see :meth:`_write_file`)."""
        if not force:
            self.require_whole("--force exports anyway")
        return self._write_file(path, lambda fh: self.export(fh, force=True), force)

    def export_view(self, format: str, view: ExportView, destination: Path | IO[bytes],
                    force: bool = False, replace: bool = False) -> int:
        """Write a view of the log (filters, as of, known at) in a format (see
        :data:`tracker.app.exports.FORMATS`) to a stream, or to a file (see
        :meth:`_write_file`); returns the events written. Nothing is left behind when it
        fails."""
        from tracker.app import exports

        def write(out: IO[bytes]) -> int:
            return int(self._guard(lambda: exports.write(self, format, view, out, force=force)))

        exports.check_format(format)
        if not force:
            self.require_whole("--force exports anyway")
        if isinstance(destination, Path):
            return self._write_file(destination, write, force or replace)
        return write(destination)

    def _write_file(self, path: Path, write: Callable[[IO[bytes]], int], force: bool) -> int:
        """What ``write`` writes, in a temporary file created exclusively and without following
        links in the destination's folder, with the log's permissions, then renamed into place:
        a file half written by a failure or a crash is never left at ``path``. An existing file
        is replaced only with ``force``; the log's own files never."""
        shown = visible(str(path))
        log = sqlite_path(self.url)
        if path.is_dir():
            raise InvalidInput(f"{shown}: is a directory; give a file name")
        if not path.parent.exists():
            raise InvalidInput(f"{shown}: the folder {visible(str(path.parent))} does not exist")
        if is_log_file(path, log):
            raise InvalidInput(f"{shown} is the log itself or one of its files; export to "
                               "another file")
        if path.exists() and not force:
            raise InvalidInput(f"{shown} already exists; give --force to replace it")
        try:
            tmp = temporary_beside(path, "tmp", mode_of(log))
        except OSError as exc:
            raise InvalidInput(f"{shown}: cannot be written ({exc.strerror})") from None
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "wb") as fh:
                n = write(fh)
            tmp.replace(path)
        except OSError as exc:
            raise InvalidInput(f"{shown}: cannot be written ({exc.strerror})") from None
        finally:
            tmp.unlink(missing_ok=True)
        return n

    # -- integrity ---------------------------------------------------------------------------

    def altered(self) -> str | None:
        """The cheap check on open (the rows number exactly 1..N and the last one hashes to its
        content): None for a whole log, else the message ``backup`` and ``verify`` give."""
        if self._guard(self.recorder.tail_check) is None:
            return None
        verdict = self.check()
        if verdict.ok:  # the full check is the judge
            return None
        try:
            require_whole(verdict, self.label)
        except IntegrityFailure as exc:
            return str(exc)
        return None  # pragma: no cover - require_whole raises for a verdict that is not ok

    def require_whole(self, hint: str) -> None:
        """Raise :class:`IntegrityFailure` (the message of ``backup``, then ``hint``) if the log
        fails the cheap check on open."""
        message = self.altered()
        if message is not None:
            raise IntegrityFailure(f"{message}; {hint}")

    def verify(self) -> VerifyReport:
        checked, head_hash, bad, _ = self._guard(self.recorder.verify)
        return VerifyReport(checked, head_hash, bad)

    def check_whole(self, noted_head: str | None = None) -> Verdict:
        """The hash chain recomputed; :class:`IntegrityFailure` naming the first altered
        position if it does not verify (or no longer holds ``noted_head``)."""
        verdict = self.check(noted_head)
        require_whole(verdict, self.label)
        return verdict

    def check(self, noted_head: str | None = None) -> Verdict:
        """The hash chain recomputed, with where and how it breaks (see tracker.store.backup)."""
        return self._guard(lambda: check_chain(self.recorder, noted_head))

    def backup(self, dest: Path | str, *, force: bool = False) -> BackupReport:
        """A verified SQLite copy of the log at one moment, written while others write."""
        return self._guard(lambda: backup(self._engine(), self.label, dest, force=force))

    # -- the outline and the state index (stepping through large logs) ------------------------

    def outline(self, cancelled: Callable[[], bool] = lambda: False,
                base: Outline | None = None) -> Outline:
        """The outline of the whole log (see :mod:`tracker.readmodels.outline`), from two narrow reads; given
        the outline of an earlier state of the log (``base``), only what was appended since is
        read. Saved in the user cache directory by the log's head, like the state index."""
        from tracker.readmodels.outline import (
            Outline,
            build_outline,
            extend_outline,
            load_outline,
            save_outline,
        )

        head = self.head()
        until = head[0]
        after = base.count if base is not None and base.count <= until else 0

        def build() -> Outline | None:
            runs = [(start, min(until, start + OUTLINE_RUN))
                    for start in range(after, until, OUTLINE_RUN)]
            rows = (self.recorder.read_outline_run(*run) for run in runs)
            references = (self.recorder.read_reference_run(*run) for run in runs)
            with paused_gc():
                if after and base is not None:
                    built = extend_outline(base, rows, references, cancelled)
                else:
                    built = build_outline(rows, references, cancelled)
            return None if cancelled() else built  # a cancelled build is not kept

        found = self._cached("outline", f"{until}:{head[1]}", load_outline, save_outline,
                             lambda: self._guard(build))
        return found if found is not None else Outline()

    def state_index(self, query: Query = Query(),
                    orders: Sequence[Order] = ("story", "recorded"),
                    base: StateIndex | None = None, outline: Outline | None = None,
                    cancelled: Callable[[], bool] = lambda: False) -> StateIndex:
        """The state index of the events the query admits (see :mod:`tracker.readmodels.stateindex`).

        The index of the whole log is saved in the user cache directory, keyed by the log's
        head, so opening an unchanged log again loads it instead of folding every event; so is
        the index of the last narrowed view (a "known on" date, say). Given
        the whole log's index as it stood a few events ago (``base``: the caller held it before
        appending), only the items the new events belong to are folded again; ``outline`` is the
        log's outline if the caller has it (else it is read). ``cancelled`` is asked now and
        then while the index is built: when it says so, the build stops
        (:class:`tracker.readmodels.stateindex.Cancelled`) and nothing is saved.
        """
        from tracker.readmodels.stateindex import Cancelled, FactTable, StateIndex, load, save

        whole = query == Query()
        head = self.head()

        # the whole log's outline, if at hand, holds its references and its story order
        known = outline if whole and outline is not None and outline.count == head[0] else None

        def facts() -> FactTable:
            admitted = None if whole else self.admitted(query, head[0])
            table = FactTable()
            with paused_gc():
                if known is not None:
                    for r in self.rows(0, head[0]):
                        if not r.position % 4096 and cancelled():
                            raise Cancelled
                        refs = known.references(r.position)
                        table.add(*decode_step(r), refs.tolist() if refs else ())
                    return table
                references = self.recorder.read_references(0, head[0])
                ref = next(references, None)
                for r in self.rows(0, head[0]):
                    if not r.position % 4096 and cancelled():
                        raise Cancelled
                    targets = []
                    while ref is not None and ref[0] <= r.position:
                        if ref[0] == r.position:
                            targets.append(ref[2])
                        ref = next(references, None)
                    if admitted is None or admitted[r.position]:
                        table.add(*decode_step(r), targets)
            return table

        def build() -> StateIndex:
            if (whole and base is not None and base.orders == tuple(orders)
                    and 0 < head[0] - len(base) <= GROW_AT_MOST):
                return self._guard(lambda: self._grown_index(base, head[0], outline))
            table = self._guard(facts)
            with paused_gc():
                return StateIndex(table, orders=orders, story=known, cancelled=cancelled)

        key = f"{head[0]}:{head[1]}:{','.join(orders)}"
        if whole:
            index = self._cached("stateindex", key, load, save, build)
        else:  # the last narrowed view's index is kept too: going back to it is a load
            index = self._cached("stateindex-view", f"{key}:{query!r}", load, save, build)
        assert index is not None  # the build always gives one
        return index

    def _grown_index(self, base: StateIndex, until: int, outline: Outline | None
                     ) -> StateIndex:
        """The index of the log up to ``until`` from the index of its first ``len(base)``
        events: the new events, and every event of the items they belong to, are read."""
        from tracker.readmodels.stateindex import FactTable

        new = list(self.rows(len(base), until))
        earlier = base.positions_of({r.subject or r.id for r in new})
        rows = sorted(self.recorder.read_positions(earlier).values(), key=lambda r: r.position)
        with paused_gc():
            table = FactTable.of([decode_step(r) for r in rows + new])
        if outline is None or outline.count != until:
            outline = self.outline()
        with paused_gc():
            return base.extended(outline, table)

    def _cached(self, kind: str, key: str, load: Callable[[BinaryIO, str], T | None],
                save: Callable[[T, str, BinaryIO], None], build: Callable[[], T | None]
                ) -> T | None:
        """What ``load`` reads from this log's ``kind`` file in the user cache directory if it
        was saved for ``key`` (the log's head), else what ``build`` gives, saved for next time.
        A cache that cannot be read or written only costs the next open some time."""
        cache = _cache_file(self.url, kind)
        try:
            with cache.open("rb") as saved:
                loaded = load(saved, key)
        except OSError:
            loaded = None
        except Exception:
            loaded = None
        if loaded is not None:
            return loaded
        value = build()
        if value is not None:
            try:
                cache.parent.mkdir(parents=True, exist_ok=True)
                tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
                with tmp.open("wb") as out:
                    save(value, key, out)
                tmp.replace(cache)
            except OSError:
                pass
        return value

    def _guard(self, fn: Callable[[], Any]) -> Any:
        """``fn()``, a database failure translated (see :meth:`_guarding`)."""
        with self._guarding():
            return fn()

    @contextmanager
    def _guarding(self) -> Iterator[None]:
        """A database failure in the block translated into a :class:`DatabaseError` naming the
        log: the one place the shells' calls have their database errors translated."""
        try:
            yield
        except TrackerError:
            raise
        except Exception as exc:
            if is_sqlalchemy_error(exc):  # the driver's own words, without SQLAlchemy's frame
                raise wrap_database_errors(getattr(exc, "orig", None) or exc, self.label) from None
            if type(exc).__module__.startswith(("sqlite3", "psycopg")):
                raise wrap_database_errors(exc, self.label) from None
            raise




class Narrowed(NamedTuple):
    """A narrowed view of the log: see :meth:`Timeline.narrowed`."""

    admitted: bytearray
    story: Any  # array of positions
    marks: bytearray


def search_text(event: Event) -> str:
    """Everything a search looks in, folded to lower case: summary, actors (with the offices
    they held), place, type, the source's outlet, speaker, author, via and quote, and the id."""
    actors = ", ".join(dict.fromkeys(a.name if a.office is None else f"{a.name}, {a.office}"
                                     for a in event.actors))
    s = event.source
    return " ".join(
        x for x in (event.summary, actors, event.place, event.type, s.outlet, s.speaker, s.author,
                    s.via, s.quote, event.id) if x
    ).casefold()


def _cache_path(url: str, kind: str) -> Path:
    digest = hashlib.sha256(url.encode()).hexdigest()[:24]
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / f"{digest}.{kind}"


#: What is saved in the user cache directory for a log not used for this many days is removed
#: (its next use makes it again): the folder holds the logs in use, not every log ever opened.
CACHE_DAYS = 30

_swept: set[Path] = set()


def _cache_file(url: str, kind: str) -> Path:
    """This log's ``kind`` file in the user cache directory (see :func:`_cache_path`), marked
    as used now; the first time a process asks, files there unused for :data:`CACHE_DAYS` are
    removed. A folder that cannot be read or written only keeps what it holds."""
    path = _cache_path(url, kind)
    with contextlib.suppress(OSError):
        os.utime(path)
    folder = path.parent
    if folder not in _swept:
        _swept.add(folder)
        stale = time.time() - CACHE_DAYS * 86_400
        with contextlib.suppress(OSError):
            for other in folder.iterdir():
                with contextlib.suppress(OSError):
                    if other.is_file() and other.stat().st_mtime < stale:
                        other.unlink()
    return path


def check_input(data: document.Input) -> None:
    """Refuse an input whose entries are not all valid events, as importing it would (the same
    error), without a log: what an import checks before a log from an older tracker is upgraded
    for it, so that a refused import leaves that log untouched."""
    with _told_by_line(data):
        _check_input_shape(data)
        for entry in data.entries:
            parse_event(entry.obj, entry.label, new_event_id)


def _check_input_shape(data: document.Input) -> None:
    if data.head is not None:
        _check_export_head(data)
    if not data.entries:
        raise InvalidInput("the input holds no events")


@contextmanager
def _told_by_line(data: document.Input) -> Iterator[None]:
    """An import's failure, told by line: the failure names its entry as data (``place``:
    "FILE event 3"); an entry of an array or an export is told by its line. Other entries the
    message mentions (the first of two with one id) are told by their lines too."""
    try:
        yield
    except IntegrityFailure:
        raise
    except TrackerError as exc:
        place = exc.place
        line = data.line_of(place) if place is not None else None
        message = exc.message
        if line is not None and place is not None and message.startswith(place):
            message = line + message[len(place):]
        message = data.with_lines(message)
        if message == exc.message:
            raise
        raise type(exc)(message, field=exc.field,
                        place=line if line is not None else place) from None


class _RecentEvents:
    """The events of the last ``chunks`` chunks an import appended, by id: each the same event,
    field for field, as reading its row back gives (:func:`_appended`)."""

    def __init__(self, chunks: int) -> None:
        self._chunks: deque[dict[str, Event]] = deque(maxlen=chunks)
        self._by_id: dict[str, Event] = {}

    def add(self, events: Iterable[Event]) -> None:
        if len(self._chunks) == self._chunks.maxlen:
            for id_ in self._chunks[0]:
                del self._by_id[id_]
        chunk = {e.id: e for e in events}
        self._chunks.append(chunk)
        self._by_id.update(chunk)

    def get(self, id_: str) -> Event | None:
        return self._by_id.get(id_)

    def split(self, ids: Iterable[str]) -> tuple[dict[str, Event], list[str]]:
        """The events held among ``ids``, and the ids not held."""
        found: dict[str, Event] = {}
        rest: list[str] = []
        by_id = self._by_id
        for id_ in ids:
            event = by_id.get(id_)
            if event is None:
                rest.append(id_)
            else:
                found[id_] = event
        return found, rest


def _appended(row: Row) -> Event:
    """A row an import appended, read back as the event admission gave it (no position or time
    yet): the same event, field for field."""
    return event_from_row(row._replace(position=0, recorded_at=""))


def _check_export_head(data: document.Input) -> None:
    """An export's events must hash to the head it names: a tampered export is refused.

    Each event's hash is recomputed from its content as it was stored (at the schema version it
    states) and its predecessor's hash. A document with a head must carry every event's hash.
    """
    entries = data.entries
    if not isinstance(entries, document.EntryList):
        return  # only an export names a head, and an export is read whole
    head = data.head or {}
    prev = "0" * 64
    expected_pos = head.get("position")
    expected_hash = head.get("hash")
    for number, entry in enumerate(entries, start=1):
        obj = entry.obj
        if not isinstance(obj, dict):
            return  # reported precisely when the events are parsed
        if not isinstance(obj.get("hash"), str):
            raise InvalidInput(
                f"{entry.label}: field 'hash' is missing, but the export names a head hash; "
                "the export was altered after it was written"
            )
        try:
            event = parse_event(obj, entry.label)
        except InvalidEvent:
            return  # reported precisely when the events are parsed
        position = obj.get("position", number)
        if not isinstance(position, int) or isinstance(position, bool):
            raise InvalidInput(f"{entry.label}: field 'position' must be a whole number")
        version = obj.get("schema_version", 1)
        body = stored_body(event, version)
        new = (event.id, event.type, version, event.subject, event.story.earliest,
               event.story.latest, event.source.published, body or "")
        prev = chain_hash(prev, position, new, str(obj.get("recorded_at", "")))
        if body is None or prev != obj["hash"]:
            raise InvalidInput(
                f"{entry.label}: its hash does not match its content; the export was altered "
                "after it was written"
            )
    if expected_pos is not None and expected_pos != len(entries):
        raise InvalidInput(
            f"the export's head says {clip(repr(expected_pos), 40)} events but it holds {len(entries)}"
        )
    if expected_hash is not None and entries and prev != expected_hash:
        raise InvalidInput("the export's events do not hash to its head hash; it was altered")


# --------------------------------------------------------------------------- opening


def resolve_target(target: str | None) -> tuple[str, bool]:
    """The database URL to open, and whether it is the default (seeded on first use)."""
    if target:
        return database_url(target), False
    env = os.environ.get(ENV_DB)
    if env:
        return database_url(env), False
    path = default_database_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return database_url(str(path)), True


def _made_exclusively(path: Path) -> bool:
    """Make the (empty) file of a new SQLite log, unless another process has just made it:
    whether this one did. An empty file is a new SQLite database."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    except OSError:  # made meanwhile; or not makeable, which opening it tells
        return False
    return True


def open_timeline(target: str | None = None, *, create: bool = True,
                  read_only: bool = False,
                  before_upgrade: Callable[[], None] | None = None,
                  driver: bool = False) -> Timeline:
    """Open (creating and migrating as needed) the log at target, TRACKER_DB, or the default.

    The default database is seeded with the seed timeline the first time it is created (it is
    created whatever ``create`` says). ``create=False``: a path or database with no log in it is
    refused, and nothing is created. ``read_only``: the command only reads, so an SQLite log this
    process cannot write (a read-only file, folder or file system) is opened read-only.
    ``before_upgrade``: what the command checks before a log from an older tracker is upgraded
    (what it refuses then leaves the log untouched). ``driver``: the command needs nothing of
    SQLAlchemy (an import), so an SQLite log already at the newest schema is opened with the
    driver alone, as for a command that only reads.
    """
    url, is_default = resolve_target(target)
    create = create or is_default
    path = sqlite_path(url)
    label = str(path) if path is not None else mask_url(url)
    existed = path is None or path.exists()
    if path is not None and not existed:
        if not create:
            raise DatabaseError(migrate.NO_LOG.format(where=path))
        if path.parent.is_dir() and not os.access(path.parent, os.W_OK | os.X_OK):
            raise DatabaseError(
                f"cannot create a tracker log at {path}: the folder {path.parent} is not writable")
    # Only the process that made the file removes it when the log cannot be made: several may
    # open a new path at the same moment, and the others are then at work in that file.
    made_here = path is not None and not existed and _made_exclusively(path)
    opened_read_only = read_only and path is not None and existed and not writable(path)
    if (read_only or driver) and path is not None and existed:
        # A command that only reads a log at the newest schema (or only appends to it) uses
        # the driver alone.
        log = open_sqlite_file(path, opened_read_only, migrate.head_revision())
        if log is not None:
            return Timeline(url, log)
    engine = make_engine(url, read_only=opened_read_only)
    try:
        upgrade = migrate.prepare(engine, label, create=create, read_only=opened_read_only,
                                  before_upgrade=before_upgrade)
    except BaseException as exc:
        engine.dispose()
        if made_here and path is not None:
            remove_sqlite_files(path)  # a log that could not be made leaves no file behind
        if isinstance(exc, TrackerError):
            raise
        from sqlalchemy.exc import OperationalError

        if isinstance(exc, OperationalError):
            raise wrap_database_errors(exc.orig or exc, label) from None
        if is_sqlalchemy_error(exc):
            raise wrap_database_errors(exc, label) from None
        raise
    timeline = Timeline(url, engine)
    timeline.created = upgrade.created and not existed
    if upgrade.created:
        timeline.notices.append(f"Created a new tracker log at {visible(label)}.")
        if is_default:
            report = timeline.import_file(seed_file())
            timeline.notices.append(
                f"Seeded it with the seed timeline ({len(report.added)} events: Kerry, Lavrov and "
                "the invitation to Moscow, March 2014)."
            )
    elif upgrade.changed:
        timeline.notices.append(
            f"Upgraded {visible(label)} from schema {upgrade.before} to {upgrade.after}; "
            "every event is kept."
        )
    return timeline


@dataclass(frozen=True)
class SchemaStatus:
    """Where a database stands against this tracker's migrations (nothing is changed)."""

    label: str
    head: str  # the newest revision this tracker knows
    exists: bool  # False: a SQLite file not there yet
    revision: str | None = None  # the database's revision (None: no tracker log in it)
    has_tables: bool = False  # it holds tables, tracker's or others'
    known: bool = False  # the revision is one of this tracker's

    @property
    def verdict(self) -> str:
        if self.revision == self.head:
            return "Up to date."
        if self.revision is None:
            return ("Not a tracker log." if self.has_tables else
                    "Empty: `tracker db upgrade` creates the log in it.")
        if not self.known:
            return "Newer than this tracker: upgrade tracker to use it."
        return "Behind: `tracker db upgrade` brings it to the head; every event is kept."


def schema_status(target: str | None) -> SchemaStatus:
    """The schema revision of the log at target (see :func:`resolve_target`) and the newest one,
    read without creating or migrating anything."""
    url, _ = resolve_target(target)
    path = sqlite_path(url)
    engine = make_engine(url)
    label = str(path) if path is not None else engine.url.render_as_string(hide_password=True)
    head = head_revision()
    try:
        if path is not None and not path.exists():
            return SchemaStatus(label, head, exists=False)
        has_tables, revision = migrate.inspect(engine)
    except Exception as exc:
        if is_sqlalchemy_error(exc):
            raise wrap_database_errors(exc, label) from None
        raise
    finally:
        engine.dispose()
    known = revision in {s.revision for s in script_directory().walk_revisions()}
    return SchemaStatus(label, head, True, revision, has_tables, known)


def today() -> str:
    return datetime.now(UTC).date().isoformat()
