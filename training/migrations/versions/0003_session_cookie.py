"""Sessions kept in the browser's cookie: sessions of one sign-in share a family (one
sign-out ends them all), and one-time grants let the browser fetch its cookie.

Existing sessions get no family: each ends on its own, as before.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("family_hash", sa.String(64), nullable=True))
        batch.create_index("ix_sessions_family_hash", ["family_hash"])
    op.create_table(
        "session_grants",
        sa.Column("grant_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("family_hash", sa.String(64), nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("session_expires_at", TS, nullable=False),
    )
    op.create_index("ix_session_grants_user_id", "session_grants", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_session_grants_user_id", table_name="session_grants")
    op.drop_table("session_grants")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_index("ix_sessions_family_hash")
        batch.drop_column("family_hash")
