"""Our own export imports back as it is: for every kind of record and in each of the three languages,
the CSV the list's export button writes, uploaded to the import page of the same project, is proposed
its mapping from its own header names and checks as 0 to add, 0 to update, every row unchanged; its
other fields come back as other fields. The cells our export guards against spreadsheet formulas (a
phone starting with +, a purpose starting with =) lose the guard on the way back; times keep their
seconds (and a record saved with fractions of a second still compares equal); a record without an
external id is exported as "#<id>" and found again by that id (it still has no external id after)."""

import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from planner.crm.models import Channel, ImportJob, ImportStatus, OpportunityKind, OpportunityStage, RecordKind
from tests import crm_factories as f
from tests.helpers import login

pytestmark = pytest.mark.real_db


@pytest.fixture
def filled(make_user, make_project, add_member, client):
    manager = make_user(email="pm@example.com", name="Marta", timezone="Asia/Shanghai")
    project = make_project(manager=manager, currency="EUR")
    staff = make_user(email="lucia@example.com", name="Lucía")
    add_member(project, staff)
    when = datetime(2026, 3, 5, 9, 30, 15, 123456, tzinfo=UTC)
    others = {"Mailing Street": "Calle Mayor 12\nPortal B", "负责人": "王经理"}
    a1 = f.account(project, name="Distribuciones Peñalver", external_id="A-1", segment="Mayorista", industry="=Retail",
                   country="España", city="Logroño", by=staff, created=when, other_fields=others)
    a2 = f.account(project, name="华信家电", country="中国", city="上海")  # no external id: "#<id>"
    c1 = f.contact(project, a1, name="José Núñez", email="jose@example.com", phone="+34 600 000 000",
                   job_title="-Gerente-", external_id="P-1", by=staff, created=when, other_fields={"Notes": "VIP"})
    f.contact(project, None, name="王小明", phone="138 0013 8000")
    f.interaction(project, a1, datetime(2026, 3, 6, 10, 0, 5, tzinfo=UTC), outcome="@done", by=staff,
                  channel=Channel.IN_PERSON, purpose="=1+1", external_id="I-1", contact_id=c1.id,
                  other_fields={"Duration": "15 min"})
    f.interaction(project, a2, datetime(2026, 3, 7, 16, 45, tzinfo=UTC), outcome="", channel=Channel.CHAT,
                  )
    f.case(project, a1, datetime(2026, 3, 8, 8, 0, tzinfo=UTC), fcr=True, score=4,
           closed=datetime(2026, 3, 9, 18, 20, 59, tzinfo=UTC), external_id="K-1", contact_id=c1.id, subject="Pedido")
    f.case(project, a2, datetime(2026, 3, 10, 8, 0, tzinfo=UTC), subject="冰箱不制冷")
    f.opportunity(project, a1, datetime(2026, 1, 5).date(), kind=OpportunityKind.UP_SELL, stage=OpportunityStage.WON,
                  closed_on=datetime(2026, 2, 1).date(), amount="94930.76", external_id="O-1", by=staff,
                  other_fields={"Probability (%)": "100"})
    f.opportunity(project, a2, datetime(2026, 2, 5).date(), amount="0.50")
    login(client, manager)
    return project


@pytest.mark.parametrize("language", ["en", "es", "zh"])
@pytest.mark.parametrize("kind", list(RecordKind), ids=[kind.value for kind in RecordKind])
def test_an_export_imports_back_unchanged(client, db, filled, kind, language):
    project = filled
    client.get(f"/account?lang={language}")
    exported = client.get(f"/projects/{project.id}/crm/{kind.value}.csv")
    assert exported.status_code == 200
    data = exported.get_data()
    response = client.post(f"/projects/{project.id}/crm/import",
                           data={"kind": kind.value, "file": (io.BytesIO(data), f"{kind.value}.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    db.session.expire_all()
    job = db.session.scalars(select(ImportJob).order_by(ImportJob.id.desc())).first()
    mapping = {name: index for name, index in job.mapping.items() if not name.startswith("_")}
    used = set(mapping.values())
    others = [str(index) for index in range(len(job.headers)) if index not in used]
    form = {f"col_{name}": str(index) for name, index in mapping.items()}
    form.update(day_first=job.mapping["_day_first"], decimal_comma=job.mapping["_decimal_comma"], shown=others,
                keep=others)
    page = client.post(f"/projects/{project.id}/crm/import/{job.id}", data=form, follow_redirects=True)
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.status is ImportStatus.CHECKED, page.get_data(as_text=True)[-3000:]
    assert (job.inserted, job.updated, job.unchanged) == (0, 0, 2), (mapping, job.headers)
    # The import itself changes nothing either, and the records without an external id still have none.
    client.post(f"/projects/{project.id}/crm/import/{job.id}/run", follow_redirects=True)
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert (job.status, job.inserted, job.updated, job.unchanged) == (ImportStatus.IMPORTED, 0, 0, 2)
    model = kind.model
    assert db.session.scalar(select(func.count()).select_from(model).where(model.project_id == project.id,
                                                                             model.external_id.is_(None))) == 1
