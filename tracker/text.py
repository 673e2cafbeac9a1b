"""Making untrusted text safe to show: one line, no control characters or escape sequences."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_ESCAPE_SEQUENCE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|.)")


def visible(text: str) -> str:
    """Text with escape sequences and control characters shown as harmless placeholders."""
    text = _ESCAPE_SEQUENCE.sub(lambda m: "␛" + m.group(0)[1:].replace("\x1b", "␛"), text)
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def one_line(text: str) -> str:
    """A message on one line: newlines folded, control characters made visible."""
    return visible(" ".join(text.split("\n"))).strip()
