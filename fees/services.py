"""Fee records (ji-rules §5): the only code that writes assessments, invoices, payments, credit
notes and reimbursements, and the one writer of their statuses. The arithmetic is in
``calculator``.

Locking order, everywhere: the project row first, then the invoice row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jitrack.errors import Conflict, Invalid
from jitrack.statuses import Machine
from projects.models import Counter, Organisation, Project, User
from projects.workflow import lock, record, require

from . import calculator
from .models import (
    ZERO,
    CreditNote,
    FeeAssessment,
    FeeKind,
    Invoice,
    Payment,
    Reimbursement,
)

A = FeeAssessment.Status
I = Invoice.Status  # noqa: E741
RS = Reimbursement.Status

# An assessment is due, not due or covered by the advance as assessed (a reassessment of an
# unpaid one may change that), then paid or waived by a credit note.
ASSESSMENT_TRANSITIONS: dict[str, set[str]] = {
    A.DUE: {A.PAID, A.WAIVED, A.NOT_DUE, A.COVERED},
    A.NOT_DUE: {A.DUE, A.COVERED},
    A.COVERED: {A.DUE, A.NOT_DUE},
    A.PAID: set(),
    A.WAIVED: set(),
}
TRANSITIONS: dict[str, set[str]] = {  # invoices
    I.ISSUED: {I.PARTLY_PAID, I.PAID, I.CANCELLED, I.CREDITED},
    I.PARTLY_PAID: {I.PAID, I.CANCELLED, I.CREDITED},
    I.PAID: set(),
    I.CANCELLED: set(),
    I.CREDITED: set(),
}
REIMBURSEMENT_TRANSITIONS: dict[str, set[str]] = {RS.DUE: {RS.PAID}, RS.PAID: set()}
ASSESSMENT = Machine(FeeAssessment, ASSESSMENT_TRANSITIONS)
INVOICE = Machine(Invoice, TRANSITIONS)
REIMBURSEMENT = Machine(Reimbursement, REIMBURSEMENT_TRANSITIONS)
MAX_AMOUNT = Decimal("1000000000000")  # beyond any amount: a parsing bound, not a rule
# One payment is at most twice its invoice's amount. The rules bound what an invoice asks for,
# not what arrives: the determination fee (the advance) is at most USD 350,000 (ji-rules §5,
# the Provisions for the charging of fees, version 3: calculator.SCHEDULES); a verification fee
# is USD 0.10/t for a year's first 15,000 t and 0.20/t above, i.e. tied to the ERUs verified,
# and has no cap of its own. So the largest payment the fee schedule can call for is the
# invoice's own amount, and the commonest over-payment is that amount sent twice (a transfer
# made again); anything more is a typing error (USD 1e10 for an advance of 18,500), refused
# before it becomes a reimbursement nobody owes.
PAYMENT_CEILING_FACTOR = 2
# No money moved for JI Track 2 fees before the provisions for charging them (3/CMP.2, 2006):
# an earlier date of a payment or a reimbursement is a typing error.
FIRST_FEE_DAY = date(2006, 1, 1)
ENDED = {Project.Status.WITHDRAWN, Project.Status.REJECTED, Project.Status.TERMINATED}
SYSTEM = "jitrack fee rules"  # the actor shown for what the fee rules do by themselves


# --- numbering and addressee ---------------------------------------------------------------


def next_number(prefix: str, year: int) -> str:
    """``JI-2026-00001``: a gap-free sequence per prefix and calendar year, under a row lock."""
    name = f"{prefix}-{year}"
    Counter.objects.bulk_create([Counter(name=name, value=0)], ignore_conflicts=True)
    counter = Counter.objects.select_for_update().get(name=name)
    counter.value += 1
    counter.save(update_fields=["value"])
    return f"{prefix}-{year}-{counter.value:05d}"


def focal_point(project: Project) -> Organisation | None:
    """Invoices go to the project participants' focal point: the participant organisation of
    the user who registered the project, else the first participant by name."""
    participants = list(project.participants.all())
    creator_org = getattr(project.created_by, "organisation_id", None)
    for org in participants:
        if org.pk == creator_org:
            return org
    return min(participants, key=lambda o: o.name) if participants else None


# --- assessments and invoices --------------------------------------------------------------


def determination_fee_record(project: Project) -> FeeAssessment | None:
    return project.fees.filter(kind=FeeKind.DETERMINATION).first()


def _store_result(
    assessment: FeeAssessment,
    result: calculator.FeeResult,
    inputs: dict,
    credit: Decimal,
    log,
) -> None:
    """Save the calculator's ``result`` on the assessment, new or reassessed, in the status it
    leaves it in; ``log`` appends the event "fee_assessed"."""
    assessment.schedule = result.schedule
    assessment.inputs = inputs
    assessment.lines = [line.as_dict() for line in result.lines]
    assessment.amount_usd = result.amount_usd
    assessment.credit_usd = credit
    assessment.assessed_at = timezone.now()
    if result.amount_usd == 0:
        status = A.NOT_DUE
    elif credit == result.amount_usd:
        status = A.COVERED
    else:
        status = A.DUE
    if assessment.pk is None or assessment.status == status:
        assessment.status = ASSESSMENT.initial(status)
        assessment.save()
        log()
    else:
        ASSESSMENT.move(assessment, status, log=lambda *_: log())


def _cancel(invoice: Invoice, reason: str) -> None:
    """An unpaid invoice is cancelled; the act's own event tells it."""
    invoice.status_reason = reason
    INVOICE.move(invoice, I.CANCELLED, log=None)


