"""KPIs: the cases' (project, opened) index also holds first-contact resolution and satisfaction

Their KPIs (one date or a whole trend) then read the cases opened in their windows from the index
alone instead of looking up each case in the table. The index keeps its name and leading columns, so
the lists that walk it are unchanged. On a SQLite database that has planner statistics, the table is
analysed again (a quick sample): the rebuilt index would otherwise have none and SQLite would guess
wrongly about it (see 0027).

Revision ID: 0028_kpi_case_index
Revises: 0027_crm_statistics
Create Date: 2026-11-30 01:55:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0028_kpi_case_index'
down_revision = '0027_crm_statistics'
branch_labels = None
depends_on = None

NAME = 'ix_crm_cases_project_opened'


def _rebuild(columns):
    op.drop_index(NAME, table_name='crm_cases')
    op.create_index(NAME, 'crm_cases', columns, unique=False)
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return
    if not bind.execute(sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")).first():
        return
    if bind.execute(sa.text("SELECT 1 FROM sqlite_stat1 WHERE tbl = 'crm_cases'")).first():
        bind.execute(sa.text("PRAGMA analysis_limit=1000"))
        bind.execute(sa.text("ANALYZE crm_cases"))


def upgrade():
    _rebuild(['project_id', 'opened_at', 'id', 'resolved_first_contact', 'satisfaction'])


def downgrade():
    _rebuild(['project_id', 'opened_at', 'id'])
