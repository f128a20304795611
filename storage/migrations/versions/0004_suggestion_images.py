"""suggestion.images, suggestion.page and suggestion_image: photos and the share page

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("suggestion", schema=None) as batch_op:
        batch_op.add_column(sa.Column("images", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(
            sa.Column("page", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "suggestion_image",
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["suggestion_id"], ["suggestion.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token"),
    )
    with op.batch_alter_table("suggestion_image", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_suggestion_image_suggestion_id"), ["suggestion_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("suggestion_image")
    with op.batch_alter_table("suggestion", schema=None) as batch_op:
        batch_op.drop_column("page")
        batch_op.drop_column("images")
