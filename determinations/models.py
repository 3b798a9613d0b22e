"""The determination report F-JI-DRep (paras 33-34), and the second half of the cycle: monitoring
reports, changes during implementation, verifications F-JI-VRep (paras 36-39) and ERU issuance."""

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import (
    BigIntegerRangeField,
    DateRangeField,
    RangeBoundary,
    RangeOperators,
)
from django.db import connections, models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from projects.models import Document, Organisation, Party, Project


class Determination(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("determination status", "Submitted")
        RETURNED = "returned", pgettext_lazy("determination status", "Returned by the secretariat")
        PUBLISHED = "published", pgettext_lazy("determination status", "Published")
        UNDER_REVIEW = "under_review", pgettext_lazy("determination status", "Under review")
        FINAL = "final", pgettext_lazy("determination status", "Final")
        REJECTED = "rejected", pgettext_lazy("determination status", "Rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("determination status", "Withdrawn")

    class Outcome(models.TextChoices):
        POSITIVE = "positive", pgettext_lazy("determination outcome", "Positive")
        NEGATIVE = "negative", pgettext_lazy("determination outcome", "Negative")

    # The four para 33 findings, in the order of the guidelines.
    FINDINGS = (
        ("approval", _("(a) The project has been approved by the Parties involved")),
        (
            "additionality",
            _("(b) The reductions are additional to any that would otherwise occur"),
        ),
        (
            "baseline_monitoring",
            _("(c) The project has an appropriate baseline and monitoring plan (appendix B)"),
        ),
        (
            "environmental",
            _(
                "(d) The PPs submitted an analysis of environmental impacts, including "
                "transboundary impacts, and an EIA where the impacts are significant"
            ),
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


def current_determination(project: Project) -> Determination | None:
    """The determination that counts: the latest one the secretariat has not returned."""
    return (
        project.determinations.exclude(status=Determination.Status.RETURNED)
        .order_by("-number")
        .first()
    )


# --- monitoring, changes, verification (paras 36-39) and ERU issuance (13/CMP.1 para 29) ---------


class DateRange(models.Func):
    function = "daterange"
    output_field = DateRangeField()


class BigIntRange(models.Func):
    function = "int8range"
    output_field = BigIntegerRangeField()


class PostgresOnlyExclusion(ExclusionConstraint):
    """An exclusion constraint on PostgreSQL; elsewhere (the embedded SQLite default) the same
    rule is enforced in code only."""

    def _pg(self, schema_editor) -> bool:
        return schema_editor.connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        return super().constraint_sql(model, schema_editor) if self._pg(schema_editor) else None

    def create_sql(self, model, schema_editor):
        return super().create_sql(model, schema_editor) if self._pg(schema_editor) else None

    def remove_sql(self, model, schema_editor):
        return super().remove_sql(model, schema_editor) if self._pg(schema_editor) else None

    def validate(self, model, instance, exclude=None, using="default"):
        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)


class MonitoringReport(models.Model):
    """Para 36: the PPs' report on reductions that already occurred in a monitoring period."""

    class Status(models.TextChoices):
        SUBMITTED = (
            "submitted",
            pgettext_lazy("monitoring report status", "Submitted for verification"),
        )
        VERIFIED = "verified", pgettext_lazy("monitoring report status", "Verification filed")
        # ji-rules §7 "Rules at the edges": the report's status follows its verification to final.
        FINAL = "final", pgettext_lazy("monitoring report status", "Verification final")
        WITHDRAWN = "withdrawn", pgettext_lazy("monitoring report status", "Withdrawn")
        REJECTED = "rejected", pgettext_lazy("monitoring report status", "Verification rejected")

    # Periods that block an overlapping new period (JISC 13 Annex 13): verified or under way.
    BLOCKING = (Status.SUBMITTED, Status.VERIFIED, Status.FINAL)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="monitoring")
    # A programme of activities is monitored, verified and credited per component (CPA).
    component = models.ForeignKey(
        "projects.ComponentActivity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="monitoring",
    )
    number = models.PositiveSmallIntegerField()
    period_start = models.DateField()
    period_end = models.DateField()
    aie = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    claimed = models.JSONField(default=dict, help_text="calendar year -> tonnes claimed")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    report = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["period_start", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="monitoring_number"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="monitoring_period_ordered",
            ),
            PostgresOnlyExclusion(
                name="monitoring_periods_do_not_overlap",
                expressions=[
                    (
                        DateRange("period_start", "period_end", RangeBoundary(True, True)),
                        RangeOperators.OVERLAPS,
                    ),
                    ("project", RangeOperators.EQUAL),
                    # The periods of one component (or of a project without components) never
                    # overlap; two components of one programme are monitored independently.
                    (Coalesce("component", Value(0)), RangeOperators.EQUAL),
                ],
                condition=Q(status__in=["submitted", "verified", "final"]),
            ),
        ]

    def __str__(self) -> str:
        return f"Monitoring report {self.number} of {self.project.key}"

    @property
    def claimed_total(self) -> int:
        return sum(int(t) for t in self.claimed.values())


class ImplementationChange(models.Model):
    """JISC 23 Annex 2: a change to the determined design or monitoring plan, with its
    justification; the next verification must address it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="changes")
    description = models.TextField()
    justification = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    files = models.ManyToManyField(Document, blank=True, related_name="+")
    addressed_in = models.ForeignKey(
        "Verification", null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    aie_opinion = models.TextField(blank=True)

    class Meta:
        ordering = ["recorded_at", "pk"]


class Verification(models.Model):
    """F-JI-VRep (paras 37-38) as structured data."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("verification status", "Submitted")
        PUBLISHED = "published", pgettext_lazy("verification status", "Published")
        UNDER_REVIEW = "under_review", pgettext_lazy("verification status", "Under review")
        FINAL = "final", pgettext_lazy("verification status", "Final")
        REJECTED = "rejected", pgettext_lazy("verification status", "Rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("verification status", "Withdrawn")

    # Public once the secretariat has made the report available (para 38, ji-rules §6); one
    # filed but not yet published is seen by its AIE, the participants and the secretariat only.
    PUBLIC = Q(available_on__isnull=False)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="verifications")
    number = models.PositiveSmallIntegerField()
    monitoring_report = models.OneToOneField(
        MonitoringReport, on_delete=models.PROTECT, related_name="verification"
    )
    aie = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.SUBMITTED)
    verified = models.JSONField(default=dict, help_text="calendar year -> tonnes verified")
    verified_total = models.PositiveBigIntegerField(default=0)
    erus_issued = models.PositiveBigIntegerField(default=0)
    findings = models.TextField()
    conditions_hold = models.BooleanField(
        default=True, help_text="The para 33 conditions still hold after the changes."
    )
    conditions_reasons = models.TextField(blank=True)
    no_overlap_declared = models.BooleanField(default=False)
    report = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supporting = models.ManyToManyField(Document, blank=True, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    available_on = models.DateField(null=True, blank=True)
    review_window_closes_at = models.DateTimeField(null=True, blank=True)
    final_on = models.DateField(null=True, blank=True)
    # The clock sweeps published verifications whose 15-day window has closed.
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["monitoring_report__period_start", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="verification_number"),
            # Never more ERUs than verified (13/CMP.1 annex para 29).
            models.CheckConstraint(
                condition=Q(erus_issued__lte=models.F("verified_total")),
                name="erus_within_verified",
            ),
        ]

    def __str__(self) -> str:
        return f"F-JI-VRep {self.project.key} #{self.number}"


