"""Give the application's database role what it needs and no more (PostgreSQL).

Run as the tables' owner after ``migrate`` (docker-compose's ``migrate`` service does). The app
role may read and write the tables, but on the append-only tables (those with a
``*_append_only`` trigger: the event log, the review log, their seals, the daily heads) it may
only read and insert: UPDATE, DELETE and TRUNCATE are not granted. Owning nothing, it can
neither drop nor disable the triggers, and, not a superuser, it cannot switch them off with
``session_replication_role``. The owner keeps those powers; the hash chain
(``projects.ledger``, ``verify_log``) shows what the owner changed.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg2 import sql


def append_only_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT event_object_table FROM information_schema.triggers "
            "WHERE trigger_schema = current_schema() AND trigger_name LIKE %s "
            "ORDER BY 1",
            ["%\\_append\\_only"],
        )
        return [row[0] for row in cursor.fetchall()]


def grant(role: str) -> list[str]:
    """Grant ``role`` the app's privileges; return the append-only tables."""
    tables = append_only_tables()
    ident = sql.Identifier(role)
    statements = [
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(ident),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(
            ident
        ),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(ident),
        sql.SQL("REVOKE TRUNCATE ON ALL TABLES IN SCHEMA public FROM {}").format(ident),
    ]
    statements += [
        sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}").format(sql.Identifier(table), ident)
        for table in tables
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return tables


class Command(BaseCommand):
    help = "Grant the app's database role its privileges; the logs stay insert-only for it."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role the web, worker and beat connect as")

    def handle(self, *args, role: str, **options):
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role is for PostgreSQL (SQLite has no roles).")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"No database role {role!r}: create it first.")
        tables = grant(role)
        self.stdout.write(
            f"{role}: read and write; insert-only on {len(tables)} append-only table(s): "
            + ", ".join(tables)
        )
