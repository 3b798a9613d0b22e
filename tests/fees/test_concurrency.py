"""Fee records written at the same time from two connections (PostgreSQL only).

``fees.services`` locks the project row first, then the invoice row, and numbers invoices from a
locked counter row. SQLite serialises whole transactions, so these races only mean something on
PostgreSQL; CI runs this file there (DATABASE_URL=postgres://...).
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from determinations import workflow as dwf
from fees import services as fee_services
from fees.models import CreditNote, FeeAssessment, Invoice, Payment, Reimbursement
from jitrack.errors import Conflict
from projects import workflow as wf
from projects.models import Event, Project
from tests.support import FINDINGS, run_at_once

D = Decimal
PG_ONLY = "concurrent row locks need PostgreSQL; CI runs this file on PostgreSQL"


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(PG_ONLY)


def det_invoice(project) -> Invoice:
    return Invoice.objects.get(project=project, kind="determination")


@pytest.mark.django_db(transaction=True)
def test_two_payments_at_once_on_one_invoice(cycle, secretariat):
    project = cycle.determination_submitted()
    invoice = det_invoice(project)
    assert invoice.amount_usd == D("8500.00")

    def pay(reference):
        return lambda: fee_services.record_payment(
            secretariat, invoice, amount="5000.00", reference=reference
        )

    _, errors = run_at_once(pay("UBS-A"), pay("UBS-B"))
    assert errors == [None, None]
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_usd, invoice.balance_usd) == (
        "paid",
        D("8500.00"),
        D("0.00"),
    )
    payments = Payment.objects.filter(invoice=invoice).order_by("applied_usd")
    assert [(p.amount_usd, p.applied_usd, p.excess_usd) for p in payments] == [
        (D("5000.00"), D("3500.00"), D("1500.00")),
        (D("5000.00"), D("5000.00"), D("0.00")),
    ]
    refund = Reimbursement.objects.get()
    assert (refund.reason, refund.amount_usd, refund.invoice) == (
        "overpayment",
        D("1500.00"),
        invoice,
    )
    assert fee_services.determination_fee_record(project).status == "paid"
    assert Event.objects.filter(project=project, kind="fee_paid").count() == 1
    assert Event.objects.filter(project=project, kind="payment_recorded").count() == 2


@pytest.mark.django_db(transaction=True)
def test_same_bank_reference_at_once_is_recorded_once(cycle, secretariat):
    project = cycle.determination_submitted()
    invoice = det_invoice(project)

    def pay():
        return fee_services.record_payment(
            secretariat, invoice, amount="5000.00", reference="UBS-A"
        )

    results, errors = run_at_once(pay, pay)
    assert sum(r is not None for r in results) == 1
    refused = [e for e in errors if e is not None]
    assert len(refused) == 1
    assert isinstance(refused[0], Conflict) and refused[0].code == "duplicate_payment"
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_usd) == ("partly_paid", D("5000.00"))
    assert Payment.objects.count() == 1
    assert Event.objects.filter(project=project, kind="payment_recorded").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("earlier", [0, 1])
def test_invoices_issued_at_once_get_consecutive_numbers(cycle, earlier):
    """``earlier`` = 0: the year's counter row does not exist yet and both create it at once;
    1: it exists (one invoice was issued before)."""
    year = timezone.localdate().year
    for i in range(earlier):
        cycle.determination_submitted(title=f"Earlier project {i}")
    projects = [cycle.comments_closed(title=f"Project {i}") for i in range(2)]

    def submit(project):
        return lambda: dwf.submit_determination(
            cycle.aie_user, project, findings=dict(FINDINGS), outcome="positive"
        )

    _, errors = run_at_once(*(submit(p) for p in projects))
    assert errors == [None, None]
    numbers = sorted(Invoice.objects.filter(project__in=projects).values_list("number", flat=True))
    assert numbers == [f"JI-{year}-{n:05d}" for n in (earlier + 1, earlier + 2)]
    assert FeeAssessment.objects.filter(project__in=projects, status="due").count() == 2
    assert {Project.objects.get(pk=p.pk).status for p in projects} == {"determination_submitted"}


@pytest.mark.django_db(transaction=True)
def test_many_invoices_at_once_get_a_gap_free_sequence(cycle):
    year = timezone.localdate().year
    projects = [cycle.comments_closed(title=f"Project {i}") for i in range(5)]

    def submit(project):
        return lambda: dwf.submit_determination(
            cycle.aie_user, project, findings=dict(FINDINGS), outcome="positive"
        )

    _, errors = run_at_once(*(submit(p) for p in projects))
    assert errors == [None] * 5
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"JI-{year}-{n:05d}" for n in range(1, 6)]


@pytest.mark.django_db(transaction=True)
def test_payment_and_credit_note_at_once(cycle, secretariat):
    project = cycle.determination_submitted()
    invoice = det_invoice(project)
    results, errors = run_at_once(
        lambda: fee_services.record_payment(
            secretariat, invoice, amount="8500.00", reference="UBS-A"
        ),
        lambda: fee_services.credit_invoice(secretariat, invoice, reason="Waived"),
    )
    assert errors[0] is None  # money received is always recorded
    payment = Payment.objects.get()
    invoice.refresh_from_db()
    assert invoice.paid_usd + invoice.credited_usd == D("8500.00")
    fee = fee_services.determination_fee_record(project)
    if errors[1] is None:  # the credit note came first: the payment is all excess
        assert (invoice.status, invoice.credited_usd, fee.status) == (
            "credited",
            D("8500.00"),
            "waived",
        )
        assert (payment.applied_usd, payment.excess_usd) == (D("0.00"), D("8500.00"))
        assert [(r.reason, r.amount_usd) for r in Reimbursement.objects.all()] == [
            ("overpayment", D("8500.00"))
        ]
    else:  # the payment came first: the invoice is closed
        assert isinstance(errors[1], Conflict) and errors[1].code == "invoice_closed"
        assert (invoice.status, invoice.paid_usd, fee.status) == ("paid", D("8500.00"), "paid")
        assert CreditNote.objects.count() == 0
        assert Reimbursement.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_withdrawal_and_late_payment_at_once_owe_back_once(cycle, participant, secretariat):
    # E = 160,000 t: advance 30,500.00, of which 500.00 is owed back once the project ends.
    project = cycle.determination_submitted(expected={2010: 160000})
    invoice = det_invoice(project)
    _, errors = run_at_once(
        lambda: wf.withdraw(participant, project, reason="Investor left"),
        lambda: fee_services.record_payment(
            secretariat, invoice, amount="30500.00", reference="UBS-A"
        ),
    )
    assert errors == [None, None]
    assert Project.objects.get(pk=project.pk).status == "withdrawn"
    assert [(r.reason, r.amount_usd) for r in Reimbursement.objects.all()] == [
        ("advance", D("500.00"))
    ]
    assert fee_services.sync_advance_reimbursement(Project.objects.get(pk=project.pk)) is None
    assert Reimbursement.objects.count() == 1
