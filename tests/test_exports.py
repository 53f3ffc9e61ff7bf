"""The Exports page, its CSV/XLSX downloads and the private calendar feed."""

import csv
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from planner.change.models import TaskStatus
from planner.exports import ical
from planner.exports.models import CalendarToken, hash_token
from planner.kpis.definitions import KpiKey
from planner.kpis.models import KpiSetting
from planner.projects import services as project_services
from planner.rollout.models import Outcome, RequestStatus
from tests import rollout_factories as rf
from tests.change_factories import count_queries, make_quick_win, make_response, make_stage, make_task
from tests.helpers import login

INJECTION = "=HYPERLINK(\"http://evil.example\",\"点我\")"


@pytest.fixture
def team(make_user, make_project, add_member):
    manager = make_user(name="王经理", language="zh")
    sponsor = make_user(name="Marta Sponsor", language="es")
    staff = make_user(name="李员工", language="zh")
    outsider = make_user(name="外人")
    project = make_project(manager=manager, name="华信 家电/CRM")
    add_member(project, sponsor, sponsor=True)
    staff_member = add_member(project, staff, team="客服")
    other = make_project(manager=outsider, name="乙方项目")
    return {"manager": manager, "sponsor": sponsor, "staff": staff, "outsider": outsider, "project": project,
            "other": other, "staff_member": staff_member}


def _xlsx(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.data)).active


