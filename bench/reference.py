"""The two references of the throughput benchmark, served by the same gunicorn settings as the app.

- ``/ceiling``: a bare Flask route rendering a 20-row Jinja table from memory (no database, no
  session, no translations): what Flask and gunicorn can do at best on this machine.
- ``/admin/account/``: Flask-Admin's list view of the same ``crm_accounts`` table, restricted to the
  large benchmark project and sorted by name like our list, 50 rows a page like ours: the peer. It
  is left as plain as Flask-Admin comes (no search box, no filters, which our list has), so the
  comparison errs in the peer's favour.

Configured from the environment: ``BENCH_REFERENCE_DATABASE_URL`` (the benchmark database) and
``BENCH_REFERENCE_PROJECT`` (the large project's id). Served with ``gunicorn bench.reference:app``.
"""

import os
from datetime import UTC, datetime, timedelta

from flask import Flask, render_template
from flask_babel import Babel
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

START = datetime(2025, 1, 6, 9, 30, tzinfo=UTC)
ROWS = [{"id": n, "name": f"Account {n:03d} Foods", "segment": ("Partner", "Mid-market")[n % 2], "city": "Madrid",
         "country": "España", "external_id": f"A{n:07d}", "created": (START + timedelta(days=n)).date().isoformat()}
        for n in range(20)]

db = SQLAlchemy()


class Account(db.Model):
    """The columns of ``crm_accounts`` that the list shows (the table is the benchmark's own)."""

    __tablename__ = "crm_accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    segment: Mapped[str] = mapped_column(String(100))
    industry: Mapped[str] = mapped_column(String(100))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(100))
    external_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)


def create_app() -> Flask:
    from flask_admin import Admin
    from flask_admin.contrib.sqla import ModelView

    project_id = int(os.environ.get("BENCH_REFERENCE_PROJECT", "1"))

    class AccountView(ModelView):
        page_size = 50
        can_set_page_size = False
        column_list = ("name", "segment", "industry", "city", "country", "external_id", "created_at")
        column_default_sort = ("name_key", False)

        def get_query(self):
            return super().get_query().filter(Account.project_id == project_id)

        def get_count_query(self):
            return super().get_count_query().filter(Account.project_id == project_id)

    app = Flask(__name__)  # templates: bench/templates/
    app.config.update(SECRET_KEY=os.environ.get("SECRET_KEY", "bench"),
                      SQLALCHEMY_DATABASE_URI=os.environ["BENCH_REFERENCE_DATABASE_URL"])
    db.init_app(app)
    Babel(app)  # Flask-Admin translates its interface through Flask-Babel when it is installed
    admin = Admin(app, name="Reference")
    admin.add_view(AccountView(Account, db.session, name="Accounts", endpoint="account"))

    @app.get("/ceiling")
    def ceiling():
        return render_template("ceiling.html", title="Accounts", rows=ROWS)

    return app


app = create_app() if os.environ.get("BENCH_REFERENCE_DATABASE_URL") else None
