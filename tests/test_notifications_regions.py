"""E-mail is written with its recipient's own region (the account's setting, planner.regions), not the
language's usual one and not the region of whoever caused it: a Spanish reader in Mexico reads
``4:05 p.m.``, one in Spain ``16:05``; an English reader in Britain ``1 Mar 2026``, one in the United
States ``Mar 1, 2026``. Through a real SMTP server (aiosmtpd), at once and in the daily digest."""

import re
from datetime import UTC, date, datetime

from planner.change.models import ChangeTask, TaskCategory, TaskStatus
from planner.notifications import reminders
from planner.projects.access import membership_for
from tests.notification_fixtures import *  # noqa: F403 - the fixtures
from tests.notification_fixtures import request_signoff

TWELVE_HOUR = re.compile(r"\b\d{1,2}:\d{2}\u202f[ap]\.\s?m\.")  # es_MX: h:mm a
TWENTY_FOUR_HOUR = re.compile(r"\b\d{1,2}:\d{2} UTC")  # es_ES: H:mm, then the zone


def _set(db, user, **fields):
    for name, value in fields.items():
        setattr(user, name, value)
    db.session.commit()


def test_a_mail_at_once_follows_each_spanish_readers_region(team, mailbox, make_client, make_user, add_member, db):
    project, stage, u = team
    # Two Spanish sponsors in the same time zone, one set to Mexico and one to Spain; the manager who
    # causes the mail reads with Argentina's formats, which must reach neither.
    _set(db, u["es"], region="es_MX")
    spain = make_user(email="carmen@example.com", name="Carmen Ruiz", language="es", timezone="America/Mexico_City")
    _set(db, spain, region="es_ES")
    add_member(project, spain, sponsor=True)
    _set(db, u["manager"], region="es_AR")
    request_signoff(make_client, project, stage, u["manager"])
    by_address = {m.to[0]: m for m in mailbox}
    mexico, madrid = by_address["lucia@example.com"], by_address["carmen@example.com"]
    for body in (mexico.text, mexico.html):
        assert TWELVE_HOUR.search(body) and "UTC\u22126" in body
    for body in (madrid.text, madrid.html):
        assert TWENTY_FOUR_HOUR.search(body) and not TWELVE_HOUR.search(body) and "UTC\u22126" in body
    # The Chinese sponsor has no region set: the language's usual one (China), 24-hour clock.
    chinese = by_address["wei@example.com"].text
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} UTC\+8", chinese)
    # To the minute, as the notifications page writes the same moment.
    for mail in (mexico, madrid, by_address["wei@example.com"]):
        assert not re.search(r"\d:\d{2}:\d{2}", mail.text + mail.html)


def _overdue_task(db, project, user, title):
    owner = membership_for(project.id, user.id)
    db.session.add(ChangeTask(project_id=project.id, title=title, owner_id=owner.id, due_date=date(2026, 3, 1),
                              status=TaskStatus.OPEN, category=TaskCategory.TRAINING))
    db.session.commit()


def test_the_digest_follows_each_english_readers_region(team, mailbox, make_user, add_member, db):
    project, _stage, u = team
    britain = make_user(email="olivia@example.com", name="Olivia Hart", language="en", timezone="Europe/London")
    _set(db, britain, region="en_GB")
    america = make_user(email="james@example.com", name="James Cole", language="en", timezone="Europe/London")
    _set(db, america, region="en_US")
    for person in (britain, america):
        add_member(project, person, team="客服")
        _overdue_task(db, project, person, f"Train the service desk ({person.name})")
    reminders.run(datetime(2026, 3, 5, 8, 5, tzinfo=UTC))  # 08:05 in London: the default digest hour
    db.session.commit()
    by_address = {m.to[0]: m for m in mailbox}
    british, american = by_address["olivia@example.com"], by_address["james@example.com"]
    assert british.subject == "Your Rollout digest for 5 March 2026"
    assert american.subject == "Your Rollout digest for March 5, 2026"
    for body in (british.text, british.html):
        assert "due 1 Mar 2026" in body and "Mar 1, 2026" not in body
    for body in (american.text, american.html):
        assert "due Mar 1, 2026" in body and "1 Mar 2026" not in body
