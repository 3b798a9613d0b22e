"""The fee pages with the Django test client: the public calculator, the fees home page for the
secretariat and participants, a project's fee account, invoices with their payment and
credit-note forms, the PDFs, reimbursements, the payment shortcut and the query budgets.

Data goes through the real workflow and ``fees.services``: ``cycle.determination_submitted()``
gives project 0001 with a USD 8,500.00 determination invoice issued (50,000 t expected a year).
"""

import datetime as dt
import html as htmllib
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.test import APIClient

from fees import services as fee_services
from fees.models import CreditNote, FeeAssessment, Invoice, Payment, Reimbursement
from projects.models import User
from projects.workflow import lock
from tests.factories import UserFactory
from tests.support import (
    add_verification_invoices,
    at,
    determination_invoice,
    html,
    login,
    queries_for,
)

pytestmark = pytest.mark.django_db

D = Decimal
CALC = "/fees/calculator/"


# --- helpers ----------------------------------------------------------------------------------


def page(response) -> str:
    return response.content.decode()


def fee_total(html: str) -> str | None:
    match = re.search(r'data-testid="fee-total">(.*?)</p>', html, re.S)
    return htmllib.unescape(match.group(1).strip()) if match else None


def field_block(html: str, name: str) -> str:
    """The ``<div class="field ...">`` of the form field named ``name``."""
    blocks = re.split(r'(?=<div class="field )|(?=<div class="form-actions")', html)
    found = [b for b in blocks if b.startswith('<div class="field ') and f'name="{name}"' in b]
    assert found, f"no field {name}"
    return found[0]


def field_errors(html: str, name: str) -> list[str]:
    block = field_block(html, name)
    errors = re.findall(r'<p class="error errorlist" role="alert">(.*?)</p>', block, re.S)
    if errors:
        assert "has-error" in block.split(">", 1)[0]
    return [htmllib.unescape(e) for e in errors]


def messages_of(html: str) -> list[str]:
    return [
        htmllib.unescape(m)
        for m in re.findall(
            r'<div class="alert alert-success[^"]*" role="status">(.*?)</div>', html
        )
    ]


def section(html: str, labelled_by: str) -> str:
    match = re.search(rf'<section[^>]*aria-labelledby="{labelled_by}".*?</section>', html, re.S)
    assert match, labelled_by
    return match.group(0)


# --- the public calculator ----------------------------------------------------------------------


def test_calculator_blank_form(client):
    r = client.get(CALC)
    assert r.status_code == 200
    html = page(r)
    assert fee_total(html) is None
    assert 'name="expected_annual_reductions"' in html
    assert 'name="reductions"' in html
    assert "has-error" not in html


@pytest.mark.parametrize(
    ("query", "total"),
    [
        ("kind=determination&expected_annual_reductions=100000", "USD 18,500.00"),
        ("kind=determination&expected_annual_reductions=14999", "USD 0.00"),
        ("kind=determination&expected_annual_reductions=15000", "USD 1,500.00"),
        ("kind=determination&expected_annual_reductions=10000000", "USD 350,000.00"),
        ("kind=determination&expected_annual_reductions=1000000000000", "USD 350,000.00"),
        ("kind=determination&expected_annual_reductions=50000&poa=on", "USD 5,000.00"),
        ("kind=determination&expected_annual_reductions=50000&poa=true", "USD 5,000.00"),
        ("kind=determination&expected_annual_reductions=100000&small_scale=on", "USD 0.00"),
        ("kind=determination&expected_annual_reductions=15000&schedule=v2", "USD 0.00"),
        ("kind=determination&expected_annual_reductions=15001&schedule=v2", "USD 1,500.20"),
        ("kind=determination&expected_annual_reductions=15001&schedule=", "USD 1,500.20"),
        ("kind=verification&reductions=20000&already_this_year=10000", "USD 3,500.00"),
        ("kind=verification&reductions=15000&already_this_year=10000", "USD 2,500.00"),
        ("kind=verification&reductions=20000&poa=on", "USD 2,000.00"),
        ("kind=verification&reductions=20000&small_scale=on&schedule=v2", "USD 0.00"),
        (
            "kind=verification&reductions=1000000000000&already_this_year=1000000000000",
            "USD 200,000,000,000.00",
        ),
    ],
)
def test_calculator_shows_the_total(client, query, total):
    r = client.get(f"{CALC}?{query}")
    assert r.status_code == 200
    assert fee_total(page(r)) == total


def test_calculator_shows_the_tier_lines(client):
    html = page(client.get(f"{CALC}?kind=determination&expected_annual_reductions=100000"))
    result = section(html, "h-result")
    assert "15,000" in result and "85,000" in result
    assert "USD 1,500.00" in result and "USD 17,000.00" in result
    assert "Schedule v3" in result


