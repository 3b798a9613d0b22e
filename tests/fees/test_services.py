"""Fee records through ``fees.services`` (ji-rules §5): assessments, invoices, payments, credit
notes, reimbursements and the advance credited against verification fees.

Every test runs at a frozen instant, 2026-03-02 09:00 UTC, unless it moves the clock itself.
The default project expects 40,000 / 50,000 / 60,000 t a year: E = 50,000 t, so its advance is
15,000 x 0.10 + 35,000 x 0.20 = USD 8,500.00.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction

from determinations import workflow as dwf
from fees import calculator
from fees import services as fee_services
from fees.models import CreditNote, FeeAssessment, Invoice, Payment, Reimbursement
from jitrack.errors import Conflict, Forbidden, Invalid
from projects import workflow as wf
from projects.models import Event, ExpectedReduction, Project
from tests.factories import OrganisationFactory
from tests.support import FINDINGS

pytestmark = pytest.mark.django_db

D = Decimal
UTC = dt.UTC
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = dt.date(2026, 3, 2)
FEE_EVENTS = (
    "fee_assessed",
    "invoice_issued",
    "payment_recorded",
    "fee_paid",
    "verification_fee_paid",
    "credit_note_issued",
    "reimbursement_due",
    "reimbursement_paid",
)
ADVANCE_LINES = [
    {"tonnes": 15000, "rate_usd": "0.10", "amount_usd": "1500.00"},
    {"tonnes": 35000, "rate_usd": "0.20", "amount_usd": "7000.00"},
]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# --- helpers -------------------------------------------------------------------------------


def det_fee(project) -> FeeAssessment:
    return fee_services.determination_fee_record(project)


def det_invoice(project, **filters) -> Invoice:
    return Invoice.objects.get(project=project, kind="determination", **filters)


def verify(project, **kwargs) -> FeeAssessment:
    """As the verification step (issue 5) will call it: in a transaction, project locked."""
    with transaction.atomic():
        return fee_services.assess_verification_fee(wf.lock(project), **kwargs)


def fee_events(project) -> list[tuple[str, bool, dict]]:
    return [
        (e.kind, e.public, e.data)
        for e in Event.objects.filter(project=project, kind__in=FEE_EVENTS).order_by("pk")
    ]


def kinds(project) -> list[str]:
    return [kind for kind, _, _ in fee_events(project)]


def return_and_resubmit(cycle, project) -> Project:
    dwf.check_determination(
        cycle.secretariat, project, accept=False, reason="Summary of comments missing"
    )
    dwf.submit_determination(cycle.aie_user, project, findings=dict(FINDINGS), outcome="positive")
    return Project.objects.get(pk=project.pk)


def refunds(project, reason=None) -> list[tuple[str, Decimal, str]]:
    qs = Reimbursement.objects.filter(project=project).order_by("pk")
    if reason:
        qs = qs.filter(reason=reason)
    return [(r.reason, r.amount_usd, r.status) for r in qs]


def published(project) -> bool:
    return Project.objects.get(pk=project.pk).status == "determination_published"


def correct_expected(project, tonnes: int) -> None:
    """The corrected PDD expects ``tonnes`` in every year (E = ``tonnes``): the yearly rows the
    fee is computed from (EXACT_AVERAGE), and the rounded figure the project shows."""
    ExpectedReduction.objects.filter(project=project).update(tonnes=tonnes)
    Project.objects.filter(pk=project.pk).update(expected_annual_reductions=tonnes)


# --- 1. determination fee on submission ----------------------------------------------------


def test_determination_fee_assessed_on_submission(cycle, aie_user):
    project = cycle.determination_submitted()
    fee = det_fee(project)
    assert (fee.kind, fee.number, fee.schedule) == ("determination", 1, "v3")
    assert fee.inputs == {"expected_annual_reductions": 50000, "small_scale": False, "poa": False}
    assert fee.lines == ADVANCE_LINES
    assert fee.amount_usd == D("8500.00")
    assert fee.credit_usd == D("0.00")
    assert fee.due_usd == D("8500.00")
    assert fee.status == "due"
    assert fee.settled is False
    assert fee.assessed_by == aie_user
    assert fee.assessed_at == NOW
    assert fee.paid_at is None
    assert fee_services.determination_fee_settled(project) is False


# --- EXACT_AVERAGE: the advance threshold on the exact E (issue 12, ji-rules §7) -------------


@pytest.mark.parametrize(
    ("expected", "whole", "exact", "amount", "status"),
    [
        # 14,999.5 t was rounded half up to 15,000 and invoiced USD 1,500.00: no advance.
        ({2009: 14999, 2010: 15000}, 15000, "14999.5", "0.00", "not_due"),
        (
            {2009: 14999, 2010: 15000, 2011: 15000},
            15000,
            "14999.66666666666666666666666666666666666",
            "0.00",
            "not_due",
        ),
        # At or above the threshold, the amounts are as before (the lines count whole tonnes).
        ({2009: 15000, 2010: 15001}, 15001, "15000.5", "1500.20", "due"),
        (
            {2009: 15000, 2010: 15000, 2011: 15001},
            15000,
            "15000.33333333333333333333333333333333333",
            "1500.00",
            "due",
        ),
    ],
)
def test_advance_threshold_on_the_exact_average(cycle, expected, whole, exact, amount, status):
    project = cycle.determination_submitted(expected=expected)
    assert project.expected_annual_reductions == whole  # the project's rounded figure
    fee = det_fee(project)
    assert (fee.amount_usd, fee.status) == (D(amount), status)
    assert fee.inputs == {
        "expected_annual_reductions": whole,
        "expected_annual_reductions_exact": exact,
        "small_scale": False,
        "poa": False,
    }
    # ji-rules §8 item 5: the amount is the calculator applied to the stored inputs.
    again = fee_services.recalculate(fee)
    assert (again.amount_usd, [ln.as_dict() for ln in again.lines]) == (fee.amount_usd, fee.lines)
    assert Invoice.objects.filter(project=project).count() == (status == "due")
    if status == "due":
        # Above the threshold the advance is what the whole-tonne E always gave.
        assert fee.amount_usd == calculator.determination_fee(whole).amount_usd


def test_a_whole_average_stores_no_exact_figure(cycle):
    fee = det_fee(cycle.determination_submitted(expected={2009: 15000, 2010: 15000}))
    assert fee.inputs == {"expected_annual_reductions": 15000, "small_scale": False, "poa": False}
    assert (fee.amount_usd, fee_services.recalculate(fee).amount_usd) == (D("1500.00"),) * 2


def test_the_exact_average_comes_from_the_yearly_rows_not_the_rounded_figure(cycle):
    project = cycle.comments_closed(expected={2009: 14999, 2010: 15000})
    # Whatever the stored whole-tonne figure says, the fee follows the PDD's yearly figures.
    Project.objects.filter(pk=project.pk).update(expected_annual_reductions=15000)
    dwf.submit_determination(cycle.aie_user, project, findings=dict(FINDINGS), outcome="positive")
    assert (det_fee(project).amount_usd, det_fee(project).status) == (D("0.00"), "not_due")
    assert fee_services.expected_average(project) == D("14999.5")


def test_verification_fee_stores_the_exact_average_for_the_v2_exemption(cycle, secretariat):
    # E = 75,002 / 5 = 15,000.4 t: above the v2 limit of 15,000 t, though it rounds to 15,000.
    project = cycle.determination_submitted(
        expected={2008: 15000, 2009: 15000, 2010: 15000, 2011: 15000, 2012: 15002}
    )
    fee = verify(project, number=1, reductions_by_year={2009: 20000}, schedule="v2")
    assert fee.inputs["expected_annual_reductions"] == 15000
    assert fee.inputs["expected_annual_reductions_exact"] == "15000.4"
    assert fee.amount_usd == D("2500.00")  # not exempt
    assert fee_services.recalculate(fee).amount_usd == fee.amount_usd


def test_determination_invoice_issued_on_submission(cycle):
    project = cycle.determination_submitted()
    invoice = Invoice.objects.get(project=project)
    assert invoice.number == "JI-2026-00001"
    assert invoice.assessment == det_fee(project)
    assert invoice.kind == "determination"
    assert invoice.amount_usd == D("8500.00")
    assert (invoice.paid_usd, invoice.credited_usd) == (D("0.00"), D("0.00"))
    assert invoice.balance_usd == D("8500.00")
    assert invoice.status == "issued"
    assert invoice.issued_on == TODAY
    assert invoice.due_on == dt.date(2026, 4, 1)  # issued_on + INVOICE_DUE_DAYS (30)
    assert invoice.lines == [
        {**ADVANCE_LINES[0], "label": "15,000 t CO2e at USD 0.10/t"},
        {**ADVANCE_LINES[1], "label": "35,000 t CO2e at USD 0.20/t"},
    ]


def test_invoice_due_days_follow_the_setting(cycle, settings):
    settings.INVOICE_DUE_DAYS = 45
    project = cycle.determination_submitted()
    invoice = det_invoice(project)
    assert (invoice.issued_on, invoice.due_on) == (TODAY, dt.date(2026, 4, 16))


def test_invoice_numbers_follow_each_other_within_a_year(cycle):
    first = cycle.determination_submitted(title="Kyiv landfill gas")
    second = cycle.determination_submitted(title="Lviv district heating")
    assert det_invoice(first).number == "JI-2026-00001"
    assert det_invoice(second).number == "JI-2026-00002"


def test_invoice_numbers_restart_in_a_new_calendar_year(cycle, clock):
    clock.move_to(dt.datetime(2026, 12, 31, 23, 59, tzinfo=UTC))
    december = cycle.determination_submitted(title="Kyiv landfill gas")
    clock.move_to(dt.datetime(2027, 1, 1, 0, 1, tzinfo=UTC))
    january = cycle.determination_submitted(title="Lviv district heating")
    february = cycle.determination_submitted(title="Odesa wind farm")
    assert [(det_invoice(p).number, det_invoice(p).issued_on) for p in (december, january)] == [
        ("JI-2026-00001", dt.date(2026, 12, 31)),
        ("JI-2027-00001", dt.date(2027, 1, 1)),
    ]
    assert det_invoice(february).number == "JI-2027-00002"
    assert det_invoice(december).due_on == dt.date(2027, 1, 30)
    note = fee_services.credit_invoice(cycle.secretariat, det_invoice(december), reason="Waived")
    assert (note.number, note.issued_on) == ("CN-2027-00001", dt.date(2027, 1, 1))


def test_invoice_addressed_to_the_creators_organisation(cycle, pp_org, ukraine):
    pp_org.email = "accounts@greencarbon.example"
    pp_org.country = ukraine
    pp_org.save()
    # Another participant whose name sorts first: the creator's organisation still wins.
    other = OrganisationFactory(name="Aardvark Energy", email="billing@aardvark.example")
    project = cycle.determination_submitted(participants=[other])
    assert set(project.participants.values_list("name", flat=True)) == {
        "Green Carbon Ltd",
        "Aardvark Energy",
    }
    invoice = det_invoice(project)
    assert (invoice.addressee_name, invoice.addressee_email, invoice.addressee_country) == (
        "Green Carbon Ltd",
        "accounts@greencarbon.example",
        "Ukraine",
    )
    # A snapshot: later changes to the organisation do not rewrite the invoice.
    pp_org.name = "Green Carbon Holdings"
    pp_org.save()
    invoice.refresh_from_db()
    assert invoice.addressee_name == "Green Carbon Ltd"


@pytest.mark.parametrize(
    "expected,small_scale",
    [
        ({2009: 14999}, False),  # E = 14,999 t: below the threshold
        ({2009: 10000, 2010: 19997}, False),  # E = 14,998.5 -> 14,999 t
        ({2009: 50000}, True),  # small-scale: no advance whatever E is
        ({2009: 400000}, True),
    ],
)
def test_no_advance_means_not_due_and_no_invoice(cycle, expected, small_scale):
    project = cycle.determination_submitted(expected=expected, small_scale=small_scale)
    fee = det_fee(project)
    assert (fee.status, fee.amount_usd, fee.lines) == ("not_due", D("0.00"), [])
    assert fee.inputs["small_scale"] is small_scale
    assert fee.settled is True
    assert Invoice.objects.filter(project=project).count() == 0
    assert kinds(project) == ["fee_assessed"]
    dwf.check_determination(cycle.secretariat, project, accept=True)
    assert published(project)


def test_advance_due_at_exactly_15000_tonnes(cycle):
    project = cycle.determination_submitted(expected={2009: 15000})
    fee = det_fee(project)
    assert (fee.status, fee.amount_usd) == ("due", D("1500.00"))
    assert det_invoice(project).lines == [
        {
            "tonnes": 15000,
            "rate_usd": "0.10",
            "amount_usd": "1500.00",
            "label": "15,000 t CO2e at USD 0.10/t",
        }
    ]


def test_programme_of_activities_pays_first_tier_rate_throughout(cycle):
    project = cycle.determination_submitted(poa=True)
    fee = det_fee(project)
    assert fee.amount_usd == D("5000.00")
    assert fee.lines == [{"tonnes": 50000, "rate_usd": "0.10", "amount_usd": "5000.00"}]
    assert det_invoice(project).amount_usd == D("5000.00")


def test_advance_capped_at_350000(cycle):
    project = cycle.determination_submitted(expected={2010: 2_000_000})
    invoice = det_invoice(project)
    assert invoice.amount_usd == D("350000.00")
    assert [line["label"] for line in invoice.lines] == [
        "15,000 t CO2e at USD 0.10/t",
        "1,742,500 t CO2e at USD 0.20/t",
    ]


def test_resubmission_with_unchanged_inputs_keeps_assessment_and_invoice(cycle):
    project = cycle.determination_submitted()
    fee, invoice = det_fee(project), det_invoice(project)
    project = return_and_resubmit(cycle, project)
    assert project.status == "determination_submitted"
    assert list(project.determinations.values_list("number", "status")) == [
        (2, "submitted"),
        (1, "returned"),
    ]
    assert list(FeeAssessment.objects.filter(project=project)) == [fee]
    again = det_fee(project)
    assert (again.amount_usd, again.status, again.inputs) == (D("8500.00"), "due", fee.inputs)
    assert list(Invoice.objects.filter(project=project).values_list("number", "status")) == [
        (invoice.number, "issued")
    ]
    assert kinds(project) == ["fee_assessed", "invoice_issued"]


def test_resubmission_with_changed_reductions_replaces_unpaid_invoice(cycle):
    project = cycle.determination_submitted()
    old = det_invoice(project)
    dwf.check_determination(cycle.secretariat, project, accept=False, reason="Check the baseline")
    # The corrected PDD expects E = 60,000 t: 1,500 + 45,000 x 0.20 = 10,500.00.
    correct_expected(project, 60000)
    dwf.submit_determination(cycle.aie_user, project, findings=dict(FINDINGS), outcome="positive")
    fee = det_fee(project)
    assert FeeAssessment.objects.filter(project=project).count() == 1
    assert fee.inputs == {"expected_annual_reductions": 60000, "small_scale": False, "poa": False}
    assert (fee.amount_usd, fee.status) == (D("10500.00"), "due")
    assert fee.lines == [
        {"tonnes": 15000, "rate_usd": "0.10", "amount_usd": "1500.00"},
        {"tonnes": 45000, "rate_usd": "0.20", "amount_usd": "9000.00"},
    ]
    old.refresh_from_db()
    assert (old.status, old.status_reason) == ("cancelled", "Replaced: the fee was reassessed.")
    assert old.balance_usd == D("0.00")
    new = det_invoice(project, status="issued")
    assert (new.number, new.amount_usd, new.assessment_id) == (
        "JI-2026-00002",
        D("10500.00"),
        fee.pk,
    )
    assert fee_services.open_invoices().filter(project=project).get() == new
    assert kinds(project) == ["fee_assessed", "invoice_issued", "fee_assessed", "invoice_issued"]
    with pytest.raises(Conflict) as err:
        dwf.check_determination(cycle.secretariat, project, accept=True)
    assert err.value.code == "fee_unpaid"
    payment = fee_services.pay_balance(cycle.secretariat, project, reference="UBS-9")
    assert (payment.invoice, payment.amount_usd) == (new, D("10500.00"))
    dwf.check_determination(cycle.secretariat, project, accept=True)
    assert published(project)


def test_resubmission_below_threshold_cancels_invoice_and_fee_is_not_due(cycle):
    project = cycle.determination_submitted()
    dwf.check_determination(cycle.secretariat, project, accept=False, reason="Overstated")
    correct_expected(project, 12000)
    dwf.submit_determination(cycle.aie_user, project, findings=dict(FINDINGS), outcome="positive")
    fee = det_fee(project)
    assert (fee.status, fee.amount_usd, fee.lines) == ("not_due", D("0.00"), [])
    assert list(Invoice.objects.filter(project=project).values_list("status", flat=True)) == [
        "cancelled"
    ]
    dwf.check_determination(cycle.secretariat, project, accept=True)
    assert published(project)


def test_resubmission_after_a_payment_keeps_the_assessment(cycle, secretariat):
    project = cycle.determination_submitted()
    invoice = det_invoice(project)
    fee_services.record_payment(secretariat, invoice, amount="1000.00", reference="UBS-1")
    dwf.check_determination(cycle.secretariat, project, accept=False, reason="Check the baseline")
    correct_expected(project, 60000)
    dwf.submit_determination(cycle.aie_user, project, findings=dict(FINDINGS), outcome="positive")
    fee = det_fee(project)
    assert fee.inputs["expected_annual_reductions"] == 50000
    assert (fee.amount_usd, fee.status) == (D("8500.00"), "due")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance_usd) == ("partly_paid", D("7500.00"))
    assert Invoice.objects.filter(project=project).count() == 1
    assert kinds(project).count("fee_assessed") == 1


def test_resubmission_after_full_payment_keeps_the_paid_assessment(cycle, secretariat):
    project = cycle.determination_submitted()
    fee_services.pay_balance(secretariat, project, reference="UBS-1")
    dwf.check_determination(cycle.secretariat, project, accept=False, reason="Check the baseline")
    correct_expected(project, 20000)
    dwf.submit_determination(cycle.aie_user, project, findings=dict(FINDINGS), outcome="positive")
    fee = det_fee(project)
    assert (fee.amount_usd, fee.status) == (D("8500.00"), "paid")
    assert list(Invoice.objects.filter(project=project).values_list("status", flat=True)) == [
        "paid"
    ]
    dwf.check_determination(cycle.secretariat, project, accept=True)
    assert published(project)


# --- 2. payments ---------------------------------------------------------------------------


def test_partial_payment_then_balance_settles_invoice(cycle, secretariat):
    project = cycle.determination_submitted()
    invoice = det_invoice(project)
    first = fee_services.record_payment(
        secretariat,
        invoice,
        amount="3000.00",
        received_on=dt.date(2026, 2, 27),
        reference="UBS-1",
    )
    assert (first.amount_usd, first.applied_usd, first.excess_usd) == (
        D("3000.00"),
        D("3000.00"),
        D("0.00"),
    )
    assert (first.received_on, first.reference, first.recorded_by) == (
        dt.date(2026, 2, 27),
        "UBS-1",
        secretariat,
    )
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_usd, invoice.balance_usd) == (
        "partly_paid",
        D("3000.00"),
        D("5500.00"),
    )
    fee = det_fee(project)
    assert (fee.status, fee.paid_at) == ("due", None)
    assert "fee_paid" not in kinds(project)
    with pytest.raises(Conflict) as err:
        dwf.check_determination(secretariat, project, accept=True)
    assert err.value.code == "fee_unpaid"
    assert Project.objects.get(pk=project.pk).status == "determination_submitted"

    second = fee_services.record_payment(
        secretariat, invoice, amount="5500.00", received_on=TODAY, reference="UBS-2"
    )
    assert (second.applied_usd, second.excess_usd) == (D("5500.00"), D("0.00"))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_usd, invoice.balance_usd) == (
        "paid",
        D("8500.00"),
        D("0.00"),
    )
    fee = det_fee(project)
    assert (fee.status, fee.paid_at) == ("paid", NOW)
    assert fee_services.determination_fee_settled(project) is True
    assert kinds(project).count("fee_paid") == 1
    assert Reimbursement.objects.count() == 0
    dwf.check_determination(secretariat, project, accept=True)
    assert published(project)


def test_received_on_defaults_to_today(cycle, secretariat):
    project = cycle.determination_submitted()
    payment = fee_services.record_payment(
        secretariat, det_invoice(project), amount="100.00", reference="UBS-1"
    )
    assert payment.received_on == TODAY


def test_overpayment_settles_invoice_and_owes_back_the_excess(cycle, secretariat):
    project = cycle.determination_submitted()
    invoice = det_invoice(project)
    payment = fee_services.record_payment(secretariat, invoice, amount="9000.00", reference="UBS-1")
    assert (payment.amount_usd, payment.applied_usd, payment.excess_usd) == (
        D("9000.00"),
        D("8500.00"),
        D("500.00"),
    )
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_usd, invoice.balance_usd) == (
        "paid",
        D("8500.00"),
        D("0.00"),
    )
    assert det_fee(project).status == "paid"
    refund = Reimbursement.objects.get()
    assert (refund.project, refund.invoice, refund.reason, refund.amount_usd, refund.status) == (
        project,
        invoice,
        "overpayment",
        D("500.00"),
        "due",
    )
    assert list(fee_services.reimbursements_due()) == [refund]


def test_payment_to_a_paid_invoice_is_all_excess(cycle, secretariat):
    project = cycle.determination_submitted()
    invoice = det_invoice(project)
    fee_services.pay_balance(secretariat, project, reference="UBS-1")
    late = fee_services.record_payment(secretariat, invoice, amount="250.00", reference="UBS-2")
    assert (late.applied_usd, late.excess_usd) == (D("0.00"), D("250.00"))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_usd) == ("paid", D("8500.00"))
    assert refunds(project) == [("overpayment", D("250.00"), "due")]
    assert kinds(project).count("fee_paid") == 1


def test_payment_to_a_cancelled_invoice_is_all_excess(cycle, secretariat):
    project = cycle.determination_submitted()
    old = det_invoice(project)
    dwf.check_determination(cycle.secretariat, project, accept=False, reason="Check the baseline")
    correct_expected(project, 60000)
    dwf.submit_determination(cycle.aie_user, project, findings=dict(FINDINGS), outcome="positive")
    payment = fee_services.record_payment(secretariat, old, amount="8500.00", reference="UBS-1")
    assert (payment.applied_usd, payment.excess_usd) == (D("0.00"), D("8500.00"))
    old.refresh_from_db()
    assert (old.status, old.paid_usd) == ("cancelled", D("0.00"))
    assert refunds(project) == [("overpayment", D("8500.00"), "due")]
    assert det_fee(project).status == "due"


def test_duplicate_bank_reference_is_refused_and_changes_nothing(cycle, secretariat):
    project = cycle.determination_submitted()
    invoice = det_invoice(project)
    fee_services.record_payment(secretariat, invoice, amount="1000.00", reference="UBS-1")
    before = kinds(project)
    for reference in ("UBS-1", "  UBS-1 "):
        with pytest.raises(Conflict) as err:
            fee_services.record_payment(secretariat, invoice, amount="2000.00", reference=reference)
        assert (err.value.code, err.value.field) == ("duplicate_payment", "reference")
    assert Payment.objects.count() == 1
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_usd) == ("partly_paid", D("1000.00"))
    assert kinds(project) == before


@pytest.mark.parametrize(
    "amount",
    ["0", "0.00", "-5", "-0.01", "10.005", "8500.001", "abc", "", "  ", None, "NaN", "Infinity"],
)
def test_invalid_amount_is_refused(cycle, secretariat, amount):
    project = cycle.determination_submitted()
    invoice = det_invoice(project)
    with pytest.raises(Invalid) as err:
        fee_services.record_payment(secretariat, invoice, amount=amount, reference="UBS-1")
    assert err.value.field == "amount_usd"
    assert Payment.objects.count() == 0
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_usd) == ("issued", D("0.00"))


@pytest.mark.parametrize(
    "amount,expected",
    [
        ("8,500.00", D("8500.00")),
        (D("8500"), D("8500.00")),
        (8500, D("8500.00")),
        (" 100.5 ", D("100.50")),
    ],
)
def test_amount_forms_accepted(cycle, secretariat, amount, expected):
    project = cycle.determination_submitted()
    payment = fee_services.record_payment(
        secretariat, det_invoice(project), amount=amount, reference="UBS-1"
    )
    assert payment.amount_usd == expected


@pytest.mark.parametrize("amount", ["8500,00", "1,5"])
def test_decimal_comma_amount_is_refused_not_multiplied(cycle, secretariat, amount):
    project = cycle.determination_submitted()
    invoice = det_invoice(project)
    with pytest.raises(Invalid):
        fee_services.record_payment(secretariat, invoice, amount=amount, reference="UBS-1")
    assert Payment.objects.count() == 0


def test_payment_received_in_the_future_is_refused(cycle, secretariat):
    project = cycle.determination_submitted()
    with pytest.raises(Invalid) as err:
        fee_services.record_payment(
            secretariat,
            det_invoice(project),
            amount="100.00",
            received_on=dt.date(2026, 3, 3),
            reference="UBS-1",
        )
    assert err.value.field == "received_on"
    assert Payment.objects.count() == 0


@pytest.mark.parametrize("reference", ["", "   ", None, "X" * 121])
def test_payment_needs_a_bank_reference(cycle, secretariat, reference):
    project = cycle.determination_submitted()
    with pytest.raises(Invalid) as err:
        fee_services.record_payment(
            secretariat, det_invoice(project), amount="100.00", reference=reference
        )
    assert err.value.field == "reference"
    assert Payment.objects.count() == 0


@pytest.mark.parametrize("who", ["participant", "aie_user"])
def test_only_the_secretariat_records_payments(cycle, request, who):
    actor = request.getfixturevalue(who)
    project = cycle.determination_submitted()
    invoice = det_invoice(project)
    with pytest.raises(Forbidden):
        fee_services.record_payment(actor, invoice, amount="8500.00", reference="UBS-1")
    with pytest.raises(Forbidden):
        fee_services.pay_balance(actor, project, reference="UBS-1")
    assert Payment.objects.count() == 0
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_usd) == ("issued", D("0.00"))
    assert det_fee(project).status == "due"
    assert "payment_recorded" not in kinds(project)


def test_pay_balance_records_the_open_balance_with_the_reference_given(cycle, secretariat):
    project = cycle.determination_submitted()
    invoice = det_invoice(project)
    fee_services.record_payment(secretariat, invoice, amount="3000.00", reference="UBS-1")
    payment = fee_services.pay_balance(secretariat, project, reference="UBS-2")
    assert (payment.invoice, payment.amount_usd, payment.applied_usd, payment.excess_usd) == (
        invoice,
        D("5500.00"),
        D("5500.00"),
        D("0.00"),
    )
    assert (payment.received_on, payment.reference) == (TODAY, "UBS-2")
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert det_fee(project).status == "paid"
    with pytest.raises(Conflict) as err:
        fee_services.pay_balance(secretariat, project, reference="UBS-3")
    assert err.value.code == "already_paid"
    assert Payment.objects.count() == 2


@pytest.mark.parametrize("reference", ["", "   "])
def test_pay_balance_never_makes_up_a_bank_reference(cycle, secretariat, reference):
    """Issue 12: a payment always has a bank reference; none is generated."""
    project = cycle.determination_submitted()
    with pytest.raises(Invalid) as err:
        fee_services.pay_balance(secretariat, project, reference=reference)
    assert (err.value.code, err.value.field) == ("required", "reference")
    with pytest.raises(TypeError):
        fee_services.pay_balance(secretariat, project)  # the reference is not optional
    assert Payment.objects.count() == 0
    assert det_invoice(project).status == "issued"


def test_pay_balance_without_a_fee_due(cycle, secretariat):
    not_yet = cycle.comments_closed(title="Not submitted")
    with pytest.raises(Conflict) as err:
        fee_services.pay_balance(secretariat, not_yet, reference="UBS-1")
    assert err.value.code == "no_fee"
    small = cycle.determination_submitted(expected={2009: 10000})
    with pytest.raises(Conflict) as err:
        fee_services.pay_balance(secretariat, small, reference="UBS-1")
    assert err.value.code == "fee_not_due"
    assert Payment.objects.count() == 0


# --- the secretariat's "Record payment" of the determination fee (issue 12) -------------------


@pytest.mark.parametrize(
    ("missing", "field"),
    [
        ({"amount": None}, "amount_usd"),
        ({"amount": ""}, "amount_usd"),
        ({"received_on": None}, "received_on"),
        ({"reference": ""}, "reference"),
        ({"reference": "  "}, "reference"),
    ],
)
def test_record_fee_payment_needs_amount_date_and_reference(cycle, secretariat, missing, field):
    project = cycle.determination_submitted()
    given = {"amount": "8500.00", "received_on": TODAY, "reference": "UBS-1", **missing}
    with pytest.raises(Invalid) as err:
        fee_services.record_fee_payment(secretariat, project, **given)
    assert (err.value.code, err.value.field) == ("required", field)
    assert err.value.detail
    assert Payment.objects.count() == 0
    assert (det_invoice(project).status, det_fee(project).status) == ("issued", "due")
    assert "payment_recorded" not in kinds(project)


def test_record_fee_payment_records_what_was_stated(cycle, secretariat):
    project = cycle.determination_submitted()
    invoice = det_invoice(project)
    # A part payment: the invoice is partly paid, the fee still due for the balance.
    part = fee_services.record_fee_payment(
        secretariat,
        project,
        amount="3000.00",
        received_on=dt.date(2026, 2, 27),
        reference="UBS-1",
    )
    assert (part.invoice, part.amount_usd, part.received_on, part.reference) == (
        invoice,
        D("3000.00"),
        dt.date(2026, 2, 27),
        "UBS-1",
    )
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance_usd) == ("partly_paid", D("5500.00"))
    assert det_fee(project).status == "due"
    # The same bank reference twice on one invoice is refused.
    with pytest.raises(Conflict) as err:
        fee_services.record_fee_payment(
            secretariat, project, amount="5500.00", received_on=TODAY, reference="UBS-1"
        )
    assert err.value.code == "duplicate_payment"
    # More than the balance: the invoice is paid and the rest is owed back.
    rest = fee_services.record_fee_payment(
        secretariat, project, amount="6000.00", received_on=TODAY, reference="UBS-2"
    )
    assert (rest.applied_usd, rest.excess_usd) == (D("5500.00"), D("500.00"))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance_usd) == ("paid", D("0.00"))
    assert det_fee(project).status == "paid"
    assert refunds(project) == [("overpayment", D("500.00"), "due")]
    with pytest.raises(Conflict) as err:
        fee_services.record_fee_payment(
            secretariat, project, amount="1.00", received_on=TODAY, reference="UBS-3"
        )
    assert err.value.code == "already_paid"


def test_record_fee_payment_refusals(cycle, secretariat, participant):
    project = cycle.determination_submitted()
    with pytest.raises(Invalid) as err:
        fee_services.record_fee_payment(
            secretariat, project, amount="10.00", received_on=TODAY + dt.timedelta(1), reference="F"
        )
    assert err.value.field == "received_on"
    with pytest.raises(Invalid) as err:
        fee_services.record_fee_payment(
            secretariat, project, amount="0", received_on=TODAY, reference="Z"
        )
    assert err.value.field == "amount_usd"
    with pytest.raises(Forbidden):
        fee_services.record_fee_payment(
            participant, project, amount="10.00", received_on=TODAY, reference="P"
        )
    assert Payment.objects.count() == 0


def test_balance_due_after_a_part_payment(cycle, secretariat):
    """Issue 12: what is still due is the balance (amount − paid − credited), not the total."""
    project = cycle.determination_submitted()
    fee = det_fee(project)
    assert fee.balance_usd == D("8500.00")
    fee_services.record_payment(secretariat, det_invoice(project), amount="3000.00", reference="A")
    fee = det_fee(project)
    assert (fee.amount_usd, fee.due_usd, fee.balance_usd) == (
        D("8500.00"),
        D("8500.00"),
        D("5500.00"),
    )
    fee_services.pay_balance(secretariat, project, reference="B")
    assert det_fee(project).balance_usd == D("0.00")


# --- 3. credit notes -----------------------------------------------------------------------


def test_credit_note_waives_the_fee_and_allows_publication(cycle, secretariat):
    project = cycle.determination_submitted()
    invoice = det_invoice(project)
    note = fee_services.credit_invoice(secretariat, invoice, reason="  Waived by JISC 30  ")
    assert (note.number, note.invoice, note.amount_usd, note.reason, note.issued_on) == (
        "CN-2026-00001",
        invoice,
        D("8500.00"),
        "Waived by JISC 30",
        TODAY,
    )
    assert note.issued_by == secretariat
    invoice.refresh_from_db()
    assert (invoice.status, invoice.credited_usd, invoice.balance_usd) == (
        "credited",
        D("8500.00"),
        D("0.00"),
    )
    assert invoice.status_reason == "Waived by JISC 30"
    assert det_fee(project).status == "waived"
    assert fee_services.determination_fee_settled(project) is True
    dwf.check_determination(secretariat, project, accept=True)
    assert published(project)


def test_credit_note_on_partly_paid_invoice_credits_the_balance(cycle, secretariat):
    project = cycle.determination_submitted()
    invoice = det_invoice(project)
    fee_services.record_payment(secretariat, invoice, amount="3000.00", reference="UBS-1")
    note = fee_services.credit_invoice(secretariat, invoice, reason="Hardship")
    assert note.amount_usd == D("5500.00")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_usd, invoice.credited_usd, invoice.balance_usd) == (
        "credited",
        D("3000.00"),
        D("5500.00"),
        D("0.00"),
    )
    assert det_fee(project).status == "waived"


def test_credit_note_numbers_follow_each_other(cycle, secretariat):
    first = cycle.determination_submitted(title="Kyiv landfill gas")
    second = cycle.determination_submitted(title="Lviv district heating")
    a = fee_services.credit_invoice(secretariat, det_invoice(first), reason="Waived")
    b = fee_services.credit_invoice(secretariat, det_invoice(second), reason="Waived")
    assert (a.number, b.number) == ("CN-2026-00001", "CN-2026-00002")
    # Invoice numbers are a separate sequence.
    assert (det_invoice(first).number, det_invoice(second).number) == (
        "JI-2026-00001",
        "JI-2026-00002",
    )


@pytest.mark.parametrize("state", ["paid", "credited", "cancelled"])
def test_credit_note_refused_on_a_closed_invoice(cycle, secretariat, state):
    project = cycle.determination_submitted()
    invoice = det_invoice(project)
    if state == "paid":
        fee_services.pay_balance(secretariat, project, reference="UBS-1")
    elif state == "credited":
        fee_services.credit_invoice(secretariat, invoice, reason="Waived")
    else:
        dwf.check_determination(secretariat, project, accept=False, reason="Check the baseline")
        correct_expected(project, 60000)
        dwf.submit_determination(
            cycle.aie_user, project, findings=dict(FINDINGS), outcome="positive"
        )
    notes_before = CreditNote.objects.count()
    with pytest.raises(Conflict) as err:
        fee_services.credit_invoice(secretariat, invoice, reason="Again")
    assert err.value.code == "invoice_closed"
    assert CreditNote.objects.count() == notes_before
    invoice.refresh_from_db()
    assert invoice.status == state


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_credit_note_needs_a_reason(cycle, secretariat, reason):
    project = cycle.determination_submitted()
    invoice = det_invoice(project)
    with pytest.raises(Invalid) as err:
        fee_services.credit_invoice(secretariat, invoice, reason=reason)
    assert err.value.field == "reason"
    assert CreditNote.objects.count() == 0
    invoice.refresh_from_db()
    assert invoice.status == "issued"


def test_only_the_secretariat_issues_credit_notes(cycle, participant):
    project = cycle.determination_submitted()
    with pytest.raises(Forbidden):
        fee_services.credit_invoice(participant, det_invoice(project), reason="Please")
    assert CreditNote.objects.count() == 0
    assert det_fee(project).status == "due"


# --- 4. reimbursement of the advance ---------------------------------------------------------


def test_advance_above_30000_reimbursed_when_withdrawn(cycle, participant):
    # E = 160,000 t: 1,500 + 145,000 x 0.20 = 30,500.00
    project = cycle.determination_published(expected={2010: 160000})
    invoice = det_invoice(project)
    assert (invoice.amount_usd, invoice.status) == (D("30500.00"), "paid")
    assert Reimbursement.objects.count() == 0
    wf.withdraw(participant, project, reason="Investor left")
    refund = Reimbursement.objects.get()
    assert (refund.project, refund.invoice, refund.reason, refund.amount_usd, refund.status) == (
        project,
        invoice,
        "advance",
        D("500.00"),
        "due",
    )
    assert refund.found_at == NOW
    assert fee_events(project)[-1] == (
        "reimbursement_due",
        False,
        {"amount_usd": "500.00", "reason": "advance", "invoice": "JI-2026-00001"},
    )
    assert fee_services.sync_advance_reimbursement(Project.objects.get(pk=project.pk)) is None
    assert Reimbursement.objects.count() == 1


@pytest.mark.parametrize(
    "expected,advance",
    [
        ({2010: 50000}, D("8500.00")),
        ({2010: 157500}, D("30000.00")),  # exactly the floor: nothing above it
    ],
)
def test_advance_up_to_30000_not_reimbursed(cycle, participant, expected, advance):
    project = cycle.determination_published(expected=expected)
    assert det_invoice(project).paid_usd == advance
    wf.withdraw(participant, project, reason="Investor left")
    assert Reimbursement.objects.count() == 0
    assert "reimbursement_due" not in kinds(project)


def test_advance_reimbursed_when_negative_determination_becomes_final(cycle):
    # E = 200,000 t: 1,500 + 185,000 x 0.20 = 38,500.00, so 8,500.00 is owed back.
    project = cycle.comments_closed(expected={2010: 200000})
    findings = dict(FINDINGS, additionality=(False, "Not additional"))
    dwf.submit_determination(cycle.aie_user, project, findings=findings, outcome="negative")
    fee_services.pay_balance(cycle.secretariat, project, reference="UBS-1")
    dwf.check_determination(cycle.secretariat, project, accept=True)
    project.refresh_from_db()
    assert Reimbursement.objects.count() == 0
    assert dwf.deem_final(project.pk, project.review_window_closes_at + dt.timedelta(seconds=1))
    assert Project.objects.get(pk=project.pk).status == "rejected"
    assert refunds(project) == [("advance", D("8500.00"), "due")]


def test_positive_determination_final_owes_nothing_back(cycle):
    project = cycle.final(expected={2010: 200000})
    assert project.status == "final"
    assert Reimbursement.objects.count() == 0


def test_capped_advance_reimbursed_above_30000(cycle, participant):
    project = cycle.determination_published(expected={2010: 2_000_000})
    wf.withdraw(participant, project, reason="Investor left")
    assert refunds(project) == [("advance", D("320000.00"), "due")]


def test_late_payment_after_withdrawal_finds_the_reimbursement(cycle, participant, secretariat):
    project = cycle.determination_submitted(expected={2010: 160000})
    wf.withdraw(participant, project, reason="Investor left")
    assert Reimbursement.objects.count() == 0
    invoice = det_invoice(project)
    assert invoice.status == "issued"
    fee_services.record_payment(secretariat, invoice, amount="30500.00", reference="UBS-1")
    assert refunds(project) == [("advance", D("500.00"), "due")]
    assert Reimbursement.objects.get().invoice == invoice
    project.refresh_from_db()
    assert fee_services.sync_advance_reimbursement(project) is None
    assert fee_services.sync_advance_reimbursement(project) is None
    assert refunds(project) == [("advance", D("500.00"), "due")]
    assert kinds(project).count("reimbursement_due") == 1


def test_late_part_payments_after_withdrawal_add_the_difference(cycle, participant, secretariat):
    project = cycle.determination_submitted(expected={2010: 160000})
    wf.withdraw(participant, project, reason="Investor left")
    invoice = det_invoice(project)
    fee_services.record_payment(secretariat, invoice, amount="29000.00", reference="UBS-1")
    assert Reimbursement.objects.count() == 0
    fee_services.record_payment(secretariat, invoice, amount="1200.00", reference="UBS-2")
    assert refunds(project) == [("advance", D("200.00"), "due")]
    # The last payment also pays 400.00 more than the balance of 300.00.
    fee_services.record_payment(secretariat, invoice, amount="700.00", reference="UBS-3")
    assert refunds(project) == [
        ("advance", D("200.00"), "due"),
        ("overpayment", D("400.00"), "due"),
        ("advance", D("300.00"), "due"),
    ]
    assert fee_services.sync_advance_reimbursement(Project.objects.get(pk=project.pk)) is None
    assert Reimbursement.objects.count() == 3


def test_no_reimbursement_once_a_verification_fee_was_assessed(cycle, participant, secretariat):
    project = cycle.determination_published(expected={2010: 160000})
    fee = verify(project, number=1, actor=secretariat, reductions_by_year={2026: 100000})
    # 1,500 + 85,000 x 0.20 = 18,500.00, covered by the 30,500.00 advance.
    assert (fee.amount_usd, fee.credit_usd, fee.status) == (
        D("18500.00"),
        D("18500.00"),
        "covered",
    )
    wf.withdraw(participant, project, reason="Plant closed")
    assert Reimbursement.objects.count() == 0
    assert fee_services.sync_advance_reimbursement(Project.objects.get(pk=project.pk)) is None


def test_no_reimbursement_while_the_project_runs(cycle):
    project = cycle.determination_published(expected={2010: 160000})
    assert fee_services.sync_advance_reimbursement(project) is None
    assert Reimbursement.objects.count() == 0


def test_rejected_after_part_payment_and_credit_note_owes_back_what_was_paid(cycle):
    # Advance 38,500.00: 35,000.00 paid, the rest credited; 5,000.00 paid above 30,000 is owed.
    project = cycle.comments_closed(expected={2010: 200000})
    findings = dict(FINDINGS, additionality=(False, "Not additional"))
    dwf.submit_determination(cycle.aie_user, project, findings=findings, outcome="negative")
    invoice = det_invoice(project)
    fee_services.record_payment(cycle.secretariat, invoice, amount="35000.00", reference="UBS-1")
    fee_services.credit_invoice(cycle.secretariat, invoice, reason="Balance waived")
    dwf.check_determination(cycle.secretariat, project, accept=True)
    project.refresh_from_db()
    dwf.deem_final(project.pk, project.review_window_closes_at + dt.timedelta(seconds=1))
    assert refunds(project) == [("advance", D("5000.00"), "due")]


def test_withdrawal_before_any_fee_owes_nothing(cycle, participant):
    project = cycle.comments_closed()
    wf.withdraw(participant, project, reason="Investor left")
    assert Project.objects.get(pk=project.pk).status == "withdrawn"
    assert Reimbursement.objects.count() == 0


def test_record_reimbursement_paid(cycle, participant, secretariat):
    project = cycle.determination_published(expected={2010: 160000})
    wf.withdraw(participant, project, reason="Investor left")
    refund = Reimbursement.objects.get()
    with pytest.raises(Forbidden):
        fee_services.record_reimbursement_paid(participant, refund, reference="X")
    with pytest.raises(Invalid) as err:
        fee_services.record_reimbursement_paid(
            secretariat, refund, paid_on=dt.date(2026, 3, 3), reference="OUT-1"
        )
    assert err.value.field == "paid_on"
    paid = fee_services.record_reimbursement_paid(
        secretariat, refund, paid_on=dt.date(2026, 3, 1), reference=" OUT-1 "
    )
    assert (paid.status, paid.paid_on, paid.reference, paid.recorded_by) == (
        "paid",
        dt.date(2026, 3, 1),
        "OUT-1",
        secretariat,
    )
    refund.refresh_from_db()
    assert refund.status == "paid"
    assert list(fee_services.reimbursements_due()) == []
    with pytest.raises(Conflict) as err:
        fee_services.record_reimbursement_paid(secretariat, refund, reference="OUT-2")
    assert err.value.code == "already_paid"
    refund.refresh_from_db()
    assert refund.reference == "OUT-1"
    assert kinds(project).count("reimbursement_paid") == 1
    # Reimbursing does not make more owed back.
    assert fee_services.sync_advance_reimbursement(Project.objects.get(pk=project.pk)) is None


# --- 5. verification fees ------------------------------------------------------------------


def test_verification_fee_per_calendar_year(cycle, secretariat):
    project = cycle.determination_published(expected={2009: 10000})  # no advance
    fee = verify(
        project, number=1, actor=secretariat, reductions_by_year={2025: 20000, 2026: 10000}
    )
    assert (fee.kind, fee.number, fee.schedule, fee.assessed_by) == (
        "verification",
        1,
        "v3",
        secretariat,
    )
    assert fee.inputs == {
        "reductions_by_year": {"2025": 20000, "2026": 10000},
        "already_by_year": {"2025": 0, "2026": 0},
        "first_year": 2025,
        "poa": False,
        "small_scale": False,
        "expected_annual_reductions": 10000,
    }
    assert fee.lines == [
        {"tonnes": 15000, "rate_usd": "0.10", "amount_usd": "1500.00", "year": 2025},
        {"tonnes": 5000, "rate_usd": "0.20", "amount_usd": "1000.00", "year": 2025},
        {"tonnes": 10000, "rate_usd": "0.10", "amount_usd": "1000.00", "year": 2026},
    ]
    assert (fee.amount_usd, fee.credit_usd, fee.status) == (D("3500.00"), D("0.00"), "due")
    invoice = Invoice.objects.get(project=project, kind="verification")
    assert (invoice.number, invoice.amount_usd, invoice.assessment) == (
        "JI-2026-00001",  # the first invoice: the small project had no advance invoice
        D("3500.00"),
        fee,
    )
    assert [line["label"] for line in invoice.lines] == [
        "2025: 15,000 t CO2e at USD 0.10/t",
        "2025: 5,000 t CO2e at USD 0.20/t",
        "2026: 10,000 t CO2e at USD 0.10/t",
    ]
    assert fee_services.verification_fee_settled(project, 1) is False
    fee_services.record_payment(secretariat, invoice, amount="3000.00", reference="UBS-V1")
    assert fee_services.verification_fee_settled(project, 1) is False
    fee_services.record_payment(secretariat, invoice, amount="500.00", reference="UBS-V2")
    assert fee_services.verification_fee_settled(project, 1) is True
    fee.refresh_from_db()
    assert (fee.status, fee.paid_at) == ("paid", NOW)
    assert fee_events(project)[-1] == (
        "verification_fee_paid",
        False,
        {"invoice": "JI-2026-00001", "amount_usd": "3500.00"},
    )
    assert "fee_paid" not in kinds(project)


def test_verification_fee_settled_false_without_assessment(cycle):
    project = cycle.determination_published()
    assert fee_services.verification_fee_settled(project, 1) is False


def test_two_verifications_in_one_year_share_the_first_15000_tonnes(cycle, secretariat):
    project = cycle.determination_published(expected={2009: 10000})
    first = verify(project, number=1, actor=secretariat, reductions_by_year={2025: 10000})
    second = verify(project, number=2, actor=secretariat, reductions_by_year={2025: 10000})
    assert first.amount_usd == D("1000.00")
    assert second.inputs["already_by_year"] == {"2025": 10000}
    assert second.lines == [
        {"tonnes": 5000, "rate_usd": "0.10", "amount_usd": "500.00", "year": 2025},
        {"tonnes": 5000, "rate_usd": "0.20", "amount_usd": "1000.00", "year": 2025},
    ]
    assert second.amount_usd == D("1500.00")
    third = verify(project, number=3, actor=secretariat, reductions_by_year={2025: 1000})
    assert third.lines == [
        {"tonnes": 1000, "rate_usd": "0.20", "amount_usd": "200.00", "year": 2025}
    ]
    assert [i.amount_usd for i in Invoice.objects.filter(project=project).order_by("number")] == [
        D("1000.00"),
        D("1500.00"),
        D("200.00"),
    ]


def test_period_across_a_year_end_is_split_by_days(cycle, secretariat):
    project = cycle.determination_published(expected={2009: 10000})
    # 2025-07-01..2025-12-31 = 184 days, 2026-01-01..2026-06-30 = 181 days, 365 in all.
    fee = verify(
        project,
        number=1,
        actor=secretariat,
        period=(dt.date(2025, 7, 1), dt.date(2026, 6, 30), 36500),
    )
    assert fee.inputs["reductions_by_year"] == {"2025": 18400, "2026": 18100}
    assert fee.inputs["period"] == ["2025-07-01", "2026-06-30", 36500]
    assert fee.lines == [
        {"tonnes": 15000, "rate_usd": "0.10", "amount_usd": "1500.00", "year": 2025},
        {"tonnes": 3400, "rate_usd": "0.20", "amount_usd": "680.00", "year": 2025},
        {"tonnes": 15000, "rate_usd": "0.10", "amount_usd": "1500.00", "year": 2026},
        {"tonnes": 3100, "rate_usd": "0.20", "amount_usd": "620.00", "year": 2026},
    ]
    assert fee.amount_usd == D("4300.00")


def test_period_split_whole_tonnes_add_up(cycle, secretariat):
    project = cycle.determination_published(expected={2009: 10000})
    # 2 + 365 + 1 = 368 days: 54.35 / 9,918.48 / 27.17 t; floors 54 / 9,918 / 27 leave 1 t,
    # which goes to the largest remainder (2025).
    fee = verify(
        project,
        number=1,
        actor=secretariat,
        period=(dt.date(2024, 12, 30), dt.date(2026, 1, 1), 10000),
    )
    by_year = fee.inputs["reductions_by_year"]
    assert sum(by_year.values()) == 10000
    assert by_year == {"2024": 54, "2025": 9919, "2026": 27}


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({}, None),
        ({"reductions_by_year": {}}, "reductions"),
        ({"reductions_by_year": {2025: -1}}, "reductions"),
        ({"period": (dt.date(2026, 1, 2), dt.date(2026, 1, 1), 100)}, "reductions"),
    ],
)
def test_verification_fee_invalid_input(cycle, secretariat, kwargs, field):
    project = cycle.determination_published()
    with pytest.raises(Invalid) as err:
        verify(project, number=1, actor=secretariat, **kwargs)
    assert err.value.field == field
    assert FeeAssessment.objects.filter(kind="verification").count() == 0


def test_same_verification_number_twice_is_refused(cycle, secretariat):
    project = cycle.determination_published(expected={2009: 10000})
    verify(project, number=1, actor=secretariat, reductions_by_year={2025: 10000})
    with pytest.raises(Conflict) as err:
        verify(project, number=1, actor=secretariat, reductions_by_year={2026: 5000})
    assert err.value.code == "already_assessed"
    assert FeeAssessment.objects.filter(project=project, kind="verification").count() == 1
    assert Invoice.objects.filter(project=project).count() == 1


def test_advance_credited_against_the_first_calendar_year_only(cycle, secretariat):
    project = cycle.determination_published()  # advance 8,500.00 paid
    fee = verify(
        project, number=1, actor=secretariat, reductions_by_year={2025: 30000, 2026: 30000}
    )
    # Each year 1,500 + 15,000 x 0.20 = 4,500.00; the credit goes to 2025 only.
    assert (fee.amount_usd, fee.credit_usd, fee.due_usd, fee.status) == (
        D("9000.00"),
        D("4500.00"),
        D("4500.00"),
        "due",
    )
    invoice = Invoice.objects.get(project=project, kind="verification")
    assert (invoice.number, invoice.amount_usd) == ("JI-2026-00002", D("4500.00"))
    assert invoice.lines == [
        {
            "tonnes": 15000,
            "rate_usd": "0.10",
            "amount_usd": "1500.00",
            "year": 2025,
            "label": "2025: 15,000 t CO2e at USD 0.10/t",
        },
        {
            "tonnes": 15000,
            "rate_usd": "0.20",
            "amount_usd": "3000.00",
            "year": 2025,
            "label": "2025: 15,000 t CO2e at USD 0.20/t",
        },
        {
            "tonnes": 15000,
            "rate_usd": "0.10",
            "amount_usd": "1500.00",
            "year": 2026,
            "label": "2026: 15,000 t CO2e at USD 0.10/t",
        },
        {
            "tonnes": 15000,
            "rate_usd": "0.20",
            "amount_usd": "3000.00",
            "year": 2026,
            "label": "2026: 15,000 t CO2e at USD 0.20/t",
        },
        {
            "label": "Advance (determination fee) credited",
            "tonnes": None,
            "rate_usd": None,
            "amount_usd": "-4500.00",
        },
    ]
    credit = fee_services.advance_credit(project)
    assert (credit.paid_usd, credit.used_usd, credit.reimbursed_usd, credit.first_year) == (
        D("8500.00"),
        D("4500.00"),
        D("0.00"),
        2025,
    )
    assert credit.remaining_usd == D("4000.00")
    assert fee_services.verification_fee_settled(project, 1) is False
    fee_services.record_payment(secretariat, invoice, amount="4500.00", reference="UBS-V1")
    assert fee_services.verification_fee_settled(project, 1) is True

    # A later year's verification gets none of the credit left over.
    later = verify(project, number=2, actor=secretariat, reductions_by_year={2027: 20000})
    assert (later.amount_usd, later.credit_usd, later.status) == (D("2500.00"), D("0.00"), "due")
    assert later.inputs["first_year"] == 2025
    assert Invoice.objects.get(assessment=later).amount_usd == D("2500.00")
    assert fee_services.advance_credit(project).remaining_usd == D("4000.00")

    # Another verification of the first year uses it, until used up.
    more = verify(project, number=3, actor=secretariat, reductions_by_year={2025: 25000})
    assert (more.amount_usd, more.credit_usd, more.status) == (D("5000.00"), D("4000.00"), "due")
    assert Invoice.objects.get(assessment=more).amount_usd == D("1000.00")
    assert fee_services.advance_credit(project).remaining_usd == D("0.00")


def test_advance_covers_the_first_verification_entirely(cycle, secretariat):
    project = cycle.determination_published()  # advance 8,500.00 paid
    fee = verify(project, number=1, actor=secretariat, reductions_by_year={2025: 20000})
    assert (fee.amount_usd, fee.credit_usd, fee.due_usd, fee.status) == (
        D("2500.00"),
        D("2500.00"),
        D("0.00"),
        "covered",
    )
    assert Invoice.objects.filter(project=project, kind="verification").count() == 0
    assert fee_services.verification_fee_settled(project, 1) is True
    assert fee_services.advance_credit(project).remaining_usd == D("6000.00")
    assert fee_events(project)[-1] == (
        "fee_assessed",
        False,
        {"kind": "verification", "number": 1, "amount_usd": "2500.00", "credit_usd": "2500.00"},
    )
    # The credit left over stays and is not applied to a later year.
    later = verify(project, number=2, actor=secretariat, reductions_by_year={2026: 40000})
    assert (later.amount_usd, later.credit_usd, later.status) == (D("6500.00"), D("0.00"), "due")
    assert Invoice.objects.get(assessment=later).amount_usd == D("6500.00")
    assert fee_services.advance_credit(project).remaining_usd == D("6000.00")
    assert fee_services.verification_fee_settled(project, 2) is False


def test_unpaid_advance_gives_no_credit(cycle, secretariat):
    project = cycle.determination_submitted()  # advance invoiced, not paid
    fee = verify(project, number=1, actor=secretariat, reductions_by_year={2025: 20000})
    assert (fee.amount_usd, fee.credit_usd, fee.status) == (D("2500.00"), D("0.00"), "due")
    invoice = Invoice.objects.get(assessment=fee)
    assert invoice.amount_usd == D("2500.00")
    assert all(line["tonnes"] is not None for line in invoice.lines)
    assert fee_services.advance_credit(project).paid_usd == D("0.00")


def test_part_paid_advance_credits_what_was_paid(cycle, secretariat):
    project = cycle.determination_submitted()
    fee_services.record_payment(
        secretariat, det_invoice(project), amount="3000.00", reference="UBS-1"
    )
    fee = verify(project, number=1, actor=secretariat, reductions_by_year={2025: 40000})
    assert (fee.amount_usd, fee.credit_usd, fee.status) == (D("6500.00"), D("3000.00"), "due")
    assert Invoice.objects.get(assessment=fee).amount_usd == D("3500.00")
    assert fee_services.advance_credit(project).remaining_usd == D("0.00")


def test_waived_advance_gives_no_credit(cycle, secretariat):
    project = cycle.determination_submitted()
    fee_services.credit_invoice(secretariat, det_invoice(project), reason="Waived")
    fee = verify(project, number=1, actor=secretariat, reductions_by_year={2025: 20000})
    assert (fee.credit_usd, fee.status) == (D("0.00"), "due")


def test_small_scale_project_pays_verification_fees(cycle, secretariat):
    project = cycle.determination_published(small_scale=True)
    assert det_fee(project).status == "not_due"
    fee = verify(project, number=1, actor=secretariat, reductions_by_year={2025: 20000})
    assert (fee.amount_usd, fee.status) == (D("2500.00"), "due")


def test_credit_note_on_verification_invoice_settles_it(cycle, secretariat):
    project = cycle.determination_published(expected={2009: 10000})
    fee = verify(project, number=1, actor=secretariat, reductions_by_year={2025: 20000})
    fee_services.credit_invoice(secretariat, Invoice.objects.get(assessment=fee), reason="Waived")
    fee.refresh_from_db()
    assert fee.status == "waived"
    assert fee_services.verification_fee_settled(project, 1) is True


def test_first_year_is_the_first_year_with_reductions(cycle, secretariat):
    project = cycle.determination_published()  # advance 8,500.00 paid
    fee = verify(project, number=1, actor=secretariat, reductions_by_year={2025: 0, 2026: 20000})
    assert fee.inputs["first_year"] == 2026
    assert (fee.amount_usd, fee.credit_usd, fee.status) == (
        D("2500.00"),
        D("2500.00"),
        "covered",
    )


def test_verification_fee_year_not_a_number_is_invalid(cycle, secretariat):
    project = cycle.determination_published()
    with pytest.raises(Invalid) as err:
        verify(project, number=1, actor=secretariat, reductions_by_year={"2025a": 100})
    assert err.value.field == "reductions"


# --- 6. events -----------------------------------------------------------------------------


def test_fee_actions_append_private_events(cycle, secretariat):
    project = cycle.determination_submitted()
    invoice = det_invoice(project)
    fee_services.record_payment(secretariat, invoice, amount="3000.00", reference="UBS-1")
    fee_services.record_payment(secretariat, invoice, amount="6000.00", reference="UBS-2")
    refund = Reimbursement.objects.get()
    fee_services.record_reimbursement_paid(secretariat, refund, reference="OUT-1")
    assert fee_events(project) == [
        ("fee_assessed", False, {"kind": "determination", "amount_usd": "8500.00"}),
        ("invoice_issued", False, {"invoice": "JI-2026-00001", "amount_usd": "8500.00"}),
        (
            "payment_recorded",
            False,
            {
                "invoice": "JI-2026-00001",
                "amount_usd": "3000.00",
                "applied_usd": "3000.00",
                "balance_usd": "5500.00",
            },
        ),
        (
            "payment_recorded",
            False,
            {
                "invoice": "JI-2026-00001",
                "amount_usd": "6000.00",
                "applied_usd": "5500.00",
                "balance_usd": "0.00",
            },
        ),
        (
            "reimbursement_due",
            False,
            {"amount_usd": "500.00", "reason": "overpayment", "invoice": "JI-2026-00001"},
        ),
        ("fee_paid", False, {"invoice": "JI-2026-00001", "amount_usd": "8500.00"}),
        ("reimbursement_paid", False, {"amount_usd": "500.00", "reason": "overpayment"}),
    ]
    actors = dict(
        Event.objects.filter(project=project, kind__in=FEE_EVENTS)
        .exclude(kind__in=["fee_assessed", "invoice_issued", "reimbursement_due"])
        .values_list("kind", "actor")
    )
    assert set(actors.values()) == {secretariat.pk}


def test_credit_note_event_is_private(cycle, secretariat):
    project = cycle.determination_submitted()
    fee_services.credit_invoice(secretariat, det_invoice(project), reason="Waived by JISC 30")
    event = Event.objects.get(project=project, kind="credit_note_issued")
    assert (event.public, event.actor, event.reason, event.data) == (
        False,
        secretariat,
        "Waived by JISC 30",
        {"invoice": "JI-2026-00001", "credit_note": "CN-2026-00001", "amount_usd": "8500.00"},
    )


def test_no_fee_event_is_public(cycle, participant, secretariat):
    project = cycle.determination_published(expected={2010: 160000})
    verify(project, number=1, actor=secretariat, reductions_by_year={2026: 200000})
    other = cycle.determination_published(title="Lviv", expected={2010: 160000})
    wf.withdraw(participant, other, reason="Investor left")
    fee_services.record_reimbursement_paid(secretariat, Reimbursement.objects.get(), reference="R")
    seen = set(Event.objects.filter(kind__in=FEE_EVENTS).values_list("kind", flat=True))
    assert seen == {
        "fee_assessed",
        "invoice_issued",
        "payment_recorded",
        "fee_paid",
        "reimbursement_due",
        "reimbursement_paid",
    }
    assert not Event.objects.filter(kind__in=FEE_EVENTS, public=True).exists()


# --- visibility (ji-rules §6) -----------------------------------------------------------------


def test_invoices_visible_to_the_paying_participants_and_the_secretariat_only(
    cycle, participant, other_participant, aie_user, secretariat
):
    project = cycle.determination_submitted()
    invoice = det_invoice(project)
    assert list(fee_services.invoices_for(secretariat)) == [invoice]
    assert list(fee_services.invoices_for(participant)) == [invoice]
    assert list(fee_services.invoices_for(other_participant)) == []
    assert list(fee_services.invoices_for(aie_user)) == []
