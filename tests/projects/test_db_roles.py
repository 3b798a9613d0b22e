"""The app's database role (docker-compose: web, worker and beat) cannot alter the record: it
may read and insert the logs, and neither update, delete, truncate, nor switch the append-only
triggers off (``manage.py grant_app_role``; issue 14)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from projects import ledger
from projects.management.commands.grant_app_role import append_only_tables
from projects.models import Event

pytestmark = [
    pytest.mark.usefixtures("fast_pdfs"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite, the embedded default, has no database roles or grants; CI runs this on "
        "PostgreSQL",
    ),
]

ATTEMPTS = [
    "UPDATE projects_event SET actor_label = 'Someone else'",
    "UPDATE projects_event SET created_at = created_at - interval '400 days'",
    "DELETE FROM projects_event",
    "TRUNCATE projects_event CASCADE",
    "DELETE FROM reviews_reviewlog",
    "UPDATE projects_eventseal SET hash = hash",
    "DELETE FROM projects_dailyhead",
    "ALTER TABLE projects_event DISABLE TRIGGER projects_event_append_only",
    "DROP TRIGGER projects_event_append_only ON projects_event",
    "SET session_replication_role = replica",
    "DROP FUNCTION jitrack_append_only() CASCADE",
]


@pytest.fixture
def app_role(db):
    """A role like docker-compose's app role, for this test database only."""
    name = f"{connection.settings_dict['NAME']}_app"[:60]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE ROLE "{name}" NOLOGIN NOSUPERUSER')
    out = io.StringIO()
    call_command("grant_app_role", name, stdout=out)
    assert "insert-only on 5 append-only table(s)" in out.getvalue()
    yield name
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def test_the_append_only_tables_are_the_logs_their_seals_and_the_daily_heads(db):
    assert append_only_tables() == [
        "projects_dailyhead",
        "projects_event",
        "projects_eventseal",
        "reviews_reviewlog",
        "reviews_reviewlogseal",
    ]


def test_the_app_role_cannot_rewrite_the_record(cycle, app_role):
    cycle.open()
    ledger.seal_all()
    before = Event.objects.count()
    for sql in ATTEMPTS:
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f'SET LOCAL ROLE "{app_role}"')
                cursor.execute(sql)
        assert Event.objects.count() == before, sql
    out = io.StringIO()
    call_command("verify_log", stdout=out)
    assert f"events: {before} link(s) verified" in out.getvalue()


def test_the_app_role_does_its_work(cycle, app_role):
    """The acts run under it: they read, insert events and seals, update projects."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{app_role}"')
        project = cycle.open()
        assert ledger.seal_all()["events"] > 0
        assert project.events.count() > 3


def test_grant_app_role_names_an_unknown_role(db):
    with pytest.raises(CommandError, match="No database role"):
        call_command("grant_app_role", "no_such_role_anywhere", stdout=io.StringIO())
