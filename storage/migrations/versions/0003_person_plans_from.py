"""person.plans_from: after opting out, suggestions that started before are never planned again

Revision ID: 0003
Revises: 0002
"""

from alembic import op
from sqlalchemy import Column

import storage.models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(Column("plans_from", storage.models.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("plans_from")
