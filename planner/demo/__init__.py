"""Demo data: the four demo accounts, extra staff, and three sample projects (English, Spanish, Chinese).

``load()`` is idempotent: it reuses users and projects found by e-mail and name, then calls
each feature's ``planner/<feature>/demo.py`` ``load(ctx)`` in ``ORDER``; every feature loader
must itself skip what it already created, so a second run adds nothing and loses nothing.
"""

import os
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from planner import features
from planner.auth.models import GlobalRole, User
from planner.extensions import db
from planner.projects.models import Project, ProjectMember

PASSWORD = "rollout-demo"  # noqa: S105 - the documented demo password

# (e-mail, name, global role, language, time zone, what the account is for)
ACCOUNTS = [
    ("admin@example.com", "Alex Admin", GlobalRole.ADMIN, "en", "Europe/London", "administrator"),
    ("pm@example.com", "Priya Menon", GlobalRole.MANAGER, "en", "Europe/London", "project manager"),
    ("sponsor@example.com", "Samuel Ortiz", GlobalRole.USER, "en", "Europe/Madrid", "executive sponsor"),
    ("staff@example.com", "Sam Taylor", GlobalRole.USER, "en", "Europe/London", "staff"),
]
EXTRA_STAFF = [
    ("lucia.fernandez@example.com", "Lucía Fernández", "es", "Europe/Madrid"),
    ("jorge.ramirez@example.com", "Jorge Ramírez", "es", "America/Mexico_City"),
    ("marta.iglesias@example.com", "Marta Iglesias", "es", "Europe/Madrid"),
    ("carmen.ruiz@example.com", "Carmen Ruiz", "es", "Europe/Madrid"),
    ("diego.navarro@example.com", "Diego Navarro", "es", "Europe/Madrid"),
    ("wang.fang@example.com", "王芳", "zh", "Asia/Shanghai"),
    ("li.wei@example.com", "李伟", "zh", "Asia/Shanghai"),
    ("zhang.min@example.com", "张敏", "zh", "Asia/Shanghai"),
    ("chen.jing@example.com", "陈静", "zh", "Asia/Shanghai"),
    ("liu.yang@example.com", "刘洋", "zh", "Asia/Shanghai"),
    ("emma.clarke@example.com", "Emma Clarke", "en", "Europe/London"),
    ("tom.baker@example.com", "Tom Baker", "en", "Europe/London"),
    ("nora.hughes@example.com", "Nora Hughes", "en", "America/New_York"),
    ("owen.price@example.com", "Owen Price", "en", "America/New_York"),
    # Second executive sponsors (planner/rollout/approval_demo.py): finance, in each project's language.
    ("helen.ward@example.com", "Helen Ward", "en", "Europe/London"),
    ("alvaro.gil@example.com", "Álvaro Gil", "es", "Europe/Madrid"),
    ("zhao.lei@example.com", "赵磊", "zh", "Asia/Shanghai"),
]

# Formats apart from the language (planner.regions): the others follow their browser.
REGIONS = {
    "admin@example.com": "en_GB",
    "pm@example.com": "en_GB",
    "staff@example.com": "en_GB",
    "sponsor@example.com": "es_ES",  # reads English, writes amounts as in Spain: 1.234,50 €
    "jorge.ramirez@example.com": "es_MX",  # Spanish with Mexican formats: $1,234.50
}

