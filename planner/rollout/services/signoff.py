"""Sign-off: requests, withdrawals and the sponsors' decisions, each with the evidence as it stood."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from planner.audit.services import record, register
from planner.dates import local_date
from planner.db import utcnow
from planner.errors import DomainError
from planner.extensions import db
from planner.rollout.models import (
    Outcome,
    RequestStatus,
    SignoffDecision,
    SignoffRequest,
    Stage,
    StageStatus,
)
from planner.rollout.services.gate import evaluate_stage, snapshot
from planner.rollout.services.stages import check_version
from planner.rollout.signals import signoff_decided, signoff_requested, signoff_withdrawn, stage_approved

STALE_DECISION = _l("This stage changed after you opened it, so the evidence you saw may no longer be "
                    "the evidence that stands. Review it again below before you decide.")


register("signoff.requested", _l("Requested the sign-off of the stage “%(name)s”."))
register("signoff.withdrawn", _l("Withdrew the sign-off request for the stage “%(name)s”."))
register("signoff.approved", _l("Approved the stage “%(name)s”."))
register("signoff.approved_with_conditions", _l("Approved the stage “%(name)s” with conditions: %(comment)s"))
register("signoff.rejected", _l("Rejected the stage “%(name)s”: %(comment)s"))


def pending_request(stage: Stage) -> SignoffRequest | None:
    return db.session.scalar(select(SignoffRequest).where(
        SignoffRequest.stage_id == stage.id, SignoffRequest.status == RequestStatus.PENDING)
        .order_by(SignoffRequest.id.desc()).limit(1))


NO_APPROVER = _l("Nobody could decide this request: the project has no executive sponsor other than you. Add "
                 "one under Members (or ask an administrator to), then request the sign-off again.")


def request_signoff(stage: Stage, version, by, note: str = "", at: datetime | None = None) -> SignoffRequest:
    """Opens a sign-off request; refused when nobody could decide it (no active sponsor but the requester)."""
    check_version(stage, version)
    if not _approvers(stage.project_id, getattr(by, "id", None)):
        raise DomainError(NO_APPROVER)
    stage.request_signoff()
    request_ = SignoffRequest(project_id=stage.project_id, stage_id=stage.id, requested_by_id=getattr(by, "id", None),
                              requested_by_name=getattr(by, "name", "") or "", note=(note or "").strip(),
                              requested_at=at or utcnow())
    db.session.add(request_)
    db.session.flush()
    record("signoff.requested", project=stage.project_id, target=stage, actor=by, name=stage.name)
    signoff_requested.send(request_, actor=by)
    return request_


def approver_count(request_: SignoffRequest) -> int:
    """How many people may decide the request: the project's active executive sponsors but the requester."""
    return _approvers(request_.project_id, request_.requested_by_id)


def _approvers(project_id: int, requester_id: int | None) -> int:
    from sqlalchemy import func

    from planner.auth.models import User
    from planner.projects.models import ProjectMember

    query = (select(func.count()).select_from(ProjectMember).join(User, User.id == ProjectMember.user_id)
             .where(ProjectMember.project_id == project_id, ProjectMember.is_sponsor.is_(True),
                    User.active.is_(True)))
    if requester_id is not None:
        query = query.where(ProjectMember.user_id != requester_id)
    return db.session.scalar(query) or 0


def withdraw_signoff(request_: SignoffRequest, version, by=None) -> None:
    stage = request_.stage
    check_version(stage, version)
    if request_.status != RequestStatus.PENDING:
        raise DomainError(_l("This request is already closed."))
    stage.withdraw_signoff()
    request_.status = RequestStatus.WITHDRAWN
    request_.closed_at = utcnow()
    record("signoff.withdrawn", project=stage.project_id, target=stage, actor=by, name=stage.name)
    signoff_withdrawn.send(request_, actor=by)


def decision_refusal(request_: SignoffRequest, user, membership) -> object | None:
    """Why ``user`` may not decide this request (a translatable message), or None when they may."""
    if membership is None or not membership.is_sponsor or membership.project_id != request_.project_id:
        return _l("Only an executive sponsor of this project can decide on a sign-off.")
    if request_.requested_by_id is not None and request_.requested_by_id == user.id:
        return _l("You requested this sign-off yourself, so another executive sponsor must decide on it.")
    return None


def decide(request_: SignoffRequest, user, membership, outcome, comment: str, version,
           at: datetime | None = None, until: date | None = None) -> SignoffDecision:
    """Records a sponsor's decision with the evidence as it stands now. Refused when the request is
    closed, when the stage changed since ``version`` was read, or when a comment is missing."""
    refusal = decision_refusal(request_, user, membership)
    if refusal is not None:
        raise DomainError(refusal)
    if request_.status != RequestStatus.PENDING:
        raise DomainError(closed_request_message(request_))
    stage = request_.stage
    check_version(stage, version, STALE_DECISION)
    outcome = Outcome(outcome)
    comment = (comment or "").strip()
    if outcome.needs_comment and not comment:
        raise DomainError(_l("Write a comment: the conditions, or the reasons for the rejection."))
    gate = evaluate_stage(stage, until)
    if outcome == Outcome.APPROVED and gate.total and not gate.go and not comment:
        raise DomainError(_l("Some exit criteria are not met. To approve anyway, say why in the comment, or "
                             "approve with conditions."))
    now = at or utcnow()
    decided_version = stage.version
    stage.apply_decision(outcome, local_date(now))
    request_.status = RequestStatus.DECIDED
    request_.closed_at = now
    decision = SignoffDecision(
        project_id=stage.project_id, stage_id=stage.id, request_id=request_.id, decided_by_id=user.id,
        decided_by_name=user.name or "", decided_at=now, outcome=outcome, comment=comment, stage_name=stage.name,
        stage_version=decided_version, go=gate.go, evidence=snapshot(gate))
    db.session.add(decision)
    db.session.flush()
    record(f"signoff.{outcome.value}", project=stage.project_id, target=stage, actor=user, name=stage.name,
           comment=comment)
    signoff_decided.send(decision, actor=user)
    if stage.status in (StageStatus.APPROVED, StageStatus.APPROVED_WITH_CONDITIONS):
        stage_approved.send(stage, actor=user, decision=decision)
    return decision


def closed_request_message(request_: SignoffRequest):
    decision = request_.decision
    if decision is not None:
        return _l("%(name)s has already decided on this request: %(outcome)s. A decision stands; a new request "
                  "is needed for another one.", name=decision.decided_by_name,
                  outcome=decision.outcome.stage_status.label)
    return _l("This sign-off request was withdrawn; there is nothing to decide.")


def stage_requests(stage: Stage) -> list[SignoffRequest]:
    """Every sign-off request of the stage, newest first, with its decision."""
    return list(db.session.scalars(
        select(SignoffRequest).where(SignoffRequest.stage_id == stage.id)
        .options(selectinload(SignoffRequest.decision))
        .order_by(SignoffRequest.requested_at.desc(), SignoffRequest.id.desc())))
