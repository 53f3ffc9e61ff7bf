"""Hostile input, one finding at a time: oversized ids, NUL bytes, huge and non-finite numbers,
far-away dates, stage teams, sign-in timing, error-page links and caching of private answers.
(The sweep over every route is tests/test_hostile_sweep.py.)"""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from planner.auth import models as auth_models
from planner.change.models import ChangeTask
from planner.exports import ical
from planner.forms import INVALID_CHARACTERS
from planner.rollout.models import Stage
from planner.tco.models import TcoCostLine as CostLine
from planner.tco.models import TcoScenario as Scenario
from tests import rollout_factories as rf
from tests.change_factories import make_task
from tests.helpers import login


@pytest.fixture
def team(make_user, make_project, add_member):
    manager = make_user(email="pm@example.com", name="项目经理", language="zh")
    staff = make_user(email="staff@example.com", name="员工", language="zh")
    project = make_project(manager=manager, name="华南推广")
    add_member(project, staff, team="客服")
    other = make_project(manager=make_user(email="other@example.com", name="乙方"), name="乙方项目")
    return {"manager": manager, "staff": staff, "project": project, "other": other}


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


# --------------------------------------------------------------------------- ids beyond 64 bits


@pytest.mark.parametrize("path", [
    "/projects/9223372036854775808",
    "/projects/{project}/change/tasks/9223372036854775808",
    "/projects/{project}/change/tasks/99999999999999999999999999",
])
def test_ids_beyond_64_bits_are_not_found(client, team, path):
    login(client, team["manager"])
    response = client.get(path.format(project=team["project"].id))
    assert response.status_code == 404
    assert "未找到" in response.get_data(as_text=True)


def test_the_largest_64_bit_id_is_still_looked_up(client, team):
    login(client, team["manager"])
    assert client.get(f"/projects/{team['project'].id}/change/tasks/9223372036854775807").status_code == 404


# --------------------------------------------------------------------------- control characters


@pytest.mark.parametrize("title", ["培训\x00计划", "培训\x07", "a\x1bb", "\x85"])
def test_control_characters_are_refused_with_a_message(client, team, db, title):
    login(client, team["manager"])
    response = client.post(f"/projects/{team['project'].id}/change/tasks/new",
                           data={"title": title, "category": "training", "status": "open"})
    assert response.status_code == 200
    assert "控制字符" in response.get_data(as_text=True)
    assert count(db, ChangeTask) == 0


def test_tabs_and_line_breaks_stay_allowed(client, team, db):
    login(client, team["manager"])
    response = client.post(f"/projects/{team['project'].id}/change/tasks/new",
                           data={"title": "培训\t计划", "category": "training", "status": "open",
                                 "description": "第一行\r\n第二行"})
    assert response.status_code == 302
    assert count(db, ChangeTask) == 1


def test_the_pattern_lets_ordinary_text_through():
    for text in ("Ärger", "客服团队", "👍", "\u202eevil", "tab\tand\nnewline"):
        assert not INVALID_CHARACTERS.search(text)
    for text in ("\x00", "\x0b", "\x7f", "\x9f", "\ufffe"):
        assert INVALID_CHARACTERS.search(text)


def test_a_megabyte_in_a_text_field_is_refused(client, team, db):
    login(client, team["manager"])
    response = client.post(f"/projects/{team['project'].id}/change/tasks/new",
                           data={"title": "任务", "description": "长" * 1_000_000, "category": "training",
                                 "status": "open"})
    assert response.status_code == 200
    assert count(db, ChangeTask) == 0


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("amount", ["1e309", "99999999999999999999", "-99999999999999999999", "NaN", "Infinity",
                                    "1e-400", "9" * 400])
def test_huge_or_non_finite_amounts_are_refused(client, team, db, amount):
    login(client, team["manager"])
    project = team["project"]
    client.post(f"/projects/{project.id}/tco/scenarios/new", data={"name": "方案", "deployment": "cloud",
                                                                    "discount_rate": "8"})
    scenario = db.session.scalar(select(Scenario))
    assert scenario is not None
    response = client.post(f"/projects/{project.id}/tco/scenarios/{scenario.id}/costs/new",
                           data={"description": "许可", "category": "licences", "year1": amount})
    assert response.status_code == 200, response.status_code
    assert "is-invalid" in response.get_data(as_text=True)
    assert count(db, CostLine) == 0


