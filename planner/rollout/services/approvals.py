"""Approval rules and stand-ins: who must approve a sign-off request, who may act on it now, and
the votes that decide it.

**Rules** (``ApprovalRule``), set by project managers for the project and, as an override, for one
stage (``ApprovalSetting``; without any, "any one sponsor"):

- any: the first executive sponsor (other than the requester) to decide settles the request;
- all: every active executive sponsor but the requester, as they are when the request is opened,
  must approve;
- chain: named approvers (members with the sponsor role), one after the other: only the current
  one may act, and the next one is told when their turn comes.

A rejection by any approver ends the request as rejected.

**The rule is fixed on the request when it is opened** (``SignoffRequest.rule`` and ``approvers``):
changing the rule applies to the next request, never to a pending one (withdraw and request again
to apply it). A chain naming someone who is no longer an active sponsor, or naming the requester
(nobody approves their own request), is refused when the request is opened.

**Votes** (``SignoffVote``, immutable): each approver's decision, in whose name, by whom, when, the
outcome and the comment. When the rule is met the decision (``SignoffDecision``, with its evidence
snapshot) is recorded as before, and ``signoff_decided`` is sent once: rejected when a vote
rejected; approved with conditions when any vote approved with conditions (its comment then holds
each such vote's conditions, one per line); otherwise approved.

**Stand-ins** (``StandIn``): a sponsor names another active member of the project for a date range,
both dates inclusive **on the sponsor's calendar** (the time zone of the sponsor's profile). Within
it the stand-in may act in the sponsor's name wherever the sponsor may, and is told of the requests
waiting for the sponsor; outside it, they may not. The requester never votes, not even as a
stand-in, and nobody stands in for the requester on their own request.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from planner.audit.services import record, register
from planner.auth.models import User
from planner.dates import date_in_zone
from planner.db import utcnow
from planner.errors import DomainError
from planner.extensions import db
from planner.i18n import date_format
from planner.i18n import lazy_gettext as _l
from planner.projects.models import ProjectMember
from planner.rollout.models import (
    ApprovalRule,
    ApprovalSetting,
    Outcome,
    RequestStatus,
    SignoffRequest,
    SignoffVote,
    Stage,
    StandIn,
)
from planner.rollout.signals import signoff_turn

MAX_STAND_IN_DAYS = 366


def _rule_label(data) -> dict:
    value = data.get("rule")
    return {"rule": ApprovalRule(value).label if value in ApprovalRule._value2member_map_ else value}


def _range_text(data) -> dict:
    found = {}
    for key in ("start", "end"):
        try:
            found[key] = date_format(date.fromisoformat(str(data.get(key))))
        except ValueError:
            found[key] = data.get(key) or ""
    return found


register("approvals.project_rule", _l("Set the project's approval rule: %(rule)s."), _rule_label)
register("approvals.project_chain", _l("Set the project's approval rule: named approvers in order (%(names)s)."))
register("approvals.stage_rule", _l("Set the approval rule of the stage “%(name)s”: %(rule)s."), _rule_label)
register("approvals.stage_chain", _l("Set the approval rule of the stage “%(name)s”: named approvers in order "
                                     "(%(names)s)."))
register("approvals.stage_rule_cleared", _l("Removed the approval rule of the stage “%(name)s”: the project's "
                                            "rule applies to it again."))
register("approvals.stand_in_added", _l("Named %(stand_in)s to stand in for %(sponsor)s from %(start)s to %(end)s."),
         _range_text)
register("approvals.stand_in_ended", _l("Ended the stand-in of %(stand_in)s for %(sponsor)s."))
register("signoff.approved_for", _l("Approved the stage “%(name)s” for %(sponsor)s, as their stand-in."))
register("signoff.approved_with_conditions_for", _l("Approved the stage “%(name)s” with conditions for %(sponsor)s, "
                                                    "as their stand-in: %(comment)s"))
register("signoff.rejected_for", _l("Rejected the stage “%(name)s” for %(sponsor)s, as their stand-in: %(comment)s"))
register("signoff.vote_approved", _l("Approved the stage “%(name)s”; its approval rule waits for other approvers."))
register("signoff.vote_approved_for", _l("Approved the stage “%(name)s” for %(sponsor)s, as their stand-in; its "
                                         "approval rule waits for other approvers."))
register("signoff.vote_approved_with_conditions", _l("Approved the stage “%(name)s” with conditions (%(comment)s); "
                                                     "its approval rule waits for other approvers."))
register("signoff.vote_approved_with_conditions_for", _l("Approved the stage “%(name)s” with conditions "
                                                         "(%(comment)s) for %(sponsor)s, as their stand-in; its "
                                                         "approval rule waits for other approvers."))

NOT_AN_APPROVER = _l("Only an executive sponsor of this project, or a sponsor's stand-in within their dates, can "
                     "decide on a sign-off.")
NO_APPROVER = _l("Nobody could decide this request: the project has no executive sponsor other than you. Add "
                 "one under Members (or ask an administrator to), then request the sign-off again.")
OWN_REQUEST = _l("You requested this sign-off yourself, so another executive sponsor must decide on it.")


@dataclass(frozen=True)
class Approver:
    id: int | None
    name: str


# --------------------------------------------------------------------------- the rule in force


def setting_of(project_id: int, stage_id: int | None) -> ApprovalSetting | None:
    query = select(ApprovalSetting).where(ApprovalSetting.project_id == project_id)
    query = query.where(ApprovalSetting.stage_id.is_(None) if stage_id is None
                        else ApprovalSetting.stage_id == stage_id)
    return db.session.scalar(query.order_by(ApprovalSetting.id).limit(1))


@dataclass(frozen=True)
class RuleInForce:
    rule: ApprovalRule
    chain: list  # user ids, in order (a chain only)
    from_stage: bool  # the stage overrides the project's rule
    names: tuple = ()  # the chain's approvers' names, in order


def rule_in_force(stage: Stage) -> RuleInForce:
    """The rule a request opened now for ``stage`` would follow: the stage's, else the project's,
    else any one sponsor."""
    settings = {row.stage_id: row for row in db.session.scalars(select(ApprovalSetting).where(
        ApprovalSetting.project_id == stage.project_id,
        (ApprovalSetting.stage_id.is_(None)) | (ApprovalSetting.stage_id == stage.id))
        .order_by(ApprovalSetting.id.desc()))}
    row = settings.get(stage.id) or settings.get(None)
    if row is None:
        return RuleInForce(ApprovalRule.ANY, [], False)
    chain = list(row.chain or []) if row.rule == ApprovalRule.CHAIN else []
    return RuleInForce(row.rule, chain, row.stage_id is not None, tuple(_ordered_names(chain)))


def active_sponsors(project_id: int) -> list[User]:
    """The project's active executive sponsors, by name."""
    return list(db.session.scalars(
        select(User).join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == project_id, ProjectMember.is_sponsor.is_(True), User.active.is_(True))
        .order_by(User.name, User.id)))


