"""Demo TCO models: an on-premise and a cloud scenario for each demo project, in its language
and currency. A scenario that already exists (same name in the project) is left as it is.

Plan against reality: the plan scenario's year 1 starts twelve months before the current month,
so a full year has ended; each project gets that year of actual spend (one invoice per category
and month) and actual amounts for year 1 of its benefits entered by hand. The English project runs
ahead of plan (spends a little less, earns a little more), the Spanish one behind (implementation
and integration overrun, savings come late), the Chinese one close to plan. The KPI-derived
benefits are measured from the demo CRM records against the demo baselines (``planner.kpis.demo``)."""

import random
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

from sqlalchemy import select

from planner.db import utcnow
from planner.extensions import db
from planner.kpis.definitions import KpiKey
from planner.tco import actuals
from planner.tco.models import (
    ActualSource,
    BenefitKind,
    CostCategory,
    DeploymentModel,
    TcoActualCost,
    TcoBenefitActual,
    TcoBenefitLine,
    TcoCostLine,
    TcoScenario,
)

ORDER = 60

# Cost lines: (category, description, year 1, year 2, year 3).
# Benefit lines: (kind, description, (year 1, year 2, year 3)) for entered amounts, or
# (kind, description, kpi key, (gain 1, gain 2, gain 3), volume a year, value of one unit).
SCENARIOS = {
    "en": [
        {
            "name": "Cloud subscription", "deployment": "cloud", "rate": "8", "budget": "1500000",
            "preferred": True,
            "description": "Vendor-hosted CRM paid per user and month; go-live for the UK service desk first, "
                           "then the US offices.",
            "costs": [
                ("licences", "Subscriptions: 140 users at $110 a month", "184800", "184800", "184800"),
                ("hardware_hosting", "Extra sandbox and file storage", "6000", "6000", "6000"),
                ("implementation", "Integrator: design, configuration and go-live", "165000", "20000", "0"),
                ("customisation", "Shipment-tracking screens and quote approval flow", "55000", "20000", "15000"),
                ("integration", "Middleware links to the TMS and ERP invoicing", "95000", "22000", "22000"),
                ("data_migration", "Clean and load the regional spreadsheets and old tickets", "40000", "0", "0"),
                ("training", "Train-the-trainer and role-based classes for 140 users", "34000", "8000", "6000"),
                ("change_management", "Champions network, briefings and adoption surveys", "30000", "15000",
                 "10000"),
                ("internal_staff", "Project manager, two analysts and an admin (share of time)", "130000",
                 "55000", "50000"),
                ("support", "Premier support plan and release testing", "25000", "45000", "45000"),
            ],
            "benefits": [
                ("cost_saving", "Fewer repeat calls: better first-contact resolution", "first_contact_resolution",
                 ("5", "8", "10"), "180000", "14"),
                ("revenue", "More cross-sell of customs and warehousing services", "cross_sell_win_rate",
                 ("2", "4", "5"), "1600", "4000"),
                ("revenue", "Shippers kept thanks to proactive account reviews", "retention",
                 ("0.5", "1.5", "2.5"), "1100", "6500"),
                ("cost_saving", "Retire the old ticket tool and its maintenance contract", ("0", "60000", "60000")),
                ("cost_saving", "Less re-keying of shipments between offices", ("40000", "110000", "115000")),
            ],
        },
        {
            "name": "On-premise licence", "deployment": "on_premise", "rate": "8", "budget": "1500000",
            "preferred": False,
            "description": "Perpetual licences on our own servers in the Manchester data centre, run by group IT.",
            "costs": [
                ("licences", "Perpetual licences for 140 named users", "252000", "0", "0"),
                ("support", "Vendor maintenance, 20% of the licence price a year", "50400", "50400", "50400"),
                ("hardware_hosting", "Application and database servers, backup and standby site", "85000",
                 "9000", "9000"),
                ("hardware_hosting", "Rack space, power and monitoring", "14000", "14000", "14000"),
                ("implementation", "Integrator: design, configuration and go-live", "210000", "25000", "0"),
                ("customisation", "Shipment-tracking screens and quote approval flow", "95000", "30000", "20000"),
                ("integration", "Direct links to the TMS and ERP invoicing", "120000", "18000", "12000"),
                ("data_migration", "Clean and load the regional spreadsheets and old tickets", "45000", "0", "0"),
                ("training", "Train-the-trainer and role-based classes for 140 users", "38000", "8000", "6000"),
                ("change_management", "Champions network, briefings and adoption surveys", "30000", "15000",
                 "10000"),
                ("internal_staff", "Project manager, two analysts and an admin (share of time)", "160000",
                 "70000", "60000"),
                ("support", "Upgrades and patching by group IT", "0", "40000", "45000"),
            ],
            "benefits": [
                ("cost_saving", "Fewer repeat calls: better first-contact resolution", "first_contact_resolution",
                 ("3", "7", "10"), "180000", "14"),
                ("revenue", "More cross-sell of customs and warehousing services", "cross_sell_win_rate",
                 ("1", "3", "5"), "1600", "4000"),
                ("revenue", "Shippers kept thanks to proactive account reviews", "retention",
                 ("0.5", "1.5", "2.5"), "1100", "6500"),
                ("cost_saving", "Retire the old ticket tool and its maintenance contract", ("0", "60000", "60000")),
                ("cost_saving", "Less re-keying of shipments between offices", ("30000", "110000", "115000")),
            ],
        },
    ],
    "es": [
        {
            "name": "Suscripción en la nube", "deployment": "cloud", "rate": "7", "budget": "900000",
            "preferred": True,
            "description": "CRM alojado por el proveedor, con pago mensual por usuario. Empezamos por Madrid y "
                           "seguimos con Valencia y Monterrey.",
            "costs": [
                ("licences", "Suscripciones: 90 usuarios a 95 € al mes", "102600", "102600", "102600"),
                ("hardware_hosting", "Entorno de pruebas adicional y almacenamiento", "4000", "4000", "4000"),
                ("implementation", "Consultora: diseño, configuración y puesta en marcha", "110000", "15000", "0"),
                ("customisation", "Pantallas de pedidos y flujo de aprobación de ofertas", "38000", "12000",
                 "8000"),
                ("integration", "Conexión con el ERP y la web de pedidos", "62000", "14000", "14000"),
                ("data_migration", "Depuración y carga de clientes de las tres delegaciones", "28000", "0", "0"),
                ("training", "Formación por perfiles y formación de formadores", "22000", "6000", "4000"),
                ("change_management", "Red de embajadores, comunicación y encuestas de adopción", "18000",
                 "9000", "6000"),
                ("internal_staff", "Jefe de proyecto y dos usuarios clave (parte de su jornada)", "85000",
                 "35000", "30000"),
                ("support", "Plan de soporte ampliado y pruebas de cada versión", "15000", "28000", "28000"),
            ],
            "benefits": [
                ("cost_saving", "Menos llamadas repetidas al resolver en el primer contacto",
                 "first_contact_resolution", ("4", "7", "9"), "95000", "11"),
                ("revenue", "Más venta cruzada de recambios y contratos de mantenimiento", "cross_sell_win_rate",
                 ("2", "4", "6"), "1200", "2800"),
                ("revenue", "Clientes que no se pierden gracias al seguimiento posventa", "retention",
                 ("0.5", "1.5", "2"), "2600", "3200"),
                ("cost_saving", "Fin de las licencias de las tres herramientas actuales", ("0", "35000", "35000")),
                ("cost_saving", "Menos horas de consolidación manual de informes", ("20000", "60000", "65000")),
            ],
        },
        {
            "name": "Licencia en servidores propios", "deployment": "on_premise", "rate": "7", "budget": "900000",
            "preferred": False,
            "description": "Licencias perpetuas instaladas en el centro de datos de Madrid y gestionadas por "
                           "nuestro equipo de sistemas.",
            "costs": [
                ("licences", "Licencias perpetuas para 90 usuarios", "148500", "0", "0"),
                ("support", "Mantenimiento del fabricante (22 % anual)", "32670", "32670", "32670"),
                ("hardware_hosting", "Servidores, copias de seguridad y réplica", "58000", "6000", "6000"),
                ("implementation", "Consultora: diseño, configuración y puesta en marcha", "135000", "18000", "0"),
                ("customisation", "Pantallas de pedidos y flujo de aprobación de ofertas", "60000", "18000",
                 "12000"),
                ("integration", "Conexión directa con el ERP y la web de pedidos", "75000", "12000", "9000"),
                ("data_migration", "Depuración y carga de clientes de las tres delegaciones", "30000", "0", "0"),
                ("training", "Formación por perfiles y formación de formadores", "24000", "6000", "4000"),
                ("change_management", "Red de embajadores, comunicación y encuestas de adopción", "18000",
                 "9000", "6000"),
                ("internal_staff", "Jefe de proyecto, dos usuarios clave y un técnico de sistemas", "105000",
                 "45000", "40000"),
                ("support", "Actualizaciones y parches a cargo de sistemas", "0", "22000", "24000"),
            ],
            "benefits": [
                ("cost_saving", "Menos llamadas repetidas al resolver en el primer contacto",
                 "first_contact_resolution", ("2", "6", "9"), "95000", "11"),
                ("revenue", "Más venta cruzada de recambios y contratos de mantenimiento", "cross_sell_win_rate",
                 ("1", "3", "6"), "1200", "2800"),
                ("revenue", "Clientes que no se pierden gracias al seguimiento posventa", "retention",
                 ("0.5", "1.5", "2"), "2600", "3200"),
                ("cost_saving", "Fin de las licencias de las tres herramientas actuales", ("0", "35000", "35000")),
                ("cost_saving", "Menos horas de consolidación manual de informes", ("15000", "60000", "65000")),
            ],
        },
    ],
    "zh": [
        {
            "name": "云端订阅", "deployment": "cloud", "rate": "6", "budget": "6500000", "preferred": True,
            "description": "由厂商托管、按用户按月付费的客户关系管理系统；先在华东售后中心上线，再推广到各地分公司。",
            "costs": [
                ("licences", "订阅费：300 个用户，每人每月 300 元", "1080000", "1080000", "1080000"),
                ("hardware_hosting", "测试环境与附加存储", "30000", "30000", "30000"),
                ("implementation", "实施伙伴：方案设计、系统配置与上线", "600000", "100000", "0"),
                ("customisation", "安装派工单与延保合同页面", "200000", "80000", "60000"),
                ("integration", "对接企业资源计划系统、呼叫中心与电商平台订单", "350000", "60000", "60000"),
                ("data_migration", "清洗并导入各分公司的客户与保修记录", "150000", "0", "0"),
                ("training", "分角色培训与内部讲师培养", "120000", "40000", "30000"),
                ("change_management", "推广大使、内部宣传与使用情况调研", "80000", "50000", "40000"),
                ("internal_staff", "项目经理、两名业务骨干和一名系统管理员（部分工时）", "400000", "250000",
                 "250000"),
                ("support", "高级支持服务与版本升级测试", "60000", "120000", "120000"),
            ],
            "benefits": [
                ("cost_saving", "首次联系即解决，重复来电减少", "first_contact_resolution", ("4", "7", "9"),
                 "900000", "18"),
                ("revenue", "延保与配件的交叉销售增加", "cross_sell_win_rate", ("2", "4", "5"), "15000", "1200"),
                ("revenue", "经销商流失减少", "retention", ("0.5", "1.5", "2"), "4000", "12000"),
                ("cost_saving", "停用旧售后系统，节省维护费", ("0", "220000", "220000")),
                ("cost_saving", "各分公司不再手工汇总报表，节省人工", ("150000", "400000", "450000")),
            ],
        },
        {
            "name": "本地部署", "deployment": "on_premise", "rate": "6", "budget": "6500000", "preferred": False,
            "description": "购买永久许可，部署在总部机房，由集团信息部运维。",
            "costs": [
                ("licences", "300 个用户的永久许可", "1800000", "0", "0"),
                ("support", "厂商维保（每年为许可价格的 20%）", "360000", "360000", "360000"),
                ("hardware_hosting", "应用与数据库服务器、备份及灾备", "520000", "50000", "50000"),
                ("implementation", "实施伙伴：方案设计、系统配置与上线", "750000", "120000", "0"),
                ("customisation", "安装派工单与延保合同页面", "320000", "100000", "80000"),
                ("integration", "直连企业资源计划系统、呼叫中心与电商平台订单", "420000", "60000", "50000"),
                ("data_migration", "清洗并导入各分公司的客户与保修记录", "160000", "0", "0"),
                ("training", "分角色培训与内部讲师培养", "130000", "40000", "30000"),
                ("change_management", "推广大使、内部宣传与使用情况调研", "80000", "50000", "40000"),
                ("internal_staff", "项目经理、两名业务骨干和两名系统管理员（部分工时）", "520000", "320000",
                 "300000"),
                ("support", "信息部负责的升级与补丁", "0", "150000", "160000"),
            ],
            "benefits": [
                ("cost_saving", "首次联系即解决，重复来电减少", "first_contact_resolution", ("2", "6", "9"),
                 "900000", "18"),
                ("revenue", "延保与配件的交叉销售增加", "cross_sell_win_rate", ("1", "3", "5"), "15000", "1200"),
                ("revenue", "经销商流失减少", "retention", ("0.5", "1.5", "2"), "4000", "12000"),
                ("cost_saving", "停用旧售后系统，节省维护费", ("0", "220000", "220000")),
                ("cost_saving", "各分公司不再手工汇总报表，节省人工", ("100000", "400000", "450000")),
            ],
        },
    ],
}


