"""The executive dashboard: health rules on hand-built projects, who sees which project, pending
sign-offs with their gate links, trends as inline SVG, the landing page, and a number of SQL
statements that does not grow with the number of projects."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest
from flask_babel import refresh
from sqlalchemy import select

from planner.change.models import TaskStatus
from planner.dashboard import health
from planner.dashboard.health import Facts, Level, Rule, assess
from planner.dashboard.sparkline import sparkline
from planner.kpis.definitions import KpiKey
from planner.kpis.models import KpiSetting
from planner.methodology.models import SinAssessment
from planner.rollout.models import StageStatus
from planner.tco.models import BenefitKind, CostCategory, TcoActualCost, TcoBenefitLine, TcoScenario
from tests import crm_factories as crm
from tests import rollout_factories as rf
from tests.change_factories import count_queries, make_member_answer, make_task
from tests.helpers import login, visible_text
from tests.tco_factories import make_scenario

TODAY = datetime.now(UTC).date()
LAST_WEEK = TODAY - timedelta(days=7)
STATEMENTS: list = []


# --------------------------------------------------------------------------- the rules, one by one


@pytest.fixture
def english(app):
    with app.test_request_context("/?lang=en"):
        refresh()
        yield


def rules_of(found):
    return {reason.rule: reason.level for reason in found.reasons}


def test_a_project_with_no_data_is_unknown_not_green_and_says_what_is_missing(english):
    found = assess(Facts())
    assert found.level == Level.UNKNOWN and found.reasons == []
    assert found.missing == [health.Gap.NO_ASSESSMENT, health.Gap.NO_COST_MODEL, health.Gap.NO_KPI_TARGET]
    assert str(Level.UNKNOWN.label) == "Not enough data"


@pytest.mark.parametrize("missing", [health.Gap.NO_ASSESSMENT, health.Gap.NO_COST_MODEL, health.Gap.NO_KPI_TARGET])
def test_each_essential_gap_alone_keeps_a_quiet_project_unknown(english, missing):
    facts = {"sins": (10, "green"), "total_cost": D(100), "approved_budget": D(100), "kpis_with_target": 1}
    if missing == health.Gap.NO_ASSESSMENT:
        facts["sins"] = None
    elif missing == health.Gap.NO_COST_MODEL:
        facts["total_cost"] = facts["approved_budget"] = None
    else:
        facts["kpis_with_target"] = 0
    found = assess(Facts(**facts))
    assert found.level == Level.UNKNOWN and found.missing == [missing]


def test_lesser_gaps_do_not_hide_green_and_warning_signs_win_over_unknown(english):
    found = assess(Facts(sins=(10, "green"), total_cost=D(100), kpis_with_target=1))  # no budget, no feedback
    assert found.level == Level.GREEN and found.missing == []
    assert health.Gap.NO_BUDGET in found.gaps and health.Gap.LITTLE_FEEDBACK in found.gaps
    assert assess(Facts(overdue_tasks=1)).level == Level.AMBER  # a warning sign shows whatever is missing


def test_a_project_with_nothing_wrong_and_enough_data_is_green(english):
    complete = assess(Facts(sins=(10, "green"), total_cost=D(100), approved_budget=D(100), kpis_with_target=2,
                            feedback=((1, 4.0), (2, 4.0), (3, 4.0))))
    assert complete.level == Level.GREEN and complete.gaps == []


@pytest.mark.parametrize(("overdue", "level"), [(0, None), (1, Level.AMBER), (4, Level.AMBER), (5, Level.RED),
                                                (12, Level.RED)])
def test_overdue_tasks(english, overdue, level):
    assert rules_of(assess(Facts(overdue_tasks=overdue))).get(Rule.OVERDUE_TASKS) == level


@pytest.mark.parametrize(("count", "level"), [(0, None), (1, Level.AMBER), (2, Level.AMBER), (3, Level.RED)])
def test_kpis_below_target(english, count, level):
    keys = tuple(list(KpiKey)[:count])
    found = assess(Facts(kpis_below_target=keys))
    assert rules_of(found).get(Rule.KPIS_BELOW_TARGET) == level
    if count:
        assert all(str(key.label) in found.reasons[0].text for key in keys)


@pytest.mark.parametrize(("sins", "level"), [(None, None), ((20, "green"), None), ((30, "amber"), Level.AMBER),
                                             ((55, "red"), Level.RED)])
def test_sins_risk(english, sins, level):
    assert rules_of(assess(Facts(sins=sins))).get(Rule.SINS_RISK) == level


@pytest.mark.parametrize(("cost", "budget", "level"), [
    ("100000", None, None), ("100000", "100000", None), ("105000", "100000", Level.AMBER),
    ("110000", "100000", Level.AMBER), ("110001", "100000", Level.RED), ("500", "0", Level.RED)])
def test_budget_above_plan(english, cost, budget, level):
    facts = Facts(total_cost=D(cost), approved_budget=None if budget is None else D(budget), currency="EUR")
    found = assess(facts)
    assert rules_of(found).get(Rule.BUDGET) == level
    if level and budget != "0":
        assert "€" in found.reasons[0].text


@pytest.mark.parametrize(("scores", "level"), [
    ((4.0, 3.0), None),  # two weeks: too few to judge
    ((4.0, 4.0, 3.8), None),  # a 0.2 dip
    ((4.0, 4.0, 3.75), Level.AMBER),
    ((3.5, 4.5, 3.6), Level.AMBER),  # earlier average 4.0
    ((4.2, 4.0, 3.5), Level.RED),
    ((3.0, 3.2, 4.0), None),  # rising
])
def test_falling_feedback(english, scores, level):
    weeks = tuple((i, score) for i, score in enumerate(scores))
    assert rules_of(assess(Facts(feedback=weeks))).get(Rule.FEEDBACK) == level


def test_the_overall_level_is_the_worst_reason_and_reds_come_first(english):
    found = assess(Facts(overdue_tasks=1, sins=(60, "red")))
    assert found.level == Level.RED
    assert [r.rule for r in found.reasons] == [Rule.SINS_RISK, Rule.OVERDUE_TASKS]


def test_reasons_are_written_in_the_readers_language(app):
    with app.test_request_context("/?lang=es"):
        refresh()
        text = assess(Facts(overdue_tasks=2)).reasons[0].text
        assert "tareas" in text and "2" in text
    with app.test_request_context("/?lang=zh"):
        refresh()
        found = assess(Facts(total_cost=D("120000"), approved_budget=D("100000"), currency="CNY"))
        assert "批准预算" in found.reasons[0].text and "20%" in found.reasons[0].text


@pytest.mark.no_app
def test_a_sparkline_scales_into_its_box_and_skips_missing_points():
    line = sparkline([None, 0.2, None, 0.6], 0, 1)
    assert line.count == 2 and line.first_value == 0.2 and line.last_value == 0.6
    xs_ys = [tuple(map(float, point.split(","))) for point in line.points.split()]
    assert len(xs_ys) == 2 and all(0 <= x <= line.width and 0 <= y <= line.height for x, y in xs_ys)
    assert xs_ys[1][1] < xs_ys[0][1]  # higher value, higher on the screen
    assert sparkline([]).points == "" and sparkline([None]).count == 0
    assert not sparkline([0.5]).drawable and sparkline([0.5, 0.5]).drawable


# --------------------------------------------------------------------------- hand-built projects, through HTTP


def plan(db, project, cost, budget=None, benefit="0"):
    """A plan scenario costing ``cost`` and bringing ``benefit`` over three years, spread evenly."""
    third, gain = D(cost) / 3, D(benefit) / 3
    make_scenario(db, project, budget=budget, costs=[("licences", (third, third, third))],
                  benefits=[(gain, gain, gain)])


def assess_sins(db, project, score, level):
    db.session.add(SinAssessment(project_id=project.id, answers={}, scores={}, overall_score=score, level=level,
                                 note="评估"))
    db.session.commit()


def feedback_weeks(project, averages):
    """Five anonymous answers a week for the last len(averages) weeks, oldest first."""
    for back, score in zip(range(len(averages) - 1, -1, -1), averages, strict=True):
        when = datetime.now(UTC) - timedelta(weeks=back)
        for _ in range(5):
            make_member_answer(project, ratings=(score,) * 5, when=when)


@pytest.fixture
def portfolio(db, make_user, make_project, add_member):
    """Three projects the sponsor follows — red, amber, green for known reasons — and one they don't."""
    sponsor = make_user(name="王总", language="en")
    manager = make_user(name="经理")
    red = make_project(manager=manager, name="红色项目", currency="EUR")
    amber = make_project(manager=manager, name="黄色项目", currency="EUR")
    green = make_project(manager=manager, name="绿色项目", currency="EUR")
    hidden = make_project(manager=manager, name="别人的项目")
    for project in (red, amber, green):
        add_member(project, sponsor, sponsor=True)

    for _ in range(5):  # red: five overdue tasks, red sins, 20 % over budget, feedback falling hard
        make_task(red, due_date=TODAY - timedelta(days=3))
    make_task(red, due_date=TODAY - timedelta(days=3), status=TaskStatus.DONE)  # done: never overdue
    assess_sins(db, red, 62, "red")
    plan(db, red, "120000", budget="100000", benefit="90000")
    feedback_weeks(red, [4, 4, 3])

    make_task(amber, due_date=TODAY - timedelta(days=1))  # amber: one overdue task, satisfaction off target
    account = crm.account(amber, created=crm.at(TODAY.year, TODAY.month, TODAY.day))
    opened = datetime.combine(TODAY - timedelta(days=2), datetime.min.time(), UTC)
    for _ in range(3):
        crm.case(amber, account, opened, score=2)
    db.session.add(KpiSetting(project_id=amber.id, key=KpiKey.SATISFACTION, target=D("4.5")))
    db.session.commit()
    assess_sins(db, amber, 10, "green")

    make_task(green, due_date=TODAY + timedelta(days=10))  # green: all data present, nothing wrong
    assess_sins(db, green, 12, "green")
    plan(db, green, "90000", budget="100000", benefit="150000")
    feedback_weeks(green, [4, 4, 4])
    db.session.add(KpiSetting(project_id=green.id, key=KpiKey.SATISFACTION, target=D("4.0")))  # no cases yet
    db.session.commit()
    rf.stage(green, name="试点", status=StageStatus.ACTIVE, started=TODAY - timedelta(days=9))
    return {"sponsor": sponsor, "manager": manager, "red": red, "amber": amber, "green": green, "hidden": hidden}


