"""The gate page of a stage: what it shows, and which forms it offers to whom.

- Whoever may vote on the pending request now under its approval rule (``approvals.acting_for``:
  an expected sponsor, or a sponsor's stand-in within their dates; never the requester), in a
  project that is not archived, gets the decision form, with the names they may decide in; a
  sponsor or stand-in who may not act now is told why (``decision_refusal``: they requested it
  themselves, it is not their turn in the chain, they decided already, the dates have passed…).
- Everyone sees the request's rule, who has decided (and for whom) and who is still expected.
- A project manager (of a project that is not archived) may start a planned stage, request the
  sign-off of an active or rejected stage, and withdraw a pending request.
- Everyone else reads.
"""

from dataclasses import dataclass
from datetime import date

from planner.dates import local_today
from planner.projects.models import ProjectRole
from planner.rollout.models import RequestStatus, SignoffRequest, Stage, StageStatus
from planner.rollout.services import approvals
from planner.rollout.services.gate import Gate, evaluate_stages
from planner.rollout.services.signoff import decision_refusal, stage_requests
from planner.rollout.services.stages import members_in_teams, previous_stage, project_stages


@dataclass
class GatePage:
    stage: Stage
    stages: list[Stage]
    gate: Gate
    requests: list[SignoffRequest]
    pending: SignoffRequest | None
    previous: Stage | None
    today: date
    members: int
    can_manage: bool  # the manager's actions: edit, criteria, start, request, withdraw
    offers_decision: bool
    offers_start: bool
    offers_request: bool
    offers_withdraw: bool
    refusal: object | None  # why this sponsor (or stand-in) may not decide the pending request
    acting_for: list  # the approvers in whose name the reader may decide now (their own first)
    standing: object | None  # the pending request's rule, votes and who is still expected
    rule_in_force: object  # the rule the next request would follow (approvals.RuleInForce)

    @property
    def standings(self) -> dict:
        """Each request's rule and votes, for the history: those under a rule of several approvers,
        and those a stand-in decided (the decision alone says enough of the others)."""
        return {r.id: approvals.standing(r) for r in self.requests
                if r.rule != "any" or any(vote.by_stand_in for vote in r.votes)}

    @property
    def position(self) -> int:
        return self.stages.index(self.stage) + 1


def gate_page(project, stage: Stage, user, membership) -> GatePage:
    """The gate of ``stage`` as ``user`` (``membership`` in the project, None for an administrator
    who is not a member) sees it."""
    stages = project_stages(project)
    stage = next(s for s in stages if s.id == stage.id)
    requests = stage_requests(stage)
    pending = next((r for r in requests if r.status == RequestStatus.PENDING), None)
    live = not project.archived
    acting = approvals.acting_for(pending, user, membership) if pending and live else []
    refusal = decision_refusal(pending, user, membership) if pending and not acting else None
    manager = live and membership is not None and membership.has(ProjectRole.MANAGER)
    sponsor = membership is not None and (membership.has(ProjectRole.SPONSOR) or (
        pending is not None and bool(approvals.stand_ins_of_user(project.id, user.id))))
    return GatePage(
        stage=stage, stages=stages, gate=evaluate_stages(project, [stage])[stage.id], requests=requests,
        pending=pending, previous=previous_stage(stage, stages), today=local_today(),
        members=members_in_teams(project, stage.teams), can_manage=manager,
        offers_decision=bool(acting),
        offers_start=manager and stage.status == StageStatus.PLANNED,
        offers_request=manager and stage.status in (StageStatus.ACTIVE, StageStatus.REJECTED),
        offers_withdraw=manager and pending is not None,
        refusal=refusal if pending and sponsor and refusal is not None else None,
        acting_for=acting, standing=approvals.standing(pending) if pending else None,
        rule_in_force=approvals.rule_in_force(stage),
    )
