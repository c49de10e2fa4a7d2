"""revocable staff tokens, lock-out by name and source, idempotency request hash

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.models

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token_version", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.alter_column("token_version", server_default=None)
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "login_failures",
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_at", backend.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("username", "source", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failures_last_at"), ["last_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failures_last_at"))
    op.drop_table("login_failures")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("request_hash")
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_column("token_version")