def _names(ids) -> dict[int, str]:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def set_rule(project, stage: Stage | None, rule, chain_ids=(), by=None) -> None:
    """Sets the project's rule (``stage`` None) or a stage's override. A chain needs at least one
    approver, each an active executive sponsor of the project, each named once. Pending requests
    keep the rule they were opened with."""
    rule = ApprovalRule(rule)
    chain = [int(i) for i in chain_ids or [] if i not in (None, "")] if rule == ApprovalRule.CHAIN else []
    if rule == ApprovalRule.CHAIN:
        if not chain:
            raise DomainError(_l("Name at least one approver for the chain."))
        if len(set(chain)) != len(chain):
            raise DomainError(_l("Each approver can be named only once in the chain."))
        sponsors = {user.id for user in active_sponsors(project.id)}
        if any(i not in sponsors for i in chain):
            raise DomainError(_l("Every approver of the chain must be an active executive sponsor of the project."))
    row = setting_of(project.id, stage.id if stage is not None else None)
    if row is None:
        row = ApprovalSetting(project_id=project.id, stage_id=stage.id if stage is not None else None)
        db.session.add(row)
    row.rule, row.chain = rule, chain
    row.updated_at = utcnow()
    names = " → ".join(_ordered_names(chain))
    if stage is None:
        if rule == ApprovalRule.CHAIN:
            record("approvals.project_chain", project=project, target=project, actor=by, names=names)
        else:
            record("approvals.project_rule", project=project, target=project, actor=by, rule=rule.value)
    elif rule == ApprovalRule.CHAIN:
        record("approvals.stage_chain", project=project, target=stage, actor=by, name=stage.name, names=names)
    else:
        record("approvals.stage_rule", project=project, target=stage, actor=by, name=stage.name, rule=rule.value)


