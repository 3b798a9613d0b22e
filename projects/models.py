"""Reference data (Parties, scopes, organisations, accreditations, users) and the Project.

Statuses change only through ``projects.workflow`` (and ``determinations.workflow`` for the
determination record); every change appends an ``Event``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import rules
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.search import SearchVector
from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jitrack.db import PostgresOnlyGinIndex, PostgresOnlyIndex


class SectoralScope(models.Model):
    """The 15 JI sectoral scopes (ji-rules §1)."""

    NAMES = [
        "Energy industries (renewable / non-renewable sources)",
        "Energy distribution",
        "Energy demand",
        "Manufacturing industries",
        "Chemical industry",
        "Construction",
        "Transport",
        "Mining/mineral production",
        "Metal production",
        "Fugitive emissions from fuels (solid, oil and gas)",
        "Fugitive emissions from production and consumption of halocarbons and SF6",
        "Solvent use",
        "Waste handling and disposal",
        "Afforestation and reforestation",
        "Agriculture",
    ]

    number = models.PositiveSmallIntegerField(primary_key=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Party(models.Model):
    """A Party to the UNFCCC with its para 21 eligibility (ji-rules §2)."""

    code = models.CharField("ISO 3166-1 alpha-2", max_length=2, unique=True)
    name = models.CharField(max_length=120, unique=True)
    # Para 21 (a)–(f).
    kp_party = models.BooleanField("(a) Party to the Kyoto Protocol", default=False)
    assigned_amount_recorded = models.BooleanField("(b) assigned amount recorded", default=False)
    national_system = models.BooleanField("(c) national system in place", default=False)
    national_registry = models.BooleanField("(d) national registry in place", default=False)
    inventory_submitted = models.BooleanField("(e) most recent inventory submitted", default=False)
    supplementary_info = models.BooleanField(
        "(f) supplementary information submitted", default=False
    )
    annex_i = models.BooleanField("Annex I Party (UNFCCC)", default=False)
    eligibility_source = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where the para 21 eligibility comes from (the JI website's list, a decision).",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parties"

    def __str__(self) -> str:
        return self.name

    TRACK2_REQUIREMENTS = (
        ("kp_party", "(a) Party to the Kyoto Protocol"),
        ("assigned_amount_recorded", "(b) assigned amount calculated and recorded"),
        ("national_registry", "(d) national registry in place"),
    )

    def track2_missing(self) -> list[str]:
        """Para 21 requirements a Track 2 host must meet and this Party does not (para 24)."""
        return [label for field, label in self.TRACK2_REQUIREMENTS if not getattr(self, field)]

    @property
    def track2_eligible(self) -> bool:
        return not self.track2_missing()

    @property
    def track1_eligible(self) -> bool:
        """All six para 21 requirements (para 23)."""
        return all(
            getattr(self, f)
            for f in (
                "kp_party",
                "assigned_amount_recorded",
                "national_system",
                "national_registry",
                "inventory_submitted",
                "supplementary_info",
            )
        )


class Organisation(models.Model):
    class Kind(models.TextChoices):
        PARTICIPANT = "participant", pgettext_lazy("organisation kind", "Project participant")
        AIE = "aie", pgettext_lazy("organisation kind", "Accredited independent entity")
        SECRETARIAT = "secretariat", pgettext_lazy("organisation kind", "Secretariat")

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    country = models.ForeignKey(Party, null=True, blank=True, on_delete=models.PROTECT)
    email = models.EmailField(blank=True)
    historical = models.BooleanField(default=False, help_text="Imported from earlier records.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Accreditation(models.Model):
    """An AIE's accreditation for one function over a set of sectoral scopes (ji-rules §1)."""

    class Function(models.TextChoices):
        DETERMINATION = "determination", pgettext_lazy("accreditation function", "Determination")
        VERIFICATION = "verification", pgettext_lazy("accreditation function", "Verification")

    class Status(models.TextChoices):
        APPLICANT = "applicant", pgettext_lazy("accreditation status", "Applicant")
        ACCREDITED = "accredited", pgettext_lazy("accreditation status", "Accredited")
        SUSPENDED = "suspended", pgettext_lazy("accreditation status", "Suspended")
        WITHDRAWN = "withdrawn", pgettext_lazy("accreditation status", "Withdrawn")

    aie = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="accreditations",
        limit_choices_to={"kind": Organisation.Kind.AIE},
    )
    function = models.CharField(max_length=20, choices=Function.choices)
    scopes = models.ManyToManyField(SectoralScope, related_name="accreditations")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACCREDITED)
    reference = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["aie", "function"], name="one_accreditation_per_function"
            )
        ]

    def __str__(self) -> str:
        return f"{self.aie} — {self.get_function_display()} ({self.get_status_display()})"