@pytest.mark.parametrize(
    "query",
    [
        "kind=determination&expected_annual_reductions=100000",
        "kind=determination&expected_annual_reductions=1757501&poa=true",
        "kind=determination&expected_annual_reductions=15001&schedule=v2",
        "kind=verification&reductions=33333&already_this_year=7000",
        "kind=verification&reductions=20000&schedule=v2&expected_annual_reductions=15000",
    ],
)
def test_calculator_agrees_with_the_api(client, query):
    api = APIClient().get(f"/api/fees/quote/?{query}").json()
    assert fee_total(page(client.get(f"{CALC}?{query}"))) == f"USD {D(api['amount_usd']):,.2f}"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=determination&expected_annual_reductions=-1", "expected_annual_reductions"),
        ("kind=determination&expected_annual_reductions=1.5", "expected_annual_reductions"),
        ("kind=determination&expected_annual_reductions=abc", "expected_annual_reductions"),
        ("kind=determination&expected_annual_reductions=1e3", "expected_annual_reductions"),
        ("kind=determination&expected_annual_reductions=", "expected_annual_reductions"),
        ("kind=determination", "expected_annual_reductions"),
        (
            "kind=determination&expected_annual_reductions=1000000000001",
            "expected_annual_reductions",
        ),
        ("kind=verification&reductions=", "reductions"),
        ("kind=verification&reductions=-20", "reductions"),
        ("kind=verification&reductions=10&already_this_year=x", "already_this_year"),
        ("kind=determination&expected_annual_reductions=1&schedule=v9", "schedule"),
        ("kind=nonsense&expected_annual_reductions=1", "kind"),
        ("expected_annual_reductions=1", "kind"),
        ("kind=determination&expected_annual_reductions=1%00", "expected_annual_reductions"),
    ],
)
def test_calculator_errors_on_the_field_with_400(client, query, field):
    r = client.get(f"{CALC}?{query}")
    assert r.status_code == 400
    html = page(r)
    assert field_errors(html, field), html
    assert fee_total(html) is None


def test_calculator_error_keeps_the_input(client):
    html = page(client.get(f"{CALC}?kind=determination&expected_annual_reductions=12abc"))
    assert 'value="12abc"' in field_block(html, "expected_annual_reductions")
    assert "whole number" in field_errors(html, "expected_annual_reductions")[0]


GARBAGE = [
    "9" * 100_000,
    "-" + "9" * 3000,
    "１２",
    "\x00",
    "1\x00",
    "💩",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%",
    " ",
    "NaN",
    "1e999",
]


@pytest.mark.parametrize("value", GARBAGE)
@pytest.mark.parametrize(
    "param",
    [
        "kind",
        "expected_annual_reductions",
        "reductions",
        "already_this_year",
        "schedule",
        "poa",
        "small_scale",
        "page",
    ],
)
def test_calculator_never_500_on_garbage(client, param, value):
    kind = "verification" if param in ("reductions", "already_this_year") else "determination"
    params = {"kind": kind, "expected_annual_reductions": "50000", "reductions": "20000"}
    params[param] = value
    r = client.get(CALC, params)
    assert r.status_code in (200, 400), r.status_code
    html = page(r)
    assert "<script>alert(1)</script>" not in html
    if r.status_code == 400:
        assert 'class="error errorlist"' in html


def test_calculator_get_only(client):
    assert client.post(CALC, {"kind": "determination"}).status_code == 405


def test_calculator_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        client.get(f"{CALC}?kind=determination&expected_annual_reductions=100000")


# --- /fees/ ---------------------------------------------------------------------------------------


def test_fees_home_secretariat_unpaid_with_age_and_reimbursements(
    cycle, other_org_cycle, secretariat, client
):
    with time_machine.travel(at(2025, 3, 3, 9), tick=False) as traveller:
        ours = determination_invoice(cycle.determination_submitted())
        traveller.move_to(at(2025, 3, 10, 9))
        theirs = determination_invoice(other_org_cycle.determination_submitted(title="Theirs"))
        paid = determination_invoice(cycle.determination_submitted(title="Paid one"))
        fee_services.record_payment(secretariat, paid, amount="8600.00", reference="OVER")
        fee_services.record_payment(secretariat, ours, amount="500.00", reference="PART")
        traveller.move_to(at(2025, 4, 5, 9))
        r = login(client, secretariat).get("/fees/")
        assert r.status_code == 200
        html = page(r)
    unpaid = section(html, "h-unpaid")
    assert ours.number in unpaid and theirs.number in unpaid
    assert paid.number not in unpaid
    # Oldest first, with its age; past the 30 days it is overdue.
    assert unpaid.index(ours.number) < unpaid.index(theirs.number)
    assert "33 days" in unpaid and "26 days" in unpaid
    assert unpaid.count("overdue") >= 1
    assert "USD 8,000.00" in unpaid  # the balance of the partly paid invoice
    assert "USD 16,500.00 outstanding" in unpaid
    assert f'href="/fees/invoices/{ours.number}/"' in unpaid
    refunds = section(html, "h-refunds")
    refund = Reimbursement.objects.get()
    assert "USD 100.00" in refunds
    assert f'href="/fees/reimbursements/{refund.pk}/paid/"' in refunds
    payments = section(html, "h-payments")
    assert "OVER" in payments and "PART" in payments


def test_fees_home_secretariat_hides_paid_reimbursements(fee_due, secretariat, client):
    fee_services.record_payment(secretariat, fee_due, amount="8600.00", reference="OVER")
    refund = Reimbursement.objects.get()
    fee_services.record_reimbursement_paid(secretariat, refund, reference="BACK")
    html = page(login(client, secretariat).get("/fees/"))
    assert "No reimbursement is due." in section(html, "h-refunds")
    assert "Every invoice is paid." in section(html, "h-unpaid")


