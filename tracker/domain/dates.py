"""Story time: when a reported event happened, as the copy said it, resolved to day bounds.

A reporter writes "last Friday", "between March 3 and March 9" or "no later than 2014-03-10";
``resolve`` turns that, together with an anchor (the source's publication date, or the day a
quoted speaker spoke), into a ``StoryTime``: the words kept verbatim, an EDTF (Library of
Congress Extended Date/Time Format) string, and inclusive day bounds, either of which may be
open. Relative words are read the way news copy reads them (AP style): "Monday" in a Monday story
is that same day, "last Friday" is the most recent Friday strictly before the anchor, "last week"
is the previous ISO week.

Pure: the standard library and the ``edtf`` package only (imported lazily, for EDTF input
alone, because importing and running it is slow). Every failure is an ``InvalidDate`` whose
one-line message quotes the expression and says what is wrong.
"""

from __future__ import annotations

import calendar
import io
import re
from contextlib import redirect_stdout
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from datetime import time as clock
from functools import lru_cache
from itertools import product
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from tracker.errors import InvalidDate
from tracker.text import clip

__all__ = [
    "StoryTime", "check_zone", "overlap", "parse_iso_date", "resolve", "starts_after",
    "story_from_body", "story_to_body", "with_receipt",
]

_UNBOUNDED_KEY = "9999-12-31"
_HINT = (
    "write an ISO date such as 2014-03-10, a window such as 2014-03-03..2014-03-09 or "
    "'June 30-July 2, 2019', 'no later than 2014-03-10', or words read from the publication "
    "date: today, yesterday, last night, Friday, last Friday, Friday night, this/last/next week, "
    "over the weekend, last weekend, three days ago, this/last month, early/mid/late March, "
    "late last month, early 2018"
)


class StoryTime(NamedTuple):
    """When an event happened in story time: the words, their EDTF, and inclusive day bounds.

    ``anchor`` is the ISO date relative words were resolved against, or None when the
    expression did not need one (an absolute date keeps no anchor, so equal dates compare
    equal whatever their source). ``earliest``/``latest`` are ISO dates; None = unbounded.

    ``tz`` is the time zone whose calendar the days are in (an IANA name such as
    "Europe/Brussels", or a UTC offset such as "+08:00"): the place's local day. None, as in
    every story time before zones existed, means the day as the source gave it, read in the
    zone of whatever it is compared with. ``received`` is, for a document (a paper, a letter),
    when it reached its addressee, itself a story time with its own zone: sent on Friday night
    in Brussels and received on Saturday in Beijing is one act, not two dates in conflict.
    """

    expr: str
    anchor: str | None
    edtf: str
    earliest: str | None
    latest: str | None
    tz: str | None = None
    received: StoryTime | None = None

    @property
    def is_exact(self) -> bool:
        """True when the event is known to the day."""
        return self.earliest is not None and self.earliest == self.latest

    def display(self) -> str:
        """Compact form: ``2014-03-10``, ``2014-03``, ``2014``, ``a..b``, ``≤ b``, ``≥ a``, ``?``.

        A window that is exactly a calendar month or year shows as that month or year.
        """
        lo, hi = self.earliest, self.latest
        if lo is None and hi is None:
            return "?"
        if lo is None:
            return f"≤ {hi}"
        if hi is None:
            return f"≥ {lo}"
        if lo == hi:
            return lo
        return _shown_window(lo, hi)

    def told(self) -> str:
        """:meth:`display` with the zone and the receipt, where the source gave them:
        ``2014-03-07 Europe/Brussels, received 2014-03-08 Asia/Shanghai``."""
        shown = self.display() if self.tz is None else f"{self.display()} {self.tz}"
        if self.received is not None:
            shown += f", received {self.received.told()}"
        return shown

    def span(self) -> tuple[datetime | None, datetime | None]:
        """The instants (UTC) this story time covers: from the start of its earliest local day
        to the end of its latest, through the end of its receipt for a document sent and
        received. Days without a zone are read as UTC days here; compare with :func:`overlap`,
        which reads them in the other side's zone. None = unbounded."""
        return _instants(self, self.tz)

    def sort_key(self) -> tuple[str, str]:
        """Chronological key: by earliest (else latest), then latest; unbounded sorts last."""
        lo, hi = self.earliest, self.latest
        return (lo or hi or _UNBOUNDED_KEY, hi or lo or _UNBOUNDED_KEY)


class _Span(NamedTuple):
    """An expression resolved: its EDTF, inclusive bounds, and whether it used the anchor."""

    edtf: str
    earliest: date | None
    latest: date | None
    used_anchor: bool


# --------------------------------------------------------------------------------------------
# Small helpers


_A = re.ASCII | re.IGNORECASE
_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)
_ISO_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)
_ISO_YEAR = re.compile(r"[0-9]{4}", re.ASCII)
_DAY_TOKEN = re.compile(r"(?<![0-9])([0-9]{4})-([0-9]{2})-([0-9]{2})(?![0-9])", re.ASCII)

_MONTH_NAMES = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTHS: dict[str, int] = {name.lower(): i for i, name in enumerate(_MONTH_NAMES) if name}
_MONTHS.update({name[:3].lower(): i for i, name in enumerate(_MONTH_NAMES) if name})
_MONTHS["sept"] = 9

