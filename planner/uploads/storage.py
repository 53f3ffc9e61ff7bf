"""Storing uploaded files so that any web host and any worker can read them.

By default the bytes go into the database, in chunks of ``CHUNK_BYTES`` (fine up to the import limit
of 40 MB); with ``UPLOAD_DIR`` set they go into that folder, which an operator puts on shared storage.
Either way an ``Upload`` row names the file, and:

- ``receive(stream, limit)`` copies a request's file to a local temporary file (for checks that
  need a real file), refusing more than ``limit`` bytes; the caller deletes it;
- ``keep(path)`` stores a file and returns its key: in the caller's transaction (database), or written
  under a temporary name and renamed once complete (folder), so a failure half-way leaves nothing;
- ``local_copy(key)`` gives a readable path for the time of a ``with`` block;
- ``remove(key)`` and ``purge(older_than)`` delete.
"""

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, insert, select

from planner.db import utcnow
from planner.extensions import db
from planner.uploads.models import Upload, UploadChunk

CHUNK_BYTES = 1 << 20
PARTIAL = ".part-"


class TooLarge(Exception):
    pass


class Missing(Exception):
    pass


def _folder() -> Path | None:
    folder = current_app.config.get("UPLOAD_DIR") or ""
    if not folder:
        return None
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _temp_dir() -> str:
    path = Path(current_app.instance_path) / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


def receive(stream, limit: int, suffix: str = "") -> tuple[Path, int]:
    """Copies ``stream`` to a local temporary file; raises TooLarge (and removes it) past ``limit`` bytes."""
    handle, name = tempfile.mkstemp(prefix="upload-", suffix=suffix, dir=_temp_dir())
    path, size = Path(name), 0
    try:
        with os.fdopen(handle, "wb") as target:
            while chunk := stream.read(CHUNK_BYTES):
                size += len(chunk)
                if size > limit:
                    raise TooLarge()
                target.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, size


def keep(path: Path, suffix: str = "") -> str:
    """Stores the file at ``path``; returns its key. The database copy joins the caller's transaction."""
    key = uuid.uuid4().hex + suffix
    size = Path(path).stat().st_size
    folder = _folder()
    if folder is not None:
        partial = folder / (PARTIAL + key)
        try:
            shutil.copyfile(path, partial)
            os.replace(partial, folder / key)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        db.session.add(Upload(key=key, size=size, backend="dir"))
        return key
    upload = Upload(key=key, size=size, backend="db")
    db.session.add(upload)
    db.session.flush()
    connection = db.session.connection()
    with open(path, "rb") as source:
        seq = 0
        while data := source.read(CHUNK_BYTES):
            connection.execute(insert(UploadChunk), [{"upload_id": upload.id, "seq": seq, "data": data}])
            seq += 1
    return key


def exists(key: str) -> bool:
    upload = db.session.scalar(select(Upload).where(Upload.key == key))
    if upload is None:
        return False
    if upload.backend == "dir":
        folder = _folder()
        return folder is not None and (folder / key).exists()
    return True


@contextmanager
def local_copy(key: str) -> Iterator[Path]:
    """A path to the file's bytes for the time of the block; raises Missing when it is gone."""
    upload = db.session.scalar(select(Upload).where(Upload.key == key))
    if upload is None:
        raise Missing(key)
    if upload.backend == "dir":
        folder = _folder()
        path = folder / key if folder is not None else None
        if path is None or not path.exists():
            raise Missing(key)
        yield path
        return
    handle, name = tempfile.mkstemp(prefix="import-", suffix=Path(key).suffix, dir=_temp_dir())
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as target:
            rows = db.session.execute(select(UploadChunk.data).where(UploadChunk.upload_id == upload.id)
                                      .order_by(UploadChunk.seq)).scalars()
            for data in rows:
                target.write(data)
        yield path
    finally:
        path.unlink(missing_ok=True)


def remove(key: str) -> None:
    """Deletes the file (its row in the caller's transaction; a folder copy at once)."""
    upload = db.session.scalar(select(Upload).where(Upload.key == key))
    if upload is None:
        return
    if upload.backend == "dir":
        folder = _folder()
        if folder is not None:
            (folder / key).unlink(missing_ok=True)
    db.session.execute(delete(UploadChunk).where(UploadChunk.upload_id == upload.id))
    db.session.delete(upload)


def purge(older_than: timedelta) -> int:
    """Deletes the files stored before ``now - older_than`` (and half-written leftovers in the folder)."""
    cutoff = utcnow() - older_than
    keys = list(db.session.scalars(select(Upload.key).where(Upload.created_at < cutoff)))
    for key in keys:
        remove(key)
    folder = _folder()
    if folder is not None:
        for leftover in folder.glob(PARTIAL + "*"):
            if leftover.stat().st_mtime < cutoff.timestamp():
                leftover.unlink(missing_ok=True)
    for leftover in Path(_temp_dir()).glob("*"):  # temporary copies of a process that was killed
        if leftover.stat().st_mtime < (utcnow() - timedelta(hours=1)).timestamp():
            leftover.unlink(missing_ok=True)
    return len(keys)