def issue_invoice(assessment: FeeAssessment, actor: User | None) -> Invoice:
    """An invoice for what the assessment leaves due after credit. Called inside a transaction
    with the project locked."""
    project = assessment.project
    org = focal_point(project)
    lines = [dict(line, label=_line_label(line)) for line in assessment.lines]
    if assessment.credit_usd:
        lines.append(
            {
                "label": "Advance (determination fee) credited",
                "tonnes": None,
                "rate_usd": None,
                "amount_usd": str(-assessment.credit_usd),
            }
        )
    today = timezone.localdate()
    invoice = Invoice.objects.create(
        number=next_number("JI", today.year),
        assessment=assessment,
        project=project,
        kind=assessment.kind,
        addressee_name=org.name if org else project.title,
        addressee_email=org.email if org else "",
        addressee_country=str(org.country) if org and org.country_id else "",
        lines=lines,
        amount_usd=assessment.due_usd,
        issued_on=today,
        due_on=today + timedelta(days=settings.INVOICE_DUE_DAYS),
        issued_by=actor,
    )
    record(
        project,
        "invoice_issued",
        actor=None,
        label=SYSTEM,
        public=False,
        data={"invoice": invoice.number, "amount_usd": str(invoice.amount_usd)},
    )
    return invoice


def _line_label(line: dict) -> str:
    year = f"{line['year']}: " if line.get("year") is not None else ""
    return f"{year}{int(line['tonnes']):,} t CO2e at USD {line['rate_usd']}/t"


def expected_average(project: Project) -> Decimal:
    """EXACT_AVERAGE (``fees.calculator``; ji-rules §7 "Advance threshold"): E, computed exactly
    from the project's expected reductions per year — not ``Project.expected_annual_reductions``,
    which is rounded to the whole tonne. A project recorded without them (imported from the
    public record) has only its whole-tonne figure."""
    yearly = list(project.expected.values_list("tonnes", flat=True))
    if not yearly:
        return Decimal(project.expected_annual_reductions)
    return calculator.expected_average(yearly)


def expected_inputs(expected: Decimal) -> dict:
    """E as an assessment stores it: ``expected_annual_reductions`` to the whole tonne (what the
    tier lines count), and, when E is not a whole number of tonnes, the exact figure the
    calculator compared with the threshold as ``expected_annual_reductions_exact`` (a string)."""
    whole = calculator.whole_tonnes(expected)
    inputs: dict = {"expected_annual_reductions": whole}
    if expected != whole:
        inputs["expected_annual_reductions_exact"] = str(expected)
    return inputs


def stored_expected(inputs: dict) -> Decimal | None:
    """E from an assessment's stored inputs: the exact figure when stored, else the whole one."""
    exact = inputs.get("expected_annual_reductions_exact")
    if exact is not None:
        return Decimal(exact)
    whole = inputs.get("expected_annual_reductions")
    return None if whole is None else Decimal(whole)


