"""Demo rollout for the three demo projects, in each project's language: the pilot and first wave the
change-management demo created are given a scope, dates and exit criteria of all three kinds (KPI
thresholds over the demo KPIs, methodology steps, demo tasks), later stages are added from the
pilot-and-waves template, and the sign-off history is recorded through the same operations the
pages use, with their audit events:

- Meridian Freight (en): the pilot was rejected once and now waits for sign-off again;
- Distribuciones Alba (es): the pilot is approved with conditions and wave 1 is running;
- 华信家电 (zh): the pilot is approved with conditions and wave 1 waits for sign-off.

A decision "approved with conditions" writes one condition per line (followed up by
``planner.conditions``, whose demo closes one and leaves others open).

So the sponsor's inbox shows two requests (approval rules and stand-ins: ``approval_demo``).
Dates are relative to today. Idempotent: a project whose
stages already have exit criteria or sign-off requests is left alone.
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from planner.audit.models import AuditEvent
from planner.change.models import ChangeTask
from planner.extensions import db
from planner.kpis.definitions import KpiKey
from planner.methodology.models import ChecklistItem
from planner.projects.models import ProjectMember
from planner.rollout import approval_demo, services
from planner.rollout.models import (
    Comparison,
    CriterionKind,
    ExitCriterion,
    Outcome,
    SignoffRequest,
    Stage,
    StageStatus,
)

ORDER = 70

# The two stages other demos (change tasks, feedback) tie their data to when the rollout demo has
# not run yet; the rollout demo then gives them their scope and criteria.
STAGES = {
    "en": [("Pilot — Manchester service desk", StageStatus.ACTIVE, -28, 14),
           ("Wave 1 — UK and US sales", StageStatus.PLANNED, 21, 70)],
    "es": [("Piloto — delegación de Madrid", StageStatus.ACTIVE, -28, 14),
           ("Oleada 1 — Valencia y Monterrey", StageStatus.PLANNED, 21, 70)],
    "zh": [("试点 — 上海售后服务中心", StageStatus.ACTIVE, -28, 14),
           ("第一批推广 — 华东区销售", StageStatus.PLANNED, 21, 70)],
}


K = KpiKey
GE = Comparison.AT_LEAST

# Per project, per stage (the first two exist already; the others are added):
# name, description, areas, teams, users, planned (start, end) in days from today,
# criteria: ("kpi", key, threshold, weeks) | ("step", methodology, item) | ("tasks", [titles])
PLANS = {
    "en": [
        ("Pilot — Manchester service desk",
         "The Manchester service desk handles every delivery query in the CRM, calls and e-mails alike, while "
         "the old ticket tool stays read-only.", ["service"], ["Customer service"], 24, (-28, 14),
         [("kpi", K.ADOPTION, "0.80", 2), ("kpi", K.CLOSED_LOOP, "0.80", 2),
          ("tasks", ["Sponsor kick-off at the all-hands meeting",
                     "E-mail to all staff: why we are replacing the ticket tool",
                     "Hands-on training for the Manchester service desk"]),
          ("step", "twelve_steps", "quick_wins")]),
        ("Wave 1 — UK and US sales",
         "Account managers in both countries log calls, quotes and follow-ups in the CRM; the contact "
         "spreadsheets become read-only.", ["sales"], ["Sales"], 40, (21, 70),
         [("kpi", K.ADOPTION, "0.85", 3), ("kpi", K.CROSS_SELL_WIN_RATE, "0.35", 2),
          ("tasks", ["Training plan for the US sales team", "Merge duplicate shipper accounts before migration",
                     "Switch off the old contact spreadsheets"]),
          ("step", "twelve_steps", "closed_loop")]),
        ("Wave 2 — US service desks",
         "The New York and Chicago service teams join, helped by floor walkers from the pilot.", ["service"],
         ["Customer service"], 60, (77, 126),
         [("kpi", K.ADOPTION, "0.85", 2), ("kpi", K.FIRST_CONTACT_RESOLUTION, "0.65", 2)]),
        ("Full rollout — all offices",
         "Everyone in sales and service works in the CRM; the old ticket tool is switched off.",
         ["sales", "service"], [], 180, (133, 210),
         [("kpi", K.ADOPTION, "0.90", 4), ("kpi", K.DATA_QUALITY, "0.97", 2), ("step", "twelve_steps", "measurement")]),
    ],
    "es": [
        ("Piloto — delegación de Madrid",
         "La posventa de Madrid atiende todas las consultas desde el CRM; el antiguo programa de incidencias "
         "queda solo para consulta.", ["service"], ["Atención al cliente"], 18, (-70, -14),
         [("kpi", K.ADOPTION, "0.80", 2), ("kpi", K.FIRST_CONTACT_RESOLUTION, "0.70", 2),
          ("tasks", ["Presentación del patrocinador en la reunión general",
                     "Comunicado a toda la plantilla: por qué cambiamos",
                     "Formación práctica para la delegación de Madrid"]),
          ("step", "people_first", "management_backing")]),
        ("Oleada 1 — Valencia y Monterrey",
         "Ventas y marketing de Valencia y Monterrey trabajan en el CRM: visitas, presupuestos y campañas.",
         ["marketing", "sales"], ["Ventas", "Marketing"], 45, (-7, 49),
         [("kpi", K.ADOPTION, "0.85", 3), ("kpi", K.CLOSED_LOOP, "0.85", 2),
          ("tasks", ["Plan de formación para Monterrey", "Depurar clientes duplicados antes de la migración",
                     "Campaña interna de lanzamiento en Valencia"]),
          ("step", "twelve_steps", "business_case")]),
        ("Oleada 2 — resto de delegaciones",
         "Sevilla, Bilbao y Guadalajara se incorporan con el apoyo de las personas del piloto.",
         ["sales", "service"], ["Ventas", "Atención al cliente"], 70, (56, 112),
         [("kpi", K.ADOPTION, "0.85", 2), ("kpi", K.SATISFACTION, "4.2", 2)]),
        ("Implantación completa",
         "Toda la empresa trabaja en el CRM y se retiran las hojas de cálculo y el programa antiguo.",
         ["marketing", "sales", "service"], [], 210, (119, 200),
         [("kpi", K.ADOPTION, "0.90", 4), ("step", "people_first", "evaluate")]),
    ],
    "zh": [
        ("试点 — 上海售后服务中心",
         "上海售后服务中心的所有报修和回访都在系统中处理，旧售后系统只保留查询功能。", ["service"], ["售后服务"], 30,
         (-105, -49),
         [("kpi", K.ADOPTION, "0.80", 2),
          ("tasks", ["执行发起人在全员大会上启动项目", "全员邮件：为什么更换旧售后系统"]),
          ("step", "twelve_steps", "quick_wins")]),
        ("第一批推广 — 华东区销售",
         "华东区销售团队在系统中记录拜访、报价和跟进，客户信息表格改为只读。", ["sales"], ["销售"], 55, (-49, 7),
         [("kpi", K.ADOPTION, "0.80", 2), ("kpi", K.CLOSED_LOOP, "0.85", 2),
          ("kpi", K.FIRST_CONTACT_RESOLUTION, "0.75", 2),
          ("tasks", ["华东区销售团队培训计划", "迁移前合并重复的客户档案"]),
          ("step", "twelve_steps", "closed_loop")]),
        ("第二批推广 — 华南区",
         "广州和深圳分公司的销售与售后团队上线，由试点骨干现场辅导。", ["sales", "service"], ["销售", "售后服务"], 80,
         (14, 70),
         [("kpi", K.ADOPTION, "0.85", 2), ("kpi", K.SATISFACTION, "4.0", 2)]),
        ("全面推广 — 全国分公司",
         "全国各分公司统一使用系统，停用所有旧表格和旧售后系统。", ["sales", "service"], [], 260, (77, 160),
         [("kpi", K.ADOPTION, "0.90", 4), ("kpi", K.DATA_QUALITY, "0.97", 2),
          ("step", "five_principles", "measure_benefits")]),
    ],
}

# The sign-off history, per project: (stage index, action, days ago, text).
# Actions: "start" (by the project manager), "request" (by the project manager, with a note),
# "approved" / "approved_with_conditions" / "rejected" (by the sponsor, with a comment).
HISTORY = {
    "en": [
        (0, "request", 9, "Four weeks in. Adoption is steady; closed-loop capture is getting there."),
        (0, "rejected", 8, "Closed-loop capture is still under 80% and the night shift has not been trained. "
                           "Ask again once both are in place."),
        (0, "request", 1, "Closed-loop capture has been above 80% for two weeks. The last training sessions "
                          "for the night shift run this week."),
    ],
    "es": [
        (0, "request", 7, "Piloto cerrado: la adopción lleva semanas por encima del 80 % y la resolución en el "
                          "primer contacto ha subido."),
        (0, "approved_with_conditions", 6,
         "Termina la formación práctica del turno de tarde antes de arrancar en Valencia.\n"
         "Resuelve la lentitud al abrir la ficha del cliente que comentó el equipo."),
        (1, "start", 5, ""),
    ],
    "zh": [
        (0, "request", 50, "试点八周，使用率稳定在八成以上，速赢目标已经达成。"),
        (0, "approved_with_conditions", 49, "整理试点期间的常见问题，发给第一批推广的销售团队。\n"
                                            "第一批推广期间，完成华东区销售团队的系统培训。"),
        (1, "start", 47, ""),
        (1, "request", 2, "推广七周，各项指标稳定，销售培训计划已经启动，申请进入华南区推广。"),
    ],
}


def ensure_stages(project, language: str) -> list[Stage]:
    """The project's stages; when it has none, the two demo stages (pilot and wave 1) are created."""
    stages = list(db.session.scalars(
        select(Stage).where(Stage.project_id == project.id).order_by(Stage.position, Stage.id)))
    if stages:
        return stages
    today = date.today()
    for position, (name, status, start, end) in enumerate(STAGES[language], start=1):
        stage = Stage(project_id=project.id, position=position, name=name, status=status,
                      planned_start=today + timedelta(days=start), planned_end=today + timedelta(days=end),
                      actual_start=today + timedelta(days=start) if status == StageStatus.ACTIVE else None)
        db.session.add(stage)
        stages.append(stage)
    db.session.flush()
    return stages

