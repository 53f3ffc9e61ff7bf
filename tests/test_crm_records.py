"""CRM records through HTTP: capture, edit, delete, who may do what, lists, paging and exports."""

import csv
import io
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from planner.audit.models import AuditEvent
from planner.crm.models import (
    Account,
    Channel,
    Contact,
    Interaction,
    Opportunity,
    OpportunityKind,
    OpportunityStage,
    ServiceCase,
)
from planner.kpis.models import KpiSetting
from tests import crm_factories as f
from tests.crm_factories import at
from tests.helpers import login


@pytest.fixture
def team(make_user, make_project, add_member):
    manager = make_user(email="pm@example.com", name="经理")
    project = make_project(manager=manager, currency="EUR")
    staff = make_user(email="lucia@example.com", name="Lucía")
    colleague = make_user(email="jorge@example.com", name="Jorge")
    sponsor = make_user(email="sponsor@example.com", name="发起人")
    add_member(project, staff)
    add_member(project, colleague)
    add_member(project, sponsor, sponsor=True)
    return project, manager, staff, colleague, sponsor


def as_user(make_client, user):
    client = make_client()
    login(client, user)
    return client


def total(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


# --------------------------------------------------------------------------- capture


def test_staff_capture_every_kind_of_record_through_the_forms(make_client, db, team):
    project, _manager, staff, *_ = team
    client = as_user(make_client, staff)
    base = f"/projects/{project.id}/crm"
    assert client.post(f"{base}/accounts/new", data={"name": "  Distribuciones Peñalver ", "segment": "Mayorista",
                                                       "country": "España", "external_id": "A-1"}).status_code == 302
    account = db.session.scalar(select(Account))
    assert (account.name, account.name_key, account.captured_by_id) == ("Distribuciones Peñalver",
                                                                        "distribuciones penalver", staff.id)
    reference = f"{account.name} (#{account.id})"
    response = client.post(f"{base}/contacts/new", data={"name": "José Núñez", "account_ref": reference,
                                                         "email": "jose@example.com", "phone": "+34 941 000 000"})
    assert response.status_code == 302
    contact = db.session.scalar(select(Contact))
    assert (contact.account_id, contact.reachable, contact.is_duplicate) == (account.id, True, False)
    response = client.post(f"{base}/interactions/new", data={
        "account_ref": "A-1", "contact_ref": "José Núñez", "occurred_at": "2026-09-01T10:30", "channel": "in_person",
        "purpose": "Visita comercial", "outcome": "Pide presupuesto"})
    assert response.status_code == 302
    interaction = db.session.scalar(select(Interaction))
    assert (interaction.account_id, interaction.contact_id, interaction.channel, interaction.occurred_at,
            interaction.captured_by_id) == (account.id, contact.id, Channel.IN_PERSON,
                                            datetime(2026, 9, 1, 10, 30, tzinfo=UTC), staff.id)
    response = client.post(f"{base}/cases/new", data={
        "account_ref": reference, "subject": "Pedido incompleto", "opened_at": "2026-09-02T09:00",
        "closed_at": "2026-09-02T09:20", "resolved_first_contact": "y", "satisfaction": "4"})
    assert response.status_code == 302
    case = db.session.scalar(select(ServiceCase))
    assert (case.resolved_first_contact, case.satisfaction, case.is_open) == (True, 4, False)
    client.get("/account?lang=es")  # amounts typed the Spanish way
    response = client.post(f"{base}/opportunities/new", data={
        "account_ref": reference, "name": "Ampliación", "opportunity_kind": "up_sell", "amount": "12.345,60",
        "stage": "won", "opened_on": "2026-08-01", "closed_on": "2026-09-03"})
    assert response.status_code == 302
    opportunity = db.session.scalar(select(Opportunity))
    assert (opportunity.amount, opportunity.opportunity_kind, opportunity.stage) == (
        Decimal("12345.60"), OpportunityKind.UP_SELL, OpportunityStage.WON)
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"crm.accounts.created", "crm.contacts.created", "crm.interactions.created", "crm.cases.created",
            "crm.opportunities.created"} <= actions