def recalculate(assessment: FeeAssessment) -> calculator.FeeResult:
    """The calculator applied to the assessment's stored inputs and schedule (ji-rules §8 item
    5: every fee amount equals it)."""
    inputs = assessment.inputs
    if assessment.kind == FeeKind.DETERMINATION:
        return calculator.determination_fee(
            stored_expected(inputs),
            small_scale=inputs["small_scale"],
            poa=inputs["poa"],
            schedule=assessment.schedule,
        )
    return calculator.verification_fee(
        {int(y): t for y, t in inputs["reductions_by_year"].items()},
        already_by_year={int(y): t for y, t in inputs["already_by_year"].items()},
        poa=inputs["poa"],
        small_scale=inputs["small_scale"],
        expected_annual_reductions=stored_expected(inputs),
        schedule=assessment.schedule,
    )


def assess_determination_fee(
    project: Project, actor: User | None = None, *, schedule: str = calculator.DEFAULT_SCHEDULE
) -> FeeAssessment:
    """Due on submission of the determination report (ji-rules §5). Called with the project
    locked. A resubmission keeps an assessment that has money against it, keeps an unchanged one,
    and otherwise reassesses, cancelling the unpaid invoice and issuing a new one."""
    expected = expected_average(project)
    result = calculator.determination_fee(
        expected, small_scale=project.small_scale, poa=project.poa, schedule=schedule
    )
    inputs = {
        **expected_inputs(expected),
        "small_scale": project.small_scale,
        "poa": project.poa,
    }
    existing = determination_fee_record(project)
    if existing is not None:
        paid = existing.invoices.filter(paid_usd__gt=0).exists()
        if paid or existing.status in (A.PAID, A.WAIVED):
            return existing
        if existing.inputs == inputs and existing.schedule == result.schedule:
            return existing
        for invoice in existing.invoices.select_for_update().filter(status__in=Invoice.OPEN):
            _cancel(invoice, "Replaced: the fee was reassessed.")  # told by "fee_assessed"
    assessment = existing or FeeAssessment(project=project, kind=FeeKind.DETERMINATION, number=1)
    assessment.assessed_by = actor
    _store_result(
        assessment,
        result,
        inputs,
        ZERO,
        log=lambda: record(
            project,
            "fee_assessed",
            actor=None,
            label=SYSTEM,
            public=False,
            data={"kind": assessment.kind, "amount_usd": str(assessment.amount_usd)},
        ),
    )
    if assessment.due_usd > 0:
        issue_invoice(assessment, None)  # issued by the secretariat's rules, not the trigger
    return assessment


@dataclass(frozen=True)
class AdvanceCredit:
    paid_usd: Decimal  # paid towards the advance
    used_usd: Decimal  # credited against first-year verification fees
    reimbursed_usd: Decimal  # owed or paid back (above USD 30,000, no verification)
    first_year: int | None

    @property
    def remaining_usd(self) -> Decimal:
        return max(ZERO, self.paid_usd - self.used_usd - self.reimbursed_usd)


def advance_credit(project: Project) -> AdvanceCredit:
    return advance_credit_from(
        list(project.fees.all()),
        list(Payment.objects.filter(invoice__project=project).select_related("invoice")),
        list(project.reimbursements.all()),
    )


def advance_credit_from(
    assessments: list[FeeAssessment], payments: list[Payment], refunds: list[Reimbursement]
) -> AdvanceCredit:
    """ADVANCE_CREDIT (fees.calculator) from one project's rows, already loaded (pages reuse
    the rows they show instead of querying again)."""
    verifications = [
        a for a in assessments if a.kind == FeeKind.VERIFICATION and a.voided_at is None
    ]
    first_years = [a.inputs.get("first_year") for a in verifications]
    return AdvanceCredit(
        paid_usd=sum(
            (p.applied_usd for p in payments if p.invoice.kind == FeeKind.DETERMINATION), ZERO
        ),
        used_usd=sum((a.credit_usd for a in verifications), ZERO),
        reimbursed_usd=sum(
            (r.amount_usd for r in refunds if r.reason == Reimbursement.Reason.ADVANCE), ZERO
        ),
        first_year=min((y for y in first_years if y is not None), default=None),
    )


