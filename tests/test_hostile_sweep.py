"""The hostile-input sweep: every route of ``app.url_map`` that takes a form gets, field by field,
the boundary and hostile values of the field's type; every GET route gets them in the query
parameters it reads. Ids beyond 64 bits go into every id of every path.

For each answer: never a 5xx; a 4xx, or a form sent back with errors, speaks the reader's language
(Chinese here) and committed nothing. One project world per rules module (tests/access/rules_*.py),
which holds the objects each route needs and ids of another project; each (route, field) is swept
once, with the first role the access matrix lets through.
"""

import re
from collections import defaultdict
from urllib.parse import urlencode

import pytest
from flask import got_request_exception
from sqlalchemy import event
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FileField,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
)
from wtforms.csrf.core import CSRFTokenField

from planner.forms import BaseForm, LocaleDecimalField
from tests.access.matrix import OK, build_world, rule_modules
from tests.helpers import empty_tables, login

BIG_ID = str(2**63)
MEGABYTE = "长" * (1024 * 1024 // 3)  # about 1 MB of UTF-8
# Tables written on purpose while refusing a request: the session's last activity, rate counters.
# KPI snapshots are a cache of weekly figures, filled whenever a page needs them.
BOOKKEEPING = {"user_sessions", "rate_counters", "kpi_snapshots"}

TEXT = ["", "a\x00b", "\x07\x1b[31m\x7f", "\u202eevil.exe\u202c", "😀👍🏽家<script>'\"", "ｘ" * 5000]
NUMBER = ["1e309", "-0", "NaN", "99999999999999999999", BIG_ID, "²", "-1", "\x00"]
DATE = ["0001-01-01", "9999-12-31", "2026-02-30", "\x00"]
DATETIME = ["0001-01-01T00:00", "9999-12-31T23:59", "2026-02-30T10:00", "\x00"]
CHOICE = ["no-such-choice", BIG_ID, "-1", "a\x00b"]
QUERY = ["", "\x00", "-1", BIG_ID, "9999-12-31", "²", "99999999999999999999", "1e309", "\u202e😀", "'\"<>%",
         "ｘ" * 3000]
COMMON_QUERY = ("page", "after", "before", "sort", "q", "stage", "period", "view", "status", "lang")
CJK = re.compile(r"[\u4e00-\u9fff]")
INVALID_FEEDBACK = re.compile(r'class="invalid-feedback[^"]*">(.*?)</div>', re.S)
ALERTS = re.compile(r'class="alert alert-(?:danger|warning)[^"]*"[^>]*>(.*?)</div>', re.S)


# --------------------------------------------------------------------------- instruments


class Recorder:
    """Collects the forms a request builds and the query parameters it reads."""

    forms: list = []
    args: set = set()
    exceptions: list = []


class RecordingArgs(ImmutableMultiDict):
    def get(self, key, default=None, type=None):  # noqa: A002 - MultiDict's signature
        Recorder.args.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        Recorder.args.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        Recorder.args.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        Recorder.args.add(key)
        return super().__contains__(key)


class CommittedWrites:
    """Statements that changed a table and were committed, table by table."""

    def __init__(self, engine):
        self.engine, self.pending, self.committed = engine, [], []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._commit)
        event.listen(self.engine, "rollback", self._rollback)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._commit)
        event.remove(self.engine, "rollback", self._rollback)

    def _statement(self, _conn, _cursor, statement, *_args):
        match = re.match(r"\s*(INSERT INTO|UPDATE|DELETE FROM)\s+\"?(\w+)", statement, re.I)
        if match and match.group(2) not in BOOKKEEPING:
            self.pending.append(f"{match.group(1).split()[0].upper()} {match.group(2)}")

    def _commit(self, _conn):
        self.committed += self.pending
        self.pending = []

    def _rollback(self, _conn):
        self.pending = []

    def take(self) -> list:
        found, self.committed, self.pending = self.committed, [], []
        return found


