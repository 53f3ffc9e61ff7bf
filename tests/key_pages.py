"""The key pages of the product, on the demo data, as each role reaches them.

Shared by the accessibility and page-weight browser tests and by ``make bench`` (largest
contentful paint), so all three look at the same pages. ``pages(ctx, language)`` takes the
context returned by ``planner.demo.load()`` and gives (name, user e-mail, path) for the project
in that language.
"""

from dataclasses import dataclass

from sqlalchemy import select

from planner.extensions import db

DEMO_PASSWORD = "rollout-demo"  # noqa: S105 - the documented demo password
MANAGER = "pm@example.com"
SPONSOR = "sponsor@example.com"
STAFF = "staff@example.com"
ADMIN = "admin@example.com"

# Pages that draw Plotly charts (their weight budget is CHART_PAGE_BUDGET, not PAGE_BUDGET).
CHART_PAGES = {"rollout", "gate", "risk", "kpis", "tco", "tco_actuals", "feedback_results"}
PAGE_BUDGET = 300 * 1024  # bytes transferred, cold cache
CHART_PAGE_BUDGET = 650 * 1024  # the same, with the Plotly bundle (about 400 KB compressed)
# The two viewports every browser test looks at.
WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@dataclass(frozen=True)
class KeyPage:
    name: str
    user: str | None  # e-mail of the demo account that opens it; None: signed out
    path: str

    @property
    def has_charts(self) -> bool:
        return self.name in CHART_PAGES


def pages(ctx, language: str) -> list[KeyPage]:
    from planner.rollout.models import Stage
    from planner.webhooks.models import WebhookEndpoint

    project = ctx.projects[language]
    p = f"/projects/{project.id}"
    stage = db.session.scalar(select(Stage.id).where(Stage.project_id == project.id).order_by(Stage.position))
    endpoint = db.session.scalar(select(WebhookEndpoint.id).where(WebhookEndpoint.project_id == project.id)
                                 .order_by(WebhookEndpoint.id))
    return [
        KeyPage("login", None, "/login"),
        KeyPage("projects", MANAGER, "/projects"),
        KeyPage("dashboard", SPONSOR, "/dashboard"),
        KeyPage("overview", MANAGER, p),
        KeyPage("methodology", MANAGER, f"{p}/methodology"),
        KeyPage("risk", MANAGER, f"{p}/risk"),
        KeyPage("assess", MANAGER, f"{p}/risk/new"),
        KeyPage("rollout", MANAGER, f"{p}/rollout"),
        KeyPage("gate", MANAGER, f"{p}/rollout/stages/{stage}"),
        KeyPage("conditions", MANAGER, f"{p}/conditions"),
        KeyPage("signoffs", SPONSOR, "/rollout/sign-offs"),
        KeyPage("tasks", MANAGER, f"{p}/change/tasks"),
        KeyPage("kpis", MANAGER, f"{p}/kpis"),
        KeyPage("tco", MANAGER, f"{p}/tco"),
        KeyPage("tco_actuals", SPONSOR, f"{p}/tco/actuals"),
        KeyPage("feedback_results", MANAGER, f"{p}/feedback/results"),
        KeyPage("give_feedback", STAFF, f"{p}/feedback/give"),
        KeyPage("accounts", MANAGER, f"{p}/crm/accounts"),
        KeyPage("report", SPONSOR, f"{p}/report"),
        KeyPage("members", MANAGER, f"{p}/members"),
        KeyPage("webhook", MANAGER, f"{p}/webhooks/{endpoint}"),
        KeyPage("notifications", SPONSOR, "/notifications"),
        KeyPage("notification_settings", STAFF, "/notifications/settings"),
        KeyPage("outbox", ADMIN, "/admin/outbox"),
    ]


def sign_in(page, base_url: str, email: str, language: str) -> None:
    page.goto(f"{base_url}/login?lang={language}")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def visits(page, base_url: str, ctx, language: str):
    """Each key page at each width, signed in as the account that opens it: yields (key page, width
    name) with the viewport already set; the caller opens the page."""
    signed_in = None
    for key_page in pages(ctx, language):
        if key_page.user != signed_in:
            page.context.clear_cookies()
            if key_page.user:
                sign_in(page, base_url, key_page.user, language)
            signed_in = key_page.user
        for width, size in WIDTHS.items():
            page.set_viewport_size(size)
            yield key_page, width
