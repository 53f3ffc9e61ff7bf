"""Demo notifications: the sign-off history of the three demo projects told to the people it
concerns (as the signals would have when it happened, dated then), so each demo user finds some
waiting under the bell and the outbox shows the mail that went out. Written by the same code as
live notifications, each in its reader's language. Loaded once per project."""

from sqlalchemy import exists, select

from planner.extensions import db
from planner.notifications import listeners
from planner.notifications.models import Notification
from planner.projects.models import ProjectMember
from planner.rollout.models import SignoffDecision, SignoffRequest

ORDER = 95  # after the rollout history (70) and the members


def _replay(project) -> None:
    requests = db.session.scalars(select(SignoffRequest).where(SignoffRequest.project_id == project.id)
                                  .order_by(SignoffRequest.requested_at)).all()
    for request_ in requests:
        requester = request_.requested_by_id and db.session.get(listeners.User, request_.requested_by_id)
        listeners.signoff_requested(request_, actor=requester or None)
        decision = request_.decision
        if decision is not None:
            decider = decision.decided_by_id and db.session.get(listeners.User, decision.decided_by_id)
            listeners.signoff_decided(decision, actor=decider or None)


def _welcome(project, manager) -> None:
    """Each member but the project manager was added to the project by them: told so, dated then."""
    members = db.session.scalars(select(ProjectMember).where(ProjectMember.project_id == project.id)
                                 .order_by(ProjectMember.id)).all()
    for member in members:
        for notification in listeners.member_added(member, actor=manager) or []:
            notification.created_at = member.joined_at


def _dated(project) -> None:
    """Notifications and mail about the demo's past sign-offs carry the moment they happened."""
    moments = {("r", r.id): r.requested_at for r in db.session.scalars(
        select(SignoffRequest).where(SignoffRequest.project_id == project.id))}
    moments.update({("d", d.id): d.decided_at for d in db.session.scalars(
        select(SignoffDecision).where(SignoffDecision.project_id == project.id))})
    for notification in db.session.scalars(select(Notification).where(Notification.project_id == project.id)):
        params = notification.params or {}
        key = ("d", params.get("decision_id")) if "decision_id" in params else ("r", params.get("request_id"))
        if key in moments:
            notification.created_at = moments[key]


def load(ctx) -> None:
    for language, project in ctx.projects.items():
        if not db.session.scalar(select(exists().where(Notification.project_id == project.id))):
            _replay(project)  # when the rollout demo ran before notifications existed
        if not db.session.scalar(select(exists().where(Notification.project_id == project.id,
                                                       Notification.kind == "member_added"))):
            _welcome(project, ctx.users["pm@example.com"])
        _dated(project)
        db.session.flush()
        ctx.note(f"notifications {language}")