class CommitmentPeriod(models.IntegerChoices):
    """Kyoto Protocol commitment periods (ji-rules §7 "Commitment periods"): ERUs for reductions
    in year Y are converted from the host's assigned amount of the period that contains Y."""

    FIRST = 1, _("First commitment period (2008–2012)")
    SECOND = 2, _("Second commitment period (2013–2020, Doha Amendment)")


# The calendar years of each commitment period, first and last.
COMMITMENT_PERIOD_YEARS = {
    CommitmentPeriod.FIRST: (2008, 2012),
    CommitmentPeriod.SECOND: (2013, 2020),
}


class AauLedgerEntry(models.Model):
    """A Party's AAUs in its national registry, per commitment period ([our reading] ji-rules §7
    "Commitment periods"): the holdings its focal point states (13/CMP.1 annex para 29) and the
    AAUs cancelled by conversion to ERUs (negative). A statement gives the holding as it stands
    in the registry (``stated``); its ``quantity`` is the difference from the balance before, so
    a period's balance — the sum of its quantities — is the last stated holding less the
    conversions since. It never goes negative (``stated`` ≥ 0; conversions are checked under a
    lock on the Party's row)."""

    class Kind(models.TextChoices):
        HOLDING = "holding", _("Holding stated by the focal point")
        CONVERSION = "conversion", _("AAUs converted to ERUs")

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="aau_ledger")
    commitment_period = models.PositiveSmallIntegerField(choices=CommitmentPeriod.choices)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    quantity = models.BigIntegerField(
        help_text="Change to the balance: a statement's difference, a conversion's AAUs (−)."
    )
    stated = models.BigIntegerField(
        null=True, blank=True, help_text="Holdings: the AAUs the registry holds, as stated."
    )
    note = models.CharField(max_length=200, blank=True)
    issuance = models.ForeignKey(
        "EruIssuance", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]
        indexes = [models.Index(fields=["party", "commitment_period"])]
        constraints = [
            models.CheckConstraint(
                # stated IS NOT NULL spelled out: NULL >= 0 is unknown, which a CHECK lets by.
                condition=(Q(kind="holding") & Q(stated__isnull=False) & Q(stated__gte=0))
                | (Q(kind="conversion") & Q(quantity__lt=0) & Q(stated__isnull=True)),
                name="aau_entry_kind",
            ),
            models.CheckConstraint(
                condition=Q(commitment_period__in=CommitmentPeriod.values),
                name="aau_entry_commitment_period",
            ),
        ]


