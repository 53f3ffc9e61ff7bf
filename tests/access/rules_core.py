"""Access rules for the foundation: home, health, assets, sign-in, account, administration,
projects, members and the audit log."""

from tests.access.matrix import (
    ADMIN_ONLY,
    FORBIDDEN,
    LEADS,
    LOGIN,
    MANAGERS_AND_ADMIN,
    MEMBERS,
    OK,
    PUBLIC,
    SIGNED_IN,
    Rule,
    expect,
    foreign,
)
from tests.factories import PASSWORD

CREATORS = expect(outsider=FORBIDDEN, staff=FORBIDDEN, sponsor=FORBIDDEN)
EVERYONE_LOGOUT = dict.fromkeys(PUBLIC, LOGIN)  # sign-out always lands on the sign-in page

# Forms that succeed (the matrix requires an allowed write to redirect without an error).
SIGN_IN = {"email": "staff@example.com", "password": PASSWORD}
PROFILE = {"profile-name": "改名的用户", "profile-language": "zh", "profile-timezone": "Asia/Shanghai",
           "profile-submit": "y"}
NEW_PASSWORD = "春天的早晨喝一杯热茶 2027"
PASSWORD_CHANGE = {"password-current_password": PASSWORD, "password-new_password": NEW_PASSWORD,
                   "password-confirm": NEW_PASSWORD}
NEW_USER = {"email": "new.user@example.com", "name": "新同事", "role": "user", "language": "zh", "timezone": "UTC",
            "password": NEW_PASSWORD}
SELF_EDIT = {"name": "管理员", "role": "admin", "language": "", "timezone": "UTC", "active": "y"}
PROJECT = {"name": "新的实施项目", "description": "项目说明", "vision": "客户信息集中管理", "business_areas": ["sales"],
           "currency": "CNY"}
NEW_MEMBER = {"email": "other@example.com", "team": "销售"}

RULES = [
    Rule("main.home", "/", SIGNED_IN | {"outsider": OK}),
    Rule("main.healthz", "/healthz", PUBLIC),
    Rule("main.plotly_locale", "/i18n/plotly-zh.js", PUBLIC),
    Rule("auth.login", "/login", PUBLIC),
    Rule("auth.login", "/login", PUBLIC, method="POST", data=SIGN_IN),
    Rule("auth.logout", "/logout", EVERYONE_LOGOUT, method="POST", success="/login"),
    Rule("auth.account", "/account", SIGNED_IN),
    Rule("auth.account", "/account", SIGNED_IN, method="POST", data=PROFILE, success="/account"),
    Rule("auth.change_password", "/account/password", SIGNED_IN, method="POST", data=PASSWORD_CHANGE,
         success="/account"),
    Rule("auth.end_other_sessions", "/account/sessions/end-others", SIGNED_IN, method="POST"),
    Rule("admin.users", "/admin/users", ADMIN_ONLY),
    Rule("admin.create_user", "/admin/users/new", ADMIN_ONLY),
    Rule("admin.create_user", "/admin/users/new", ADMIN_ONLY, method="POST", data=NEW_USER,
         success="/admin/users"),
    Rule("admin.edit_user", "/admin/users/{admin_user}", ADMIN_ONLY),
    Rule("admin.edit_user", "/admin/users/{admin_user}", ADMIN_ONLY, method="POST", data=SELF_EDIT,
         success="/admin/users"),
    Rule("audit.admin_log", "/admin/audit", ADMIN_ONLY),
    Rule("audit.project_log", "/projects/{project}/audit", LEADS),
    Rule("projects.index", "/projects", SIGNED_IN),
    Rule("projects.create", "/projects/new", CREATORS),
    Rule("projects.create", "/projects/new", CREATORS, method="POST", data=PROJECT),
    Rule("projects.overview", "/projects/{project}", MEMBERS),
    Rule("projects.settings", "/projects/{project}/settings", MANAGERS_AND_ADMIN),
    Rule("projects.settings", "/projects/{project}/settings", MANAGERS_AND_ADMIN, method="POST"),
    Rule("projects.archive", "/projects/{project}/archive", MANAGERS_AND_ADMIN, method="POST"),
    Rule("projects.restore", "/projects/{project}/restore", MANAGERS_AND_ADMIN, method="POST"),
    Rule("projects.members", "/projects/{project}/members", MEMBERS),
    Rule("projects.members", "/projects/{project}/members", MANAGERS_AND_ADMIN, method="POST", data=NEW_MEMBER),
    Rule("projects.update_member", "/projects/{project}/members/{member}", MANAGERS_AND_ADMIN, method="POST"),
    Rule("projects.update_member", "/projects/{project}/members/{other_member}", foreign(MANAGERS_AND_ADMIN),
         method="POST"),
    Rule("projects.remove_member", "/projects/{project}/members/{member}/remove", MANAGERS_AND_ADMIN,
         method="POST"),
    Rule("projects.remove_member", "/projects/{project}/members/{other_member}/remove", foreign(MANAGERS_AND_ADMIN),
         method="POST"),
]