def _at(days_ago: int, hour: int = 10) -> datetime:
    return datetime.combine(date.today() - timedelta(days=days_ago), time(hour, 0), tzinfo=UTC)


def _dated(moment: datetime, actor=None) -> None:
    """Gives the audit events just recorded the moment (and, if none, the author) the demo says."""
    for obj in db.session.new:
        if isinstance(obj, AuditEvent) and obj.created_at is None:
            obj.created_at = moment
            if obj.actor_id is None and actor is not None:
                obj.actor_id, obj.actor_name = actor.id, actor.name


def _done_already(project) -> bool:
    criteria = db.session.scalar(select(func.count()).select_from(ExitCriterion)
                                 .where(ExitCriterion.project_id == project.id))
    requests = db.session.scalar(select(func.count()).select_from(SignoffRequest)
                                 .where(SignoffRequest.project_id == project.id))
    return bool(criteria or requests)


def _member(ctx, project, email) -> ProjectMember:
    return db.session.scalar(select(ProjectMember).where(
        ProjectMember.project_id == project.id, ProjectMember.user_id == ctx.users[email].id))


def _criterion(project, stage, spec) -> None:
    kind = spec[0]
    if kind == "kpi":
        _kind, key, threshold, weeks = spec
        services.add_criterion(stage, stage.version, CriterionKind.KPI, kpi=key, comparison=GE,
                               threshold=Decimal(threshold), weeks=weeks)
    elif kind == "step":
        item_id = db.session.scalar(select(ChecklistItem.id).where(
            ChecklistItem.project_id == project.id, ChecklistItem.methodology_key == spec[1],
            ChecklistItem.item_key == spec[2]))
        if item_id is not None:
            services.add_criterion(stage, stage.version, CriterionKind.CHECKLIST, checklist_item_id=item_id)
    else:
        ids = list(db.session.scalars(select(ChangeTask.id).where(
            ChangeTask.project_id == project.id, ChangeTask.title.in_(spec[1]))))
        if ids:
            services.add_criterion(stage, stage.version, CriterionKind.TASKS, task_ids=ids)


