import secrets
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import UTCDateTime, enum_column, utcnow
from planner.errors import DomainError
from planner.extensions import db
from planner.i18n import lazy_gettext as _l


class Dimension(StrEnum):
    """The five ADKAR dimensions, in the order a change goes through them."""

    AWARENESS = "awareness"
    DESIRE = "desire"
    KNOWLEDGE = "knowledge"
    ABILITY = "ability"
    REINFORCEMENT = "reinforcement"

    @property
    def label(self):
        return {
            Dimension.AWARENESS: _l("Awareness"),
            Dimension.DESIRE: _l("Desire"),
            Dimension.KNOWLEDGE: _l("Knowledge"),
            Dimension.ABILITY: _l("Ability"),
            Dimension.REINFORCEMENT: _l("Reinforcement"),
        }[self]

    @property
    def statement(self):
        """What the respondent rates, in the first person."""
        return {
            Dimension.AWARENESS: _l("I know why the company is moving to the new CRM."),
            Dimension.DESIRE: _l("I want the change to succeed, and it makes my own work better."),
            Dimension.KNOWLEDGE: _l("The training I received covers what I need for my daily work."),
            Dimension.ABILITY: _l("I can do my everyday work in the new system without help."),
            Dimension.REINFORCEMENT: _l("The new way of working is being kept up, and I see my feedback acted on."),
        }[self]

    @property
    def advice(self):
        """What a project manager can do when the dimension is a barrier point."""
        return {
            Dimension.AWARENESS: _l("Explain the reasons again: the sponsor in person, with the business figures."),
            Dimension.DESIRE: _l("Show each role what it gains, with measurable benefits and early wins."),
            Dimension.KNOWLEDGE: _l("Add role-based training and short how-to guides."),
            Dimension.ABILITY: _l("Give floor support, practice time and coaching in the first weeks."),
            Dimension.REINFORCEMENT: _l("Answer the feedback visibly, recognise good use and review adoption weekly."),
        }[self]


DIMENSIONS = tuple(Dimension)


class Channel(StrEnum):
    MEMBER = "member"
    LINK = "link"

    @property
    def label(self):
        return {Channel.MEMBER: _l("Signed in"), Channel.LINK: _l("Anonymous link")}[self]


def week_start(moment: datetime | date) -> date:
    """The Monday (UTC) of the week a response was given in: the trend's time bucket."""
    day = moment.date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


class SurveyLink(db.Model):
    """An anonymous survey link for one stage of a project: an unguessable token, no sign-in needed."""

    __tablename__ = "feedback_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id", ondelete="SET NULL"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(160), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # At most this many answers (None: no limit); a full link answers like a closed one.
    max_answers: Mapped[int | None] = mapped_column()

    project = relationship("Project")
    stage = relationship("Stage")

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(24)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def close(self) -> None:
        if not self.is_open:
            raise DomainError(_l("This survey link is already closed."))
        self.closed_at = utcnow()

    def reopen(self) -> None:
        if self.is_open:
            raise DomainError(_l("This survey link is already open."))
        self.closed_at = None


class FeedbackResponse(db.Model):
    """One answer to the adoption survey: five ratings from 1 to 5 and an optional comment.

    Signed-in answers keep the member (to count people, and to let them revise an answer within the
    week) and their team; anonymous answers keep nothing about the person unless they typed it.
    """

    __tablename__ = "feedback_responses"
    __table_args__ = (
        Index("ix_feedback_responses_project_week", "project_id", "week_start"),
        CheckConstraint("awareness BETWEEN 1 AND 5", name="awareness_range"),
        CheckConstraint("desire BETWEEN 1 AND 5", name="desire_range"),
        CheckConstraint("knowledge BETWEEN 1 AND 5", name="knowledge_range"),
        CheckConstraint("ability BETWEEN 1 AND 5", name="ability_range"),
        CheckConstraint("reinforcement BETWEEN 1 AND 5", name="reinforcement_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id", ondelete="SET NULL"), index=True)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("feedback_links.id", ondelete="SET NULL"), index=True)
    respondent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, 16))
    language: Mapped[str] = mapped_column(String(8))
    team: Mapped[str] = mapped_column(String(80), default="")
    awareness: Mapped[int] = mapped_column(SmallInteger)
    desire: Mapped[int] = mapped_column(SmallInteger)
    knowledge: Mapped[int] = mapped_column(SmallInteger)
    ability: Mapped[int] = mapped_column(SmallInteger)
    reinforcement: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    week_start: Mapped[date] = mapped_column(Date)

    stage = relationship("Stage")

    def rating(self, dimension: Dimension) -> int:
        return getattr(self, dimension.value)

    @property
    def average(self) -> float:
        return sum(self.rating(d) for d in DIMENSIONS) / len(DIMENSIONS)
