"""approval_request: suggestions waiting for a second person's approval

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "approval_request",
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["person.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["suggestion_id"], ["suggestion.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("suggestion_id"),
    )
    with op.batch_alter_table("approval_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_approval_request_author_id"), ["author_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("approval_request")
