"""Two points of the log compared: what changed between them, item by item.

A point is a state: the events up to a step of a view, or what had certainly happened by a story
date (an "as of" query). :func:`compare_states` lists every item whose status or any other field
differs, in the state document's reading order (its sections, then subject).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tracker.codec.state_document import SECTIONS, item_to_dict
from tracker.domain.events import actor_text
from tracker.domain.fold import State, diff

#: The fields of an item compared beside its status, as the state document names them.
FIELDS = ("title", "when", "place", "actors", "details", "sources", "accounts", "corrected",
          "retracted", "conditions")


@dataclass(frozen=True)
class ItemDifference:
    """One item at the first point against the second: its status at each (None: not there)
    and each other field that differs (field, before, after) as one line of text each."""

    kind: str
    subject: str
    title: str
    before: str | None
    after: str | None
    fields: tuple[tuple[str, str, str], ...]

    @property
    def verb(self) -> str:
        return "added" if self.before is None else "removed" if self.after is None else "changed"


def compare_states(first: State, second: State) -> list[ItemDifference]:
    """What differs from ``first`` to ``second``, item by item."""
    out = []
    for change in diff(first, second):
        a = item_to_dict(change.before, first) if change.before is not None else None
        b = item_to_dict(change.after, second) if change.after is not None else None
        fields: list[tuple[str, str, str]] = []
        if a is not None and b is not None:
            for name in FIELDS:
                if name == "details":
                    da, db = a.get(name) or {}, b.get(name) or {}
                    for key in sorted(set(da) | set(db), key=str):
                        if da.get(key) != db.get(key):
                            fields.append((f"{name}.{key}", _text(da.get(key)),
                                           _text(db.get(key))))
                elif a.get(name) != b.get(name):
                    fields.append((name, _text(a.get(name)), _text(b.get(name))))
        now = b if b is not None else a
        assert now is not None
        out.append(ItemDifference(change.kind, change.subject, str(now.get("title") or ""),
                                  a["status"] if a is not None else None,
                                  b["status"] if b is not None else None, tuple(fields)))
    order = {kind: i for i, kind in enumerate(SECTIONS)}
    out.sort(key=lambda d: (order.get(d.kind, len(order)), d.subject))
    return out


def _text(value: Any) -> str:
    """A field's value as one line ("" for none)."""
    if value is None or value == [] or value == {}:
        return ""
    if isinstance(value, list):
        if all(isinstance(v, Mapping) and "name" in v and "role" in v for v in value):
            return ", ".join(actor_text(v["name"], v["role"], v.get("office")) for v in value)
        if all(isinstance(v, Mapping) for v in value):
            return f"{len(value)} entr{'y' if len(value) == 1 else 'ies'}"
        return ", ".join(_text(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)