def test_fees_home_participant_sees_own_invoices_payments_and_credit(
    cycle, other_org_cycle, participant, other_participant, secretariat, client
):
    ours = determination_invoice(cycle.determination_submitted())
    theirs = determination_invoice(other_org_cycle.determination_submitted(title="Theirs"))
    fee_services.record_payment(secretariat, ours, amount="8500.00", reference="OUR-PAY")
    fee_services.record_payment(secretariat, theirs, amount="100.00", reference="THEIR-PAY")
    html = page(login(client, participant).get("/fees/"))
    invoices = section(html, "h-inv")
    assert ours.number in invoices
    assert theirs.number not in html
    assert "OUR-PAY" in section(html, "h-payments")
    assert "THEIR-PAY" not in html
    credit = section(html, "h-credit")
    assert "0001" in credit
    assert credit.count("USD 8,500.00") == 2  # paid and left
    assert "Unpaid invoices" not in html  # the secretariat's view
    assert "/fees/reimbursements/" not in html

    html = page(login(client, other_participant).get("/fees/"))
    assert theirs.number in html and ours.number not in html
    assert "OUR-PAY" not in html
    credit = section(html, "h-credit")
    assert "0002" in credit and "0001" not in credit
    assert "USD 100.00" in credit and "USD 8,500.00" not in credit


def test_fees_home_participant_no_advance_paid(fee_due, participant, client):
    html = page(login(client, participant).get("/fees/"))
    assert fee_due.number in section(html, "h-inv")
    assert "No advance has been paid yet." in section(html, "h-credit")
    assert "No payment recorded." in section(html, "h-payments")


def test_fees_home_participant_credit_after_verification(fee_due, participant, secretariat, client):
    fee_services.pay_balance(secretariat, fee_due.project, reference="ADV")
    with transaction.atomic():
        fee_services.assess_verification_fee(
            lock(fee_due.project), number=1, actor=secretariat, reductions_by_year={2009: 10000}
        )
    credit = section(page(login(client, participant).get("/fees/")), "h-credit")
    # USD 8,500.00 paid, USD 1,000.00 credited against the 2009 fee, USD 7,500.00 left.
    assert ["USD 8,500.00", "USD 1,000.00", "USD 0.00", "USD 7,500.00"] == re.findall(
        r"USD [\d,]+\.\d\d", credit
    )


def test_fees_home_participant_without_invoices(participant, client):
    html = page(login(client, participant).get("/fees/"))
    assert "No invoice has been issued to your organisation." in html


def test_fees_home_participant_without_organisation_sees_nothing(fee_due, client):
    lonely = UserFactory(username="lonely", role=User.Role.PARTICIPANT, organisation=None)
    r = login(client, lonely).get("/fees/")
    assert r.status_code == 200
    assert fee_due.number not in page(r)


def test_fees_home_participant_without_organisation_and_orphan_project(fee_due, client):
    fee_due.project.participants.clear()  # e.g. edited in the admin
    lonely = UserFactory(username="lonely", role=User.Role.PARTICIPANT, organisation=None)
    api = APIClient()
    api.force_authenticate(lonely)
    assert api.get("/api/invoices/").json()["results"] == []  # the API shows none
    html = page(login(client, lonely).get("/fees/"))
    assert fee_due.number not in html


@pytest.mark.parametrize("who", ["aie_user", "party_user", "jisc_user"])
def test_fees_home_other_roles_403(fee_due, request, who, client):
    r = login(client, request.getfixturevalue(who)).get("/fees/")
    assert r.status_code == 403
    assert fee_due.number not in page(r)


def test_fees_home_anonymous_redirects_to_login(client):
    r = client.get("/fees/")
    assert r.status_code == 302
    assert r["Location"] == "/login/?next=/fees/"


def test_fees_home_is_paginated(fee_due, secretariat, client):
    add_verification_invoices(fee_due.project, secretariat, 24)
    client = login(client, secretariat)
    first = page(client.get("/fees/"))
    second = page(client.get("/fees/?page=2"))
    assert "Page 1 of 2 (25 invoices)" in first
    assert "Page 2 of 2 (25 invoices)" in second
    assert fee_due.number in first  # oldest first
    for bad in ("zzz", "-1", "999", "%00", "9" * 50):
        assert client.get(f"/fees/?page={bad}").status_code == 200


def test_fees_home_get_only(secretariat, client):
    assert login(client, secretariat).post("/fees/").status_code == 405


# --- /projects/{key}/fee/ -------------------------------------------------------------------------


def test_project_fee_page(fee_due, participant, secretariat, client):
    fee_services.record_payment(secretariat, fee_due, amount="8600.00", reference="BANK-5")
    refund = Reimbursement.objects.get()
    for user in (participant, secretariat):
        r = login(client, user).get("/projects/0001/fee/")
        assert r.status_code == 200
        html = page(r)
        assessed = section(html, "h-assess")
        assert "Determination fee (advance)" in assessed
        assert "USD 8,500.00" in assessed
        assert "50,000 t CO2e" in assessed
        assert "35,000" in assessed
        assert f'href="/fees/invoices/{fee_due.number}/"' in section(html, "h-inv")
        payments = section(html, "h-pay")
        assert "BANK-5" in payments and "USD 8,600.00" in payments and "USD 100.00" in payments
        credit = section(html, "h-credit")
        assert re.findall(r"USD [\d,]+\.\d\d", credit) == [
            "USD 8,500.00",
            "USD 0.00",
            "USD 0.00",
            "USD 8,500.00",
        ]
        refunds = section(html, "h-refunds")
        link = f'href="/fees/reimbursements/{refund.pk}/paid/"'
        assert (link in refunds) == (user == secretariat)


