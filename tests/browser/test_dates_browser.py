"""Dates and times on screen, in Chromium: four-digit years everywhere, the UTC offset next to times
that a project manager and a sponsor in different zones compare, and a KPI exit criterion judged
only on the weeks inside its stage; in Chinese and English, at both widths."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from planner.auth.models import GlobalRole
from planner.dates import utc_today as today  # the KPIs' today (UTC), as before
from planner.rollout.models import StageStatus
from tests import rollout_factories as rf
from tests.key_pages import WIDTHS

ZONES = {"zh": "Asia/Shanghai", "en": "America/New_York"}
TWO_DIGIT_YEAR = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2}\b")


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("language", ["zh", "en"])
def test_gate_dates_have_four_digit_years_zones_and_only_weeks_inside_the_stage(
        page, live_server, make_user, make_project, add_member, browser_login, screenshot, language, width):
    zone = ZONES[language]
    manager = make_user(role=GlobalRole.MANAGER, language=language, timezone=zone)
    project = make_project(manager=manager)
    # The stage began on a Wednesday 17 days ago: the week it began in started before it.
    start = today() - timedelta(days=17)
    start -= timedelta(days=(start.weekday() - 2) % 7)
    gate = rf.stage(project, name="第一批", status=StageStatus.AWAITING_SIGNOFF, started=start, planned_start=start)
    rf.kpi_criterion(gate, weeks=3)
    asked = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=5)
    rf.request(gate, manager, when=asked)
    page.set_viewport_size(WIDTHS[width])
    browser_login(page, manager)
    page.goto(f"{live_server}/projects/{project.id}/rollout/stages/{gate.id}")

    # Only complete weeks that began on or after the stage's start are judged.
    weeks = page.locator(".kpi-week")
    last_sunday = today() - timedelta(days=(today().weekday() + 1) % 7)  # a Sunday's week is complete that day
    inside = [w for w in range(8) if start <= last_sunday - timedelta(days=6 + 7 * w)]
    expect(weeks).to_have_count(min(len(inside), 3))
    assert 1 <= len(inside) < 3  # fewer than the criterion asks: not met yet, and nothing before the start
    year = str(start.year)
    explanation = page.locator(".criterion-evidence p.small").first
    expect(explanation).to_contain_text(year)
    # The request time carries its zone: the same instant reads alike for a sponsor elsewhere.
    hours = int(asked.astimezone(ZoneInfo(zone)).utcoffset().total_seconds() // 3600)
    offset = f"UTC{'+' if hours > 0 else '−'}{abs(hours)}"  # UTC+8 in Shanghai, UTC−5 or UTC−4 in New York
    expect(page.locator("main")).to_contain_text(offset)
    text = page.locator("main").inner_text()
    assert not TWO_DIGIT_YEAR.search(text), TWO_DIGIT_YEAR.search(text).group(0)
    assert year in text
    screenshot(page, f"dates-gate-{language}-{width}")

    # The audit log: four-digit years and the zone on every line.
    page.goto(f"{live_server}/projects/{project.id}/audit")
    rows = page.locator("main table tbody tr")
    if rows.count():
        first = rows.first.inner_text()
        assert not TWO_DIGIT_YEAR.search(first) and "UTC" in first, first