def _csv(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf"), "CSV without a UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def _column(ws, header):
    headers = [cell.value for cell in ws[1]]
    return headers.index(header) + 1


# --------------------------------------------------------------------------- the page


def test_members_see_the_exports_page_with_links_to_tco_and_crm(client, team):
    login(client, team["staff"])
    html = client.get(f"/projects/{team['project'].id}/exports?lang=en").get_data(as_text=True)
    pid = team["project"].id
    for key in ("tasks", "quick-wins", "kpis", "decisions"):
        assert f"/projects/{pid}/exports/{key}.xlsx" in html and f"/projects/{pid}/exports/{key}.csv" in html
    assert f"/projects/{pid}/tco/export.xlsx" in html and f"/projects/{pid}/tco/export.csv" in html
    assert f"/projects/{pid}/crm/accounts.csv" in html
    # Staff do not read the feedback results, so they get no feedback export either.
    assert "/exports/feedback" not in html
    assert "for project managers and executive sponsors" in html


def test_a_sponsor_sees_the_feedback_exports(client, team):
    login(client, team["sponsor"])
    html = client.get(f"/projects/{team['project'].id}/exports").get_data(as_text=True)
    assert "/exports/feedback.xlsx" in html and "/exports/feedback-comments.csv" in html
    assert "Exportaciones" in html  # the sponsor reads Spanish


@pytest.mark.parametrize("path", ["", "/tasks.csv", "/tasks.xlsx", "/feedback.csv", "/decisions.xlsx"])
def test_outsiders_and_anonymous_visitors_are_refused(client, team, path):
    url = f"/projects/{team['project'].id}/exports{path}"
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(client, team["outsider"])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("key", ["feedback", "feedback-comments"])
def test_staff_cannot_download_the_feedback(client, team, key):
    login(client, team["staff"])
    assert client.get(f"/projects/{team['project'].id}/exports/{key}.csv").status_code == 403


def test_the_whole_workbook_has_one_sheet_per_data_set_the_reader_may_see(client, make_client, team):
    make_task(team["project"], title="培训")
    login(client, team["staff"])
    response = client.get(f"/projects/{team['project'].id}/exports/all.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["任务", "速赢目标", "KPI", "审批决定"]  # no feedback nor TCO actuals for staff
    assert workbook["任务"]["A2"].value == "培训"
    manager = make_client()
    login(manager, team["manager"])
    workbook = load_workbook(io.BytesIO(manager.get(f"/projects/{team['project'].id}/exports/all.xlsx").data))
    assert workbook.sheetnames[4:] == ["分组反馈", "反馈意见", "实际成本", "收益：计划与实际"]


def test_an_unknown_data_set_is_not_found(client, team):
    login(client, team["manager"])
    assert client.get(f"/projects/{team['project'].id}/exports/all.csv").status_code == 404
    assert client.get(f"/projects/{team['project'].id}/exports/users.csv").status_code == 404
    assert client.get(f"/projects/{team['project'].id}/exports/tasks.pdf").status_code == 404


# --------------------------------------------------------------------------- tasks


def test_tasks_xlsx_has_spanish_headers_typed_values_and_no_formula(client, team, db):
    project = team["project"]
    stage = make_stage(project, name="试点")
    make_task(project, title=INJECTION, owner=team["staff_member"], due_date=date(2026, 3, 5), stage=stage,
              description="+SUM(A1:A9)")
    make_task(team["other"], title="乙方的任务")
    login(client, team["sponsor"])
    response = client.get(f"/projects/{project.id}/exports/tasks.xlsx")
    ws = _xlsx(response)
    headers = [cell.value for cell in ws[1]]
    assert headers[:3] == ["Tarea", "Descripción", "Categoría"]
    assert "Fecha límite" in headers and "Responsable" in headers and "Etapa" in headers
    assert ws.max_row == 2, "another project's task was exported"
    title = ws.cell(row=2, column=1)
    assert title.value == INJECTION and title.data_type == "s"  # text, never a formula
    assert ws.cell(row=2, column=2).data_type == "s"
    due = ws.cell(row=2, column=_column(ws, "Fecha límite"))
    assert due.is_date and due.value.date() == date(2026, 3, 5) and "yy" in due.number_format
    assert ws.cell(row=2, column=_column(ws, "Responsable")).value == "李员工"
    assert ws.cell(row=2, column=_column(ws, "Etapa")).value == "试点"
    overdue = ws.cell(row=2, column=_column(ws, "Días de retraso"))
    assert isinstance(overdue.value, int) and overdue.value > 0
    disposition = response.headers["Content-Disposition"]
    today = date.today().isoformat()
    assert "filename*=UTF-8''" in disposition
    assert f"%E5%8D%8E%E4%BF%A1-%E5%AE%B6%E7%94%B5-crm-tasks-{today}.xlsx" in disposition  # 华信-家电-crm


def test_control_characters_do_not_break_the_workbook(client, team):
    make_task(team["project"], title="导入\x01的\x07任务", notes="第一行\n第二行")
    login(client, team["manager"])
    ws = _xlsx(client.get(f"/projects/{team['project'].id}/exports/tasks.xlsx"))
    assert ws.cell(row=2, column=1).value == "导入的任务"
    assert ws.cell(row=2, column=ws.max_column).value == "第一行\n第二行"


def test_tasks_csv_in_chinese_has_a_bom_and_neutralises_formulas(client, team):
    project = team["project"]
    make_task(project, title=INJECTION, due_date=date(2026, 3, 5), description="@cmd|' /C calc'!A0")
    login(client, team["staff"])
    rows = _csv(client.get(f"/projects/{project.id}/exports/tasks.csv"))
    assert rows[0][:3] == ["任务", "说明", "类别"]
    assert "截止日期" in rows[0] and "负责人" in rows[0]
    assert rows[1][0] == "'" + INJECTION
    assert rows[1][1].startswith("'@")
    assert rows[1][rows[0].index("截止日期")] == "2026-03-05"


@pytest.mark.parametrize("key", ["tasks", "quick-wins", "decisions"])
def test_exports_run_a_bounded_number_of_queries(client, team, db, key):
    project = team["project"]
    login(client, team["manager"])

    def add(n):
        for _ in range(n):
            stage = rf.stage(project)
            make_task(project, owner=team["staff_member"], stage=stage, due_date=date(2026, 5, 1))
            make_quick_win(project, owner_id=team["staff_member"].id)
            rf.decision(rf.request(stage, team["manager"], status=RequestStatus.DECIDED), team["sponsor"])

    add(2)
    with count_queries(db) as few:
        assert client.get(f"/projects/{project.id}/exports/{key}.xlsx").status_code == 200
    add(10)
    with count_queries(db) as many:
        assert client.get(f"/projects/{project.id}/exports/{key}.xlsx").status_code == 200
    assert len(many) == len(few)


# --------------------------------------------------------------------------- quick wins, KPIs, decisions


def test_quick_win_targets_are_percentages_and_dates_are_dates(client, team):
    project = team["project"]
    make_quick_win(project, title="首呼解决", kpi=KpiKey.FIRST_CONTACT_RESOLUTION, kpi_target=Decimal("0.8"),
                   target_date=date(2026, 5, 1))
    make_quick_win(project, title="满意度", kpi=KpiKey.SATISFACTION, kpi_target=Decimal("4.2"))
    login(client, team["manager"])
    ws = _xlsx(client.get(f"/projects/{project.id}/exports/quick-wins.xlsx"))
    target = _column(ws, "KPI 目标")
    first, second = ws.cell(row=2, column=target), ws.cell(row=3, column=target)
    assert first.value == pytest.approx(0.8) and first.number_format == "0.0%"
    assert second.value == pytest.approx(4.2) and "%" not in second.number_format
    assert ws.cell(row=2, column=_column(ws, "目标日期")).is_date


def test_kpis_export_types_ratios_as_percent_and_satisfaction_as_a_score(client, team, db):
    project = team["project"]
    db.session.add_all([KpiSetting(project_id=project.id, key=KpiKey.ADOPTION, target=Decimal("0.85")),
                        KpiSetting(project_id=project.id, key=KpiKey.SATISFACTION, target=Decimal("4.5"))])
    db.session.commit()
    login(client, team["sponsor"])
    ws = _xlsx(client.get(f"/projects/{project.id}/exports/kpis.xlsx"))
    headers = [c.value for c in ws[1]]
    assert headers[0] == "KPI" and "Objetivo" in headers
    rows = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    assert len(rows) == len(KpiKey)
    target = headers.index("Objetivo") + 1
    adoption = ws.cell(row=rows["Adopción"], column=target)
    assert adoption.value == pytest.approx(0.85) and adoption.number_format == "0.0%"
    satisfaction = [r for r in range(2, ws.max_row + 1)
                    if ws.cell(row=r, column=target).value == pytest.approx(4.5)]
    assert satisfaction and ws.cell(row=satisfaction[0], column=target).number_format == "0.00"
    assert ws.cell(row=2, column=headers.index("Fecha del cálculo") + 1).is_date


def test_decisions_export_keeps_who_when_and_the_comment(client, team):
    project = team["project"]
    stage = rf.stage(project, name="试点")
    request_ = rf.request(stage, team["manager"], status=RequestStatus.DECIDED)
    rf.decision(request_, team["sponsor"], outcome=Outcome.APPROVED_WITH_CONDITIONS,
                comment="下周前补齐培训，再扩大范围")
    other_stage = rf.stage(team["other"], name="乙方阶段")
    rf.decision(rf.request(other_stage, team["outsider"], status=RequestStatus.DECIDED), team["outsider"])
    login(client, team["staff"])
    rows = _csv(client.get(f"/projects/{project.id}/exports/decisions.csv"))
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["阶段"] == "试点" and record["决定人"] == "Marta Sponsor"
    assert record["意见"] == "下周前补齐培训，再扩大范围"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", record["决定时间"])
    ws = _xlsx(client.get(f"/projects/{project.id}/exports/decisions.xlsx"))
    assert ws.cell(row=2, column=_column(ws, "决定时间")).is_date


# --------------------------------------------------------------------------- feedback


def _five_answers(project, users, **fields):
    for user in users:
        make_response(project, respondent=user, team="客服", **fields)


def test_feedback_export_hides_small_groups_and_never_names_anyone(client, team, make_user, add_member):
    project = team["project"]
    people = [make_user(name=f"答复人{n}") for n in range(5)]
    for person in people:
        add_member(project, person)
    _five_answers(project, people, comment="系统太慢，请优化")
    make_response(project, team="仓库", comment="=1+1 匿名意见", ratings=(1, 2, 3, 4, 5))
    make_response(project, respondent=team["staff"], language="es", comment="")
    login(client, team["manager"])
    ws = _xlsx(client.get(f"/projects/{project.id}/exports/feedback.xlsx"))
    rows = [[cell.value for cell in row] for row in ws.iter_rows(min_row=2)]
    people_col = [c.value for c in ws[1]].index("人数")
    overall = rows[0]
    # five members and the staff member; the answer through a link is never counted as a person
    assert overall[people_col] == 6 and overall[people_col + 1] == 4
    assert not any(row[1] == "仓库" for row in rows)
    spanish = next(row for row in rows if row[1] == "Español")
    assert spanish[people_col] is None and all(value is None for value in spanish[people_col + 1:-1])
    assert spanish[-1] == "已隐藏：作答人数不足 5 人"
    comments = _csv(client.get(f"/projects/{project.id}/exports/feedback-comments.csv"))
    body = "\n".join(",".join(row) for row in comments)
    assert "系统太慢，请优化" in body and "'=1+1 匿名意见" in body
    for person in [*people, team["staff"]]:
        assert person.name not in body
    xlsx_names = [cell.value for row in ws.iter_rows() for cell in row]
    assert not any(person.name in str(value) for value in xlsx_names for person in people)


def test_feedback_comments_stay_hidden_below_five_people(client, team):
    project = team["project"]
    make_response(project, respondent=team["staff"], comment="我一个人的意见")
    login(client, team["sponsor"])
    rows = _csv(client.get(f"/projects/{project.id}/exports/feedback-comments.csv"))
    assert len(rows) == 1  # headers only
    rows = _csv(client.get(f"/projects/{project.id}/exports/feedback.csv"))
    assert rows[1][2] == ""  # the overall group has no figure


# --------------------------------------------------------------------------- the calendar feed


def unfold(text: str) -> list[str]:
    """Strict RFC 5545 reading: CRLF only, lines at most 75 octets, folded lines start with a space."""
    assert "\n" not in text.replace("\r\n", ""), "a bare LF or CR"
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    for line in physical:
        assert len(line.encode("utf-8")) <= 75, line
    logical: list[str] = []
    for line in physical:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return logical


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def parse_ics(text: str) -> tuple[dict, list[dict]]:
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    calendar, events, current = {}, [], None
    for line in lines[1:-1]:
        name, _, value = line.partition(":")
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        else:
            # an unescaped comma or semicolon would split a TEXT value: refuse it
            if name.split(";")[0] in ("SUMMARY", "DESCRIPTION", "X-WR-CALNAME"):
                assert not re.search(r"(?<!\\)[;,]", value.replace("\\\\", "")), value
            (current if current is not None else calendar)[name] = value
    return calendar, events


def _make_token(client, team, user_key="staff"):
    login(client, team[user_key])
    response = client.post(f"/projects/{team['project'].id}/exports/calendar")
    assert response.status_code == 200
    match = re.search(r'value="(https?://[^"]+/calendar/([A-Za-z0-9_-]+)\.ics)"', response.get_data(as_text=True))
    assert match, "the new address is shown once"
    return match.group(1), match.group(2)


def test_the_feed_is_valid_icalendar_in_the_owners_language(client, make_client, team, db):
    project = team["project"]
    long_name = "第一批推广：华南区销售与客服团队，全面切换到新客户关系管理系统；旧系统只读" * 2
    stage = rf.stage(project, name=long_name, planned_start=date(2026, 4, 1), planned_end=date(2026, 4, 30))
    task = make_task(project, title="培训, 第二批; 客服\\团队", due_date=date(2026, 4, 10), stage=stage,
                     description="第一行\n第二行")
    make_task(project, title="已完成的任务", due_date=date(2026, 4, 11), status=TaskStatus.DONE)
    make_task(project, title="没有截止日期")
    make_task(team["other"], title="乙方的任务", due_date=date(2026, 4, 12))
    rf.stage(team["other"], name="乙方阶段", planned_start=date(2026, 4, 1))
    url, token = _make_token(client, team)
    assert db.session.scalar(select(func.count()).select_from(CalendarToken)) == 1
    assert db.session.scalar(select(CalendarToken.token_hash)) == hash_token(token) != token

    feed = make_client().get(f"/calendar/{token}.ics")  # a calendar app: no session
    assert feed.status_code == 200
    assert feed.headers["Content-Type"] == "text/calendar; charset=utf-8"
    text = feed.data.decode("utf-8")
    assert token not in text
    calendar, events = parse_ics(text)
    assert calendar["VERSION"] == "2.0" and calendar["CALSCALE"] == "GREGORIAN" and calendar["PRODID"]
    assert unescape(calendar["X-WR-CALNAME"]) == "华信 家电/CRM · Rollout"
    by_uid = {event["UID"]: event for event in events}
    assert set(by_uid) == {f"stage-{stage.id}@localhost", f"task-{task.id}@localhost"}
    stage_event = by_uid[f"stage-{stage.id}@localhost"]
    assert stage_event["DTSTART;VALUE=DATE"] == "20260401"
    assert stage_event["DTEND;VALUE=DATE"] == "20260501"  # exclusive: the day after the last day
    assert unescape(stage_event["SUMMARY;LANGUAGE=zh"]) == f"推广阶段：{long_name}"
    assert re.fullmatch(r"\d{8}T\d{6}Z", stage_event["DTSTAMP"])
    assert text.count("\r\n ") > 2  # the long Chinese summary was folded
    task_event = by_uid[f"task-{task.id}@localhost"]
    assert task_event["DTSTART;VALUE=DATE"] == "20260410" and task_event["DTEND;VALUE=DATE"] == "20260411"
    assert r"培训\, 第二批\; 客服\\团队" in task_event["SUMMARY;LANGUAGE=zh"]
    assert unescape(task_event["SUMMARY;LANGUAGE=zh"]) == "任务截止：培训, 第二批; 客服\\团队"
    assert "第一行\n第二行" in unescape(task_event["DESCRIPTION;LANGUAGE=zh"])
    assert "乙方" not in text and "已完成的任务" not in text


def test_the_feed_speaks_the_owners_language_not_the_visitors(client, make_client, team):
    rf.stage(team["project"], name="Piloto", planned_start=date(2026, 4, 1))
    _url, token = _make_token(client, team, "sponsor")
    text = make_client().get(f"/calendar/{token}.ics", headers={"Accept-Language": "zh-CN"}).data.decode()
    assert "SUMMARY;LANGUAGE=es:Etapa del despliegue: Piloto" in unfold(text)


def test_a_new_address_replaces_the_old_and_revoking_ends_it(client, make_client, team, db):
    _url, first = _make_token(client, team)
    _url, second = _make_token(client, team)
    app_client = make_client()
    assert app_client.get(f"/calendar/{first}.ics").status_code == 404
    assert app_client.get(f"/calendar/{second}.ics").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(CalendarToken)) == 1
    response = client.post(f"/projects/{team['project'].id}/exports/calendar/revoke")
    assert response.status_code == 302
    assert app_client.get(f"/calendar/{second}.ics").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(CalendarToken)) == 0


