"""Fee records: assessments, invoices, payments, credit notes and reimbursements (ji-rules §5).

Amounts are ``Decimal`` to the cent. An assessment keeps its inputs, schedule version and lines
so it can be reproduced years later; an invoice keeps a snapshot of its addressee and lines so
its PDF reads the same whenever it is downloaded. Statuses change only in ``fees.services``.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from projects.models import Project

ZERO = Decimal("0.00")


class FeeKind(models.TextChoices):
    DETERMINATION = "determination", "Determination fee (advance)"
    VERIFICATION = "verification", "Verification fee"


class FeeAssessment(models.Model):
    Kind = FeeKind

    class Status(models.TextChoices):
        DUE = "due", pgettext_lazy("fee status", "Due")
        PAID = "paid", pgettext_lazy("fee status", "Paid")
        COVERED = "covered", pgettext_lazy("fee status", "Covered by the advance")
        NOT_DUE = "not_due", pgettext_lazy("fee status", "Not due")
        WAIVED = "waived", pgettext_lazy("fee status", "Waived by credit note")

    SETTLED = frozenset({Status.PAID, Status.COVERED, Status.NOT_DUE, Status.WAIVED})

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="fees")
    kind = models.CharField(max_length=20, choices=FeeKind.choices)
    # 1 for the determination fee (one advance per project); the verification's number otherwise.
    number = models.PositiveSmallIntegerField(default=1)
    schedule = models.CharField(max_length=10)
    inputs = models.JSONField(default=dict)
    lines = models.JSONField(default=list)
    amount_usd = models.DecimalField(max_digits=14, decimal_places=2)
    credit_usd = models.DecimalField(
        max_digits=14, decimal_places=2, default=ZERO, help_text="Advance credited against it."
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    assessed_at = models.DateTimeField(default=timezone.now)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The report was withdrawn or rejected: its tonnes and credit no longer count.",
    )

    class Meta:
        ordering = ["project", "kind", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "number"], name="one_fee_per_project_kind_number"
            ),
            models.CheckConstraint(
                condition=Q(credit_usd__gte=0) & Q(credit_usd__lte=models.F("amount_usd")),
                name="fee_credit_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.key} {self.get_kind_display()} {self.number}"

    @property
    def settled(self) -> bool:
        return self.status in self.SETTLED

    @property
    def due_usd(self) -> Decimal:
        """What was invoiced: the amount less the advance credited against it."""
        return self.amount_usd - self.credit_usd

    def balance_in(self, invoices) -> Decimal:
        """What is still to pay: the balance (amount − paid − credited) of this assessment's
        open invoices among ``invoices`` (rows a page has already loaded)."""
        if self.settled:
            return ZERO
        return sum(
            (inv.balance_usd for inv in invoices if inv.assessment_id == self.pk and inv.is_open),
            ZERO,
        )

    @property
    def balance_usd(self) -> Decimal:
        """What is still to pay on this fee (``balance_in`` its invoices; prefetch them)."""
        return self.balance_in(self.invoices.all())

    @property
    def label(self) -> str:
        if self.kind == FeeKind.DETERMINATION:
            return "Determination fee (advance)"
        return f"Verification fee, verification {self.number}"


class Invoice(models.Model):
    class Status(models.TextChoices):
        ISSUED = "issued", pgettext_lazy("invoice status", "Issued")
        PARTLY_PAID = "partly_paid", pgettext_lazy("invoice status", "Partly paid")
        PAID = "paid", pgettext_lazy("invoice status", "Paid")
        CANCELLED = "cancelled", pgettext_lazy("invoice status", "Cancelled")
        CREDITED = "credited", pgettext_lazy("invoice status", "Credited")

    OPEN = frozenset({Status.ISSUED, Status.PARTLY_PAID})

    number = models.CharField(max_length=16, unique=True)  # JI-YYYY-NNNNN
    assessment = models.ForeignKey(FeeAssessment, on_delete=models.PROTECT, related_name="invoices")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(max_length=20, choices=FeeKind.choices)
    # Snapshot of the project participants' focal point at issue.
    addressee_name = models.CharField(max_length=200)
    addressee_email = models.EmailField(blank=True)
    addressee_country = models.CharField(max_length=100, blank=True)
    lines = models.JSONField(default=list)
    amount_usd = models.DecimalField(max_digits=14, decimal_places=2)
    paid_usd = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    credited_usd = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    issued_on = models.DateField()
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ISSUED)
    status_reason = models.TextField(blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-issued_on", "-number"]
        indexes = [models.Index(fields=["status", "issued_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount_usd__gt=0), name="invoice_amount_positive"),
            models.CheckConstraint(
                condition=Q(paid_usd__gte=0)
                & Q(credited_usd__gte=0)
                & Q(paid_usd__lte=models.F("amount_usd") - models.F("credited_usd")),
                name="invoice_never_overpaid",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def balance_usd(self) -> Decimal:
        if self.status == self.Status.CANCELLED:
            return ZERO
        return self.amount_usd - self.paid_usd - self.credited_usd

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def age_days(self, today=None) -> int:
        return ((today or timezone.localdate()) - self.issued_on).days

    def overdue(self, today=None) -> bool:
        return self.is_open and (today or timezone.localdate()) > self.due_on


class Payment(models.Model):
    """Money received against an invoice. ``applied_usd`` settles the invoice; anything above
    its balance is ``excess_usd``, owed back as a reimbursement — nothing received is lost."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount_usd = models.DecimalField(max_digits=14, decimal_places=2)
    applied_usd = models.DecimalField(max_digits=14, decimal_places=2)
    excess_usd = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    received_on = models.DateField()
    reference = models.CharField("bank reference", max_length=120)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "reference"], name="one_payment_per_bank_reference"
            ),
            models.CheckConstraint(
                condition=Q(amount_usd__gt=0)
                & Q(applied_usd__gte=0)
                & Q(excess_usd__gte=0)
                & Q(amount_usd=models.F("applied_usd") + models.F("excess_usd")),
                name="payment_applied_plus_excess",
            ),
        ]
        indexes = [models.Index(fields=["received_on"])]


class CreditNote(models.Model):
    """Cancels the unpaid balance of an invoice (for example when the project ends before
    paying); numbered ``CN-YYYY-NNNNN``."""

    number = models.CharField(max_length=16, unique=True)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    amount_usd = models.DecimalField(max_digits=14, decimal_places=2)
    reason = models.TextField()
    issued_on = models.DateField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issued_on", "-number"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_usd__gt=0), name="credit_note_positive")
        ]

    def __str__(self) -> str:
        return self.number


class Reimbursement(models.Model):
    class Reason(models.TextChoices):
        ADVANCE = (
            "advance",
            pgettext_lazy(
                "reimbursement reason", "Advance above USD 30,000, no verification submitted"
            ),
        )
        OVERPAYMENT = (
            "overpayment",
            pgettext_lazy("reimbursement reason", "Payment above the invoice balance"),
        )

    class Status(models.TextChoices):
        DUE = "due", pgettext_lazy("reimbursement status", "Due")
        PAID = "paid", pgettext_lazy("reimbursement status", "Paid")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="reimbursements")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="reimbursements")
    amount_usd = models.DecimalField(max_digits=14, decimal_places=2)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    status = models.CharField(max_length=4, choices=Status.choices, default=Status.DUE)
    found_at = models.DateTimeField(default=timezone.now)
    paid_on = models.DateField(null=True, blank=True)
    reference = models.CharField(max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["found_at", "pk"]
        indexes = [models.Index(fields=["status", "paid_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount_usd__gt=0), name="reimbursement_positive")
        ]
