"""A seeded generator of synthetic projects with CRM records, for benchmarks.

    from bench.generator import Sizes, generate_project
    project_id = generate_project(name="Large", sizes=Sizes.LARGE, seed=1)

Everything is written with bulk Core inserts in batches (no ORM objects), inside the caller's
application context; the same seed and sizes give the same data (dates are relative to ``today``).
Other benchmarks (the executive dashboard) call ``generate_project`` for many smaller projects.
After a bulk load the KPI cache of the project is emptied, the duplicate flags of its contacts are
computed, and the planner statistics refreshed.
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import insert, select, text
from werkzeug.security import generate_password_hash

from planner.auth.models import GlobalRole, User
from planner.crm.models import (
    Account,
    Channel,
    Contact,
    Interaction,
    Opportunity,
    OpportunityKind,
    OpportunityStage,
    ServiceCase,
    search_key,
    valid_email,
    valid_phone,
)
from planner.db import utcnow
from planner.extensions import db
from planner.kpis import cache
from planner.projects.models import Project, ProjectMember

BATCH = 20_000
PASSWORD = "bench-password"  # noqa: S105 - a benchmark account


@dataclass(frozen=True)
class Sizes:
    accounts: int
    contacts: int
    interactions: int
    cases: int
    opportunities: int
    staff: int = 40
    weeks: int = 104  # how far back the records go

    def scaled(self, factor: float) -> "Sizes":
        return Sizes(*(max(1, int(getattr(self, name) * factor)) for name in
                       ("accounts", "contacts", "interactions", "cases", "opportunities")),
                     staff=self.staff, weeks=self.weeks)


Sizes.LARGE = Sizes(100_000, 200_000, 1_000_000, 100_000, 50_000)
Sizes.SMALL = Sizes(1_000, 2_000, 10_000, 1_000, 500, staff=10)

SYLLABLES = ("al", "ba", "cor", "del", "en", "far", "gra", "hol", "ist", "jun", "kel", "lor", "mar", "nor", "ol",
             "pen", "qui", "ros", "sal", "tor", "ur", "ver", "wes", "xan", "yor", "zen")
CHINESE = ("华", "信", "恒", "达", "瑞", "丰", "金", "源", "美", "顺", "鑫", "盛", "新", "宇", "嘉", "和")
SEGMENTS = ("Key account", "Mid-market", "Small business", "Public sector", "Partner")
COUNTRIES = {"United Kingdom": ("London", "Leeds"), "España": ("Madrid", "Valencia"), "中国": ("上海", "苏州"),
             "México": ("Monterrey",), "United States": ("Chicago", "Dallas"), "Deutschland": ("Berlin",)}
CHANNEL_WEIGHTS = {Channel.PHONE: 35, Channel.EMAIL: 30, Channel.CHAT: 15, Channel.WEB: 10, Channel.IN_PERSON: 7,
                   Channel.OTHER: 3}


def _name(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return "".join(rng.choice(CHINESE) for _ in range(rng.randint(2, 4))) + "有限公司"
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    return f"{word} {rng.choice(('Foods', 'Retail', 'Logística', 'Motors', 'Pharma', 'Textiles', 'Group'))}"


def _insert(table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[start:start + BATCH])


def ensure_users(prefix: str, count: int) -> list[int]:
    """``count`` staff accounts named ``<prefix>-N@example.com`` (created once, then reused)."""
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    emails = [f"{prefix}-{n}@example.com" for n in range(count)]
    existing = dict(db.session.execute(select(User.email, User.id).where(User.email.in_(emails))).all())
    missing = [email for email in emails if email not in existing]
    if missing:
        _insert(User.__table__, [{"email": email, "name": email.split("@")[0], "password_hash": password_hash,
                                  "role": GlobalRole.USER, "language": "en", "timezone": "UTC", "active": True,
                                  "created_at": utcnow()} for email in missing])
        existing = dict(db.session.execute(select(User.email, User.id).where(User.email.in_(emails))).all())
    return [existing[email] for email in emails]


def generate_project(name: str, sizes: Sizes, seed: int = 1, manager_email: str = "bench-manager@example.com",
                     today: date | None = None, currency: str = "EUR") -> int:
    """Creates a project with members and ``sizes`` records; returns its id. The caller commits."""
    rng = random.Random(seed)
    today = today or utcnow().date()
    start = today - timedelta(weeks=sizes.weeks)
    span_days = (today - start).days
    manager_id = ensure_users("bench-manager", 1)[0] if manager_email else None
    staff = ensure_users(f"bench-staff-s{seed}", sizes.staff)
    project = Project(name=name, description="", vision="", business_areas=["sales", "service"], currency=currency,
                      start_date=start, created_by_id=manager_id)
    db.session.add(project)
    db.session.flush()
    pid = project.id
    joined = datetime.combine(start, time(9), UTC)
    members = [{"project_id": pid, "user_id": manager_id, "is_manager": True, "is_sponsor": False, "team": "",
                "joined_at": joined}] if manager_id else []
    members += [{"project_id": pid, "user_id": uid, "is_manager": False, "is_sponsor": False, "team": "",
                 "joined_at": joined} for uid in staff]
    _insert(ProjectMember.__table__, members)

    def moment(day_offset: int) -> datetime:
        return datetime.combine(start + timedelta(days=day_offset), time(rng.randint(7, 19), rng.randrange(60)), UTC)

    def recent_offset() -> int:
        """A day in the period, more often recent (the CRM is used more and more)."""
        return int(span_days * (rng.random() ** 0.7))

    now = utcnow()
    # Accounts
    rows = []
    for n in range(sizes.accounts):
        country = rng.choice(list(COUNTRIES))
        name_ = _name(rng)
        rows.append({"project_id": pid, "external_id": f"S{seed}-A{n:07d}", "name": name_,
                     "name_key": search_key(name_), "segment": rng.choice(SEGMENTS), "industry": "",
                     "country": country, "city": rng.choice(COUNTRIES[country]),
                     "created_at": moment(rng.randrange(max(span_days // 3, 1))), "updated_at": now,
                     "captured_by_id": rng.choice(staff)})
    _insert(Account.__table__, rows)
    account_ids = list(db.session.scalars(select(Account.id).where(Account.project_id == pid).order_by(Account.id)))
    del rows
    # Contacts
    rows = []
    for n in range(sizes.contacts):
        account_id = rng.choice(account_ids)
        roll = rng.random()
        email = "" if roll < 0.03 else (f"c{n}.example.com" if roll < 0.05 else f"contact{n}@s{seed}.example.com")
        phone = f"+34 91{rng.randrange(10):d} {rng.randrange(1000):03d} {rng.randrange(1000):03d}" \
            if rng.random() < 0.6 else ""
        if rng.random() < 0.02 and rows:  # entered twice
            twin = rows[-1]
            email, phone, person, account_id = twin["email"], twin["phone"], twin["name"], twin["account_id"]
        else:
            person = f"{rng.choice(SYLLABLES).capitalize()}{rng.choice(SYLLABLES)} {rng.choice(SYLLABLES).capitalize()}"
        rows.append({"project_id": pid, "external_id": f"S{seed}-C{n:07d}", "account_id": account_id, "name": person,
                     "name_key": search_key(person), "email": email, "email_key": email.lower(), "phone": phone,
                     "job_title": "", "reachable": valid_email(email) or valid_phone(phone), "is_duplicate": False,
                     "created_at": moment(recent_offset()), "updated_at": now, "captured_by_id": rng.choice(staff)})
    _insert(Contact.__table__, rows)
    contact_ids = list(db.session.scalars(select(Contact.id).where(Contact.project_id == pid)))
    del rows
    # Interactions: most accounts stay active, a fifth drift away after the first year
    channels, weights = list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values())
    loyal = account_ids[: int(len(account_ids) * 0.8)]
    rows = []
    for n in range(sizes.interactions):
        offset = recent_offset()
        account_id = rng.choice(loyal if offset > span_days // 2 else account_ids)
        share = 0.5 + 0.4 * offset / max(span_days, 1)
        rows.append({"project_id": pid, "external_id": f"S{seed}-I{n:08d}", "account_id": account_id,
                     "contact_id": rng.choice(contact_ids) if contact_ids and rng.random() < 0.3 else None,
                     "occurred_at": moment(offset), "channel": rng.choices(channels, weights)[0],
                     "purpose": "Follow-up", "outcome": "Done" if rng.random() < share else "",
                     "created_at": now, "updated_at": now, "captured_by_id": rng.choice(staff)})
        if len(rows) >= BATCH:
            _insert(Interaction.__table__, rows)
            rows = []
    _insert(Interaction.__table__, rows)
    # Service cases
    rows = []
    for n in range(sizes.cases):
        opened = moment(recent_offset())
        fcr = rng.random() < 0.62
        closed = opened + timedelta(minutes=rng.randint(5, 40)) if fcr else \
            (opened + timedelta(hours=rng.randint(2, 120)) if rng.random() < 0.95 else None)
        if closed is not None and closed > now:
            closed = None
        rows.append({"project_id": pid, "external_id": f"S{seed}-K{n:07d}", "account_id": rng.choice(account_ids),
                     "contact_id": None, "subject": "Delivery issue", "subject_key": "delivery issue",
                     "opened_at": opened, "closed_at": closed, "resolved_first_contact": fcr,
                     "satisfaction": rng.randint(2, 5) if closed and rng.random() < 0.7 else None,
                     "created_at": now, "updated_at": now, "captured_by_id": rng.choice(staff)})
    _insert(ServiceCase.__table__, rows)
    # Opportunities
    rows = []
    kinds, stages_open = list(OpportunityKind), [OpportunityStage.PROSPECTING, OpportunityStage.PROPOSAL]
    for n in range(sizes.opportunities):
        opened_on = start + timedelta(days=recent_offset())
        stage, closed_on = rng.choice(stages_open), None
        if (today - opened_on).days > 30 and rng.random() < 0.8:
            stage = OpportunityStage.WON if rng.random() < 0.4 else OpportunityStage.LOST
            closed_on = min(today, opened_on + timedelta(days=rng.randint(10, 90)))
        title = f"Deal {n}"
        rows.append({"project_id": pid, "external_id": f"S{seed}-O{n:07d}", "account_id": rng.choice(account_ids),
                     "name": title, "name_key": search_key(title), "kind": rng.choice(kinds),
                     "amount": Decimal(rng.randrange(500, 500_000)), "stage": stage, "opened_on": opened_on,
                     "closed_on": closed_on, "created_at": now, "updated_at": now,
                     "captured_by_id": rng.choice(staff)})
    _insert(Opportunity.__table__, rows)
    del rows
    from planner.crm.services import refresh_duplicates

    refresh_duplicates(pid)
    cache.invalidate(pid)
    return pid


def analyze() -> None:
    """Fresh statistics for the query planner after a bulk load."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("PRAGMA analysis_limit=2000"))
    db.session.execute(text("ANALYZE"))