def clear_stage_rule(project, stage: Stage, by=None) -> None:
    """Removes a stage's override: the project's rule applies to its next request."""
    row = setting_of(project.id, stage.id)
    if row is None:
        return
    db.session.delete(row)
    record("approvals.stage_rule_cleared", project=project, target=stage, actor=by, name=stage.name)


def _ordered_names(ids) -> list[str]:
    names = _names(ids)
    return [names.get(i, "") for i in ids]


def open_with_rule(stage: Stage, requester) -> tuple[ApprovalRule, list[dict]]:
    """The rule and the required approvers fixed on a request opened now by ``requester``;
    refused (``DomainError``) when nobody could decide it or the chain cannot be followed."""
    requester_id = getattr(requester, "id", None)
    in_force = rule_in_force(stage)
    sponsors = [user for user in active_sponsors(stage.project_id) if user.id != requester_id]
    if in_force.rule == ApprovalRule.CHAIN:
        if requester_id in in_force.chain:
            raise DomainError(_l("You are one of the named approvers of this stage, and nobody approves their own "
                                 "request: ask another project manager to request the sign-off, or change the "
                                 "approval rule."))
        by_id = {user.id: user for user in sponsors}
        missing = [i for i in in_force.chain if i not in by_id]
        if missing:
            raise DomainError(_l("The approval chain names someone who is no longer an active executive sponsor of "
                                 "the project (%(names)s). Change the approval rule, then request the sign-off "
                                 "again.", names=", ".join(n for n in _ordered_names(missing) if n) or "—"))
        return in_force.rule, [{"id": i, "name": by_id[i].name} for i in in_force.chain]
    if not sponsors:
        raise DomainError(NO_APPROVER)
    if in_force.rule == ApprovalRule.ALL:
        return in_force.rule, [{"id": user.id, "name": user.name} for user in sponsors]
    return ApprovalRule.ANY, []


# --------------------------------------------------------------------------- stand-ins


def stand_in_active(stand_in: StandIn, now: datetime | None = None, zone: str | None = None) -> bool:
    """Whether the stand-in counts at ``now``: not ended, and today on the sponsor's calendar is
    within the dates (both inclusive)."""
    if stand_in.ended_at is not None:
        return False
    today = date_in_zone(now or utcnow(), zone if zone is not None else stand_in.sponsor.timezone)
    return stand_in.starts_on <= today <= stand_in.ends_on


def _candidate_stand_ins(query, now: datetime):
    """Stand-ins not ended whose dates may include today somewhere on Earth (the exact test, in the
    sponsor's time zone, is ``stand_in_active``)."""
    day = now.date()
    return (query.where(StandIn.ended_at.is_(None), StandIn.starts_on <= day + timedelta(days=1),
                        StandIn.ends_on >= day - timedelta(days=1))
            .options(selectinload(StandIn.sponsor), selectinload(StandIn.stand_in)))


def active_stand_ins(project_ids, now: datetime | None = None, stand_in_id: int | None = None) -> list[StandIn]:
    """The stand-ins in force now in these projects (of one person when ``stand_in_id`` is given)."""
    now = now or utcnow()
    ids = list(project_ids)
    if not ids:
        return []
    query = select(StandIn).where(StandIn.project_id.in_(ids))
    if stand_in_id is not None:
        query = query.where(StandIn.stand_in_id == stand_in_id)
    return [row for row in db.session.scalars(_candidate_stand_ins(query, now)) if stand_in_active(row, now)]


def stand_ins_of(project, sponsor_id: int | None = None) -> list[StandIn]:
    """The project's stand-ins (one sponsor's when given), the latest first."""
    query = (select(StandIn).where(StandIn.project_id == project.id)
             .options(selectinload(StandIn.sponsor), selectinload(StandIn.stand_in))
             .order_by(StandIn.starts_on.desc(), StandIn.id.desc()))
    if sponsor_id is not None:
        query = query.where(StandIn.sponsor_id == sponsor_id)
    return list(db.session.scalars(query))


