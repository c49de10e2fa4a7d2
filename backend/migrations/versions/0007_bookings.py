"""bookings: queue numbers booked ahead per site, service and window; walk-ins rank after them

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.models

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("window_start", sa.String(length=5), nullable=False),
        sa.Column("window_minutes", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("phone", sa.String(length=15), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", backend.models.UTCDateTime(), nullable=False),
        sa.Column("cancelled_at", backend.models.UTCDateTime(), nullable=True),
        sa.Column("checked_in_at", backend.models.UTCDateTime(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_bookings_site_id_sites")),
        sa.ForeignKeyConstraint(
            ["site_id", "service_id"], ["services.site_id", "services.id"], name="fk_bookings_service"
        ),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_bookings_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        sa.UniqueConstraint("code", name=op.f("uq_bookings_code")),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bookings_window", ["site_id", "service_id", "day", "window_start", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_bookings_phone"), ["phone"], unique=False)
    op.create_table(
        "booking_capacity",
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("per_window", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id", "service_id"], ["services.site_id", "services.id"], name="fk_booking_capacity_service"
        ),
        sa.PrimaryKeyConstraint("site_id", "service_id", name=op.f("pk_booking_capacity")),
    )
    op.create_table(
        "booking_closures",
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("window_start", sa.String(length=5), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("closed_by", sa.String(length=120), nullable=False),
        sa.Column("closed_at", backend.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_booking_closures_site_id_sites")),
        sa.PrimaryKeyConstraint(
            "site_id", "service_id", "day", "window_start", name=op.f("pk_booking_closures")
        ),
    )
    # A message may be about a booking (its window cancelled) instead of a dossier.
    with op.batch_alter_table("notify_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("booking_id", sa.Integer(), nullable=True))
        batch_op.alter_column("dossier_code", existing_type=sa.String(length=32), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_notify_outbox_booking_id_bookings"),
            "bookings",
            ["booking_id"],
            ["id"],
            ondelete="CASCADE",
        )
    # Walk-ins now rank after booked tickets: 0 priority groups, 1 booked, 2 walk-ins.
    op.execute("UPDATE tickets SET priority_rank = 2 WHERE priority_rank = 1")


def downgrade() -> None:
    op.execute("UPDATE tickets SET priority_rank = 1 WHERE priority_rank = 2")
    op.execute("DELETE FROM notify_outbox WHERE booking_id IS NOT NULL")
    with op.batch_alter_table("notify_outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_notify_outbox_booking_id_bookings"), type_="foreignkey")
        batch_op.alter_column("dossier_code", existing_type=sa.String(length=32), nullable=False)
        batch_op.drop_column("booking_id")
    op.drop_table("booking_closures")
    op.drop_table("booking_capacity")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bookings_phone"))
        batch_op.drop_index("ix_bookings_window")
    op.drop_table("bookings")