def assess_verification_fee(
    project: Project,
    *,
    number: int,
    actor: User | None = None,
    reductions_by_year: dict[int, int] | None = None,
    period: tuple[date, date, int] | None = None,
    schedule: str = calculator.DEFAULT_SCHEDULE,
) -> FeeAssessment:
    """Due when verification report ``number`` is submitted (ji-rules §5): per calendar year,
    sharing each year's first tier with earlier verifications, with the advance credited against
    the first calendar year. Per-year figures from the report when given, else ``period``
    (first day, last day, tonnes) split in proportion to days. Called with the project locked."""
    if project.fees.filter(kind=FeeKind.VERIFICATION, number=number).exists():
        raise Conflict(
            _("Verification %(number)s already has a fee assessment.") % {"number": number},
            code="already_assessed",
        )
    if reductions_by_year is None:
        if period is None:
            raise Invalid(
                _("Give the reductions per calendar year or the period."), code="required"
            )
        start, end, tonnes = period
        try:
            reductions_by_year = calculator.split_by_year(start, end, tonnes)
        except ValueError as exc:
            raise Invalid(str(exc), field="reductions") from None
    try:
        reductions_by_year = {int(y): t for y, t in reductions_by_year.items()}
    except (TypeError, ValueError):
        raise Invalid(_("Years are whole numbers, e.g. 2026."), field="reductions") from None
    if not reductions_by_year:
        raise Invalid(_("No reductions were given."), field="reductions")
    already: dict[int, int] = {}
    earlier = project.fees.filter(kind=FeeKind.VERIFICATION, voided_at__isnull=True).values_list(
        "inputs", flat=True
    )
    for inputs in earlier:
        for year, tonnes in inputs.get("reductions_by_year", {}).items():
            already[int(year)] = already.get(int(year), 0) + int(tonnes)
    expected = expected_average(project)
    try:
        result = calculator.verification_fee(
            reductions_by_year,
            already_by_year={y: already.get(y, 0) for y in reductions_by_year},
            poa=project.poa,
            small_scale=project.small_scale,
            expected_annual_reductions=expected,
            schedule=schedule,
        )
    except ValueError as exc:
        raise Invalid(str(exc), field="reductions") from None
    credit_state = advance_credit(project)
    # ADVANCE_CREDIT: the first calendar year is the earliest with verified reductions.
    with_tonnes = [y for y, t in reductions_by_year.items() if t]
    first_year = credit_state.first_year or min(with_tonnes or reductions_by_year)
    credit = calculator.apply_advance_credit(
        result, first_year=first_year, available_usd=credit_state.remaining_usd
    )
    inputs = {
        "reductions_by_year": {str(y): t for y, t in sorted(reductions_by_year.items())},
        "already_by_year": {str(y): already.get(y, 0) for y in sorted(reductions_by_year)},
        "first_year": first_year,
        "poa": project.poa,
        "small_scale": project.small_scale,
        **expected_inputs(expected),
    }
    if period is not None:
        inputs["period"] = [period[0].isoformat(), period[1].isoformat(), period[2]]
    assessment = FeeAssessment(
        project=project, kind=FeeKind.VERIFICATION, number=number, assessed_by=actor
    )
    _store_result(
        assessment,
        result,
        inputs,
        credit.applied_usd,
        log=lambda: record(
            project,
            "fee_assessed",
            actor=None,
            label=SYSTEM,
            public=False,
            data={
                "kind": assessment.kind,
                "number": number,
                "amount_usd": str(assessment.amount_usd),
                "credit_usd": str(assessment.credit_usd),
            },
        ),
    )
    if assessment.due_usd > 0:
        issue_invoice(assessment, None)  # issued by the secretariat's rules, not the trigger
    return assessment


def void_verification_fee(project: Project, number: int, *, reason: str) -> None:
    """Verification ``number`` was withdrawn or rejected (called with the project locked): its
    tonnes no longer share the year's first tier, the advance it used is credited again, and an
    unpaid invoice is cancelled. Money already paid stays paid."""
    fee = project.fees.filter(kind=FeeKind.VERIFICATION, number=number).first()
    if fee is None or fee.voided_at is not None:
        return
    fee.voided_at = timezone.now()
    fee.save(update_fields=["voided_at"])
    for invoice in fee.invoices.select_for_update().filter(status__in=Invoice.OPEN, paid_usd=0):
        _cancel(invoice, f"The verification report was {reason}.")  # told by "fee_voided"
    record(
        project,
        "fee_voided",
        actor=None,
        label=SYSTEM,
        public=False,
        data={"kind": fee.kind, "number": number, "reason": reason},
    )


