"""Reading one cell as a value of a field's type: text, dates and times, amounts, scores, yes/no,
choices. A cell that cannot be read raises ``Bad(code, value)``; ``checks`` turns it into a problem."""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from planner.crm.fields import BOOL_VALUES, CHOICE_ENUMS, FieldSpec, choice_table, header_key
from planner.crm.imports.reading import cell_text
from planner.crm.models import valid_email, valid_phone
from planner.forms import EARLIEST_DATE, LATEST_DATE
from planner.spreadsheet import FORMULA_STARTS


class Bad(Exception):
    def __init__(self, code: str, value=""):
        super().__init__(code)
        self.code, self.value = code, str(value)[:200]


@dataclass(frozen=True)
class ReadOptions:
    """How the file writes dates, amounts and times (chosen on the mapping form or the command line)."""

    day_first: bool = True
    decimal_comma: bool = False
    timezone: str = "UTC"

    @property
    def zone(self):
        return UTC if (self.timezone or "UTC") == "UTC" else ZoneInfo(self.timezone)


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_YMD = re.compile(r"^(\d{4})[/.\-年](\d{1,2})[/.\-月](\d{1,2})日?(?:[ T]*(\d{1,2})[:时](\d{2})(?:[:分](\d{2}))?秒?)?$")


def parse_when(value, day_first: bool) -> datetime:
    """A naive datetime from an ISO string, a d/m/y or m/d/y string, a Chinese date or an Excel cell."""
    if isinstance(value, datetime):
        if not EARLIEST_DATE <= value.date() <= LATEST_DATE:
            raise Bad("date_range", value.date().isoformat())
        return value
    if isinstance(value, date):
        return parse_when(datetime.combine(value, time()), day_first)
    text_value = str(value).strip()
    if _ISO.match(text_value):
        try:
            result = datetime.fromisoformat(text_value)
        except ValueError:
            pass
        else:
            if not EARLIEST_DATE <= result.date() <= LATEST_DATE:
                raise Bad("date_range", text_value)
            return result
        year, month, day = (int(part) for part in text_value[:10].split("-"))
        _checked_datetime(text_value, year, month, day)  # says which day does not exist, if that is why
        raise Bad("bad_date", text_value)
    match = _YMD.match(text_value)
    if match:
        year, month, day, hour, minute, second = match.groups()
    else:
        match = _DMY.match(text_value)
        if not match:
            raise Bad("bad_date", text_value)
        first, second_part, year, hour, minute, second = match.groups()
        day, month = (first, second_part) if day_first else (second_part, first)
        if len(year) == 2:
            year = "20" + year
    return _checked_datetime(text_value, int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                             int(second or 0))


def _checked_datetime(text_value: str, year: int, month: int, day: int, hour=0, minute=0, second=0) -> datetime:
    """The forms' rules: a real day of a month, a year from 1900 to 2199, a time of day."""
    if 1 <= month <= 12 and 1 <= day <= 31:
        try:
            date(year if 1 <= year <= 9999 else 2000, month, day)
        except ValueError:
            if month == 2 and day == 29:
                raise Bad("not_leap", f"{text_value}|{year}") from None
            raise Bad("no_such_day", f"{text_value}|{month}|{day}") from None
    try:
        result = datetime(year, month, day, hour, minute, second)
    except ValueError:
        raise Bad("bad_date", text_value) from None
    if not EARLIEST_DATE <= result.date() <= LATEST_DATE:
        raise Bad("date_range", text_value)
    return result


def to_utc(value: datetime, zone) -> datetime:
    if value.tzinfo is None:
        # combine() rather than replace(tzinfo=…): the same moment (and fold), at a third of the cost,
        # which counts once per row of an import.
        if zone is UTC:
            return datetime.combine(value.date(), value.time(), UTC)
        value = datetime.combine(value.date(), value.time(), zone)
    return value.astimezone(UTC)


_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def parse_decimal(value, decimal_comma: bool) -> Decimal:
    if isinstance(value, bool):
        raise Bad("bad_number", value)
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
    else:
        cleaned = unicodedata.normalize("NFKC", str(value)).strip()
        for junk in ("€", "$", "¥", "£", "￥", "元", "\u00a0", "\u202f", " ", "'"):
            cleaned = cleaned.replace(junk, "")
        cleaned = cleaned.replace(".", "").replace(",", ".") if decimal_comma else cleaned.replace(",", "")
        if not _NUMBER.match(cleaned):
            raise Bad("bad_number", value)
        number = Decimal(cleaned)
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise Bad("bad_number", value)
    if number < 0:
        raise Bad("negative", value)
    return number.quantize(Decimal("0.01"), ROUND_HALF_UP)


def parse_score(value) -> int:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise Bad("bad_score", value) from None
    if not number.is_finite() or number != number.to_integral_value() or not 1 <= number <= 5:
        raise Bad("bad_score", value)
    return int(number)


def parser(spec: FieldSpec, options: ReadOptions) -> Callable:
    """The function reading a non-empty cell of this field (it runs for every cell of the file)."""
    kind = spec.type
    if kind in ("text", "email", "phone", "name_part", "account", "contact", "user"):
        limit = spec.max_length or 10_000
        rule, code = {"email": (valid_email, "bad_email"), "phone": (valid_phone, "bad_phone")}.get(kind, (None, ""))

        def parse_text(value):
            text_value = value.strip() if value.__class__ is str else cell_text(value)
            if text_value[:1] == "'" and text_value[1:2] in FORMULA_STARTS:
                text_value = text_value[1:]  # our exports' guard against spreadsheet formulas, undone
            if len(text_value) > limit:
                raise Bad("too_long", text_value[:40] + "…")
            if rule is not None and text_value and not rule(text_value):
                raise Bad(code, text_value)
            return text_value

        return parse_text
    if kind == "datetime":
        zone, day_first = options.zone, options.day_first
        return lambda value: to_utc(parse_when(value, day_first), zone)
    if kind == "date":
        return lambda value: parse_when(value, options.day_first).date()
    if kind == "decimal":
        return lambda value: parse_decimal(value, options.decimal_comma)
    if kind == "score":
        return parse_score
    if kind == "bool":
        def parse_bool(value):
            if isinstance(value, bool):
                return value
            found = BOOL_VALUES.get(header_key(cell_text(value)))
            if found is None:
                raise Bad("bad_bool", value)
            return found

        return parse_bool
    if kind in CHOICE_ENUMS:
        table = choice_table(kind)
        seen: dict[str, object] = {}  # files repeat the same few words: normalise each once

        def parse_choice(value):
            found = seen.get(value) if isinstance(value, str) else None
            if found is None:
                found = table.get(header_key(cell_text(value)))
                if found is None:
                    raise Bad("bad_choice", value)
                if isinstance(value, str) and len(seen) < 1000:
                    seen[value] = found
            return found

        return parse_choice
    raise ValueError(f"no parser for {kind}")  # pragma: no cover