class User(AbstractUser):
    class Role(models.TextChoices):
        PARTICIPANT = "participant", _("Project participant")
        AIE = "aie", _("AIE staff")
        PARTY = "party", _("Designated focal point of a Party")
        JISC = "jisc", _("JISC member")
        EXPERT = "expert", _("Expert")
        SECRETARIAT = "secretariat", _("Secretariat")

    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    party = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="The Party a DFP acts for; a JISC member's or expert's nationality.",
    )

    class MailPreference(models.TextChoices):
        IMMEDIATELY = "immediately", _("Immediately, one e-mail per notification")
        DIGEST = "digest", _("Once a day, one e-mail listing the day's notifications")
        NONE = "none", _("Never: only in the inbox")

    mail_preference = models.CharField(
        _("e-mail notifications"),
        max_length=20,
        choices=MailPreference.choices,
        default=MailPreference.IMMEDIATELY,
        help_text="How the user's notifications (projects.Notification) are e-mailed.",
    )

    def has_perm(self, perm: str, obj=None) -> bool:
        """A domain permission (one of ``rules``' table, ``projects.rules`` and the others)
        follows the user's role, organisation, Party and term only: a superuser is no one's AIE,
        participant or focal point, and acts in the workflow only as its role allows. Django's
        model permissions (the admin site's reference data) keep Django's rule."""
        if rules.perm_exists(perm):
            return self.is_active and rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)


