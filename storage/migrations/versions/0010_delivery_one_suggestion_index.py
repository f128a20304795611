"""delivery: drop the index on suggestion_id, which the unique (suggestion_id, person_id) covers

Every change of a row's state writes a new entry into each of the outbox's indexes on
PostgreSQL; the unique constraint's index serves every lookup by suggestion as well.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_suggestion_id")


def downgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.create_index("ix_delivery_suggestion_id", ["suggestion_id"], unique=False)
