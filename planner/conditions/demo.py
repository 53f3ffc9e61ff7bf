"""Demo conditions: the Spanish and Chinese pilots were approved with conditions (the rollout demo), so
their conditions are followed up while wave 1 runs. Per project, one is closed with a note and one
is handed to a member of the team with another due date (the Chinese one overdue), all through the
same operations the pages use, with their audit events and notifications. Loaded once per project:
a project with a closed condition is left alone.

(The English pilot is still waiting for its sign-off, so the English project has no condition yet.)
"""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from planner.audit.models import AuditEvent
from planner.conditions import services
from planner.conditions.models import Condition, ConditionStatus
from planner.extensions import db
from planner.projects.models import ProjectMember
from planner.rollout.models import Outcome, SignoffDecision

ORDER = 96  # after the rollout history (70) and the notifications' replay of it (95)

# Per project: (line closed, days after the decision, note), (line handed over, to whom, due in days from today).
PLAN = {
    "es": ((2, 3, "Ampliamos la memoria del servidor y activamos la caché de fichas: ahora abren en menos de "
                  "un segundo. Lo comprobamos con el equipo de Madrid."),
           (1, "staff@example.com", 6)),
    "zh": ((2, 12, "华东区销售团队四十二人已全部完成系统培训，培训记录已归档。"),
           (1, "li.wei@example.com", -3)),
}


def _at(day: date, hour: int = 11) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def _from_decisions(project) -> None:
    """Conditions of decisions taken before this feature existed (older demo databases)."""
    decisions = db.session.scalars(select(SignoffDecision).where(
        SignoffDecision.project_id == project.id,
        SignoffDecision.outcome == Outcome.APPROVED_WITH_CONDITIONS).order_by(SignoffDecision.id)).all()
    for decision in decisions:
        services.record_conditions(decision)


def _member(ctx, project, email) -> ProjectMember | None:
    user = ctx.users.get(email)
    if user is None:
        return None
    return db.session.scalar(select(ProjectMember).where(ProjectMember.project_id == project.id,
                                                         ProjectMember.user_id == user.id))


def load(ctx) -> None:
    pm = ctx.users["pm@example.com"]
    for language, ((closed_line, after, note), (handed_line, email, due_in)) in PLAN.items():
        project = ctx.projects[language]
        _from_decisions(project)
        conditions = {c.position: c for c in db.session.scalars(
            select(Condition).where(Condition.project_id == project.id).order_by(Condition.id))}
        if not conditions or any(c.status == ConditionStatus.CLOSED for c in conditions.values()):
            continue
        manager = _member(ctx, project, "pm@example.com")
        handed, owner = conditions.get(handed_line), _member(ctx, project, email)
        if handed is not None and owner is not None:
            services.change(handed, owner.id, date.today() + timedelta(days=due_in), pm, manager)
        closing = conditions.get(closed_line)
        if closing is not None:
            services.close(closing, note, pm, manager)
            closing.closed_at = _at(closing.created_at.date() + timedelta(days=after))
            for event in db.session.new:
                if isinstance(event, AuditEvent) and event.action == "conditions.closed":
                    event.created_at = closing.closed_at
        db.session.flush()
        ctx.note(f"conditions {language}")