def test_minus_zero_is_saved_as_zero(client, team, db):
    login(client, team["manager"])
    project = team["project"]
    client.post(f"/projects/{project.id}/tco/scenarios/new", data={"name": "方案", "deployment": "cloud",
                                                                    "discount_rate": "-0"})
    scenario = db.session.scalar(select(Scenario))
    assert scenario is not None and str(scenario.discount_rate) in ("0", "0.00")


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize("due", ["0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01"])
def test_dates_outside_the_sensible_range_are_refused(client, team, db, due):
    login(client, team["manager"])
    response = client.post(f"/projects/{team['project'].id}/change/tasks/new",
                           data={"title": "任务", "category": "training", "status": "open", "due_date": due})
    assert response.status_code == 200
    assert "1900" in response.get_data(as_text=True)
    assert count(db, ChangeTask) == 0


def test_date_inputs_state_their_range(client, team):
    login(client, team["manager"])
    html = client.get(f"/projects/{team['project'].id}/change/tasks/new").get_data(as_text=True)
    tag = re.search(r'<input[^>]*name="due_date"[^>]*>', html).group(0)
    assert 'max="2199-12-31"' in tag and 'min="1900-01-01"' in tag


def test_the_calendar_feed_survives_any_stored_date(client, make_client, team):
    project = team["project"]
    make_task(project, title="最后一天", due_date=date.max)
    make_task(project, title="第一天", due_date=date.min)
    rf.stage(project, name="很长的阶段", planned_start=date(2026, 1, 1), planned_end=date.max)
    login(client, team["staff"])
    page = client.post(f"/projects/{project.id}/exports/calendar").get_data(as_text=True)
    token = re.search(r"/calendar/([A-Za-z0-9_-]+)\.ics", page).group(1)
    feed = make_client().get(f"/calendar/{token}.ics")
    assert feed.status_code == 200
    text = feed.get_data(as_text=True)
    assert "DTSTART;VALUE=DATE:99991231" in text and "DURATION:P1D" in text
    assert "DTSTART;VALUE=DATE:00010101" in text and "DTEND;VALUE=DATE:00010102" in text


@pytest.mark.no_app
def test_an_event_ending_on_the_last_date_keeps_its_length():
    event = ical.Event(uid="x", first_day=date(9999, 12, 1), last_day=date.max, summary="s")
    text = ical.calendar("c", [event], now=__import__("datetime").datetime(2026, 1, 1), prodid="p")
    assert "DURATION:P31D" in text and "DTEND" not in text


# --------------------------------------------------------------------------- stage teams


def _stage_form(name="试点", **extra):
    return {"name": name, "description": "", "users_in_scope": "", **extra}


def test_a_stage_takes_only_teams_of_the_projects_members(client, team, db):
    login(client, team["manager"])
    url = f"/projects/{team['project'].id}/rollout/stages/new"
    for teams in (["不存在的团队"], ["客服", "x" * 1_000_000], ["客服\x00"]):
        response = client.post(url, data=_stage_form(teams=teams))
        assert response.status_code == 200
        assert count(db, Stage) == 0
    response = client.post(url, data=_stage_form(teams=["客服"]))
    assert response.status_code == 302
    assert db.session.scalar(select(Stage.teams)) == ["客服"]


def test_a_team_no_member_has_any_more_stays_on_its_stage(client, team, db):
    stage = rf.stage(team["project"], name="旧阶段", teams=["已解散的团队"])
    login(client, team["manager"])
    page = client.get(f"/projects/{team['project'].id}/rollout/stages/{stage.id}/edit").get_data(as_text=True)
    assert "已解散的团队" in page


def test_the_service_refuses_oversized_teams(team, db):
    from planner.errors import DomainError
    from planner.rollout import services

    for teams in (["x" * 81], [f"团队{n}" for n in range(101)], [""]):
        with pytest.raises(DomainError):
            services.create_stage(team["project"], name="阶段", teams=teams)
    db.session.rollback()


# --------------------------------------------------------------------------- sign-in timing


def test_sign_in_checks_a_hash_whether_or_not_the_account_exists(client, team, monkeypatch, db):
    calls = []
    real = auth_models.check_password_hash

    def counting(stored, password):
        calls.append(stored.split("$")[0])
        return real(stored, password)

    monkeypatch.setattr(auth_models, "check_password_hash", counting)
    method = client.application.config["PASSWORD_HASH_METHOD"]
    for email in ("nobody@example.com", team["staff"].email):
        calls.clear()
        response = client.post("/login", data={"email": email, "password": "wrong-password-1"})
        assert response.status_code == 200
        assert calls == [method], f"{email}: {calls}"
    team["staff"].active = False
    db.session.commit()
    calls.clear()
    client.post("/login", data={"email": team["staff"].email, "password": "wrong-password-1"})
    assert calls == [method]


