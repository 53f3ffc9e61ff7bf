"""Demo change-management tasks, quick wins and (when the rollout demo made none) two stages for the
three demo projects, each written in its project's language. Dates are relative to today, so some
tasks are always overdue (the Chinese project falls behind most: the executive dashboard shows it
red). Idempotent: what exists (by title) is left alone."""

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from planner.change.models import ChangeTask, QuickWin, QuickWinStatus, TaskCategory, TaskStatus
from planner.db import utcnow
from planner.extensions import db
from planner.kpis.definitions import KpiKey
from planner.projects.models import ProjectMember
from planner.rollout.demo import ensure_stages

ORDER = 60

C, S = TaskCategory, TaskStatus


# (title, category, owner e-mail, due in days from today, status, stage index or None, description)
TASKS = {
    "en": [
        ("Sponsor kick-off at the all-hands meeting", C.SPONSORSHIP, "sponsor@example.com", -24, S.DONE, 0,
         "Samuel opens the meeting, explains why we are moving off the spreadsheets and shows his own CRM "
         "dashboard."),
        ("Weekly adoption review with the sponsor", C.SPONSORSHIP, "pm@example.com", 3, S.IN_PROGRESS, 0,
         "Thirty minutes every Monday: usage per team, data quality, open issues and who resolves them."),
        ("E-mail to all staff: why we are replacing the ticket tool", C.COMMUNICATION, "pm@example.com", -15,
         S.DONE, 0, "Short and concrete: what changes, when, and where to ask questions."),
        ("Role cards: what changes for service agents", C.PROCESS, "emma.clarke@example.com", -4, S.IN_PROGRESS,
         0, "One page per role listing the daily tasks that move into the CRM and what the agent gains."),
        ("Hands-on training for the Manchester service desk", C.TRAINING, "staff@example.com", -2, S.OPEN, 0,
         "Two 90-minute sessions per shift on real delivery queries, in the practice environment."),
        ("Training plan for the US sales team", C.TRAINING, "nora.hughes@example.com", 18, S.OPEN, 1,
         "Plan sessions around the New York and Chicago time zones; include quoting and account history."),
        ("Reply to pilot feedback about duplicate tickets", C.FEEDBACK, "tom.baker@example.com", -6, S.OPEN, 0,
         "Several agents see the same shipper twice. Explain the fix and the date in the next update."),
        ("Merge duplicate shipper accounts before migration", C.DATA, "owen.price@example.com", 10,
         S.IN_PROGRESS, 1, "Match on VAT number and postcode; review the doubtful pairs with Sales."),
        ("Switch off the old contact spreadsheets", C.PROCESS, "pm@example.com", 30, S.OPEN, 1,
         "Read-only from the wave 1 go-live, archived four weeks later."),
        ("Floor walkers for the first two weeks of wave 1", C.OTHER, "emma.clarke@example.com", 25, S.OPEN, 1,
         "Two experienced pilot agents available at the desks to help colleagues."),
        ("Printed quick-reference guide", C.COMMUNICATION, "tom.baker@example.com", -30, S.CANCELLED, 0,
         "Replaced by the short videos in the help menu."),
    ],
    "es": [
        ("Presentación del patrocinador en la reunión general", C.SPONSORSHIP, "sponsor@example.com", -24, S.DONE,
         0, "Samuel abre la reunión, explica por qué dejamos las hojas de cálculo y enseña su propio panel."),
        ("Revisión semanal de la adopción con el patrocinador", C.SPONSORSHIP, "pm@example.com", 3,
         S.IN_PROGRESS, 0, "Media hora cada lunes: uso por equipo, calidad de datos e incidencias abiertas."),
        ("Comunicado a toda la plantilla: por qué cambiamos", C.COMMUNICATION, "pm@example.com", -15, S.DONE, 0,
         "Breve y concreto: qué cambia, cuándo y a quién preguntar."),
        ("Fichas por puesto: qué cambia en atención al cliente", C.PROCESS, "lucia.fernandez@example.com", -5,
         S.IN_PROGRESS, 0, "Una página por puesto con las tareas que pasan al CRM y lo que gana cada persona."),
        ("Formación práctica para la delegación de Madrid", C.TRAINING, "diego.navarro@example.com", -3, S.OPEN,
         0, "Dos sesiones de hora y media por turno con casos reales de posventa."),
        ("Plan de formación para Monterrey", C.TRAINING, "jorge.ramirez@example.com", 20, S.OPEN, 1,
         "Sesiones en horario de México; incluir presupuestos y el historial del cliente."),
        ("Responder a los comentarios del piloto sobre la lentitud", C.FEEDBACK, "pm@example.com", -7, S.OPEN, 0,
         "Varias personas dicen que la ficha del cliente tarda en abrir. Explicar la causa y la solución."),
        ("Depurar clientes duplicados antes de la migración", C.DATA, "marta.iglesias@example.com", 12,
         S.IN_PROGRESS, 1, "Cruzar por CIF y código postal; revisar con Ventas los casos dudosos."),
        ("Campaña interna de lanzamiento en Valencia", C.COMMUNICATION, "carmen.ruiz@example.com", 22, S.OPEN, 1,
         "Carteles, un vídeo corto del director comercial y una sesión de preguntas."),
        ("Retirar el antiguo programa de incidencias", C.PROCESS, "pm@example.com", 35, S.OPEN, 1,
         "Solo lectura desde la puesta en marcha de la oleada 1; archivo un mes después."),
        ("Manual impreso de consulta rápida", C.COMMUNICATION, "lucia.fernandez@example.com", -30, S.CANCELLED, 0,
         "Sustituido por los vídeos cortos del menú de ayuda."),
    ],
    "zh": [
        ("执行发起人在全员大会上启动项目", C.SPONSORSHIP, "sponsor@example.com", -24, S.DONE, 0,
         "由发起人说明为什么要告别分散的表格，并现场展示他本人使用的系统看板。"),
        ("每周与发起人复盘系统使用情况", C.SPONSORSHIP, "pm@example.com", -1, S.IN_PROGRESS, 0,
         "每周一三十分钟：各团队使用率、数据质量、未解决问题及负责人。"),
        ("全员邮件：为什么更换旧售后系统", C.COMMUNICATION, "pm@example.com", -15, S.DONE, 0,
         "简明扼要：哪些变化、什么时候开始、有问题找谁。"),
        ("岗位变化说明卡：售后客服", C.PROCESS, "wang.fang@example.com", -4, S.IN_PROGRESS, 0,
         "每个岗位一页纸，列出转入系统的日常工作以及员工能得到的好处。"),
        ("上海售后服务中心上机培训", C.TRAINING, "chen.jing@example.com", -2, S.OPEN, 0,
         "每个班次两场九十分钟的实操培训，使用真实的报修案例。"),
        ("华东区销售团队培训计划", C.TRAINING, "li.wei@example.com", 18, S.OPEN, 1,
         "结合销售拜访时间安排，内容包括报价和客户历史记录。"),
        ("回复试点员工关于重复工单的反馈", C.FEEDBACK, "pm@example.com", -6, S.OPEN, 0,
         "多位客服反映同一客户出现两条记录，需说明修复方案和时间。"),
        ("迁移前合并重复的客户档案", C.DATA, "zhang.min@example.com", -5, S.IN_PROGRESS, 1,
         "按手机号和地址匹配，存疑的记录与销售一起核对。"),
        ("停用旧的客户信息表格", C.PROCESS, "pm@example.com", 30, S.OPEN, 1,
         "第一批推广上线后改为只读，四周后归档。"),
        ("推广首两周安排现场辅导员", C.OTHER, "liu.yang@example.com", 25, S.OPEN, 1,
         "由两名试点骨干在工位旁随时帮助同事。"),
        ("印刷版操作速查手册", C.COMMUNICATION, "wang.fang@example.com", -30, S.CANCELLED, 0,
         "改为帮助菜单中的短视频。"),
    ],
}

