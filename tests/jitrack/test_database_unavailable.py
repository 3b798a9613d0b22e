"""A database that cannot be reached answers 503 with Retry-After, a page on the site and a JSON
body under /api/ (jitrack.middleware.DatabaseUnavailableMiddleware), writes nothing, and the next
request after the outage is served as usual. The outage is real: the connection is closed and the
next connect goes to a port where nothing listens (PostgreSQL) or to a file that cannot be opened
(SQLite)."""

import socket
from decimal import Decimal

import psycopg2
import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from fees.models import Payment
from jitrack.middleware import is_connection_error
from projects.models import Event
from tests.support import determination_invoice, login

pytestmark = pytest.mark.django_db(transaction=True)

DETAIL = (
    "The database cannot be reached just now, so this request was not carried out. "
    "Try again in a minute."
)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free again once closed: nothing listens there


@pytest.fixture
def fee_due(cycle):
    """Project 0001 with its USD 8,500.00 determination invoice issued and unpaid."""
    return determination_invoice(cycle.determination_submitted())


@pytest.fixture
def outage():
    """Call it to take the database away; the fixture brings it back after the test."""
    saved = dict(connection.settings_dict)

    def start():
        connection.close()
        if connection.vendor == "postgresql":
            connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
        else:
            connection.settings_dict["NAME"] = "/nonexistent-jitrack-dir/db.sqlite3"

    def end():
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)

    start.end = end
    yield start
    end()


def test_page_answers_503_with_a_page_and_retry_after(client, outage):
    outage()
    response = client.get("/projects/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert "<h1>Temporarily unavailable</h1>" in html
    assert DETAIL in html
    assert "Please reload this page in 30 seconds." in html
    assert "style-src 'self'" in response["Content-Security-Policy"]


def test_api_answers_503_with_code_and_detail(client, outage):
    outage()
    response = client.get("/api/projects/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {"code": "service_unavailable", "detail": DETAIL}


def test_signed_in_write_during_the_outage_is_503_and_changes_nothing(
    fee_due, secretariat, client, sec_api, outage
):
    login(client, secretariat)
    events = Event.objects.count()
    outage()
    form = {
        "amount_usd": "8500.00",
        "received_on": timezone.localdate().isoformat(),
        "reference": "BANK-1",
    }
    page = client.post("/projects/0001/fee/payment/", form)
    api = sec_api.post(f"/api/invoices/{fee_due.number}/payments/", form, format="json")
    assert (page.status_code, api.status_code) == (503, 503)
    assert api.json()["code"] == "service_unavailable"
    outage.end()
    assert not Payment.objects.exists()
    assert Event.objects.count() == events
    fee_due.refresh_from_db()
    assert (fee_due.status, fee_due.paid_usd) == ("issued", Decimal("0.00"))


def test_the_next_request_after_the_outage_is_served(client, outage):
    outage()
    assert client.get("/projects/").status_code == 503
    outage.end()
    assert client.get("/projects/").status_code == 200
    assert client.get("/api/projects/").status_code == 200


def test_connection_lost_in_the_middle_of_an_act_leaves_nothing_half_written(
    fee_due, secretariat, client
):
    """PostgreSQL ends the request's connection (pg_terminate_backend, as a restart or a network
    cut would) right after the act's first INSERT: the act's transaction goes with it."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite has no server to end the connection (pg_terminate_backend is PostgreSQL's); "
            "CI runs this on PostgreSQL"
        )
    login(client, secretariat)
    events = Event.objects.count()
    params = connection.get_connection_params()

    def cut_after_the_payment_insert(execute, sql, params_, many, context):
        result = execute(sql, params_, many, context)
        if sql.startswith('INSERT INTO "fees_payment"'):
            pid = context["connection"].connection.get_backend_pid()
            with psycopg2.connect(**params) as other, other.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        return result

    form = {
        "amount_usd": "8500.00",
        "received_on": timezone.localdate().isoformat(),
        "reference": "BANK-1",
    }
    with connection.execute_wrapper(cut_after_the_payment_insert):
        response = client.post("/projects/0001/fee/payment/", form)
    assert response.status_code == 503
    connection.close()
    assert not Payment.objects.exists()
    assert Event.objects.count() == events
    fee_due.refresh_from_db()
    assert (fee_due.status, fee_due.paid_usd) == ("issued", Decimal("0.00"))


def real_error(sql: str) -> DatabaseError:
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql)
    return caught.value


def test_only_connection_errors_count_as_an_outage(outage):
    # Errors in what was asked are not an outage, whatever their class: a missing table
    # (OperationalError on SQLite), a statement cancelled by its timeout (OperationalError,
    # SQLSTATE 57014, on PostgreSQL).
    assert not is_connection_error(real_error("SELECT * FROM no_such_table"))
    if connection.vendor == "postgresql":
        timeout = real_error("SET LOCAL statement_timeout = 1; SELECT pg_sleep(1)")
        assert timeout.__cause__.pgcode == "57014"
        assert not is_connection_error(timeout)
    outage()
    refused = real_error("SELECT 1")
    assert is_connection_error(refused)
