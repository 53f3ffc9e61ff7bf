"""One run over one file: read each line (``reading``), check it (``checks``), resolve its references
chunk by chunk (``references``), then count or write it (``writing``).

``Importer.run(write=False)`` is the check (dry run): every bad row is reported through
``on_problem``, nothing is written. ``Importer.run(write=True)`` is the import, in the caller's
transaction: it stops at the first bad row (``ImportFailed``) so that the caller rolls everything back,
all or nothing. Every check that depends on the database is made again; with ``checked=True`` (the same
file passed a check) the search for external ids repeated within the file is skipped.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, text

from planner.collector import fewer_collections
from planner.crm.fields import STORED, filled
from planner.crm.imports.checks import NAME_PARTS, Problem, RowReader
from planner.crm.imports.reading import CHUNK, FileRefused, SourceInfo, file_rows
from planner.crm.imports.references import References
from planner.crm.imports.values import ReadOptions
from planner.crm.imports.writing import TARGETS, Writer
from planner.crm.models import RecordKind
from planner.extensions import db

SQLITE_IMPORT_CACHE_KB = 128_000  # bounded: the same whatever the size of the file


@dataclass
class Outcome:
    rows: int = 0
    bad_rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: int = 0


class ImportFailed(Exception):
    """The import met a bad row; the caller rolls back and runs a check to list them all."""


class Importer:
    """Reads one file of one kind of record into a project."""

    def __init__(self, project, kind: RecordKind, path: Path, info: SourceInfo, mapping: dict[str, int], *,
                 day_first: bool = True, decimal_comma: bool = False, timezone: str = "UTC", user=None,
                 on_problem: Callable[[Problem], None] | None = None, on_progress: Callable | None = None,
                 checked: bool = False, others: list[tuple[int, str]] | None = None):
        self.project, self.kind, self.path, self.info = project, RecordKind(kind), Path(path), info
        self.mapping = {name: int(index) for name, index in mapping.items()}
        self.options = ReadOptions(day_first, decimal_comma, timezone or "UTC")
        self.user = user
        self.on_problem = on_problem or (lambda problem: None)
        self.on_progress = on_progress
        self.checked = checked  # this very file passed a check: the import can skip the file-only checks
        self.outcome = Outcome()
        written = filled(self.kind, self.mapping)
        specs = [spec for spec in STORED[self.kind] if spec.name in written
                 or (spec.name == "name" and any(part in self.mapping for part in NAME_PARTS))]
        self.rows = RowReader(self.kind, info, self.mapping, self.options, others)
        self.references = References(project, self.mapping, TARGETS[self.kind])
        self.writer = Writer(project, self.kind, specs, self.outcome, other_fields=bool(others))

    def run(self, write: bool) -> Outcome:
        with fewer_collections():
            return self._run(write)

    def _run(self, write: bool) -> Outcome:
        sqlite = db.session.get_bind().dialect.name == "sqlite"
        if sqlite:
            # A larger page cache while the import runs: inserting into big indexes stays in memory.
            db.session.execute(text(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KB}"))
        self.references.open()
        model = TARGETS[self.kind]
        self.writer.fresh = db.session.scalar(select(model.id).where(model.project_id == self.project.id).limit(1)) \
            is None
        chunk: list[tuple[int, dict, list[Problem]]] = []
        progress = None
        if self.on_progress is not None:
            progress = lambda fraction: self.on_progress(fraction, self.outcome.rows)  # noqa: E731
        try:
            try:
                for line, cells in file_rows(self.path, self.info, progress):
                    self.outcome.rows += 1
                    values, problems = self.rows.read(line, cells)
                    if problems and write:
                        self._refuse(problems, write)
                    chunk.append((line, values, problems))
                    if len(chunk) >= CHUNK:
                        self._process(chunk, write)
                        chunk = []
            except FileRefused as refused:
                # A limit reached: the rows before it are still checked; the file is not read further.
                if chunk:
                    self._process(chunk, write)
                    chunk = []
                self._refuse([Problem(refused.line, refused.code, value=str(refused.limit))], write)
            if chunk:
                self._process(chunk, write)
        finally:
            self.references.close()
            if sqlite:
                db.session.execute(text("PRAGMA cache_size = -2000"))  # back to SQLite's default
                db.session.execute(text("PRAGMA shrink_memory"))
        if write:
            self.writer.finish()
        if self.on_progress is not None:
            self.on_progress(1.0, self.outcome.rows)
        return self.outcome

    def _refuse(self, problems: list[Problem], write: bool) -> None:
        self.outcome.bad_rows += 1
        self.outcome.problems += len(problems)
        if write:
            raise ImportFailed(problems[0])
        for problem in problems:
            self.on_problem(problem)

    def _process(self, chunk: list[tuple[int, dict, list[Problem]]], write: bool) -> None:
        """The chunk's references and repeated ids checked; every problem of a row reported together,
        rows in line order; the good rows counted or written."""
        good, refused = self.references.resolve(chunk, find_repeats=not (write and self.checked),
                                                ids=not self.writer.fresh)
        for problems in refused:
            self._refuse(problems, write)
        self.writer.merge(good, write)
