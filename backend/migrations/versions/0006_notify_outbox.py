"""status messages: consents per dossier and channel, the outbox, and each delivery attempt

Dossiers are city-wide, and so are their consents and messages (no site column); a message names
the default site's counter until consents record the site they were given at.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.models

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notify_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_code", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=True),
        sa.Column("opt_out_token", sa.String(length=64), nullable=True),
        sa.Column("agreed_at", backend.models.UTCDateTime(), nullable=False),
        sa.Column("agreed_by", sa.String(length=120), nullable=False),
        sa.Column("revoked_at", backend.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_code"],
            ["dossiers.code"],
            name=op.f("fk_notify_consents_dossier_code_dossiers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_consents")),
        sa.UniqueConstraint("dossier_code", "channel", name=op.f("uq_notify_consents_dossier_code")),
        sa.UniqueConstraint("opt_out_token", name=op.f("uq_notify_consents_opt_out_token")),
    )
    op.create_table(
        "notify_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("dossier_code", sa.String(length=32), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("dossier_status", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", backend.models.UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", backend.models.UTCDateTime(), nullable=False),
        sa.Column("lease_until", backend.models.UTCDateTime(), nullable=True),
        sa.Column("sent_at", backend.models.UTCDateTime(), nullable=True),
        sa.Column("provider_id", sa.String(length=200), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["consent_id"],
            ["notify_consents.id"],
            name=op.f("fk_notify_outbox_consent_id_notify_consents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dossier_code"],
            ["dossiers.code"],
            name=op.f("fk_notify_outbox_dossier_code_dossiers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_notify_outbox_key")),
    )
    with op.batch_alter_table("notify_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notify_outbox_dossier_code"), ["dossier_code"], unique=False)
        batch_op.create_index("ix_notify_outbox_state_due", ["state", "next_attempt_at"], unique=False)

    op.create_table(
        "notify_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_at", backend.models.UTCDateTime(), nullable=False),
        sa.Column("finished_at", backend.models.UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("error_code", sa.String(length=60), nullable=True),
        sa.Column("detail", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["notify_outbox.id"],
            name=op.f("fk_notify_attempts_message_id_notify_outbox"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_attempts")),
    )
    with op.batch_alter_table("notify_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notify_attempts_message_id"), ["message_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notify_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notify_attempts_message_id"))

    op.drop_table("notify_attempts")
    with op.batch_alter_table("notify_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_notify_outbox_state_due")
        batch_op.drop_index(batch_op.f("ix_notify_outbox_dossier_code"))

    op.drop_table("notify_outbox")
    op.drop_table("notify_consents")
