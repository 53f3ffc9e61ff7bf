"""Access rules for notifications: each person sees and marks only their own (anyone else's id
gives 404), the settings page is everyone's own, an unsubscribe link needs no sign-in (a valid
token answers whoever holds it; a forged one is not found), and the outbox is for administrators."""

from planner.extensions import db
from planner.notifications import unsubscribe
from planner.notifications.kinds import KINDS
from planner.notifications.models import MailState, Notification, OutboxMail
from tests.access.matrix import ADMIN_ONLY, LOGIN, MANAGERS, NOT_FOUND, OK, PUBLIC, ROLES, SIGNED_IN, Rule

ONLY_STAFF = {**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": LOGIN, "staff": OK}
NOBODY = dict.fromkeys(ROLES, NOT_FOUND)
SETTINGS = {**{f"kind_{key}": "digest" for key in KINDS}, "kind_signoff_decided": "email", "digest_hour": "9"}

RULES = [
    Rule("notifications.index", "/notifications", SIGNED_IN),
    Rule("notifications.open", "/notifications/{staff_notification}", ONLY_STAFF),
    Rule("notifications.mark_read", "/notifications/{staff_notification}/read", ONLY_STAFF, method="POST",
         success="/notifications"),
    Rule("notifications.mark_all_read", "/notifications/read-all", SIGNED_IN, method="POST",
         success="/notifications"),
    Rule("notifications.preferences", "/notifications/settings", SIGNED_IN),
    Rule("notifications.preferences", "/notifications/settings", SIGNED_IN, method="POST", data=SETTINGS,
         success="/notifications/settings"),
    Rule("notifications.unsubscribe", "/notifications/unsubscribe/{unsubscribe_token}", PUBLIC),
    Rule("notifications.unsubscribe", "/notifications/unsubscribe/{unsubscribe_token}x", NOBODY),
    Rule("notifications.unsubscribe_post", "/notifications/unsubscribe/{unsubscribe_token}", PUBLIC, method="POST",
         success=200),
    Rule("notifications.outbox_page", "/admin/outbox", ADMIN_ONLY),
    Rule("notifications.outbox_mail", "/admin/outbox/{outbox_mail}", ADMIN_ONLY),
    Rule("notifications.outbox_html", "/admin/outbox/{outbox_mail}/html", ADMIN_ONLY),
    Rule("notifications.outbox_retry", "/admin/outbox/{outbox_mail}/retry", ADMIN_ONLY, method="POST",
         success="/admin/outbox/{outbox_mail}"),
]


def setup(world):
    staff = world.users["staff"]
    notification = Notification(user_id=staff.id, project_id=world.project.id, kind="signoff_decided",
                                params={"project_id": world.project.id, "project": "项目甲", "stage_id": 1,
                                        "stage": "试点", "actor": "发起人", "outcome": "approved"})
    mail = OutboxMail(user_id=staff.id, to_address=staff.email, language="zh", kind="signoff_decided",
                      subject="发起人已审批", text_body="您好", html_body="<p>您好</p>", state=MailState.FAILED,
                      attempts=5, last_error="连接被拒绝")
    db.session.add_all([notification, mail])
    db.session.flush()
    db.session.commit()
    world.ids.update(staff_notification=notification.id, outbox_mail=mail.id,
                     unsubscribe_token=unsubscribe.token(staff, "signoff_decided", mail.id))

RULES += [
    Rule("notifications.project_reminders", "/projects/{project}/reminders", MANAGERS),
    Rule("notifications.project_reminders", "/projects/{project}/reminders", MANAGERS, method="POST",
         data={"signoff_days": "5"}, success="/projects/{project}/reminders"),
]