def test_project_fee_page_before_any_fee(cycle, participant, client):
    cycle.comments_closed()
    html = page(login(client, participant).get("/projects/0001/fee/"))
    assert "No fee has been assessed yet" in html
    assert "No invoice has been issued." in html


@pytest.mark.parametrize("who", ["other_participant", "aie_user", "party_user", "jisc_user"])
def test_project_fee_page_others_404(fee_due, request, who, client):
    r = login(client, request.getfixturevalue(who)).get("/projects/0001/fee/")
    assert r.status_code == 404
    assert fee_due.number not in page(r)


def test_project_fee_page_anonymous_and_unknown(fee_due, client, secretariat):
    r = client.get("/projects/0001/fee/")
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")
    client.force_login(secretariat)
    assert client.get("/projects/9999/fee/").status_code == 404
    assert client.get("/projects/P99999/fee/").status_code == 404
    assert client.get("/projects/%00/fee/").status_code == 404


@pytest.mark.parametrize(
    "key", ["P" + "9" * 40, "P-1", "P0", "0001%00", "00001", "1", "%F0%9F%92%A9"]
)
def test_project_fee_pages_odd_keys_are_404(fee_due, secretariat, client, key):
    client = login(client, secretariat)
    assert client.get(f"/projects/{key}/fee/").status_code == 404
    assert client.get(f"/projects/{key}/fee/payment/").status_code == 404


@pytest.mark.parametrize("key", ["P²", "P①", "P" + "1" * 5000])
@pytest.mark.parametrize("suffix", ["fee/", "fee/payment/"])
def test_project_fee_page_odd_digit_keys_are_404(fee_due, secretariat, client, key, suffix):
    client = login(client, secretariat)
    client.raise_request_exception = False
    assert client.get(f"/projects/{key}/{suffix}").status_code == 404


def test_reimbursement_and_invoice_very_long_ids_are_404(fee_due, secretariat, client):
    client = login(client, secretariat)
    assert client.get(f"/fees/reimbursements/{'1' * 5000}/paid/").status_code == 404
    assert client.get(f"/fees/invoices/{'1' * 5000}/").status_code == 404


# --- /fees/invoices/{number}/ -----------------------------------------------------------------


def invoice_url(invoice, action: str = "") -> str:
    return f"/fees/invoices/{invoice.number}/" + (f"{action}/" if action else "")


def test_invoice_page_secretariat_sees_the_forms(fee_due, secretariat, client):
    r = login(client, secretariat).get(invoice_url(fee_due))
    assert r.status_code == 200
    html = page(r)
    assert f"Invoice {fee_due.number}" in html
    assert 'data-testid="balance">USD 8,500.00<' in html
    assert f'action="{invoice_url(fee_due, "pay")}"' in html
    assert f'action="{invoice_url(fee_due, "credit")}"' in html
    assert 'value="8500.00"' in field_block(html, "amount_usd")  # the balance, ready to pay
    assert f'href="{invoice_url(fee_due, "pdf")}"' in html
    assert "Green Carbon Ltd" in html
    assert "15,000 t CO2e at USD 0.10/t" in html


def test_invoice_page_participant_sees_no_forms(fee_due, participant, client):
    r = login(client, participant).get(invoice_url(fee_due))
    assert r.status_code == 200
    html = page(r)
    assert 'data-testid="balance">USD 8,500.00<' in html
    assert invoice_url(fee_due, "pay") not in html
    assert invoice_url(fee_due, "credit") not in html
    assert 'name="amount_usd"' not in html
    assert f'href="{invoice_url(fee_due, "pdf")}"' in html


def test_invoice_page_paid_invoice_has_no_credit_form(fee_due, secretariat, client):
    fee_services.record_payment(secretariat, fee_due, amount="8500.00", reference="FULL")
    html = page(login(client, secretariat).get(invoice_url(fee_due)))
    assert 'data-testid="balance">USD 0.00<' in html
    assert invoice_url(fee_due, "credit") not in html
    # Money received after all can still be recorded; it is owed back.
    assert f'action="{invoice_url(fee_due, "pay")}"' in html
    assert "owed back" in html
    assert "FULL" in section(html, "h-pay")


def test_invoice_page_overdue(cycle, secretariat, client):
    with time_machine.travel(at(2025, 3, 3, 9), tick=False) as traveller:
        invoice = determination_invoice(cycle.determination_submitted())
        traveller.move_to(at(2025, 4, 3, 9))
        html = page(login(client, secretariat).get(invoice_url(invoice)))
    assert "overdue" in html
    assert "(31 days ago)" in html


@pytest.mark.parametrize("who", ["other_participant", "aie_user", "party_user", "jisc_user"])
def test_invoice_page_others_404(fee_due, request, who, client):
    client = login(client, request.getfixturevalue(who))
    assert client.get(invoice_url(fee_due)).status_code == 404
    assert client.get(invoice_url(fee_due, "pdf")).status_code == 404


def test_invoice_page_anonymous_and_unknown(fee_due, client, secretariat):
    r = client.get(invoice_url(fee_due))
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    client.force_login(secretariat)
    for number in ("JI-1999-00001", "%00", "x" * 3000, "%F0%9F%92%A9"):
        assert client.get(f"/fees/invoices/{number}/").status_code == 404, number


def test_invoice_page_escapes_the_bank_reference(fee_due, secretariat, client):
    fee_services.record_payment(secretariat, fee_due, amount="1", reference="<b>x</b>")
    html = page(login(client, secretariat).get(invoice_url(fee_due)))
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


# --- POST /fees/invoices/{number}/pay/ -----------------------------------------------------------