def test_invalid_input_is_refused_with_translated_errors_and_nothing_saved(make_client, db, team, make_user):
    project, manager, staff, *_ = team
    client = as_user(make_client, staff)
    client.get("/account?lang=es")
    base = f"/projects/{project.id}/crm"
    account = f.account(project, external_id="A-1", by=staff)
    page = client.post(f"{base}/accounts/new", data={"name": ""}).get_data(as_text=True)
    assert "Este campo es obligatorio." in page
    page = client.post(f"{base}/contacts/new", data={"name": "Ana", "email": "ana@", "phone": "12",
                                                     "account_ref": "Nadie"}).get_data(as_text=True)
    assert "Introduce un correo electrónico válido." in page
    assert "Escribe un teléfono de 7 a 15 dígitos" in page
    page = client.post(f"{base}/interactions/new", data={"account_ref": "Nadie", "occurred_at": "ayer",
                                                         "channel": "pigeon", "purpose": "x"}).get_data(as_text=True)
    assert "Ninguna cuenta de este proyecto coincide con lo que has escrito." in page
    assert "Introduce una fecha y hora válidas." in page
    page = client.post(f"{base}/opportunities/new", data={
        "account_ref": "A-1", "name": "Uno", "opportunity_kind": "cross_sell", "amount": "100", "stage": "won",
        "opened_on": "2026-08-01"}).get_data(as_text=True)
    assert "Una oportunidad ganada o perdida necesita la fecha de cierre." in page
    page = client.post(f"{base}/accounts/new", data={"name": "Otra", "external_id": "A-1"}).get_data(as_text=True)
    assert "Otro registro de este tipo ya tiene este id. externo." in page
    assert total(db, Contact) == total(db, Interaction) == total(db, Opportunity) == 0
    assert total(db, Account) == 1 and account.id


def test_an_account_of_another_project_cannot_be_referenced(make_client, db, team, make_project):
    project, manager, staff, *_ = team
    other = make_project(manager=manager)
    foreign = f.account(other, name="外部客户", external_id="X-1")
    client = as_user(make_client, staff)
    for reference in ("X-1", "外部客户", f"外部客户 (#{foreign.id})"):
        page = client.post(f"/projects/{project.id}/crm/interactions/new", data={
            "account_ref": reference, "occurred_at": "2026-09-01T10:00", "channel": "phone", "purpose": "试探"})
        assert "No account of this project matches" in page.get_data(as_text=True)
    assert total(db, Interaction) == 0
    suggestions = client.get(f"/projects/{project.id}/crm/lookup/accounts?q=外部").get_json()
    assert suggestions == []


# --------------------------------------------------------------------------- who may change what


def test_staff_change_their_own_records_but_not_those_of_others(make_client, db, team):
    project, manager, staff, colleague, sponsor = team
    mine = f.account(project, name="我的客户", by=staff).id
    theirs = f.account(project, name="同事的客户", by=colleague).id
    client = as_user(make_client, staff)
    base = f"/projects/{project.id}/crm/accounts"
    assert client.post(f"{base}/{mine}/edit", data={"name": "我的客户（改）"}).status_code == 302
    assert client.post(f"{base}/{theirs}/edit", data={"name": "被改了"}).status_code == 403
    assert client.post(f"{base}/{theirs}/delete").status_code == 403
    page = client.get(f"{base}/{theirs}/edit").get_data(as_text=True)
    assert "You can read this record. Only a project manager or the person who captured it can change it." in page
    assert "<fieldset disabled>" in page
    db.session.expire_all()
    assert db.session.get(Account, theirs).name == "同事的客户"
    assert db.session.get(Account, mine).name == "我的客户（改）"
    # Sponsors are members like staff: their own records only.
    sponsor_client = as_user(make_client, sponsor)
    assert sponsor_client.post(f"{base}/{mine}/edit", data={"name": "发起人改的"}).status_code == 403
    # The manager changes and deletes anything.
    manager_client = as_user(make_client, manager)
    assert manager_client.post(f"{base}/{theirs}/edit", data={"name": "经理改的"}).status_code == 302
    assert manager_client.post(f"{base}/{theirs}/delete").status_code == 302
    assert db.session.get(Account, theirs) is None
    assert client.post(f"{base}/{mine}/delete").status_code == 302
    assert total(db, Account) == 0


