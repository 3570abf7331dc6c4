"""Withdrawn assignments (撤回): an assignment given by mistake is marked withdrawn, when
and by whom, instead of deleted, so the attempts and answers made under it stay on record.

Existing assignments are not withdrawn.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assignments") as b:
        b.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        b.add_column(sa.Column("withdrawn_by", sa.Integer, nullable=True))
        b.create_foreign_key("fk_assignments_withdrawn_by", "users", ["withdrawn_by"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("assignments") as b:
        b.drop_constraint("fk_assignments_withdrawn_by", type_="foreignkey")
        b.drop_column("withdrawn_by")
        b.drop_column("withdrawn_at")
