"""Access rules for the KPI page and the baseline-and-target form: members read, managers set."""

from tests.access.matrix import MANAGERS, MEMBERS, Rule

RULES = [
    Rule("kpis.index", "/projects/{project}/kpis", MEMBERS),
    Rule("kpis.edit", "/projects/{project}/kpis/adoption", MANAGERS),
    Rule("kpis.edit", "/projects/{project}/kpis/satisfaction", MANAGERS, method="POST",
         data={"target": "4.2", "baseline_source": "manual", "baseline_value": "3.5"}),
]
