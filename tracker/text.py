"""Making untrusted text safe to show: one line, no control characters or escape sequences."""

from __future__ import annotations

import re
from typing import IO

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_ESCAPE_SEQUENCE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|.)")


def visible(text: str) -> str:
    """Text with escape sequences and control characters shown as harmless placeholders."""
    text = _ESCAPE_SEQUENCE.sub(lambda m: "␛" + m.group(0)[1:].replace("\x1b", "␛"), text)
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def one_line(text: str) -> str:
    """A message on one line: newlines folded, control characters made visible."""
    return visible(" ".join(text.split("\n"))).strip()


def clip(text: str, limit: int = 60) -> str:
    """A value echoed in an error message, cut short so the message stays one short line."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# The UTF-8 of DEL, the C1 controls (U+0080-U+009F: U+009B is CSI to some terminals), the line
# and paragraph separators and the bidirectional overrides and isolates. JSON writers leave them
# raw; inside a JSON string each may equally be written as a \uXXXX escape.
_RAW_IN_JSON = re.compile(rb"\x7f|\xc2[\x80-\x9f]|\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]")


def json_safe(data: bytes) -> bytes:
    """JSON (UTF-8) with every character a terminal could act on written as a \\uXXXX escape.

    The document means exactly the same once parsed; printed, it cannot move the cursor, change
    colours or reorder text. (JSON writers already escape C0 controls, ESC included.)
    """
    if b"\x7f" not in data and (data.isascii() or not (
            _holds_pair(data, 0xC2, 0x80, 0x9F, (b"\xc2",))
            or _holds_pair(data, 0xE2, 0x80, 0x81, (b"\xe2\x80", b"\xe2\x81")))):
        return data  # none of them (nor their first two bytes): nothing to escape
    return _RAW_IN_JSON.sub(lambda m: b"\\u%04x" % ord(m.group(0).decode()), data)


def _holds_pair(data: bytes, lead: int, low: int, high: int, otherwise: tuple[bytes, ...],
                most: int = 1000) -> bool:
    """Whether the byte ``lead`` is followed somewhere in ``data`` by one from ``low`` to
    ``high``, looked for at each ``lead`` (found at memory speed, where a search for two bytes
    is ten times slower: a tenth of a second over an export of 100k events); past ``most`` of
    them, whether any of ``otherwise`` is in it."""
    find, end = data.find, len(data) - 1
    at = find(lead)
    for _ in range(most):
        if at < 0 or at >= end:
            return False
        if low <= data[at + 1] <= high:
            return True
        at = find(lead, at + 1)
    return any(needle in data for needle in otherwise)


class SafeWriter:
    """JSON bytes written to ``out`` in batches of about ``size`` bytes, each batch made safe
    for a terminal (:func:`json_safe`) as it is written: a document written in many small
    pieces costs one write and one check a batch. ``flush`` writes what is held."""

    __slots__ = ("buffered", "out", "pieces", "size")

    def __init__(self, out: IO[bytes], size: int = 1 << 20) -> None:
        self.out = out
        self.size = size
        self.pieces: list[bytes] = []
        self.buffered = 0

    def write(self, data: bytes) -> None:
        self.pieces.append(data)
        self.buffered += len(data)
        if self.buffered > self.size:
            self.flush()

    def flush(self) -> None:
        if self.pieces:
            self.out.write(json_safe(b"".join(self.pieces)))
            self.pieces.clear()
            self.buffered = 0


_PASSWORD_IN_AUTHORITY = re.compile(r"(://[^/@\s:]*:)[^@\s]*@")
_PASSWORD_IN_QUERY = re.compile(r"((?:^|[?&;\s])password=)[^&\s]*", re.IGNORECASE)


def mask_url(text: str) -> str:
    """A URL (or any text holding one) with every password shown as ``***``: in the authority
    (``user:PW@host``) and as a query parameter (``?password=PW``). Used for every label, repr
    and message that shows a database URL."""
    text = _PASSWORD_IN_AUTHORITY.sub(r"\1***@", text)
    return _PASSWORD_IN_QUERY.sub(r"\1***", text)