def test_the_page_shows_the_token_only_once(client, team):
    _url, token = _make_token(client, team)
    html = client.get(f"/projects/{team['project'].id}/exports").get_data(as_text=True)
    assert token not in html and "作废地址" in html


def test_a_removed_member_or_a_deactivated_account_loses_the_feed_at_once(client, make_client, team, db):
    _url, token = _make_token(client, team)
    _url2, sponsor_token = _make_token(make_client(), team, "sponsor")
    project_services.remove_member(team["staff_member"])
    db.session.commit()
    app_client = make_client()
    assert app_client.get(f"/calendar/{token}.ics").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(CalendarToken)) == 1  # the sponsor's stays
    team["sponsor"].active = False
    db.session.commit()
    assert app_client.get(f"/calendar/{sponsor_token}.ics").status_code == 404


def test_an_archived_project_gives_an_empty_calendar(client, make_client, team, db):
    rf.stage(team["project"], name="试点", planned_start=date(2026, 4, 1))
    _url, token = _make_token(client, team)
    team["project"].archived_at = datetime.now(UTC)
    db.session.commit()
    text = make_client().get(f"/calendar/{token}.ics").data.decode()
    calendar, events = parse_ics(text)
    assert events == [] and calendar["X-WR-CALNAME"]
    # the owner can still revoke it, but no new one is made for an archived project
    assert client.post(f"/projects/{team['project'].id}/exports/calendar/revoke").status_code == 302
    assert make_client().get(f"/calendar/{token}.ics").status_code == 404
    client.post(f"/projects/{team['project'].id}/exports/calendar")
    assert db.session.scalar(select(func.count()).select_from(CalendarToken)) == 0


