"""delivery: a partial index on the due digest rows, claimed a person at a time

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_DIGESTS = sa.text("kind = 'digest'")


def upgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.create_index(
            "ix_delivery_digest_due",
            ["state", "due_at"],
            unique=False,
            sqlite_where=_DIGESTS,
            postgresql_where=_DIGESTS,
        )


def downgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_digest_due")
