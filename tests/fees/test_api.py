"""The fees REST API: the public quote (exact contract), a project's fee and fee account,
invoices with payments and credit notes, reimbursements, the schema and query budgets.

Data goes through the real workflow and ``fees.services``: ``cycle.determination_submitted()``
gives project 0001 with a USD 8,500.00 determination invoice issued (50,000 t expected a year).
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.test import APIClient

from fees import services as fee_services
from fees.models import CreditNote, FeeAssessment, Invoice, Payment, Reimbursement
from projects.workflow import lock
from tests.support import (
    add_verification_invoices,
    assert_error,
    client_for,
    determination_invoice,
    openapi_schema,
)

pytestmark = pytest.mark.django_db

D = Decimal
QUOTE = "/api/fees/quote/"


# --- the public quote: contract --------------------------------------------------------------


def line(tonnes, rate, amount):
    return {"tonnes": tonnes, "rate_usd": rate, "amount_usd": amount}


DETERMINATION_QUOTES = [
    (
        "expected_annual_reductions=100000",
        "v3",
        "18500.00",
        [line(15000, "0.10", "1500.00"), line(85000, "0.20", "17000.00")],
    ),
    ("expected_annual_reductions=0", "v3", "0.00", []),
    ("expected_annual_reductions=14999", "v3", "0.00", []),
    ("expected_annual_reductions=15000", "v3", "1500.00", [line(15000, "0.10", "1500.00")]),
    (
        "expected_annual_reductions=15001",
        "v3",
        "1500.20",
        [line(15000, "0.10", "1500.00"), line(1, "0.20", "0.20")],
    ),
    (
        "expected_annual_reductions=50000",
        "v3",
        "8500.00",
        [line(15000, "0.10", "1500.00"), line(35000, "0.20", "7000.00")],
    ),
    # The cap: the lines stop where USD 350,000 is reached.
    (
        "expected_annual_reductions=10000000",
        "v3",
        "350000.00",
        [line(15000, "0.10", "1500.00"), line(1742500, "0.20", "348500.00")],
    ),
    (
        "expected_annual_reductions=1757500",
        "v3",
        "350000.00",
        [line(15000, "0.10", "1500.00"), line(1742500, "0.20", "348500.00")],
    ),
    (
        "expected_annual_reductions=1000000000000",
        "v3",
        "350000.00",
        [line(15000, "0.10", "1500.00"), line(1742500, "0.20", "348500.00")],
    ),
    # Programmes of activities: the first-tier rate on everything, same cap.
    (
        "expected_annual_reductions=50000&poa=true",
        "v3",
        "5000.00",
        [line(50000, "0.10", "5000.00")],
    ),
    ("expected_annual_reductions=14999&poa=true", "v3", "0.00", []),
    (
        "expected_annual_reductions=10000000&poa=true",
        "v3",
        "350000.00",
        [line(3500000, "0.10", "350000.00")],
    ),
    # Small-scale projects pay no advance under v3.
    ("expected_annual_reductions=100000&small_scale=true", "v3", "0.00", []),
    ("expected_annual_reductions=100000&small_scale=true&schedule=v3", "v3", "0.00", []),
    (
        "expected_annual_reductions=100000&small_scale=false&poa=false",
        "v3",
        "18500.00",
        [line(15000, "0.10", "1500.00"), line(85000, "0.20", "17000.00")],
    ),
    # v2: 15,000 t or less, or small-scale, pays nothing.
    ("expected_annual_reductions=15000&schedule=v2", "v2", "0.00", []),
    (
        "expected_annual_reductions=15001&schedule=v2",
        "v2",
        "1500.20",
        [line(15000, "0.10", "1500.00"), line(1, "0.20", "0.20")],
    ),
    ("expected_annual_reductions=100000&schedule=v2&small_scale=true", "v2", "0.00", []),
]


@pytest.mark.parametrize(("query", "schedule", "amount", "lines"), DETERMINATION_QUOTES)
def test_quote_determination(anon, query, schedule, amount, lines):
    r = anon.get(f"{QUOTE}?kind=determination&{query}")
    assert r.status_code == 200, r.content
    assert r.json() == {
        "kind": "determination",
        "schedule": schedule,
        "amount_usd": amount,
        "lines": lines,
    }


VERIFICATION_QUOTES = [
    ("reductions=0", "v3", "0.00", []),
    ("reductions=10000", "v3", "1000.00", [line(10000, "0.10", "1000.00")]),
    (
        "reductions=20000",
        "v3",
        "2500.00",
        [line(15000, "0.10", "1500.00"), line(5000, "0.20", "1000.00")],
    ),
    # The year's first 15,000 t are shared: 5,000 t left at 0.10, the rest at 0.20.
    (
        "reductions=20000&already_this_year=10000",
        "v3",
        "3500.00",
        [line(5000, "0.10", "500.00"), line(15000, "0.20", "3000.00")],
    ),
    (
        "reductions=15000&already_this_year=10000",
        "v3",
        "2500.00",
        [line(5000, "0.10", "500.00"), line(10000, "0.20", "2000.00")],
    ),
    ("reductions=1000&already_this_year=15000", "v3", "200.00", [line(1000, "0.20", "200.00")]),
    ("reductions=1000&already_this_year=", "v3", "100.00", [line(1000, "0.10", "100.00")]),
    # No cap on verification fees; up to 10^12 t.
    (
        "reductions=1000000000000",
        "v3",
        "199999998500.00",
        [line(15000, "0.10", "1500.00"), line(999999985000, "0.20", "199999997000.00")],
    ),
    (
        "reductions=1000000000000&already_this_year=1000000000000",
        "v3",
        "200000000000.00",
        [line(1000000000000, "0.20", "200000000000.00")],
    ),
    # Programmes of activities: 0.10 on all reductions, whatever the year already had.
    ("reductions=20000&poa=true", "v3", "2000.00", [line(20000, "0.10", "2000.00")]),
    (
        "reductions=20000&already_this_year=30000&poa=true",
        "v3",
        "2000.00",
        [line(20000, "0.10", "2000.00")],
    ),
    # Small-scale projects pay verification fees as any project under v3.
    ("reductions=10000&small_scale=true", "v3", "1000.00", [line(10000, "0.10", "1000.00")]),
    # v2 exempts small-scale projects and those expecting 15,000 t a year or less.
    ("reductions=20000&schedule=v2&small_scale=true", "v2", "0.00", []),
    ("reductions=20000&schedule=v2&expected_annual_reductions=15000", "v2", "0.00", []),
    (
        "reductions=20000&schedule=v2&expected_annual_reductions=15001",
        "v2",
        "2500.00",
        [line(15000, "0.10", "1500.00"), line(5000, "0.20", "1000.00")],
    ),
]


@pytest.mark.parametrize(("query", "schedule", "amount", "lines"), VERIFICATION_QUOTES)
def test_quote_verification(anon, query, schedule, amount, lines):
    r = anon.get(f"{QUOTE}?kind=verification&{query}")
    assert r.status_code == 200, r.content
    assert r.json() == {
        "kind": "verification",
        "schedule": schedule,
        "amount_usd": amount,
        "lines": lines,
    }


def test_quote_is_public_and_ignores_credentials(anon, pp_api, sec_api):
    url = f"{QUOTE}?kind=determination&expected_annual_reductions=100000"
    bodies = [c.get(url).json() for c in (anon, pp_api, sec_api)]
    assert bodies[0]["amount_usd"] == "18500.00"
    assert bodies[0] == bodies[1] == bodies[2]
    # A bad token is still refused by the authentication layer, not a server error.
    bad = anon.get(url, HTTP_AUTHORIZATION="Token nonsense")
    assert_error(bad, 401, "not_authenticated")


def test_quote_shape_types(anon):
    body = anon.get(f"{QUOTE}?kind=determination&expected_annual_reductions=100000").json()
    assert set(body) == {"kind", "schedule", "amount_usd", "lines"}
    for item in body["lines"]:
        assert set(item) == {"tonnes", "rate_usd", "amount_usd"}
        assert type(item["tonnes"]) is int
        assert isinstance(item["rate_usd"], str) and isinstance(item["amount_usd"], str)
    assert isinstance(body["amount_usd"], str)
    assert body["amount_usd"].split(".")[1] == "00"


def test_quote_lines_add_up_to_the_total(anon):
    for tonnes in (15000, 15001, 33333, 1757499, 1757500, 1757501, 999999999999):
        body = anon.get(f"{QUOTE}?kind=determination&expected_annual_reductions={tonnes}").json()
        assert sum(D(x["amount_usd"]) for x in body["lines"]) == D(body["amount_usd"])
        for x in body["lines"]:
            assert D(x["rate_usd"]) * x["tonnes"] == D(x["amount_usd"])


def test_quote_exactly_ten_to_the_twelve_is_accepted_and_one_more_is_not(anon):
    ok = anon.get(f"{QUOTE}?kind=verification&reductions={10**12}&already_this_year={10**12}")
    assert ok.status_code == 200
    r = anon.get(f"{QUOTE}?kind=verification&reductions={10**12 + 1}")
    assert_error(r, 400, "invalid", "reductions")
    r = anon.get(f"{QUOTE}?kind=verification&reductions=1&already_this_year={10**12 + 1}")
    assert_error(r, 400, "invalid", "already_this_year")
    r = anon.get(f"{QUOTE}?kind=determination&expected_annual_reductions={10**12 + 1}")
    assert_error(r, 400, "invalid", "expected_annual_reductions")


BAD_QUOTES = [
    # (query, code, field)
    ("kind=determination&expected_annual_reductions=-1", "invalid", "expected_annual_reductions"),
    ("kind=determination&expected_annual_reductions=-0", "invalid", "expected_annual_reductions"),
    ("kind=determination&expected_annual_reductions=1.5", "invalid", "expected_annual_reductions"),
    ("kind=determination&expected_annual_reductions=1.0", "invalid", "expected_annual_reductions"),
    ("kind=determination&expected_annual_reductions=abc", "invalid", "expected_annual_reductions"),
    ("kind=determination&expected_annual_reductions=1e3", "invalid", "expected_annual_reductions"),
    ("kind=determination&expected_annual_reductions=0x10", "invalid", "expected_annual_reductions"),
    ("kind=determination&expected_annual_reductions=%2B5", "invalid", "expected_annual_reductions"),
    ("kind=determination&expected_annual_reductions=NaN", "invalid", "expected_annual_reductions"),
    (
        "kind=determination&expected_annual_reductions=Infinity",
        "invalid",
        "expected_annual_reductions",
    ),
    (
        "kind=determination&expected_annual_reductions=1000000000001",
        "invalid",
        "expected_annual_reductions",
    ),
    (
        "kind=determination&expected_annual_reductions=99999999999999999999",
        "invalid",
        "expected_annual_reductions",
    ),
    ("kind=determination&expected_annual_reductions=", "required", "expected_annual_reductions"),
    ("kind=determination&expected_annual_reductions=%20", "required", "expected_annual_reductions"),
    ("kind=determination", "required", "expected_annual_reductions"),
    # The verification figure does not stand in for the determination one.
    ("kind=determination&reductions=50000", "required", "expected_annual_reductions"),
    ("kind=verification", "required", "reductions"),
    ("kind=verification&reductions=", "required", "reductions"),
    ("kind=verification&expected_annual_reductions=50000", "required", "reductions"),
    ("kind=verification&reductions=-5", "invalid", "reductions"),
    ("kind=verification&reductions=2.5", "invalid", "reductions"),
    ("kind=verification&reductions=ten", "invalid", "reductions"),
    ("kind=verification&reductions=10&already_this_year=-1", "invalid", "already_this_year"),
    ("kind=verification&reductions=10&already_this_year=1.5", "invalid", "already_this_year"),
    ("kind=verification&reductions=10&already_this_year=x", "invalid", "already_this_year"),
    (
        "kind=verification&reductions=10&schedule=v2&expected_annual_reductions=-3",
        "invalid",
        "expected_annual_reductions",
    ),
    ("kind=determination&expected_annual_reductions=1&schedule=v9", "invalid", "schedule"),
    ("kind=determination&expected_annual_reductions=1&schedule=V3", "invalid", "schedule"),
    ("kind=verification&reductions=1&schedule=v1", "invalid", "schedule"),
    ("kind=fancy&expected_annual_reductions=1", "invalid", "kind"),
    ("kind=Determination&expected_annual_reductions=1", "invalid", "kind"),
    ("kind=&expected_annual_reductions=1", "invalid", "kind"),
    ("expected_annual_reductions=100000", "invalid", "kind"),
    ("", "invalid", "kind"),
    ("kind=determination&expected_annual_reductions=1&poa=maybe", "invalid", "poa"),
    ("kind=determination&expected_annual_reductions=1&small_scale=maybe", "invalid", "small_scale"),
    ("kind=verification&reductions=1&poa=2", "invalid", "poa"),
    ("kind=verification&reductions=1&small_scale=yesplease", "invalid", "small_scale"),
]


@pytest.mark.parametrize(("query", "code", "field"), BAD_QUOTES)
def test_quote_refuses_bad_parameters(anon, query, code, field):
    assert_error(anon.get(f"{QUOTE}?{query}"), 400, code, field)


@pytest.mark.parametrize("flag", ["true", "True", "1", "yes", "on", "TRUE"])
def test_quote_accepts_the_usual_true_spellings(anon, flag):
    r = anon.get(f"{QUOTE}?kind=determination&expected_annual_reductions=50000&poa={flag}")
    assert r.json()["amount_usd"] == "5000.00"


@pytest.mark.parametrize("flag", ["false", "False", "0", "no", "off", ""])
def test_quote_accepts_the_usual_false_spellings(anon, flag):
    r = anon.get(f"{QUOTE}?kind=determination&expected_annual_reductions=50000&poa={flag}")
    assert r.json()["amount_usd"] == "8500.00"


GARBAGE = [
    "1" * 5000,
    "9" * 100_000,
    "-" + "9" * 5000,
    "１２",  # fullwidth digits
    "١٢",  # Arabic-Indic digits
    "²",
    "½",
    "\x00",
    "1\x00",
    "15000\x00",
    "\x00" * 50,
    "💩",
    "1 000",
    "  ",
    "\t\n",
    "[]",
    "{}",
    "None",
    "null",
    "true",
    "%",
    "%00",
    "1;DROP TABLE fees_invoice",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
]


def _quote_or_error(response):
    assert response.status_code in (200, 400), (response.status_code, response.content[:300])
    body = response.json()
    if response.status_code == 200:
        assert set(body) == {"kind", "schedule", "amount_usd", "lines"}
    else:
        assert body["code"] and body["detail"]
    return body


@pytest.mark.parametrize("value", GARBAGE)
@pytest.mark.parametrize(
    "param",
    ["expected_annual_reductions", "reductions", "already_this_year", "kind", "schedule", "poa"],
)
def test_quote_never_fails_on_garbage(anon, param, value):
    kind = "verification" if param in ("reductions", "already_this_year") else "determination"
    params = {"kind": kind, "expected_annual_reductions": "50000", "reductions": "20000"}
    params[param] = value
    _quote_or_error(anon.get(QUOTE, params))


def test_quote_garbage_tonnes_are_400_with_the_field(anon):
    for value in ["9" * 100_000, "-" + "9" * 5000, "\x00", "1\x00", "💩", "1 000", "½", "²"]:
        r = anon.get(QUOTE, {"kind": "determination", "expected_annual_reductions": value})
        assert_error(r, 400, field="expected_annual_reductions")


def test_quote_unicode_digits_are_a_number_or_a_clean_400(anon):
    """Fullwidth ``１２`` is either read as 12 t or refused with the field: never a 500."""
    r = anon.get(QUOTE, {"kind": "verification", "reductions": "１２"})
    if r.status_code == 200:
        assert r.json()["lines"] == [line(12, "0.10", "1.20")]
    else:
        assert_error(r, 400, field="reductions")


def test_quote_repeated_and_unknown_parameters(anon):
    r = anon.get(f"{QUOTE}?kind=determination&expected_annual_reductions=15000&color=blue&page=x")
    assert r.json()["amount_usd"] == "1500.00"
    # A repeated parameter: the last one counts, as for any Django query string.
    r = anon.get(f"{QUOTE}?kind=verification&kind=determination&expected_annual_reductions=15000")
    assert r.status_code == 200
    assert r.json()["kind"] == "determination"


def test_quote_only_get(anon):
    r = anon.post(QUOTE, {"kind": "determination", "expected_annual_reductions": 1})
    assert r.status_code == 405
    assert anon.delete(QUOTE).status_code == 405


def test_quote_query_count_is_zero(anon, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        anon.get(f"{QUOTE}?kind=determination&expected_annual_reductions=100000")


# --- a project's determination fee ---------------------------------------------------------


def test_project_fee_for_participant_and_secretariat(fee_due, pp_api, sec_api):
    for api in (pp_api, sec_api):
        r = api.get("/api/projects/0001/fee/")
        assert r.status_code == 200
        body = r.json()
        assert body["amount_usd"] == "8500.00"
        assert body["due_usd"] == "8500.00"
        assert body["status"] == "due"
        assert body["invoices"] == [fee_due.number]


def test_project_fee_refusals(fee_due, anon, other_pp_api, aie_api, party_api, jisc_api, sec_api):
    assert_error(anon.get("/api/projects/0001/fee/"), 401, "not_authenticated")
    for api in (other_pp_api, aie_api, party_api, jisc_api):
        assert_error(api.get("/api/projects/0001/fee/"), 403, "forbidden")
    assert_error(sec_api.get("/api/projects/9999/fee/"), 404, "not_found")
    assert_error(sec_api.get("/api/projects/zzz/fee/"), 404)


@pytest.mark.parametrize("key", ["P²", "P①", "P" + "1" * 5000])
@pytest.mark.parametrize("suffix", ["fee/", "fees/"])
def test_project_fee_odd_digit_keys_are_404(fee_due, sec_api, key, suffix):
    sec_api.raise_request_exception = False
    r = sec_api.get(f"/api/projects/{key}/{suffix}")
    assert r.status_code == 404


def test_long_ids_elsewhere_are_404(fee_due, sec_api):
    assert_error(sec_api.get(f"/api/projects/P{'9' * 40}/fees/"), 404)
    assert sec_api.post(f"/api/reimbursements/{'1' * 5000}/paid/", {}).status_code == 404
    assert_error(sec_api.get(f"/api/invoices/{'1' * 5000}/"), 404)


PAY = "/api/projects/0001/fee/payment/"


def paid_body(amount="8500.00", reference="BANK-9", received_on=None) -> dict:
    return {
        "amount_usd": amount,
        "received_on": (received_on or timezone.localdate()).isoformat(),
        "reference": reference,
    }


def test_project_fee_payment_records_what_was_received(fee_due, sec_api):
    received = timezone.localdate() - dt.timedelta(days=3)
    r = sec_api.post(PAY, paid_body(received_on=received), format="json")
    assert r.status_code == 200, r.json()
    assert (r.json()["status"], r.json()["balance_usd"]) == ("paid", "0.00")
    assert r.json()["paid_at"]
    fee_due.refresh_from_db()
    assert (fee_due.status, fee_due.paid_usd) == ("paid", D("8500.00"))
    payment = fee_due.payments.get()
    assert (payment.amount_usd, payment.received_on, payment.reference) == (
        D("8500.00"),
        received,
        "BANK-9",
    )
    r = sec_api.post(PAY, paid_body(reference="BANK-10"), format="json")
    assert_error(r, 409, "already_paid")


@pytest.mark.parametrize("missing", ["amount_usd", "received_on", "reference"])
def test_project_fee_payment_requires_amount_date_and_reference(fee_due, sec_api, missing):
    """Issue 12: no more "the balance, today, a made-up reference" — each is stated or 400."""
    body = paid_body()
    del body[missing]
    assert_error(sec_api.post(PAY, body, format="json"), 400, field=missing)
    body[missing] = ""
    assert_error(sec_api.post(PAY, body, format="json"), 400, field=missing)
    fee_due.refresh_from_db()
    assert (fee_due.status, fee_due.paid_usd) == ("issued", D("0.00"))
    assert not Payment.objects.exists()


def test_project_fee_payment_with_nothing_is_400_not_the_balance(fee_due, sec_api):
    assert_error(sec_api.post(PAY, {}, format="json"), 400)
    assert_error(sec_api.post(PAY, {"reference": "B"}, format="json"), 400, field="amount_usd")
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount_usd": "0"}, "amount_usd"),
        ({"amount_usd": "-5"}, "amount_usd"),
        ({"amount_usd": "abc"}, "amount_usd"),
        ({"amount_usd": "1.005"}, "amount_usd"),
        ({"received_on": "2026-13-01"}, "received_on"),
        ({"reference": "x" * 121}, "reference"),
    ],
)
def test_project_fee_payment_bad_values_are_400(fee_due, sec_api, changes, field):
    r = sec_api.post(PAY, {**paid_body(), **changes}, format="json")
    assert_error(r, 400, field=field)
    assert not Payment.objects.exists()


def test_project_fee_payment_in_the_future_is_400(fee_due, sec_api):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    r = sec_api.post(PAY, paid_body(received_on=tomorrow), format="json")
    assert_error(r, 400, field="received_on")
    assert not Payment.objects.exists()


def test_project_fee_payment_part_and_over_payment(fee_due, sec_api, secretariat):
    r = sec_api.post(PAY, paid_body(amount="500.00", reference="PART-1"), format="json")
    assert r.status_code == 200, r.json()
    # What is due is the balance, not the total.
    assert (r.json()["status"], r.json()["amount_usd"], r.json()["due_usd"]) == (
        "due",
        "8500.00",
        "8500.00",
    )
    assert r.json()["balance_usd"] == "8000.00"
    fee_due.refresh_from_db()
    assert (fee_due.status, fee_due.balance_usd) == ("partly_paid", D("8000.00"))
    r = sec_api.post(PAY, paid_body(amount="8000.00", reference="PART-1"), format="json")
    assert_error(r, 409, "duplicate_payment")
    r = sec_api.post(PAY, paid_body(amount="9000.00", reference="REST"), format="json")
    assert r.status_code == 200
    assert [(p.amount_usd, p.excess_usd) for p in fee_due.payments.order_by("pk")] == [
        (D("500.00"), D("0.00")),
        (D("9000.00"), D("1000.00")),
    ]
    refund = Reimbursement.objects.get()
    assert (refund.reason, refund.amount_usd) == ("overpayment", D("1000.00"))


def test_project_fee_payment_refusals(fee_due, pp_api, aie_api, anon, other_pp_api):
    assert_error(pp_api.post("/api/projects/0001/fee/payment/", {}), 403, "forbidden")
    assert_error(aie_api.post("/api/projects/0001/fee/payment/", {}), 403, "forbidden")
    assert_error(other_pp_api.post("/api/projects/0001/fee/payment/", {}), 403, "forbidden")
    assert_error(anon.post("/api/projects/0001/fee/payment/", {}), 401)
    assert not Payment.objects.exists()


# --- a project's fee account -----------------------------------------------------------------


def test_fee_account_shape_after_payments(fee_due, pp_api, sec_api, secretariat):
    fee_services.record_payment(secretariat, fee_due, amount="8000.00", reference="P-1")
    fee_services.record_payment(secretariat, fee_due, amount="600.00", reference="P-2")
    for api in (pp_api, sec_api):
        r = api.get("/api/projects/0001/fees/")
        assert r.status_code == 200
        body = r.json()
        assert set(body) == {"assessments", "invoices", "reimbursements", "advance_credit"}
        [assessment] = body["assessments"]
        assert assessment["kind"] == "determination"
        assert assessment["status"] == "paid"
        assert assessment["invoices"] == [fee_due.number]
        [invoice] = body["invoices"]
        assert invoice["number"] == fee_due.number
        assert invoice["project"] == "0001"
        assert invoice["status"] == "paid"
        assert (invoice["amount_usd"], invoice["paid_usd"], invoice["balance_usd"]) == (
            "8500.00",
            "8500.00",
            "0.00",
        )
        assert [
            (p["reference"], p["amount_usd"], p["applied_usd"], p["excess_usd"])
            for p in invoice["payments"]
        ] == [("P-1", "8000.00", "8000.00", "0.00"), ("P-2", "600.00", "500.00", "100.00")]
        assert invoice["payments"][0]["invoice"] == fee_due.number
        assert invoice["credit_notes"] == []
        [refund] = body["reimbursements"]
        assert refund["amount_usd"] == "100.00"
        assert refund["reason"] == "overpayment"
        assert refund["status"] == "due"
        assert refund["project"] == "0001"
        assert refund["invoice"] == fee_due.number
        assert body["advance_credit"] == {
            "paid_usd": "8500.00",
            "used_usd": "0.00",
            "reimbursed_usd": "0.00",
            "remaining_usd": "8500.00",
            "first_year": None,
        }


def test_fee_account_with_verification_credit(fee_due, sec_api, secretariat):
    fee_services.pay_balance(secretariat, fee_due.project, reference="ADV")
    with transaction.atomic():
        fee_services.assess_verification_fee(
            lock(fee_due.project), number=1, actor=secretariat, reductions_by_year={2009: 100000}
        )
    body = sec_api.get("/api/projects/0001/fees/").json()
    verification = [a for a in body["assessments"] if a["kind"] == "verification"][0]
    assert verification["amount_usd"] == "18500.00"
    assert verification["credit_usd"] == "8500.00"
    assert verification["due_usd"] == "10000.00"
    assert verification["lines"][0]["year"] == 2009
    assert body["advance_credit"]["used_usd"] == "8500.00"
    assert body["advance_credit"]["remaining_usd"] == "0.00"
    assert body["advance_credit"]["first_year"] == 2009
    amounts = sorted(i["amount_usd"] for i in body["invoices"])
    assert amounts == ["10000.00", "8500.00"]


def test_fee_account_refusals(fee_due, anon, other_pp_api, aie_api, party_api, jisc_api, sec_api):
    assert_error(anon.get("/api/projects/0001/fees/"), 401)
    for api in (other_pp_api, aie_api, party_api, jisc_api):
        assert_error(api.get("/api/projects/0001/fees/"), 403, "forbidden")
    assert_error(sec_api.get("/api/projects/4242/fees/"), 404)


def test_fee_account_before_any_fee(cycle, pp_api):
    cycle.comments_closed()
    body = pp_api.get("/api/projects/0001/fees/").json()
    assert body["assessments"] == body["invoices"] == body["reimbursements"] == []
    assert body["advance_credit"]["remaining_usd"] == "0.00"


# --- invoices: listing -------------------------------------------------------------------------


@pytest.fixture
def two_orgs(fee_due, other_org_cycle):
    """0001 (the participant's, unpaid) and 0002 (another organisation's, paid)."""
    theirs = other_org_cycle.determination_submitted(title="Their wind farm")
    assert theirs.reference == "0002"
    fee_services.pay_balance(other_org_cycle.secretariat, theirs, reference="THEIRS")
    return fee_due, determination_invoice(theirs)


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [i["number"] for i in response.json()["results"]]


def test_invoice_list_secretariat_sees_all(two_orgs, sec_api):
    ours, theirs = two_orgs
    r = sec_api.get("/api/invoices/")
    assert sorted(numbers(r)) == sorted([ours.number, theirs.number])
    assert r.json()["count"] == 2
    row = next(i for i in r.json()["results"] if i["number"] == ours.number)
    assert set(row) == {
        "number",
        "project",
        "kind",
        "addressee_name",
        "addressee_email",
        "addressee_country",
        "lines",
        "amount_usd",
        "paid_usd",
        "credited_usd",
        "balance_usd",
        "issued_on",
        "due_on",
        "status",
        "status_reason",
    }
    assert row["project"] == "0001"
    assert row["kind"] == "determination"
    assert row["addressee_name"] == "Green Carbon Ltd"
    assert row["amount_usd"] == "8500.00"
    assert row["balance_usd"] == "8500.00"
    assert row["status"] == "issued"
    assert row["lines"][0] == {
        "label": "15,000 t CO2e at USD 0.10/t",
        "tonnes": 15000,
        "rate_usd": "0.10",
        "amount_usd": "1500.00",
    }
    today = timezone.localdate()
    assert row["issued_on"] == today.isoformat()
    due = today + dt.timedelta(days=settings.INVOICE_DUE_DAYS)
    assert row["due_on"] == due.isoformat()


def test_invoice_list_participant_sees_own_projects_only(two_orgs, pp_api, other_pp_api):
    ours, theirs = two_orgs
    assert numbers(pp_api.get("/api/invoices/")) == [ours.number]
    assert numbers(other_pp_api.get("/api/invoices/")) == [theirs.number]
    # Filtering by another organisation's project shows nothing, not their invoices.
    assert numbers(pp_api.get("/api/invoices/?project=0002")) == []


def test_invoice_list_refusals(two_orgs, anon, aie_api, party_api, jisc_api):
    assert_error(anon.get("/api/invoices/"), 401, "not_authenticated")
    for api in (aie_api, party_api, jisc_api):
        assert_error(api.get("/api/invoices/"), 403, "forbidden")


def test_invoice_list_filters(two_orgs, sec_api):
    ours, theirs = two_orgs
    assert numbers(sec_api.get("/api/invoices/?status=issued")) == [ours.number]
    assert numbers(sec_api.get("/api/invoices/?status=paid")) == [theirs.number]
    assert numbers(sec_api.get("/api/invoices/?status=credited")) == []
    assert numbers(sec_api.get("/api/invoices/?project=0002")) == [theirs.number]
    assert numbers(sec_api.get("/api/invoices/?project=0001&status=paid")) == []
    assert numbers(sec_api.get("/api/invoices/?project=nope")) == []
    assert len(numbers(sec_api.get("/api/invoices/?kind=determination"))) == 2
    assert numbers(sec_api.get("/api/invoices/?kind=verification")) == []
    assert len(numbers(sec_api.get("/api/invoices/?status=&kind=&project="))) == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=unpaid", "status"),
        ("status=ISSUED", "status"),
        ("status=%00", "status"),
        ("kind=advance", "kind"),
        ("kind=" + "x" * 5000, "kind"),
    ],
)
def test_invoice_list_bad_filters_are_400(two_orgs, sec_api, query, field):
    assert_error(sec_api.get(f"/api/invoices/?{query}"), 400, "invalid", field)


def test_invoice_list_garbage_never_500(two_orgs, sec_api):
    for query in ["page=zzz", "page=99999", "page=-1", "project=%00", "project=" + "1" * 5000]:
        r = sec_api.get(f"/api/invoices/?{query}")
        assert r.status_code in (200, 400, 404), (query, r.status_code)


@pytest.mark.parametrize(
    "query", ["ordering=amount_usd", "ordering=-issued_on", "ordering=project", "ordering=zzz"]
)
def test_invoice_list_ordering_parameter(two_orgs, sec_api, query):
    assert len(numbers(sec_api.get(f"/api/invoices/?{query}"))) == 2


@pytest.mark.parametrize("url", ["/api/invoices/", "/api/reimbursements/"])
@pytest.mark.parametrize("ordering", ["project__key", "-project__key"])
def test_ordering_by_project_key_is_not_a_500(refunds, sec_api, url, ordering):
    sec_api.raise_request_exception = False
    r = sec_api.get(f"{url}?ordering={ordering}")
    assert r.status_code in (200, 400), r.status_code


def test_invoice_list_newest_first_and_paginated(fee_due, sec_api, secretariat):
    add_verification_invoices(fee_due.project, secretariat, 26)
    r = sec_api.get("/api/invoices/")
    body = r.json()
    assert body["count"] == 27
    assert len(body["results"]) == 25
    assert body["next"]
    got = numbers(r) + numbers(sec_api.get("/api/invoices/?page=2"))
    assert got == sorted(got, reverse=True)
    assert fee_due.number == got[-1]


def test_invoice_api_with_session_auth(fee_due, participant, secretariat, client):
    client.force_login(participant)
    r = client.get("/api/invoices/")
    assert [i["number"] for i in r.json()["results"]] == [fee_due.number]
    client.force_login(secretariat)
    r = client.post(
        pay_url(fee_due), {"amount_usd": "10", "reference": "S"}, content_type="application/json"
    )
    assert r.status_code == 201


def test_session_auth_post_needs_the_csrf_token(fee_due, secretariat):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(secretariat)
    r = api.post(pay_url(fee_due), {"amount_usd": "10", "reference": "S"}, format="json")
    assert_error(r, 403)
    assert not Payment.objects.exists()


# --- invoices: one invoice and its PDF ---------------------------------------------------------


def test_invoice_detail(fee_due, pp_api, sec_api, secretariat):
    fee_services.record_payment(secretariat, fee_due, amount="1000.00", reference="PART")
    for api in (pp_api, sec_api):
        r = api.get(f"/api/invoices/{fee_due.number}/")
        assert r.status_code == 200
        body = r.json()
        assert body["number"] == fee_due.number
        assert body["status"] == "partly_paid"
        assert body["paid_usd"] == "1000.00"
        assert body["balance_usd"] == "7500.00"
        assert [p["reference"] for p in body["payments"]] == ["PART"]
        assert body["payments"][0]["received_on"] == timezone.localdate().isoformat()
        assert body["credit_notes"] == []


def test_invoice_detail_refusals(two_orgs, anon, pp_api, other_pp_api, aie_api, party_api):
    ours, theirs = two_orgs
    assert_error(other_pp_api.get(f"/api/invoices/{ours.number}/"), 404, "not_found")
    assert_error(pp_api.get(f"/api/invoices/{theirs.number}/"), 404, "not_found")
    assert_error(pp_api.get("/api/invoices/JI-1999-00001/"), 404, "not_found")
    assert_error(anon.get(f"/api/invoices/{ours.number}/"), 401)
    # Other roles are refused whether or not the invoice exists: no existence oracle.
    for api in (aie_api, party_api):
        assert_error(api.get(f"/api/invoices/{ours.number}/"), 403, "forbidden")
        assert_error(api.get("/api/invoices/JI-1999-00001/"), 403, "forbidden")


@pytest.mark.parametrize("number", ["%00", "x" * 3000, "JI-2025-00001%00", "%F0%9F%92%A9", "'"])
def test_invoice_detail_garbage_number_is_404(fee_due, sec_api, number):
    assert_error(sec_api.get(f"/api/invoices/{number}/"), 404)


def test_invoice_pdf(fee_due, pp_api, sec_api, other_pp_api, aie_api, anon, secretariat):
    fee_services.record_payment(secretariat, fee_due, amount="100.00", reference="P")
    for api in (pp_api, sec_api):
        r = api.get(f"/api/invoices/{fee_due.number}/pdf/")
        assert r.status_code == 200
        assert r["Content-Type"] == "application/pdf"
        assert r["Content-Disposition"] == f'attachment; filename="{fee_due.number}.pdf"'
        assert r.content.startswith(b"%PDF-")
        text = PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
        assert f"Invoice number {fee_due.number}" in text
        assert "Green Carbon Ltd" in text
        assert "Total 8,500.00" in text
        assert "Balance due by" in text and "8,400.00" in text
    assert_error(other_pp_api.get(f"/api/invoices/{fee_due.number}/pdf/"), 404)
    assert_error(aie_api.get(f"/api/invoices/{fee_due.number}/pdf/"), 403, "forbidden")
    assert_error(anon.get(f"/api/invoices/{fee_due.number}/pdf/"), 401)
    assert_error(sec_api.get("/api/invoices/JI-1999-00009/pdf/"), 404)


def test_invoice_pdf_with_accept_pdf_header(fee_due, sec_api):
    r = sec_api.get(f"/api/invoices/{fee_due.number}/pdf/", HTTP_ACCEPT="application/pdf")
    assert r.status_code == 200
    assert r.content.startswith(b"%PDF-")


# --- invoices: payments ---------------------------------------------------------------------


def pay_url(invoice) -> str:
    return f"/api/invoices/{invoice.number}/payments/"


def test_payment_in_full(fee_due, sec_api):
    r = sec_api.post(
        pay_url(fee_due), {"amount_usd": "8500.00", "reference": "BANK-1"}, format="json"
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert set(body) == {
        "id",
        "invoice",
        "amount_usd",
        "applied_usd",
        "excess_usd",
        "received_on",
        "reference",
        "recorded_at",
    }
    assert body["invoice"] == fee_due.number
    assert (body["amount_usd"], body["applied_usd"], body["excess_usd"]) == (
        "8500.00",
        "8500.00",
        "0.00",
    )
    assert body["received_on"] == timezone.localdate().isoformat()
    fee_due.refresh_from_db()
    assert fee_due.status == "paid"
    assert fee_due.balance_usd == 0
    assert FeeAssessment.objects.get().status == "paid"
    assert not Reimbursement.objects.exists()


def test_part_payments_then_the_rest(fee_due, sec_api):
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    r = sec_api.post(
        pay_url(fee_due),
        {"amount_usd": "1000", "reference": "P1", "received_on": yesterday},
        format="json",
    )
    assert r.status_code == 201
    assert r.json()["received_on"] == yesterday
    fee_due.refresh_from_db()
    assert (fee_due.status, fee_due.paid_usd, fee_due.balance_usd) == (
        "partly_paid",
        D("1000.00"),
        D("7500.00"),
    )
    assert FeeAssessment.objects.get().status == "due"
    r = sec_api.post(pay_url(fee_due), {"amount_usd": "7500.00", "reference": "P2"})
    assert r.status_code == 201
    fee_due.refresh_from_db()
    assert fee_due.status == "paid"
    assert FeeAssessment.objects.get().status == "paid"


def test_over_payment_becomes_a_reimbursement(fee_due, sec_api):
    r = sec_api.post(pay_url(fee_due), {"amount_usd": "9000.50", "reference": "BIG"}, format="json")
    assert r.status_code == 201
    assert (r.json()["applied_usd"], r.json()["excess_usd"]) == ("8500.00", "500.50")
    fee_due.refresh_from_db()
    assert (fee_due.status, fee_due.paid_usd) == ("paid", D("8500.00"))
    refund = Reimbursement.objects.get()
    assert (refund.amount_usd, refund.reason, refund.status) == (D("500.50"), "overpayment", "due")
    # Money received after the invoice is paid is recorded and owed back in full.
    r = sec_api.post(pay_url(fee_due), {"amount_usd": "10", "reference": "LATE"}, format="json")
    assert r.status_code == 201
    assert (r.json()["applied_usd"], r.json()["excess_usd"]) == ("0.00", "10.00")
    assert Reimbursement.objects.count() == 2


def test_duplicate_bank_reference_is_409(fee_due, sec_api):
    body = {"amount_usd": "100.00", "reference": "DUP-1"}
    assert sec_api.post(pay_url(fee_due), body, format="json").status_code == 201
    r = sec_api.post(pay_url(fee_due), body, format="json")
    assert_error(r, 409, "duplicate_payment", "reference")
    r = sec_api.post(pay_url(fee_due), {**body, "reference": "  DUP-1 "}, format="json")
    assert_error(r, 409, "duplicate_payment")
    assert Payment.objects.count() == 1
    fee_due.refresh_from_db()
    assert fee_due.paid_usd == D("100.00")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount_usd": "abc", "reference": "R"}, "amount_usd"),
        ({"amount_usd": "", "reference": "R"}, "amount_usd"),
        ({"amount_usd": None, "reference": "R"}, "amount_usd"),
        ({"reference": "R"}, "amount_usd"),
        ({"amount_usd": "0", "reference": "R"}, "amount_usd"),
        ({"amount_usd": "0.00", "reference": "R"}, "amount_usd"),
        ({"amount_usd": "-5", "reference": "R"}, "amount_usd"),
        ({"amount_usd": "1.234", "reference": "R"}, "amount_usd"),
        ({"amount_usd": "0.001", "reference": "R"}, "amount_usd"),
        ({"amount_usd": "NaN", "reference": "R"}, "amount_usd"),
        ({"amount_usd": "Infinity", "reference": "R"}, "amount_usd"),
        ({"amount_usd": "-Infinity", "reference": "R"}, "amount_usd"),
        ({"amount_usd": "1e400", "reference": "R"}, "amount_usd"),
        ({"amount_usd": "9" * 30, "reference": "R"}, "amount_usd"),
        ({"amount_usd": "1000000000000", "reference": "R"}, "amount_usd"),
        ({"amount_usd": [1], "reference": "R"}, "amount_usd"),
        ({"amount_usd": {"x": 1}, "reference": "R"}, "amount_usd"),
        ({"amount_usd": True, "reference": "R"}, "amount_usd"),
        ({"amount_usd": "100"}, "reference"),
        ({"amount_usd": "100", "reference": ""}, "reference"),
        ({"amount_usd": "100", "reference": "   "}, "reference"),
        ({"amount_usd": "100", "reference": "x" * 121}, "reference"),
        ({"amount_usd": "100", "reference": "a\x00b"}, "reference"),
        ({"amount_usd": "100", "reference": "R", "received_on": "2025-13-45"}, "received_on"),
        ({"amount_usd": "100", "reference": "R", "received_on": "yesterday"}, "received_on"),
        ({"amount_usd": "100", "reference": "R", "received_on": "9999-12-31"}, "received_on"),
    ],
)
def test_payment_bad_input_is_400_and_records_nothing(fee_due, sec_api, body, field):
    r = sec_api.post(pay_url(fee_due), body, format="json")
    assert_error(r, 400, field=field)
    assert not Payment.objects.exists()
    fee_due.refresh_from_db()
    assert (fee_due.status, fee_due.paid_usd) == ("issued", D("0.00"))


@pytest.mark.parametrize(
    "body",
    [
        {"amount_usd": "１２", "reference": "R"},
        {"amount_usd": "1e3", "reference": "R"},
        {"amount_usd": " 12.5 ", "reference": "R"},
        {"amount_usd": "12\x00", "reference": "R"},
        {"amount_usd": "1" * 5000, "reference": "R"},
        {"amount_usd": 12.5, "reference": "R"},
        {"amount_usd": 1e308, "reference": "R"},
        {"amount_usd": "100", "reference": "💩" * 120},
        {"amount_usd": "100", "reference": "R", "received_on": "0001-01-01"},
        {"amount_usd": "100", "reference": "R", "received_on": "\x00"},
        {"amount_usd": "100", "reference": "R", "received_on": 20250101},
        [],
        "just a string",
        None,
    ],
)
def test_payment_garbage_never_500(fee_due, sec_api, body):
    r = sec_api.post(pay_url(fee_due), body, format="json")
    assert r.status_code in (201, 400), (r.status_code, r.content[:300])
    body = r.json()
    if r.status_code == 201:
        assert D(body["amount_usd"]) > 0
    else:
        assert body["code"] and body["detail"]
    fee_due.refresh_from_db()
    assert fee_due.paid_usd == sum(p.applied_usd for p in fee_due.payments.all())


def test_payment_received_tomorrow_is_refused(fee_due, sec_api):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    r = sec_api.post(
        pay_url(fee_due),
        {"amount_usd": "100", "reference": "R", "received_on": tomorrow},
        format="json",
    )
    assert_error(r, 400, "invalid", "received_on")


def test_payment_not_json_body_is_400_or_415(fee_due, sec_api):
    r = sec_api.generic("POST", pay_url(fee_due), b"{not json", content_type="application/json")
    assert_error(r, 400)
    r = sec_api.generic("POST", pay_url(fee_due), b"\x00\xff", content_type="text/plain")
    assert r.status_code == 415
    assert not Payment.objects.exists()


def test_payment_largest_amount(fee_due, sec_api):
    # Twice the invoice (fees.services.PAYMENT_CEILING_FACTOR); tests/fees/test_payment_ceiling.py
    r = sec_api.post(
        pay_url(fee_due), {"amount_usd": "17000.00", "reference": "MAX"}, format="json"
    )
    assert r.status_code == 201
    assert r.json()["excess_usd"] == "8500.00"


def test_payment_refusals(two_orgs, pp_api, aie_api, other_pp_api, anon, jisc_api):
    ours, _ = two_orgs
    body = {"amount_usd": "100.00", "reference": "R"}
    assert_error(pp_api.post(pay_url(ours), body, format="json"), 403, "forbidden")
    assert_error(other_pp_api.post(pay_url(ours), body, format="json"), 404, "not_found")
    assert_error(anon.post(pay_url(ours), body, format="json"), 401)
    for api in (aie_api, jisc_api):
        assert_error(api.post(pay_url(ours), body, format="json"), 403, "forbidden")
    assert not Payment.objects.filter(invoice=ours).exists()


def test_payment_on_unknown_invoice_is_404(fee_due, sec_api):
    r = sec_api.post("/api/invoices/JI-1999-00001/payments/", {"amount_usd": "1", "reference": "R"})
    assert_error(r, 404)


def test_payment_get_is_405(fee_due, sec_api):
    assert sec_api.get(pay_url(fee_due)).status_code == 405


# --- invoices: credit notes -----------------------------------------------------------------


def credit_url(invoice) -> str:
    return f"/api/invoices/{invoice.number}/credit-note/"


def test_credit_note_then_invoice_closed(fee_due, sec_api, pp_api):
    r = sec_api.post(credit_url(fee_due), {"reason": "Project withdrawn."}, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    year = timezone.localdate().year
    assert body == {
        "number": f"CN-{year}-00001",
        "invoice": fee_due.number,
        "amount_usd": "8500.00",
        "reason": "Project withdrawn.",
        "issued_on": timezone.localdate().isoformat(),
    }
    fee_due.refresh_from_db()
    assert (fee_due.status, fee_due.credited_usd, fee_due.balance_usd) == (
        "credited",
        D("8500.00"),
        D("0.00"),
    )
    assert FeeAssessment.objects.get().status == "waived"
    r = sec_api.post(credit_url(fee_due), {"reason": "Again"}, format="json")
    assert_error(r, 409, "invoice_closed")
    assert CreditNote.objects.count() == 1
    detail = pp_api.get(f"/api/invoices/{fee_due.number}/").json()
    assert [n["number"] for n in detail["credit_notes"]] == [f"CN-{year}-00001"]
    assert detail["status_reason"] == "Project withdrawn."


def test_credit_note_on_a_partly_paid_invoice_credits_the_balance(fee_due, sec_api, secretariat):
    fee_services.record_payment(secretariat, fee_due, amount="2000.00", reference="P")
    r = sec_api.post(credit_url(fee_due), {"reason": "Settled."}, format="json")
    assert r.status_code == 201
    assert r.json()["amount_usd"] == "6500.00"
    fee_due.refresh_from_db()
    assert (fee_due.paid_usd, fee_due.credited_usd, fee_due.balance_usd) == (
        D("2000.00"),
        D("6500.00"),
        D("0.00"),
    )


def test_credit_note_on_a_paid_invoice_is_409(fee_due, sec_api, secretariat):
    fee_services.record_payment(secretariat, fee_due, amount="8500.00", reference="P")
    assert_error(sec_api.post(credit_url(fee_due), {"reason": "x"}), 409, "invoice_closed")


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "a\x00"}])
def test_credit_note_bad_input_is_400(fee_due, sec_api, body):
    assert_error(sec_api.post(credit_url(fee_due), body, format="json"), 400, field="reason")
    assert not CreditNote.objects.exists()


def test_credit_note_refusals(two_orgs, pp_api, other_pp_api, aie_api, anon):
    ours, _ = two_orgs
    body = {"reason": "Because."}
    assert_error(pp_api.post(credit_url(ours), body, format="json"), 403, "forbidden")
    assert_error(other_pp_api.post(credit_url(ours), body, format="json"), 404)
    assert_error(aie_api.post(credit_url(ours), body, format="json"), 403, "forbidden")
    assert_error(anon.post(credit_url(ours), body, format="json"), 401)
    assert not CreditNote.objects.exists()


# --- reimbursements ---------------------------------------------------------------------------


@pytest.fixture
def refunds(fee_due, secretariat):
    """Two over-payments on 0001: USD 100.00 (later paid back) and USD 50.00 (due)."""
    fee_services.record_payment(secretariat, fee_due, amount="8600.00", reference="OVER-1")
    fee_services.record_payment(secretariat, fee_due, amount="50.00", reference="OVER-2")
    first, second = Reimbursement.objects.order_by("pk")
    assert (first.amount_usd, second.amount_usd) == (D("100.00"), D("50.00"))
    return first, second


def test_reimbursement_list(refunds, sec_api):
    r = sec_api.get("/api/reimbursements/")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 2
    row = body["results"][0]
    assert set(row) == {
        "id",
        "project",
        "invoice",
        "amount_usd",
        "reason",
        "status",
        "found_at",
        "paid_on",
        "reference",
    }
    assert [x["amount_usd"] for x in body["results"]] == ["100.00", "50.00"]
    assert {x["status"] for x in body["results"]} == {"due"}
    assert row["project"] == "0001"


def test_reimbursement_list_filters(refunds, sec_api, secretariat):
    fee_services.record_reimbursement_paid(secretariat, refunds[0], reference="BACK")
    due = sec_api.get("/api/reimbursements/?status=due").json()["results"]
    paid = sec_api.get("/api/reimbursements/?status=paid").json()["results"]
    assert [x["id"] for x in due] == [refunds[1].pk]
    assert [x["id"] for x in paid] == [refunds[0].pk]
    assert paid[0]["reference"] == "BACK"
    assert_error(sec_api.get("/api/reimbursements/?status=owed"), 400, "invalid", "status")


def test_reimbursement_list_due_first(refunds, sec_api, secretariat):
    fee_services.record_reimbursement_paid(secretariat, refunds[0], reference="BACK")
    rows = sec_api.get("/api/reimbursements/").json()["results"]
    assert [x["status"] for x in rows] == ["due", "paid"]


def test_reimbursement_list_refusals(refunds, pp_api, aie_api, party_api, jisc_api, anon):
    assert_error(anon.get("/api/reimbursements/"), 401)
    for api in (pp_api, aie_api, party_api, jisc_api):
        assert_error(api.get("/api/reimbursements/"), 403, "forbidden")


def test_reimbursement_paid(refunds, sec_api):
    refund = refunds[0]
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    r = sec_api.post(
        f"/api/reimbursements/{refund.pk}/paid/",
        {"reference": "BACK-1", "paid_on": yesterday},
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "paid"
    assert r.json()["paid_on"] == yesterday
    assert r.json()["reference"] == "BACK-1"
    refund.refresh_from_db()
    assert refund.status == "paid"
    r = sec_api.post(f"/api/reimbursements/{refund.pk}/paid/", {}, format="json")
    assert_error(r, 409, "already_paid")
    # Without a date: today, without a reference.
    r = sec_api.post(f"/api/reimbursements/{refunds[1].pk}/paid/", {}, format="json")
    assert r.status_code == 200
    assert r.json()["paid_on"] == timezone.localdate().isoformat()


@pytest.mark.parametrize(
    "body",
    [
        {"paid_on": "9999-12-31"},
        {"paid_on": "tomorrow"},
        {"paid_on": "2025-02-30"},
        {"reference": "x" * 121},
        {"reference": "\x00"},
    ],
)
def test_reimbursement_paid_bad_input_is_400(refunds, sec_api, body):
    r = sec_api.post(f"/api/reimbursements/{refunds[0].pk}/paid/", body, format="json")
    assert_error(r, 400)
    refunds[0].refresh_from_db()
    assert refunds[0].status == "due"


def test_reimbursement_paid_refusals(refunds, sec_api, pp_api, aie_api, other_pp_api, anon):
    url = f"/api/reimbursements/{refunds[0].pk}/paid/"
    for api in (pp_api, aie_api, other_pp_api):
        assert_error(api.post(url, {}, format="json"), 403, "forbidden")
    assert_error(anon.post(url, {}, format="json"), 401)
    assert_error(sec_api.post("/api/reimbursements/987654/paid/", {}), 404, "not_found")
    refunds[0].refresh_from_db()
    assert refunds[0].status == "due"


def test_reimbursement_paid_huge_id_is_404(refunds, sec_api):
    r = sec_api.post(f"/api/reimbursements/{10**30}/paid/", {}, format="json")
    assert_error(r, 404)


# --- the schema ---------------------------------------------------------------------------------

FEE_PATHS = {
    "/api/fees/quote/": "get",
    "/api/projects/{key}/fee/": "get",
    "/api/projects/{key}/fee/payment/": "post",
    "/api/projects/{key}/fees/": "get",
    "/api/invoices/": "get",
    "/api/invoices/{number}/": "get",
    "/api/invoices/{number}/pdf/": "get",
    "/api/invoices/{number}/payments/": "post",
    "/api/invoices/{number}/credit-note/": "post",
    "/api/reimbursements/": "get",
    "/api/reimbursements/{id}/paid/": "post",
}


def test_schema_lists_the_fee_paths(anon):
    schema = openapi_schema(anon)
    for path, method in FEE_PATHS.items():
        assert path in schema["paths"], path
        operation = schema["paths"][path][method]
        assert "fees" in operation["tags"], path
        assert "responses" in operation
    quote = schema["paths"]["/api/fees/quote/"]["get"]
    params = {p["name"]: p for p in quote["parameters"]}
    assert {
        "kind",
        "expected_annual_reductions",
        "reductions",
        "already_this_year",
        "small_scale",
        "poa",
        "schedule",
    } <= set(params)
    assert params["kind"]["required"] is True
    assert quote.get("security") in (None, [], [{}])  # public
    assert "200" in quote["responses"] and "400" in quote["responses"]
    pdf = schema["paths"]["/api/invoices/{number}/pdf/"]["get"]["responses"]["200"]
    assert "application/pdf" in pdf["content"]
    payments = schema["paths"]["/api/invoices/{number}/payments/"]["post"]
    assert "201" in payments["responses"]
    assert "requestBody" in payments
    statuses = {p["name"]: p for p in schema["paths"]["/api/invoices/"]["get"]["parameters"]}
    assert set(statuses["status"]["schema"]["enum"]) == {
        "issued",
        "partly_paid",
        "paid",
        "cancelled",
        "credited",
    }


# --- query budgets ------------------------------------------------------------------------------


def count_queries(api, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = api.get(url)
    assert r.status_code == 200, (url, r.status_code, r.content[:300])
    return len(ctx.captured_queries)


def many_fee_rows(cycle, secretariat) -> None:
    """Adds to 0001 a second project of the same organisation, 14 more invoices, 15 payments
    (part, full and over-payments), a credit note and reimbursements (one paid back)."""
    first = determination_invoice(Invoice.objects.get().project)
    second = cycle.determination_submitted(title="Second landfill")
    add_verification_invoices(first.project, secretariat, 6)
    add_verification_invoices(second, secretariat, 6)
    invoices = list(Invoice.objects.order_by("pk"))
    assert len(invoices) == 14
    for i, invoice in enumerate(invoices[:12]):
        fee_services.record_payment(secretariat, invoice, amount="100.00", reference=f"A{i}")
    fee_services.record_payment(secretariat, invoices[12], amount="2600.00", reference="OVER")
    fee_services.record_payment(secretariat, invoices[1], amount="9000.00", reference="OVER2")
    fee_services.record_payment(secretariat, invoices[2], amount="50.00", reference="B2")
    fee_services.credit_invoice(secretariat, invoices[3], reason="Waived.")
    refund = Reimbursement.objects.order_by("pk").first()
    fee_services.record_reimbursement_paid(secretariat, refund, reference="BACK")
    with transaction.atomic():
        fee_services.assess_verification_fee(
            lock(first.project), number=7, actor=secretariat, reductions_by_year={2030: 20000}
        )
    assert Invoice.objects.count() == 15
    assert Payment.objects.count() >= 15


@pytest.mark.parametrize("who", ["secretariat", "participant"])
@pytest.mark.parametrize("url", ["/api/invoices/", "/api/projects/0001/fees/"])
def test_query_budget(fee_due, cycle, request, who, url, django_assert_max_num_queries):
    api = client_for(request.getfixturevalue(who))
    fee_services.record_payment(cycle.secretariat, fee_due, amount="100.00", reference="ONE")
    one = count_queries(api, url)
    many_fee_rows(cycle, cycle.secretariat)
    many = count_queries(api, url)
    assert many == one
    with django_assert_max_num_queries(10):
        assert api.get(url).status_code == 200
    assert one <= 10
