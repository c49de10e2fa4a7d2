"""sites: one deployment serves many service points; an existing database moves into site 'default'

The single-row `site` table becomes `sites` (id slug, name, address, time zone, values). Counters
and services are keyed by (site_id, id); tickets, their day counters, devices, feedback, handoffs,
unanswered questions and failed look-ups get a site; staff users get an optional site (none:
city-wide). Every existing row is kept and belongs to the default site afterwards; existing counter
staff belong to it too, the other roles stay city-wide.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 06:30:00
"""

from collections.abc import Sequence
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

import backend.models

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT = "default"
TIME_ZONE = "Asia/Ho_Chi_Minh"
# Tables whose every row belongs to one site (a plain column, an index and a foreign key).
SITE_ROWS = ("devices", "feedback", "handoffs", "unanswered_questions", "failed_lookups")


def _create_sites() -> None:
    op.create_table(
        "sites",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", backend.models.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("loaded_version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
    )
    connection = op.get_bind()
    old = sa.table(
        "site",
        sa.column("id", sa.Integer()),
        sa.column("data", sa.JSON()),
        sa.column("version", sa.Integer()),
        sa.column("updated_at", backend.models.UTCDateTime()),
        sa.column("updated_by", sa.String()),
        sa.column("loaded_version", sa.Integer()),
    )
    row = connection.execute(sa.select(old).order_by(old.c.id).limit(1)).first()
    data = dict(row.data) if row is not None else {}
    sites = sa.table(
        "sites",
        sa.column("id", sa.String()),
        sa.column("name", sa.String()),
        sa.column("address", sa.String()),
        sa.column("time_zone", sa.String()),
        sa.column("data", sa.JSON()),
        sa.column("version", sa.Integer()),
        sa.column("updated_at", backend.models.UTCDateTime()),
        sa.column("updated_by", sa.String()),
        sa.column("loaded_version", sa.Integer()),
    )
    connection.execute(
        sa.insert(sites).values(
            id=DEFAULT,
            name=str(data.get("name") or "Điểm phục vụ"),
            address=str(data.get("address") or ""),
            time_zone=TIME_ZONE,
            data=data,
            version=row.version if row is not None else 1,
            updated_at=row.updated_at if row is not None else datetime.now(timezone.utc),
            updated_by=row.updated_by if row is not None else "migration-0005",
            loaded_version=row.loaded_version if row is not None else None,
        )
    )
    op.drop_table("site")


def _site_column(nullable: bool = False) -> sa.Column[str]:
    default = None if nullable else DEFAULT
    return sa.Column("site_id", sa.String(length=64), nullable=nullable, server_default=default)