def cards_of(response):
    """{project name: {health, rules {rule: level}, text, html}} in page order, and the whole page."""
    page = response.get_data(as_text=True)
    found = {}
    for chunk in page.split("<article ")[1:]:
        chunk = chunk.split("</article>")[0]
        if "dash-card" not in chunk.split(">")[0]:
            continue
        name = re.search(r'id="dash-title-\d+"><a [^>]*>([^<]+)</a>', chunk).group(1).strip()
        found[name] = {
            "health": re.search(r'data-health="(\w+)"', chunk).group(1),
            "rules": dict(re.findall(r'data-rule="(\w+)" data-level="(\w+)"', chunk)),
            "text": visible_text(chunk),
            "html": chunk,
        }
    return found, page


def section(page, marker, end):
    start = page.index(marker)
    return page[start:page.index(end, start)]


def gate_links(chunk):
    return re.findall(r'href="(/projects/\d+/rollout/stages/\d+)"', chunk)


def svg(chunk, kind):
    pattern = r'<svg class="spark spark-' + kind + r'"[^>]*aria-label="([^"]*)"[^>]*><title>([^<]*)</title>(.*?)</svg>'
    found = re.search(pattern, chunk, re.S)
    return found.group(1), found.group(2), "<polyline" in found.group(3)


