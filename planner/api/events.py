"""The events an integration can follow, named in one place.

Webhooks (issue 18, to be built on the job queue) will deliver these; the API's documentation
lists them. Each name is ``<resource>.<what happened>``.
"""

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
