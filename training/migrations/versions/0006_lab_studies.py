"""The strategy lab's saved studies: inputs and every replication's figures, per manager.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lab_studies",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("title", sa.JSON, nullable=False),
        sa.Column("labels", sa.JSON, nullable=False),
        sa.Column("reps", sa.Integer, nullable=False),
        sa.Column("staff", sa.JSON, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("inputs", sa.JSON, nullable=False),
        sa.Column("results", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_lab_studies_owner_id", "lab_studies", ["owner_id"])


def downgrade() -> None:
    op.drop_index("ix_lab_studies_owner_id", table_name="lab_studies")
    op.drop_table("lab_studies")