def _benefit(scenario: TcoScenario, spec) -> TcoBenefitLine:
    line = TcoBenefitLine(project_id=scenario.project_id, scenario_id=scenario.id, kind=BenefitKind(spec[0]),
                          description=spec[1])
    if len(spec) == 3:
        line.year1, line.year2, line.year3 = (D(v) for v in spec[2])
    else:
        _kind, _text, key, gains, volume, value = spec
        line.kpi_key = KpiKey(key)
        line.kpi_gain1, line.kpi_gain2, line.kpi_gain3 = (D(g) for g in gains)
        line.kpi_volume, line.kpi_unit_value = D(volume), D(value)
        line.year1 = line.year2 = line.year3 = D(0)
    return line


def load(ctx) -> None:
    for key, specs in SCENARIOS.items():
        project = ctx.projects.get(key)
        if project is None:
            continue
        existing = set(db.session.scalars(select(TcoScenario.name).where(TcoScenario.project_id == project.id)))
        has_preferred = db.session.scalar(select(TcoScenario.id).where(
            TcoScenario.project_id == project.id, TcoScenario.is_preferred.is_(True))) is not None
        for spec in specs:
            if spec["name"] in existing:
                continue
            preferred = spec["preferred"] and not has_preferred
            scenario = TcoScenario(project_id=project.id, name=spec["name"],
                                   deployment=DeploymentModel(spec["deployment"]),
                                   description=spec["description"], discount_rate=D(spec["rate"]),
                                   approved_budget=D(spec["budget"]), is_preferred=preferred)
            has_preferred = has_preferred or preferred
            db.session.add(scenario)
            db.session.flush()
            for category, text, y1, y2, y3 in spec["costs"]:
                db.session.add(TcoCostLine(project_id=project.id, scenario_id=scenario.id,
                                           category=CostCategory(category),
                                           description=text, year1=D(y1), year2=D(y2), year3=D(y3)))
            for benefit in spec["benefits"]:
                db.session.add(_benefit(scenario, benefit))
            ctx.note(f"TCO scenario {key}: {spec['name']}")
    load_actuals(ctx)