# (title, benefit, KPI, target, status, target date in days, achieved days ago, celebration (days ago, note), result)
QUICK_WINS = {
    "en": [
        ("One shared view of open delivery queries",
         "Agents answer a delivery query on the first call without asking a colleague: first-contact resolution "
         "up from 62% to 75%.", KpiKey.FIRST_CONTACT_RESOLUTION, "0.75", QuickWinStatus.ACHIEVED, -20, 14,
         (10, "Team breakfast at the Manchester desk; Samuel thanked the pilot agents by name."),
         "First-contact resolution reached 77% in the third pilot week."),
        ("Every call logged with an outcome", "At least 90% of pilot interactions captured with an outcome.",
         KpiKey.CLOSED_LOOP, "0.90", QuickWinStatus.ACHIEVED, -7, 5, None, "91% in the last pilot week."),
        ("Quotes sent within one working day", "80% of sales quotes sent within one working day of the request.",
         None, None, QuickWinStatus.IN_PROGRESS, 14, None, None, ""),
        ("Clean shipper master data", "Fewer than 2% duplicate shipper accounts before the wave 1 go-live.",
         KpiKey.DATA_QUALITY, "0.98", QuickWinStatus.PLANNED, 21, None, None, ""),
        ("Satisfaction text message after each case", "Average satisfaction of 4.2 out of 5 on closed cases.",
         KpiKey.SATISFACTION, "4.2", QuickWinStatus.DROPPED, 10, None, None, ""),
    ],
    "es": [
        ("Historial único de cada cliente en posventa",
         "Resolver la consulta en la primera llamada sin pasarla a otra persona: del 58 % al 72 % de resolución "
         "en el primer contacto.", KpiKey.FIRST_CONTACT_RESOLUTION, "0.72", QuickWinStatus.ACHIEVED, -18, 12,
         (8, "Almuerzo con el equipo de Madrid; el patrocinador felicitó al piloto en la reunión mensual."),
         "Se llegó al 74 % en la tercera semana del piloto."),
        ("Todas las llamadas registradas con su resultado",
         "Al menos el 85 % de las interacciones del piloto con resultado anotado.", KpiKey.CLOSED_LOOP, "0.85",
         QuickWinStatus.ACHIEVED, -6, 4, None, "87 % en la última semana."),
        ("Presupuestos en menos de un día", "El 80 % de los presupuestos enviados en un día laborable.", None, None,
         QuickWinStatus.IN_PROGRESS, 15, None, None, ""),
        ("Fichas de cliente sin duplicados", "Menos del 2 % de clientes duplicados antes de la oleada 1.",
         KpiKey.DATA_QUALITY, "0.98", QuickWinStatus.PLANNED, 24, None, None, ""),
    ],
    "zh": [
        ("售后客服统一查看客户报修历史",
         "客服首次来电即可解答，无需转给同事：首次解决率由 60% 提升到 75%。", KpiKey.FIRST_CONTACT_RESOLUTION,
         "0.75", QuickWinStatus.ACHIEVED, -19, 13, (9, "在上海中心举办团队早餐会，发起人点名感谢试点客服。"),
         "试点第三周首次解决率达到 78%。"),
        ("每通电话都记录处理结果", "试点期间至少 90% 的客户互动记录了处理结果。", KpiKey.CLOSED_LOOP, "0.90",
         QuickWinStatus.ACHIEVED, -6, 4, None, "最近一周达到 92%。"),
        ("一个工作日内发出报价", "80% 的报价在客户询价后一个工作日内发出。", None, None,
         QuickWinStatus.IN_PROGRESS, 14, None, None, ""),
        ("客户主数据去重", "第一批推广上线前重复客户档案低于 2%。", KpiKey.DATA_QUALITY, "0.98",
         QuickWinStatus.PLANNED, 21, None, None, ""),
    ],
}