def upgrade() -> None:
    _create_sites()
    # What points at a service or a counter by its id alone goes first: those keys become pairs.
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint("fk_tickets_issued_service_id_services", type_="foreignkey")
        batch_op.drop_constraint("fk_tickets_service_id_services", type_="foreignkey")
        batch_op.drop_constraint("fk_tickets_counter_id_counters", type_="foreignkey")
        batch_op.drop_constraint("uq_tickets_number", type_="unique")
        batch_op.drop_index("ix_tickets_queue")
    with op.batch_alter_table("ticket_day_counters", schema=None) as batch_op:
        batch_op.drop_constraint("fk_ticket_day_counters_service_id_services", type_="foreignkey")
        batch_op.drop_constraint("pk_ticket_day_counters", type_="primary")
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_constraint("uq_services_letter", type_="unique")
        batch_op.drop_constraint("pk_services", type_="primary")
    with op.batch_alter_table("counters", schema=None) as batch_op:
        batch_op.drop_constraint("pk_counters", type_="primary")

    for table in ("services", "counters"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(_site_column())
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("site_id", server_default=None)
            batch_op.create_primary_key(f"pk_{table}", ["site_id", "id"])
            batch_op.create_foreign_key(f"fk_{table}_site_id_sites", "sites", ["site_id"], ["id"])
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_services_site_letter", ["site_id", "letter"])

    with op.batch_alter_table("ticket_day_counters", schema=None) as batch_op:
        batch_op.add_column(_site_column())
    with op.batch_alter_table("ticket_day_counters", schema=None) as batch_op:
        batch_op.alter_column("site_id", server_default=None)
        batch_op.create_primary_key("pk_ticket_day_counters", ["site_id", "service_id", "service_day"])
        batch_op.create_foreign_key("fk_ticket_day_counters_site_id_sites", "sites", ["site_id"], ["id"])
        batch_op.create_foreign_key(
            "fk_ticket_day_counters_service", "services", ["site_id", "service_id"], ["site_id", "id"]
        )

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(_site_column())
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.alter_column("site_id", server_default=None)
        batch_op.create_foreign_key("fk_tickets_site_id_sites", "sites", ["site_id"], ["id"])
        batch_op.create_foreign_key(
            "fk_tickets_issued_service", "services", ["site_id", "issued_service_id"], ["site_id", "id"]
        )
        batch_op.create_foreign_key(
            "fk_tickets_service", "services", ["site_id", "service_id"], ["site_id", "id"]
        )
        batch_op.create_foreign_key(
            "fk_tickets_counter", "counters", ["site_id", "counter_id"], ["site_id", "id"]
        )
        batch_op.create_unique_constraint(
            "uq_tickets_number", ["site_id", "issued_service_id", "service_day", "sequence"]
        )
        batch_op.create_index(
            "ix_tickets_queue",
            ["site_id", "service_id", "status", "service_day", "priority_rank", "queued_at"],
        )

    for table in SITE_ROWS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(_site_column())
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("site_id", server_default=None)
            batch_op.create_index(f"ix_{table}_site_id", ["site_id"])
            batch_op.create_foreign_key(f"fk_{table}_site_id_sites", "sites", ["site_id"], ["id"])

    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(_site_column(nullable=True))
        batch_op.create_index("ix_staff_users_site_id", ["site_id"])
        batch_op.create_foreign_key("fk_staff_users_site_id_sites", "sites", ["site_id"], ["id"])
    users = sa.table("staff_users", sa.column("role", sa.String()), sa.column("site_id", sa.String()))
    op.get_bind().execute(sa.update(users).where(users.c.role == "counter").values(site_id=DEFAULT))


def downgrade() -> None:
    """Back to one site: possible only while every row belongs to the default site."""
    connection = op.get_bind()
    sites = sa.table("sites", sa.column("id", sa.String()))
    others = connection.execute(sa.select(sa.func.count()).select_from(sites).where(sites.c.id != DEFAULT))
    if others.scalar_one():
        raise RuntimeError("several sites: the database cannot go back to a single-site schema")
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_constraint("fk_staff_users_site_id_sites", type_="foreignkey")
        batch_op.drop_index("ix_staff_users_site_id")
        batch_op.drop_column("site_id")
    for table in SITE_ROWS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_site_id_sites", type_="foreignkey")
            batch_op.drop_index(f"ix_{table}_site_id")
            batch_op.drop_column("site_id")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_queue")
        batch_op.drop_constraint("uq_tickets_number", type_="unique")
        for name in ("fk_tickets_counter", "fk_tickets_service", "fk_tickets_issued_service"):
            batch_op.drop_constraint(name, type_="foreignkey")
        batch_op.drop_constraint("fk_tickets_site_id_sites", type_="foreignkey")
        batch_op.drop_column("site_id")
    with op.batch_alter_table("ticket_day_counters", schema=None) as batch_op:
        batch_op.drop_constraint("fk_ticket_day_counters_service", type_="foreignkey")
        batch_op.drop_constraint("fk_ticket_day_counters_site_id_sites", type_="foreignkey")
        batch_op.drop_constraint("pk_ticket_day_counters", type_="primary")
        batch_op.drop_column("site_id")
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_constraint("uq_services_site_letter", type_="unique")
    for table in ("services", "counters"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_site_id_sites", type_="foreignkey")
            batch_op.drop_constraint(f"pk_{table}", type_="primary")
            batch_op.drop_column("site_id")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_primary_key(f"pk_{table}", ["id"])
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_services_letter", ["letter"])
    with op.batch_alter_table("ticket_day_counters", schema=None) as batch_op:
        batch_op.create_primary_key("pk_ticket_day_counters", ["service_id", "service_day"])
        batch_op.create_foreign_key(
            "fk_ticket_day_counters_service_id_services", "services", ["service_id"], ["id"]
        )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_tickets_issued_service_id_services", "services", ["issued_service_id"], ["id"]
        )
        batch_op.create_foreign_key("fk_tickets_service_id_services", "services", ["service_id"], ["id"])
        batch_op.create_foreign_key("fk_tickets_counter_id_counters", "counters", ["counter_id"], ["id"])
        batch_op.create_unique_constraint(
            "uq_tickets_number", ["issued_service_id", "service_day", "sequence"]
        )
        batch_op.create_index(
            "ix_tickets_queue", ["service_id", "status", "service_day", "priority_rank", "queued_at"]
        )
    _drop_sites()


def _drop_sites() -> None:
    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", backend.models.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("loaded_version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
    )
    connection = op.get_bind()
    sites = sa.table(
        "sites",
        sa.column("id", sa.String()),
        sa.column("data", sa.JSON()),
        sa.column("version", sa.Integer()),
        sa.column("updated_at", backend.models.UTCDateTime()),
        sa.column("updated_by", sa.String()),
        sa.column("loaded_version", sa.Integer()),
    )
    row = connection.execute(sa.select(sites).where(sites.c.id == DEFAULT)).first()
    if row is not None and row.data:
        site = sa.table(
            "site",
            sa.column("id", sa.Integer()),
            sa.column("data", sa.JSON()),
            sa.column("version", sa.Integer()),
            sa.column("updated_at", backend.models.UTCDateTime()),
            sa.column("updated_by", sa.String()),
            sa.column("loaded_version", sa.Integer()),
        )
        connection.execute(
            sa.insert(site).values(
                id=1,
                data=row.data,
                version=row.version,
                updated_at=row.updated_at,
                updated_by=row.updated_by,
                loaded_version=row.loaded_version,
            )
        )
    op.drop_table("sites")