def stand_in_candidates(project, sponsor_id: int) -> list[User]:
    """Who a sponsor may name: the project's other active members, by name."""
    return list(db.session.scalars(
        select(User).join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == project.id, User.active.is_(True), User.id != sponsor_id)
        .order_by(User.name, User.id)))


def add_stand_in(project, sponsor, membership, stand_in_id: int, starts_on: date, ends_on: date,
                 now: datetime | None = None) -> StandIn:
    """A sponsor names a stand-in for a date range (inclusive, on the sponsor's calendar)."""
    now = now or utcnow()
    if membership is None or membership.project_id != project.id or not membership.is_sponsor:
        raise DomainError(_l("Only an executive sponsor of the project can name a stand-in for themselves."))
    if stand_in_id == sponsor.id:
        raise DomainError(_l("Choose someone other than yourself."))
    if stand_in_id not in {user.id for user in stand_in_candidates(project, sponsor.id)}:
        raise DomainError(_l("The stand-in must be an active member of the project."))
    if ends_on < starts_on:
        raise DomainError(_l("The last day cannot come before the first."))
    if ends_on < date_in_zone(now, sponsor.timezone):
        raise DomainError(_l("The last day has already passed."))
    if (ends_on - starts_on).days >= MAX_STAND_IN_DAYS:
        raise DomainError(_l("A stand-in can cover at most a year; name them again afterwards."))
    row = StandIn(project_id=project.id, sponsor_id=sponsor.id, stand_in_id=stand_in_id, starts_on=starts_on,
                  ends_on=ends_on, created_at=now)
    db.session.add(row)
    db.session.flush()
    stand_in = db.session.get(User, stand_in_id)
    record("approvals.stand_in_added", project=project, target=row, actor=sponsor, stand_in=stand_in.name,
           sponsor=sponsor.name, start=starts_on.isoformat(), end=ends_on.isoformat())
    if stand_in_active(row, now, sponsor.timezone):
        _tell_stand_in(row, now)
    return row


def end_stand_in(project, stand_in: StandIn, by, now: datetime | None = None) -> None:
    """The sponsor ends their stand-in early: from now on it no longer counts."""
    if stand_in.sponsor_id != getattr(by, "id", None):
        raise DomainError(_l("Only the sponsor who named this stand-in can end it."))
    if stand_in.ended_at is not None:
        raise DomainError(_l("This stand-in has already ended."))
    stand_in.ended_at = now or utcnow()
    record("approvals.stand_in_ended", project=project, target=stand_in, actor=by,
           stand_in=stand_in.stand_in.name, sponsor=stand_in.sponsor.name)


def _tell_stand_in(row: StandIn, now: datetime) -> None:
    """A stand-in who starts now is told of the requests already waiting for their sponsor."""
    pending = db.session.scalars(select(SignoffRequest).where(
        SignoffRequest.project_id == row.project_id, SignoffRequest.status == RequestStatus.PENDING)
        .options(selectinload(SignoffRequest.votes)).order_by(SignoffRequest.id))
    user = db.session.get(User, row.stand_in_id)
    sponsors = {u.id for u in active_sponsors(row.project_id)}
    for request_ in pending:
        if request_.requested_by_id == user.id:
            continue
        if row.sponsor_id in _expected_ids(request_, sponsors):
            signoff_turn.send(request_, actor=None, recipients=[user])


# --------------------------------------------------------------------------- who may act now


def _expected_ids(request_: SignoffRequest, sponsor_ids: set[int], votes=None) -> set[int]:
    """The approvers (user ids) whose vote the request waits for now."""
    votes = request_.votes if votes is None else votes
    voted = {vote.approver_id for vote in votes}
    if request_.rule == ApprovalRule.ALL:
        return {a["id"] for a in request_.approvers if a["id"] not in voted and a["id"] in sponsor_ids}
    if request_.rule == ApprovalRule.CHAIN:
        current = next((a["id"] for a in request_.approvers if a["id"] not in voted), None)
        return {current} if current in sponsor_ids else set()
    return {i for i in sponsor_ids if i != request_.requested_by_id and i not in voted}