def determination_fee_settled(project: Project) -> bool:
    """[our reading] ji-rules §5: the determination report is published only when its advance
    is paid or not due."""
    fee = determination_fee_record(project)
    return fee is not None and fee.settled


def verification_fee_settled(project: Project, number: int) -> bool:
    """[our reading] ji-rules §5: a verification report is published only when its fee is paid
    or covered by credit."""
    fee = project.fees.filter(kind=FeeKind.VERIFICATION, number=number).first()
    return fee is not None and fee.settled


# --- payments ------------------------------------------------------------------------------


_AMOUNT = re.compile(r"-?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?")


def parse_amount(value, field: str = "amount_usd") -> Decimal:
    """USD with a dot for cents; commas only as thousands separators ("8,500.00"), so a decimal
    comma ("8500,00") is refused rather than read as 850000."""
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value).strip()
        if not _AMOUNT.fullmatch(text):
            raise Invalid(_("Give the amount in USD, e.g. 1500.00."), field=field)
        try:
            amount = Decimal(text.replace(",", ""))
        except (InvalidOperation, ValueError):
            raise Invalid(_("Give the amount in USD, e.g. 1500.00."), field=field) from None
    if not amount.is_finite() or amount <= 0:
        raise Invalid(_("The amount must be more than zero."), field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise Invalid(_("The amount has at most two decimals (cents)."), field=field)
    if amount >= MAX_AMOUNT:
        raise Invalid(_("The amount is too large."), field=field)
    return amount.quantize(Decimal("0.01"))


def record_payment(
    actor: User,
    invoice: Invoice,
    *,
    amount,
    received_on: date | None = None,
    reference: str,
) -> Payment:
    """The secretariat records money received against an invoice. A part payment leaves the
    invoice partly paid; anything above the balance (or received for an invoice no longer open)
    is accepted and becomes a reimbursement due, so nothing received is lost."""
    amount = parse_amount(amount)
    reference = (reference or "").strip()
    if not reference:
        raise Invalid(
            _("Give the bank reference of the payment."), code="required", field="reference"
        )
    if len(reference) > 120:
        raise Invalid(_("The bank reference has at most 120 characters."), field="reference")
    today = timezone.localdate()
    received_on = received_on or today
    if received_on > today:
        raise Invalid(_("The payment cannot be received in the future."), field="received_on")
    if received_on < FIRST_FEE_DAY:
        raise Invalid(
            _("No JI fee was paid before 2006 (decision 3/CMP.2): check the date."),
            field="received_on",
        )
    with transaction.atomic():
        project = lock(invoice.project_id)
        require(actor, "fees.record_payment", project, _("Only the secretariat records payments."))
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        ceiling = invoice.amount_usd * PAYMENT_CEILING_FACTOR
        if amount > ceiling:
            raise Invalid(
                _(
                    "A payment on %(number)s is at most USD %(ceiling)s, twice the invoice's "
                    "USD %(amount)s: check the amount."
                )
                % {
                    "number": invoice.number,
                    "ceiling": f"{ceiling:,.2f}",
                    "amount": f"{invoice.amount_usd:,.2f}",
                },
                field="amount_usd",
            )
        if invoice.payments.filter(reference=reference).exists():
            raise Conflict(
                _("A payment with bank reference %(reference)s is already recorded on %(number)s.")
                % {"reference": reference, "number": invoice.number},
                code="duplicate_payment",
                field="reference",
            )
        balance = invoice.balance_usd if invoice.is_open else ZERO
        applied = min(amount, balance)
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    invoice=invoice,
                    amount_usd=amount,
                    applied_usd=applied,
                    excess_usd=amount - applied,
                    received_on=received_on,
                    reference=reference,
                    recorded_by=actor,
                )
        except IntegrityError:
            raise Conflict(
                _("This payment is already recorded."), code="duplicate_payment", field="reference"
            ) from None
        if applied:
            invoice.paid_usd += applied
            status = I.PAID if invoice.balance_usd == 0 else I.PARTLY_PAID
            if status == invoice.status:
                invoice.save(update_fields=["paid_usd"])
            else:  # told by "payment_recorded" below
                INVOICE.move(invoice, status, log=None)
        record(
            project,
            "payment_recorded",
            actor=actor,
            public=False,
            data={
                "invoice": invoice.number,
                "amount_usd": str(amount),
                "applied_usd": str(applied),
                "balance_usd": str(invoice.balance_usd),
            },
        )
        if payment.excess_usd:
            _reimbursement(project, invoice, payment.excess_usd, Reimbursement.Reason.OVERPAYMENT)
        if applied and invoice.status == I.PAID:
            assessment = FeeAssessment.objects.select_for_update().get(pk=invoice.assessment_id)
            assessment.paid_at = timezone.now()
            kind = (
                "fee_paid" if assessment.kind == FeeKind.DETERMINATION else "verification_fee_paid"
            )
            ASSESSMENT.move(
                assessment,
                A.PAID,
                log=lambda *_: record(
                    project,
                    kind,
                    actor=actor,
                    public=False,
                    data={"invoice": invoice.number, "amount_usd": str(invoice.amount_usd)},
                ),
            )
        if project.status in ENDED:
            sync_advance_reimbursement(project)
    return payment