@pytest.mark.parametrize("language, unknown, missing", [
    ("en", "Not enough data", "No KPI has a target."),
    ("zh", "数据不足", "没有任何 KPI 设定了目标。"),
])
def test_a_project_without_data_is_grey_with_what_is_missing_not_green(client, make_user, make_project, add_member,
                                                                        language, unknown, missing):
    sponsor = make_user(language=language)
    empty = make_project(name="新项目")
    add_member(empty, sponsor, sponsor=True)
    login(client, sponsor)
    cards, page = cards_of(client.get("/dashboard"))
    card = cards["新项目"]
    assert card["health"] == "unknown" and card["rules"] == {}
    assert unknown in card["text"] and missing in card["text"]
    assert "dash-unknown" in card["html"] and "text-success" not in card["html"]
    assert 'data-level="unknown"' in page  # the filter offers the grey level too
    rules = client.get("/dashboard/health-rules").get_data(as_text=True)
    assert 'id="rule-unknown"' in rules and unknown in rules and missing in rules


def test_hand_built_projects_come_out_red_amber_and_green_for_the_stated_reasons(client, portfolio):
    login(client, portfolio["sponsor"])
    response = client.get("/dashboard?lang=en")
    assert response.status_code == 200
    cards, page = cards_of(response)
    assert list(cards) == ["红色项目", "黄色项目", "绿色项目"]  # worst first
    red, amber, green = cards["红色项目"], cards["黄色项目"], cards["绿色项目"]
    assert red["health"] == "red"
    assert red["rules"] == {"overdue_tasks": "red", "sins_risk": "red", "budget": "red", "feedback": "red"}
    assert "5 change tasks are past their due date" in red["text"]
    assert "shows a high risk (overall score 62 out of 100)" in red["text"]
    assert "20%" in red["text"] and "€100,000.00" in red["text"]
    assert amber["health"] == "amber"
    assert amber["rules"] == {"overdue_tasks": "amber", "kpis_below_target": "amber"}
    assert "Customer satisfaction" in amber["text"]
    assert green["health"] == "green" and green["rules"] == {}
    assert "No warning signs" in green["text"]
    assert "9 days in this stage" in green["text"] and "试点" in green["text"]
    assert f'href="/projects/{portfolio["green"].id}/report"' in green["html"]  # the printable report
    assert "€150K" in green["text"] and "€90K" in green["text"]  # benefits beside the cost, rounded
    # the filter keeps one level
    only_red, _page = cards_of(client.get("/dashboard?health=red&lang=en"))
    assert list(only_red) == ["红色项目"]
    counts = re.findall(r'<span class="badge text-bg-light ms-1">(\d+)</span>',
                        section(page, 'id="health-filter"', "</nav>"))
    assert counts == ["3", "1", "1", "0", "1"]  # all, red, amber, unknown, green


