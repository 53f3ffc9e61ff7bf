"""Access rules for the JSON API (``/api/v1/``): the same roles as the web pages, through personal
access tokens (``World.api_client``: no cookie, the role's bearer token). Without a token: 401.
A non-member gets 404, a member without the role 403; ids from project B give 404."""

from planner.auth import tokens
from planner.auth.models import TokenScope
from planner.crm.models import RecordKind
from planner.extensions import db
from tests.access.matrix import LOGIN, NOT_FOUND, PUBLIC, SIGNED_IN, UNAUTHORIZED, Rule, expect, foreign

API_MEMBERS = expect(anonymous=UNAUTHORIZED)
API_SIGNED_IN = expect(anonymous=UNAUTHORIZED, outsider="ok")

BASE = "/api/v1/projects/{project}"

RULES = [
    # Tokens are made and revoked by their owner on the account page (the staff member's token here).
    Rule("auth.create_token", "/account/tokens", SIGNED_IN, method="POST",
         data={"token-name": "夜间同步", "token-scope": "write", "token-days": "30"}, success=201),
    Rule("auth.revoke_token", "/account/tokens/{staff_token}/revoke",
         expect(anonymous=LOGIN, outsider=NOT_FOUND, sponsor=NOT_FOUND, manager=NOT_FOUND, admin=NOT_FOUND),
         method="POST", success="/account"),
    Rule("api_docs.docs", "/api/v1/docs", PUBLIC),
    Rule("api-docs.openapi_json", "/api/v1/openapi.json", PUBLIC),
    Rule("api_projects.list_projects", "/api/v1/projects", API_SIGNED_IN),
    Rule("api_projects.list_projects", "/api/v1/projects?archived=true&limit=1", API_SIGNED_IN),
    Rule("api_projects.get_project", BASE, API_MEMBERS),
    Rule("api_projects.list_members", BASE + "/members", API_MEMBERS),
]
for kind in RecordKind:
    key = kind.value
    RULES += [
        Rule(f"api_crm.{key}_list", BASE + f"/crm/{key}", API_MEMBERS),
        Rule(f"api_crm.{key}_list", BASE + f"/crm/{key}?limit=1&after=1", API_MEMBERS),
        Rule(f"api_crm.{key}_get", BASE + f"/crm/{key}/{{{key}}}", API_MEMBERS),
        Rule(f"api_crm.{key}_get", BASE + f"/crm/{key}/{{other_{key}}}", foreign(API_MEMBERS)),
    ]


def setup(world):
    for role, user in world.users.items():
        if user is not None:
            token, secret = tokens.create(user, "矩阵", TokenScope.WRITE, 30)
            world.tokens[role] = secret
            world.ids[f"{role}_token"] = token.id
    db.session.commit()
