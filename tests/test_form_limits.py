"""Every number and long text of every form states its limit on the page, in the reader's language
and number format (planner.forms.stated_limit, rendered by templates/_macros.html)."""

import html as htmlmod
import re

import pytest
from wtforms import IntegerField, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.meta import DefaultMeta

from planner.forms import LocaleDecimalField, stated_limit
from tests import tco_factories
from tests.helpers import login
from tests.test_hostile_input import _form_classes


def help_text(page: str, name: str) -> str:
    """The text under a field (its description and limit), whitespace collapsed."""
    match = re.search(rf'<div id="{name}-help" class="form-text">(.*?)</div>', page, re.S)
    assert match, f"no help text for {name}"
    return htmlmod.unescape(re.sub(r"<[^>]+>", "", match.group(1)))


@pytest.fixture
def setup(db, make_user, make_project):
    def build(language, region=None):
        user = make_user(language=language)
        if region:
            user.region = region
            db.session.commit()
        project = make_project(manager=user)
        scenario = tco_factories.make_scenario(db, project)
        return user, project, scenario
    return build


@pytest.mark.parametrize(("language", "region", "amount", "percent"), [
    ("en", None, "Up to 999,999,999,999.99.", "From 0 to 100."),
    ("zh", None, "最多 999,999,999,999.99。", "取值范围为 0 至 100。"),
    ("es", "es_ES", "Hasta 999.999.999.999,99.", "De 0 a 100."),
])
def test_amounts_and_rates_state_their_range_in_the_form(client, setup, language, region, amount, percent):
    user, project, scenario = setup(language, region)
    login(client, user)
    page = client.get(f"/projects/{project.id}/tco/scenarios/{scenario.id}/costs/new").get_data(as_text=True)
    for name in ("year1", "year2", "year3"):
        assert help_text(page, name) == amount
    page = client.get(f"/projects/{project.id}/tco/scenarios/{scenario.id}/edit").get_data(as_text=True)
    assert help_text(page, "discount_rate").endswith(percent)
    assert 'aria-describedby="discount_rate-help"' in page


@pytest.mark.parametrize(("language", "target", "words"), [
    ("en", "From 0 to 100.", "Up to 500 characters."),
    ("zh", "取值范围为 0 至 100。", "最多 500 个字符。"),
])
def test_kpi_targets_and_notes_state_their_limits(client, setup, language, target, words):
    user, project, _scenario = setup(language)
    login(client, user)
    page = client.get(f"/projects/{project.id}/kpis/first_contact_resolution").get_data(as_text=True)
    assert help_text(page, "target").endswith(target)
    assert help_text(page, "baseline_value").endswith(target)
    assert 'maxlength="500"' in re.search(r'<input[^>]*name="note"[^>]*>', page).group(0)


@pytest.mark.parametrize(("language", "answers", "characters"), [
    ("en", "From 1 to 100,000.", "Up to 4,000 characters."),
    ("zh", "取值范围为 1 至 100,000。", "最多 4,000 个字符。"),
])
def test_whole_numbers_and_long_texts_state_their_limits(client, setup, language, answers, characters):
    user, project, _scenario = setup(language)
    login(client, user)
    page = client.get(f"/projects/{project.id}/change/tasks/new").get_data(as_text=True)
    assert help_text(page, "description") == characters
    textarea = re.search(r'<textarea[^>]*name="description"[^>]*>', page).group(0)
    assert 'maxlength="4000"' in textarea and 'aria-describedby="description-help"' in textarea
    page = client.get(f"/projects/{project.id}/feedback/links").get_data(as_text=True)
    assert help_text(page, "max_answers").endswith(answers)
    number_input = re.search(r'<input[^>]*name="max_answers"[^>]*>', page).group(0)
    assert 'min="1"' in number_input and 'max="100000"' in number_input


def test_every_number_and_long_text_of_every_form_states_a_limit(app):
    missing = []
    with app.test_request_context():
        for cls in _form_classes():
            for name in dir(cls):
                unbound = getattr(cls, name, None)
                if not isinstance(unbound, UnboundField) or not issubclass(
                        unbound.field_class, (LocaleDecimalField, IntegerField, TextAreaField)):
                    continue
                field = unbound.bind(form=None, name=name, _meta=DefaultMeta())
                if isinstance(field, LocaleDecimalField) and not field.state_range:
                    # The range depends on another field (the KPI): the description says both.
                    assert "0" in str(field.description) and "5" in str(field.description), name
                    continue
                if not stated_limit(field):
                    missing.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert not missing, "\n".join(sorted(missing))