def test_trends_are_inline_svg_with_a_description(client, portfolio):
    login(client, portfolio["sponsor"])
    cards, _page = cards_of(client.get("/dashboard?lang=en"))
    label, title, drawn = svg(cards["绿色项目"]["html"], "feedback")
    assert 'role="img"' in cards["绿色项目"]["html"]
    assert "from 4.0 to 4.0 out of 5" in label and title == label and drawn
    label, title, drawn = svg(cards["黄色项目"]["html"], "feedback")
    assert label == title == "Not enough staff feedback to show a trend." and not drawn


def test_a_sponsor_sees_only_the_projects_they_sponsor(client, portfolio, make_user, add_member, make_project):
    other_sponsor = make_user(name="李总")
    add_member(portfolio["hidden"], other_sponsor, sponsor=True)
    add_member(portfolio["red"], other_sponsor)  # only staff there: not on the dashboard
    login(client, other_sponsor)
    cards, _page = cards_of(client.get("/dashboard"))
    assert list(cards) == ["别人的项目"]


def test_managers_see_what_they_manage_and_administrators_see_every_active_project(
        client, portfolio, make_user, db):
    login(client, portfolio["manager"])
    cards, _page = cards_of(client.get("/dashboard"))
    assert set(cards) == {"红色项目", "黄色项目", "绿色项目", "别人的项目"}
    portfolio["hidden"].archived_at = datetime.now(UTC)
    db.session.commit()
    admin = make_user(role="admin")
    client.post("/logout")
    login(client, admin)
    cards, _page = cards_of(client.get("/dashboard"))
    assert set(cards) == {"红色项目", "黄色项目", "绿色项目"}


def test_staff_have_no_dashboard_entry_and_an_empty_page(client, portfolio, make_user, add_member):
    staff = make_user(name="员工")
    add_member(portfolio["red"], staff)
    login(client, staff)
    assert client.get("/").headers["Location"].endswith("/my-work")  # staff start from their own page
    page = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert "You do not sponsor or manage any active project" in page and "红色项目" not in page
    assert 'href="/dashboard"' not in client.get("/projects?lang=en").get_data(as_text=True)


def test_sponsors_and_administrators_land_on_the_dashboard(client, portfolio, make_user):
    login(client, portfolio["sponsor"])
    assert client.get("/").headers["Location"].endswith("/dashboard")
    assert 'href="/dashboard"' in client.get("/projects").get_data(as_text=True)
    client.post("/logout")
    login(client, make_user(role="admin"))
    assert client.get("/").headers["Location"].endswith("/dashboard")
    client.post("/logout")
    login(client, portfolio["manager"])  # managers reach it from the menu but start from their projects
    assert client.get("/").headers["Location"].endswith("/projects")


def test_pending_sign_offs_link_to_their_gate(client, portfolio, make_user):
    green = portfolio["green"]
    gate = rf.stage(green, name="第一波", status=StageStatus.AWAITING_SIGNOFF, started=TODAY - timedelta(days=30))
    rf.request(gate, portfolio["manager"])
    login(client, portfolio["sponsor"])
    cards, page = cards_of(client.get("/dashboard?lang=en"))
    href = f"/projects/{green.id}/rollout/stages/{gate.id}"
    assert gate_links(cards["绿色项目"]["html"]) == [href]
    assert gate_links(section(page, 'id="waiting"', "</section>")) == [href]
    assert "1 sign-off waits for your decision" in visible_text(client.get("/dashboard?lang=en").get_data(as_text=True))