def test_no_access_to_another_projects_records_by_changing_ids(make_client, db, team, make_project, make_user):
    project, manager, staff, *_ = team
    other = make_project(manager=make_user())
    foreign = {"accounts": f.account(other, name="乙方客户")}
    foreign["contacts"] = f.contact(other, foreign["accounts"], name="乙方联系人")
    foreign["interactions"] = f.interaction(other, foreign["accounts"], at(2026, 9, 1), outcome="乙方结果")
    foreign["cases"] = f.case(other, foreign["accounts"], at(2026, 9, 1))
    foreign["opportunities"] = f.opportunity(other, foreign["accounts"], at(2026, 9, 1).date())
    client = as_user(make_client, staff)
    for kind, obj in foreign.items():
        assert client.get(f"/projects/{other.id}/crm/{kind}").status_code == 404
        assert client.get(f"/projects/{other.id}/crm/{kind}.csv").status_code == 404
        assert client.get(f"/projects/{project.id}/crm/{kind}/{obj.id}/edit").status_code == 404
        assert client.post(f"/projects/{project.id}/crm/{kind}/{obj.id}/edit", data={"name": "偷改"}).status_code == 404
        assert client.post(f"/projects/{project.id}/crm/{kind}/{obj.id}/delete").status_code == 404
    assert client.get(f"/projects/{project.id}/crm/accounts/{foreign['accounts'].id}").status_code == 404
    for kind in foreign:
        assert "乙方" not in client.get(f"/projects/{project.id}/crm/{kind}").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Account, foreign["accounts"].id).name == "乙方客户"
    assert total(db, Interaction) == 1


def test_an_account_with_records_cannot_be_deleted(make_client, db, team):
    project, manager, *_ = team
    account = f.account(project, name="有记录的客户")
    f.interaction(project, account, at(2026, 9, 1))
    client = as_user(make_client, manager)
    response = client.post(f"/projects/{project.id}/crm/accounts/{account.id}/delete", follow_redirects=True)
    assert "This account still has contacts, interactions, cases or opportunities." in response.get_data(as_text=True)
    assert total(db, Account) == 1


def test_an_archived_project_takes_no_new_records(make_client, db, team):
    project, manager, *_ = team
    project.archived_at = at(2026, 10, 1)
    db.session.commit()
    client = as_user(make_client, manager)
    response = client.post(f"/projects/{project.id}/crm/accounts/new", data={"name": "归档后"})
    assert response.status_code == 302
    assert total(db, Account) == 0


# --------------------------------------------------------------------------- lists


def test_search_is_a_prefix_that_ignores_case_and_accents(make_client, db, team):
    project, manager, *_ = team
    for name in ("José Núñez SL", "Josefa Ruiz", "Ana José", "华信家电", "华为"):
        f.account(project, name=name)
    f.account(project, name="Código", external_id="EXT-77")
    client = as_user(make_client, manager)
    base = f"/projects/{project.id}/crm/accounts"

    def names(query):
        page = client.get(f"{base}?{query}").get_data(as_text=True)
        return re.findall(r'<td class="fw-medium"><a href="[^"]+">([^<]+)</a>', page)

    assert names("q=jose") == ["José Núñez SL", "Josefa Ruiz"]
    assert names("q=%E5%8D%8E") == ["华为", "华信家电"]  # 华
    assert names("q=EXT-77") == ["Código"]
    assert names("q=zzz") == []
    assert names("sort=-name")[0] == "华信家电"


def test_filters_narrow_the_lists(make_client, db, team):
    project, manager, staff, colleague, _sponsor = team
    a = f.account(project, name="甲", segment="大客户", country="中国")
    b = f.account(project, name="乙", segment="中小企业", country="中国")
    f.interaction(project, a, at(2026, 9, 1), by=staff, channel=Channel.EMAIL, outcome="")
    f.interaction(project, b, at(2026, 9, 2), by=colleague, channel=Channel.PHONE)
    f.interaction(project, b, at(2026, 9, 5), by=staff, channel=Channel.PHONE)
    client = as_user(make_client, manager)
    accounts = client.get(f"/projects/{project.id}/crm/accounts?segment=大客户").get_data(as_text=True)
    assert ">甲<" in accounts and ">乙<" not in accounts
    assert '<option value="中小企业">中小企业</option>' in accounts  # the segments offered come from the data
    base = f"/projects/{project.id}/crm/interactions"

    def rows(query):
        return client.get(f"{base}?{query}").get_data(as_text=True).count("/crm/interactions/")

    assert rows("channel=phone") - rows("channel=phone&since=2026-09-03") == 1
    assert rows(f"captured_by={staff.id}") == rows("") - 1
    assert rows("outcome=missing") == rows("") - 2
    assert rows(f"account={a.id}") == rows("") - 2
    assert rows("q=乙") == rows("") - 1