# --------------------------------------------------------------------------- error pages and caching


def test_error_page_language_links_come_from_the_route_not_the_raw_path(client, team):
    for path in ("/%5Cevil.com/x", "/%5C%5Cevil.com", "//evil.com/x", "/%2F%2Fevil.com"):
        response = client.get(path + "?lang=es")
        assert response.status_code == 404
        html = response.get_data(as_text=True)
        links = re.findall(r'href="([^"]*)"[^>]*data-lang=', html)
        assert links, html[:300]
        for link in links:
            assert link.startswith("/?lang=") or link.startswith("/login"), link
            assert "evil" not in link and "\\" not in link


def test_language_links_on_a_matched_page_keep_the_page(client, team):
    login(client, team["manager"])
    html = client.get(f"/projects/{team['project'].id}/change/tasks?view=stage").get_data(as_text=True)
    links = re.findall(r'href="([^"]*)"[^>]*data-lang=', html)
    assert f"/projects/{team['project'].id}/change/tasks?view=stage&amp;lang=en" in links


def test_json_and_every_signed_in_answer_is_not_stored(client, team):
    project = team["project"]
    login(client, team["manager"])
    for path in (f"/projects/{project.id}/crm/lookup/accounts?q=a", f"/projects/{project.id}",
                 f"/projects/{project.id}/crm/lookup/nothing"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path
    assert client.get("/static/css/app.css").headers.get("Cache-Control") != "no-store"


def test_json_for_anonymous_callers_is_not_stored_either(client):
    response = client.get("/healthz")
    assert response.is_json
    response = client.get("/api/nothing", headers={"Accept": "application/json"})
    assert response.status_code in (401, 404) and response.headers["Cache-Control"] == "no-store"


# --------------------------------------------------------------------------- every field has a limit


def _form_classes():
    import importlib
    import pkgutil

    import planner
    from planner.forms import BaseForm

    for info in pkgutil.walk_packages(planner.__path__, "planner."):
        if info.name.endswith(".forms"):
            importlib.import_module(info.name)
    found, pending = set(), [BaseForm]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            if sub not in found:
                found.add(sub)
                pending.append(sub)
    return found


def test_every_text_and_number_field_has_a_limit_the_form_states(app):
    from wtforms import IntegerField, PasswordField, StringField, TextAreaField
    from wtforms.fields.core import UnboundField
    from wtforms.validators import Length, NumberRange

    from planner.forms import LocaleDecimalField

    missing = []
    for cls in _form_classes():
        for name in dir(cls):
            unbound = getattr(cls, name, None)
            if not isinstance(unbound, UnboundField):
                continue
            kind = unbound.field_class
            validators = unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else [])
            label = f"{cls.__module__}.{cls.__name__}.{name}"
            if issubclass(kind, (StringField, TextAreaField, PasswordField)) and kind.__name__ not in (
                    "HiddenField", "CSRFTokenField", "SubmitField") and not issubclass(kind, IntegerField):
                lengths = [v for v in validators if isinstance(v, Length) and v.max and v.max > 0]
                if not lengths:
                    missing.append(f"{label}: no maximum length")
            if issubclass(kind, IntegerField) and not any(isinstance(v, NumberRange) for v in validators):
                missing.append(f"{label}: no range")
            if issubclass(kind, LocaleDecimalField):
                limit = unbound.kwargs.get("limit") or LocaleDecimalField.LIMIT
                assert limit <= LocaleDecimalField.LIMIT or limit <= 10**12
    assert not missing, "\n".join(sorted(missing))


def test_text_inputs_state_their_maximum_to_the_browser(client, team):
    login(client, team["manager"])
    html = client.get(f"/projects/{team['project'].id}/change/tasks/new").get_data(as_text=True)
    title = re.search(r'<input[^>]*name="title"[^>]*>', html).group(0)
    assert 'maxlength="200"' in title
    description = re.search(r'<textarea[^>]*name="description"[^>]*>', html).group(0)
    assert 'maxlength="4000"' in description
