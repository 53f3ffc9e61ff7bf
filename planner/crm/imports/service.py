"""The check and the import of one file, the same for the import page (through its jobs) and for
``flask crm import``: ``check(source)`` lists the problems and writes nothing; ``run(source)`` writes
everything or raises ``ImportFailed`` (the caller rolls back). Both log their start and end."""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from planner import logs
from planner.audit.services import record
from planner.crm.imports.checks import Problem
from planner.crm.imports.importer import Importer, ImportFailed, Outcome
from planner.crm.imports.reading import SourceInfo
from planner.crm.imports.values import ReadOptions
from planner.crm.models import RecordKind
from planner.crm.signals import import_finished

log = logging.getLogger("planner.crm.imports")


@dataclass
class Source:
    """One file of one kind of record for one project, with its column mapping and reading options."""

    project: object
    kind: RecordKind
    path: Path
    info: SourceInfo
    mapping: dict[str, int]
    options: ReadOptions = ReadOptions()
    filename: str = ""
    user: object = None  # who imports (the audit event's actor)
    others: list[tuple[int, str]] | None = None  # the columns kept as other fields (``checks.other_columns``)

    def importer(self, **callbacks) -> Importer:
        return Importer(self.project, self.kind, self.path, self.info, self.mapping,
                        day_first=self.options.day_first, decimal_comma=self.options.decimal_comma,
                        timezone=self.options.timezone, others=self.others, **callbacks)


def _logged(step: str, source: Source, job_id: int | None, work: Callable[[], Outcome]) -> Outcome:
    fields = {"project_id": source.project.id, "kind": source.kind.value, "job_id": job_id}
    logs.event(f"crm.{step}.start", logger=log, **fields)
    started = time.perf_counter()
    outcome, result = None, "failed"
    try:
        outcome = work()
        result = "problems" if outcome.bad_rows else "ok"
        return outcome
    except ImportFailed:
        result = "refused"
        raise
    finally:
        seconds = round(time.perf_counter() - started, 3)
        logs.event(f"crm.{step}.end", logging.INFO if result != "failed" else logging.ERROR, log, **fields,
                   outcome=result, rows=outcome.rows if outcome else None, seconds=seconds)


def check(source: Source, on_problem: Callable[[Problem], None] | None = None,
          on_progress: Callable[[float, int], None] | None = None, job_id: int | None = None) -> Outcome:
    """Reads and checks every row; reports each problem; writes nothing to the records."""
    return _logged("import_check", source, job_id,
                   lambda: source.importer(on_problem=on_problem, on_progress=on_progress).run(write=False))


def run(source: Source, *, checked: bool, on_progress: Callable[[float, int], None] | None = None,
        job_id: int | None = None, target=None, actor=None) -> Outcome:
    """Writes the file's records in the caller's transaction and records it in the audit log; raises
    ``ImportFailed`` at the first bad row. ``checked``: this very file passed ``check`` (and nothing it
    depends on could change since, except references, which are checked again)."""

    def work() -> Outcome:
        outcome = source.importer(checked=checked, on_progress=on_progress).run(write=True)
        record(f"crm.{source.kind.value}.imported", project=source.project, target=target, actor=actor,
               file=source.filename,
               inserted=outcome.inserted, updated=outcome.updated, unchanged=outcome.unchanged)
        import_finished.send(source.project.id, kind=source.kind, job_id=job_id, filename=source.filename,
                             rows=outcome.rows, inserted=outcome.inserted, updated=outcome.updated,
                             unchanged=outcome.unchanged, actor=actor)
        return outcome

    return _logged("import", source, job_id, work)