_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS: dict[str, int] = {name.lower(): i for i, name in enumerate(_WEEKDAY_NAMES)}
_WEEKDAYS.update({name[:3].lower(): i for i, name in enumerate(_WEEKDAY_NAMES)})
_WEEKDAYS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})

_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}


def _alternation(words: dict[str, int]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


def _q(text: str) -> str:
    """Quote an expression for a one-line message (repr escapes newlines; long text is cut)."""
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _month_length(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _not_real(shown: str, year: int, month: int, day: int | None = None) -> str | None:
    """Why (year, month, day) is not a supported calendar date, as a message; None if it is."""
    if not 1 <= year <= 9999:
        return f"{shown} is outside the supported years 0001-9999"
    if not 1 <= month <= 12:
        return f"{shown} is not a real date (there is no month {month})"
    if day is not None:
        if day < 1:
            return f"{shown} is not a real date (days of the month start at 1)"
        length = _month_length(year, month)
        if day > length:
            return (
                f"{shown} is not a real date ({_MONTH_NAMES[month]} {year:04d} has {length} days)"
            )
    return None


def _day(text: str, year: int, month: int, day: int, what: str = "") -> date:
    try:
        return date(year, month, day)
    except ValueError:
        shown = f"{what} {_q(text)}" if what else _q(text)
        raise InvalidDate(
            _not_real(shown, year, month, day) or f"{shown} is not a real date"
        ) from None


def _month_end(d: date) -> date:
    return d.replace(day=_month_length(d.year, d.month))


@lru_cache(maxsize=16384)
def _shown_window(lo: str, hi: str) -> str:
    """How :meth:`StoryTime.display` shows a window of days (many items share each one)."""
    try:
        return _window_text(date.fromisoformat(lo), date.fromisoformat(hi), "{}..{}")
    except ValueError:  # hand-built StoryTime with non-ISO bounds: show them as they are
        return f"{lo}..{hi}"


def _window_text(lo: date, hi: date, fmt: str) -> str:
    """A closed window at the coarsest precision that states it exactly."""
    if lo == hi:
        return lo.isoformat()
    if lo.day == 1 and hi == _month_end(lo):
        return f"{lo.year:04d}-{lo.month:02d}"
    if (lo.month, lo.day, hi.month, hi.day) == (1, 1, 12, 31) and lo.year == hi.year:
        return f"{lo.year:04d}"
    return fmt.format(lo.isoformat(), hi.isoformat())


def _window(shown: str, lo: date, hi: date, used_anchor: bool) -> _Span:
    """A window in which one day is meant: EDTF one-of-a-set, or a day, month or year."""
    if hi < lo:
        raise InvalidDate(f"{shown} ends ({hi.isoformat()}) before it starts ({lo.isoformat()})")
    return _Span(_window_text(lo, hi, "[{}..{}]"), lo, hi, used_anchor)


def _exact(d: date, used_anchor: bool) -> _Span:
    return _Span(d.isoformat(), d, d, used_anchor)


def _check_day_tokens(text: str) -> None:
    """Raise the precise message if ``text`` holds a YYYY-MM-DD that is not a real date."""
    for m in _DAY_TOKEN.finditer(text):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        reason = _not_real(_q(m[0]), y, mo, d)
        if reason is not None:
            raise InvalidDate(reason)


# --------------------------------------------------------------------------------------------
# Public entry points


def parse_iso_date(text: str, what: str) -> date:
    """A strict YYYY-MM-DD date; ``what`` names it in the error (e.g. "publication date")."""
    if not isinstance(text, str) or _ISO_DAY.fullmatch(text) is None:
        raise InvalidDate(
            f"{what} {_q(str(text))} is not an ISO date (YYYY-MM-DD, e.g. 2014-03-10)"
        )
    return _day(text, int(text[0:4]), int(text[5:7]), int(text[8:10]), what)


def parse_recorded_time(text: str, what: str = "--recorded-by") -> str:
    """A moment in the log's recorded_at format (so that times compare as text): an ISO date
    (the end of that day, UTC) or datetime (UTC unless it says otherwise). ``what`` names the
    input in the error; the CLI's ``--recorded-by`` and the app's audit view both read it so."""
    value = text.strip()
    if len(value) == 10:
        day = parse_iso_date(value, what)
        return f"{day.isoformat()}T23:59:59.999999Z"
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InvalidDate(
            f"{what} {clip(repr(value))} is not an ISO date or time "
            "(e.g. 2014-03-10 or 2026-11-28T09:30:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@lru_cache(maxsize=256)
def _anchor_from_text(text: str) -> date:
    return parse_iso_date(text, "anchor date")


def _coerce_anchor(anchor: str | date | None) -> date | None:
    if anchor is None:
        return None
    if isinstance(anchor, datetime):
        return anchor.date()
    if isinstance(anchor, date):
        return anchor
    if isinstance(anchor, str):
        return _anchor_from_text(anchor)
    raise TypeError(
        f"anchor must be an ISO date string, a date or None, not {type(anchor).__name__}"
    )


#: What expressions read without their anchor (a month, a range of dates: "2008-03",
#: "2007-12-28..2008-01-01") resolve to, by their text: the same whatever the anchor (what reads
#: one says so, ``used_anchor``), so each is read once whatever anchors it comes with. Only
#: readings made with an anchor are kept, and given only where an anchor is given (a reading
#: without one refuses what needs one). Bounded; what is refused is never kept.
_UNANCHORED: dict[str, StoryTime] = {}
_UNANCHORED_MOST = 1 << 14


def resolve(expr: str, anchor: str | date | None = None) -> StoryTime:
    """Resolve what a reporter or user wrote into a StoryTime, reading relative words against
    ``anchor`` (the source's publication date, or the day a quoted speaker spoke).

    Raises InvalidDate, and nothing else, for any string it cannot turn into real dates.
    """
    if not isinstance(expr, str):
        raise TypeError(f"a date expression must be a str, not {type(expr).__name__}")
    text = expr.strip()
    anchor_day = _coerce_anchor(anchor)
    m = _ISO_DAY.fullmatch(text)
    if m is not None:  # fast path: the overwhelmingly common plain ISO date
        _day(text, int(m[1]), int(m[2]), int(m[3]))
        return StoryTime(text, None, text, text, text)
    if not text:
        raise InvalidDate(f"a story date cannot be empty; {_HINT}")
    if anchor_day is not None:
        known = _UNANCHORED.get(text)
        if known is not None:
            return known
    span = _top(" ".join(text.split()), anchor_day)
    story = StoryTime(
        text,
        anchor_day.isoformat() if span.used_anchor and anchor_day is not None else None,
        span.edtf,
        None if span.earliest is None else span.earliest.isoformat(),
        None if span.latest is None else span.latest.isoformat(),
    )
    if anchor_day is not None and not span.used_anchor and len(_UNANCHORED) < _UNANCHORED_MOST:
        _UNANCHORED[text] = story
    return story


# --------------------------------------------------------------------------------------------
# Zones and receipts: the place's local day, and a document's two ends


_OFFSET = re.compile(r"(?:UTC|GMT)? ?(?P<sign>[+-])(?P<h>[0-9]{1,2})(?::?(?P<m>[0-9]{2}))?", _A)
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]{0,30}(?:/[A-Za-z0-9_+-]{1,30}){0,2}", re.ASCII)
_ZONE_HINT = ("give an IANA time zone such as Europe/Brussels or Asia/Shanghai, "
              "or a UTC offset such as +01:00")


def check_zone(name: str) -> str:
    """The time zone ``name`` in the spelling stored: an IANA name as given, "UTC", or an
    offset as ``+HH:MM``. Raises InvalidDate for anything that is not a zone."""
    if not isinstance(name, str):
        raise InvalidDate(f"a time zone must be a string; {_ZONE_HINT}")
    text = name.strip()
    if text.upper() in ("UTC", "GMT", "Z"):
        return "UTC"
    m = _OFFSET.fullmatch(text)
    if m is not None:
        hours, minutes = int(m["h"]), int(m["m"] or 0)
        if hours > 14 or minutes > 59 or (hours == 14 and minutes):
            raise InvalidDate(f"{_q(text)} is not a UTC offset (offsets run from -12:00 to +14:00)")
        return f"{m['sign']}{hours:02d}:{minutes:02d}"
    if _ZONE_NAME.fullmatch(text):
        try:
            _tzinfo(text)
            return text
        except Exception:  # ZoneInfoNotFoundError, or a name the zone database refuses
            pass
    raise InvalidDate(f"{_q(text)} is not a time zone; {_ZONE_HINT}")


@lru_cache(maxsize=256)
def _tzinfo(name: str) -> tzinfo:
    if name == "UTC":
        return UTC
    m = _OFFSET.fullmatch(name)
    if m is not None:
        offset = timedelta(hours=int(m["h"]), minutes=int(m["m"] or 0))
        return timezone(-offset if m["sign"] == "-" else offset)
    return ZoneInfo(name)


def _day_start(day: str, zone: tzinfo) -> datetime | None:
    """The instant (UTC) a local day begins; None past the supported years."""
    try:
        return datetime.combine(date.fromisoformat(day), clock(), zone).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _instants(story: StoryTime, zone: str | None) -> tuple[datetime | None, datetime | None]:
    """From the start of ``story``'s earliest day to the end of its latest (its receipt's, for
    a document), its days read in ``zone`` (UTC when None). None = unbounded."""
    tz = _tzinfo(zone) if zone is not None else UTC
    lo = None if story.earliest is None else _day_start(story.earliest, tz)
    hi = None
    if story.latest is not None:
        try:
            hi = _day_start((date.fromisoformat(story.latest) + timedelta(days=1)).isoformat(), tz)
        except (ValueError, OverflowError):
            hi = None
    if story.received is not None:
        _, received_hi = _instants(story.received, story.received.tz or zone)
        hi = None if hi is None or received_hi is None else max(hi, received_hi)
    return lo, hi


def overlap(a: StoryTime, b: StoryTime) -> bool:
    """Whether two story times may be the same moment: their windows meet.

    Days with zones are compared as the instants they cover (Friday in Brussels and Saturday
    in Beijing share seven hours); a day without a zone is read in the other's zone, so two
    times without zones compare day by day. A document's window runs until it was received.
    """
    if a.tz is None and b.tz is None and a.received is None and b.received is None:
        a_lo, a_hi = a.earliest or "0000-01-01", a.latest or "9999-12-31"
        b_lo, b_hi = b.earliest or "0000-01-01", b.latest or "9999-12-31"
        return a_lo <= b_hi and b_lo <= a_hi
    a_start, a_end = _instants(a, a.tz or b.tz)
    b_start, b_end = _instants(b, b.tz or a.tz)
    return ((a_start is None or b_end is None or a_start < b_end)
            and (b_start is None or a_end is None or b_start < a_end))


def starts_after(story: StoryTime, day: str) -> bool:
    """Whether ``story`` certainly begins after ``day`` (a publication date) has ended.

    A story day without a zone is read in the source's own calendar: it begins after the
    publication date when its earliest day is later. A day with a zone is another place's
    local day, and the publication date's zone is not recorded: it begins after only if it
    starts once that date has ended everywhere (at UTC-12, noon UTC the next day), so a
    Brussels paper of Friday may report what happened early on Saturday in Beijing.
    """
    if story.earliest is None:
        return False
    if story.tz is None:
        return story.earliest > day
    start = _day_start(story.earliest, _tzinfo(story.tz))
    try:
        ended = datetime.combine(date.fromisoformat(day) + timedelta(days=1), clock(12),
                                 UTC)
    except (ValueError, OverflowError):
        return False
    return start is not None and start >= ended


def with_receipt(story: StoryTime, received: StoryTime) -> StoryTime:
    """``story`` (when a document was sent) with when it was received; InvalidDate if the
    receipt certainly ended before the sending began (each read in its zone)."""
    sent = story._replace(received=None)
    received = received._replace(received=None)
    sent_start, _ = _instants(sent, sent.tz or received.tz)
    _, received_end = _instants(received, received.tz or sent.tz)
    if sent_start is not None and received_end is not None and received_end <= sent_start:
        raise InvalidDate(
            f"it cannot be received ({received.told()}, {_q(received.expr)}) before it was "
            f"sent ({sent.told()}, {_q(sent.expr)})"
        )
    return sent._replace(received=received)


def story_to_body(story: StoryTime, full: bool = False) -> dict[str, Any]:
    """The stored (or, ``full``, exported) shape of a story time. The bounds of the story
    itself are columns of their own; a receipt's are kept in the body, where nothing else
    could hold them."""
    out: dict[str, Any] = {"expr": story.expr, "anchor": story.anchor, "edtf": story.edtf}
    if full:
        out["earliest"], out["latest"] = story.earliest, story.latest
    if story.tz is not None:
        out["tz"] = story.tz
    if story.received is not None:
        out["received"] = story_to_body(story.received, full=True)
    return out


def story_from_body(body: dict[str, Any], earliest: str | None, latest: str | None) -> StoryTime:
    """The story time of a stored body (trusted input), with the bounds its row holds."""
    received = body.get("received")
    return StoryTime(
        body["expr"], body["anchor"], body["edtf"], earliest, latest, body.get("tz"),
        None if received is None
        else story_from_body(received, received["earliest"], received["latest"]),
    )


# --------------------------------------------------------------------------------------------
# Grammar: open bounds and windows around atoms


_OPEN = re.compile(
    r"(?P<op>no later than|not later than|on or before|no earlier than|not earlier than"
    r"|on or after|not before|not after|prior to|earlier than|later than"
    r"|before|after|since|by) (?P<rest>.+)",
    _A,
)
_LATEST_INCLUSIVE = {"no later than", "not later than", "on or before", "not after", "by"}
_LATEST_EXCLUSIVE = {"before", "prior to", "earlier than"}
_EARLIEST_INCLUSIVE = {"no earlier than", "not earlier than", "on or after", "not before", "since"}
_BETWEEN = re.compile(r"between (?P<a>.+?) and (?P<b>.+)", _A)
_FROM_TO = re.compile(r"from (?P<a>.+?) (?:to|through|until) (?P<b>.+)", _A)


def _top(text: str, anchor: date | None) -> _Span:
    m = _OPEN.fullmatch(text)
    if m is not None:
        return _open(text, m["op"].lower(), m["rest"], anchor)
    m = _RANGE_MONTH_FIRST.fullmatch(text) or _RANGE_DAY_FIRST.fullmatch(text)
    if m is not None:
        return _day_range(text, m, anchor)
    m = _BETWEEN.fullmatch(text) or _FROM_TO.fullmatch(text)
    if m is not None:
        return _between(text, m["a"], m["b"], anchor)
    if ".." in text and not any(c in text for c in "/[]{}"):
        a, _, b = text.partition("..")
        if a.strip() and b.strip():
            return _between(text, a.strip(), b.strip(), anchor)
    return _atom(text, anchor)


def _open(text: str, op: str, rest: str, anchor: date | None) -> _Span:
    inner = _atom(rest, anchor)
    upper = op in _LATEST_INCLUSIVE or op in _LATEST_EXCLUSIVE
    uses_start = op in _LATEST_EXCLUSIVE or op in _EARLIEST_INCLUSIVE
    bound = inner.earliest if uses_start else inner.latest
    if bound is None:
        end = "start" if uses_start else "end"
        raise InvalidDate(f"{_q(text)} sets no bound: {_q(rest)} has no known {end}")
    try:
        if op in _LATEST_EXCLUSIVE:
            bound -= timedelta(days=1)
        elif not upper and not uses_start:
            bound += timedelta(days=1)
    except OverflowError:
        raise InvalidDate(f"{_q(text)} is outside the supported years 0001-9999") from None
    if upper:
        return _Span(f"../{bound.isoformat()}", None, bound, inner.used_anchor)
    return _Span(f"{bound.isoformat()}/..", bound, None, inner.used_anchor)


def _between(text: str, a: str, b: str, anchor: date | None) -> _Span:
    start, end = _atom(a, anchor), _atom(b, anchor)
    if start.earliest is None:
        raise InvalidDate(f"{_q(text)} needs a known start, and {_q(a)} has none")
    if end.latest is None:
        raise InvalidDate(f"{_q(text)} needs a known end, and {_q(b)} has none")
    return _window(_q(text), start.earliest, end.latest, start.used_anchor or end.used_anchor)


def _day_range(text: str, m: re.Match[str], anchor: date | None) -> _Span:
    """A range of days with the year written once: "June 30-July 2, 2019", "3-9 March 2014".

    The year belongs to the end; a start later in the calendar than the end is in the year
    before ("December 30-January 2, 2019" starts in 2018). Without a year the start is read as
    "March 10" is (the most recent such day on or before the anchor) and the end is the first
    such day on or after the start, so a range still running on the anchor day reads right.
    """
    between = (m["lead"] or "").lower().startswith("between")
    if between != (" and " in text.lower()):  # "between ... and ...", never a bare "and"
        raise InvalidDate(f"could not understand {_q(text)} as a date; {_HINT}")
    if "mon1" in m.re.groupindex:  # day first: "3-9 March", "30 June-2 July"
        end_month = _MONTHS[m["mon"].lower()]
        start_month = _MONTHS[m["mon1"].lower()] if m["mon1"] else end_month
    else:
        start_month = _MONTHS[m["mon"].lower()]
        end_month = _MONTHS[m["mon2"].lower()] if m["mon2"] else start_month
    start_day, end_day = int(m["day"]), int(m["day2"])
    wrapped = (start_month, start_day) > (end_month, end_day)
    if m["year"] is not None:
        end_year = int(m["year"])
        start_year = end_year - 1 if wrapped else end_year
        used_anchor = False
    else:
        a = _need_anchor(text, anchor, "has no year")
        start_year = a.year if (start_month, start_day) <= (a.month, a.day) else a.year - 1
        end_year = start_year + 1 if wrapped else start_year
        used_anchor = True
    lo = _day(text, start_year, start_month, start_day)
    hi = _day(text, end_year, end_month, end_day)
    return _window(_q(text), lo, hi, used_anchor)


#: The thirds news divides a month or a year into. A month: early = days 1-10, mid = 11-20,
#: late = 21 to the end (the common reading of "mid-March" as the middle third, and the way
#: statistical offices split a month into dekads). A year: early = January-April, mid =
#: May-August, late = September-December (a third each, so "early" and "late" never overlap
#: "mid"). Where the source means something narrower it says so, and the words are kept.
_MONTH_THIRDS = {"early": (1, 10), "mid": (11, 20), "middle": (11, 20), "late": (21, 31)}
_YEAR_THIRDS = {"early": (1, 4), "mid": (5, 8), "middle": (5, 8), "late": (9, 12)}
_THIRD_PERIOD = re.compile(r"(?P<which>this|last|next) (?P<unit>month|year)", _A)


def _third(text: str, part: str, rest: str, anchor: date | None) -> _Span:
    """early/mid/late of a month ("mid-March", "late last month") or a year ("early 2018").

    A month named without a year is the most recent one whose third has begun by the anchor,
    cut at the anchor (as a bare "March" in a March story is March so far). An early or late
    weekday ("early Saturday") is that day, as AP style uses it.
    """
    low = rest.lower()
    m = _WEEKDAY.fullmatch(rest)
    if m is not None and part in ("early", "late") and m["last"] is None:
        return _atom(rest, anchor)
    month_of: tuple[int, int] | None = None  # (year, month)
    year_of: int | None = None
    used_anchor = False
    cap: date | None = None
    if _ISO_YEAR.fullmatch(rest):
        year_of = int(rest)
    elif (iso := _ISO_MONTH.fullmatch(rest)) is not None:
        month_of = (int(iso[1]), int(iso[2]))
    elif (named := _MONTH_YEAR.fullmatch(rest)) is not None:
        month = _MONTHS[named["mon"].lower()]
        if named["year"] is not None:
            month_of = (int(named["year"]), month)
        else:
            a = _need_anchor(text, anchor, "has no year")
            first_day = _MONTH_THIRDS[part][0]
            year = a.year if (month, first_day) <= (a.month, a.day) else a.year - 1
            month_of, used_anchor, cap = (year, month), True, a
    elif (period := _THIRD_PERIOD.fullmatch(low)) is not None:
        a = _need_anchor(text, anchor)
        step = {"this": 0, "last": -1, "next": 1}[period["which"]]
        used_anchor = True
        if period["unit"] == "year":
            year_of = a.year + step
        else:
            index = a.year * 12 + a.month - 1 + step
            month_of = (index // 12, index % 12 + 1)
    else:
        raise InvalidDate(
            f"could not understand {_q(text)} as a date: {part} of what? Write early, mid or late "
            "with a month ('mid-March', 'late March 2014'), a year ('early 2018') or "
            "'this/last/next month' or 'year'"
        )
    try:
        if month_of is not None:
            year, month = month_of
            reason = _not_real(_q(text), year, month)
            if reason is not None:
                raise InvalidDate(reason)
            first, last = _MONTH_THIRDS[part]
            lo = date(year, month, first)
            hi = date(year, month, min(last, _month_length(year, month)))
        else:
            assert year_of is not None
            reason = _not_real(_q(text), year_of, 1)
            if reason is not None:
                raise InvalidDate(reason)
            first, last = _YEAR_THIRDS[part]
            lo = date(year_of, first, 1)
            hi = _month_end(date(year_of, last, 1))
    except (ValueError, OverflowError):
        raise InvalidDate(f"{_q(text)} is outside the supported years 0001-9999") from None
    if cap is not None and cap < hi:
        hi = cap
    return _window(_q(text), lo, hi, used_anchor)


# --------------------------------------------------------------------------------------------
# Atoms: one date, month, year, relative phrase or EDTF expression


_MON = rf"(?P<mon>{_alternation(_MONTHS)})\.?"
_WDAY = rf"(?P<wd>{_alternation(_WEEKDAYS)})\.?"
_ORD = r"(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:(?:, ?| )(?P<year>[0-9]{4}))"
_PREFIX = re.compile(r"(?:on|in|during) (?P<rest>.+)", _A)
_DATELINE = re.compile(rf"{_WDAY},? (?P<rest>.+)", _A)
_MONTH_DAY = re.compile(rf"{_MON} {_ORD}{_YEAR}?", _A)
_DAY_MONTH = re.compile(rf"(?:the )?{_ORD} (?:of )?{_MON}{_YEAR}?", _A)
_MONTH_YEAR = re.compile(rf"{_MON}{_YEAR}?", _A)
_WEEKDAY = re.compile(
    rf"(?:(?P<last>last|this past|past) )?{_WDAY}(?: (?:morning|afternoon|evening|night))?", _A
)
_AGO = re.compile(
    rf"(?P<n>[0-9]{{1,6}}|{_alternation(_NUMBER_WORDS)}) (?P<unit>days?|weeks?) ago", _A
)
_PERIOD = re.compile(r"(?P<which>this|earlier this|last|next) (?P<unit>week|month|year)", _A)
_SAME_DAY = {
    "today",
    "earlier today",
    "later today",
    "tonight",
    "this morning",
    "this afternoon",
    "this evening",
}
_EDTF_CHARS = re.compile(r"[0-9XYSE?~%/.\[\]{},:+\-TZ ]+", _A)

# "June 30-July 2, 2019", "June 30 to July 2, 2019", "March 3-9, 2014", "3-9 March 2014",
# "30 June-2 July 2019": one range of days, the year written once, at the end, for both ends.
_RANGE_SEP = r"(?: ?[-\u2013\u2014] ?| (?:to|through|thru|until|till|and) )"
_RANGE_MONTH_FIRST = re.compile(
    rf"(?P<lead>from |between )?{_MON} {_ORD}{_RANGE_SEP}"
    rf"(?:(?P<mon2>{_alternation(_MONTHS)})\.? )?(?P<day2>[0-9]{{1,2}})(?:st|nd|rd|th)?{_YEAR}?",
    _A,
)
_RANGE_DAY_FIRST = re.compile(
    rf"(?P<lead>from |between )?(?:the )?{_ORD}(?: (?:of )?(?P<mon1>{_alternation(_MONTHS)})\.?)?"
    rf"{_RANGE_SEP}(?:the )?(?P<day2>[0-9]{{1,2}})(?:st|nd|rd|th)? (?:of )?"
    rf"(?P<mon>{_alternation(_MONTHS)})\.?{_YEAR}?",
    _A,
)
# Parts of a day add nothing to the day: AP style dates anything after midnight by the next day
# ("early Saturday"), so "Friday night" is Friday and "early Saturday" is Saturday.
_DAY_PART = r"(?: (?:morning|afternoon|evening|night))?"
# "early/mid/late March", "mid-March 2014", "late last month", "early 2018": a third of the
# month or year, the way reporters divide them (see ``_THIRD``).
_THIRD_OF = re.compile(r"(?P<part>early|mid|middle|late)(?:-| )(?:of )?(?P<rest>.+)", _A)


def _atom(text: str, anchor: date | None, prefixed: bool = False) -> _Span:
    low = text.lower()
    m = _ISO_DAY.fullmatch(text)
    if m is not None:
        return _exact(_day(text, int(m[1]), int(m[2]), int(m[3])), False)
    m = _ISO_MONTH.fullmatch(text)
    if m is not None and not 21 <= int(m[2]) <= 41:  # 21..41 are EDTF seasons
        return _month(text, int(m[1]), int(m[2]))
    if _ISO_YEAR.fullmatch(text):
        return _year(text, int(text))
    if low == "unknown":
        return _Span("XXXX-XX-XX", None, None, False)
    m = _PREFIX.fullmatch(text)
    if m is not None and not prefixed and not low.startswith("on or "):
        return _atom(m["rest"], anchor, prefixed=True)
    span = _named_date(text, anchor)
    if span is not None:
        return span
    m = _THIRD_OF.fullmatch(text)
    if m is not None:
        return _third(text, m["part"].lower(), m["rest"], anchor)
    span = _relative(text, low, anchor)
    if span is not None:
        return span
    if _EDTF_CHARS.fullmatch(text):
        return _edtf(text)
    raise InvalidDate(f"could not understand {_q(text)} as a date; {_HINT}")


def _month(text: str, year: int, month: int) -> _Span:
    reason = _not_real(_q(text), year, month)
    if reason is not None:
        raise InvalidDate(reason)
    first = date(year, month, 1)
    return _Span(f"{year:04d}-{month:02d}", first, _month_end(first), False)


def _year(text: str, year: int) -> _Span:
    reason = _not_real(_q(text), year, 1)
    if reason is not None:
        raise InvalidDate(reason)
    return _Span(f"{year:04d}", date(year, 1, 1), date(year, 12, 31), False)


def _need_anchor(text: str, anchor: date | None, why: str = "is relative") -> date:
    if anchor is None:
        raise InvalidDate(
            f"{_q(text)} {why} and needs an anchor date (the source's publication date)"
        )
    return anchor


def _named_date(text: str, anchor: date | None, dateline: bool = True) -> _Span | None:
    """March 10, 2014 / 10 March 2014 / Mar. 10 / March 2014 / Monday, March 10, 2014."""
    m = _DATELINE.fullmatch(text) if dateline else None
    if m is not None:
        inner = _named_date(m["rest"], anchor, dateline=False)
        if inner is not None and inner.earliest is not None and inner.earliest == inner.latest:
            weekday = _WEEKDAYS[m["wd"].lower()]
            if inner.earliest.weekday() != weekday:
                actual = _WEEKDAY_NAMES[inner.earliest.weekday()]
                raise InvalidDate(
                    f"{_q(text)} contradicts itself: {inner.earliest.isoformat()} was a {actual}"
                )
            return inner
        return None
    m = _MONTH_DAY.fullmatch(text) or _DAY_MONTH.fullmatch(text)
    if m is not None:
        month, day = _MONTHS[m["mon"].lower()], int(m["day"])
        if m["year"] is not None:
            return _exact(_day(text, int(m["year"]), month, day), False)
        a = _need_anchor(text, anchor, "has no year")
        year = a.year if (month, day) <= (a.month, a.day) else a.year - 1
        return _exact(_day(text, year, month, day), True)
    m = _MONTH_YEAR.fullmatch(text)
    if m is not None:
        month = _MONTHS[m["mon"].lower()]
        if m["year"] is not None:
            return _month(text, int(m["year"]), month)
        a = _need_anchor(text, anchor, "has no year")
        if month == a.month:  # the current month, so far
            return _window(_q(text), a.replace(day=1), a, True)
        span = _month(text, a.year if month < a.month else a.year - 1, month)
        return span._replace(used_anchor=True)
    return None


def _relative(text: str, low: str, anchor: date | None) -> _Span | None:
    """today, yesterday, Monday, last Friday, last week, this month, three days ago, ..."""
    try:
        return _relative_unchecked(text, low, anchor)
    except (ValueError, OverflowError):
        raise InvalidDate(
            f"{_q(text)} falls outside the supported years 0001-9999 "
            f"when read from {anchor.isoformat() if anchor else 'its anchor'}"
        ) from None


def _relative_unchecked(text: str, low: str, anchor: date | None) -> _Span | None:
    one = timedelta(days=1)
    if low in _SAME_DAY:
        return _exact(_need_anchor(text, anchor), True)
    if low in ("yesterday", "last night", "yesterday morning", "yesterday afternoon",
               "yesterday evening"):
        return _exact(_need_anchor(text, anchor) - one, True)
    if low == "tomorrow":
        return _exact(_need_anchor(text, anchor) + one, True)
    if low == "recently":
        a = _need_anchor(text, anchor)
        return _window(_q(text), a - timedelta(days=30), a, True)
    if low in ("over the weekend", "at the weekend", "last weekend"):
        a = _need_anchor(text, anchor)
        if low == "last weekend":  # the weekend of the previous ISO week
            monday = a - timedelta(days=a.weekday())
            return _window(_q(text), monday - 2 * one, monday - one, True)
        saturday = a - timedelta(days=(a.weekday() - 5) % 7)
        return _window(_q(text), saturday, min(saturday + one, a), True)
    m = _WEEKDAY.fullmatch(text)
    if m is not None:
        a = _need_anchor(text, anchor)
        back = (a.weekday() - _WEEKDAYS[m["wd"].lower()]) % 7
        if m["last"] is not None and back == 0:
            back = 7
        return _exact(a - timedelta(days=back), True)
    m = _AGO.fullmatch(text)
    if m is not None:
        a = _need_anchor(text, anchor)
        n = _NUMBER_WORDS.get(m["n"].lower()) or int(m["n"])
        days = n * 7 if m["unit"].lower().startswith("week") else n
        return _exact(a - timedelta(days=days), True)
    m = _PERIOD.fullmatch(text)
    if m is not None:
        return _period(text, m["which"].lower(), m["unit"].lower(), _need_anchor(text, anchor))
    return None


def _period(text: str, which: str, unit: str, a: date) -> _Span:
    """this/earlier this/last/next week, month or year around anchor ``a``."""
    if unit == "week":
        monday = a - timedelta(days=a.weekday())
        start = {"last": monday - timedelta(days=7), "next": monday + timedelta(days=7)}
        lo = start.get(which, monday)
        hi = a if which in ("this", "earlier this") else lo + timedelta(days=6)
    elif unit == "month":
        first = a.replace(day=1)
        if which == "last":
            lo = (first - timedelta(days=1)).replace(day=1)
        elif which == "next":
            lo = _month_end(a) + timedelta(days=1)
        else:
            lo = first
        hi = a if which in ("this", "earlier this") else _month_end(lo)
    else:
        year = a.year + {"last": -1, "next": 1}.get(which, 0)
        lo = date(year, 1, 1)
        hi = a if which in ("this", "earlier this") else date(year, 12, 31)
    return _window(_q(text), lo, hi, True)


# --------------------------------------------------------------------------------------------
# EDTF input


_EDTF_MAX = 200  # longer text is not a date; spare pyparsing the work
_UNSPECIFIED = re.compile(r"([0-9X]{4})(?:-([0-9X]{2})(?:-([0-9X]{2}))?)?", re.ASCII)


_LONG_YEAR = re.compile(r"y(-?)(\d+)(?:e(\d+))?(?:s\d+)?", _A | re.IGNORECASE)


def _guard_long_years(text: str) -> None:
    """Refuse, before the edtf library sees it, a long-form year (``Y170002``, ``Y17E7``)
    outside 0001-9999: edtf computes ``int(base) * 10 ** int(exponent)`` on the text as given,
    so ``Y1E9999999999`` would run for ever."""
    for m in _LONG_YEAR.finditer(text):
        sign, base, exponent = m.group(1), m.group(2).lstrip("0"), m.group(3)
        digits = len(base) + (int(exponent) if exponent is not None and len(exponent) <= 2
                              else 99 if exponent is not None else 0)
        year = 0 if not base else (int(base) * 10 ** int(exponent or 0) if digits <= 5 else None)
        if sign or year is None or not 1 <= year <= 9999:
            raise InvalidDate(f"{_q(text)} is outside the supported years 0001-9999")


@lru_cache(maxsize=1024)
def _edtf(text: str) -> _Span:
    """EDTF input, kept as written; strict bounds only, open or unknown ends unbounded."""
    _guard_long_years(text)
    try:
        from edtf import parse_edtf  # slow to import: only EDTF input pays for it

        form, parsed = text, None
        for form in dict.fromkeys((text, text.upper())) if len(text) <= _EDTF_MAX else ():
            try:
                # edtf 5.0.2 print()s a debugging line whenever a parse action fails
                with redirect_stdout(io.StringIO()):
                    parsed = parse_edtf(form)
                break
            except Exception:
                continue
    except Exception:  # pragma: no cover - edtf missing or broken
        parsed = None
    if parsed is None:
        _check_day_tokens(text)
        raise InvalidDate(f"could not understand {_q(text)} as a date; {_HINT}")
    lo, hi = _edtf_bounds(text, parsed)
    if lo is not None and hi is not None and hi < lo:
        raise InvalidDate(f"{_q(text)} ends ({hi.isoformat()}) before it starts ({lo.isoformat()})")
    return _Span(form, lo, hi, False)


def _edtf_bounds(text: str, obj: Any) -> tuple[date | None, date | None]:
    from edtf import Interval, UnspecifiedIntervalSection

    if isinstance(obj, UnspecifiedIntervalSection):  # ".." (open) or "" (unknown)
        return None, None
    if isinstance(obj, Interval):  # each end on its own: edtf invents bounds for unknown ends
        lo, _ = _edtf_bounds(text, obj.lower)
        _, hi = _edtf_bounds(text, obj.upper)
        return lo, hi
    shown = str(obj)
    if "X" in shown:
        plain = shown.translate({ord(c): None for c in "?~%"})
        m = _UNSPECIFIED.fullmatch(plain)
        if m is not None:
            return _unspecified_bounds(text, m[1], m[2], m[3])
    try:
        return _struct_to_date(obj.lower_strict()), _struct_to_date(obj.upper_strict())
    except InvalidDate:
        raise
    except Exception as exc:
        _check_day_tokens(text)
        if "out of range" in str(exc):
            raise InvalidDate(f"{_q(text)} is outside the supported years 0001-9999") from None
        raise InvalidDate(f"{_q(text)} is EDTF whose dates cannot be worked out") from None


def _struct_to_date(value: Any) -> date | None:
    from edtf import struct_time_to_date

    if isinstance(value, float):  # edtf's -inf / inf for open ends
        return None
    result: date = struct_time_to_date(value)
    return result


def _digits(pattern: str, low: int, high: int) -> list[int]:
    """Every number in [low, high] whose digits match ``pattern`` (X = any digit), ascending."""
    choices = ["0123456789" if c == "X" else c for c in pattern]
    values = (int("".join(p)) for p in product(*choices))
    return [v for v in values if low <= v <= high]


def _unspecified_bounds(
    text: str, year: str, month: str | None, day: str | None
) -> tuple[date | None, date | None]:
    """Bounds of an EDTF date with unspecified digits (``2014-03-1X``), which edtf cannot do."""
    if year == "XXXX":
        return None, None  # any year at all: unknown
    years = _digits(year, 1, 9999)
    months = _digits(month, 1, 12) if month else list(range(1, 13))
    days = _digits(day, 1, 31) if day else list(range(1, 32))

    def first(ys: list[int], ms: list[int], ds: list[int]) -> date | None:
        for y in ys:
            for mo in ms:
                length = _month_length(y, mo)
                for d in ds:
                    if d <= length:
                        return date(y, mo, d)
        return None

    lo = first(years, months, days)
    hi = first(years[::-1], months[::-1], days[::-1])
    if lo is None or hi is None:
        raise InvalidDate(f"{_q(text)} matches no real date")
    return lo, hi
