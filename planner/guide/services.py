"""The setup checklist: which of the six setup steps a project has done, read in a fixed number of
queries (one per step), and its dismissal once every step is done."""

from dataclasses import dataclass

from sqlalchemy import exists, func, select

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


def _exists(query) -> bool:
    return bool(db.session.scalar(select(exists(query))))


def steps(project: Project) -> list[Step]:
    pid = project.id
    summary = tco_summary_by_project([pid]).get(pid)
    done = {
        "methodology": _exists(select(Adoption.id).where(Adoption.project_id == pid)),
        "members": bool(db.session.scalar(
            select(func.count()).select_from(ProjectMember)
            .where(ProjectMember.project_id == pid, ProjectMember.is_sponsor.is_(True)))) and bool(
            db.session.scalar(select(func.count()).select_from(ProjectMember).where(
                ProjectMember.project_id == pid, ProjectMember.is_manager.is_(False),
                ProjectMember.is_sponsor.is_(False)))),
        "problems": _exists(select(KeyProblem.id).where(KeyProblem.project_id == pid, KeyProblem.in_focus.is_(True))),
        "stages": _exists(select(ExitCriterion.id).where(ExitCriterion.project_id == pid)),
        "baselines": _exists(select(KpiSetting.id).where(
            KpiSetting.project_id == pid, KpiSetting.baseline_source.isnot(None), KpiSetting.target.isnot(None))),
        "tco": summary is not None and summary["total_cost"] > 0,
    }
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
