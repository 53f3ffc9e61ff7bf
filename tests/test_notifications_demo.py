"""The demo's notifications: loaded once, in each reader's language, with sample mail in the outbox."""

from sqlalchemy import func, select

from planner import demo
from planner.notifications.models import MailState, Notification, OutboxMail
from planner.projects.models import ProjectMember
from planner.rollout.models import SignoffRequest


def test_the_demo_leaves_notifications_and_sample_mail_once(app, db):
    ctx = demo.load()
    first = db.session.scalar(select(func.count()).select_from(Notification))
    mails = db.session.scalar(select(func.count()).select_from(OutboxMail))
    demo.load()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == first > 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == mails > 0
    assert set(db.session.scalars(select(OutboxMail.state))) <= {MailState.KEPT, MailState.QUEUED}
    languages = set(db.session.scalars(select(OutboxMail.language)))
    assert {"en", "es", "zh"} <= languages
    sponsor = ctx.users["sponsor@example.com"]
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == sponsor.id, Notification.kind == "signoff_requested")) >= 1
    # Dated when the sign-off happened, not when the demo was loaded.
    oldest = db.session.scalar(select(func.min(Notification.created_at)))
    assert oldest <= db.session.scalar(select(func.max(SignoffRequest.requested_at)))


def test_every_demo_member_finds_notifications_waiting_in_their_language(app, db, make_client):
    from tests.helpers import login, visible_text

    ctx = demo.load()
    members = set(db.session.scalars(select(ProjectMember.user_id)))
    unread = set(db.session.scalars(select(Notification.user_id).where(Notification.read_at.is_(None))))
    assert members and members <= unread
    wang = ctx.users["wang.fang@example.com"]
    client = make_client()
    login(client, wang, password=demo.PASSWORD)
    page = visible_text(client.get("/notifications").get_data(as_text=True))
    assert "已将您加入项目" in page