def acting_for(request_: SignoffRequest, user, membership, now: datetime | None = None) -> list[Approver]:
    """In whose names ``user`` may vote on the request now: their own (an expected sponsor), and
    each expected sponsor they stand in for today. Empty for the requester."""
    if user is None or membership is None or membership.project_id != request_.project_id:
        return []
    if request_.requested_by_id is not None and request_.requested_by_id == user.id:
        return []
    sponsors = {u.id: u for u in active_sponsors(request_.project_id)}
    expected = _expected_ids(request_, set(sponsors))
    found = [Approver(user.id, user.name)] if user.id in expected else []
    for row in active_stand_ins([request_.project_id], now, stand_in_id=user.id):
        if row.sponsor_id in expected and row.sponsor_id != request_.requested_by_id \
                and all(a.id != row.sponsor_id for a in found):
            found.append(Approver(row.sponsor_id, sponsors[row.sponsor_id].name))
    return found


def refusal(request_: SignoffRequest, user, membership, now: datetime | None = None):
    """Why ``user`` may not vote on the request now (a translatable message), or None when they may."""
    if membership is None or membership.project_id != request_.project_id:
        return NOT_AN_APPROVER
    if request_.requested_by_id is not None and request_.requested_by_id == user.id:
        return OWN_REQUEST
    if request_.status != RequestStatus.PENDING:  # closed: the caller says how it was closed
        return None if membership.is_sponsor or stand_ins_of_user(request_.project_id, user.id) else NOT_AN_APPROVER
    if acting_for(request_, user, membership, now):
        return None
    waiting = ", ".join(approver.name for approver in waiting_for(request_)) or "—"
    if any(vote.approver_id == user.id for vote in request_.votes):
        return _l("You have already decided on this request. It now waits for %(names)s.", names=waiting)
    if not membership.is_sponsor:
        mine = [row for row in stand_ins_of_user(request_.project_id, user.id) if row.ended_at is None]
        if mine:
            row = mine[0]
            return _l("You stand in for %(sponsor)s from %(start)s to %(end)s (their calendar): outside those "
                      "dates, or once they have decided, you cannot decide in their name.",
                      sponsor=row.sponsor.name, start=date_format(row.starts_on), end=date_format(row.ends_on))
        return NOT_AN_APPROVER
    required = {a["id"] for a in request_.approvers}
    if request_.rule == ApprovalRule.CHAIN and user.id in required:
        return _l("This sign-off goes in order: it is %(names)s's turn now. You are told when yours comes.",
                  names=waiting)
    if request_.rule != ApprovalRule.ANY and user.id not in required:
        return _l("The approval rule of this request names its approvers, and you are not one of them.")
    return NOT_AN_APPROVER


def stand_ins_of_user(project_id: int, user_id: int) -> list[StandIn]:
    return list(db.session.scalars(select(StandIn).where(StandIn.project_id == project_id,
                                                         StandIn.stand_in_id == user_id)
                                   .options(selectinload(StandIn.sponsor)).order_by(StandIn.ends_on.desc())))


def waiting_for(request_: SignoffRequest) -> list[Approver]:
    """Who the request waits for now (for "any one sponsor": every sponsor who may decide)."""
    sponsors = {u.id: u for u in active_sponsors(request_.project_id)}
    expected = _expected_ids(request_, set(sponsors))
    if request_.rule == ApprovalRule.ANY:
        return [Approver(u.id, u.name) for u in sponsors.values() if u.id in expected]
    return [Approver(a["id"], sponsors[a["id"]].name) for a in request_.approvers if a["id"] in expected]


def expected_recipients(request_: SignoffRequest, now: datetime | None = None) -> list[User]:
    """Who is told the request waits for them: the expected approvers and their stand-ins in force
    (never the requester), each once."""
    sponsors = {u.id: u for u in active_sponsors(request_.project_id)}
    expected = _expected_ids(request_, set(sponsors))
    found = {i: sponsors[i] for i in sorted(expected)}
    for row in active_stand_ins([request_.project_id], now):
        if row.sponsor_id in expected and row.stand_in_id != request_.requested_by_id and row.stand_in.active:
            found.setdefault(row.stand_in_id, row.stand_in)
    members = set(db.session.scalars(select(ProjectMember.user_id).where(
        ProjectMember.project_id == request_.project_id)))
    return [user for user in found.values() if user.id in members]


# --------------------------------------------------------------------------- the gate's account


@dataclass
class ApproverRow:
    approver: Approver
    vote: SignoffVote | None
    current: bool  # the one a chain waits for now
    gone: bool = False  # no longer an active sponsor, and has not voted: the request cannot be met


