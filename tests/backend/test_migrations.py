"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from backend.models import Base


def test_migrated_schema_matches_the_models(database):
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
        tables = set(inspect(connection).get_table_names())
    assert differences == []
    assert {"tickets", "ticket_day_counters", "dossiers", "devices", "staff_users", "audit_log"} <= tables


def test_ticket_numbers_are_unique_by_constraint(database):
    constraints = inspect(database.engine).get_unique_constraints("tickets")
    columns = {tuple(c["column_names"]) for c in constraints}
    assert ("issued_service_id", "service_day", "sequence") in columns
