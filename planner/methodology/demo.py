"""Demo data: adopted methodologies with realistic progress, two self-assessment rounds that show
a change, and ranked key problems, for the three demo projects, each in its own language.

Idempotent: a methodology's steps are filled in only when it is adopted here for the first time;
assessments and key problems only when the project has none yet.
"""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from planner.dates import utc_today
from planner.extensions import db
from planner.methodology import services
from planner.methodology.models import ItemStatus, KeyProblem, SinAssessment
from planner.projects.models import ProjectMember

ORDER = 30

S, P, D, N = ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS, ItemStatus.DONE, ItemStatus.NOT_APPLICABLE

# Per project: methodology → {step key: (status, owner e-mail, due in days from the start, notes, evidence)}
STEPS = {
    "en": {
        "twelve_steps": {
            "vision": (D, "pm@example.com", 14,
                       "Workshop with both offices on 9 March; the sponsor signed the final text.",
                       "Vision statement v3, approved by Samuel Ortiz (SharePoint › CRM › Vision)."),
            "customer": (D, "emma.clarke@example.com", 28, "Twelve shipper interviews; most complaints are about "
                         "chasing status updates across offices.", "Interview notes and the top ten pain points."),
            "business_case": (D, "pm@example.com", 42, "Three-year model agreed with finance.",
                              "Business case approved at the April steering meeting."),
            "readiness": (D, "nora.hughes@example.com", 42, "Sales is ready; service lacks a data owner.",
                          "Readiness review with four actions, all assigned."),
            "strategy": (D, "pm@example.com", 56, "Objectives: one case history per shipper, first-contact "
                         "resolution up to 70%.", "Strategy paper signed by sales and service heads."),
            "applications": (D, "owen.price@example.com", 70, "Two finalists; chose the one agents found quicker "
                             "to log a call.", "Evaluation matrix with scores from twelve agents."),
            "customer_view": (P, "emma.clarke@example.com", 84, "Redesigning the delivery-exception process first.",
                              ""),
            "quick_wins": (P, "tom.baker@example.com", 84, "Shared inbox routing live in the UK office.", ""),
            "single_owner": (D, "pm@example.com", 14, "Priya owns the project end to end.",
                             "Named in the project charter."),
            "stages": (P, "pm@example.com", 98, "Pilot with the UK service desk, then US sales.", ""),
            "closed_loop": (S, "staff@example.com", 126, "", ""),
            "measurement": (S, "nora.hughes@example.com", 126, "", ""),
        },
        "focus_cycle": {
            "key_problems": (D, "pm@example.com", 21, "Agreed three problems in focus with the sponsor.",
                             "Ranked list on the Key problems page."),
            "rigid_use": (P, "tom.baker@example.com", 150, "UK pilot uses the system for every call from June.", ""),
            "people": (P, "emma.clarke@example.com", 120, "Team briefings held in both offices.", ""),
            "technology": (N, "owen.price@example.com", None, "Covered by the twelve-step plan.", ""),
        },
    },
    "es": {
        "twelve_steps": {
            "vision": (D, "pm@example.com", 14, "Visión acordada con las tres delegaciones.",
                       "Documento de visión firmado por la dirección."),
            "customer": (D, "lucia.fernandez@example.com", 35, "Encuesta a 200 clientes y diez entrevistas.",
                         "Informe con las quejas más repetidas."),
            "business_case": (P, "pm@example.com", 49, "Falta cerrar el coste de integración con el ERP.", ""),
            "readiness": (D, "jorge.ramirez@example.com", 42, "Monterrey necesita refuerzo en atención al cliente.",
                          "Evaluación de preparación revisada con los jefes de delegación."),
            "strategy": (P, "pm@example.com", 63, "Borrador compartido con marketing y ventas.", ""),
            "quick_wins": (P, "carmen.ruiz@example.com", 70, "Primera campaña segmentada desde el CRM.", ""),
            "single_owner": (D, "pm@example.com", 7, "La jefa de proyecto responde de todo el proyecto.",
                             "Acta de arranque del proyecto."),
            "stages": (S, "pm@example.com", 90, "", ""),
        },
        "people_first": {
            "areas_objectives": (D, "pm@example.com", 14, "Marketing, ventas y posventa, con dos objetivos cada una.",
                                 "Objetivos aprobados por el comité."),
            "strategies_metrics": (P, "marta.iglesias@example.com", 56, "Definiendo quién vigila cada métrica.", ""),
            "management_backing": (D, "pm@example.com", 21, "El director general presentó el proyecto en la "
                                   "convención de abril.", "Vídeo y correo del director general."),
            "personal_impact": (P, "diego.navarro@example.com", 60, "Análisis por puesto en curso.", ""),
            "explain_listen": (P, "lucia.fernandez@example.com", 75, "Buzón de sugerencias abierto.", ""),
        },
    },
    "zh": {
        "twelve_steps": {
            "vision": (D, "pm@example.com", 14, "与各地分公司负责人共同确定愿景。", "执行发起人签字确认的愿景文件。"),
            "customer": (D, "wang.fang@example.com", 30, "走访了二十家经销商和三十位终端用户。",
                         "客户痛点清单（前十项）。"),
            "business_case": (D, "pm@example.com", 45, "按三年测算总体拥有成本和收益。", "业务论证经管理层会议批准。"),
            "readiness": (D, "li.wei@example.com", 45, "售后数据质量较差，需要清理。",
                          "准备度评估报告及四项改进措施。"),
            "strategy": (D, "pm@example.com", 60, "目标：首次解决率提升到百分之七十五。",
                         "战略文件经销售和售后负责人确认。"),
            "applications": (D, "zhang.min@example.com", 75, "两家候选系统对比试用。", "选型评分表及选择理由。"),
            "customer_view": (D, "chen.jing@example.com", 90, "重新设计了上门维修预约流程。", "流程图经客户代表评审。"),
            "quick_wins": (D, "liu.yang@example.com", 90, "维修进度短信通知已上线。", "上线后投诉电话减少两成。"),
            "single_owner": (D, "pm@example.com", 7, "项目经理对项目全程负责。", "项目章程中已明确。"),
            "stages": (P, "pm@example.com", 120, "华东试点已完成，准备推广到华南。", ""),
            "closed_loop": (P, "wang.fang@example.com", 150, "电话渠道已全部记录，微信渠道尚未接入。", ""),
            "measurement": (P, "li.wei@example.com", 150, "已确定七项指标的基准值。", ""),
        },
        "five_principles": {
            "strategy_first": (D, "pm@example.com", 30, "先定战略，再选软件。", "战略文件先于选型获批。"),
            "fit_the_business": (P, "zhang.min@example.com", 90, "保留经销商分级服务流程。", ""),
            "measure_benefits": (D, "li.wei@example.com", 60, "上线前已测量基准。", "基准值记录在关键绩效指标页面。"),
            "total_cost": (P, "pm@example.com", 60, "第二、三年的运维费用还需细化。", ""),
            "right_partner": (S, "zhang.min@example.com", 100, "", ""),
        },
    },
}

