"""The import's fast paths store exactly what the general ones would: references remembered across
chunks, rows of different shapes in one chunk, values converted for the driver without SQLAlchemy's
per-value processors, lookups planned the same way whatever SQLite's statistics say."""

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select, text
from sqlalchemy.dialects import postgresql, sqlite

from planner.crm import imports as importer
from planner.crm.fields import propose_mapping
from planner.crm.imports import importer as importer_module
from planner.crm.imports.checks import other_columns
from planner.crm.imports.references import References
from planner.crm.imports.writing import TARGETS, bind_converter
from planner.crm.models import Channel, Contact, Interaction, RecordKind
from tests import crm_factories as f

DIALECTS = (sqlite.dialect(), postgresql.dialect())
CONVERTED = [(table, column) for model in TARGETS.values() for table in [model.__table__] for column in table.c
             if any(column.type.dialect_impl(d).bind_processor(d) for d in DIALECTS)]


def sqlalchemy_value(column, dialect, value):
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    return process(value) if process else value


def sample_values(column):
    """Values of the column's type as an import produces them (and a few it does not)."""
    name = type(column.type).__name__
    if name == "UTCDateTime":
        zones = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))])
        moments = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))
        return st.one_of(st.none(), st.builds(lambda moment, zone: moment.replace(tzinfo=zone), moments, zones))
    if name == "Enum":
        return st.one_of(st.none(), st.sampled_from(list(column.type.enum_class)),
                         st.sampled_from([member.value for member in column.type.enum_class]))
    if name == "Boolean":
        return st.one_of(st.none(), st.booleans())
    if name == "Numeric":
        return st.one_of(st.none(), st.decimals(min_value=0, max_value=10**11, places=2, allow_nan=False))
    if name == "Date":
        return st.one_of(st.none(), st.dates())
    if name == "JSON":
        return st.one_of(st.none(), st.dictionaries(st.text(max_size=20), st.text(max_size=40), max_size=4))
    raise AssertionError(f"no sample values for {column}")


@pytest.mark.parametrize(("table", "column"), CONVERTED, ids=lambda item: getattr(item, "name", str(item)))
@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda dialect: dialect.name)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_each_value_goes_to_the_driver_as_sqlalchemy_would_send_it(table, column, dialect, data):
    value = data.draw(sample_values(column))
    convert = bind_converter(column, dialect) or (lambda same: same)  # None: the value as it is
    assert comparable(convert(value)) == comparable(sqlalchemy_value(column, dialect, value))


def comparable(sent):
    """psycopg's JSON wrapper compares by identity: its object and dumper instead."""
    return (type(sent), sent.obj, sent.dumps) if hasattr(sent, "obj") else (type(sent), sent)


def test_a_utc_time_on_sqlite_is_the_text_sqlalchemy_writes():
    column = Interaction.__table__.c.occurred_at
    convert = bind_converter(column, sqlite.dialect())
    assert convert(datetime(2026, 3, 5, 14, 22, tzinfo=UTC)) == "2026-03-05 14:22:00.000000"
    assert convert(datetime(2026, 3, 5, 8, 0, 7, 1500, tzinfo=timezone(timedelta(hours=8)))) == \
        "2026-03-05 00:00:07.001500"
    assert convert(datetime(987, 1, 2, tzinfo=UTC)) == sqlalchemy_value(column, sqlite.dialect(),
                                                                          datetime(987, 1, 2, tzinfo=UTC))
    with pytest.raises(ValueError, match="naive"):
        convert(datetime(2026, 3, 5))