class AssignedAmount(models.Model):
    """A Party's assigned amount for a commitment period (Kyoto Protocol Article 3, paras 7-8),
    as the secretariat records it from the Party's initial report review, with its source.
    ``determinations.conversions`` compares it with the ERUs issued."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="assigned_amounts")
    commitment_period = models.PositiveSmallIntegerField(choices=CommitmentPeriod.choices)
    tonnes = models.PositiveBigIntegerField(help_text="t CO2e over the whole commitment period.")
    source = models.CharField(max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["party", "commitment_period"]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "commitment_period"], name="assigned_amount_once"
            ),
        ]


class ReportedEmissions(models.Model):
    """A Party's total greenhouse gas emissions of a year (without LULUCF) as reported in its
    inventory, recorded by the secretariat with its source."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="reported_emissions")
    year = models.PositiveSmallIntegerField()
    tonnes = models.PositiveBigIntegerField(help_text="t CO2e emitted in the year.")
    source = models.CharField(max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["party", "year"]
        constraints = [
            models.UniqueConstraint(fields=["party", "year"], name="reported_emissions_once"),
        ]


class EruIssuance(models.Model):
    """The host Party's DFP records ERUs issued for a final verification."""

    verification = models.ForeignKey(
        Verification, on_delete=models.PROTECT, related_name="issuances"
    )
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="eru_issuances")
    quantity = models.PositiveBigIntegerField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]


class EruBlock(models.Model):
    """A block of serially numbered units: AAUs converted to ERUs keep their serial numbers and
    gain the project identifier (13/CMP.1 annex para 29). A transfer splits a block; the head
    keeps the original start serial."""

    issuance = models.ForeignKey(EruIssuance, on_delete=models.PROTECT, related_name="blocks")
    originating_party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    unit_type = models.CharField(max_length=3, default="ERU")
    serial_start = models.PositiveBigIntegerField()
    serial_end = models.PositiveBigIntegerField()
    commitment_period = models.PositiveSmallIntegerField(
        choices=CommitmentPeriod.choices, default=CommitmentPeriod.FIRST
    )
    project_identifier = models.CharField(max_length=20)
    track = models.PositiveSmallIntegerField(default=2)
    account = models.CharField(
        max_length=120, help_text="Holding account: the host's registry, then the PPs' accounts."
    )
    account_party = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The Party whose national registry holds the account; empty: the host's.",
    )
    registry_account = models.ForeignKey(
        "RegistryAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="blocks",
        help_text="The participants' recorded account the block was transferred to, if any.",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    active = models.BooleanField(default=True, help_text="False once split by a transfer.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["originating_party", "serial_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(serial_end__gte=models.F("serial_start")), name="eru_block_ordered"
            ),
            models.CheckConstraint(
                condition=Q(commitment_period__in=CommitmentPeriod.values),
                name="eru_block_commitment_period",
            ),
            # A serial is used once: active blocks of one originating Party never overlap.
            PostgresOnlyExclusion(
                name="eru_serials_used_once",
                expressions=[
                    (
                        BigIntRange("serial_start", "serial_end", RangeBoundary(True, True)),
                        RangeOperators.OVERLAPS,
                    ),
                    ("originating_party", RangeOperators.EQUAL),
                ],
                condition=Q(active=True),
            ),
        ]

    @property
    def quantity(self) -> int:
        return self.serial_end - self.serial_start + 1


class RegistryAccount(models.Model):
    """An account in a national registry that a participant organisation names for its ERUs
    (ji-rules §3 item 13: ERUs go first to the host Party's registry, then to the accounts the
    participants name). Recorded per organisation, for every project it takes part in; the host's
    focal point chooses one when it transfers ERUs (``issuance.transfer``). Not public: only the
    transfer that uses it names its identifier on the record. Deactivated, never deleted: blocks
    transferred to it keep pointing at it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="registry_accounts"
    )
    registry_party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The Party whose national registry holds the account.",
    )
    identifier = models.CharField(
        max_length=40, help_text="As the national registry formats it, e.g. UA-100-1234567-0-12."
    )
    holder = models.CharField(max_length=200, help_text="The account holder's name.")
    label = models.CharField(max_length=100, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["registry_party__code", "identifier", "pk"]
        constraints = [
            # An account of a registry is named once while it is in use.
            models.UniqueConstraint(
                fields=["identifier"],
                condition=Q(active=True),
                name="registry_account_active_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} ({self.holder})"