def pay_form(amount="1000.00", reference="BANK-1", received_on=None) -> dict:
    return {
        "amount_usd": amount,
        "reference": reference,
        "received_on": (received_on or timezone.localdate()).isoformat(),
    }


def test_pay_records_and_redirects_with_message(fee_due, secretariat, client):
    client = login(client, secretariat)
    r = client.post(invoice_url(fee_due, "pay"), pay_form())
    assert r.status_code == 302
    assert r["Location"] == invoice_url(fee_due)
    html = page(client.get(r["Location"]))
    assert messages_of(html) == ["Payment of USD 1,000.00 recorded."]
    assert 'data-testid="balance">USD 7,500.00<' in html
    fee_due.refresh_from_db()
    assert (fee_due.status, fee_due.paid_usd) == ("partly_paid", D("1000.00"))
    payment = Payment.objects.get()
    assert (payment.reference, payment.received_on) == ("BANK-1", timezone.localdate())


def test_pay_an_earlier_date_and_the_rest(fee_due, secretariat, client):
    client = login(client, secretariat)
    earlier = timezone.localdate() - dt.timedelta(days=3)
    client.post(invoice_url(fee_due, "pay"), pay_form("8000", "A", earlier))
    client.post(invoice_url(fee_due, "pay"), pay_form("500", "B"))
    fee_due.refresh_from_db()
    assert fee_due.status == "paid"
    assert Payment.objects.order_by("pk").first().received_on == earlier
    assert FeeAssessment.objects.get().status == "paid"


def test_pay_above_the_balance_says_what_is_due_back(fee_due, secretariat, client):
    client = login(client, secretariat)
    r = client.post(invoice_url(fee_due, "pay"), pay_form("9000.00"), follow=True)
    assert messages_of(page(r)) == [
        "Payment of USD 9,000.00 recorded. USD 500.00 above the balance is due back."
    ]
    assert Reimbursement.objects.get().amount_usd == D("500.00")


@pytest.mark.parametrize(
    "amount",
    ["abc", "", "0", "0.00", "-1", "1.234", "NaN", "Infinity", "1e400", "9" * 20, "1,000.00"],
)
def test_pay_invalid_amount_is_400_with_the_error_and_nothing_recorded(
    fee_due, secretariat, client, amount
):
    r = login(client, secretariat).post(invoice_url(fee_due, "pay"), pay_form(amount))
    assert r.status_code == 400
    html = page(r)
    assert field_errors(html, "amount_usd"), html
    assert not Payment.objects.exists()
    fee_due.refresh_from_db()
    assert (fee_due.status, fee_due.paid_usd) == ("issued", D("0.00"))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"reference": ""}, "reference"),
        ({"reference": "   "}, "reference"),
        ({"reference": "x" * 121}, "reference"),
        ({"reference": "a\x00b"}, "reference"),
        ({"received_on": ""}, "received_on"),
        ({"received_on": "2025-02-30"}, "received_on"),
        ({"received_on": "9999-12-31"}, "received_on"),
        ({"received_on": "\x00"}, "received_on"),
    ],
)
def test_pay_invalid_other_fields_are_400(fee_due, secretariat, client, data, field):
    r = login(client, secretariat).post(invoice_url(fee_due, "pay"), {**pay_form(), **data})
    assert r.status_code == 400
    assert field_errors(page(r), field)
    assert not Payment.objects.exists()


def test_pay_tomorrow_is_refused_on_the_field(fee_due, secretariat, client):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    r = login(client, secretariat).post(invoice_url(fee_due, "pay"), pay_form(received_on=tomorrow))
    assert r.status_code == 400
    assert field_errors(page(r), "received_on") == ["The payment cannot be received in the future."]
    assert not Payment.objects.exists()


def test_pay_duplicate_reference_is_409_on_the_field(fee_due, secretariat, client):
    client = login(client, secretariat)
    assert client.post(invoice_url(fee_due, "pay"), pay_form("100")).status_code == 302
    r = client.post(invoice_url(fee_due, "pay"), pay_form("100"))
    assert r.status_code == 409
    assert "already recorded" in field_errors(page(r), "reference")[0]
    assert Payment.objects.count() == 1


def test_pay_refusals(fee_due, participant, other_participant, aie_user, client):
    client.force_login(participant)
    r = client.post(invoice_url(fee_due, "pay"), pay_form())
    assert r.status_code == 403
    for user in (other_participant, aie_user):
        client.force_login(user)
        assert client.post(invoice_url(fee_due, "pay"), pay_form()).status_code == 404
    client.logout()
    r = client.post(invoice_url(fee_due, "pay"), pay_form())
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    assert not Payment.objects.exists()


def test_pay_needs_the_csrf_token(fee_due, secretariat):
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretariat)
    assert client.post(invoice_url(fee_due, "pay"), pay_form()).status_code == 403
    assert client.post(invoice_url(fee_due, "credit"), {"reason": "x"}).status_code == 403
    assert not Payment.objects.exists() and not CreditNote.objects.exists()