def test_keyset_paging_walks_every_row_once_in_order(make_client, db, team):
    project, manager, *_ = team
    for n in range(120):
        f.account(project, name=f"客户{n:03d}", created=at(2026, 1, 1 + n % 28, n % 24))
    client = as_user(make_client, manager)
    for sort in ("name", "-created"):
        url, seen, pages = f"/projects/{project.id}/crm/accounts?sort={sort}", [], []
        while url:
            page = client.get(url).get_data(as_text=True)
            seen += re.findall(r'<td class="fw-medium"><a href="[^"]+">([^<]+)</a>', page)
            pages.append(url)
            match = re.search(r'rel="next" href="([^"#]+)"', page)
            url = match.group(1).replace("&amp;", "&") if match else None
        assert len(seen) == 120 and len(set(seen)) == 120 and len(pages) == 3
        if sort == "name":
            assert seen == sorted(seen)
        # "Previous" from the last page gives back the second page.
        last = client.get(pages[-1]).get_data(as_text=True)
        previous = re.search(r'rel="prev" href="([^"#]+)"', last).group(1).replace("&amp;", "&")
        second = client.get(pages[1]).get_data(as_text=True)
        pattern = r'<td class="fw-medium"><a href="[^"]+">([^<]+)</a>'
        assert re.findall(pattern, client.get(previous).get_data(as_text=True)) == re.findall(pattern, second)
    assert client.get(f"/projects/{project.id}/crm/accounts?after=garbage").status_code == 200


def test_list_pages_run_the_same_number_of_queries_whatever_the_size(make_client, db, team, app):
    project, manager, staff, *_ = team
    client = as_user(make_client, manager)

    def queries(path):
        client.get(path)  # warm up (session touch, caches)
        counted = []
        listener = lambda *args: counted.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(counted)

    paths = [f"/projects/{project.id}/crm/{kind}" for kind in
             ("accounts", "contacts", "interactions", "cases", "opportunities")] + [f"/projects/{project.id}/kpis"]
    def one_of_each(n):
        account = f.account(project, name=f"客户{n}", segment=f"分组{n % 7}", by=staff)
        person = f.contact(project, account, email=f"c{n}@example.com", by=staff)
        f.interaction(project, account, at(2026, 9, 1 + n % 20), by=staff, outcome="" if n % 3 else "好",
                      contact_id=person.id)
        f.case(project, account, at(2026, 9, 1 + n % 20), score=1 + n % 5, by=staff)
        f.opportunity(project, account, at(2026, 8, 1).date(), by=staff)

    one_of_each(0)
    small = [queries(path) for path in paths]
    for n in range(1, 80):
        one_of_each(n)
    large = [queries(path) for path in paths]
    assert small == large


# --------------------------------------------------------------------------- exports


def read_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_exports_are_translated_filtered_and_safe_for_spreadsheets(make_client, db, team):
    project, manager, staff, *_ = team
    a = f.account(project, name="=HYPERLINK(\"http://evil\")", external_id="A-1", segment="大客户", by=staff)
    f.account(project, name="Peñalver", external_id="A-2", segment="Mayorista")
    f.interaction(project, a, at(2026, 9, 1, 8), by=staff, channel=Channel.CHAT, outcome="+1 回访")
    client = as_user(make_client, manager)
    client.get("/account?lang=es")
    rows = read_csv(client.get(f"/projects/{project.id}/crm/accounts.csv"))
    assert rows[0][:3] == ["Id. externo", "Nombre", "Segmento"]
    assert rows[1][:2] == ["A-1", "'=HYPERLINK(\"http://evil\")"]
    assert rows[1][-1] == "lucia@example.com"
    assert len(rows) == 3
    filtered = read_csv(client.get(f"/projects/{project.id}/crm/accounts.csv?segment=Mayorista"))
    assert [row[1] for row in filtered[1:]] == ["Peñalver"]
    interactions = read_csv(client.get(f"/projects/{project.id}/crm/interactions.csv"))
    header, row = interactions
    values = dict(zip(header, row, strict=True))
    assert (values["Cuenta (id. externo o nombre)"], values["Canal"], values["Resultado"], values["Fecha y hora"]) == (
        "A-1", "Chat", "'+1 回访", "2026-09-01 08:00:00+00:00")
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "crm.accounts.exported"))


