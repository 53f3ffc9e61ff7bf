"""A member's private calendar feed token.

The token itself is shown to its owner once, when it is made; the database keeps only its SHA-256
hash, so a copy of the database gives no working feed address. One token per member of a project:
making a new one replaces the old, and removing the member deletes it (``ON DELETE CASCADE``).
"""

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import UTCDateTime, utcnow
from planner.extensions import db


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class CalendarToken(db.Model):
    __tablename__ = "calendar_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("project_members.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member = relationship("ProjectMember")

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    def __repr__(self) -> str:
        return f"<CalendarToken {self.id} member={self.member_id}>"
