"""Demo: the English project's managers have put their finished setup checklist away; the Spanish
and Chinese projects still show theirs (every step done, ready to be put away)."""

from planner.extensions import db
from planner.guide.models import SetupDismissal

ORDER = 90  # after every feature has filled in its part of the setup


def load(ctx) -> None:
    project = ctx.projects["en"]
    if db.session.get(SetupDismissal, project.id) is None:
        db.session.add(SetupDismissal(project_id=project.id, dismissed_by_id=ctx.users["pm@example.com"].id))
        ctx.note("setup checklist put away (en)")
