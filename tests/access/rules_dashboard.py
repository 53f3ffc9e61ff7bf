"""Access rules for the executive dashboard.

Anyone signed in may open the dashboard and its rules page: the dashboard lists only the projects
the reader sponsors or manages (administrators: all), so an outsider sees an empty page; which
projects appear is tested in tests/test_dashboard.py."""

from tests.access.matrix import SIGNED_IN, Rule

RULES = [
    Rule("dashboard.index", "/dashboard", SIGNED_IN),
    Rule("dashboard.index", "/dashboard?health=red", SIGNED_IN),
    Rule("dashboard.rules", "/dashboard/health-rules", SIGNED_IN),
]
