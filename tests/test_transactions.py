"""The request's one commit point (planner.transactions.saving) and the application's answer to a
refusal no view expected (the DomainError handler)."""

import pytest
from flask import get_flashed_messages
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError
from wtforms import Form, StringField

from planner.auth.models import User
from planner.errors import DomainError
from planner.transactions import CONFLICT, saving


def _users(db) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(User))


def test_what_the_block_did_is_committed_once(app, db, make_user):
    with app.test_request_context("/", method="POST"):
        with saving() as saved:
            db.session.add(User(email="ok@example.com", name="好", password_hash="x"))
        assert saved and saved.error is None
        assert get_flashed_messages() == []
    assert _users(db) == 1


def test_a_refusal_rolls_everything_back_and_is_flashed(app, db):
    with app.test_request_context("/", method="POST"):
        with saving() as saved:
            db.session.add(User(email="half@example.com", name="半", password_hash="x"))
            db.session.flush()
            raise DomainError("拒绝")
        assert not saved
        assert str(saved.error.message) == "拒绝"
        assert get_flashed_messages(with_categories=True) == [("danger", "拒绝")]
    assert _users(db) == 0


def test_a_refusal_can_go_under_a_form_field_instead(app, db):
    class NameForm(Form):
        name = StringField()

    with app.test_request_context("/", method="POST"):
        form = NameForm()
        with saving(error_to=form.name, category="warning") as saved:
            raise DomainError("名称已被使用")
        assert not saved
        assert form.name.errors == ["名称已被使用"]
        assert get_flashed_messages() == []


def test_quiet_reports_nothing_and_leaves_the_answer_to_the_view(app, db):
    with app.test_request_context("/", method="POST"):
        with saving(quiet=True) as saved:
            raise DomainError("安静")
        assert not saved and saved.error is not None
        assert get_flashed_messages() == []


def test_a_concurrent_change_is_reported_only_where_the_view_expects_it(app, db):
    with app.test_request_context("/", method="POST"):
        with saving(conflicts=True) as saved:
            db.session.add(User(email="late@example.com", name="迟", password_hash="x"))
            raise StaleDataError("changed meanwhile")
        assert not saved and saved.conflict and saved.error is None
        assert get_flashed_messages() == [str(CONFLICT)]
        with pytest.raises(StaleDataError), saving():
            raise StaleDataError("changed meanwhile")
    assert _users(db) == 0


def test_any_other_error_is_not_swallowed(app, db):
    with app.test_request_context("/", method="POST"), pytest.raises(ZeroDivisionError), saving():
        1 / 0  # noqa: B018


def test_an_unexpected_refusal_is_rolled_back_and_shown_on_the_error_page(app, db):
    with app.test_request_context("/projects/1/anything", method="POST"):
        db.session.add(User(email="never@example.com", name="从未", password_hash="x"))
        db.session.flush()
        response = app.make_response(app.handle_user_exception(DomainError("这条规则拒绝了")))
    assert response.status_code == 400
    assert "这条规则拒绝了" in response.get_data(as_text=True)
    assert _users(db) == 0
