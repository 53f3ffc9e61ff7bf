"""A small iCalendar (RFC 5545) writer for all-day events.

Text values are escaped (backslash, semicolon, comma, newline), content lines end with CRLF and are
folded at 75 octets without splitting a UTF-8 character; an all-day event ends on the day after its
last day (DTEND is exclusive).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

LINE_OCTETS = 75


@dataclass(frozen=True)
class Event:
    uid: str
    first_day: date
    last_day: date
    summary: str
    description: str = ""
    url: str = ""
    categories: str = ""


def escape_text(value: str) -> str:
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Splits a content line into pieces of at most 75 octets, continuation lines starting with a
    space (which counts towards their 75), never inside a multi-byte character."""
    pieces, current, size = [], [], 0
    limit = LINE_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, LINE_OCTETS - 1
        current.append(char)
        size += octets
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


def _date(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"  # strftime drops the zeros of years before 1000


def _end(event: Event) -> str:
    """DTEND (the day after the last), or the same length as a DURATION when the last day is the
    last representable date (31 December 9999) and has no day after it."""
    first, last = event.first_day, max(event.last_day, event.first_day)
    if last < date.max:
        return f"DTEND;VALUE=DATE:{_date(last + timedelta(days=1))}"
    return f"DURATION:P{(last - first).days + 1}D"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def calendar(name: str, events: list[Event], now: datetime, prodid: str, language: str = "") -> str:
    """The whole calendar as text, CRLF line endings included. ``now`` is a UTC datetime."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{prodid}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{escape_text(name)}", "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H"]
    language_param = f";LANGUAGE={language}" if language else ""
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{_stamp(now)}",
                  f"DTSTART;VALUE=DATE:{_date(event.first_day)}",
                  _end(event),
                  f"SUMMARY{language_param}:{escape_text(event.summary)}"]
        if event.description:
            lines.append(f"DESCRIPTION{language_param}:{escape_text(event.description)}")
        if event.categories:
            lines.append(f"CATEGORIES:{escape_text(event.categories)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