@pytest.fixture
def instruments(app, db, monkeypatch):
    original_init = BaseForm.__init__

    def recording_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        Recorder.forms.append(self)

    monkeypatch.setattr(BaseForm, "__init__", recording_init)
    monkeypatch.setattr(app.request_class, "parameter_storage_class", RecordingArgs)
    # An exception becomes the 500 a visitor would get, and is noted for the report.
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    Recorder.exceptions = []

    def note(_sender, exception, **_extra):
        import traceback

        frames = traceback.extract_tb(exception.__traceback__)
        where = next((f"{f.filename.rsplit('/', 2)[-2]}/{f.filename.rsplit('/', 1)[-1]}:{f.lineno}"
                      for f in reversed(frames) if "/planner/" in f.filename), "?")
        Recorder.exceptions.append(f"{type(exception).__name__}: {str(exception)[:100]} at {where}")

    got_request_exception.connect(note, app)
    try:
        with CommittedWrites(db.engine) as writes:
            yield writes
    finally:
        got_request_exception.disconnect(note, app)


# --------------------------------------------------------------------------- values by field type


def kind_of(field) -> str | None:
    if isinstance(field, (SubmitField, CSRFTokenField, FileField)):
        return None
    if isinstance(field, (IntegerField, DecimalField, FloatField, LocaleDecimalField)):
        return "number"
    if isinstance(field, DateField):
        return "date"
    if type(field).__name__ == "LocalDateTimeField":
        return "datetime"
    if isinstance(field, (SelectField, RadioField, SelectMultipleField)):
        return "choice"
    if isinstance(field, BooleanField):
        return "boolean"
    if isinstance(field, HiddenField):
        return "hidden"
    return "text"


def values_for(field, world, first_of_its_kind=True) -> list:
    """Every hostile value for the first field of each kind in a form; the sharpest few for the
    others of the same kind (they go through the same code), to keep the sweep quick."""
    kind = kind_of(field)
    if kind is None:
        return []
    foreign = [str(world.ids[key]) for key in sorted(world.ids) if key.startswith(("foreign", "other"))][:2]
    full = {"number": NUMBER, "date": DATE, "datetime": DATETIME, "choice": CHOICE + foreign,
            "boolean": ["y", "\x00", "ｘ" * 5000], "hidden": ["", "-1", BIG_ID, "1e309", "\x00", "ｘ" * 5000],
            "text": TEXT}[kind]
    if first_of_its_kind:
        return full
    sharp = {"number": ["1e309", "99999999999999999999", "NaN"], "date": ["0001-01-01", "9999-12-31"],
             "datetime": ["9999-12-31T23:59"], "choice": ["no-such-choice", BIG_ID, *foreign[:1]],
             "boolean": ["\x00"], "hidden": ["\x00", BIG_ID], "text": ["a\x00b", "ｘ" * 5000]}[kind]
    return sharp


# --------------------------------------------------------------------------- checks


def role_for(rule) -> str | None:
    if all(outcome == OK for outcome in rule.expect.values()):
        return "anonymous"  # public routes (sign-in, the survey) are for people who are not signed in
    for role in ("manager", "admin", "sponsor", "staff", "outsider", "anonymous"):
        if rule.expect[role] == OK:
            return role
    return None


def signed_in_client(app, world, role):
    client = app.test_client()
    if world.users[role] is not None:
        login(client, world.users[role])
        world.users[role].language = "zh"
        from planner.extensions import db

        db.session.commit()
    else:
        client.get("/login?lang=zh")
    return client


def flashed_refusals(client) -> list:
    with client.session_transaction() as session:
        flashes = session.pop("_flashes", [])
    return [message for category, message in flashes if category in ("danger", "warning")]


def problems_with(response, client, writes, label) -> list[str]:
    """What is wrong with one answer (an empty list when it is all right)."""
    found = []
    status = response.status_code
    committed = writes.take()
    if status >= 500:
        exceptions, Recorder.exceptions = Recorder.exceptions, []
        return [f"{label}: {status} {'; '.join(exceptions)}"]
    html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
    refusals = flashed_refusals(client)
    errors = [re.sub(r"<[^>]+>|\s+", " ", text).strip() for text in INVALID_FEEDBACK.findall(html)]
    alerts = [re.sub(r"<[^>]+>|\s+", " ", text).strip() for text in ALERTS.findall(html)]
    refused = status >= 400 or bool(errors) or bool(refusals)
    if status >= 400 and html and not CJK.search(re.sub(r"<script.*?</script>", "", html, flags=re.S)):
        found.append(f"{label}: {status} page without a Chinese message")
    for text in [*errors, *alerts, *map(str, refusals)]:
        if text and not CJK.search(text):
            found.append(f"{label}: untranslated message {text[:120]!r}")
    if refused and committed:
        found.append(f"{label}: refused ({status}) but committed {sorted(set(committed))}")
    return found