def _stages(project, language) -> list[Stage]:
    """The project's stages laid out as planned: the existing ones by name (the change demo's pilot
    and first wave), the missing ones added after them."""
    existing = {stage.name: stage for stage in ensure_stages(project, language)}
    position = max((s.position for s in existing.values()), default=0)
    today = date.today()
    stages = []
    for name, description, areas, teams, users, (start, end), _criteria in PLANS[language]:
        stage = existing.get(name)
        if stage is None:
            position += 1
            stage = Stage(project_id=project.id, position=position, name=name, status=StageStatus.PLANNED)
            db.session.add(stage)
        stage.description, stage.business_areas, stage.teams, stage.users_in_scope = description, areas, teams, users
        stage.planned_start, stage.planned_end = today + timedelta(days=start), today + timedelta(days=end)
        if stage.status == StageStatus.ACTIVE and start < 0:
            stage.actual_start = stage.planned_start
        elif stage.status == StageStatus.ACTIVE:  # the change demo started it; in this plan it has not yet
            stage.status, stage.actual_start = StageStatus.PLANNED, None
        stages.append(stage)
    db.session.flush()
    return stages


def load(ctx) -> None:
    for language, project in ctx.projects.items():
        if _done_already(project):
            continue
        stages = _stages(project, language)
        approval_demo.prepare(ctx, project, language, stages)
        pm, sponsor = ctx.users["pm@example.com"], ctx.users["sponsor@example.com"]
        created = _at(60 if language != "zh" else 110, 9)
        for stage, spec in zip(stages, PLANS[language], strict=True):
            for criterion in spec[6]:
                _criterion(project, stage, criterion)
            _dated(created, pm)
        for index, action, days_ago, text in HISTORY[language]:
            stage, moment = stages[index], _at(days_ago, 16 if action != "request" else 10)
            if action == "start":
                services.start_stage(stage, stage.version, moment.date(), by=pm)
                _dated(moment)
            elif action == "request":
                services.request_signoff(stage, stage.version, pm, text, at=moment)
                _dated(moment)
            else:
                request_ = services.pending_request(stage)
                services.decide(request_, sponsor, _member(ctx, project, "sponsor@example.com"), Outcome(action),
                                text, stage.version, at=moment, until=moment.date())
                _dated(moment)
        db.session.flush()
        ctx.note(f"rollout {language}")
    for language, project in ctx.projects.items():
        approval_demo.load(ctx, project, language)