class Project(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("project status", "Draft")
        ENGAGED = "engaged", pgettext_lazy("project status", "AIE engaged")
        PDD_SUBMITTED = (
            "pdd_submitted",
            pgettext_lazy("project status", "PDD submitted for publication"),
        )
        OPEN_FOR_COMMENTS = (
            "open_for_comments",
            pgettext_lazy("project status", "Open for comments"),
        )
        COMMENTS_CLOSED = (
            "comments_closed",
            pgettext_lazy("project status", "Comment period closed"),
        )
        DETERMINATION_SUBMITTED = (
            "determination_submitted",
            pgettext_lazy("project status", "Determination submitted"),
        )
        DETERMINATION_PUBLISHED = (
            "determination_published",
            pgettext_lazy("project status", "Determination published"),
        )
        UNDER_REVIEW = "under_review", pgettext_lazy("project status", "Under review")
        FINAL = "final", pgettext_lazy("project status", "Determination final")
        REJECTED = "rejected", pgettext_lazy("project status", "Rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("project status", "Withdrawn")
        TERMINATED = "terminated", pgettext_lazy("project status", "Terminated")

    class SmallScaleType(models.TextChoices):
        """1/CMP.2 para 28 with the CDM small-scale definitions (ji-rules §7 "Small-scale")."""

        RENEWABLE = "I", _("Type I: renewable energy, output capacity up to 15 MW")
        EFFICIENCY = "II", _("Type II: energy efficiency, savings up to 60 GWh a year")
        OTHER = "III", _("Type III: other activities, reductions up to 60,000 t CO2e a year")

    class Approach(models.TextChoices):
        JI_SPECIFIC = "ji_specific", _("JI specific approach")
        CDM_METHODOLOGY = "cdm_methodology", _("Approved CDM methodology")

    class Track(models.TextChoices):
        """Para 23 (Track 1: the host verifies under its own procedure) and paras 30-45 (Track 2:
        the JISC verification procedure)."""

        ONE = "1", _("Track 1")
        TWO = "2", _("Track 2")

    # Track 2: four to six digits, assigned in order of publication (``workflow._next_reference``);
    # Track 1: as the host assigned it, its ISO code and digits (``selectors.TRACK1_REFERENCE``).
    reference = models.CharField(max_length=20, unique=True, null=True, blank=True)
    track = models.CharField(max_length=1, choices=Track.choices, default=Track.TWO, db_index=True)
    # Track 1 (para 23): the host's national approval and the national guidelines it applied.
    national_approval_reference = models.CharField(max_length=100, blank=True)
    national_guidelines = models.CharField(max_length=300, blank=True)
    title = models.CharField(max_length=255)
    host_party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="hosted_projects")
    parties_involved = models.ManyToManyField(
        Party, blank=True, related_name="involved_projects", help_text="Other Parties involved."
    )
    participants = models.ManyToManyField(Organisation, related_name="projects")
    sectoral_scopes = models.ManyToManyField(SectoralScope, related_name="projects")
    small_scale = models.BooleanField(default=False)
    small_scale_type = models.CharField(max_length=3, choices=SmallScaleType.choices, blank=True)
    small_scale_figure = models.DecimalField(
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="The figure the type is limited by: MW (I), GWh a year (II), t CO2e a year (III).",
    )
    poa = models.BooleanField("programme of activities", default=False)
    crediting_start = models.DateField(null=True, blank=True)
    crediting_end = models.DateField(null=True, blank=True)
    baseline_approach = models.CharField(
        max_length=20, choices=Approach.choices, default=Approach.JI_SPECIFIC
    )
    methodology = models.CharField(
        max_length=120, blank=True, help_text="The approved CDM methodology, if one is used."
    )
    monitoring_approach = models.TextField(blank=True)
    expected_annual_reductions = models.PositiveBigIntegerField(default=0)

    aie = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="aie_projects"
    )
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.DRAFT)
    pdd_available_on = models.DateField(null=True, blank=True)
    comments_close_at = models.DateTimeField(null=True, blank=True)
    determination_available_on = models.DateField(null=True, blank=True)
    review_window_closes_at = models.DateTimeField(null=True, blank=True)
    final_on = models.DateField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    terminated_at = models.DateTimeField(null=True, blank=True)
    # The participants' names, searched with the title (``projects.search``, its one writer).
    participants_text = models.TextField(blank=True, default="", editable=False)
    # The next instant at which the clock must act on this project; swept through an index.
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "pdd_available_on"]),
            # The registry's default orders (``registry.section_defs``): newest first.
            PostgresOnlyIndex(
                models.F("pdd_available_on").desc(nulls_last=True),
                models.F("id").desc(),
                name="project_newest_pdd",
            ),
            PostgresOnlyIndex(
                models.F("final_on").desc(nulls_last=True),
                models.F("id").desc(),
                name="project_newest_final",
            ),
            # Full-text search, one per configuration (``projects.search.vector``).
            PostgresOnlyGinIndex(
                SearchVector("title", "participants_text", config="english"),
                name="project_search_english",
            ),
            PostgresOnlyGinIndex(
                SearchVector("title", "participants_text", config="russian"),
                name="project_search_russian",
            ),
            PostgresOnlyGinIndex(
                SearchVector("title", "participants_text", config="simple"),
                name="project_search_simple",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference or 'draft'} {self.title}"

    @property
    def key(self) -> str:
        """URL key: the reference once published, else ``P<id>``."""
        return self.reference or f"P{self.pk}"

    @property
    def withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN

    @property
    def is_published(self) -> bool:
        """Public from the PDD's availability date; a record imported without a known PDD date
        is public from its determination's (``published_q`` says the same in a query).
        [our reading] para 23: a Track 1 project is recorded by its host's focal point (or
        imported) only once the host has approved it, so it is public from the moment it is
        recorded."""
        if self.track == self.Track.ONE:
            return True
        today = timezone.localdate()
        return any(day is not None and day <= today for day in self.publication_days)

    @property
    def publication_days(self) -> tuple:
        return (self.pdd_available_on, self.determination_available_on)

    @staticmethod
    def published_q(today) -> models.Q:
        return (
            models.Q(pdd_available_on__lte=today)
            | models.Q(pdd_available_on__isnull=True, determination_available_on__lte=today)
            | models.Q(track="1")
        )


class ComponentActivity(models.Model):
    """A component project activity (CPA) of a programme of activities: the coordinating entity
    includes components over time, each with its own data and inclusion date, public once the
    programme is (ji-rules §3 item 1, §5 "Programmes of activities"). Monitoring, verification
    and ERUs are per component (``determinations.models.MonitoringReport.component``)."""

    class Status(models.TextChoices):
        INCLUDED = "included", pgettext_lazy("component status", "Included")
        EXCLUDED = "excluded", pgettext_lazy("component status", "Excluded")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="components")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=255)
    location = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    included_on = models.DateField()
    expected_annual_reductions = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INCLUDED)
    excluded_on = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why the component was excluded.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="component_number"),
        ]

    def __str__(self) -> str:
        return f"{self.project.key}-CPA-{self.number:03d} {self.title}"

    @property
    def reference(self) -> str:
        return f"{self.project.key}-CPA-{self.number:03d}"