@pytest.mark.real_db  # the import runs as jobs that commit on a connection of their own
def test_an_export_imports_back_unchanged(make_client, db, team):
    project, manager, staff, *_ = team
    a = f.account(project, name="华信", external_id="A-1")
    f.interaction(project, a, at(2026, 9, 1, 8), by=staff, channel=Channel.IN_PERSON, outcome="签约", external_id="I-1")
    f.case(project, a, at(2026, 9, 2), fcr=True, score=5, closed=at(2026, 9, 3), external_id="K-1")
    f.opportunity(project, a, at(2026, 8, 1).date(), OpportunityKind.UP_SELL, OpportunityStage.WON,
                  at(2026, 9, 1).date(), amount="1234.50", external_id="O-1")
    client = as_user(make_client, manager)
    client.get("/account?lang=zh")
    for kind in ("accounts", "interactions", "cases", "opportunities"):
        exported = client.get(f"/projects/{project.id}/crm/{kind}.csv").get_data()
        client.post(f"/projects/{project.id}/crm/import", data={"kind": kind, "file": (io.BytesIO(exported), "x.csv")},
                    content_type="multipart/form-data")
        from planner.crm.models import ImportJob

        db.session.expire_all()
        job = db.session.scalars(select(ImportJob).order_by(ImportJob.id.desc())).first()
        data = {f"col_{name}": str(index) for name, index in job.mapping.items() if not name.startswith("_")}
        data.update(day_first="1", decimal_comma="0")
        client.post(f"/projects/{project.id}/crm/import/{job.id}", data=data)
        db.session.expire_all()
        job = db.session.get(ImportJob, job.id)
        assert (job.rows_total, job.inserted, job.updated, job.unchanged, job.rows_bad) == (1, 0, 0, 1, 0), kind


# --------------------------------------------------------------------------- the KPI page


def test_the_kpi_page_shows_values_and_managers_set_baselines_and_targets(make_client, db, team):
    project, manager, staff, *_ = team
    account = f.account(project)
    today = datetime.now(UTC)
    f.interaction(project, account, today, by=staff, outcome="")
    f.interaction(project, account, today, by=staff, outcome="好")
    client = as_user(make_client, manager)
    page = client.get(f"/projects/{project.id}/kpis").get_data(as_text=True)
    assert "50.0%" in page and "1 of 2 interactions" in page
    assert page.count('class="plotly-chart') == 2  # adoption and closed-loop capture have data; the rest do not
    assert page.count("Not enough records yet to draw the weekly trend.") == 5
    response = client.post(f"/projects/{project.id}/kpis/closed_loop", data={
        "target": "80", "baseline_source": "manual", "baseline_value": "35,5", "baseline_as_of": "2026-06-01"},
        headers={"Accept-Language": "es"})
    page = response.get_data(as_text=True)
    assert response.status_code == 302, page
    setting = db.session.scalar(select(KpiSetting))
    assert (setting.target, setting.baseline_value) == (Decimal("0.8000"), Decimal("0.3550"))
    # Staff may read the page but not set anything.
    staff_client = as_user(make_client, staff)
    assert staff_client.get(f"/projects/{project.id}/kpis").status_code == 200
    assert staff_client.post(f"/projects/{project.id}/kpis/closed_loop", data={"target": "10"}).status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(KpiSetting.target)) == Decimal("0.8000")
    page = client.get(f"/projects/{project.id}/kpis").get_data(as_text=True)
    assert "Off target" in page  # 50 % against 80 %, baseline 35.5 %: below halfway (57.75 %)
