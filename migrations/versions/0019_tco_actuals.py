"""TCO plan against reality: the plan's first month, actual costs, actual benefits entered by hand

Revision ID: 0019_tco_actuals
Revises: 0018_notifications
Create Date: 2026-11-29 19:20:00

"""
from alembic import op
import sqlalchemy as sa

import planner.db


# revision identifiers, used by Alembic.
revision = '0019_tco_actuals'
down_revision = '0018_notifications'
branch_labels = None
depends_on = None

CATEGORIES = ('licences', 'hardware_hosting', 'implementation', 'customisation', 'integration', 'data_migration',
              'training', 'change_management', 'internal_staff', 'support', 'other')


def upgrade():
    with op.batch_alter_table('tco_scenarios', schema=None) as batch_op:
        batch_op.add_column(sa.Column('starts_on', sa.Date(), nullable=True))

    op.create_table('tco_actual_costs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum(*CATEGORIES, name='costcategory', native_enum=False, length=32), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('source', sa.Enum('manual', 'import', name='actualsource', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', planner.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_tco_actual_costs_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_tco_actual_costs_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tco_actual_costs'))
    )
    with op.batch_alter_table('tco_actual_costs', schema=None) as batch_op:
        batch_op.create_index('ix_tco_actual_costs_project_month', ['project_id', 'month'], unique=False)

    op.create_table('tco_benefit_actuals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('benefit_line_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('updated_at', planner.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_tco_benefit_actuals_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['benefit_line_id'], ['tco_benefit_lines.id'], name=op.f('fk_tco_benefit_actuals_benefit_line_id_tco_benefit_lines'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tco_benefit_actuals')),
    sa.UniqueConstraint('benefit_line_id', 'year', name='uq_tco_benefit_actuals_line_year')
    )
    with op.batch_alter_table('tco_benefit_actuals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tco_benefit_actuals_project_id'), ['project_id'], unique=False)


def downgrade():
    with op.batch_alter_table('tco_benefit_actuals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tco_benefit_actuals_project_id'))
    op.drop_table('tco_benefit_actuals')
    with op.batch_alter_table('tco_actual_costs', schema=None) as batch_op:
        batch_op.drop_index('ix_tco_actual_costs_project_month')
    op.drop_table('tco_actual_costs')
    with op.batch_alter_table('tco_scenarios', schema=None) as batch_op:
        batch_op.drop_column('starts_on')
