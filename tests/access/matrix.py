"""The permission matrix: every route × role → expected outcome.

Each feature adds a module ``tests/access/rules_<feature>.py`` with:

- ``RULES``: a list of ``Rule(endpoint, path, expect, method="GET", data=None, success=None)``;
  ``path`` is a format string filled from ``world.ids`` (``{project}``, ``{other_project}``, and
  whatever the module's ``setup`` adds);
- optionally ``setup(world)``: creates the feature's objects in project A (and, to test ids
  from another project, in project B) and records their ids in ``world.ids``.

``data`` is the form every role sends (a dict, or a function of the world returning one, for
forms that name ids). A write that a role may make must *succeed* for it: give real form data.
It must answer with a redirect (not to the sign-in page) and flash no error; ``success`` names the
page it redirects to (a path format string; the query is ignored, and a path ending in ``/`` matches
any page below it), or, for a write that answers with a page of its own (a one-time token, a
preview), the status code it answers with. A write whose success is signing out names ``/login``.

``test_matrix.py`` walks every rule for every role, each in a SAVEPOINT on one world built per
module; a refused request must leave every table as it was (rows and audit events). It fails for
any route of ``app.url_map`` that has no rule, so no route ships without its access rule.

Roles: ``anonymous``; ``outsider`` (signed in, member of project B only); ``staff``,
``sponsor`` and ``manager`` of project A; ``admin`` (global administrator, not a member).
"""

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

from planner.auth.models import GlobalRole
from tests import factories

ROLES = ("anonymous", "outsider", "staff", "sponsor", "manager", "admin")

OK = "ok"  # 2xx, or a redirect that is not to the sign-in page
LOGIN = "login"  # redirect to the sign-in page
UNAUTHORIZED = 401
FORBIDDEN = 403
NOT_FOUND = 404


def expect(anonymous=LOGIN, outsider=NOT_FOUND, staff=OK, sponsor=OK, manager=OK, admin=OK) -> dict:
    return {"anonymous": anonymous, "outsider": outsider, "staff": staff, "sponsor": sponsor,
            "manager": manager, "admin": admin}


# Common shapes of access.
PUBLIC = dict.fromkeys(ROLES, OK)
SIGNED_IN = expect(outsider=OK)
MEMBERS = expect()  # any member of the project, and administrators, can read
MANAGERS = expect(staff=FORBIDDEN, sponsor=FORBIDDEN, admin=FORBIDDEN)
MANAGERS_AND_ADMIN = expect(staff=FORBIDDEN, sponsor=FORBIDDEN)
SPONSORS = expect(staff=FORBIDDEN, manager=FORBIDDEN, admin=FORBIDDEN)
MEMBERS_ONLY = expect(admin=FORBIDDEN)  # members act; an administrator who is not a member may not
LEADS = expect(staff=FORBIDDEN)  # managers, sponsors and administrators read; staff do not (registry.LEADS)
ADMIN_ONLY = expect(outsider=FORBIDDEN, staff=FORBIDDEN, sponsor=FORBIDDEN, manager=FORBIDDEN)


def foreign(expectation: dict) -> dict:
    """An object id from project B under project A's URL: whoever may use the route gets 404."""
    return {role: NOT_FOUND if outcome == OK else outcome for role, outcome in expectation.items()}


@dataclass(frozen=True)
class Rule:
    endpoint: str
    path: str
    expect: dict
    method: str = "GET"
    data: dict | Callable[["World"], dict] | None = None
    success: str | int | None = None
    headers: dict | Callable[["World"], dict] | None = None  # API rules: e.g. If-Match

    def header_values(self, world) -> dict:
        headers = self.headers(world) if callable(self.headers) else self.headers
        return dict(headers or {})

    def url(self, world) -> str:
        return self.path.format(**world.ids)

    def form(self, world) -> dict:
        data = self.data(world) if callable(self.data) else self.data
        return dict(data or {})

    def success_url(self, world) -> str | None:
        return self.success.format(**world.ids) if isinstance(self.success, str) else None


@dataclass
class World:
    users: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)
    project: object = None
    other_project: object = None
    cookies: dict = field(default_factory=dict)  # role → session cookie, when signed in once for many tests
    state: dict = field(default_factory=dict)  # the database as built (tests.helpers.database_state)
    tokens: dict = field(default_factory=dict)  # role → API access token (rules_api.setup)

    def client(self, app, role):
        """A new test client signed in as ``role`` (anonymous: signed out)."""
        client = app.test_client()
        if role in self.cookies:
            name, value = self.cookies[role]
            client.set_cookie(name, value)
        elif self.users.get(role) is not None:
            factories_login(client, self.users[role])
        return client

    def api_client(self, app, role):
        """A test client for ``/api/``: no cookie, the role's bearer token (anonymous: none)."""
        client = app.test_client()
        token = self.tokens.get(role)
        if token:
            client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return client

    def sign_in_once(self, app) -> None:
        """Signs every role in and keeps its session cookie, for worlds that outlive one test."""
        name = app.config["SESSION_COOKIE_NAME"]
        for role, user in self.users.items():
            if user is not None:
                client = app.test_client()
                factories_login(client, user)
                self.cookies[role] = (name, client.get_cookie(name).value)


def factories_login(client, user):
    from tests.helpers import login

    return login(client, user)


def rule_modules():
    import tests.access as package

    return [
        importlib.import_module(f"tests.access.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
        if info.name.startswith("rules_")
    ]


def all_rules() -> list[Rule]:
    return [rule for module in rule_modules() for rule in module.RULES]


def build_world() -> World:
    world = World()
    manager = factories.make_user(email="manager@example.com", name="项目经理", role=GlobalRole.MANAGER)
    world.users = {
        "anonymous": None,
        "outsider": factories.make_user(email="outsider@example.com", name="外部人员"),
        "staff": factories.make_user(email="staff@example.com", name="员工"),
        "sponsor": factories.make_user(email="sponsor@example.com", name="发起人"),
        "manager": manager,
        "admin": factories.make_user(email="admin@example.com", name="管理员", role=GlobalRole.ADMIN),
    }
    project = factories.make_project(manager=manager, name="项目甲")
    other = factories.make_project(manager=world.users["outsider"], name="项目乙")
    staff_member = factories.add_member(project, world.users["staff"], team="客服")
    factories.add_member(project, world.users["sponsor"], sponsor=True)
    other_staff = factories.add_member(other, factories.make_user(email="other@example.com", name="乙方员工"))
    world.project, world.other_project = project, other
    world.ids.update(project=project.id, other_project=other.id, member=staff_member.id,
                     other_member=other_staff.id, admin_user=world.users["admin"].id)
    for module in rule_modules():
        setup = getattr(module, "setup", None)
        if setup is not None:
            setup(world)
    return world