def test_payment_and_reimbursement_dates_before_the_fees_existed_are_refused(
    fee_due, secretariat, client
):
    """No JI fee moved before 2006 (decision 3/CMP.2): such a date is a typing error."""
    client = login(client, secretariat)
    r = client.post(invoice_url(fee_due, "pay"), pay_form("9000", "OLD", dt.date(1, 1, 1)))
    assert r.status_code == 400 and "before 2006" in html(r)
    assert not Payment.objects.exists()
    r = client.post(invoice_url(fee_due, "pay"), pay_form("9000", "NEW", dt.date(2011, 3, 1)))
    assert r.status_code == 302
    refund = Reimbursement.objects.get()
    r = client.post(f"/fees/reimbursements/{refund.pk}/paid/", {"paid_on": "0001-01-02"})
    assert r.status_code == 400 and "before 2006" in html(r)
    assert Reimbursement.objects.get(pk=refund.pk).paid_on is None


def test_pay_get_redirects_to_the_invoice(fee_due, secretariat, client):
    r = login(client, secretariat).get(invoice_url(fee_due, "pay"))
    assert r.status_code == 302
    assert r["Location"] == invoice_url(fee_due)


# --- POST /fees/invoices/{number}/credit/ --------------------------------------------------------


def test_credit_note_issued_then_refused(fee_due, secretariat, participant, client):
    client = login(client, secretariat)
    r = client.post(invoice_url(fee_due, "credit"), {"reason": "Project withdrawn."})
    assert r.status_code == 302
    assert r["Location"] == invoice_url(fee_due)
    note = CreditNote.objects.get()
    html = page(client.get(r["Location"]))
    assert messages_of(html) == [f"Credit note {note.number} issued for USD 8,500.00."]
    assert f'href="/fees/credit-notes/{note.number}/pdf/"' in html
    assert "Project withdrawn." in html
    fee_due.refresh_from_db()
    assert fee_due.status == "credited"
    assert invoice_url(fee_due, "credit") not in html  # no credit form on a closed invoice
    r = client.post(invoice_url(fee_due, "credit"), {"reason": "Again."})
    assert r.status_code == 409
    assert CreditNote.objects.count() == 1
    # The participant sees the credit note.
    assert note.number in page(login(client, participant).get(invoice_url(fee_due)))


def test_credit_note_on_a_closed_invoice_explains_the_409(fee_due, secretariat, client):
    fee_services.record_payment(secretariat, fee_due, amount="8500.00", reference="FULL")
    r = login(client, secretariat).post(invoice_url(fee_due, "credit"), {"reason": "Too late."})
    assert r.status_code == 409
    assert "only an open invoice can be credited" in page(r)


@pytest.mark.parametrize("reason", ["", "   ", "\x00"])
def test_credit_note_needs_a_reason(fee_due, secretariat, client, reason):
    r = login(client, secretariat).post(invoice_url(fee_due, "credit"), {"reason": reason})
    assert r.status_code == 400
    assert field_errors(page(r), "reason")
    assert not CreditNote.objects.exists()


def test_credit_note_refusals(fee_due, participant, other_participant, client):
    client.force_login(participant)
    assert client.post(invoice_url(fee_due, "credit"), {"reason": "x"}).status_code == 403
    client.force_login(other_participant)
    assert client.post(invoice_url(fee_due, "credit"), {"reason": "x"}).status_code == 404
    assert not CreditNote.objects.exists()


# --- PDFs ---------------------------------------------------------------------------------------


def assert_pdf(response, filename: str) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.content.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


def test_invoice_pdf(fee_due, participant, secretariat, client):
    fee_services.record_payment(secretariat, fee_due, amount="10", reference="P")
    for user in (participant, secretariat):
        text = assert_pdf(
            login(client, user).get(invoice_url(fee_due, "pdf")), f"{fee_due.number}.pdf"
        )
        assert fee_due.number in text
        assert "8,500.00" in text


def test_invoice_pdf_anonymous_and_unknown(fee_due, client, secretariat):
    r = client.get(invoice_url(fee_due, "pdf"))
    assert r.status_code == 302
    client.force_login(secretariat)
    assert client.get("/fees/invoices/JI-1999-00001/pdf/").status_code == 404


def test_credit_note_pdf(fee_due, participant, secretariat, other_participant, aie_user, client):
    note = fee_services.credit_invoice(secretariat, fee_due, reason="Withdrawn.")
    url = f"/fees/credit-notes/{note.number}/pdf/"
    for user in (participant, secretariat):
        client.force_login(user)
        text = assert_pdf(client.get(url), f"{note.number}.pdf")
        assert note.number in text and fee_due.number in text
        assert "8,500.00" in text
    for user in (other_participant, aie_user):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(secretariat)
    assert client.get("/fees/credit-notes/CN-1999-00001/pdf/").status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


# --- reimbursements -------------------------------------------------------------------------------


@pytest.fixture
def refund(fee_due, secretariat):
    fee_services.record_payment(secretariat, fee_due, amount="8600.00", reference="OVER")
    return Reimbursement.objects.get()


def test_reimbursement_paid_form_and_post(refund, secretariat, client):
    client = login(client, secretariat)
    url = f"/fees/reimbursements/{refund.pk}/paid/"
    r = client.get(url)
    assert r.status_code == 200
    html = page(r)
    assert "USD 100.00" in html
    assert 'name="paid_on"' in html and 'name="reference"' in html
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    r = client.post(url, {"paid_on": yesterday.isoformat(), "reference": "BACK-1"})
    assert r.status_code == 302
    assert r["Location"] == "/fees/"
    refund.refresh_from_db()
    assert (refund.status, refund.paid_on, refund.reference) == ("paid", yesterday, "BACK-1")
    assert messages_of(page(client.get("/fees/"))) == [
        "Reimbursement of USD 100.00 recorded as paid."
    ]
    r = client.post(url, {"paid_on": yesterday.isoformat(), "reference": "AGAIN"})
    assert r.status_code == 409
    assert "already recorded as paid" in page(r)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"paid_on": "9999-12-31"}, "paid_on"),
        ({"paid_on": ""}, "paid_on"),
        ({"paid_on": "nonsense"}, "paid_on"),
        ({"reference": "x" * 121}, "reference"),
    ],
)
def test_reimbursement_paid_invalid_is_400(refund, secretariat, client, data, field):
    form = {"paid_on": timezone.localdate().isoformat(), "reference": "R", **data}
    r = login(client, secretariat).post(f"/fees/reimbursements/{refund.pk}/paid/", form)
    assert r.status_code == 400
    assert field_errors(page(r), field)
    refund.refresh_from_db()
    assert refund.status == "due"