def write_csv(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_import(project, kind, path, write=True, user=None):
    info = importer.inspect_file(path)
    mapping = propose_mapping(kind, info.headers)
    problems = []
    outcome = importer.Importer(project, kind, path, info, mapping, on_problem=problems.append, user=user
                                ).run(write=write)
    return outcome, problems


def test_references_remembered_across_chunks_resolve_as_the_database_says(db, make_project, make_user, add_member,
                                                                         tmp_path, monkeypatch):
    monkeypatch.setattr(importer_module, "CHUNK", 3)  # every few rows a new chunk: most references seen before
    project, other = make_project(), make_project()
    staff = make_user(email="Ana.Ruiz@example.com")
    add_member(project, staff)
    first, second = f.account(project, external_id="A-1"), f.account(project, name="Ferretería Núñez")
    f.account(project, name="Twins"), f.account(project, name="Twins")
    f.account(other, external_id="A-9")  # another project's: unknown here
    lines = ["Interaction ID,Account,Date,Channel,Subject,Created by"]
    refs = ["A-1", "Ferretería Núñez", "A-1", "A-9", "Twins", "A-1", "Ferretería Núñez", "A-9", "Twins", "A-1",
            f"#{first.id}"]
    for n, ref in enumerate(refs):
        lines.append(f"I-{n},{ref},2026-03-{n + 1:02d} 10:00,Phone,Visit {n},ana.ruiz@EXAMPLE.com")
    path = write_csv(tmp_path, "interactions.csv", lines)
    outcome, problems = run_import(project, RecordKind.INTERACTIONS, path, write=False)
    assert [(p.line, p.code) for p in problems] == [(5, "unknown_account"), (6, "ambiguous_account"),
                                                    (9, "unknown_account"), (10, "ambiguous_account")]
    assert (outcome.rows, outcome.bad_rows, outcome.inserted) == (11, 4, 7)

    good = [line for n, line in enumerate(lines) if n == 0 or refs[n - 1] not in ("A-9", "Twins")]
    path = write_csv(tmp_path, "good.csv", good)
    outcome, problems = run_import(project, RecordKind.INTERACTIONS, path)
    assert not problems and outcome.inserted == 7
    stored = db.session.execute(select(Interaction.external_id, Interaction.account_id, Interaction.captured_by_id)
                                .where(Interaction.project_id == project.id).order_by(Interaction.id)).all()
    expected = {"A-1": first.id, "Ferretería Núñez": second.id, f"#{first.id}": first.id}
    assert stored == [(f"I-{n}", expected[ref], staff.id) for n, ref in enumerate(refs) if ref in expected]
    again, problems = run_import(project, RecordKind.INTERACTIONS, path)
    assert not problems and (again.inserted, again.updated, again.unchanged) == (0, 0, 7)


def test_rows_of_different_shapes_in_one_chunk_are_stored_in_file_order(db, make_project, tmp_path):
    project = make_project()
    f.account(project, external_id="A-1")
    path = write_csv(tmp_path, "contacts.csv", [
        "Id,Account,First name,Last name,E-mail,Created",
        "C-1,A-1,Ana,García,ana@example.com,2025-02-03 09:30",
        "C-2,,Wei,,,",
        "C-3,A-1,小明,王,,2024-12-31 23:59",
        "C-4,,Lucía,Pérez,lucia@example.com,",
    ])
    started = datetime.now(UTC).replace(microsecond=0)
    outcome, problems = run_import(project, RecordKind.CONTACTS, path)
    assert not problems and outcome.inserted == 4
    db.session.expire_all()
    stored = db.session.scalars(select(Contact).where(Contact.project_id == project.id).order_by(Contact.id)).all()
    assert [(c.external_id, c.name, c.email, c.reachable) for c in stored] == [
        ("C-1", "Ana García", "ana@example.com", True), ("C-2", "Wei", "", False), ("C-3", "王小明", "", False),
        ("C-4", "Lucía Pérez", "lucia@example.com", True)]
    assert stored[0].created_at == datetime(2025, 2, 3, 9, 30, tzinfo=UTC)
    assert stored[2].created_at == datetime(2024, 12, 31, 23, 59, tzinfo=UTC)
    assert stored[1].created_at >= started and stored[3].created_at >= started  # no date: the moment of the import
    assert stored[0].account_id == stored[2].account_id is not None and stored[1].account_id is None
    again, problems = run_import(project, RecordKind.CONTACTS, path)
    assert not problems and (again.inserted, again.updated, again.unchanged) == (0, 0, 4)


def test_every_character_and_value_is_stored_as_read(db, make_project, make_user, add_member, tmp_path):
    project = make_project()
    staff = make_user(email="li@example.com")
    add_member(project, staff)
    f.account(project, external_id="A-1")
    path = write_csv(tmp_path, "interactions.csv", [
        "Interaction ID,Account ID,Date,Channel,Subject,Outcome,Created by,Región,Nota",
        "I-1,A-1,2026-03-05 14:22,微信,\"售后报修, 二次\",Resuelto ✓,li@example.com,Cataluña,\"línea 1\nlínea 2\"",
        "I-2,A-1,05/03/2026 08:00,Teléfono,  Consulta  ,,,, ",
    ])
    info = importer.inspect_file(path)
    mapping = propose_mapping(RecordKind.INTERACTIONS, info.headers)
    others = other_columns(info.headers, mapping)
    outcome = importer.Importer(project, RecordKind.INTERACTIONS, path, info, mapping, others=others,
                                timezone="Asia/Shanghai").run(write=True)
    assert outcome.inserted == 2
    db.session.expire_all()
    one, two = db.session.scalars(select(Interaction).where(Interaction.project_id == project.id)
                                  .order_by(Interaction.id)).all()
    assert (one.occurred_at, one.channel, one.purpose, one.outcome, one.captured_by_id) == (
        datetime(2026, 3, 5, 6, 22, tzinfo=UTC), Channel.CHAT, "售后报修, 二次", "Resuelto ✓", staff.id)
    assert one.other_fields == {"Región": "Cataluña", "Nota": "línea 1\nlínea 2"}
    assert (two.occurred_at, two.channel, two.purpose, two.outcome, two.captured_by_id, two.other_fields) == (
        datetime(2026, 3, 5, 0, 0, tzinfo=UTC), Channel.PHONE, "Consulta", "", None, None)
    # What SQLite holds is the text SQLAlchemy itself would have written.
    if db.engine.dialect.name == "sqlite":
        raw = db.session.execute(text("SELECT occurred_at, channel, other_fields FROM crm_interactions "
                                      "WHERE id = :id"), {"id": one.id}).one()
        assert raw[0] == "2026-03-05 06:22:00.000000" and raw[1] == "chat"
        assert json.loads(raw[2]) == one.other_fields


@pytest.mark.parametrize("statistics", ["as analysed", "none for the newer indexes", "none at all"])
def test_the_lookups_search_the_unique_index_whatever_the_statistics(db, make_project, tmp_path, statistics):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the plans of SQLite's query planner")
    project = make_project()
    for n in range(30):
        f.account(project, external_id=f"A-{n}")
    db.session.execute(text("ANALYZE"))
    if statistics != "as analysed":
        where = "" if statistics == "none at all" else " WHERE idx LIKE '%keyset' OR idx LIKE '%updated'"
        db.session.execute(text("DELETE FROM sqlite_stat1" + where))  # noqa: S608 - fixed texts
    db.session.execute(text("ANALYZE sqlite_schema"))  # the planner reads the statistics again
    plans = []
    listener = lambda conn, cursor, statement, params, context, many: plans.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        path = write_csv(tmp_path, "i.csv", ["Interaction ID,Account ID,Date,Channel,Subject"]
                         + [f"I-{n},A-{n % 30},2026-01-0{n % 9 + 1},Phone,x" for n in range(40)])
        outcome, problems = run_import(project, RecordKind.INTERACTIONS, path, write=False)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert not problems and outcome.rows == 40
    lookups = [statement for statement in plans if "IN (SELECT" in statement]
    assert len(lookups) == 2  # the accounts, and the interactions already there
    tables = References(project, {})
    tables.open()  # the chunk's table, as during the import
    try:
        for statement in lookups:
            plan = " | ".join(row[3] for row in db.session.connection().exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, (project.id,)))
            searched = plan.split(" | ")[0]  # the records: searched in the unique index (project, external id)
            assert "INDEX sqlite_autoindex_crm_" in searched and "(project_id=? AND external_id=?)" in searched, plan
            assert "SCAN crm_import_chunk" in plan and "BLOOM" not in plan, plan
    finally:
        tables.close()


