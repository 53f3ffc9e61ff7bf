"""Uploads left behind (a file checked but never imported, nor discarded) go after UPLOAD_MAX_AGE_HOURS."""

from datetime import timedelta

from flask import current_app

from planner.jobs.purge import purges
from planner.uploads import storage


@purges
def old_uploads() -> dict:
    return {"uploads": storage.purge(timedelta(hours=current_app.config["UPLOAD_MAX_AGE_HOURS"]))}
