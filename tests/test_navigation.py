"""The project navigation: sections with a second level, built from the tab registry; each role
sees only what it may use, and the views refuse what the navigation hides."""

import re

import pytest

from planner.projects import registry
from planner.projects.models import ProjectRole
from tests.helpers import login

LEAD_ONLY = ("methodology.risk", "tco.index", "audit.project_log", "report.index")


def test_every_tab_has_a_section_except_the_overview(app):
    for tab in registry.tabs():
        assert (tab.section is None) == (tab.endpoint == "projects.overview"), tab.endpoint


def test_a_tab_hidden_from_a_role_is_refused_to_it_by_its_view(app):
    """Hiding is not access control: the roles a tab needs are the roles its view demands."""
    for tab in registry.tabs():
        view = app.view_functions[tab.endpoint]
        assert set(getattr(view, "project_roles", ())) == set(tab.roles), tab.endpoint
    for endpoint in LEAD_ONLY:
        assert set(app.view_functions[endpoint].project_roles) == {ProjectRole.MANAGER, ProjectRole.SPONSOR}


@pytest.fixture
def team(make_user, make_project, add_member):
    manager = make_user(name="经理", language="en")
    project = make_project(manager=manager, name="导航项目")
    staff, sponsor = make_user(name="员工", language="en"), make_user(name="发起人", language="en")
    add_member(project, staff)
    add_member(project, sponsor, sponsor=True)
    return {"manager": manager, "staff": staff, "sponsor": sponsor, "project": project}


def menu_links(html: str, pid: int) -> set[str]:
    """The pages the phone menu offers (it lists every tab the reader may use)."""
    menu = html.split('id="project-nav-menu"', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(rf'href="/projects/{pid}(/[^"]*)?"', menu))


@pytest.mark.parametrize("role, hidden, shown", [
    ("staff", {"/risk", "/tco", "/audit", "/report", "/settings"},
     {"", "/methodology", "/problems", "/rollout", "/change/tasks", "/change/quick-wins", "/kpis", "/feedback",
      "/members", "/exports"}),
    ("sponsor", {"/settings"}, {"", "/risk", "/tco", "/audit", "/report", "/members"}),
    ("manager", set(), {"", "/risk", "/tco", "/audit", "/report", "/settings"}),
])
def test_each_role_sees_only_what_it_can_use(client, team, role, hidden, shown):
    pid = team["project"].id
    login(client, team[role])
    links = menu_links(client.get(f"/projects/{pid}").get_data(as_text=True), pid)
    assert shown <= links and not (hidden & links), links
    for path in hidden - {"/settings"}:
        assert client.get(f"/projects/{pid}{path}").status_code == 403


def test_staff_get_no_settings_section_and_no_lead_panels_on_the_overview(client, team):
    pid = team["project"].id
    login(client, team["staff"])
    html = client.get(f"/projects/{pid}").get_data(as_text=True)
    assert 'data-section="settings"' not in html and 'data-section="plan"' in html
    assert 'id="panel-risk"' not in html and "Three-year TCO and ROI" not in html and 'id="project-health"' not in html


@pytest.mark.parametrize("language, section, tab", [("en", "Plan", "Seven sins"), ("zh", "计划", "七宗罪"),
                                                    ("es", "Plan", "Siete pecados")])
def test_the_navigation_says_where_you_are(client, team, language, section, tab):
    pid = team["project"].id
    login(client, team["manager"])
    html = client.get(f"/projects/{pid}/risk?lang={language}").get_data(as_text=True)
    button = html.split('class="project-nav-where', 1)[1].split("</span>\n      <span", 1)[0]
    assert section in button and tab in button
    assert re.search(r'class="nav-link text-nowrap active"[^>]*data-section="plan"', html)  # the section
    assert re.search(rf'href="/projects/{pid}/risk"\s+aria-current="page">{tab}<', html)  # the tab
    subtabs = html.split('class="nav project-subtabs"', 1)[1].split("</ul>", 1)[0]
    assert subtabs.count("<li") == 4  # walk-through, key problems, seven sins, TCO


def test_a_page_below_a_tab_keeps_its_tab_current(client, team):
    pid = team["project"].id
    login(client, team["manager"])
    html = client.get(f"/projects/{pid}/tco/scenarios/new").get_data(as_text=True)
    assert re.search(rf'href="/projects/{pid}/tco"\s+aria-current="page"', html)