def with_big_ids(path: str, world) -> list[str]:
    """The path with each of its ids replaced by 2^63 (each in turn)."""
    template_ids = re.findall(r"/(\d+)(?=/|$|\?)", path)
    paths = []
    for number in dict.fromkeys(template_ids):
        paths.append(re.sub(rf"/{number}(?=/|$|\?)", f"/{BIG_ID}", path, count=1))
    return paths


# --------------------------------------------------------------------------- the sweeps


def _module_ids():
    return [module.__name__.rsplit(".", 1)[-1] for module in rule_modules()]


def _module(name):
    return next(module for module in rule_modules() if module.__name__.endswith(name))


def _order(rule):
    # Routes that end something (delete, sign-out, close) last, so they do not take the others' objects.
    destructive = any(word in rule.endpoint for word in ("delete", "remove", "logout", "discard", "archive",
                                                           "end_other", "revoke"))
    return (rule.method != "GET", destructive)


@pytest.mark.parametrize("module_name", _module_ids())
def test_every_form_field_survives_hostile_values(module_name, app, db, instruments):
    writes = instruments
    empty_tables(db)
    world = build_world()
    writes.take()
    problems, swept = [], set()
    rules = sorted((r for r in _module(module_name).RULES if r.method == "POST"), key=_order)
    for rule in rules:
        role = role_for(rule)
        if role is None or rule.endpoint in swept:
            continue
        swept.add(rule.endpoint)
        client = signed_in_client(app, world, role)
        writes.take()
        url = rule.url(world)
        base = dict(rule.data or {})
        # Which form(s) does the route build? Look at the GET form when there is one, else the POST.
        Recorder.forms = []
        probe = client.get(url)
        if probe.status_code == 405 or not Recorder.forms:
            Recorder.forms = []
            probe = client.post(url, data={**base, "probe-only": "1"})
            problems += problems_with(probe, client, writes, f"POST {url} (probe)")
        writes.take()
        flashed_refusals(client)
        fields = {}
        for form in Recorder.forms:
            for field in form._fields.values():
                fields.setdefault(field.name, field)
        sent_megabyte, kinds = False, set()
        for name, field in fields.items():
            first = kind_of(field) not in kinds
            kinds.add(kind_of(field))
            for value in values_for(field, world, first):
                if value == TEXT[-1] and not sent_megabyte:
                    value, sent_megabyte = MEGABYTE, True
                data = {**base, name: [value] if isinstance(field, SelectMultipleField) else value}
                response = client.post(url, data=data)
                problems += problems_with(response, client, writes, f"POST {url} {name}={value[:20]!r}")
        for path in with_big_ids(url, world):
            response = client.post(path, data=base)
            if response.status_code != 404:
                problems.append(f"POST {path}: {response.status_code}, not 404")
            writes.take()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


@pytest.mark.parametrize("module_name", _module_ids())
def test_every_query_parameter_survives_hostile_values(module_name, app, db, instruments):
    writes = instruments
    empty_tables(db)
    world = build_world()
    writes.take()
    problems, swept = [], set()
    by_endpoint = defaultdict(list)
    for rule in _module(module_name).RULES:
        if rule.method == "GET" and role_for(rule) is not None:
            by_endpoint[rule.endpoint].append(rule)
    for endpoint, rules in by_endpoint.items():
        rule = rules[0]
        role = role_for(rule)
        client = signed_in_client(app, world, role)
        writes.take()
        url = rule.url(world)
        Recorder.args = set()
        probe = client.get(url)
        problems += problems_with(probe, client, writes, f"GET {url} (probe)")
        names = (Recorder.args | set(COMMON_QUERY[:1])) - {"lang"}
        swept.add(endpoint)
        separator = "&" if "?" in url else "?"
        first = True
        for name in sorted(names, key=lambda n: (n not in Recorder.args, n)):
            values, first = (QUERY if first and name in Recorder.args else QUERY[:6]), False
            for value in values:
                response = client.get(url + separator + urlencode({name: value}))
                problems += problems_with(response, client, writes, f"GET {url} {name}={value[:20]!r}")
        for path in with_big_ids(url, world):
            response = client.get(path)
            if response.status_code != 404:
                problems.append(f"GET {path}: {response.status_code}, not 404")
            writes.take()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])
