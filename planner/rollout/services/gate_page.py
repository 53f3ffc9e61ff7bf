"""The gate page of a stage: what it shows, and which forms it offers to whom.

- A sponsor (of a project that is not archived) may decide the pending request unless a rule
  refuses them (``decision_refusal``: they requested it themselves, they decided already…); a
  sponsor who may not decide is told why.
- A project manager (of a project that is not archived) may start a planned stage, request the
  sign-off of an active or rejected stage, and withdraw a pending request.
- Everyone else reads.
"""

from dataclasses import dataclass
from datetime import date

from planner.dates import local_today
from planner.projects.models import ProjectRole
from planner.rollout.models import RequestStatus, SignoffRequest, Stage, StageStatus
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
    refusal: object | None  # why this sponsor may not decide the pending request

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
    refusal = decision_refusal(pending, user, membership) if pending else None
    manager = live and membership is not None and membership.has(ProjectRole.MANAGER)
    sponsor = membership is not None and membership.has(ProjectRole.SPONSOR)
    return GatePage(
        stage=stage, stages=stages, gate=evaluate_stages(project, [stage])[stage.id], requests=requests,
        pending=pending, previous=previous_stage(stage, stages), today=local_today(),
        members=members_in_teams(project, stage.teams), can_manage=manager,
        offers_decision=pending is not None and refusal is None and live,
        offers_start=manager and stage.status == StageStatus.PLANNED,
        offers_request=manager and stage.status in (StageStatus.ACTIVE, StageStatus.REJECTED),
        offers_withdraw=manager and pending is not None,
        refusal=refusal if pending and sponsor else None,
    )
