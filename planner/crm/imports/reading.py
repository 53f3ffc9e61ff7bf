"""Reading an uploaded file: its format, encoding, separator and header, then its rows one by one.

Handles CSV (UTF-8, UTF-8 with a byte-order mark, GB18030 as Chinese Excel writes it,
Windows-1252 as Spanish Excel writes it; ``,`` ``;`` or tab) and the first sheet of an XLSX
workbook. The file is streamed, never held in memory.

Line numbers are the file's physical lines (a quoted cell spanning two lines counts two), so they
match what a text editor shows; in a workbook they are the sheet's row numbers.

Hostile files are refused cheaply, before anything is loaded: at most ``MAX_COLUMNS`` columns with
names of at most ``MAX_NAME_CHARS`` characters, cells of at most ``MAX_CELL_CHARS`` characters; a
workbook's parts are measured from its directory before any is unpacked (at most
``XLSX_MAX_UNPACKED_MB`` in all, ``XLSX_MAX_STRINGS_MB`` of shared strings, which openpyxl loads
whole, and no part packed more tightly than ``XLSX_MAX_RATIO`` to 1: a zip part never yields more
than its stated size), then its rows are streamed and counted (``XLSX_MAX_ROWS``).
"""

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import iterparse  # noqa: S405 - see _first_row_width

from planner.errors import DomainError
from planner.i18n import lazy_gettext as _l

CHUNK = 5000  # rows handled together (and how often progress is reported)
SAMPLE_BYTES = 256 * 1024
SPANISH_LETTERS = set("áéíóúüñÁÉÍÓÚÜÑ¿¡€ºª°·«»“”‘’–—…çÇàèìòùÀÈÌÒÙâêîôûäëïöÿ")

MAX_COLUMNS = 500
MAX_NAME_CHARS = 200
MAX_CELL_CHARS = 32_000
HEADER_LINE_CHARS = MAX_COLUMNS * (MAX_NAME_CHARS + 3)  # the longest first line that can be within both limits
XLSX_MAX_UNPACKED_MB = 400
XLSX_MAX_STRINGS_MB = 100
XLSX_MAX_RATIO = 100
XLSX_MAX_ROWS = 1_048_576
PREVIEW_CHARS = 120

csv.field_size_limit(MAX_CELL_CHARS)  # the csv module refuses a longer cell (csv.Error) instead of reading it

FILE_ERRORS = {
    "empty": _l("The file is empty."),
    "format": _l("This is not a CSV file or an Excel workbook (.xlsx) that we can read."),
    "encoding": _l("We could not tell how the text of this file is encoded. Save it as “CSV UTF-8” and try again."),
    "headers": _l("The first line must hold the column names, and it is empty."),
    "too_large": _l("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files, or use the "
                    "command line import."),
    "no_rows": _l("The file holds the column names but no rows: there is nothing to import."),
    "duplicate": _l("Two columns are named “%(name)s” (columns %(first)s and %(second)s). Rename one of them so "
                    "that each column has its own name, then upload the file again."),
    "columns": _l("The file has more than %(limit)s columns, the most an import reads. Remove the columns you do "
                  "not need and upload it again."),
    "name_length": _l("Column %(number)s has a name longer than %(limit)s characters, the longest we accept."),
    "xlsx_unpacked": _l("Once unpacked, this workbook would take more than %(limit)s MB, the most an import "
                        "reads. Save it as CSV or split it into smaller files."),
    "xlsx_ratio": _l("This workbook is packed more than %(limit)s times tighter than a spreadsheet can be, so we "
                     "do not open it. Save it again from your spreadsheet program, or as CSV."),
}


class FileRefused(Exception):
    """A limit reached while the rows are streamed: the line and a reason code of ``checks.REASONS``."""

    def __init__(self, line: int, code: str, limit: int, value: str = ""):
        super().__init__(code)
        self.line, self.code, self.limit, self.value = line, code, limit, value


def refusal(key: str, **values) -> DomainError:
    return DomainError(str(FILE_ERRORS[key]) % values if values else FILE_ERRORS[key])


@dataclass
class SourceInfo:
    file_format: str  # csv or xlsx
    encoding: str = ""
    delimiter: str = ","
    headers: list[str] = field(default_factory=list)


def cell_text(value) -> str:
    """A cell as text: None is empty, 12.0 from a spreadsheet is 12."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --------------------------------------------------------------------------- encoding


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as handle:
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _non_ascii_sample(path: Path) -> bytes:
    """Up to SAMPLE_BYTES of the file's lines that hold non-ASCII bytes."""
    found = bytearray()
    with open(path, "rb") as handle:
        for raw_line in handle:
            if any(byte > 0x7F for byte in raw_line):
                found += raw_line
                if len(found) >= SAMPLE_BYTES:
                    break
    return bytes(found)


