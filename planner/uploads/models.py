"""An uploaded file: its bytes in the database (``upload_chunks``) or in the folder ``UPLOAD_DIR``."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from planner.db import UTCDateTime, utcnow
from planner.extensions import db


class Upload(db.Model):
    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    backend: Mapped[str] = mapped_column(String(8), default="db")  # db or dir
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class UploadChunk(db.Model):
    __tablename__ = "upload_chunks"

    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