@dataclass
class Standing:
    """What the gate shows of a request: its rule, who decided, who is still expected."""

    rule: ApprovalRule
    rows: list[ApproverRow]  # the required approvers (all, chain) with their votes
    votes: list[SignoffVote]
    waiting: list[Approver] = field(default_factory=list)


def standing(request_: SignoffRequest) -> Standing:
    votes = list(request_.votes)
    by_approver = {vote.approver_id: vote for vote in votes}
    live = request_.status == RequestStatus.PENDING
    waiting = waiting_for(request_) if live else []
    current = {a.id for a in waiting} if request_.rule == ApprovalRule.CHAIN else set()
    sponsors = {u.id for u in active_sponsors(request_.project_id)} if live and request_.approvers else set()
    rows = [ApproverRow(Approver(a["id"], a.get("name", "")), by_approver.get(a["id"]), a["id"] in current,
                        live and a["id"] not in by_approver and a["id"] not in sponsors)
            for a in request_.approvers]
    return Standing(request_.rule, rows, votes, waiting)


def votes_by_request(request_ids) -> dict[int, list[SignoffVote]]:
    ids = list(request_ids)
    found: dict[int, list] = defaultdict(list)
    if ids:
        for vote in db.session.scalars(select(SignoffVote).where(SignoffVote.request_id.in_(ids))
                                       .order_by(SignoffVote.voted_at, SignoffVote.id)):
            found[vote.request_id].append(vote)
    return found


# --------------------------------------------------------------------------- a vote


def name_refusal(request_: SignoffRequest, user, membership, on_behalf_of, now: datetime | None = None):
    """Why ``user`` may not decide in the name asked for (``on_behalf_of``), or None."""
    if on_behalf_of in (None, ""):
        return None
    if any(str(a.id) == str(on_behalf_of).strip() for a in acting_for(request_, user, membership, now)):
        return None
    return _l("You cannot decide in that person's name on this request.")


def choose_approver(request_: SignoffRequest, user, membership, on_behalf_of: int | None,
                    now: datetime | None = None) -> Approver:
    """The approver in whose name ``user`` votes: the one asked for, else their own name, else the
    one sponsor they stand in for (refused when they stand in for several and named none)."""
    options = acting_for(request_, user, membership, now)
    if not options:
        raise DomainError(refusal(request_, user, membership, now) or NOT_AN_APPROVER)
    if on_behalf_of not in (None, ""):
        chosen = next((a for a in options if str(a.id) == str(on_behalf_of).strip()), None)
        if chosen is None:
            raise DomainError(_l("You cannot decide in that person's name on this request."))
        return chosen
    own = next((a for a in options if a.id == user.id), None)
    if own is not None:
        return own
    if len(options) > 1:
        raise DomainError(_l("Choose in whose name you decide."))
    return options[0]


def rule_met(request_: SignoffRequest, votes: list[SignoffVote]) -> Outcome | None:
    """The outcome once the rule is met by ``votes``, else None."""
    if any(vote.outcome == Outcome.REJECTED for vote in votes):
        return Outcome.REJECTED
    approved = {vote.approver_id for vote in votes}
    if request_.rule == ApprovalRule.ANY:
        met = bool(votes)
    else:
        met = bool(request_.approvers) and all(a["id"] in approved for a in request_.approvers)
    if not met:
        return None
    if any(vote.outcome == Outcome.APPROVED_WITH_CONDITIONS for vote in votes):
        return Outcome.APPROVED_WITH_CONDITIONS
    return Outcome.APPROVED


def decision_comment(outcome: Outcome, votes: list[SignoffVote]) -> str:
    """The decision's comment: the rejection's reasons; every conditions vote's conditions, one per
    line; or the approvers' comments."""
    if outcome == Outcome.REJECTED:
        chosen = [vote for vote in votes if vote.outcome == Outcome.REJECTED]
    elif outcome == Outcome.APPROVED_WITH_CONDITIONS:
        chosen = [vote for vote in votes if vote.outcome == Outcome.APPROVED_WITH_CONDITIONS]
    else:
        chosen = [vote for vote in votes if vote.comment]
    if len(chosen) == 1:
        return chosen[0].comment  # one approver's words, as they wrote them
    lines = [line.strip() for vote in chosen for line in (vote.comment or "").splitlines()]
    return "\n".join(line for line in lines if line)
