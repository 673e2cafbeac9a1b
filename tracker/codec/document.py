"""The export format ("tracker-timeline", versioned) and the inputs ``tracker import`` reads.

An export holds the events in log order with all their fields, the log's head (position and
hash), then the state derived from them. Import reads an export, a JSON array of events, JSON
Lines (one event per line), or tracker's CSV (``tracker export --format csv``); every error names
the line (or the event's place in the document).
"""

from __future__ import annotations

import json
import os
import re
import stat
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import IO, Any, BinaryIO

import orjson

from tracker.codec.rows import Row, event_to_dict, row_to_dict, rows_json
from tracker.domain.admission import ImportNames
from tracker.domain.events import Event
from tracker.domain.vocabulary import (
    EVENT_TYPES,
    FALLBACK_KIND,
    event_types,
    kinds,
    status_names,
)
from tracker.errors import InvalidInput
from tracker.text import SafeWriter, json_safe
from tracker.text import clip as _clip

FORMAT = "tracker-timeline"
VERSION = 1


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the export format; it ships with the package."""
    text = resources.files("tracker.codec").joinpath("timeline.schema.json").read_text("utf-8")
    return _with_vocabulary(json.loads(text))


_DETAIL_SCHEMA: dict[str, dict[str, Any]] = {
    "text": {"type": "string"},
    "list": {"type": "array", "items": {"type": "string"}},
    "bool": {"type": "boolean"},
    "changes": {"type": "object"},
}


def _with_vocabulary(doc: dict[str, Any]) -> dict[str, Any]:
    """The schema's vocabulary parts, read from the vocabulary: the event types, each type's
    details with their value types, the item kinds and statuses."""
    defs = doc["$defs"]
    event = defs["event"]
    event["properties"]["type"]["enum"] = list(EVENT_TYPES)
    event["allOf"] = [
        {
            "if": {"properties": {"type": {"const": t.name}}, "required": ["type"]},
            "then": {"properties": {"details": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    d.name: ({"enum": list(d.choices)} if d.type == "enum"
                             else _DETAIL_SCHEMA[d.type])
                    for d in t.detail_specs
                },
            }}},
        }
        for t in event_types()
    ]
    item = defs["item"]["properties"]
    item["kind"]["enum"] = list(dict.fromkeys([*kinds(), FALLBACK_KIND]))
    item["status"]["enum"] = list(status_names())
    return doc


def build(
    events: Iterable[tuple[Event, str]],
    state: dict[str, Any],
    head: tuple[int, str],
    exported_at: str,
    source: str,
) -> dict[str, Any]:
    """The export document for events (with their stored hashes) and their state."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": exported_at,
        "source": source,
        "head": {"position": head[0], "hash": head[1]},
        "events": [event_to_dict(e, h) for e, h in events],
        "state": state,
    }


def write_stream(
    out: IO[bytes],
    events: Iterable[tuple[Event, str]],
    state: dict[str, Any],
    head: tuple[int, str],
    exported_at: str,
    source: str,
) -> int:
    """Write an export without holding the whole document in memory; returns events written."""
    write_head(out, head, exported_at, source)
    n = 0
    for event, hash_ in events:
        write_event(out, n, event, hash_)
        n += 1
    write_tail(out, state)
    return n


# An export written piece by piece, as the events stream by (see Timeline.export): the head,
# each event (``n`` events written before it), then the state.


def write_head(out: IO[bytes], head: tuple[int, str], exported_at: str, source: str) -> None:
    header = {"format": FORMAT, "version": VERSION, "exported_at": exported_at, "source": source,
              "head": {"position": head[0], "hash": head[1]}}
    out.write(json_safe(orjson.dumps(header, option=orjson.OPT_INDENT_2)[:-2]))
    out.write(b',\n  "events": [')


def write_event(out: IO[bytes], n: int, event: Event | Row, hash_: str | None = None) -> None:
    """One event (or a stored row: the same JSON, decoded straight into its export shape)."""
    write_entry(out, n, event_to_dict(event, hash_) if isinstance(event, Event)
                else row_to_dict(event))


def write_entry(out: IO[bytes] | SafeWriter, n: int, entry: dict[str, Any]) -> None:
    """One event already in its export shape (``rows.row_to_dict``); ``out`` may be a
    :class:`tracker.text.SafeWriter` (which makes what it writes safe as it writes it)."""
    data = orjson.dumps(entry)
    out.write((b"\n    " if n == 0 else b",\n    ") + (
        data if isinstance(out, SafeWriter) else json_safe(data)))