class ProjectChange(models.Model):
    """A change of the project participants or the Parties involved after the determination is
    final, with the participants' consent and, for a new Party, its approval (ji-rules §3 item 9
    and §7 "Approval by the Parties involved"). Public once applied, as an event."""

    class Kind(models.TextChoices):
        ADD_PARTICIPANT = "add_participant", _("Participant added")
        REMOVE_PARTICIPANT = "remove_participant", _("Participant removed")
        ADD_PARTY = "add_party", _("Party involved added")
        REMOVE_PARTY = "remove_party", _("Party involved removed")

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("project change status", "Waiting for approval")
        APPLIED = "applied", pgettext_lazy("project change status", "Applied")
        CANCELLED = "cancelled", pgettext_lazy("project change status", "Cancelled")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="party_changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    consent = models.ForeignKey(
        "Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind__in=["add_participant", "remove_participant"])
                    & models.Q(organisation__isnull=False)
                    & models.Q(party__isnull=True)
                )
                | (
                    models.Q(kind__in=["add_party", "remove_party"])
                    & models.Q(party__isnull=False)
                    & models.Q(organisation__isnull=True)
                ),
                name="project_change_target",
            ),
        ]


def average_tonnes(values: list[int]) -> int:
    """Expected average annual reductions: the mean of the yearly figures, to the whole tonne
    (half up). Whole tonnes because the fee tiers count whole tonnes."""
    if not values:
        return 0
    mean = Decimal(sum(values)) / Decimal(len(values))
    return int(mean.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class ExpectedReduction(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="expected")
    year = models.PositiveSmallIntegerField()
    tonnes = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="one_expectation_per_year")
        ]


def document_path(instance: Document, filename: str) -> str:
    return f"documents/{instance.project_id}/{instance.sha256[:16]}-{filename}"


class Document(models.Model):
    class Kind(models.TextChoices):
        PDD = "pdd", _("Project design document")
        ADDITIONALITY = "additionality", _("Additionality analysis")
        BASELINE = "baseline", _("Baseline and monitoring methodology")
        EIA = "eia", _("Environmental impact analysis / EIA")
        APPROVAL = "approval", _("Letter of approval")
        SUPPORTING = "supporting", _("Supporting document")
        DETERMINATION_REPORT = "determination_report", _("Determination report (F-JI-DRep)")
        DETERMINATION_SUPPORTING = (
            "determination_supporting",
            _("Determination supporting document"),
        )
        MONITORING_REPORT = "monitoring_report", _("Monitoring report")
        MONITORING_SUPPORTING = "monitoring_supporting", _("Monitoring supporting document")
        CHANGE_SUPPORTING = "change_supporting", _("Change during implementation: supporting file")
        VERIFICATION_REPORT = "verification_report", _("Verification report (F-JI-VRep)")
        VERIFICATION_SUPPORTING = "verification_supporting", _("Verification supporting document")

    # Para 40: information used to show additionality, to describe the baseline methodology and
    # its application, or to support an EIA can never be confidential; the PDD and the
    # determination report are public by paras 32 and 34.
    NEVER_CONFIDENTIAL = frozenset(
        {
            "pdd",
            "additionality",
            "baseline",
            "eia",
            "determination_report",
            "monitoring_report",  # para 36: made public
            "verification_report",  # para 38: made public
        }
    )

    class Status(models.TextChoices):
        """Nothing published is deleted (ji-rules §7 "Documents"): a document published in
        error is superseded or withdrawn with a public reason and stays on the record."""

        CURRENT = "current", _("Current")
        SUPERSEDED = "superseded", _("Superseded")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=255)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CURRENT)
    status_reason = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )
    file = models.FileField(upload_to=document_path, max_length=300)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    version = models.PositiveSmallIntegerField(default=1)
    confidential = models.BooleanField(default=False)
    # Set when the document becomes public (with the PDD or the determination it belongs to).
    published_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "-version"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class LetterOfApproval(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="approvals")
    party = models.ForeignKey(Party, on_delete=models.PROTECT)
    issued_on = models.DateField()
    reference = models.CharField(max_length=120, blank=True)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    # ji-rules §7 "Approval by the Parties involved": the Party's focal point records its own
    # approval, or confirms a letter the participants uploaded; only a confirmed letter is on
    # record for the determination.
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["party__name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "party"], name="one_approval_per_party")
        ]


