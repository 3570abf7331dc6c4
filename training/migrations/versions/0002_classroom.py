"""The classroom: accounts, sessions, cohorts, enrolments, case versions, assignments,
quiz answers; attempts gain an owner, an assignment, the case version played and a score.

Existing attempts keep no owner: they are anonymous self-study.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(128), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("oidc_subject", sa.String(255), nullable=True, unique=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_login_at", TS, nullable=True),
    )
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("at", TS, nullable=False),
    )
    op.create_index("ix_sign_in_failures_username", "sign_in_failures", ["username"])
    op.create_index("ix_sign_in_failures_at", "sign_in_failures", ["at"])
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_table(
        "cohorts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("archived", sa.Boolean, nullable=False),
    )
    op.create_table(
        "enrolments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("cohort_id", sa.Integer, sa.ForeignKey("cohorts.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("cohort_role", sa.String(16), nullable=False),
        sa.Column("enrolled_at", TS, nullable=False),
        sa.UniqueConstraint("cohort_id", "user_id", name="uq_enrolment"),
    )
    op.create_index("ix_enrolments_cohort_id", "enrolments", ["cohort_id"])
    op.create_index("ix_enrolments_user_id", "enrolments", ["user_id"])
    op.create_table(
        "case_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("published_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("published_at", TS, nullable=False),
        sa.UniqueConstraint("scenario_id", "version", name="uq_case_version"),
    )
    op.create_index("ix_case_versions_scenario_id", "case_versions", ["scenario_id"])
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("cohort_id", sa.Integer, sa.ForeignKey("cohorts.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("case_version_id", sa.Integer, sa.ForeignKey("case_versions.id"),
                  nullable=True),
        sa.Column("lesson_id", sa.String(64), nullable=True),
        sa.Column("opens_at", TS, nullable=False),
        sa.Column("closes_at", TS, nullable=False),
        sa.Column("pre_test", sa.JSON, nullable=True),
        sa.Column("post_test", sa.JSON, nullable=True),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_assignments_cohort_id", "assignments", ["cohort_id"])
    op.create_table(
        "quiz_answers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("assignment_id", sa.Integer,
                  sa.ForeignKey("assignments.id", ondelete="CASCADE"), nullable=True),
        sa.Column("lesson_id", sa.String(64), nullable=False),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("phase", sa.String(8), nullable=False),
        sa.Column("chosen", sa.JSON, nullable=True),
        sa.Column("correct", sa.Boolean, nullable=False),
        sa.Column("answered_at", TS, nullable=False),
    )
    op.create_index("ix_quiz_answers_user_id", "quiz_answers", ["user_id"])
    op.create_index("ix_quiz_answers_assignment_id", "quiz_answers", ["assignment_id"])
    with op.batch_alter_table("attempts") as b:
        b.add_column(sa.Column("user_id", sa.Integer, nullable=True))
        b.add_column(sa.Column("assignment_id", sa.Integer, nullable=True))
        b.add_column(sa.Column("case_version_id", sa.Integer, nullable=True))
        b.add_column(sa.Column("index_share", sa.Float, nullable=True))
        b.add_column(sa.Column("result", sa.JSON, nullable=True))
        b.add_column(sa.Column("finished_at", TS, nullable=True))
        b.create_foreign_key("fk_attempts_user_id", "users", ["user_id"], ["id"])
        b.create_foreign_key("fk_attempts_assignment_id", "assignments", ["assignment_id"],
                             ["id"])
        b.create_foreign_key("fk_attempts_case_version_id", "case_versions",
                             ["case_version_id"], ["id"])
        b.create_index("ix_attempts_user_id", ["user_id"])
        b.create_index("ix_attempts_assignment_id", ["assignment_id"])


def downgrade() -> None:
    with op.batch_alter_table("attempts") as b:
        b.drop_index("ix_attempts_assignment_id")
        b.drop_index("ix_attempts_user_id")
        b.drop_constraint("fk_attempts_case_version_id", type_="foreignkey")
        b.drop_constraint("fk_attempts_assignment_id", type_="foreignkey")
        b.drop_constraint("fk_attempts_user_id", type_="foreignkey")
        for col in ("finished_at", "result", "index_share", "case_version_id",
                    "assignment_id", "user_id"):
            b.drop_column(col)
    for table in ("quiz_answers", "assignments", "case_versions", "enrolments", "cohorts",
                  "sessions", "sign_in_failures", "users"):
        op.drop_table(table)
