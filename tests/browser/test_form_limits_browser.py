"""The limits stated under number fields fit the form at 1366 and 390 px, in Chinese and Spanish
(three amount fields side by side on a wide screen). Screenshots go to test-artifacts/."""

import pytest
from playwright.sync_api import expect

from planner.extensions import db
from tests import tco_factories

SIZES = {"1366": {"width": 1366, "height": 900}, "390": {"width": 390, "height": 844}}


@pytest.mark.parametrize("language, limit", [("zh", "最多 999,999,999,999.99。"), ("es", "Hasta 999.999.999.999,99.")])
@pytest.mark.parametrize("width", ["1366", "390"])
def test_the_amount_limits_sit_under_their_fields(page, live_server, browser_login, screenshot, make_user,
                                                  make_project, language, limit, width):
    user = make_user(language=language)
    project = make_project(manager=user)
    scenario = tco_factories.make_scenario(db, project)
    page.set_viewport_size(SIZES[width])
    browser_login(page, user, language=language)
    page.goto(f"{live_server}/projects/{project.id}/tco/scenarios/{scenario.id}/costs/new?lang={language}")
    for name in ("year1", "year2", "year3"):
        help_text = page.locator(f"#{name}-help")
        expect(help_text).to_have_text(limit)
        field, below = page.locator(f"#{name}").bounding_box(), help_text.bounding_box()
        assert below["y"] >= field["y"] + field["height"]
        assert below["x"] + below["width"] <= field["x"] + field["width"] + 1
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[width]["width"]
    screenshot(page, f"form-limits-{language}-{width}")
