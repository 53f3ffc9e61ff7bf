"""The request's one commit point.

A view that changes data runs its service calls inside ``saving()``::

    with saving(error_to=form.email) as saved:
        services.create_user(...)
    if saved:
        flash(_("The account is created."), "success")
        return redirect(...)
    return render_template(...)  # the form again, with the refusal under its field

- Everything in the block succeeded: the session is committed once.
- A service refused (``DomainError``): everything is rolled back and the refusal is shown, as a
  flash message or as an error of the form field given in ``error_to``. ``saved`` is false and
  ``saved.error`` holds the refusal.
- With ``conflicts=True`` a concurrent change (a stale version, a duplicate row) is rolled back
  and reported the same way with ``CONFLICT``.

Any other exception propagates (and the 500 handler rolls back). A ``DomainError`` that a view
does not expect is answered by the application's error handler (``planner.errors``): rolled
back and shown on the error page with its message.
"""

from contextlib import contextmanager
from dataclasses import dataclass

from flask import flash
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from planner.errors import DomainError
from planner.extensions import db
from planner.i18n import lazy_gettext as _l

CONFLICT = _l("Someone else changed this at the same moment. Nothing of yours was saved: check the page again.")


@dataclass
class Saved:
    ok: bool = False
    error: DomainError | None = None
    conflict: bool = False

    def __bool__(self) -> bool:
        return self.ok


def report(message, error_to=None, category: str = "danger") -> None:
    """Shows a refusal: under a form field when one is given, otherwise as a flash message."""
    if error_to is not None:
        error_to.errors = [*error_to.errors, str(message)]
    else:
        flash(str(message), category)


@contextmanager
def saving(error_to=None, category: str = "danger", conflicts: bool = False, quiet: bool = False):
    """Commits what the block did, or rolls it all back and reports why (see the module text).

    ``quiet`` rolls back without reporting, for views that show the refusal their own way."""
    saved = Saved()
    try:
        yield saved
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        saved.error = error
        if not quiet:
            report(error.message, error_to, category)
        return
    except (StaleDataError, IntegrityError):
        if not conflicts:
            raise
        db.session.rollback()
        saved.conflict = True
        if not quiet:
            report(CONFLICT, error_to, category)
        return
    saved.ok = True