def test_reimbursement_paid_refusals(refund, participant, other_participant, aie_user, client):
    url = f"/fees/reimbursements/{refund.pk}/paid/"
    client.force_login(participant)
    assert client.get(url).status_code == 403
    assert client.post(url, {"paid_on": timezone.localdate().isoformat()}).status_code == 403
    for user in (other_participant, aie_user):
        client.force_login(user)
        assert client.get(url).status_code == 404
    refund.refresh_from_db()
    assert refund.status == "due"


def test_reimbursement_paid_unknown_ids_are_404(refund, secretariat, client):
    client = login(client, secretariat)
    assert client.get("/fees/reimbursements/987654/paid/").status_code == 404
    assert client.get(f"/fees/reimbursements/{10**30}/paid/").status_code == 404


# --- /projects/{key}/fee/payment/ -------------------------------------------------------------


def test_payment_form_asks_for_amount_date_and_reference(fee_due, secretariat, client):
    """Issue 12: "Record payment" states what was received; nothing is filled in but the date."""
    client = login(client, secretariat)
    fee_services.record_payment(secretariat, fee_due, amount="3000.00", reference="PART-1")
    html = page(client.get("/projects/0001/fee/payment/"))
    for name in ("amount_usd", "received_on", "reference"):
        assert f'name="{name}"' in field_block(html, name)
    amount_input = re.search(r'<input[^>]*name="amount_usd"[^>]*>', html).group(0)
    assert "value=" not in amount_input  # the amount received is typed, never assumed
    assert "balance due" in html and "USD 5,500.00" in html
    assert "Record payment received in full" not in html


def test_payment_form_records_what_was_received(fee_due, secretariat, client):
    client = login(client, secretariat)
    received = timezone.localdate() - dt.timedelta(days=2)
    form = {"amount_usd": "3000.00", "received_on": received.isoformat(), "reference": "SHORT-1"}
    r = client.post("/projects/0001/fee/payment/", form)
    assert r.status_code == 302
    assert r["Location"] == "/projects/0001/"
    fee_due.refresh_from_db()
    assert (fee_due.status, fee_due.balance_usd) == ("partly_paid", D("5500.00"))
    payment = fee_due.payments.get()
    assert (payment.amount_usd, payment.received_on, payment.reference) == (
        D("3000.00"),
        received,
        "SHORT-1",
    )
    assert messages_of(page(client.get("/projects/0001/"))) == [
        f"Payment of USD 3,000.00 recorded on {fee_due.number}; balance due USD 5,500.00."
    ]
    r = client.post("/projects/0001/fee/payment/", {**form, "amount_usd": "6000.00"})
    assert r.status_code == 409  # the same bank reference on this invoice
    r = client.post(
        "/projects/0001/fee/payment/", {**form, "amount_usd": "6000.00", "reference": "SHORT-2"}
    )
    assert r.status_code == 302
    fee_due.refresh_from_db()
    assert (fee_due.status, fee_due.balance_usd) == ("paid", D("0.00"))
    assert Reimbursement.objects.get().amount_usd == D("500.00")  # over-paid: owed back
    assert (
        "USD 500.00 above the balance is due back."
        in messages_of(page(client.get("/projects/0001/")))[0]
    )
    r = client.post("/projects/0001/fee/payment/", {**form, "reference": "SHORT-3"})
    assert r.status_code == 409


@pytest.mark.parametrize("missing", ["amount_usd", "received_on", "reference"])
def test_payment_form_without_a_field_is_400_and_records_nothing(
    fee_due, secretariat, client, missing
):
    form = {
        "amount_usd": "8500.00",
        "received_on": timezone.localdate().isoformat(),
        "reference": "SHORT-1",
    }
    del form[missing]
    r = login(client, secretariat).post("/projects/0001/fee/payment/", form)
    assert r.status_code == 400
    assert field_errors(page(r), missing)
    assert not Payment.objects.exists()


def test_payment_form_reference_only_no_longer_books_the_balance(fee_due, secretariat, client):
    r = login(client, secretariat).post("/projects/0001/fee/payment/", {"reference": "SHORT-1"})
    assert r.status_code == 400
    assert field_errors(page(r), "amount_usd")
    fee_due.refresh_from_db()
    assert (fee_due.status, fee_due.paid_usd) == ("issued", D("0.00"))


def test_payment_shortcut_refusals(fee_due, participant, aie_user, other_participant, client):
    client.force_login(participant)
    assert client.get("/projects/0001/fee/payment/").status_code == 403
    assert client.post("/projects/0001/fee/payment/", {}).status_code == 403
    for user in (aie_user, other_participant):
        client.force_login(user)
        assert client.post("/projects/0001/fee/payment/", {}).status_code == 404
    assert not Payment.objects.exists()


