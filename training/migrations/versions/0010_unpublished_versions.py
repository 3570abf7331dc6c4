"""Unpublished case versions (撤下发布): a version published by mistake is marked taken back,
when and by whom, instead of deleted, so the attempts played on it keep replaying on its
frozen text and keep their results.

Existing versions stay published.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("case_versions", sa.Column("withdrawn_at", sa.DateTime(timezone=True),
                                             nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        # added in place with its reference written inline: batch mode would copy the
        # table, and SQLite refuses to drop the old copy while assignments and attempts
        # refer to it (foreign keys are on)
        op.add_column("case_versions", sa.Column("withdrawn_by", sa.Integer,
                                                 sa.ForeignKey("users.id"), nullable=True),
                      inline_references=True)
        return
    op.add_column("case_versions", sa.Column("withdrawn_by", sa.Integer, nullable=True))
    op.create_foreign_key("fk_case_versions_withdrawn_by", "case_versions", "users",
                          ["withdrawn_by"], ["id"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_case_versions_withdrawn_by", "case_versions", type_="foreignkey")
    with op.batch_alter_table("case_versions") as b:
        b.drop_column("withdrawn_by")
        b.drop_column("withdrawn_at")
