"""Importing CSV and XLSX exports of other CRM systems, in small steps:

- ``reading``: the file's format, encoding, separator and header, then its rows as a stream;
- ``values``: one cell read as a value of its field's type (dates, amounts, choices…);
- ``checks``: one row checked on its own, and the reasons (``Problem``, ``describe``);
- ``references``: the checks that need the database (accounts, contacts, members, repeated ids);
- ``writing``: inserts and updates, matched on the external id (a second import changes nothing);
- ``importer``: one run over a file, chunk by chunk, gluing the above;
- ``service``: ``check`` and ``run``, shared by the import page's jobs and ``flask crm import``;
- ``uploads``/``jobs``: where an uploaded file is kept, and the import job's state and progress.
"""

from planner.crm.imports.checks import REASONS, Problem, describe
from planner.crm.imports.importer import Importer, ImportFailed, Outcome
from planner.crm.imports.reading import CHUNK, FILE_ERRORS, SourceInfo, detect_encoding, file_rows, inspect_file
from planner.crm.imports.values import ReadOptions

__all__ = ["CHUNK", "FILE_ERRORS", "REASONS", "ImportFailed", "Importer", "Outcome", "Problem", "ReadOptions",
           "SourceInfo", "describe", "detect_encoding", "file_rows", "inspect_file"]
