"""The project report through HTTP: every section in the reader's language with the figures the other
features compute, who may read it (members, archived projects included; never outsiders), the
feedback section's anonymity rule and role rule, a bounded number of SQL statements, and the
geometry of the static charts."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from planner.auth.models import GlobalRole
from planner.change.models import QuickWinStatus
from planner.extensions import db as _db
from planner.feedback.models import FeedbackResponse
from planner.kpis import services as kpi_services
from planner.kpis.definitions import KpiKey
from planner.kpis.models import BaselineSource
from planner.methodology import services as methodology
from planner.methodology.models import ItemStatus
from planner.projects import services as project_services
from planner.report import charts
from planner.report.services import project_report
from planner.rollout.models import Outcome, RequestStatus, StageStatus
from planner.tco import services as tco
from planner.tco.models import BenefitKind, CostCategory, DeploymentModel
from tests import rollout_factories as rf
from tests.change_factories import count_queries, make_member_answer, make_quick_win
from tests.helpers import login, visible_text

HEADINGS = {
    "en": ["Project report", "Vision and objectives", "Methodology progress", "Seven-sins risk",
           "Stages and sign-off", "KPIs against baseline and target", "TCO and ROI", "Quick wins",
           "Adoption feedback", "Print / save as PDF"],
    "es": ["Informe del proyecto", "Visión y objetivos", "Etapas y aprobaciones", "KPI frente a línea base y objetivo",
           "Imprimir / guardar como PDF"],
    "zh": ["项目报告", "愿景与目标", "阶段与审批", "KPI 与基准值、目标对比", "打印 / 另存为 PDF"],
}


def answer_all(value="yes"):
    return {methodology.answer_key(sin.key, sign.key): value
            for sin in methodology.sins_methodology().items for sign in sin.warning_signs}


def build(project, manager, sponsor, answers=5):
    """A project with something in every section of the report."""
    adoption, _added = methodology.adopt(project, "twelve_steps", actor=manager)
    _db.session.flush()
    _db.session.refresh(adoption)
    for item in adoption.items[:3]:
        item.status = ItemStatus.DONE
    methodology.add_problem(project, "客户信息分散在各地区表格中", in_focus=True, actor=manager)
    methodology.record_assessment(project, answer_all("partly"), actor=manager)
    kpi_services.save_setting(project, KpiKey.ADOPTION, target=Decimal("0.8"), baseline_source=BaselineSource.MANUAL,
                              baseline_value=Decimal("0.3"), baseline_as_of=date(2026, 1, 5), user=manager)
    scenario = tco.create_scenario(project, name="云端订阅方案", deployment=DeploymentModel.CLOUD,
                                   discount_rate=Decimal("8"), approved_budget=Decimal("300000"))
    tco.save_cost_line(scenario, None, category=CostCategory.LICENCES, description="许可证",
                       amounts=(Decimal("100000"), Decimal("100000"), Decimal("100000")))
    tco.save_benefit_line(scenario, None, kind=BenefitKind.REVENUE, description="交叉销售收入",
                          amounts=(Decimal("50000"), Decimal("200000"), Decimal("300000")))
    _db.session.commit()
    rollout = rf.make_rollout(project, manager, sponsor)
    make_quick_win(project, title="首次解决率提升", status=QuickWinStatus.ACHIEVED)
    make_quick_win(project, title="统一客户视图", target_date=date.today() + timedelta(days=10))
    for _n in range(answers):
        make_member_answer(project, ratings=(4, 3, 2, 4, 5), language="zh")
    return {"scenario": scenario, **rollout}


@pytest.fixture
def team(make_user, make_project, add_member):
    manager = make_user(name="项目经理王", language="en", role=GlobalRole.MANAGER)
    project = make_project(manager=manager, name="华信家电客户中心", currency="CNY",
                           vision="每位客户无论通过哪个渠道联系我们，都能得到一致的答复。",
                           description="用统一的客户关系管理系统取代各地区的表格。")
    sponsor = make_user(name="发起人李")
    staff = make_user(name="员工张")
    add_member(project, sponsor, sponsor=True)
    add_member(project, staff, team="客服")
    outsider = make_user(name="外人")
    other = make_project(manager=outsider, name="别的项目")
    admin = make_user(name="管理员", role=GlobalRole.ADMIN)
    return {"project": project, "manager": manager, "sponsor": sponsor, "staff": staff, "outsider": outsider,
            "other": other, "admin": admin}


def get_report(client, user, project, language):
    login(client, user)
    response = client.get(f"/projects/{project.id}/report?lang={language}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("language", ["en", "es", "zh"])
def test_the_report_shows_every_section_in_the_readers_language(client, team, language):
    data = build(team["project"], team["manager"], team["sponsor"])
    html = get_report(client, team["manager"], team["project"], language)
    text = visible_text(html)
    for heading in HEADINGS[language]:
        assert heading in text, heading
    # the project's own words and the other features' data
    for value in ("每位客户无论通过哪个渠道联系我们", "客户信息分散在各地区表格中", "试点", "同意", "云端订阅方案",
                  "首次解决率提升", "统一客户视图", "项目经理王", "发起人李"):
        assert value in text, value
    # figures the other features compute, formatted in the reader's locale
    summary = tco.tco_summary_by_project([team["project"].id])[team["project"].id]
    from flask_babel import force_locale

    from planner.i18n import money, percent
    with force_locale(language):
        for expected in (money(summary["total_cost"], "CNY"), money(summary["npv"], "CNY"),
                         percent(summary["roi"], 1), percent(Decimal("0.8"), 1)):  # the last: the adoption target
            assert visible_text(expected) in text, expected
    assert summary["total_cost"] == Decimal("300000")
    latest = methodology.assessments(team["project"], limit=1)[0]
    assert latest.overall_score == 50
    assert 'id="chart-sins"' in html and 'id="chart-kpis"' in html and 'id="chart-tco"' in html
    assert 'id="chart-feedback"' in html
    # the charts are static SVG with a translated title
    title = {"en": "Cost and benefits by year", "es": "Costo y beneficios por año", "zh": "各年度成本与收益"}[language]
    assert f'<title id="chart-tco-title">{title}</title>' in html
    assert 'role="img"' in html
    assert f'<html lang="{language}">' in html
    assert data["decision"].comment in text


def test_the_report_lists_each_decision_with_who_when_and_the_override(client, team, db):
    data = build(team["project"], team["manager"], team["sponsor"])
    started = rf.stage(team["project"], name="提前启动的批次", status=StageStatus.ACTIVE,
                       started=date.today() - timedelta(days=3), override_reason="培训已经提前完成，业务等不及",
                       override_by_name="项目经理王", override_at=datetime.now(UTC))
    rejected_request = rf.request(data["planned"], team["manager"], status=RequestStatus.DECIDED)
    rf.decision(rejected_request, team["sponsor"], outcome=Outcome.REJECTED, comment="数据清理还没有完成")
    html = get_report(client, team["manager"], team["project"], "en")
    text = visible_text(html[html.index('id="stages"'):])  # the stages section (the summary names stages too)
    assert "Started by override" in text and "培训已经提前完成，业务等不及" in text
    assert "Rejected" in text and "数据清理还没有完成" in text
    assert "Approved" in text and "同意" in text
    assert "requested by 项目经理王" in text
    assert started.name in text
    # stages in their order, with their status
    assert text.index("试点") < text.index("第一批推广") < text.index("第二批推广")


def test_staff_do_not_read_the_report_nor_see_it_in_the_navigation(client, team):
    build(team["project"], team["manager"], team["sponsor"])
    login(client, team["staff"])
    assert client.get(f"/projects/{team['project'].id}/report").status_code == 403
    overview = client.get(f"/projects/{team['project'].id}").get_data(as_text=True)
    assert f'href="/projects/{team["project"].id}/report"' not in overview


@pytest.mark.parametrize("role", ["sponsor", "admin"])
def test_sponsors_and_administrators_see_the_feedback_figures(client, team, role):
    build(team["project"], team["manager"], team["sponsor"])
    html = get_report(client, team[role], team["project"], "en")
    assert 'id="chart-feedback"' in html and "People who answered" in html


def test_feedback_from_fewer_than_five_people_shows_no_figure(client, team, db):
    build(team["project"], team["manager"], team["sponsor"], answers=4)
    html = get_report(client, team["manager"], team["project"], "en")
    assert "To protect anonymity, figures appear once at least 5 people have answered." in html
    assert 'id="chart-feedback"' not in html and "People who answered" not in html
    # the fifth person makes the figures appear; a stage answered by fewer than five stays hidden
    make_member_answer(team["project"], ratings=(4, 3, 2, 4, 5))
    stage = rf.stage(team["project"], name="只有两人回答的阶段")
    for _n in range(2):
        make_member_answer(team["project"], ratings=(1, 1, 1, 1, 1), stage=stage)
    text = visible_text(get_report(client, team["manager"], team["project"], "en"))
    assert "People who answered" in text
    assert "只有两人回答的阶段 &lt; 5 Hidden: fewer than 5 people answered" in text


def test_an_empty_project_reads_without_figures(client, team):
    html = get_report(client, team["manager"], team["project"], "zh")
    text = visible_text(html)
    assert "项目报告" in text and "华信家电客户中心" in text
    assert 'id="chart-sins"' not in html and 'id="chart-tco"' not in html
    assert 'id="chart-kpis"' in html  # every project tracks the KPIs, without data yet


def test_an_archived_project_keeps_its_report(client, team, db):
    build(team["project"], team["manager"], team["sponsor"])
    project_services.archive(team["project"])
    db.session.commit()
    for role in ("manager", "sponsor", "admin"):
        html = get_report(client, team[role], team["project"], "es")
        assert "Informe del proyecto" in html and "云端订阅方案" in html
        client.post("/logout")


@pytest.mark.parametrize("role", ["outsider", "anonymous"])
def test_people_outside_the_project_cannot_read_its_report(client, team, role):
    build(team["project"], team["manager"], team["sponsor"])
    if role != "anonymous":
        login(client, team[role])
    response = client.get(f"/projects/{team['project'].id}/report")
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 404
    assert "云端订阅方案" not in response.get_data(as_text=True)


def test_a_member_cannot_read_another_projects_report_or_an_unknown_one(client, team, db):
    build(team["other"], team["outsider"], team["outsider"])
    login(client, team["manager"])
    assert client.get(f"/projects/{team['other'].id}/report").status_code == 404
    assert client.get("/projects/999999/report").status_code == 404
    # and the report is read-only: nothing can be sent to it
    count = db.session.scalar(select(func.count()).select_from(FeedbackResponse))
    assert client.post(f"/projects/{team['project'].id}/report").status_code == 405
    assert db.session.scalar(select(func.count()).select_from(FeedbackResponse)) == count


@pytest.mark.parametrize("language,label", [("en", "Report"), ("es", "Informe"), ("zh", "报告")])
def test_the_project_pages_link_to_the_report(client, team, language, label):
    login(client, team["sponsor"])
    html = client.get(f"/projects/{team['project'].id}?lang={language}").get_data(as_text=True)
    href = f'href="/projects/{team["project"].id}/report"'
    assert href in html
    link = html[html.index(href):html.index("</a>", html.index(href))]
    assert label in link


def test_the_number_of_sql_statements_does_not_grow_with_the_data(client, team, db, app):
    build(team["project"], team["manager"], team["sponsor"])
    login(client, team["manager"])
    url = f"/projects/{team['project'].id}/report"
    client.get(url)  # the KPI values are cached by the first reading
    with count_queries(db) as before:
        assert client.get(url).status_code == 200
    for n in range(6):
        stage = rf.stage(team["project"], name=f"追加阶段{n}", status=StageStatus.APPROVED,
                         started=date.today() - timedelta(days=30), ended=date.today() - timedelta(days=2))
        rf.decision(rf.request(stage, team["manager"], status=RequestStatus.DECIDED), team["sponsor"])
        make_quick_win(team["project"], title=f"速赢{n}", owner_id=None)
        for _m in range(5):
            make_member_answer(team["project"], stage=stage)
    client.get(url)
    with count_queries(db) as after:
        assert client.get(url).status_code == 200
    assert len(after) == len(before), (len(before), len(after))
    # The executive summary judges health with the dashboard's own bulk reads; the plan vs forecast
    # line reads the plan scenario's actuals (a fixed handful of statements).
    assert len(after) <= 56


def test_the_report_service_reads_in_a_bounded_number_of_statements(app, team, db):
    build(team["project"], team["manager"], team["sponsor"])
    project_report(team["project"], can_read_feedback=True)
    db.session.commit()
    db.session.expire_all()
    with count_queries(db) as statements:
        report = project_report(team["project"], can_read_feedback=True)
        [win.owner for win in report.quick_wins]
        [decision.request.requested_by_name for row in report.stages for decision in row.decisions]
    assert len(statements) <= 31, len(statements)  # 25, and the plan vs forecast's reads of the actuals


# --------------------------------------------------------------------------- chart geometry


@pytest.mark.no_app
@pytest.mark.parametrize("maximum,step", [(1, 0.25), (9, 2.5), (100, 25), (380000, 100000), (1_250_000, 500000),
                                          (0, 1)])
def test_axis_steps_are_round_and_cover_the_maximum(maximum, step):
    assert charts.nice_step(maximum) == step
    assert charts.nice_step(maximum) * 4 >= maximum * 0.99 or maximum == 0


def test_the_sins_chart_scales_scores_and_marks_the_thresholds(app):
    from planner.report.services import SinRow

    rows = [SinRow(1, "甲", "甲", 50, "red"), SinRow(2, "乙", "乙", 0, "green"), SinRow(3, "丙", "丙", None, None)]
    with app.test_request_context("/?lang=en"):
        chart = charts.sins_chart(rows)
    assert [bar.width for bar in chart.bars] == [charts.WIDTH / 2, 0, 0]
    assert [bar.value_text for bar in chart.bars] == ["50 / 100", "0 / 100", "—"]
    assert [guide.x for guide in chart.guides] == [charts.WIDTH / 4, charts.WIDTH / 2]
    assert chart.bars[0].colour != chart.bars[1].colour


def test_the_kpi_chart_puts_target_and_baseline_on_each_kpis_own_scale(app, team):
    kpi_services.save_setting(team["project"], KpiKey.SATISFACTION, target=Decimal("4"),
                              baseline_source=BaselineSource.MANUAL, baseline_value=Decimal("2.5"),
                              baseline_as_of=date(2026, 1, 5), user=team["manager"])
    kpi_services.save_setting(team["project"], KpiKey.ADOPTION, target=Decimal("0.75"),
                              baseline_source=BaselineSource.MANUAL, baseline_value=Decimal("0.25"),
                              baseline_as_of=date(2026, 1, 5), user=team["manager"])
    with app.test_request_context("/?lang=zh"):
        chart = charts.kpi_chart(kpi_services.kpi_overview(team["project"]))
    marks = {(round(mark.x), mark.kind) for mark in chart.marks}
    width = charts.WIDTH
    assert marks == {(round(width * 0.25), "baseline"), (round(width * 0.75), "target"),
                     (round(width * 0.5), "baseline"), (round(width * 0.8), "target")}
    assert chart.title == "KPI 与基准值、目标对比"


def test_the_tco_chart_columns_are_proportional_to_the_amounts(app):
    summary = {"currency": "EUR", "cost_by_year": (Decimal("200000"), Decimal("100000"), Decimal("50000")),
               "benefit_by_year": (Decimal("0"), Decimal("150000"), Decimal("400000"))}
    with app.test_request_context("/?lang=es"):
        chart = charts.tco_chart(summary)
    heights = [column.height for column in chart.columns]
    assert heights[5] == chart.bottom - chart.top  # the largest amount fills the axis (400 000 = 4 × 100 000)
    assert heights[0] == pytest.approx(heights[5] / 2, abs=0.1)
    assert heights[1] == 0
    assert [label for _x, label in chart.groups] == ["Año 1", "Año 2", "Año 3"]
    assert chart.ticks[-1].label.replace("\xa0", " ") == "400 mil €"


# --------------------------------------------------------------------------- the executive summary


def summary_of(html: str) -> str:
    return html.split('id="summary"', 1)[1].split('id="vision"', 1)[0]


@pytest.mark.parametrize("language, words", [
    ("en", ["Executive summary", "Health", "Decisions needed", "Top risks", "Next milestones",
            "Three years in one line each"]),
    ("zh", ["执行摘要", "健康状况", "待决事项", "主要风险", "近期里程碑", "三年概览，各一行"]),
])
def test_the_report_opens_with_an_executive_summary(client, team, language, words):
    build(team["project"], team["manager"], team["sponsor"])
    html = get_report(client, team["sponsor"], team["project"], language)
    assert html.index('id="summary"') < html.index('id="vision"')  # first, then the sections
    part = visible_text(summary_of(html))
    for word in words:
        assert word in part, word
    # health and its reasons: sins at 50/100 are red
    assert re.search(r'id="summary-health" data-health="red"', html) and 'data-rule="sins_risk"' in summary_of(html)
    # top risks: three sins, highest first, each with its score
    risks = summary_of(html).split('id="summary-risks"', 1)[1].split('id="summary-milestones"', 1)[0]
    assert risks.count("<li>") == 3
    # milestones: the quick win due in ten days
    assert "统一客户视图" in part
    # cost and benefit, one line each, in the reader's locale
    from flask_babel import force_locale

    from planner.i18n import money
    with force_locale(language):
        assert visible_text(money(Decimal("300000"), "CNY")) in part
        assert visible_text(money(Decimal("550000"), "CNY")) in part


def test_a_pending_signoff_is_a_decision_needed(client, team):
    data = build(team["project"], team["manager"], team["sponsor"])
    stage = rf.stage(team["project"], name="第二波", status=StageStatus.AWAITING_SIGNOFF, started=date.today())
    rf.request(stage, team["manager"])
    html = get_report(client, team["sponsor"], team["project"], "en")
    decisions = visible_text(summary_of(html).split('id="summary-decisions"', 1)[1].split('id="summary-risks"')[0])
    assert "Sign-off of “第二波”, requested by" in decisions
    assert data  # the rest of the project is there too


def test_a_project_without_data_is_not_enough_data_in_the_report(client, make_user, make_project):
    manager = make_user(language="en")
    project = make_project(manager=manager, name="空项目")
    html = get_report(client, manager, project, "en")
    assert 'id="summary-health" data-health="unknown"' in html
    part = visible_text(summary_of(html))
    assert "Not enough data" in part and "No seven-sins self-assessment yet." in part
    assert "No sign-off is waiting for the sponsors." in part and "No dated milestone ahead." in part
