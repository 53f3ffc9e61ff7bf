"""Tables of the methodology feature: adopted methodologies and their checklist items, seven-sins
assessments, and the key problems of a project.

Checklist items keep the catalogue keys (``methodology_key``, ``item_key``), never the texts, so
each reader sees them in their own language and the catalogue can be improved later.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import UTCDateTime, enum_column, utcnow
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.i18n import lazy_pgettext


class ItemStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self):
        return {
            ItemStatus.NOT_STARTED: lazy_pgettext("checklist status", "Not started"),
            ItemStatus.IN_PROGRESS: lazy_pgettext("checklist status", "In progress"),
            ItemStatus.DONE: lazy_pgettext("checklist status", "Done"),
            ItemStatus.NOT_APPLICABLE: lazy_pgettext("checklist status", "Not applicable"),
        }[self]

    @property
    def style(self) -> str:
        return {
            ItemStatus.NOT_STARTED: "secondary",
            ItemStatus.IN_PROGRESS: "primary",
            ItemStatus.DONE: "success",
            ItemStatus.NOT_APPLICABLE: "light",
        }[self]


class Adoption(db.Model):
    """A methodology of the catalogue that a project has chosen to follow."""

    __tablename__ = "methodology_adoptions"
    __table_args__ = (UniqueConstraint("project_id", "methodology_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    methodology_key: Mapped[str] = mapped_column(String(64))
    adopted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    adopted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    items: Mapped[list["ChecklistItem"]] = relationship(
        back_populates="adoption", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ChecklistItem.position")


class ChecklistItem(db.Model):
    """One step of an adopted methodology, with who does it, by when, and how far it is.

    Stage-gate criteria can refer to an item by id; ``is_done`` works in Python and in SQL.
    """

    __tablename__ = "checklist_items"
    __table_args__ = (
        UniqueConstraint("project_id", "methodology_key", "item_key"),
        Index("ix_checklist_items_project_status", "project_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    adoption_id: Mapped[int] = mapped_column(ForeignKey("methodology_adoptions.id", ondelete="CASCADE"),
                                             index=True)
    methodology_key: Mapped[str] = mapped_column(String(64))
    item_key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("project_members.id", ondelete="SET NULL"),
                                                 index=True)
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ItemStatus] = mapped_column(enum_column(ItemStatus), default=ItemStatus.NOT_STARTED)
    notes: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    adoption: Mapped[Adoption] = relationship(back_populates="items")
    owner = relationship("ProjectMember")

    @hybrid_property
    def is_done(self) -> bool:
        return self.status == ItemStatus.DONE

    @is_done.inplace.expression
    @classmethod
    def _is_done_expression(cls):
        return cls.status == ItemStatus.DONE

    @property
    def counts(self) -> bool:
        """Whether the item counts in the progress (not-applicable items do not)."""
        return self.status != ItemStatus.NOT_APPLICABLE

    def is_overdue(self, today: date) -> bool:
        return self.due_date is not None and self.due_date < today and self.status in (
            ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS)

    @property
    def methodology(self):
        from planner.methodology.catalogue import get_catalogue

        return get_catalogue().get(self.methodology_key)

    @property
    def catalogue_item(self):
        methodology = self.methodology
        return methodology.item(self.item_key) if methodology else None

    @property
    def title(self):
        """The step's title in the reader's language (for other features' pages and forms)."""
        item = self.catalogue_item
        return item.title if item else _l("A step that is no longer in the catalogue")


class Answer(StrEnum):
    """An answer to a warning-sign question: is the sign present?"""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"
    UNKNOWN = "unknown"  # nobody knows: scored like "partly" and counted apart (planner/methodology/scoring.py)

    @property
    def label(self):
        return {
            Answer.YES: lazy_pgettext("warning sign answer", "Yes"),
            Answer.PARTLY: lazy_pgettext("warning sign answer", "Partly"),
            Answer.NO: lazy_pgettext("warning sign answer", "No"),
            Answer.UNKNOWN: lazy_pgettext("warning sign answer", "Don’t know"),
        }[self]


class SinAssessment(db.Model):
    """One round of the seven-sins self-assessment. Rounds are never edited: a new round is added,
    so the history shows how the risk changed."""

    __tablename__ = "sin_assessments"
    __table_args__ = (Index("ix_sin_assessments_project_created", "project_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    methodology_key: Mapped[str] = mapped_column(String(64), default="seven_sins")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    # {"<sin key>.<warning sign key>": "yes" | "partly" | "no" | "unknown"}
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    # {"<sin key>": score 0–100} as computed when the round was saved
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    overall_score: Mapped[int] = mapped_column()
    level: Mapped[str] = mapped_column(String(8))

    created_by = relationship("User")

    @property
    def local_date(self) -> date:
        """The day of the round in the reader's time zone."""
        from flask_babel import to_user_timezone

        return to_user_timezone(self.created_at).date()


class SinAssessmentDraft(db.Model):
    """The project's round in progress: answers saved so far, not yet scored. One per project;
    saving the round removes it."""

    __tablename__ = "sin_assessment_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), unique=True)
    # {"<sin key>.<warning sign key>": answer}, only the questions answered so far
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    updated_by = relationship("User")


class KeyProblem(db.Model):
    """A problem the CRM project must solve, ranked; the few that matter most are in focus."""

    __tablename__ = "key_problems"
    __table_args__ = (Index("ix_key_problems_project_position", "project_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    in_focus: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