class Engagement(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("engagement status", "Awaiting the AIE")
        ACCEPTED = "accepted", pgettext_lazy("engagement status", "Accepted")
        DECLINED = "declined", pgettext_lazy("engagement status", "Declined")
        ENDED = (
            "ended",
            pgettext_lazy("engagement status", "Ended (AIE changed or project withdrawn)"),
        )

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="engagements")
    aie = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="engagements")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(status__in=["pending", "accepted"]),
                name="one_live_engagement_per_project",
            )
        ]


def comment_attachment_path(instance: Comment, filename: str) -> str:
    return f"comments/{instance.project_id}/{instance.attachment_sha256[:16]}-{filename}"


class Comment(models.Model):
    class Category(models.TextChoices):
        PARTY = "party", _("Party")
        STAKEHOLDER = "stakeholder", _("Stakeholder")
        OBSERVER = "observer", _("Accredited observer")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="comments")
    name = models.CharField(max_length=120)
    affiliation = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    email = models.EmailField(help_text="Not published.")
    text = models.TextField(max_length=20000)
    submitted_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # ji-rules §7 "Public comments": the secretariat may hide an abusive comment; the record
    # keeps that a comment was removed, when and why.
    # ji-rules §7 "Public comments" [our reading]: up to 20,000 characters, with a PDF attached
    # for anything longer; public with the comment, hidden with it when removed.
    attachment = models.FileField(upload_to=comment_attachment_path, max_length=300, blank=True)
    attachment_name = models.CharField(max_length=255, blank=True)
    attachment_sha256 = models.CharField(max_length=64, blank=True)
    attachment_size = models.PositiveBigIntegerField(default=0)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_reason = models.TextField(blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["submitted_at", "pk"]


def seal_soon() -> None:
    """Have the hash chain seal what this transaction wrote once it commits (``projects.ledger``;
    one task per transaction; the beat's ``seal_logs`` catches anything a lost task left)."""
    connection = transaction.get_connection()
    if any(func is _queue_seal for _sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_queue_seal, robust=True)


def _queue_seal() -> None:
    # By path: the task's module imports this one.
    import_string("projects.tasks.seal_logs").delay()


class LogManager(models.Manager):
    """The manager of an append-only log: a ``bulk_create`` is sealed after commit too."""

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            seal_soon()
        return created


class Event(models.Model):
    """Append-only log; the public timeline of a project is a query over it. Events of an AIE's
    accreditation (``projects.accreditation``) belong to no project but to the AIE."""

    class Kind(models.TextChoices):
        """Every kind of event, with the label the timeline, feeds and open data show."""

        PROJECT_CREATED = "project_created", _("Project created")
        PROJECT_UPDATED = "project_updated", _("Project details updated")
        DOCUMENT_UPLOADED = "document_uploaded", _("Document uploaded")
        APPROVAL_RECORDED = "approval_recorded", _("Letter of approval recorded")
        ENGAGEMENT_REQUESTED = "engagement_requested", _("AIE asked to take the engagement")
        ENGAGEMENT_ACCEPTED = "engagement_accepted", _("AIE accepted the engagement")
        ENGAGEMENT_DECLINED = "engagement_declined", _("AIE declined the engagement")
        AIE_CHANGED = "aie_changed", _("AIE changed")
        PDD_SUBMITTED = "pdd_submitted", _("PDD submitted for publication")
        PDD_RETURNED = "pdd_returned", _("PDD returned by the secretariat")
        PDD_PUBLISHED = "pdd_published", _("PDD published for comments")
        COMMENT_RECEIVED = "comment_received", _("Comment received")
        COMMENT_ANSWERED = "comment_answered", _("AIE answered a comment")
        COMMENT_ANSWER_REVISED = "comment_answer_revised", _("AIE revised an answer to a comment")
        COMMENTS_CLOSED = "comments_closed", _("Comment period closed")
        DETERMINATION_SUBMITTED = "determination_submitted", _("Determination report submitted")
        FEE_ASSESSED = "fee_assessed", _("Fee assessed")
        INVOICE_ISSUED = "invoice_issued", _("Invoice issued")
        PAYMENT_RECORDED = "payment_recorded", _("Payment recorded")
        FEE_PAID = "fee_paid", _("Determination fee paid")
        VERIFICATION_FEE_PAID = "verification_fee_paid", _("Verification fee paid")
        CREDIT_NOTE_ISSUED = "credit_note_issued", _("Credit note issued")
        REIMBURSEMENT_DUE = "reimbursement_due", _("Reimbursement due")
        REIMBURSEMENT_PAID = "reimbursement_paid", _("Reimbursement paid")
        DETERMINATION_RETURNED = (
            "determination_returned",
            _("Determination report returned by the secretariat"),
        )
        DETERMINATION_PUBLISHED = (
            "determination_published",
            _("Determination report published; 45-day period started"),
        )
        DETERMINATION_FINAL = "determination_final", _("Determination final")
        DETERMINATION_REJECTED = (
            "determination_rejected",
            _("Negative determination final: project rejected"),
        )
        WITHDRAWN = "withdrawn", _("Project withdrawn")
        REVIEW_REQUEST_RECEIVED = "review_request_received", _("Request for review received")
        REVIEW_STARTED = (
            "review_started",
            _("Review started; the determination is not final until the JISC decides"),
        )
        REVIEW_TEAM_APPOINTED = "review_team_appointed", _("Review team appointed")
        REVIEW_DECIDED = "review_decided", _("JISC decision on the review")
        CORRECTIONS_SUBMITTED = "corrections_submitted", _("Corrected report submitted")
        MONITORING_REPORT_SUBMITTED = (
            "monitoring_report_submitted",
            _("Monitoring report submitted and published"),
        )
        MONITORING_REPORT_WITHDRAWN = (
            "monitoring_report_withdrawn",
            _("Monitoring report withdrawn"),
        )
        CHANGE_RECORDED = "change_recorded", _("Change during implementation recorded")
        VERIFICATION_SUBMITTED = "verification_submitted", _("Verification report submitted")
        VERIFICATION_PUBLISHED = (
            "verification_published",
            _("Verification report published; 15-day period started"),
        )
        VERIFICATION_FINAL = "verification_final", _("Verification final")
        VERIFICATION_REVIEW_STARTED = (
            "verification_review_started",
            _("Review of the verification started"),
        )
        ERUS_ISSUED = "erus_issued", _("ERUs issued")
        ERUS_TRANSFERRED = "erus_transferred", _("ERUs transferred")
        FEE_VOIDED = "fee_voided", _("Verification fee voided")
        ACCREDITATION_GRANTED = "accreditation_granted", _("AIE accredited")
        ACCREDITATION_SUSPENDED = "accreditation_suspended", _("Accreditation suspended")
        ACCREDITATION_RESTORED = "accreditation_restored", _("Accreditation restored")
        ACCREDITATION_WITHDRAWN = "accreditation_withdrawn", _("Accreditation withdrawn")
        ACCREDITATION_SCOPES_CHANGED = (
            "accreditation_scopes_changed",
            _("Sectoral scopes of an accreditation changed"),
        )
        ELIGIBILITY_CHANGED = "eligibility_changed", _("Para 21 eligibility of a Party changed")
        APPROVAL_CONFIRMED = "approval_confirmed", _("Letter of approval confirmed")
        DOCUMENT_SUPERSEDED = "document_superseded", _("Document superseded")
        DOCUMENT_WITHDRAWN = "document_withdrawn", _("Document withdrawn")
        COMMENT_REMOVED = "comment_removed", _("Comment removed by the secretariat")
        TERMINATED = "terminated", _("Project terminated")
        TRACK1_RECORDED = (
            "track1_recorded",
            _("Project approved and determined by the host Party (Track 1)"),
        )
        TRACK1_VERIFICATION = (
            "track1_verification",
            _("Verification recorded by the host Party (Track 1)"),
        )
        COMPONENT_INCLUDED = "component_included", _("Component activity included")
        COMPONENT_EXCLUDED = "component_excluded", _("Component activity excluded")
        CHANGE_REQUESTED = "change_requested", _("Change of participants or Parties requested")
        PARTICIPANT_ADDED = "participant_added", _("Project participant added")
        PARTICIPANT_REMOVED = "participant_removed", _("Project participant removed")
        PARTY_ADDED = "party_added", _("Party involved added")
        PARTY_REMOVED = "party_removed", _("Party involved removed")
        CREDITING_PERIOD_RENEWED = (
            "crediting_period_renewed",
            _("Crediting period renewed or extended"),
        )
        INVENTORY_RECORDED = (
            "inventory_recorded",
            _("Assigned amount or reported emissions of a Party recorded"),
        )
        VERIFICATION_AIE_CHANGED = (
            "verification_aie_changed",
            _("AIE changed for the verification of a monitoring report"),
        )

    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        help_text="The AIE an accreditation event is about.",
    )
    party = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        help_text="The Party an eligibility event is about.",
    )
    kind = models.CharField(max_length=50, choices=Kind.choices)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
    # PROTECT: the log is append-only (a database trigger refuses UPDATE), so an account that
    # acted is deactivated, never deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200, help_text="Who acted, as shown publicly.")
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    public = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = LogManager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["project", "created_at"]),
            # The feeds' newest notices first, read backwards until a page is full.
            models.Index(fields=["created_at", "id"], name="event_newest"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("events are append-only")
        if self.kind not in self.Kind.values:
            raise ValueError(f"unknown event kind {self.kind!r}: add it to Event.Kind")
        super().save(*args, **kwargs)
        seal_soon()

    def delete(self, *args, **kwargs):
        raise RuntimeError("events are append-only")


class Seal(models.Model):
    """A row's link in a hash chain (``projects.ledger``): the SHA-256 of the row's content, of
    the documents it names and of the previous link. Written once, after the row's transaction
    commits, in the order rows are sealed (``seq``); insert-only like the log it seals."""

    seq = models.PositiveBigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    sealed_at = models.DateTimeField()

    class Meta:
        abstract = True
        ordering = ["seq"]


class EventSeal(Seal):
    """An event's link in the public record's chain."""

    event = models.OneToOneField(
        Event, primary_key=True, on_delete=models.PROTECT, related_name="seal"
    )


class DailyHead(models.Model):
    """The head of a log's hash chain at the end of a UTC day, published on the record page and
    in the Atom feed so that anyone can later prove that history was not rewritten. Written
    once, by the first sweep of the next day; insert-only."""

    class Log(models.TextChoices):
        EVENTS = "events", _("public record")
        REVIEW_LOG = "review_log", _("review log")

    log = models.CharField(max_length=20, choices=Log.choices)
    day = models.DateField()
    seq = models.PositiveBigIntegerField(help_text="The last link sealed by the end of the day.")
    hash = models.CharField(max_length=64)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-day", "log"]
        constraints = [models.UniqueConstraint(fields=["log", "day"], name="dailyhead_one_per_day")]


class Counter(models.Model):
    """Named sequences (publication reference numbers), incremented under a row lock."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.PositiveIntegerField(default=0)


class ClockFault(models.Model):
    """A due row the clock could not act on: its act raised (a broken row, a bug, a constraint).
    The rest of the sweep went on without it; it is retried after ``retry_at`` (back-off doubling
    from a minute up to a day) and shown to the secretariat until an act on it succeeds
    (``projects.clock``). Not public."""

    class Stage(models.TextChoices):
        COMMENTS_CLOSED = "comments_closed", _("closing the comment period")
        DETERMINATIONS_FINAL = "determinations_final", _("ending the 45-day period")
        VERIFICATIONS_FINAL = "verifications_final", _("ending the 15-day period")
        APPRAISALS_CLOSED = "appraisals_closed", _("closing the appraisal")

    stage = models.CharField(max_length=30, choices=Stage.choices)
    row_id = models.PositiveBigIntegerField(help_text="The swept row: project, verification, …")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    error = models.TextField()
    attempts = models.PositiveIntegerField(default=1)
    first_failed_at = models.DateTimeField()
    last_failed_at = models.DateTimeField()
    retry_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["first_failed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "row_id"],
                condition=models.Q(resolved_at__isnull=True),
                name="clockfault_one_open_per_row",
            )
        ]
        indexes = [
            models.Index(
                fields=["stage"],
                condition=models.Q(resolved_at__isnull=True),
                name="clockfault_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.stage} {self.row_id}: {self.error[:60]}"


class OutboxMail(models.Model):
    """The mail outbox (issue 14): mail survives a broker flush or a worker crash.

    An act writes one *builder row* (``builder``, ``args``: a ``jitrack.mail`` builder's dotted
    name and its JSON arguments) in its own transaction, so the mail exists exactly when the act
    does. The drain (``projects.outbox``) turns a builder row into one *message row* per recipient
    (``subject``, ``body``, ``to``, a ``message_id`` fixed once) in one transaction, then sends each
    message row in a transaction of its own that holds the row's lock and marks it sent before it
    commits. A failure is tried again 1, 2, 4 … minutes later (``due_at``) and given up after
    ``projects.outbox.MAX_ATTEMPTS`` attempts, or at once when the server refuses the recipient
    (5xx); the secretariat's dashboard shows both ("Mail problems").

    **At least once, in one narrow window.** A message is sent once, unless the mail server
    accepted it and the worker died (or the database went away) before the row's transaction
    committed: the row is still unsent, so it is sent again. The ``Message-ID`` is the same on
    every attempt, so mail clients can recognise the copy. Marking a row sent before sending
    would lose the mail in the same window instead; a lost notification is the worse failure.
    A sent message's body is emptied (a queue, not an archive). Not public.
    """

    builder = models.CharField(max_length=200, blank=True, help_text="Empty on a message row.")
    args = models.JSONField(default=list, blank=True)
    source = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    subject = models.TextField(blank=True)
    body = models.TextField(blank=True)
    from_email = models.CharField(max_length=320, blank=True)
    to = models.CharField(max_length=320, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now, help_text="The next attempt.")
    attempts = models.PositiveIntegerField(default=0, help_text="Failed attempts so far.")
    error = models.TextField(blank=True, help_text="The last failure.")
    done_at = models.DateTimeField(
        null=True, blank=True, help_text="A message: sent. A builder row: its messages written."
    )
    given_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(done_at__isnull=True, given_up_at__isnull=True),
                name="outboxmail_unsent",
            ),
            models.Index(
                fields=["-given_up_at"],
                condition=models.Q(given_up_at__isnull=False),
                name="outboxmail_given_up",
            ),
        ]

    def __str__(self) -> str:
        return self.builder or f"{self.to}: {self.subject}"


class Notification(models.Model):
    """One notification to one user (issue 15): the in-app inbox. Written only by the outbox's
    builders (``projects.notify``, ``reviews.notify``), in the drain's transaction that expands
    the act's outbox row, so each is written exactly once; the same builder returns the e-mail
    of the users who want it at once, and the daily digest (``projects.notify.digest_messages``)
    mails the others' ``pending`` rows. Every notification e-mailed is in the inbox; a user
    without an e-mail address still gets the inbox row. Confidential review work carries a link,
    never content (ji-rules §6). Not public.

    Written with ``bulk_create`` and changed with ``update``: the inbox is on no public page,
    and a ``save()`` would renew the page cache (``jitrack.pagecache``)."""

    class Mail(models.TextChoices):
        SENT = "sent", _("E-mailed at once")
        PENDING = "pending", _("Waiting for the daily digest")
        DIGESTED = "digested", _("E-mailed in a daily digest")
        NONE = "none", _("Not e-mailed")

    # The kinds that are no event's (``reviews.notify``): confidential review work.
    WORK_KINDS = {
        "appraisal": _("Appraisal of a determination"),
        "clarification": _("Request for clarification"),
        "review": _("Review by the JISC"),
    }

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=50, help_text="The event kind, or a review-work kind.")
    subject = models.CharField(max_length=300, help_text="What it is about (the project).")
    text = models.TextField(help_text="What to do.")
    detail = models.TextField(blank=True, help_text="A decision and its reasons, if any.")
    url = models.CharField(max_length=300, help_text="The site path of the object.")
    read_at = models.DateTimeField(null=True, blank=True)
    mail = models.CharField(max_length=10, choices=Mail.choices, default=Mail.NONE)
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # a user's inbox, newest first
            models.Index(fields=["user", "-created_at", "-id"], name="notification_inbox"),
            # the navigation's unread count
            models.Index(
                fields=["user"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            # the daily digest's pending rows
            models.Index(
                fields=["user"], condition=models.Q(mail="pending"), name="notification_digest"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.subject}"

    @property
    def read(self) -> bool:
        return self.read_at is not None

    @property
    def kind_label(self) -> str:
        if self.kind in Event.Kind.values:
            return Event.Kind(self.kind).label
        return self.WORK_KINDS.get(self.kind, self.kind.replace("_", " "))
