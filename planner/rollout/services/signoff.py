"""Sign-off: requests, withdrawals and the sponsors' decisions, each with the evidence as it stood."""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified

from planner.audit.services import record, register
from planner.dates import local_date
from planner.db import utcnow
from planner.errors import DomainError
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.rollout.models import (
    ApprovalRule,
    Outcome,
    RequestStatus,
    SignoffDecision,
    SignoffRequest,
    SignoffVote,
    Stage,
    StageStatus,
)
from planner.rollout.services import approvals
from planner.rollout.services.approvals import NO_APPROVER  # noqa: F401 - part of this module's interface
from planner.rollout.services.gate import evaluate_stage, snapshot
from planner.rollout.services.stages import check_version
from planner.rollout.signals import (
    signoff_decided,
    signoff_requested,
    signoff_requesting,
    signoff_turn,
    signoff_withdrawn,
    stage_approved,
)

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


def request_signoff(stage: Stage, version, by, note: str = "", at: datetime | None = None) -> SignoffRequest:
    """Opens a sign-off request under the approval rule in force, fixed on the request
    (``approvals.open_with_rule``); refused when nobody could decide it (no active sponsor but the
    requester) or when the rule's chain cannot be followed."""
    check_version(stage, version)
    rule, required = approvals.open_with_rule(stage, by)
    stage.request_signoff()
    signoff_requesting.send(stage, actor=by)  # a receiver may refuse (open conditions, planner/conditions)
    request_ = SignoffRequest(project_id=stage.project_id, stage_id=stage.id, requested_by_id=getattr(by, "id", None),
                              requested_by_name=getattr(by, "name", "") or "", note=(note or "").strip(),
                              requested_at=at or utcnow(), rule=rule, approvers=required)
    db.session.add(request_)
    db.session.flush()
    record("signoff.requested", project=stage.project_id, target=stage, actor=by, name=stage.name)
    signoff_requested.send(request_, actor=by)
    return request_


def approver_count(request_: SignoffRequest) -> int:
    """How many executive sponsors the request waits for now (a chain: its first approver)."""
    return len(approvals.waiting_for(request_))


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


def decision_refusal(request_: SignoffRequest, user, membership, at: datetime | None = None) -> object | None:
    """Why ``user`` may not decide this request now (a translatable message), or None when they may:
    under its approval rule, in their own name or as a sponsor's stand-in (``approvals``)."""
    return approvals.refusal(request_, user, membership, at)


def decide(request_: SignoffRequest, user, membership, outcome, comment: str, version,
           at: datetime | None = None, until: date | None = None,
           on_behalf_of: int | None = None) -> SignoffDecision | None:
    """Records an approver's vote (in their name, or ``on_behalf_of`` a sponsor they stand in for)
    and, once the request's approval rule is met, the decision with the evidence as it stands now;
    returns the decision, or None while the rule waits for other approvers. Refused when the request
    is closed, when the stage changed since ``version`` was read, when a comment is missing, or when
    ``user`` may not vote now."""
    now = at or utcnow()
    refusal = decision_refusal(request_, user, membership, now)
    if refusal is not None and request_.status == RequestStatus.PENDING:
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
    approver = approvals.choose_approver(request_, user, membership, on_behalf_of, now)
    stand_in = approver.id != user.id
    vote = SignoffVote(project_id=request_.project_id, request=request_, approver_id=approver.id,
                       approver_name=approver.name, voter_id=user.id, voter_name=user.name or "", voted_at=now,
                       outcome=outcome, comment=comment)
    db.session.add(vote)
    flag_modified(request_, "approvers")  # a new version of the request: a vote at the same moment fails
    db.session.flush()
    final = approvals.rule_met(request_, list(request_.votes))
    suffix = "_for" if stand_in else ""
    if final is None:
        record(f"signoff.vote_{outcome.value}{suffix}", project=stage.project_id, target=stage, actor=user,
               name=stage.name, comment=comment, sponsor=approver.name)
        recipients = approvals.expected_recipients(request_, now)
        if request_.rule == ApprovalRule.CHAIN and recipients:
            signoff_turn.send(request_, actor=user, recipients=recipients)
        return None
    decided_comment = approvals.decision_comment(final, list(request_.votes))
    decided_version = stage.version
    stage.apply_decision(final, local_date(now))
    request_.status = RequestStatus.DECIDED
    request_.closed_at = now
    decision = SignoffDecision(
        project_id=stage.project_id, stage_id=stage.id, request_id=request_.id, decided_by_id=user.id,
        decided_by_name=user.name or "", decided_at=now, outcome=final, comment=decided_comment,
        stage_name=stage.name, stage_version=decided_version, go=gate.go, evidence=snapshot(gate))
    db.session.add(decision)
    db.session.flush()
    record(f"signoff.{final.value}{suffix}", project=stage.project_id, target=stage, actor=user, name=stage.name,
           comment=decided_comment, sponsor=approver.name)
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
        .options(selectinload(SignoffRequest.decision), selectinload(SignoffRequest.votes))
        .order_by(SignoffRequest.requested_at.desc(), SignoffRequest.id.desc())))
