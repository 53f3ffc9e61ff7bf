"""Stage templates a project can start from: a pilot followed by waves and the full rollout, or the
four-stage adoption cycle (rigid use for two to three months, optimise, solidify, optimise again).

Names and descriptions are written into the new stages in the language of the person who applies
the template; after that they are the project's own text and can be edited.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from planner.i18n import lazy_gettext as _l
from planner.kpis.definitions import KpiKey
from planner.rollout.models import Comparison


@dataclass(frozen=True)
class SuggestedCriterion:
    kpi: KpiKey
    threshold: Decimal
    weeks: int
    comparison: Comparison = Comparison.AT_LEAST


@dataclass(frozen=True)
class PlannedStage:
    name: object  # a lazy string; may hold %(number)s for waves
    description: object
    weeks: int
    criteria: tuple[SuggestedCriterion, ...] = field(default_factory=tuple)


ADOPTION_80 = SuggestedCriterion(KpiKey.ADOPTION, Decimal("0.80"), 2)
CLOSED_LOOP_80 = SuggestedCriterion(KpiKey.CLOSED_LOOP, Decimal("0.80"), 2)

PILOT = PlannedStage(
    _l("Pilot"),
    _l("One team or site uses the CRM for its real daily work first. Fix what the pilot reveals before "
       "more people depend on the system."),
    8, (ADOPTION_80, CLOSED_LOOP_80))
WAVE = PlannedStage(
    _l("Wave %(number)s"),
    _l("The next group of teams moves to the CRM, helped by people from the earlier stages."),
    8, (ADOPTION_80,))
FULL = PlannedStage(
    _l("Full rollout"),
    _l("Everyone in scope works in the CRM and the old tools are switched off."),
    12, (SuggestedCriterion(KpiKey.ADOPTION, Decimal("0.85"), 4), CLOSED_LOOP_80))

CYCLE = (
    PlannedStage(
        _l("Rigid use"),
        _l("Use the new process exactly as designed, with no local variations, for two to three months. "
           "Managers check that it is followed; suggestions are collected for later."),
        12, (SuggestedCriterion(KpiKey.ADOPTION, Decimal("0.80"), 4), CLOSED_LOOP_80)),
    PlannedStage(
        _l("Optimise"),
        _l("Now that people know the system well, act on the suggestions gathered: improve the process and "
           "the system where experience shows it matters."),
        6, (ADOPTION_80,)),
    PlannedStage(
        _l("Solidify"),
        _l("Make the improved process the company standard: write it down, build it into the system and "
           "into training for new staff."),
        8, (SuggestedCriterion(KpiKey.ADOPTION, Decimal("0.85"), 4),)),
    PlannedStage(
        _l("Optimise again"),
        _l("As the business changes, review the process and the organisation around it, and improve "
           "them again. Adoption never stops being work."),
        8, (SuggestedCriterion(KpiKey.ADOPTION, Decimal("0.85"), 4),)),
)


@dataclass(frozen=True)
class Plan:
    key: str
    label: object
    description: object


PLANS = {
    "pilot_waves": Plan(
        "pilot_waves", _l("Pilot, waves, full rollout"),
        _l("A pilot with one team, then waves of teams, then everyone. Each stage proves itself before the "
           "next one starts.")),
    "adoption_cycle": Plan(
        "adoption_cycle", _l("The four-stage adoption cycle"),
        _l("Rigid use for two to three months, then optimise, solidify into standard practice, and optimise "
           "again as the business changes.")),
}


def stages_of(plan_key: str, waves: int = 2) -> list[tuple[str, str, PlannedStage]]:
    """(name, description, template stage) for each stage of the plan, in the reader's language."""
    if plan_key == "pilot_waves":
        found = [(str(PILOT.name), str(PILOT.description), PILOT)]
        for number in range(1, waves + 1):
            found.append((str(WAVE.name) % {"number": number}, str(WAVE.description), WAVE))
        found.append((str(FULL.name), str(FULL.description), FULL))
        return found
    if plan_key == "adoption_cycle":
        return [(str(stage.name), str(stage.description), stage) for stage in CYCLE]
    raise KeyError(plan_key)
