"""CRM records: fresh SQLite planner statistics for the tables 0025 gave new indexes

SQLite judges an index that has no statistics (``sqlite_stat1``) by a default guess that beats the
sampled figures of the older indexes of the same table: on a database analysed before 0025 (a bulk
import or ``make bench`` analyses) the lists then read every record of the project through the new
(project, updated_at) index and sort them, instead of walking the index of their order (an
interactions page of a 1M-row project took 2.5 s instead of milliseconds). A quick sampled ANALYZE of
each such table puts every index on the same footing. A database never analysed has no figures to
mislead the planner and is left so; PostgreSQL keeps statistics per column, not per index.

Revision ID: 0027_crm_statistics
Revises: 0026_webhooks
Create Date: 2026-11-30 01:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0027_crm_statistics'
down_revision = '0026_webhooks'
branch_labels = None
depends_on = None

TABLES = ('crm_accounts', 'crm_contacts', 'crm_interactions', 'crm_cases', 'crm_opportunities')


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return
    if not bind.execute(sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")).first():
        return
    analysed = {row[0] for row in bind.execute(sa.text("SELECT DISTINCT tbl FROM sqlite_stat1"))}
    bind.execute(sa.text("PRAGMA analysis_limit=1000"))  # a sample of each index: a second, not minutes
    for table in TABLES:
        if table in analysed:
            bind.execute(sa.text(f"ANALYZE {table}"))  # noqa: S608 - a table name from the fixed list above


def downgrade():
    pass  # statistics only: nothing to undo
