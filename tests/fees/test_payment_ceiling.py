"""A payment is at most twice its invoice's amount (fees.services.PAYMENT_CEILING_FACTOR): the
fee schedule bounds what an invoice asks for; USD 1e10 against an advance of 8,500 is a typing
error, refused on the site, in the API and in the domain, and nothing is recorded."""

import html as htmllib
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from fees import services as fee_services
from fees.models import Payment, Reimbursement
from jitrack.errors import Invalid
from projects.models import Event
from tests.support import assert_error, login

pytestmark = pytest.mark.django_db

D = Decimal
CEILING_MESSAGE = "is at most USD 17,000.00, twice the invoice's USD 8,500.00: check the amount."


def untouched(invoice, events_before: int) -> None:
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_usd) == ("issued", D("0.00"))
    assert not Payment.objects.exists()
    assert not Reimbursement.objects.exists()
    assert Event.objects.count() == events_before


@pytest.mark.parametrize("amount", ["17000.01", "10000000000", "999999999999.99"])
def test_payment_above_twice_the_invoice_is_refused(fee_due, secretariat, amount):
    events = Event.objects.count()
    with pytest.raises(Invalid) as refused:
        fee_services.record_payment(secretariat, fee_due, amount=amount, reference="UBS-1")
    assert refused.value.field == "amount_usd"
    assert str(refused.value) == f"A payment on {fee_due.number} {CEILING_MESSAGE}"
    untouched(fee_due, events)


def test_payment_of_twice_the_invoice_is_recorded_and_the_excess_owed_back(fee_due, secretariat):
    payment = fee_services.record_payment(
        secretariat, fee_due, amount="17000.00", reference="UBS-1"
    )
    assert (payment.applied_usd, payment.excess_usd) == (D("8500.00"), D("8500.00"))
    assert Reimbursement.objects.get().amount_usd == D("8500.00")


def test_the_ceiling_is_the_invoice_not_its_balance(fee_due, secretariat):
    # A transfer made twice: the invoice is paid, the second one is all excess, and allowed.
    fee_services.record_payment(secretariat, fee_due, amount="8500.00", reference="UBS-1")
    late = fee_services.record_payment(secretariat, fee_due, amount="8500.00", reference="UBS-2")
    assert (late.applied_usd, late.excess_usd) == (D("0.00"), D("8500.00"))
    with pytest.raises(Invalid, match=re.escape(CEILING_MESSAGE)):
        fee_services.record_payment(secretariat, fee_due, amount="17000.01", reference="UBS-3")


def test_api_payment_above_the_ceiling_is_400_with_code_and_detail(fee_due, sec_api):
    events = Event.objects.count()
    r = sec_api.post(
        f"/api/invoices/{fee_due.number}/payments/",
        {"amount_usd": "10000000000.00", "reference": "BANK-1"},
        format="json",
    )
    body = assert_error(r, 400, "invalid", field="amount_usd")
    assert CEILING_MESSAGE in body["detail"]
    untouched(fee_due, events)


def test_api_project_fee_payment_above_the_ceiling_is_400(fee_due, sec_api):
    events = Event.objects.count()
    r = sec_api.post(
        "/api/projects/0001/fee/payment/",
        {
            "amount_usd": "10000000000.00",
            "received_on": timezone.localdate().isoformat(),
            "reference": "BANK-1",
        },
        format="json",
    )
    body = assert_error(r, 400, "invalid", field="amount_usd")
    assert CEILING_MESSAGE in body["detail"]
    untouched(fee_due, events)


@pytest.mark.parametrize("url", ["/projects/0001/fee/payment/", "/fees/invoices/{number}/pay/"])
def test_payment_form_above_the_ceiling_shows_the_message_and_records_nothing(
    fee_due, secretariat, client, url
):
    events = Event.objects.count()
    form = {
        "amount_usd": "10000000000.00",
        "received_on": timezone.localdate().isoformat(),
        "reference": "BANK-1",
    }
    r = login(client, secretariat).post(url.format(number=fee_due.number), form)
    assert r.status_code == 400
    html = htmllib.unescape(r.content.decode())
    field = re.search(
        r'<div class="field [^"]*has-error[^"]*">(?:(?!<div class="field ).)*', html, re.S
    )
    assert field and 'name="amount_usd"' in field.group(0)
    assert CEILING_MESSAGE in field.group(0)
    untouched(fee_due, events)
