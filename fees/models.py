"""A fee record per project and kind; the fees issue grows this into invoices and payments."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from projects.models import Project


class FeeAssessment(models.Model):
    class Kind(models.TextChoices):
        DETERMINATION = "determination", "Determination fee (advance)"

    class Status(models.TextChoices):
        DUE = "due", "Due"
        PAID = "paid", "Paid"
        NOT_DUE = "not_due", "Not due"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="fees")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    schedule = models.CharField(max_length=10)
    inputs = models.JSONField(default=dict)
    lines = models.JSONField(default=list)
    amount_usd = models.DecimalField(max_digits=14, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices)
    assessed_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="one_fee_per_project_kind")
        ]

    @property
    def settled(self) -> bool:
        return self.status in (self.Status.PAID, self.Status.NOT_DUE)
