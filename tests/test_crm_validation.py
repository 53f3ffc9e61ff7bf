"""The one rule for contacts' e-mail addresses and phones, shared by the contact form, the import and the
API: ``valid_email`` answers exactly as email-validator does (its fast path for plain ASCII addresses
included), and the form and the import refuse the same values."""

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.crm.fields import field_map
from planner.crm.imports.values import Bad, ReadOptions, parser
from planner.crm.models import RecordKind, valid_email, valid_phone


def library_says(value: str) -> bool:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


LOCAL = st.text(alphabet="abcXYZ019._%+-!#'", min_size=0, max_size=70)
DOMAIN = st.lists(st.text(alphabet="abz09-", min_size=0, max_size=66), min_size=1, max_size=4).map(".".join)
TLD = st.sampled_from(["com", "es", "cn", "c", "local", "test", "onion", "x1", "中国", "", "museum"])


@pytest.mark.no_app
@settings(max_examples=3000, deadline=None)
@given(LOCAL, DOMAIN, TLD)
def test_valid_email_answers_as_email_validator_does(local, domain, tld):
    value = f"{local}@{domain}.{tld}" if tld else f"{local}@{domain}"
    assert valid_email(value) == library_says(value), value


@pytest.mark.no_app
@pytest.mark.parametrize("value", ["ana.garcia@penalver.es", "josé@ejemplo.es", "张三@例子.中国", "a..b@x.com",
                                   "x@localhost", "zoe@@contoso", "li.wei@例子", "a@b.c", "name@host.local",
                                   "-lead@x.com", "a.@x.com", ".a@x.com", "a" * 65 + "@x.com"])
def test_known_addresses(value):
    assert valid_email(value) == library_says(value)


def test_the_form_and_the_import_refuse_the_same_values(app):
    from planner.crm.forms import ContactForm

    read_email = parser(field_map(RecordKind.CONTACTS)["email"], ReadOptions())
    read_phone = parser(field_map(RecordKind.CONTACTS)["phone"], ReadOptions())
    cases = [("jose@example.com", "+34 600 000 000"), ("maria@", "12"), ("li.wei@例子", "电话待补"),
             ("ok@example.cn", "138 0013 8000"), ("a..b@x.com", "(425) 555-0100")]
    for email, phone in cases:
        with app.test_request_context(method="POST", data={"name": "X", "email": email, "phone": phone}):
            form = ContactForm(meta={"csrf": False})
            form.validate()
        for field, read, rule, value in (("email", read_email, valid_email, email),
                                          ("phone", read_phone, valid_phone, phone)):
            try:
                read(value)
                imported = True
            except Bad:
                imported = False
            assert imported == (not form[field].errors) == rule(value), (field, value)