def _decoded(sample: bytes, encoding: str) -> str | None:
    try:
        return sample.decode(encoding)
    except UnicodeDecodeError:
        return None


def detect_encoding(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _is_utf8(path):
        return "utf-8"
    sample = _non_ascii_sample(path)
    as_gb, as_cp = _decoded(sample, "gb18030"), _decoded(sample, "cp1252")
    if as_cp is not None:
        unusual = [ch for ch in as_cp if ord(ch) > 0x7F and ch not in SPANISH_LETTERS]
        looks_spanish = len(unusual) <= max(2, len([c for c in as_cp if ord(c) > 0x7F]) // 20)
        if looks_spanish or as_gb is None:
            return "cp1252"
    if as_gb is not None:
        return "gb18030"
    raise DomainError(FILE_ERRORS["encoding"])


def _delimiter(header_line: str) -> str:
    counts = dict.fromkeys((",", ";", "\t"), 0)
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


# --------------------------------------------------------------------------- the file


def _check_workbook(path: Path) -> None:
    """Refuses a workbook whose parts would unpack too large or are packed like a zip bomb, from the
    zip directory alone (nothing is decompressed)."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise refusal("format") from exc
    total = 0
    for part in parts:
        if part.file_size > 1024 * 1024 and part.file_size > XLSX_MAX_RATIO * max(part.compress_size, 1):
            raise refusal("xlsx_ratio", limit=XLSX_MAX_RATIO)
        total += part.file_size
        if total > XLSX_MAX_UNPACKED_MB * 1024 * 1024:
            raise refusal("xlsx_unpacked", limit=XLSX_MAX_UNPACKED_MB)
        if part.filename.lower().endswith("sharedstrings.xml") and part.file_size > XLSX_MAX_STRINGS_MB * 1024 * 1024:
            raise refusal("xlsx_unpacked", limit=XLSX_MAX_STRINGS_MB)


def _check_headers(headers: list[str]) -> None:
    if len(headers) > MAX_COLUMNS:
        raise refusal("columns", limit=MAX_COLUMNS)
    seen: dict[str, int] = {}
    for number, name in enumerate(headers, start=1):
        if len(name) > MAX_NAME_CHARS:
            raise refusal("name_length", number=number, limit=MAX_NAME_CHARS)
        if name:
            if name.casefold() in seen:
                raise refusal("duplicate", name=name, first=seen[name.casefold()], second=number)
            seen[name.casefold()] = number


def inspect_file(path: Path) -> SourceInfo:
    """Format, encoding, separator and column names of an uploaded file; raises DomainError for a file
    that cannot be read, has no column names, repeats one, or is beyond a limit."""
    path = Path(path)
    if path.stat().st_size == 0:
        raise DomainError(FILE_ERRORS["empty"])
    if zipfile.is_zipfile(path):
        _check_workbook(path)
        info = SourceInfo("xlsx")
        try:
            rows = _xlsx_rows(path, info)
            _line, first = next(rows, (1, []))
            rows.close()
        except FileRefused as exc:
            raise refusal("columns", limit=MAX_COLUMNS) from exc
        except Exception as exc:  # noqa: BLE001 - any failure to read the workbook means "not readable"
            raise DomainError(FILE_ERRORS["format"]) from exc
        info.headers = [cell_text(cell) for cell in first]
    else:
        encoding = detect_encoding(path)
        with open(path, encoding=encoding, newline="") as handle:
            try:
                header_line = handle.readline(HEADER_LINE_CHARS + 1)
            except UnicodeDecodeError as exc:
                raise DomainError(FILE_ERRORS["encoding"]) from exc
        if "\x00" in header_line:
            raise DomainError(FILE_ERRORS["format"])
        info = SourceInfo("csv", encoding, _delimiter(header_line))
        if len(header_line) > HEADER_LINE_CHARS:
            raise refusal("columns" if header_line.count(info.delimiter) >= MAX_COLUMNS else "name_length",
                          limit=MAX_COLUMNS if header_line.count(info.delimiter) >= MAX_COLUMNS else MAX_NAME_CHARS,
                          number=1)
        try:
            info.headers = next(csv.reader(io.StringIO(header_line), delimiter=info.delimiter), [])
        except csv.Error as exc:
            raise refusal("name_length", number=1, limit=MAX_NAME_CHARS) from exc
    info.headers = [h.strip().lstrip("\ufeff") for h in info.headers]
    while info.headers and not info.headers[-1]:
        info.headers.pop()
    if not any(info.headers):
        raise DomainError(FILE_ERRORS["headers"])
    _check_headers(info.headers)
    return info


def _xlsx_rows(path: Path, info: SourceInfo, progress: Callable | None = None) -> Iterator[tuple[int, list]]:
    """The first sheet's rows, numbered as the sheet numbers them. The sheet's stated dimensions are
    ignored (a hostile one would have every row padded to 16,384 cells): rows hold the cells present."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        total = sheet.max_row or 0
        if total > XLSX_MAX_ROWS:
            total = XLSX_MAX_ROWS
        if _first_row_width(workbook, sheet) > MAX_COLUMNS:
            raise FileRefused(1, "too_many_cells", MAX_COLUMNS)
        sheet.reset_dimensions()
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > XLSX_MAX_ROWS:
                raise FileRefused(number, "too_many_rows", XLSX_MAX_ROWS)
            if len(row) > MAX_COLUMNS:
                while row and row[-1] is None:
                    row = row[:-1]
                if len(row) > MAX_COLUMNS:
                    raise FileRefused(number, "too_many_cells", MAX_COLUMNS)
            for cell in row:
                if cell.__class__ is str and len(cell) > MAX_CELL_CHARS:
                    raise FileRefused(number, "cell_too_large", MAX_CELL_CHARS)
            if progress is not None and total and number % CHUNK == 0:
                progress(min(number / total, 1.0))
            yield number, list(row)
    finally:
        workbook.close()


def _first_row_width(workbook, sheet) -> int:
    """The cells of the sheet's first row, counted from its XML up to MAX_COLUMNS + 1 (openpyxl reads a
    whole row before it yields it: 16,384 cells take it a second)."""
    count = 0
    with workbook._archive.open(sheet._worksheet_path) as source:
        # The same parser openpyxl uses on the same part (expat refuses entity expansion bombs itself).
        for event, element in iterparse(source, events=("start", "end")):  # noqa: S314
            tag = element.tag.rpartition("}")[2]
            if event == "start":
                if tag == "c":
                    count += 1
                    if count > MAX_COLUMNS:
                        break
            elif tag == "row":
                break
            else:
                element.clear()
    return count


def _csv_rows(path: Path, info: SourceInfo, progress: Callable | None = None) -> Iterator[tuple[int, list]]:
    """(physical line where the record starts, cells): a quoted cell holding line breaks moves the next
    record's line down by as many lines."""
    size = max(path.stat().st_size, 1)
    with open(path, "rb") as raw:
        handle = io.TextIOWrapper(raw, encoding=info.encoding, newline="")
        reader = csv.reader(handle, delimiter=info.delimiter)
        line = 1
        try:
            for count, row in enumerate(reader, start=1):
                if progress is not None and count % CHUNK == 0:
                    progress(min(raw.tell() / size, 1.0))
                yield line, row
                line = reader.line_num + 1
        except csv.Error:
            raise FileRefused(line, "cell_too_large", MAX_CELL_CHARS) from None


def file_rows(path: Path, info: SourceInfo, progress: Callable | None = None) -> Iterator[tuple[int, list]]:
    """(line number, cells) for every line after the header; wholly empty lines are skipped.
    ``progress(fraction)`` is called every CHUNK lines. Raises ``FileRefused`` at a line beyond a limit."""
    reader = _xlsx_rows if info.file_format == "xlsx" else _csv_rows
    rows = reader(Path(path), info, progress)
    next(rows, None)  # the header
    if info.file_format == "csv":
        for number, cells in rows:
            if any(cell and not cell.isspace() for cell in cells):
                yield number, cells
    else:
        for number, cells in rows:
            if any(cell_text(cell) for cell in cells):
                yield number, cells


def preview(path: Path, info: SourceInfo, limit: int = 5) -> list[list[str]]:
    """The first rows as the mapping page shows them (each cell cut to PREVIEW_CHARS)."""
    rows = []
    for _number, cells in file_rows(path, info):
        rows.append([_cut(cell_text(cell)) for cell in cells][: len(info.headers)])
        if len(rows) >= limit:
            break
    return rows


def _cut(text: str) -> str:
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS - 1] + "…"


_DATE_LIKE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-]\d{2,4}(?:\s|T|$)")


@dataclass(frozen=True)
class Detected:
    day_first: bool
    decimal_comma: bool


def detect_reading(path: Path, info: SourceInfo, sample_rows: int = 1000) -> Detected:
    """How the file writes dates and amounts, guessed the same way for the import page and the command
    line: day first, unless dates such as 03/25/2026 show the month first (and none shows the day
    first); a decimal comma in a file separated by semicolons (as Excel writes it in Spanish)."""
    day_first = month_first = 0
    try:
        for count, (_number, cells) in enumerate(file_rows(path, info), start=1):
            for cell in cells:
                if cell.__class__ is str and cell[:1].isdigit():
                    match = _DATE_LIKE.match(cell)
                    if match:
                        first, second = int(match[1]), int(match[2])
                        day_first += first > 12 >= second
                        month_first += second > 12 >= first
            if count >= sample_rows:
                break
    except FileRefused:
        pass  # the check reports it, on its line
    return Detected(day_first=not (month_first and not day_first), decimal_comma=info.delimiter == ";")