def _members(ctx, project) -> dict[str, ProjectMember]:
    rows = db.session.scalars(select(ProjectMember).where(ProjectMember.project_id == project.id)).all()
    by_user = {m.user_id: m for m in rows}
    return {email: by_user[user.id] for email, user in ctx.users.items() if user.id in by_user}


def load(ctx) -> None:
    today = date.today()
    for language, project in ctx.projects.items():
        stages = ensure_stages(project, language)
        members = _members(ctx, project)
        titles = set(db.session.scalars(select(ChangeTask.title).where(ChangeTask.project_id == project.id)))
        added = 0
        for title, category, owner, due, status, stage, description in TASKS[language]:
            if title in titles:
                continue
            member = members.get(owner)
            task = ChangeTask(project_id=project.id, title=title, description=description, category=category,
                              owner_id=member.id if member else None, due_date=today + timedelta(days=due),
                              stage_id=stages[min(stage, len(stages) - 1)].id if stage is not None else None)
            task.set_status(status)
            if status == S.DONE:
                task.completed_at = utcnow() - timedelta(days=max(1, -due))
            db.session.add(task)
            added += 1
        wins = set(db.session.scalars(select(QuickWin.title).where(QuickWin.project_id == project.id)))
        for title, benefit, kpi, target, status, target_in, achieved_ago, celebration, result in QUICK_WINS[language]:
            if title in wins:
                continue
            win = QuickWin(project_id=project.id, title=title, benefit=benefit, kpi=kpi,
                           kpi_target=Decimal(target) if target else None, status=status,
                           target_date=today + timedelta(days=target_in), result=result,
                           owner_id=members["pm@example.com"].id if "pm@example.com" in members else None)
            if achieved_ago is not None:
                win.achieved_on = today - timedelta(days=achieved_ago)
            if celebration is not None:
                win.celebrated_on = today - timedelta(days=celebration[0])
                win.celebration_note = celebration[1]
            db.session.add(win)
            added += 1
        if added:
            ctx.note(f"change tasks and quick wins {language}")
    db.session.flush()