def write_rows(out: SafeWriter, n: int, rows: Sequence[Row | tuple[Any, ...]]) -> None:
    """Stored rows, each as :func:`write_entry` writes it (``n``: the events written
    before them), in one write."""
    if not rows:
        return
    out.write((b"\n    " if n == 0 else b",\n    ") + b",\n    ".join(rows_json(rows)))


def write_tail(out: IO[bytes], state: dict[str, Any]) -> None:
    write_state_tail(out, lambda tail: tail.write(json_safe(orjson.dumps(state))))


def write_state_tail(out: IO[bytes], write_state: Callable[[IO[bytes]], object]) -> None:
    """The end of the document, its state (compact JSON) written by ``write_state``."""
    out.write(b"\n  ],\n  \"state\": ")
    write_state(out)
    out.write(b"\n}\n")


# --------------------------------------------------------------------------- reading inputs


class Entry:
    """One event object read from an input, with where it was found."""

    __slots__ = ("label", "obj")

    def __init__(self, label: str, obj: Any) -> None:
        self.label = label
        self.obj = obj


class EntryList(list[Entry]):
    """The entries of an input read whole (an export, an array, CSV, a single line)."""

    def label(self, index: int) -> str:
        return self[index].label

    @property
    def names(self) -> ImportNames:
        """What the entries name that an import looks up before it parses them."""
        return ImportNames(entry.obj for entry in self)


class Input:
    """The events an input file holds, and the head it claims (exports only).

    ``entries`` is a list (:class:`EntryList`) or, for a JSON Lines file, :class:`LinesFile`:
    read from the file again each time it is gone through, never held whole. Either way it can
    be gone through again, and ``entries.label(i)`` names entry ``i`` (one gone through) as its
    errors do."""

    def __init__(self, entries: Iterable[Entry] | LinesFile, head: dict[str, Any] | None,
                 kind: str, name: str = "", text: str = "") -> None:
        self.entries = (entries if isinstance(entries, EntryList | LinesFile)
                        else EntryList(entries))
        self.head = head
        self.kind = kind
        self.name = name
        self.text = text  # kept for arrays and exports: to name an entry's line in an error

    def line_of(self, label: str) -> str | None:
        """How an error names the entry labelled ``label`` ("FILE event 3"): by the line it
        starts on in an array or an export ("FILE line 24 (event 3)"); None: it has no other
        name (a JSON Lines entry is labelled by its line already)."""
        if self.kind not in {"array", "export"} or not self.text:
            return None
        prefix = f"{self.name} event "
        number = label[len(prefix):] if label.startswith(prefix) else ""
        if not number.isdigit():
            return None
        lines = _entry_lines(self.text, self.kind, int(number))
        if int(number) > len(lines):
            return None
        return f"{self.name} line {lines[int(number) - 1]} (event {number})"

    def with_lines(self, message: str) -> str:
        """An error message with each "FILE event N" of an array or export told as its line."""
        if self.kind not in {"array", "export"} or not self.text:
            return message
        pattern = re.compile(re.escape(self.name) + r" event (\d+)")
        wanted = sorted({int(m.group(1)) for m in pattern.finditer(message)})
        if not wanted:
            return message
        lines = _entry_lines(self.text, self.kind, wanted[-1])
        return pattern.sub(
            lambda m: (f"{self.name} line {lines[int(m.group(1)) - 1]} (event {m.group(1)})"
                       if int(m.group(1)) <= len(lines) else m.group(0)),
            message,
        )


def _entry_lines(text: str, kind: str, upto: int) -> list[int]:
    """The line on which each of the first ``upto`` events of an array or export starts."""
    lines: list[int] = []
    walk = _walk_entries(text, kind, json.JSONDecoder())
    try:
        for line in walk:
            if len(lines) >= upto:
                break
            lines.append(line)
    except (ValueError, RecursionError):
        pass
    return lines


def _walk_entries(text: str, kind: str, decoder: json.JSONDecoder) -> Iterator[int]:
    """Decode the events of an array or export one by one with ``decoder``, yielding the line
    each starts on before decoding it (its errors propagate). Lines are counted as the walk
    goes, never again from the start: naming the last of 40,000 entries costs one pass."""
    if kind == "export":
        found = re.search(r'"events"\s*:\s*\[', text)
        if found is None:
            return
        i = found.end()
    else:
        i = text.index("[") + 1
    line, counted = 1, 0
    while True:
        while i < len(text) and text[i] in " \t\r\n,":
            i += 1
        if i >= len(text) or text[i] == "]":
            return
        line += text.count("\n", counted, i)
        counted = i
        yield line
        _, i = decoder.raw_decode(text, i)


