"""Schemathesis over the whole OpenAPI document, against the app served on a real port (the live
server, on SQLite or PostgreSQL as the suite runs): for every operation, generated valid and invalid
requests, each answered without a 5xx and as the document says (status, media type, body schema).

Bounded so it takes a minute or two: ``API_FUZZ_EXAMPLES`` examples per operation and mode (6 by
default). Half the requests name a real project and record, so they reach the data, not only 404s."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from planner.auth import tokens
from planner.auth.models import TokenScope
from planner.extensions import db
from tests.access.rules_crm import _records

pytestmark = pytest.mark.real_db

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "6"))
CHECKS = [not_a_server_error, response_schema_conformance]


def test_every_operation_answers_as_documented(live_server, app, monkeypatch, make_user, make_project, add_member):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", 10**9)
    manager = make_user(name="接口经理")
    project = make_project(manager=manager, name="接口项目")
    add_member(project, make_user(name="接口员工"))
    known = {f"{kind}": record_id for kind, record_id in _records(project, manager, "测").items()}
    db.session.commit()
    secret = tokens.create(manager, "schemathesis", TokenScope.WRITE, 1)[1]
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}

    schema = schemathesis.openapi.from_url(f"{live_server}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    failures = []
    for operation in operations:
        names = {parameter.name for parameter in operation.path_parameters}
        real = {"project_id": project.id} if "project_id" in names else {}
        if "record_id" in names:
            real["record_id"] = known[operation.path.split("/crm/")[1].split("/")[0]]
        strategies = [operation.as_strategy(mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
        if real:
            strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real))

        @settings(max_examples=EXAMPLES * len(strategies), deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=st.one_of(strategies))
        def run(case):
            response = case.call(base_url=live_server, headers=headers, timeout=30)
            case.validate_response(response, checks=CHECKS)

        try:
            run()
        except Exception as error:  # noqa: BLE001 - collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert not failures, "\n\n".join(failures)
