"""handled_request: a request a platform delivers again is acted on once

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handled_request",
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("seen_hour", storage.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint"),
    )
    with op.batch_alter_table("handled_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handled_request_seen_hour"), ["seen_hour"], unique=False
        )


def downgrade() -> None:
    op.drop_table("handled_request")
