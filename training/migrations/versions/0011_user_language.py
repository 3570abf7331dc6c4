"""The language a user picked (语言偏好): kept on the account, so a new tab or a new day
opened at the app's bare address (no ``?lang=``) is in that language again.

Existing accounts have none: they open in the default language, as before.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain nullable column: added in place on SQLite too (batch mode would copy the
    # users table, which most tables refer to)
    op.add_column("users", sa.Column("lang", sa.String(8), nullable=True))


def downgrade() -> None:
    # SQLite drops a column in place since 3.35
    op.drop_column("users", "lang")
