"""Paired role play (对练): a conversation held by two trainees of a cohort, and its turns.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "pair_talks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("cohort_id", sa.Integer, sa.ForeignKey("cohorts.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("assignment_id", sa.Integer,
                  sa.ForeignKey("assignments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("roleplay_id", sa.String(64), nullable=False),
        sa.Column("officer_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("borrower_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempt_id", sa.String(32), sa.ForeignKey("attempts.id"), nullable=True),
        sa.Column("month", sa.Integer, nullable=True),
        sa.Column("loan_id", sa.Integer, nullable=True),
        sa.Column("state", sa.JSON, nullable=True),
        sa.Column("result", sa.JSON, nullable=True),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    for col in ("cohort_id", "assignment_id", "officer_id", "borrower_id"):
        op.create_index(f"ix_pair_talks_{col}", "pair_talks", [col])
    op.create_table(
        "pair_moves",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("talk_id", sa.Integer, sa.ForeignKey("pair_talks.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("side", sa.String(16), nullable=False),
        sa.Column("node", sa.String(64), nullable=False),
        sa.Column("pick", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("at", TS, nullable=False),
        sa.UniqueConstraint("talk_id", "seq", name="uq_pair_move"),
    )
    op.create_index("ix_pair_moves_talk_id", "pair_moves", ["talk_id"])


def downgrade() -> None:
    op.drop_table("pair_moves")
    op.drop_table("pair_talks")
