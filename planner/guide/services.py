"""The setup checklist: which of the six setup steps a project has done, read in two queries (the
records' steps together, then the cost summary), and its dismissal once every step is done."""

from dataclasses import dataclass
from functools import cache

from sqlalchemy import and_, bindparam, exists, select

from planner.errors import DomainError
from planner.extensions import db
from planner.guide.models import SetupDismissal
from planner.i18n import lazy_gettext as _l
from planner.kpis.models import KpiSetting
from planner.methodology.models import Adoption, KeyProblem
from planner.projects.models import Project, ProjectMember
from planner.rollout.models import ExitCriterion
from planner.tco.services import tco_summary_by_project


@dataclass(frozen=True)
class Step:
    key: str
    title: object
    why: object
    endpoint: str
    done: bool


# (key, title, why it comes here, where it is done)
STEPS = (
    ("methodology", _l("Choose the methodology"),
     _l("It turns into the checklist the team walks through."), "methodology.index"),
    ("members", _l("Add members and an executive sponsor"),
     _l("A stage can only be signed off by a sponsor; staff give the feedback."), "projects.members"),
    ("problems", _l("Pick the key problems to focus on"),
     _l("A few problems solved first beat a long wish list."), "methodology.problems"),
    ("stages", _l("Plan the stages and their exit criteria"),
     _l("Each sign-off is judged against the exit criteria."), "rollout.index"),
    ("baselines", _l("Set KPI baselines and targets"),
     _l("Benefits can only be shown against a baseline set before go-live."), "kpis.index"),
    ("tco", _l("Model the three-year cost and benefits"),
     _l("Years two and three belong in the budget too."), "tco.index"),
)


@cache
def _done_statement():
    """Whether each step read from the records is done, in one query built once per process (the
    overview shows the checklist to its managers on every visit): the project is a parameter."""
    pid = bindparam("project_id", type_=Project.id.type)
    member = ProjectMember.project_id == pid
    return select(
        exists().where(Adoption.project_id == pid).label("methodology"),
        and_(exists().where(member, ProjectMember.is_sponsor.is_(True)),
             exists().where(member, ProjectMember.is_manager.is_(False), ProjectMember.is_sponsor.is_(False)))
        .label("members"),
        exists().where(KeyProblem.project_id == pid, KeyProblem.in_focus.is_(True)).label("problems"),
        exists().where(ExitCriterion.project_id == pid).label("stages"),
        exists().where(KpiSetting.project_id == pid, KpiSetting.baseline_source.isnot(None),
                       KpiSetting.target.isnot(None)).label("baselines"))


def steps(project: Project) -> list[Step]:
    pid = project.id
    summary = tco_summary_by_project([pid]).get(pid)
    done = {key: bool(value) for key, value in db.session.execute(_done_statement(), {"project_id": pid})
            .one()._asdict().items()}
    done["tco"] = summary is not None and summary["total_cost"] > 0
    return [Step(key, title, why, endpoint, done[key]) for key, title, why, endpoint in STEPS]


def next_step(found: list[Step]) -> Step | None:
    return next((step for step in found if not step.done), None)


def is_dismissed(project: Project) -> bool:
    return db.session.get(SetupDismissal, project.id) is not None


def dismiss(project: Project, user) -> None:
    """Puts the checklist away; refused while a step is still open."""
    if next_step(steps(project)) is not None:
        raise DomainError(_l("The checklist can be put away once every step is done."))
    if not is_dismissed(project):
        db.session.add(SetupDismissal(project_id=project.id, dismissed_by_id=user.id))