def test_the_api_upsert_keeps_each_records_own_fields(db, make_project, make_user):
    from planner.api.records import upsert

    project = make_project()
    account = f.account(project, external_id="A-1")
    actor = make_user()
    outcome = upsert(project, RecordKind.CONTACTS, [
        {"external_id": "C-1", "name": "Ana", "account": "A-1"},
        {"external_id": "C-2", "name": "Wei"},
        {"external_id": "C-3", "name": "Lucía", "account": "A-1", "email": "lucia@example.com"},
    ], actor)
    assert (outcome.inserted, outcome.updated) == (3, 0)
    stored = dict(db.session.execute(select(Contact.external_id, Contact.account_id)
                                     .where(Contact.project_id == project.id)).all())
    assert stored == {"C-1": account.id, "C-2": None, "C-3": account.id}


def test_the_values_of_an_opportunity_reach_the_database_unchanged(db, make_project, tmp_path):
    project = make_project()
    f.account(project, external_id="A-1")
    path = write_csv(tmp_path, "deals.csv", [
        "Deal ID,Account ID,Deal name,Amount,Stage,Created,Close date,Type",
        "D-1,A-1,Renovación,\"12,500.75\",Won,2026-01-10,2026-02-01,New business",
        "D-2,A-1,扩容,300,Prospecting,2026-02-10,,New business",
    ])
    outcome, problems = run_import(project, RecordKind.OPPORTUNITIES, path)
    assert not problems, problems
    assert outcome.inserted == 2
    from planner.crm.models import Opportunity

    db.session.expire_all()
    one, two = db.session.scalars(select(Opportunity).where(Opportunity.project_id == project.id)
                                  .order_by(Opportunity.id)).all()
    assert (one.amount, one.opened_on, one.closed_on) == (Decimal("12500.75"), date(2026, 1, 10), date(2026, 2, 1))
    assert (two.amount, two.closed_on, two.stage.is_closed) == (Decimal("300.00"), None, False)
