"""The staged rollout: stages, their exit criteria, sign-off requests and executive decisions.

State changes are methods of ``Stage`` that raise ``DomainError`` when the change is not allowed:

    planned ──start──▶ active ──request──▶ awaiting sign-off ──decide──▶ approved
                         ▲                     │    │                   approved with conditions
                         └──────withdraw───────┘    └──────────────────▶ rejected ──request──▶ …

A stage can start only once the stage before it is approved; approved with conditions counts as
approved (the conditions are the sponsor's comment, to be followed up while the next stage runs).
A project manager may start it anyway by recording an override with a reason.

Optimistic locking: ``Stage.version`` goes up with every change of the stage, its scope or its
criteria. Forms carry the version they were built from, and SQLAlchemy updates the row only where
the version is still the one read (``version_id_col``), so of two concurrent changes the second
fails. Each sign-off request takes at most one decision (a unique constraint).

Decisions are immutable: the ORM refuses to change or delete one, and the migration adds triggers
that refuse it in the database as well.
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, Numeric, String, Table, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import UTCDateTime, enum_column, utcnow
from planner.errors import DomainError
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.i18n import lazy_pgettext
from planner.kpis.definitions import KpiKey


class StageStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    AWAITING_SIGNOFF = "awaiting_signoff"
    APPROVED = "approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions"
    REJECTED = "rejected"

    @property
    def label(self):
        return {
            StageStatus.PLANNED: lazy_pgettext("stage status", "Planned"),
            StageStatus.ACTIVE: lazy_pgettext("stage status", "Active"),
            StageStatus.AWAITING_SIGNOFF: lazy_pgettext("stage status", "Awaiting sign-off"),
            StageStatus.APPROVED: lazy_pgettext("stage status", "Approved"),
            StageStatus.APPROVED_WITH_CONDITIONS: lazy_pgettext("stage status", "Approved with conditions"),
            StageStatus.REJECTED: lazy_pgettext("stage status", "Rejected"),
        }[self]

    @property
    def style(self) -> str:
        """The Bootstrap colour of the status badge."""
        return {
            StageStatus.PLANNED: "secondary",
            StageStatus.ACTIVE: "primary",
            StageStatus.AWAITING_SIGNOFF: "warning",
            StageStatus.APPROVED: "success",
            StageStatus.APPROVED_WITH_CONDITIONS: "success",
            StageStatus.REJECTED: "danger",
        }[self]

    @property
    def is_approved(self) -> bool:
        """Approved, with or without conditions: the next stage may start."""
        return self in APPROVED_STATUSES

    @property
    def in_progress(self) -> bool:
        """Started and not approved yet: the stage is running."""
        return self in IN_PROGRESS_STATUSES


APPROVED_STATUSES = (StageStatus.APPROVED, StageStatus.APPROVED_WITH_CONDITIONS)
IN_PROGRESS_STATUSES = (StageStatus.ACTIVE, StageStatus.AWAITING_SIGNOFF, StageStatus.REJECTED)


class Stage(db.Model):
    """One stage of a project's rollout (pilot, a wave, a step of the adoption cycle…)."""

    __tablename__ = "stages"
    __table_args__ = (Index("ix_stages_project_position", "project_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[StageStatus] = mapped_column(enum_column(StageStatus), default=StageStatus.PLANNED)
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    actual_start: Mapped[date | None] = mapped_column(Date)
    actual_end: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Scope: business areas (BusinessArea values), teams (ProjectMember.team values), number of users.
    business_areas: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    teams: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    users_in_scope: Mapped[int | None] = mapped_column()
    # A start before the previous stage was approved, recorded by a project manager.
    override_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    override_by_id: Mapped[int | None] = mapped_column()  # a user id; the name beside it stays if they go
    override_by_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    override_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    criteria: Mapped[list["ExitCriterion"]] = relationship(
        back_populates="stage", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ExitCriterion.position, ExitCriterion.id")

    def __repr__(self) -> str:
        return f"<Stage {self.id} {self.name!r}>"

    @property
    def areas(self):
        from planner.projects.models import BusinessArea

        known = BusinessArea._value2member_map_
        return [BusinessArea(value) for value in (self.business_areas or []) if value in known]

    @property
    def overridden(self) -> bool:
        return bool(self.override_reason)

    def days_in_stage(self, today: date) -> int | None:
        """Days since the stage started, up to its end once it has one; None before it starts."""
        if self.actual_start is None:
            return None
        end = self.actual_end if self.actual_end is not None and not self.status.in_progress else today
        return max(0, (end - self.actual_start).days)

    def touch(self) -> None:
        """Marks the stage as changed (a new version) when something that belongs to it changed,
        such as its exit criteria."""
        self.updated_at = utcnow()

    # ------------------------------------------------------------------ state changes

    def start(self, on: date, previous: "Stage | None", override_reason: str = "", by=None) -> bool:
        """Starts the stage on ``on``. Returns True when it started by override (the previous stage
        was not approved yet and a reason was given)."""
        if self.status != StageStatus.PLANNED:
            raise DomainError(_l("Only a planned stage can be started; this one is “%(status)s”.",
                                 status=self.status.label))
        overridden = previous is not None and not previous.status.is_approved
        if overridden and not (override_reason or "").strip():
            raise DomainError(_l("The previous stage, “%(name)s”, is not approved yet. To start this one anyway, "
                                 "record an override with the reason.", name=previous.name))
        if overridden:
            self.override_reason = override_reason.strip()
            self.override_by_id = getattr(by, "id", None)
            self.override_by_name = getattr(by, "name", "") or ""
            self.override_at = utcnow()
        self.status = StageStatus.ACTIVE
        self.actual_start = on
        self.actual_end = None
        return overridden

    def request_signoff(self) -> None:
        if self.status not in (StageStatus.ACTIVE, StageStatus.REJECTED):
            raise DomainError(_l("Sign-off can be requested only for a running stage; this one is “%(status)s”.",
                                 status=self.status.label))
        self.status = StageStatus.AWAITING_SIGNOFF

    def withdraw_signoff(self) -> None:
        if self.status != StageStatus.AWAITING_SIGNOFF:
            raise DomainError(_l("This stage is not waiting for a sign-off."))
        self.status = StageStatus.ACTIVE

    def apply_decision(self, outcome: "Outcome", on: date) -> None:
        if self.status != StageStatus.AWAITING_SIGNOFF:
            raise DomainError(_l("This stage is not waiting for a sign-off any more."))
        self.status = outcome.stage_status
        if self.status.is_approved and self.actual_end is None:
            self.actual_end = max(on, self.actual_start) if self.actual_start else on

    def reopen(self) -> bool:
        """An approved stage whose scope or exit criteria change is no longer covered by its approval:
        it runs again and needs a new sign-off. Returns True when it was reopened."""
        if not self.status.is_approved:
            return False
        self.status = StageStatus.ACTIVE
        self.actual_end = None
        return True

    @property
    def deletable(self) -> bool:
        """Only a stage that never started can be deleted; history is never removed."""
        return self.status == StageStatus.PLANNED and self.actual_start is None


# --------------------------------------------------------------------------- exit criteria


class CriterionKind(StrEnum):
    KPI = "kpi"
    CHECKLIST = "checklist"
    TASKS = "tasks"

    @property
    def label(self):
        return {
            CriterionKind.KPI: _l("KPI threshold"),
            CriterionKind.CHECKLIST: _l("Methodology step done"),
            CriterionKind.TASKS: _l("Tasks done"),
        }[self]

    @property
    def icon(self) -> str:
        return {CriterionKind.KPI: "graph-up-arrow", CriterionKind.CHECKLIST: "check2-square",
                CriterionKind.TASKS: "list-check"}[self]


class Comparison(StrEnum):
    AT_LEAST = "ge"
    MORE_THAN = "gt"
    AT_MOST = "le"
    LESS_THAN = "lt"

    @property
    def label(self):
        return {
            Comparison.AT_LEAST: _l("at least (≥)"),
            Comparison.MORE_THAN: _l("more than (>)"),
            Comparison.AT_MOST: _l("at most (≤)"),
            Comparison.LESS_THAN: _l("less than (<)"),
        }[self]

    @property
    def symbol(self) -> str:
        return {Comparison.AT_LEAST: "≥", Comparison.MORE_THAN: ">", Comparison.AT_MOST: "≤",
                Comparison.LESS_THAN: "<"}[self]

    def holds(self, value: Decimal | None, threshold: Decimal) -> bool:
        if value is None:
            return False
        return {
            Comparison.AT_LEAST: value >= threshold,
            Comparison.MORE_THAN: value > threshold,
            Comparison.AT_MOST: value <= threshold,
            Comparison.LESS_THAN: value < threshold,
        }[self]


criterion_tasks = Table(
    "stage_criterion_tasks",
    db.metadata,
    Column("criterion_id", ForeignKey("stage_criteria.id", ondelete="CASCADE"), primary_key=True),
    Column("task_id", ForeignKey("change_tasks.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ExitCriterion(db.Model):
    """What must be true before a stage is signed off: a KPI threshold held for consecutive weeks,
    a step of the methodology done, or a set of change-management tasks done."""

    __tablename__ = "stage_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[CriterionKind] = mapped_column(enum_column(CriterionKind, 16))
    kpi: Mapped[KpiKey | None] = mapped_column(enum_column(KpiKey, 40))
    comparison: Mapped[Comparison | None] = mapped_column(enum_column(Comparison, 8))
    threshold: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    weeks: Mapped[int | None] = mapped_column()
    checklist_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("checklist_items.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    stage: Mapped[Stage] = relationship(back_populates="criteria")
    checklist_item = relationship("ChecklistItem")
    tasks = relationship("ChangeTask", secondary=criterion_tasks, order_by="ChangeTask.id")

    def __repr__(self) -> str:
        return f"<ExitCriterion {self.id} {self.kind}>"


# --------------------------------------------------------------------------- sign-off


class RequestStatus(StrEnum):
    PENDING = "pending"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"

    @property
    def label(self):
        return {
            RequestStatus.PENDING: lazy_pgettext("sign-off request", "Waiting for a decision"),
            RequestStatus.DECIDED: lazy_pgettext("sign-off request", "Decided"),
            RequestStatus.WITHDRAWN: lazy_pgettext("sign-off request", "Withdrawn"),
        }[self]


class Outcome(StrEnum):
    APPROVED = "approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions"
    REJECTED = "rejected"

    @property
    def label(self):
        return {
            Outcome.APPROVED: lazy_pgettext("sign-off decision", "Approve"),
            Outcome.APPROVED_WITH_CONDITIONS: lazy_pgettext("sign-off decision", "Approve with conditions"),
            Outcome.REJECTED: lazy_pgettext("sign-off decision", "Reject"),
        }[self]

    @property
    def stage_status(self) -> StageStatus:
        return StageStatus(self.value)

    @property
    def needs_comment(self) -> bool:
        return self is not Outcome.APPROVED


class ApprovalRule(StrEnum):
    """Who must approve a sign-off request (``planner.rollout.services.approvals``)."""

    ANY = "any"
    ALL = "all"
    CHAIN = "chain"

    @property
    def label(self):
        return {
            ApprovalRule.ANY: _l("Any one executive sponsor"),
            ApprovalRule.ALL: _l("All executive sponsors"),
            ApprovalRule.CHAIN: _l("Named approvers, in order"),
        }[self]

    @property
    def explanation(self):
        return {
            ApprovalRule.ANY: _l("The first executive sponsor to decide settles the request."),
            ApprovalRule.ALL: _l("Every executive sponsor but the requester must approve; one rejection ends the "
                                 "request."),
            ApprovalRule.CHAIN: _l("The approvers named below approve one after the other, each told when their "
                                   "turn comes; one rejection ends the request."),
        }[self]


class ApprovalSetting(db.Model):
    """The approval rule of a project (``stage_id`` None) or of one of its stages (an override)."""

    __tablename__ = "approval_settings"
    __table_args__ = (UniqueConstraint("project_id", "stage_id", name="uq_approval_settings_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    rule: Mapped[ApprovalRule] = mapped_column(enum_column(ApprovalRule, 8), default=ApprovalRule.ANY)
    # The chain's approvers in order: user ids (members with the sponsor role when it was set).
    chain: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SignoffRequest(db.Model):
    """A project manager's request that the sponsors sign a stage off. The approval rule in force
    when it was opened is kept with it (``rule``, and ``approvers``: the required approvers as
    ``[{"id": user id, "name": name}]``, in order for a chain, empty for "any one sponsor"), so a
    later change of the rule applies to the next request only."""

    __tablename__ = "signoff_requests"
    __table_args__ = (Index("ix_signoff_requests_project_status", "project_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    requested_by_name: Mapped[str] = mapped_column(String(120), default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[RequestStatus] = mapped_column(enum_column(RequestStatus, 16), default=RequestStatus.PENDING)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rule: Mapped[ApprovalRule] = mapped_column(enum_column(ApprovalRule, 8), default=ApprovalRule.ANY,
                                               server_default=ApprovalRule.ANY.value)
    approvers: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    # Goes up with every vote: of two votes at the same moment the second is refused (optimistic locking).
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    stage: Mapped[Stage] = relationship()
    decision: Mapped["SignoffDecision | None"] = relationship(back_populates="request", uselist=False)
    votes: Mapped[list["SignoffVote"]] = relationship(
        back_populates="request", order_by="SignoffVote.voted_at, SignoffVote.id", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<SignoffRequest {self.id} stage={self.stage_id} {self.status}>"


class DecisionImmutableError(RuntimeError):
    """Raised when code tries to change or delete a recorded sign-off decision."""


class SignoffDecision(db.Model):
    """A sponsor's decision on a sign-off request: who, when, the outcome, the comment and the
    evidence as it stood at that moment. Never changed, never deleted."""

    __tablename__ = "signoff_decisions"
    __table_args__ = (UniqueConstraint("request_id", name="uq_signoff_decisions_request"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("signoff_requests.id", ondelete="CASCADE"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_name: Mapped[str] = mapped_column(String(120), default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome))
    comment: Mapped[str] = mapped_column(Text, default="")
    stage_name: Mapped[str] = mapped_column(String(160))
    stage_version: Mapped[int] = mapped_column()
    go: Mapped[bool] = mapped_column(default=False)
    # The exit criteria as evaluated at the moment of the decision (see services.snapshot).
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)

    request: Mapped[SignoffRequest] = relationship(back_populates="decision")
    stage: Mapped[Stage] = relationship()

    def __repr__(self) -> str:
        return f"<SignoffDecision {self.id} {self.outcome}>"


@event.listens_for(SignoffDecision, "before_update")
def _refuse_update(_mapper, _connection, target):
    raise DecisionImmutableError(f"sign-off decision {target.id} cannot be changed")


@event.listens_for(SignoffDecision, "before_delete")
def _refuse_delete(_mapper, _connection, target):
    raise DecisionImmutableError(f"sign-off decision {target.id} cannot be deleted")


class SignoffVote(db.Model):
    """One approver's decision on a sign-off request: in whose name (``approver``), who acted
    (``voter``: the approver, or their stand-in within the dates), when, the outcome and the
    comment. The request is decided once its rule is met. Never changed, never deleted."""

    __tablename__ = "signoff_votes"
    __table_args__ = (UniqueConstraint("request_id", "approver_id", name="uq_signoff_votes_approver"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("signoff_requests.id", ondelete="CASCADE"), index=True)
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approver_name: Mapped[str] = mapped_column(String(120), default="")
    voter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    voter_name: Mapped[str] = mapped_column(String(120), default="")
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome))
    comment: Mapped[str] = mapped_column(Text, default="")

    request: Mapped[SignoffRequest] = relationship(back_populates="votes")

    @property
    def by_stand_in(self) -> bool:
        if self.voter_id is not None and self.approver_id is not None:
            return self.voter_id != self.approver_id
        return self.voter_name != self.approver_name

    def __repr__(self) -> str:
        return f"<SignoffVote {self.id} {self.outcome}>"


@event.listens_for(SignoffVote, "before_update")
def _refuse_vote_update(_mapper, _connection, target):
    raise DecisionImmutableError(f"sign-off vote {target.id} cannot be changed")


@event.listens_for(SignoffVote, "before_delete")
def _refuse_vote_delete(_mapper, _connection, target):
    raise DecisionImmutableError(f"sign-off vote {target.id} cannot be deleted")


class StandIn(db.Model):
    """A sponsor's stand-in: another member of the project who may decide in the sponsor's name
    from ``starts_on`` to ``ends_on``, both inclusive, as dates on the sponsor's calendar (their time
    zone). Ended early by the sponsor (``ended_at``): from then on it no longer counts."""

    __tablename__ = "signoff_stand_ins"
    __table_args__ = (Index("ix_signoff_stand_ins_project_dates", "project_id", "ends_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    stand_in_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sponsor = relationship("User", foreign_keys=[sponsor_id])
    stand_in = relationship("User", foreign_keys=[stand_in_id])

    def __repr__(self) -> str:
        return f"<StandIn {self.id} {self.stand_in_id} for {self.sponsor_id}>"