PROJECTS = [
    {
        "key": "en",
        "name": "Meridian Freight — customer service CRM",
        "description": "Replace three regional contact spreadsheets and an ageing ticket tool with one CRM "
        "for sales and service across the UK and US offices.",
        "vision": "Every shipper gets one consistent answer, whichever office or channel they use, "
        "and account managers see the full history before they call.",
        "business_areas": ["sales", "service"],
        "currency": "USD",
        "start_date": date(2026, 3, 2),
        "staff": [("staff@example.com", "Customer service"), ("emma.clarke@example.com", "Customer service"),
                  ("tom.baker@example.com", "Customer service"), ("nora.hughes@example.com", "Sales"),
                  ("owen.price@example.com", "Sales")],
    },
    {
        "key": "es",
        "name": "Distribuciones Alba — implantación del CRM",
        "description": "Unificar la gestión comercial y la atención posventa de las delegaciones de Madrid, "
        "Valencia y Monterrey en un único CRM.",
        "vision": "Que cada cliente sienta que le atiende una sola empresa: mismo trato, mismo historial "
        "y una respuesta en el primer contacto.",
        "business_areas": ["marketing", "sales", "service"],
        "currency": "EUR",
        "start_date": date(2026, 4, 6),
        "staff": [("staff@example.com", "Atención al cliente"),
                  ("lucia.fernandez@example.com", "Atención al cliente"),
                  ("jorge.ramirez@example.com", "Ventas"), ("marta.iglesias@example.com", "Ventas"),
                  ("carmen.ruiz@example.com", "Marketing"), ("diego.navarro@example.com", "Atención al cliente")],
    },
    {
        "key": "zh",
        "name": "华信家电 — 客户关系管理系统实施",
        "description": "以统一的客户关系管理平台取代各地分公司分散使用的表格和旧售后系统，覆盖销售与售后服务。",
        "vision": "让每一位客户无论通过哪个渠道联系我们，都能得到一致、及时的服务，并由熟悉其历史的人员跟进。",
        "business_areas": ["sales", "service"],
        "currency": "CNY",
        "start_date": date(2026, 5, 11),
        "staff": [("staff@example.com", "售后服务"), ("wang.fang@example.com", "售后服务"),
                  ("li.wei@example.com", "销售"), ("zhang.min@example.com", "销售"),
                  ("chen.jing@example.com", "售后服务"), ("liu.yang@example.com", "市场")],
    },
]


@dataclass
class DemoContext:
    users: dict[str, User] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        self.created.append(text)

    def report(self) -> str:
        if self.created:
            kinds: dict[str, int] = {}
            for text in self.created:
                kind = text.split(" ", 1)[0]
                kinds[kind] = kinds.get(kind, 0) + 1
            summary = ", ".join(f"{count} {kind}(s)" for kind, count in kinds.items())
            lines = [f"Demo data loaded: {summary}."]
        else:
            lines = ["Demo data: already loaded, nothing to add."]
        lines.append(accounts_text())
        lines.append("Open http://127.0.0.1:%s and sign in." % (os.environ.get("PORT") or "5000"))
        return "\n".join(lines)


def _user(ctx: DemoContext, email: str, name: str, role: GlobalRole, language: str, timezone: str) -> User:
    user = User.by_email(email)
    if user is None:
        user = User(email=email, name=name, role=role, language=language, timezone=timezone,
                    region=REGIONS.get(email))
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.flush()
        ctx.note(f"user {email}")
    ctx.users[email] = user
    return user


def _project(ctx: DemoContext, spec: dict) -> Project:
    project = db.session.scalar(select(Project).where(Project.name == spec["name"]))
    if project is None:
        fields = {k: spec[k] for k in ("name", "description", "vision", "business_areas", "currency", "start_date")}
        project = Project(created_by_id=ctx.users["pm@example.com"].id, **fields)
        db.session.add(project)
        db.session.flush()
        ctx.note(f"project {spec['key']}")
    ctx.projects[spec["key"]] = project
    wanted = [("pm@example.com", True, False, "PMO"), ("sponsor@example.com", False, True, "")]
    wanted += [(email, False, False, team) for email, team in spec["staff"]]
    existing = set(db.session.scalars(
        select(ProjectMember.user_id).where(ProjectMember.project_id == project.id)))
    for email, manager, sponsor, team in wanted:
        user = ctx.users[email]
        if user.id not in existing:
            db.session.add(ProjectMember(project_id=project.id, user_id=user.id, is_manager=manager,
                                         is_sponsor=sponsor, team=team))
    return project


def load() -> DemoContext:
    ctx = DemoContext()
    for email, name, role, language, timezone, _purpose in ACCOUNTS:
        _user(ctx, email, name, role, language, timezone)
    for email, name, language, timezone in EXTRA_STAFF:
        _user(ctx, email, name, GlobalRole.USER, language, timezone)
    for spec in PROJECTS:
        _project(ctx, spec)
    db.session.flush()
    loaders = sorted(features.modules("demo"), key=lambda module: getattr(module, "ORDER", 100))
    for module in loaders:
        module.load(ctx)
        db.session.flush()
    db.session.commit()
    return ctx


def accounts_text() -> str:
    lines = [f"Demo accounts (password: {PASSWORD}):"]
    for email, _name, _role, _language, _tz, purpose in ACCOUNTS:
        lines.append(f"  {email:<22} {purpose}")
    return "\n".join(lines)