def test_the_page_is_translated(client, portfolio):
    login(client, portfolio["sponsor"])
    spanish = visible_text(client.get("/dashboard?lang=es").get_data(as_text=True))
    assert "Panel de dirección" in spanish and "tareas de cambio" in spanish
    chinese = visible_text(client.get("/dashboard?lang=zh").get_data(as_text=True))
    assert "高管仪表板" in chinese and "项变革任务已逾期" in chinese


@pytest.mark.parametrize("language", ["en", "es", "zh"])
def test_the_rules_page_states_the_thresholds_of_the_code(client, make_user, language):
    login(client, make_user())
    text = visible_text(client.get(f"/dashboard/health-rules?lang={language}").get_data(as_text=True))
    for value in (str(health.OVERDUE_RED), str(health.KPI_RED)):
        assert value in text
    assert re.search(r"10\s?%", text)  # Spanish puts a no-break space before the sign
    assert ("0.25" if language != "es" else "0,25") in text


def test_the_number_of_statements_does_not_grow_with_the_projects(client, db, make_user, make_project, add_member):
    sponsor = make_user()

    def add_projects(count):
        for _ in range(count):
            project = make_project(manager=make_user(), currency="EUR", start_date=date(2026, 1, 1))
            add_member(project, sponsor, sponsor=True)
            make_task(project, due_date=TODAY - timedelta(days=1))
            assess_sins(db, project, 30, "amber")
            plan(db, project, "3000", budget="1000", benefit="6000")
            rf.stage(project, status=StageStatus.ACTIVE, started=LAST_WEEK)
            db.session.add(KpiSetting(project_id=project.id, key=KpiKey.ADOPTION, target=D("0.8"),
                                      baseline_value=D("0.2")))
            # Actuals: a cost recorded and a benefit derived from a KPI with a baseline (plan vs forecast).
            scenario_id = db.session.scalar(select(TcoScenario.id).where(TcoScenario.project_id == project.id))
            db.session.add(TcoActualCost(project_id=project.id, category=CostCategory.LICENCES,
                                         month=date(2026, 2, 1), amount=D("900")))
            db.session.add(TcoBenefitLine(project_id=project.id, scenario_id=scenario_id, kind=BenefitKind.REVENUE,
                                          description="采用", kpi_key=KpiKey.ADOPTION, kpi_gain1=D(5), kpi_gain2=D(5),
                                          kpi_gain3=D(5), kpi_volume=D(100), kpi_unit_value=D(10)))
            db.session.commit()

    login(client, sponsor)

    def statements():
        """Statements of a visit that renders every card afresh, and of one that finds them kept."""
        client.get("/dashboard")  # fills the KPI cache (a write: the cards rendered here are not kept)
        client.get("/dashboard")  # renders the cards and keeps them
        with count_queries(db) as kept:
            assert client.get("/dashboard").status_code == 200
        client.application.extensions["dashboard_cards"].clear()
        with count_queries(db) as fresh:
            assert client.get("/dashboard").status_code == 200
        STATEMENTS[:] = fresh
        return len(fresh), len(kept)

    add_projects(2)
    few, few_kept = statements()
    add_projects(8)
    many, many_kept = statements()
    assert (many, many_kept) == (few, few_kept)
    assert few <= 31, "\n".join(s[:120] for s in STATEMENTS)
    assert few_kept <= few - 10  # kept cards: no feature's bulk function runs
    cards, _page = cards_of(client.get("/dashboard"))
    assert len(cards) == 10 and {c["health"] for c in cards.values()} == {"red"}


def test_dates_in_the_waiting_list_use_the_readers_format(client, portfolio):
    gate = rf.stage(portfolio["red"], name="上线", status=StageStatus.AWAITING_SIGNOFF, started=date(2026, 1, 5))
    rf.request(gate, portfolio["manager"], when=datetime(2026, 3, 9, 10, tzinfo=UTC))
    login(client, portfolio["sponsor"])
    text = visible_text(client.get("/dashboard?lang=es").get_data(as_text=True))
    assert "9 mar 2026, 10:00:00 UTC" in text  # four-digit year, and the zone the hour is in
    assert "9/3/26" not in text


def test_the_demo_sponsor_sees_every_demo_project_with_its_reasons(client, db):
    from planner import demo

    ctx = demo.load()
    login(client, ctx.users["sponsor@example.com"], password="rollout-demo")
    response = client.get("/")
    assert response.headers["Location"].endswith("/dashboard")
    cards, _page = cards_of(client.get("/dashboard?lang=en"))
    assert set(cards) == {project.name for project in ctx.projects.values()}
    chinese = cards[ctx.projects["zh"].name]
    assert chinese["health"] == "red" and chinese["rules"]["overdue_tasks"] == "red"
    assert all(card["rules"] for card in cards.values())  # every demo project has something to discuss