# Two self-assessment rounds per project: (days after the start, note, answers per sin as letters
# y = yes, p = partly, n = no, one per warning sign in catalogue order).
ROUNDS = {
    "en": [
        (14, "Kick-off workshop with the project team and both office leads.",
         {"no_strategy": "ppy", "expectations": "yyp", "no_success_definition": "yyp", "no_backing": "pnn",
          "dirty_data": "ypy", "over_customising": "pyp", "big_bang": "ppy"}),
        (70, "After the business case and strategy were approved.",
         {"no_strategy": "nnn", "expectations": "pnp", "no_success_definition": "npn", "no_backing": "nnn",
          "dirty_data": "ypp", "over_customising": "nnp", "big_bang": "npp"}),
    ],
    "es": [
        (10, "Primera ronda en la reunión de arranque.",
         {"no_strategy": "ypp", "expectations": "yyy", "no_success_definition": "pyp", "no_backing": "nnn",
          "dirty_data": "ppy", "over_customising": "ypp", "big_bang": "yyp"}),
        (60, "Segunda ronda tras las primeras sesiones con los usuarios.",
         {"no_strategy": "pnp", "expectations": "ppn", "no_success_definition": "pyp", "no_backing": "nnn",
          "dirty_data": "yyy", "over_customising": "pnp", "big_bang": "npp"}),
    ],
    "zh": [
        (14, "项目启动会上由项目组共同评估。",
         {"no_strategy": "pyn", "expectations": "ppy", "no_success_definition": "ypy", "no_backing": "pnp",
          "dirty_data": "yyy", "over_customising": "ppn", "big_bang": "pnp"}),
        (100, "华东试点结束后第二次评估。",
         {"no_strategy": "nnn", "expectations": "npn", "no_success_definition": "nnp", "no_backing": "nnn",
          "dirty_data": "pnp", "over_customising": "pnn", "big_bang": "nnn"}),
    ],
}
LETTERS = {"y": "yes", "p": "partly", "n": "no"}

