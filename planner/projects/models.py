from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import UTCDateTime, utcnow
from planner.extensions import db
from planner.i18n import lazy_gettext as _l


class ProjectRole(StrEnum):
    """Roles inside one project. Every member is at least staff."""

    MANAGER = "manager"
    SPONSOR = "sponsor"
    STAFF = "staff"

    @property
    def label(self):
        return {
            ProjectRole.MANAGER: _l("Project manager"),
            ProjectRole.SPONSOR: _l("Executive sponsor"),
            ProjectRole.STAFF: _l("Staff"),
        }[self]


class BusinessArea(StrEnum):
    MARKETING = "marketing"
    SALES = "sales"
    SERVICE = "service"

    @property
    def label(self):
        return {
            BusinessArea.MARKETING: _l("Marketing"),
            BusinessArea.SALES: _l("Sales"),
            BusinessArea.SERVICE: _l("Service"),
        }[self]


class Project(db.Model):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    vision: Mapped[str] = mapped_column(Text, default="")
    business_areas: Mapped[list] = mapped_column(JSON, default=list)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    start_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    members: Mapped[list["ProjectMember"]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Project {self.id} {self.name!r}>"

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @property
    def areas(self) -> list[BusinessArea]:
        known = BusinessArea._value2member_map_
        return [BusinessArea(value) for value in (self.business_areas or []) if value in known]


class ProjectMember(db.Model):
    __tablename__ = "project_members"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    is_manager: Mapped[bool] = mapped_column(default=False)
    is_sponsor: Mapped[bool] = mapped_column(default=False)
    team: Mapped[str] = mapped_column(String(80), default="")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="members")
    user = relationship("User")

    @property
    def roles(self) -> set[ProjectRole]:
        found = {ProjectRole.STAFF}
        if self.is_manager:
            found.add(ProjectRole.MANAGER)
        if self.is_sponsor:
            found.add(ProjectRole.SPONSOR)
        return found

    def has(self, role: ProjectRole) -> bool:
        return role in self.roles

    @property
    def role_labels(self) -> list:
        labels = []
        if self.is_manager:
            labels.append(ProjectRole.MANAGER.label)
        if self.is_sponsor:
            labels.append(ProjectRole.SPONSOR.label)
        return labels or [ProjectRole.STAFF.label]