def test_payment_shortcut_bad_reference_is_400(fee_due, secretariat, client):
    form = {
        "amount_usd": "8500.00",
        "received_on": timezone.localdate().isoformat(),
        "reference": "x" * 121,
    }
    r = login(client, secretariat).post("/projects/0001/fee/payment/", form)
    assert r.status_code == 400
    assert field_errors(page(r), "reference")
    assert not Payment.objects.exists()


def test_the_admin_has_no_one_click_payment_action():
    """Issue 12: the admin's bulk "record the balance as received today" is gone; a payment is
    recorded with its amount, date and bank reference on the invoice or project form."""
    fee_admin = admin.site._registry[FeeAssessment]
    assert "record_payment" not in (fee_admin.actions or [])
    assert not hasattr(fee_admin, "record_payment")


# --- the balance, not the total (issue 12) ------------------------------------------------------


def test_secretariat_dashboard_shows_the_balance_due_and_asks_for_the_amount(
    fee_due, secretariat, client
):
    client = login(client, secretariat)
    fee_services.record_payment(secretariat, fee_due, amount="3000.00", reference="PART-1")
    html = page(client.get("/dashboard/"))
    reports = section(html, "h-queue-reports")
    text = " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", reports)).split())
    assert "determination fee: balance due USD 5,500.00 of USD 8,500.00" in text
    form = re.search(r'<form method="post" action="/projects/0001/fee/payment/".*?</form>', reports)
    assert form, reports
    for name in ("amount_usd", "received_on", "reference"):
        assert f'name="{name}"' in form.group(0)
    # The inline form posts what the secretariat typed.
    r = client.post(
        "/projects/0001/fee/payment/",
        {
            "amount_usd": "5500.00",
            "received_on": timezone.localdate().isoformat(),
            "reference": "DASH-1",
        },
    )
    assert r.status_code == 302
    fee_due.refresh_from_db()
    assert fee_due.status == "paid"


def test_secretariat_dashboard_before_a_payment_shows_the_balance(fee_due, secretariat, client):
    html = page(login(client, secretariat).get("/dashboard/"))
    reports = section(html, "h-queue-reports")
    text = " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", reports)).split())
    assert "determination fee: balance due USD 8,500.00" in text
    assert "of USD 8,500.00" not in text


def test_project_fee_page_shows_the_balance_due_after_a_part_payment(
    fee_due, participant, secretariat, client
):
    fee_services.record_payment(secretariat, fee_due, amount="3000.00", reference="PART-1")
    for user in (participant, secretariat):
        assessed = section(page(login(client, user).get("/projects/0001/fee/")), "h-assess")
        text = " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", assessed)).split())
        assert "Balance due: USD 5,500.00" in text
        assert "Total USD 8,500.00" in text  # the total stays where the page says "total"


def test_project_fee_page_shows_the_exact_expected_average(cycle, participant, client):
    cycle.determination_submitted(expected={2009: 15000, 2010: 15001})
    assessed = section(page(login(client, participant).get("/projects/0001/fee/")), "h-assess")
    assert "15,000.5 t CO2e" in assessed


# --- query budgets ----------------------------------------------------------------------------


def many_fee_rows(cycle, secretariat) -> None:
    """Adds a second project of the participant's organisation, 13 more invoices (15 in all),
    15 more payments (part, full and over-payments: reimbursements, one paid back) and a
    credit note."""
    first = Invoice.objects.get()
    second = cycle.determination_submitted(title="Second landfill")
    add_verification_invoices(first.project, secretariat, 7)
    add_verification_invoices(second, secretariat, 6)
    invoices = list(Invoice.objects.order_by("pk"))
    assert len(invoices) == 15
    for i, invoice in enumerate(invoices[1:13]):
        fee_services.record_payment(secretariat, invoice, amount="100.00", reference=f"A{i}")
    fee_services.record_payment(secretariat, invoices[13], amount="2600.00", reference="OVER")
    fee_services.record_payment(secretariat, invoices[1], amount="9000.00", reference="OVER2")
    fee_services.credit_invoice(secretariat, invoices[2], reason="Waived.")
    fee_services.record_reimbursement_paid(
        secretariat, Reimbursement.objects.order_by("pk").first(), reference="BACK"
    )
    # Many payments on the first invoice too (its page lists them).
    for i in range(14):
        fee_services.record_payment(secretariat, first, amount="10.00", reference=f"F{i}")
    fee_services.record_payment(secretariat, first, amount="9000.00", reference="F-OVER")
    assert Payment.objects.filter(invoice=first).count() == 16
    assert Reimbursement.objects.count() == 3


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("secretariat", "/fees/"),
        ("participant", "/fees/"),
        ("secretariat", "/projects/0001/fee/"),
        ("participant", "/projects/0001/fee/"),
        ("secretariat", "INVOICE"),
        ("participant", "INVOICE"),
    ],
)
def test_query_budget(fee_due, cycle, request, client, who, url, django_assert_max_num_queries):
    client.force_login(request.getfixturevalue(who))
    url = invoice_url(fee_due) if url == "INVOICE" else url
    fee_services.record_payment(cycle.secretariat, fee_due, amount="100.00", reference="ONE")
    one = queries_for(client, url)
    many_fee_rows(cycle, cycle.secretariat)
    many = queries_for(client, url)
    assert many == one
    assert one <= 10
    with django_assert_max_num_queries(10):
        client.get(url)
