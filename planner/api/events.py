"""The events an integration can follow, named in one place, with what each delivery carries.

Webhooks (``planner.webhooks``) deliver these; the API's documentation page lists them with their
``data`` (``DOCS``). Each name is ``<resource>.<what happened>``.
"""

N_ = str  # marks a text for the catalogue; the documentation page translates it

SIGNOFF_REQUESTED = "signoff.requested"
SIGNOFF_DECIDED = "signoff.decided"
STAGE_STARTED = "stage.started"
STAGE_APPROVED = "stage.approved"
TASK_CREATED = "task.created"
TASK_CHANGED = "task.changed"
TASK_OVERDUE = "task.overdue"
QUICK_WIN_ACHIEVED = "quick_win.achieved"
IMPORT_FINISHED = "import.finished"
KPI_TARGET_CROSSED = "kpi.target_crossed"

ALL = (SIGNOFF_REQUESTED, SIGNOFF_DECIDED, STAGE_STARTED, STAGE_APPROVED, TASK_CREATED, TASK_CHANGED,
       TASK_OVERDUE, QUICK_WIN_ACHIEVED, IMPORT_FINISHED, KPI_TARGET_CROSSED)

TEST = "webhook.test"  # the project's webhook page sends it on request; nobody subscribes to it

_PROJECT = ("project_id", N_("The project's id."))
_ACTOR = ("actor", N_("Who did it: {id, name}; null when Rollout did it by itself."))
_STAGE = ("stage", N_("The stage as the API returns it (StageSchema), without the gate evaluation."))

# event → (when it is sent, [(key of data, what it holds)])
DOCS = {
    SIGNOFF_REQUESTED: (N_("A project manager asked the executive sponsors to sign off a stage."), [
        _PROJECT, _STAGE, ("signoff_request", N_("The request (RequestSchema), its decision still null.")), _ACTOR]),
    SIGNOFF_DECIDED: (N_("An executive sponsor decided on a sign-off request: approved, approved with conditions or "
                         "rejected."), [
        _PROJECT, _STAGE, ("signoff_request", N_("The request (RequestSchema) with its decision.")), _ACTOR]),
    STAGE_STARTED: (N_("A planned stage started."), [_PROJECT, _STAGE, _ACTOR]),
    STAGE_APPROVED: (N_("A decision left a stage approved, with or without conditions."), [
        _PROJECT, _STAGE, ("signoff_request_id", N_("The request that was decided.")),
        ("outcome", N_("approved or approved_with_conditions.")), _ACTOR]),
    TASK_CREATED: (N_("A change task was added."), [
        _PROJECT, ("task", N_("The task as the API returns it (TaskSchema).")), _ACTOR]),
    TASK_CHANGED: (N_("A change task's fields or status changed."), [
        _PROJECT, ("task", N_("The task after the change (TaskSchema).")),
        ("changed", N_("The names of the fields that changed.")), _ACTOR]),
    TASK_OVERDUE: (N_("An open task's due date passed (checked every hour, on the UTC calendar; once per due date)."),
                   [_PROJECT, ("task", N_("The task (TaskSchema).")), _ACTOR]),
    QUICK_WIN_ACHIEVED: (N_("A quick win was achieved."), [
        _PROJECT, ("quick_win", N_("The quick win as the API returns it (QuickWinSchema).")), _ACTOR]),
    IMPORT_FINISHED: (N_("A file of CRM records was imported (from the import page or the command line)."), [
        _PROJECT, ("import", N_("{id, kind, filename, rows, inserted, updated, unchanged}; id is null for an import "
                               "from the command line.")), _ACTOR]),
    KPI_TARGET_CROSSED: (N_("A KPI reached its target, or fell back below it (checked after each import and every "
                            "night)."), [
        _PROJECT, ("kpi", N_("{key, value, target, as_of, reached}: value and target as decimal strings; reached is "
                            "false when the value fell below the target."))]),
}