def test_administrators_who_are_not_members_get_no_calendar(client, team, make_user, db):
    from planner.auth.models import GlobalRole

    admin = make_user(role=GlobalRole.ADMIN)
    login(client, admin)
    assert client.get(f"/projects/{team['project'].id}/exports").status_code == 200
    assert client.post(f"/projects/{team['project'].id}/exports/calendar").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(CalendarToken)) == 0


def test_guessing_tokens_is_slowed_down(make_client, team):
    app_client = make_client()
    for n in range(30):
        assert app_client.get(f"/calendar/guess{n}.ics").status_code == 404
    assert app_client.get("/calendar/guess-again.ics").status_code == 429


def test_the_post_needs_a_csrf_token(client, team, db):
    login(client, team["staff"])
    response = client.post(f"/projects/{team['project'].id}/exports/calendar", csrf=False)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(CalendarToken)) == 0


# --------------------------------------------------------------------------- the serializer


@pytest.mark.no_app
def test_folding_never_splits_a_character():
    line = "SUMMARY:" + "汉字é" * 40
    folded = ical.fold(line)
    pieces = folded.split("\r\n")
    assert all(len(piece.encode("utf-8")) <= 75 for piece in pieces)
    assert "".join(piece[1:] if i else piece for i, piece in enumerate(pieces)) == line
    assert ical.fold("short") == "short"


@pytest.mark.no_app
def test_text_escaping():
    assert ical.escape_text("a\\b;c,d\r\ne\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


@pytest.mark.no_app
def test_an_event_without_an_end_lasts_one_day():
    text = ical.calendar("日历", [ical.Event("x@h", date(2026, 1, 31), date(2026, 1, 31), "s")],
                         datetime(2026, 1, 1, tzinfo=UTC), "-//t//EN")
    assert "DTEND;VALUE=DATE:20260201\r\n" in text