# key → (spend factor by category, spend factor of the other categories, year-1 factor of the benefits
#        entered by hand, invoice text)
PACE = {
    "en": ({"implementation": D("0.92"), "licences": D("1.00")}, D("0.94"), D("1.12"),
           "Supplier invoices for the month"),
    "es": ({"implementation": D("1.35"), "integration": D("1.45"), "customisation": D("1.30")}, D("1.08"), D("0.55"),
           "Facturas del mes"),
    "zh": ({"implementation": D("1.05")}, D("1.00"), D("0.95"), "本月供应商发票"),
}
CENT = D("0.01")


def _actuals(project, scenario: TcoScenario, key: str) -> str | None:
    if db.session.scalar(select(TcoActualCost.id).where(TcoActualCost.project_id == project.id).limit(1)):
        return None
    by_category, default, benefit_factor, text = PACE[key]
    rng = random.Random(f"tco-actuals-{key}")
    start = actuals.add_months(utcnow().date().replace(day=1), -12)
    scenario.starts_on = start
    for month in range(1, 13):
        day = actuals.add_months(start, month - 1)
        for line in scenario.cost_lines:
            if not line.year1:
                continue
            factor = by_category.get(line.category.value, default) * D(rng.randint(90, 110)) / 100
            amount = (line.year1 / 12 * factor).quantize(CENT, ROUND_HALF_UP)
            db.session.add(TcoActualCost(project_id=project.id, category=line.category, month=day, amount=amount,
                                         description=f"{text} · {line.description}"[:200],
                                         reference=f"{key.upper()}-{day:%Y%m}-{line.id}",
                                         source=ActualSource.MANUAL))
    for line in scenario.benefit_lines:
        if not line.is_derived and line.year1:
            db.session.add(TcoBenefitActual(project_id=project.id, benefit_line_id=line.id, year=1,
                                            amount=(line.year1 * benefit_factor).quantize(CENT, ROUND_HALF_UP)))
    return f"TCO actuals {key}: 12 months from {start.isoformat()}"


def load_actuals(ctx) -> None:
    for key in PACE:
        project = ctx.projects.get(key)
        if project is None:
            continue
        scenario = db.session.scalar(select(TcoScenario).where(TcoScenario.project_id == project.id,
                                                               TcoScenario.is_preferred.is_(True)))
        if scenario is None:
            continue
        db.session.flush()
        note = _actuals(project, scenario, key)
        if note:
            ctx.note(note)
