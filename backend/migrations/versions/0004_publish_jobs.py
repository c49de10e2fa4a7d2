"""publish jobs: staff requests to retrain the assistant, claimed and reported by the NLU side

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.models

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "publish_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("force", sa.Boolean(), nullable=False),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("requested_at", backend.models.UTCDateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=120), nullable=True),
        sa.Column("started_at", backend.models.UTCDateTime(), nullable=True),
        sa.Column("finished_at", backend.models.UTCDateTime(), nullable=True),
        sa.Column("updated_at", backend.models.UTCDateTime(), nullable=False),
        sa.Column("step", sa.String(length=200), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("output", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publish_jobs")),
    )
    with op.batch_alter_table("publish_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publish_jobs_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("publish_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publish_jobs_status"))
    op.drop_table("publish_jobs")
