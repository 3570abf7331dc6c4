"""Draft previews: the last teaching preview of an author's draft, kept beside it.

Existing drafts have none.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_drafts") as b:
        b.add_column(sa.Column("preview", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_drafts") as b:
        b.drop_column("preview")
