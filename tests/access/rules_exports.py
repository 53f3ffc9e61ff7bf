"""Access rules for the Exports page, its downloads and the private calendar feed.

Members read the page and download what the matching pages show them; the feedback exports follow
the feedback results page (managers, sponsors, administrators). Only members make or revoke a
calendar address (an administrator who is not a member has no calendar). The feed itself needs no
sign-in: a valid token answers whoever asks, an unknown one gives 404 to everyone.
"""

from planner.exports import feeds
from planner.extensions import db
from planner.projects.access import membership_for
from tests.access.matrix import FORBIDDEN, MEMBERS, MEMBERS_ONLY, NOT_FOUND, PUBLIC, ROLES, Rule, expect

P = "/projects/{project}/exports"
FEEDBACK_READERS = expect(staff=FORBIDDEN)
NOBODY = dict.fromkeys(ROLES, NOT_FOUND)

RULES = [
    Rule("exports.index", P, MEMBERS),
    *(Rule("exports.download", P + f"/{key}.{fmt}", MEMBERS)
      for key in ("tasks", "quick-wins", "kpis", "decisions") for fmt in ("csv", "xlsx")),
    *(Rule("exports.download", P + f"/{key}.{fmt}", FEEDBACK_READERS)
      for key in ("feedback", "feedback-comments", "actual-costs", "benefit-actuals") for fmt in ("csv", "xlsx")),
    Rule("exports.download", P + "/all.xlsx", MEMBERS),
    Rule("exports.download", P + "/nothing.csv", expect(staff=NOT_FOUND, sponsor=NOT_FOUND, manager=NOT_FOUND,
                                                       admin=NOT_FOUND)),
    Rule("exports.calendar_new", P + "/calendar", MEMBERS_ONLY, method="POST", success=200),  # shows it once
    Rule("exports.calendar_revoke", P + "/calendar/revoke", MEMBERS_ONLY, method="POST"),
    Rule("exports.calendar_feed", "/calendar/{calendar_token}.ics", PUBLIC),
    Rule("exports.calendar_feed", "/calendar/{other_calendar_token}x.ics", NOBODY),
]


def setup(world):
    staff = membership_for(world.project.id, world.users["staff"].id)
    token = feeds.issue_token(staff)
    other_member = membership_for(world.other_project.id, world.users["outsider"].id)
    other_token = feeds.issue_token(other_member)
    db.session.commit()
    world.ids.update(calendar_token=token, other_calendar_token=other_token)
