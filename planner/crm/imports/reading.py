"""Reading an uploaded file: its format, encoding, separator and header, then its rows one by one.

Handles CSV (UTF-8, UTF-8 with a byte-order mark, GB18030 as Chinese Excel writes it,
Windows-1252 as Spanish Excel writes it; ``,`` ``;`` or tab) and the first sheet of an XLSX
workbook. The file is streamed, never held in memory.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import lazy_gettext as _l

from planner.errors import DomainError

CHUNK = 5000  # rows handled together (and how often progress is reported)
SAMPLE_BYTES = 256 * 1024
SPANISH_LETTERS = set("áéíóúüñÁÉÍÓÚÜÑ¿¡€ºª°·«»“”‘’–—…çÇàèìòùÀÈÌÒÙâêîôûäëïöÿ")

FILE_ERRORS = {
    "empty": _l("The file is empty."),
    "format": _l("This is not a CSV file or an Excel workbook (.xlsx) that we can read."),
    "encoding": _l("We could not tell how the text of this file is encoded. Save it as “CSV UTF-8” and try again."),
    "headers": _l("The first line must hold the column names, and it is empty."),
    "too_large": _l("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files, or use the "
                    "command line import."),
}


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


def inspect_file(path: Path) -> SourceInfo:
    """Format, encoding, separator and column names of an uploaded file."""
    path = Path(path)
    if path.stat().st_size == 0:
        raise DomainError(FILE_ERRORS["empty"])
    if zipfile.is_zipfile(path):
        info = SourceInfo("xlsx")
        try:
            rows = _xlsx_rows(path, info)
            _line, first = next(rows, (1, []))
            rows.close()
        except Exception as exc:  # noqa: BLE001 - any failure to read the workbook means "not readable"
            raise DomainError(FILE_ERRORS["format"]) from exc
        info.headers = [cell_text(cell) for cell in first]
    else:
        encoding = detect_encoding(path)
        with open(path, encoding=encoding, newline="") as handle:
            try:
                header_line = handle.readline()
            except UnicodeDecodeError as exc:
                raise DomainError(FILE_ERRORS["encoding"]) from exc
        if "\x00" in header_line:
            raise DomainError(FILE_ERRORS["format"])
        info = SourceInfo("csv", encoding, _delimiter(header_line))
        info.headers = next(csv.reader(io.StringIO(header_line), delimiter=info.delimiter), [])
    info.headers = [h.strip().lstrip("\ufeff") for h in info.headers]
    while info.headers and not info.headers[-1]:
        info.headers.pop()
    if not any(info.headers):
        raise DomainError(FILE_ERRORS["headers"])
    return info


def _xlsx_rows(path: Path, info: SourceInfo, progress: Callable | None = None) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        total = sheet.max_row or 0
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if progress is not None and total and number % CHUNK == 0:
                progress(min(number / total, 1.0))
            yield number, list(row)
    finally:
        workbook.close()


def _csv_rows(path: Path, info: SourceInfo, progress: Callable | None = None) -> Iterator[tuple[int, list]]:
    size = max(path.stat().st_size, 1)
    with open(path, "rb") as raw:
        handle = io.TextIOWrapper(raw, encoding=info.encoding, newline="")
        reader = csv.reader(handle, delimiter=info.delimiter)
        for number, row in enumerate(reader, start=1):
            if progress is not None and number % CHUNK == 0:
                progress(min(raw.tell() / size, 1.0))
            yield number, row


def file_rows(path: Path, info: SourceInfo, progress: Callable | None = None) -> Iterator[tuple[int, list]]:
    """(line number, cells) for every line after the header; wholly empty lines are skipped.
    ``progress(fraction)`` is called every CHUNK lines."""
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
    rows = []
    for _number, cells in file_rows(path, info):
        rows.append([cell_text(cell) for cell in cells][: len(info.headers)])
        if len(rows) >= limit:
            break
    return rows