def read_input(data: bytes, name: str) -> Input:
    """Parse an import file's bytes; errors name the file and the line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput(f"{name} line {line}: not valid UTF-8 (byte {exc.start})") from None
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise InvalidInput(f"{name}: the file is empty")
    if stripped[0] not in "{[":
        from tracker.codec.exports import csv

        if csv.is_tracker_csv(stripped):
            return Input(EntryList(Entry(label, obj) for label, obj in csv.read(stripped, name)),
                         None, "csv", name)
        if csv.is_timelinejs_csv(stripped):
            raise InvalidInput(f"{name}: a TimelineJS sheet cannot be imported (it keeps too "
                               "little of each event); import tracker's own csv or json export")
    if stripped[0] in "{[":
        problem: orjson.JSONDecodeError | None = None
        try:
            whole = orjson.loads(stripped)
        except orjson.JSONDecodeError as exc:
            whole, problem = None, exc
        if whole is not None and not isinstance(whole, dict | list):
            whole = None
        if whole is not None:
            _refuse_duplicate_keys(stripped, text, name, whole)
        if isinstance(whole, dict) and "format" in whole:
            return _read_document(whole, name, text)
        if isinstance(whole, list):
            return Input(EntryList(Entry(f"{name} event {i + 1}", o) for i, o in enumerate(whole)),
                         None, "array", name, text)
        if isinstance(whole, dict) and stripped.count("\n") == 0:
            return Input(EntryList([Entry(f"{name} line 1", whole)]), None, "lines")
        if problem is not None and stripped[0] == "[":
            skipped = text[:len(text) - len(stripped)].count("\n")
            raise InvalidInput(f"{name} line {problem.lineno + skipped}: not valid JSON "
                               f"({_short(problem)})")
    return Input(EntryList(_read_lines(text, name)), None, "lines")


def _read_document(doc: dict[str, Any], name: str, text: str) -> Input:
    if doc.get("format") != FORMAT:
        raise InvalidInput(f"{name}: field 'format' is {_clip(repr(doc.get('format')))}, not {FORMAT!r}")
    version = doc.get("version")
    if version != VERSION:
        raise InvalidInput(
            f"{name}: export format version {_clip(repr(version))} is not supported (this tracker reads {VERSION})"
        )
    events = doc.get("events")
    if not isinstance(events, list):
        raise InvalidInput(f"{name}: field 'events' must be a list")
    head = doc.get("head")
    if head is not None and not isinstance(head, dict):
        raise InvalidInput(f"{name}: field 'head' must be an object with position and hash")
    entries = EntryList(Entry(f"{name} event {i + 1}", o) for i, o in enumerate(events))
    return Input(entries, head, "export", name, text)


def _read_lines(text: str, name: str) -> Iterator[Entry]:
    for number, body in _bodies(enumerate(text.splitlines(), start=1)):
        label = f"{name} line {number}"
        yield Entry(label, json_value(body, label))


def _bodies(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """The numbered lines that hold an entry, stripped (blank lines and // comments skipped)."""
    for number, line in lines:
        body = line.strip()
        if body and not body.startswith("//"):
            yield number, body


def _file_lines(fh: BinaryIO, name: str) -> Iterator[tuple[int, str]]:
    """The lines of a file read as a stream, numbered as ``str.splitlines`` of its whole text
    numbers them (which also breaks at \r, \x1c-\x1e, \x85, \u2028...), the first invalid
    UTF-8 named as the whole file's decoding names it (the line and byte)."""
    number = offset = 0
    for binary_line, raw in enumerate(fh, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{name} line {binary_line}: not valid UTF-8 "
                               f"(byte {offset + exc.start})") from None
        offset += len(raw)
        for line in text.splitlines():
            number += 1
            yield number, line


class LinesFile:
    """The entries of a JSON Lines file, read from the file as they are gone through, so that
    only the entries at hand are held: an import into an empty log goes through them once,
    reading each line once. Going through them refuses the file as :func:`read_input` of its
    whole bytes would (the first invalid UTF-8 in the file, else the first line that is not JSON
    or holds a key twice), when it comes to the first such line (the rest of the file is looked
    through first for invalid UTF-8, which is told before); a file changed since it was opened
    is refused."""

    def __init__(self, path: Path, name: str, stamp: tuple[int, int]) -> None:
        self.path = path
        self.name = name
        self._numbers = array("L")  # the line of each entry gone through
        self._stamp = stamp  # size and modification time when it was opened
        self._names: ImportNames | None = None
        #: how many entries the file holds, once a pass has gone through it (see :attr:`names`)
        self.size: int | None = None

    def __bool__(self) -> bool:
        return True  # the file starts with an object (see _lines_file)

    def label(self, index: int) -> str:
        """How entry ``index`` (one gone through already) is named: ``FILE line N``."""
        return f"{self.name} line {self._numbers[index]}"

    @property
    def names(self) -> ImportNames:
        """What an import into a log that holds events looks up first, read in a pass of its
        own (which refuses the file as going through its entries does)."""
        return self.read_names()

    def read_names(self, passing: Callable[[Iterator[Entry]], Iterable[Entry]] = iter
                   ) -> ImportNames:
        """:attr:`names`, the entries of its pass handed through ``passing`` (which may tell
        how far the pass is)."""
        if self._names is None:
            names = ImportNames()
            for entry in passing(self._entries(checked=False)):
                names.add(entry.obj)
            self._names, self.size = names, len(self._numbers)
        return self._names

    def __iter__(self) -> Iterator[Entry]:
        return self._entries(checked=self._names is not None)

    def _entries(self, checked: bool) -> Iterator[Entry]:
        """The entries; ``checked``: the file was gone through whole already (each line is
        then known to be JSON with no key twice)."""
        loads, decode_error, name = orjson.loads, orjson.JSONDecodeError, self.name
        numbers = self._numbers = array("L")
        with self.path.open("rb") as fh:
            if _stamp(fh) != self._stamp:
                raise InvalidInput(f"{name}: the file changed while it was being imported")
            lines = _bodies(_file_lines(fh, name))
            for number, body in lines:
                label = f"{name} line {number}"
                numbers.append(number)
                try:
                    obj = loads(body) if checked else json_value(body, label)
                except decode_error:
                    obj = json_value(body, label)  # refused, as when the file was first read
                except InvalidInput:
                    for _ in lines:  # invalid UTF-8 further on is told first
                        pass
                    raise
                yield Entry(label, obj)


def _stamp(fh: BinaryIO) -> tuple[int, int]:
    info = os.fstat(fh.fileno())
    return info.st_size, info.st_mtime_ns


def _lines_file(fh: BinaryIO, path: Path, name: str) -> Input | None:
    """A file of JSON Lines, read as a stream: the same entries and the same errors as
    :func:`read_input` of its whole bytes, with only the line at hand held. None: the file is
    something else (or not plainly JSON Lines: it starts with no whole object on its first line,
    or holds only that one), for :func:`read_input` to read whole."""
    if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
        return None
    for raw in fh:  # the first line that holds anything must be one whole object
        try:
            first = raw.decode("utf-8").lstrip("\ufeff \t\r\n")
        except UnicodeDecodeError:
            return None
        if first:
            break
    else:
        return None
    if not first.startswith("{"):
        return None
    try:
        orjson.loads(first)
    except orjson.JSONDecodeError:
        return None
    if not any(raw.strip(b" \t\r\n") for raw in fh):
        return None  # one object, maybe over several lines: read whole
    # More than one value: the whole file does not parse as one, so read_input would read it
    # line by line; that, as a stream.
    fh.seek(0)
    return Input(LinesFile(path, name, _stamp(fh)), None, "lines")


class _Duplicate(ValueError):
    pass


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Duplicate(
                    f"the key {_clip(repr(key), 40)} appears twice in one object (JSON keeps only "
                    "the last; say it once)")
            seen.add(key)
    return found


_STRICT = json.JSONDecoder(object_pairs_hook=_unique_pairs)


_KEY_TOKEN = re.compile(r'"\s*:')


def _key_tokens(text: str) -> int:
    """At least the number of keys the text writes: each key is a string followed by a colon
    (a value holding ``":`` only adds to the count, which sends the text to the strict check)."""
    return len(_KEY_TOKEN.findall(text))


def _keys_in(value: Any) -> int:
    """The number of keys in every object of a parsed document (made only of JSON's types)."""
    count, stack = 0, [value]
    pop, push = stack.pop, stack.append
    while stack:
        item = pop()
        if type(item) is dict:
            count += len(item)
            item = item.values()
        for v in item:
            kind = type(v)
            if kind is dict or kind is list:
                push(v)
    return count


#: The longest text compared with its parsed value written again (see :func:`_duplicate_key`).
_CANONICAL_MAX = 1 << 16


def _duplicate_key(text: str, parsed: Any) -> str | None:
    """Why a JSON text that parses holds a key twice in one object, or None if it does not.

    JSON parsers keep the last of two equal keys: a field typed twice would silently lose the
    first value. The text has already parsed (orjson); this second, stricter pass only looks
    for repeated keys. A text that is exactly what orjson writes of its value (compact JSON
    Lines, as tracker and most tools write them) holds each key once: the value has no key
    twice, so neither has its writing."""
    if len(text) <= _CANONICAL_MAX:
        try:
            if orjson.dumps(parsed) == text.encode():
                return None
        except orjson.JSONEncodeError:  # nested deeper than orjson writes
            pass
    if _key_tokens(text) == _keys_in(parsed):
        return None  # every key token is a key that survived: none was given twice
    try:
        _STRICT.decode(text)
    except _Duplicate as exc:
        return str(exc)
    except (ValueError, RecursionError):
        return None  # not this check's to report: the parse that follows says what is wrong
    return None


def _refuse_duplicate_keys(stripped: str, text: str, name: str, whole: Any) -> None:
    """Refuse a document (an array or an export) with a key twice in one object, naming the
    line of the event that holds it."""
    message = _duplicate_key(stripped, whole)
    if message is None:
        return
    if isinstance(whole, dict) and "format" not in whole:
        raise InvalidInput(f"{name} line 1: {message}")
    number = 0
    try:
        for line in _walk_entries(text, "export" if isinstance(whole, dict) else "array",
                                  _STRICT):
            number += 1
            where = f"{name} line {line} (event {number})"
    except _Duplicate as exc:
        raise InvalidInput(f"{where}: {exc}") from None
    except (ValueError, RecursionError):
        pass
    raise InvalidInput(f"{name}: {message}")


def json_value(text: str, where: str) -> Any:
    """One JSON value typed by a user (``--detail changes={...}``), or a one-line refusal that
    says why (NaN, numbers beyond 64 bits or 1e308, nesting deeper than 1024, a key twice)."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"{where}: not valid JSON ({_short(exc)})") from None
    duplicate = _duplicate_key(text, value)
    if duplicate is not None:
        raise InvalidInput(f"{where}: {duplicate}")
    return value


def _short(exc: orjson.JSONDecodeError) -> str:
    """Why the JSON parser refused a text, in words a user can act on."""
    msg = exc.msg
    if msg.startswith("depth limit exceeded"):
        return "nested too deeply"
    if "infinity when parsed" in msg or "exceeds 64-bit" in msg.lower():
        return "a number too large: integers have at most 19 digits, decimals stay below 1e308"
    if exc.doc[exc.pos:exc.pos + 3] in ("NaN", "Inf") or exc.doc[exc.pos:exc.pos + 4] == "-Inf":
        return "NaN and Infinity are not JSON numbers"
    return msg[:80]


def max_input_bytes() -> int:
    """The largest input ``import`` reads: ``TRACKER_MAX_INPUT_MB`` megabytes (default 1024)."""
    text = os.environ.get("TRACKER_MAX_INPUT_MB", "1024")
    if not text.isdigit() or not 0 < int(text) <= 1 << 20:
        raise InvalidInput(
            f"TRACKER_MAX_INPUT_MB must be a whole number of megabytes, not {_clip(repr(text))}")
    return int(text) << 20


def read_stream(stream: BinaryIO, name: str) -> Input:
    """Read an input from a stream (stdin, a pipe, a device) up to the size cap, then parse it."""
    limit = max_input_bytes()
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(min(1 << 20, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise _too_large(name, limit)
    return read_input(b"".join(chunks), name)


def _too_large(name: str, limit: int) -> InvalidInput:
    return InvalidInput(f"{name}: more than {limit >> 20} MB; tracker reads inputs up to that "
                        "size (TRACKER_MAX_INPUT_MB sets it)")


def read_file(path: Path) -> Input:
    """Read an import file: JSON Lines as a stream (:class:`LinesFile`), anything else whole."""
    try:
        with path.open("rb") as fh:
            limit = max_input_bytes()
            info = os.fstat(fh.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size > limit:
                raise _too_large(str(path), limit)
            streamed = _lines_file(fh, path, str(path))
            if streamed is not None:
                return streamed
            fh.seek(0)
            return read_stream(fh, str(path))
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot be read ({exc.strerror})") from None
