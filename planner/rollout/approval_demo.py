"""Demo approval rules and stand-ins, in each project's language (called by the rollout demo):

- every project gets a second executive sponsor from finance (Helen Ward, Álvaro Gil, 赵磊);
- Meridian Freight (en): the pilot's sign-off follows "all sponsors" (the stage's own rule);
  Helen Ward has approved the pending request, Samuel Ortiz has not yet; Samuel is away this week
  and Tom Baker stands in for him (so either may give the second approval);
- 华信家电 (zh): wave 1's sign-off follows "all sponsors"; 赵磊 has approved, Samuel has not;
  王芳 stands in for Samuel this week;
- Distribuciones Alba (es): the project's rule is the chain "Samuel Ortiz, then Álvaro Gil", for the
  next request (wave 1 is running).

``prepare`` runs before the rollout demo records its sign-off history (the rule is fixed on each
request when it is opened); ``load`` afterwards, and skips a project that already has a stand-in
or a project-wide rule.
"""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from planner.audit.models import AuditEvent
from planner.dates import date_in_zone
from planner.db import utcnow
from planner.extensions import db
from planner.projects.models import ProjectMember
from planner.rollout.models import ApprovalRule, Outcome, RequestStatus, SignoffRequest, StandIn
from planner.rollout.services import approvals
from planner.rollout.services.signoff import decide

FINANCE = {"en": "helen.ward@example.com", "es": "alvaro.gil@example.com", "zh": "zhao.lei@example.com"}
# The stage (by position among the project's stages) whose sign-off needs every sponsor.
ALL_SPONSORS_STAGE = {"en": 0, "zh": 1}
STAND_INS = {"en": "tom.baker@example.com", "zh": "wang.fang@example.com"}
APPROVAL = {
    "en": "The pilot's costs are within the budget we agreed, and the service desk figures hold up. "
          "Approved from finance.",
    "zh": "第一批推广的费用控制在预算之内，各项指标也很稳定，财务方面同意。",
}


def _sponsor(ctx, project, email) -> ProjectMember:
    user = ctx.users[email]
    member = db.session.scalar(select(ProjectMember).where(ProjectMember.project_id == project.id,
                                                           ProjectMember.user_id == user.id))
    if member is None:
        member = ProjectMember(project_id=project.id, user_id=user.id, is_sponsor=True, team="")
        db.session.add(member)
        db.session.flush()
    return member


def _dated(moment, actor) -> None:
    for obj in db.session.new:
        if isinstance(obj, AuditEvent):
            obj.created_at = moment
            obj.actor_id, obj.actor_name = actor.id, actor.name


def prepare(ctx, project, language: str, stages) -> None:
    """The second sponsor, and the "all sponsors" stage, before any request is opened."""
    _sponsor(ctx, project, FINANCE[language])
    index = ALL_SPONSORS_STAGE.get(language)
    if index is not None and index < len(stages):
        approvals.set_rule(project, stages[index], ApprovalRule.ALL, by=ctx.users["pm@example.com"])
        _dated(datetime.combine(utcnow().date() - timedelta(days=30), time(9, 0), tzinfo=UTC),
               ctx.users["pm@example.com"])


def load(ctx, project, language: str) -> None:
    if db.session.scalar(select(StandIn.id).where(StandIn.project_id == project.id).limit(1)) is not None \
            or approvals.setting_of(project.id, None) is not None:
        return  # loaded already (the Spanish project has a project rule and no stand-in)
    finance = _sponsor(ctx, project, FINANCE[language])
    sponsor = ctx.users["sponsor@example.com"]
    pending = db.session.scalar(select(SignoffRequest).where(
        SignoffRequest.project_id == project.id, SignoffRequest.status == RequestStatus.PENDING,
        SignoffRequest.rule == ApprovalRule.ALL).order_by(SignoffRequest.id.desc()).limit(1))
    if pending is not None and not pending.votes and language in APPROVAL:
        moment = max(pending.requested_at + timedelta(hours=4), utcnow() - timedelta(hours=20))
        stage = pending.stage
        decide(pending, ctx.users[FINANCE[language]], finance, Outcome.APPROVED, APPROVAL[language], stage.version,
               at=moment, until=moment.date())
        _dated(moment, ctx.users[FINANCE[language]])
    if language in STAND_INS:
        member = db.session.scalar(select(ProjectMember).where(ProjectMember.project_id == project.id,
                                                               ProjectMember.user_id == sponsor.id))
        today = date_in_zone(utcnow(), sponsor.timezone)
        approvals.add_stand_in(project, sponsor, member, ctx.users[STAND_INS[language]].id,
                               today - timedelta(days=1), today + timedelta(days=6))
        _dated(utcnow() - timedelta(days=2), sponsor)
    if language == "es" and approvals.setting_of(project.id, None) is None:
        approvals.set_rule(project, None, ApprovalRule.CHAIN, [sponsor.id, ctx.users[FINANCE[language]].id],
                           by=ctx.users["pm@example.com"])
        _dated(utcnow() - timedelta(days=3), ctx.users["pm@example.com"])
    db.session.flush()
    ctx.note(f"approvals {language}")
