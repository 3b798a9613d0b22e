"""The determination report F-JI-DRep (para 33-34) as structured data."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from projects.models import Document, Organisation, Project


class Determination(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned by the secretariat"
        PUBLISHED = "published", "Published"
        UNDER_REVIEW = "under_review", "Under review"
        FINAL = "final", "Final"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Outcome(models.TextChoices):
        POSITIVE = "positive", "Positive"
        NEGATIVE = "negative", "Negative"

    # The four para 33 findings, in the order of the guidelines.
    FINDINGS = (
        ("approval", "(a) The project has been approved by the Parties involved"),
        (
            "additionality",
            "(b) The reductions are additional to any that would otherwise occur",
        ),
        (
            "baseline_monitoring",
            "(c) The project has an appropriate baseline and monitoring plan (appendix B)",
        ),
        (
            "environmental",
            "(d) The PPs submitted an analysis of environmental impacts, including "
            "transboundary impacts, and an EIA where the impacts are significant",
        ),
    )

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="determinations")
    aie = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField(default=1, help_text="1 for the first submission.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)

    approval_met = models.BooleanField()
    approval_reasons = models.TextField()
    additionality_met = models.BooleanField()
    additionality_reasons = models.TextField()
    baseline_monitoring_met = models.BooleanField()
    baseline_monitoring_reasons = models.TextField()
    environmental_met = models.BooleanField()
    environmental_reasons = models.TextField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    comments_summary = models.TextField(blank=True)
    due_account = models.TextField(blank=True)

    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    return_reason = models.TextField(blank=True)
    available_on = models.DateField(null=True, blank=True)
    review_window_closes_at = models.DateTimeField(null=True, blank=True)
    final_on = models.DateField(null=True, blank=True)
    report = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="determination_number")
        ]

    def __str__(self) -> str:
        return f"F-JI-DRep {self.project.key} #{self.number}"

    def findings(self) -> list[dict]:
        return [
            {
                "key": key,
                "label": label,
                "met": getattr(self, f"{key}_met"),
                "reasons": getattr(self, f"{key}_reasons"),
            }
            for key, label in self.FINDINGS
        ]
