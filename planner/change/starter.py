"""The starter set of change-management tasks, drawn from the change requirements of the people-first
implementation method (seed 000): visible backing from the top; resources, skills and culture; what
changes for each person and what they gain, with measurable benefits; explaining the strategy and
acting on feedback; time to adjust; firm review and follow-up; and a training plan.

Texts are ours, translated through the catalogue; a task is created in the reader's language and is
then the project's own text, free to edit.
"""

from dataclasses import dataclass

from planner.change.models import TaskCategory
from planner.i18n import lazy_gettext as _l


@dataclass(frozen=True)
class StarterTask:
    key: str
    category: TaskCategory
    title: object
    description: object
    due_in_days: int


STARTER_TASKS = (
    StarterTask(
        "visible-backing", TaskCategory.SPONSORSHIP,
        _l("Have the executive sponsor open the rollout in person"),
        _l("Staff go along with a change when they see leadership behind it. Ask the sponsor to launch the "
           "project at an all-hands meeting, use the CRM in their own reviews and say so often."),
        7,
    ),
    StarterTask(
        "resources-skills-culture", TaskCategory.OTHER,
        _l("Check that people, skills and culture match the plan"),
        _l("List the people, time and skills each stage needs, note the gaps and the habits that could slow "
           "the change, and agree with the sponsor how each gap will be closed and by when."),
        14,
    ),
    StarterTask(
        "impact-per-role", TaskCategory.PROCESS,
        _l("Map what changes for each role"),
        _l("For every role, write down which daily tasks change, what disappears and what is new. Meet a few "
           "people from each team to check the list with them."),
        21,
    ),
    StarterTask(
        "whats-in-it-for-me", TaskCategory.COMMUNICATION,
        _l("Show each role what it gains, in numbers"),
        _l("Turn the impact map into a personal case for every role, with benefits that can be measured: for "
           "example fewer repeat calls, quicker quotes or a higher commission from more satisfied customers."),
        28,
    ),
    StarterTask(
        "explain-strategy", TaskCategory.COMMUNICATION,
        _l("Explain the CRM strategy and keep everyone informed"),
        _l("Share why the company is changing, what the stages are and what happens next, then send a short "
           "update at every milestone so nobody learns about the change from rumours."),
        14,
    ),
    StarterTask(
        "act-on-feedback", TaskCategory.FEEDBACK,
        _l("Collect staff feedback and answer every comment"),
        _l("Open a survey link for each stage, read the results every week and reply to what people raise, "
           "saying what will change and when. Turn recurring comments into tasks."),
        30,
    ),
    StarterTask(
        "training-plan", TaskCategory.TRAINING,
        _l("Write the training plan for every role"),
        _l("Plan hands-on sessions per role before each go-live, with material in each team's language, a "
           "practice environment and a way to check that people can do their real work afterwards."),
        30,
    ),
    StarterTask(
        "time-to-adjust", TaskCategory.PROCESS,
        _l("Plan a settling-in period after each go-live"),
        _l("Change takes time. Reduce targets for the first weeks, keep experts on the floor to help, and plan "
           "when the old tools will be switched off."),
        45,
    ),
    StarterTask(
        "review-and-monitor", TaskCategory.SPONSORSHIP,
        _l("Review adoption every week and deal with problems firmly"),
        _l("Hold a short weekly review with the sponsor: usage, data quality and open issues. Decide on each "
           "issue, name an owner and check at the next review that it was resolved."),
        60,
    ),
)