def open_determination_invoice(project: Project) -> Invoice:
    """The determination fee's open invoice, or a ``Conflict`` saying why there is none."""
    fee = determination_fee_record(project)
    if fee is None:
        raise Conflict(_("No fee has been assessed for this project yet."), code="no_fee")
    if fee.status in (A.NOT_DUE, A.COVERED, A.WAIVED):
        raise Conflict(_("No determination fee is due for this project."), code="fee_not_due")
    invoice = fee.invoices.filter(status__in=Invoice.OPEN).order_by("-pk").first()
    if invoice is None:
        raise Conflict(_("The determination fee is already recorded as paid."), code="already_paid")
    return invoice


def record_fee_payment(
    actor: User, project: Project, *, amount, received_on: date | None, reference: str
) -> Payment:
    """The secretariat's "Record payment" for a project's determination fee (ji-rules §5; issue
    12): money received against its open invoice. A payment always states the amount received,
    the date it was received and the bank reference — none is assumed (nothing is booked as "the
    balance, today, reference made up"); part payments, over-payments (a reimbursement due) and
    the one bank reference per invoice are as in ``record_payment``."""
    if amount is None or str(amount).strip() == "":
        raise Invalid(_("Give the amount received."), code="required", field="amount_usd")
    if received_on is None:
        raise Invalid(
            _("Give the date the payment was received."), code="required", field="received_on"
        )
    if not (reference or "").strip():
        raise Invalid(
            _("Give the bank reference of the payment."), code="required", field="reference"
        )
    return record_payment(
        actor,
        open_determination_invoice(project),
        amount=amount,
        received_on=received_on,
        reference=reference,
    )


def pay_balance(actor: User, project: Project, *, reference: str) -> Payment:
    """For test fixtures and the demo seed (no page, API or admin action calls it): the open
    determination invoice's whole balance received today, with the bank reference given."""
    invoice = open_determination_invoice(project)
    return record_fee_payment(
        actor,
        project,
        amount=invoice.balance_usd,
        received_on=timezone.localdate(),
        reference=reference,
    )


