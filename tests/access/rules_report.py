"""Access rules for the project report: every member of the project (and an administrator) reads it;
anyone else gets 404, as for every project page, and an unknown project id is 404 for everyone."""

from tests.access.matrix import LEADS, NOT_FOUND, OK, Rule, expect

RULES = [
    Rule("report.index", "/projects/{project}/report", LEADS),
    # Project B: only its member (the outsider) and the administrator read its report.
    Rule("report.index", "/projects/{other_project}/report",
         expect(outsider=OK, staff=NOT_FOUND, sponsor=NOT_FOUND, manager=NOT_FOUND)),
    Rule("report.index", "/projects/987654/report",
         expect(staff=NOT_FOUND, sponsor=NOT_FOUND, manager=NOT_FOUND, admin=NOT_FOUND)),
]
