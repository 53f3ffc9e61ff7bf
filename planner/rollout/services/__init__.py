"""Operations on stages, exit criteria and sign-off, the live gate evaluation, and the figures other
pages show, one module per seam: ``stages``, ``signoff``, ``criteria``, ``gate`` (the evaluation and the
gate page's offers), ``blockers`` (what stands before the next sign-off)
and ``bulk`` (what other pages read). Every public name is importable from here.
Operations add an audit event; the calling view commits (or rolls back).

Functions other features call (bounded queries whatever the number of projects):

- ``current_stage_by_project(project_ids) -> {project_id: CurrentStage(name, status, days) | None}``
- ``pending_signoffs_for(user) -> [PendingSignoff]``: the requests ``user`` may decide now (their
  turn under the request's approval rule, in their name or as a stand-in)
- ``pending_signoffs_by_project(project_ids) -> {project_id: [PendingSignoff]}``
- ``evaluate_stage(stage, until=None) -> Gate``: the exit criteria evaluated live
- ``signoff_blockers(project, stage) -> [Blocker]``: what stands between the stage and its sign-off
"""

from planner.rollout.services import approvals  # noqa: F401 - approval rules, votes and stand-ins
from planner.rollout.services.blockers import Blocker, signoff_blockers  # noqa: F401
from planner.rollout.services.bulk import (  # noqa: F401
    CurrentStage,
    PendingSignoff,
    current_stage,
    current_stage_by_project,
    inbox_state,
    pending_signoffs_by_project,
    pending_signoffs_for,
)
from planner.rollout.services.criteria import (  # noqa: F401
    CRITERION_FIELDS,
    add_criterion,
    criterion_data,
    delete_criterion,
    describe_criterion,
    kpi_text,
    update_criterion,
)
from planner.rollout.services.gate import (  # noqa: F401
    TREND_WEEKS,
    CriterionResult,
    Gate,
    KpiEvidence,
    SnapshotRow,
    evaluate_stage,
    evaluate_stages,
    kpi_window,
    snapshot,
    snapshot_rows,
)
from planner.rollout.services.gate_page import GatePage, gate_page  # noqa: F401
from planner.rollout.services.signoff import (  # noqa: F401
    STALE_DECISION,
    approver_count,
    closed_request_message,
    decide,
    decision_refusal,
    pending_request,
    request_signoff,
    stage_requests,
    withdraw_signoff,
)
from planner.rollout.services.stages import (  # noqa: F401
    SCOPE_FIELDS,
    STAGE_FIELDS,
    STALE,
    apply_plan,
    check_version,
    create_stage,
    delete_stage,
    members_in_teams,
    move_stage,
    previous_stage,
    project_stages,
    project_teams,
    start_stage,
    update_stage,
)