def credit_invoice(actor: User, invoice: Invoice, *, reason: str) -> CreditNote:
    """The secretariat cancels an open invoice's unpaid balance with a credit note; the fee is
    then waived for what was not paid."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give the reason for the credit note."), code="required", field="reason")
    with transaction.atomic():
        project = lock(invoice.project_id)
        require(
            actor, "fees.record_payment", project, _("Only the secretariat issues credit notes.")
        )
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if not invoice.is_open:
            raise Conflict(
                _("Invoice %(number)s is %(status)s; only an open invoice can be credited.")
                % {"number": invoice.number, "status": invoice.get_status_display().lower()},
                code="invoice_closed",
            )
        amount = invoice.balance_usd
        note = CreditNote.objects.create(
            number=next_number("CN", timezone.localdate().year),
            invoice=invoice,
            amount_usd=amount,
            reason=reason,
            issued_on=timezone.localdate(),
            issued_by=actor,
        )
        invoice.credited_usd += amount
        invoice.status_reason = reason
        # the event "credit_note_issued" below tells both moves
        INVOICE.move(invoice, I.CREDITED, log=None)
        assessment = FeeAssessment.objects.select_for_update().get(pk=invoice.assessment_id)
        ASSESSMENT.move(assessment, A.WAIVED, log=None)
        record(
            project,
            "credit_note_issued",
            actor=actor,
            public=False,
            reason=reason,
            data={"invoice": invoice.number, "credit_note": note.number, "amount_usd": str(amount)},
        )
    return note


# --- reimbursements ------------------------------------------------------------------------


def _reimbursement(
    project: Project, invoice: Invoice, amount: Decimal, reason: str
) -> Reimbursement:
    refund = Reimbursement.objects.create(
        project=project, invoice=invoice, amount_usd=amount, reason=reason
    )
    record(
        project,
        "reimbursement_due",
        actor=None,
        label=SYSTEM,
        public=False,
        data={"amount_usd": str(amount), "reason": reason, "invoice": invoice.number},
    )
    return refund


def sync_advance_reimbursement(project: Project) -> Reimbursement | None:
    """REIMBURSEMENT (fees.calculator): once the project has ended with no verification report
    submitted, what was paid towards the advance above USD 30,000 is owed back. Idempotent; a
    payment that arrives later adds the difference. Called with the project locked."""
    if project.status not in ENDED:
        return None
    if project.fees.filter(kind=FeeKind.VERIFICATION).exists():
        return None
    fee = determination_fee_record(project)
    if fee is None:
        return None
    paid = Payment.objects.filter(invoice__assessment=fee).aggregate(s=Sum("applied_usd"))["s"]
    owed = calculator.reimbursement_due(paid or ZERO, schedule=fee.schedule)
    already = (
        project.reimbursements.filter(reason=Reimbursement.Reason.ADVANCE).aggregate(
            s=Sum("amount_usd")
        )["s"]
        or ZERO
    )
    if owed <= already:
        return None
    invoice = fee.invoices.filter(paid_usd__gt=0).order_by("-pk").first()
    return _reimbursement(project, invoice, owed - already, Reimbursement.Reason.ADVANCE)


def on_project_ended(sender, project: Project, **kwargs) -> None:
    """``projects.signals.project_ended``: a project withdrawn or rejected (inside its
    transaction, the project locked)."""
    sync_advance_reimbursement(project)


def record_reimbursement_paid(
    actor: User, refund: Reimbursement, *, paid_on: date | None = None, reference: str = ""
) -> Reimbursement:
    reference = (reference or "").strip()
    if len(reference) > 120:
        raise Invalid(_("The bank reference has at most 120 characters."), field="reference")
    today = timezone.localdate()
    paid_on = paid_on or today
    if paid_on > today:
        raise Invalid(_("The reimbursement cannot be paid in the future."), field="paid_on")
    if paid_on < FIRST_FEE_DAY:
        raise Invalid(
            _("No JI fee was reimbursed before 2006 (decision 3/CMP.2): check the date."),
            field="paid_on",
        )
    with transaction.atomic():
        project = lock(refund.project_id)
        require(
            actor, "fees.record_payment", project, _("Only the secretariat records reimbursements.")
        )
        refund = Reimbursement.objects.select_for_update().get(pk=refund.pk)
        if refund.status == Reimbursement.Status.PAID:
            raise Conflict(
                _("This reimbursement is already recorded as paid."), code="already_paid"
            )
        refund.paid_on = paid_on
        refund.reference = reference
        refund.recorded_by = actor
        REIMBURSEMENT.move(
            refund,
            RS.PAID,
            log=lambda *_: record(
                project,
                "reimbursement_paid",
                actor=actor,
                public=False,
                data={"amount_usd": str(refund.amount_usd), "reason": refund.reason},
            ),
        )
    return refund


# --- reading ---------------------------------------------------------------------------------


def invoices_for(user: User):
    """The invoices a user may see: all for the secretariat, their projects' for participants."""
    qs = Invoice.objects.select_related("project", "project__host_party", "assessment")
    if user.is_authenticated and user.role == User.Role.SECRETARIAT:
        return qs
    if user.is_authenticated and user.role == User.Role.PARTICIPANT and user.organisation_id:
        return qs.filter(project__participants=user.organisation_id)
    return qs.none()


def open_invoices():
    return Invoice.objects.filter(status__in=Invoice.OPEN)


def reimbursements_due():
    return Reimbursement.objects.filter(status=Reimbursement.Status.DUE)
