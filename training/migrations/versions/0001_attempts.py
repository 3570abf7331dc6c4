"""The attempts table as the trainee app first created it (before migrations existed).

A database made by that app already has this table and no ``alembic_version``;
this revision then leaves it as it is, so upgrading keeps every saved attempt.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("attempts"):
        return
    op.create_table(
        "attempts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("scenario_hash", sa.String(64), nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("decision_log", sa.JSON, nullable=False),
        sa.Column("pending", sa.JSON, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("month", sa.Integer, nullable=False),
        sa.Column("horizon", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_attempts_scenario_id", "attempts", ["scenario_id"])
    op.create_index("ix_attempts_status", "attempts", ["status"])


def downgrade() -> None:
    op.drop_index("ix_attempts_status", "attempts")
    op.drop_index("ix_attempts_scenario_id", "attempts")
    op.drop_table("attempts")
