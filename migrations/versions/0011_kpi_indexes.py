"""kpis: a partial index of the interactions without an outcome, for the closed-loop KPI

Revision ID: 0011_kpi_indexes
Revises: 0010_exports
Create Date: 2026-11-29 16:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0011_kpi_indexes'
down_revision = '0010_exports'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('crm_interactions', schema=None) as batch_op:
        batch_op.create_index('ix_crm_interactions_project_no_outcome', ['project_id', 'occurred_at'], unique=False,
                              sqlite_where=sa.text("outcome = ''"), postgresql_where=sa.text("outcome = ''"))


def downgrade():
    with op.batch_alter_table('crm_interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_crm_interactions_project_no_outcome')