# Key problems, ranked: (title, description, in focus)
PROBLEMS = {
    "en": [
        ("Shippers chase delivery status with several offices",
         "The same question reaches the UK and US desks, and the answers differ.", True),
        ("No shared history of a shipper's cases", "Each office keeps its own spreadsheet.", True),
        ("Quotes take three days", "Rates are checked by e-mail with the pricing team.", True),
        ("Duplicate customer records", "Mergers left three records for many large shippers.", False),
        ("Managers cannot see the sales pipeline", "", False),
    ],
    "es": [
        ("El cliente repite su problema en cada llamada", "No hay historial común entre Madrid, Valencia y Monterrey.",
         True),
        ("Las incidencias de posventa se resuelven tarde", "Más de la mitad necesita un segundo contacto.", True),
        ("Campañas sin segmentar", "Se envía lo mismo a todos los clientes.", False),
        ("Datos de clientes duplicados", "", False),
    ],
    "zh": [
        ("客户信息分散在各分公司", "同一客户在不同城市有多份档案。", True),
        ("售后维修预约等待时间长", "高峰期客户要等三天以上。", True),
        ("经销商订单跟进靠人工电话", "", True),
        ("首次解决率低", "一半以上的报修需要二次上门。", True),
        ("市场活动效果无法衡量", "", False),
        ("销售预测不准", "", False),
    ],
}


def _member_ids(project) -> dict[int, int]:
    return dict(db.session.execute(
        select(ProjectMember.user_id, ProjectMember.id).where(ProjectMember.project_id == project.id)).all())


def _fill_steps(ctx, project, methodology_key, steps, members) -> None:
    adoption, added = services.adopt(project, methodology_key, actor=ctx.users["pm@example.com"])
    if not added:
        return
    start = project.start_date or date(2026, 1, 5)
    today = utc_today()
    for item in services.adoption_for(project, methodology_key).items:
        spec = steps.get(item.item_key)
        if spec is None:
            continue
        status, email, due_in, notes, evidence = spec
        item.status = status
        item.owner_id = members.get(ctx.users[email].id)
        if due_in is None:
            item.due_date = None
        elif status in (S, P):  # open steps are due in the coming weeks, whenever the demo is loaded
            item.due_date = today + timedelta(days=max(due_in // 4 - 7, 3))
        else:
            item.due_date = start + timedelta(days=due_in)
        item.notes, item.evidence = notes, evidence
        if status == D:
            item.completed_at = datetime.combine(item.due_date or start, datetime.min.time(), UTC)
    ctx.note(f"methodology {methodology_key} ({project.name[:20]})")


def _rounds(ctx, key, project) -> None:
    if db.session.scalar(select(func.count()).select_from(SinAssessment)
                         .where(SinAssessment.project_id == project.id)):
        return
    sins = services.sins_methodology()
    start = project.start_date or date(2026, 1, 5)
    for days, note, letters in ROUNDS[key]:
        answers = {}
        for sin in sins.items:
            for sign, letter in zip(sin.warning_signs, letters[sin.key], strict=True):
                answers[services.answer_key(sin.key, sign.key)] = LETTERS[letter]
        row = services.record_assessment(project, answers, note, actor=ctx.users["pm@example.com"])
        row.created_at = datetime.combine(start + timedelta(days=days), datetime.min.time(), UTC) + timedelta(hours=9)
    ctx.note(f"seven-sins rounds ({key})")


def _problems(ctx, key, project) -> None:
    if db.session.scalar(select(func.count()).select_from(KeyProblem).where(KeyProblem.project_id == project.id)):
        return
    for title, description, focus in PROBLEMS[key]:
        services.add_problem(project, title, description, focus, actor=ctx.users["pm@example.com"])
    ctx.note(f"key problems ({key})")


def load(ctx) -> None:
    for key, project in ctx.projects.items():
        members = _member_ids(project)
        for methodology_key, steps in STEPS[key].items():
            _fill_steps(ctx, project, methodology_key, steps, members)
        _rounds(ctx, key, project)
        _problems(ctx, key, project)
