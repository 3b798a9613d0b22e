"""The JISC and its work on determinations: members, experts, meetings, appraisals (F-JI-DA,
F-JI-ExInpDA), review requests (F-JI-DR), reviews with clarifications (F-JI-Clar) and reports
(F-JI-RRep). Statuses change only in ``reviews.workflow``.

Confidential (ji-rules §6): appraisal forms (``Appraiser`` rows) and review working papers before
the decision. They never enter the project's ``Event`` log, which participants and the AIE read;
their trail is ``ReviewLog``, readable by the secretariat and JISC members only.

A review has a ``kind`` so the verification cycle (F-JI-VR, 15 days, a 30-day limit) reuses it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from determinations.models import Determination, Verification
from projects.models import LogManager, Party, Project, Seal, SectoralScope, seal_soon

CRITERIA = (
    ("approval", _("(a) Approval by the Parties involved")),
    ("additionality", _("(b) Reductions additional to any that would otherwise occur")),
    ("baseline_monitoring", _("(c) Appropriate baseline and monitoring plan (appendix B)")),
    ("environmental", _("(d) Analysis of environmental impacts, including transboundary, and EIA")),
)


def criteria_of(kind: str):
    """The criteria a request of ``kind`` gives its reasons against."""
    return VERIFICATION_CRITERIA if kind == "verification" else CRITERIA


# ji-rules §7 "Verification reviews" (para 39): a review of a verification concerns the
# verification — whether the monitoring followed the monitoring plan and whether the verified
# amount is right — not the para 33 criteria of the determination.
VERIFICATION_CRITERIA = (
    ("monitoring_plan", _("(a) The monitoring followed the monitoring plan of the project")),
    ("verified_amount", _("(b) The reductions verified in the monitoring period are right")),
)


class JiscMemberQuerySet(models.QuerySet):
    def serving_on(self, day) -> JiscMemberQuerySet:
        return self.filter(term_start__lte=day, term_end__gte=day)

    def sitting_on(self, day) -> JiscMemberQuerySet:
        """[our reading] ji-rules §7 "Review requests": the members who count towards the
        three that start a review — serving members, and an alternate only while acting for an
        absent member."""
        return self.serving_on(day).filter(
            Q(seat=JiscMember.Seat.MEMBER)
            | Q(
                seat=JiscMember.Seat.ALTERNATE,
                acting_for__isnull=False,
                acting_from__lte=day,
                acting_until__gte=day,
            )
        )


class JiscMember(models.Model):
    """A member or alternate of the JISC, for a term. An alternate may act for an absent member
    for a time (``acting_for``), recorded by the secretariat."""

    class Seat(models.TextChoices):
        MEMBER = "member", pgettext_lazy("JISC seat", "Member")
        ALTERNATE = "alternate", pgettext_lazy("JISC seat", "Alternate")

    class Constituency(models.TextChoices):
        ANNEX_I_EIT = (
            "annex_i_eit",
            pgettext_lazy(
                "constituency", "Annex I Parties undergoing transition to a market economy"
            ),
        )
        ANNEX_I_OTHER = (
            "annex_i_other",
            pgettext_lazy("constituency", "Annex I Parties not undergoing transition"),
        )
        NON_ANNEX_I = (
            "non_annex_i",
            pgettext_lazy("constituency", "Parties not included in Annex I"),
        )
        SIDS = "sids", pgettext_lazy("constituency", "Small island developing States")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jisc_terms"
    )
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    seat = models.CharField(max_length=10, choices=Seat.choices, default=Seat.MEMBER)
    constituency = models.CharField(max_length=20, choices=Constituency.choices)
    term_start = models.DateField()
    term_end = models.DateField()
    acting_for = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stand_ins",
        limit_choices_to={"seat": "member"},
        help_text="The absent member this alternate acts for, from and until the dates below.",
    )
    acting_from = models.DateField(null=True, blank=True)
    acting_until = models.DateField(null=True, blank=True)

    objects = JiscMemberQuerySet.as_manager()

    class Meta:
        ordering = ["user__last_name", "term_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__gte=models.F("term_start")), name="jisc_term_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.username} ({self.get_seat_display()})"

    def serving_on(self, day) -> bool:
        return self.term_start <= day <= self.term_end


class Expert(models.Model):
    """On the secretariat's roster: gives expert input to appraisals (F-JI-ExInpDA)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_profile"
    )
    scopes = models.ManyToManyField(SectoralScope, related_name="experts")
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.username


class Meeting(models.Model):
    number = models.PositiveSmallIntegerField(unique=True, help_text="JISC 1, JISC 2, …")
    starts_on = models.DateField()
    ends_on = models.DateField()
    place = models.CharField(max_length=120, blank=True)
    electronic = models.BooleanField(default=False)
    # The minutes (``reviews.minutes``): kept by the secretariat, public once published after
    # the meeting, citing the JISC document that records them.
    report_symbol = models.CharField(
        max_length=80,
        blank=True,
        help_text="The JISC document that records the meeting, e.g. “JI-JISC-25 meeting report”.",
    )
    minutes = models.TextField(blank=True)
    minutes_published_at = models.DateTimeField(null=True, blank=True)
    minutes_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts_on", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="meeting_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"JISC {self.number}"

    @property
    def where(self) -> str:
        return "Electronic meeting" if self.electronic else self.place


class MeetingItem(models.Model):
    """An item of a meeting's agenda with the JISC's decision on it, as the meeting report
    records it (its paragraphs); optionally the review it decided."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    number = models.CharField(max_length=12, help_text="The agenda item, e.g. “3” or “4 (b)”.")
    title = models.CharField(max_length=300)
    decision = models.TextField()
    paragraph = models.PositiveSmallIntegerField(
        help_text="The paragraph of the meeting report that records the decision."
    )
    paragraph_end = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The last paragraph, when the decision spans several."
    )
    review = models.ForeignKey(
        "Review", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["paragraph", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="meeting_item_number"),
            models.CheckConstraint(
                condition=Q(paragraph_end__isnull=True)
                | Q(paragraph_end__gte=models.F("paragraph")),
                name="meeting_item_paragraphs_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"JISC {self.meeting.number} item {self.number}"

    @property
    def paragraphs(self) -> str:
        """The paragraphs cited: 12, or 12–14."""
        if self.paragraph_end and self.paragraph_end != self.paragraph:
            return f"{self.paragraph}–{self.paragraph_end}"
        return str(self.paragraph)


class Appraisal(models.Model):
    """Two JISC members and two experts appraise a published determination (seed 003)."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("appraisal status", "Open")
        COMPLETE = "complete", pgettext_lazy("appraisal status", "Complete")
        CLOSED = (
            "closed",
            pgettext_lazy("appraisal status", "Closed"),
        )  # the window ended or the project left it

    determination = models.OneToOneField(
        Determination, on_delete=models.CASCADE, related_name="appraisal"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="appraisals")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    due_at = models.DateTimeField(db_index=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    appointed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The clock's appraisals (``reviews.clock``): only the open ones, by due instant.
            models.Index(fields=["due_at"], condition=Q(status="open"), name="appraisal_open_due"),
        ]

    def __str__(self) -> str:
        return f"Appraisal of {self.project.key}"


class Appraiser(models.Model):
    """One appointee and the form they file: F-JI-DA (member) or F-JI-ExInpDA (expert)."""

    class Kind(models.TextChoices):
        MEMBER = "member", pgettext_lazy("appraiser kind", "JISC member (F-JI-DA)")
        EXPERT = "expert", pgettext_lazy("appraiser kind", "Expert (F-JI-ExInpDA)")

    class Opinion(models.TextChoices):
        MEETS = "meets", pgettext_lazy("appraisal opinion", "Meets the JI criteria")
        DOES_NOT_MEET = (
            "does_not_meet",
            pgettext_lazy("appraisal opinion", "Does not meet the JI criteria"),
        )
        REVIEW = "review_recommended", pgettext_lazy("appraisal opinion", "Review recommended")

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="appraisers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appraisals"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    no_conflict_declared_at = models.DateTimeField(null=True, blank=True)
    criteria = models.JSONField(default=dict, help_text="criterion -> {met, comment}")
    opinion = models.CharField(max_length=20, choices=Opinion.choices, blank=True)
    comments = models.TextField(blank=True)
    filed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "user"], name="one_seat_per_appraiser")
        ]

    @property
    def form_name(self) -> str:
        return "F-JI-DA" if self.kind == self.Kind.MEMBER else "F-JI-ExInpDA"


class Review(models.Model):
    class Kind(models.TextChoices):
        DETERMINATION = "determination", _("Review of a determination (F-JI-DR)")
        VERIFICATION = "verification", _("Review of a verification (F-JI-VR)")

    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("review status", "Requested; team to be appointed")
        IN_PROGRESS = "in_progress", pgettext_lazy("review status", "Under review")
        REPORTED = (
            "reported",
            pgettext_lazy("review status", "Team reported; awaiting the JISC decision"),
        )
        CORRECTIONS = "corrections_required", pgettext_lazy("review status", "Corrections required")
        DECIDED = "decided", pgettext_lazy("review status", "Decided")
        CLOSED = "closed", pgettext_lazy("review status", "Closed: the project was withdrawn")

    class Decision(models.TextChoices):
        CONFIRMED = "confirmed", pgettext_lazy("review decision", "Determination confirmed")
        REJECTED = "rejected", pgettext_lazy("review decision", "Rejected")
        CORRECTIONS = (
            "corrections_required",
            pgettext_lazy("review decision", "Corrections required"),
        )

    OPEN = (Status.REQUESTED, Status.IN_PROGRESS, Status.REPORTED, Status.CORRECTIONS)
    # The legal limit applies until the JISC decides; "corrections required" is a decision.
    AWAITING_DECISION = (Status.REQUESTED, Status.IN_PROGRESS, Status.REPORTED)

    kind = models.CharField(max_length=15, choices=Kind.choices, default=Kind.DETERMINATION)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reviews")
    determination = models.ForeignKey(
        Determination, null=True, blank=True, on_delete=models.CASCADE, related_name="reviews"
    )
    verification = models.ForeignKey(
        Verification, null=True, blank=True, on_delete=models.CASCADE, related_name="reviews"
    )
    status = models.CharField(max_length=25, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField(help_text="When the request that started it arrived.")
    due_at = models.DateTimeField(db_index=True, help_text="The legal limit for the decision.")
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    recommendation = models.CharField(max_length=25, choices=Decision.choices, blank=True)
    report = models.TextField(blank=True, help_text="F-JI-RRep")
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=25, choices=Decision.choices, blank=True)
    decision_reasons = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_at_meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    corrections_submitted_at = models.DateTimeField(null=True, blank=True)
    corrections_confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [
            # The clock's overdue notices (``reviews.clock``): reviews awaiting the decision
            # (AWAITING_DECISION) and not yet notified, by due instant.
            models.Index(
                fields=["due_at"],
                condition=Q(
                    status__in=["requested", "in_progress", "reported"],
                    overdue_notified_at__isnull=True,
                ),
                name="review_awaiting_due",
            ),
        ]
        constraints = [
            # A determination has at most one review (later requests join it).
            models.UniqueConstraint(
                fields=["determination"],
                condition=Q(determination__isnull=False),
                name="one_review_per_determination",
            ),
            models.UniqueConstraint(
                fields=["verification"],
                condition=Q(verification__isnull=False),
                name="one_review_per_verification",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.project.key}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def overdue(self, now=None) -> bool:
        return self.status in self.AWAITING_DECISION and (now or timezone.now()) > self.due_at


class ReviewRequest(models.Model):
    """F-JI-DR: a request by the DFP of a Party involved or by a JISC member."""

    class By(models.TextChoices):
        PARTY = "party", pgettext_lazy("requester", "Party involved")
        JISC = "jisc", pgettext_lazy("requester", "JISC member")

    kind = models.CharField(
        max_length=15, choices=Review.Kind.choices, default=Review.Kind.DETERMINATION
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="review_requests")
    determination = models.ForeignKey(
        Determination, null=True, blank=True, on_delete=models.CASCADE, related_name="requests"
    )
    verification = models.ForeignKey(
        Verification, null=True, blank=True, on_delete=models.CASCADE, related_name="requests"
    )
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    by = models.CharField(max_length=5, choices=By.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_requests"
    )
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.PROTECT)
    reasons = models.JSONField(default=dict, help_text="criterion -> reasons")
    summary = models.TextField()
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["determination", "requested_by"],
                name="one_request_per_requester",
            ),
            models.UniqueConstraint(
                fields=["determination", "party"],
                condition=Q(party__isnull=False),
                name="one_request_per_party",
            ),
            models.UniqueConstraint(
                fields=["verification", "requested_by"],
                condition=Q(verification__isnull=False),
                name="one_verification_request_per_requester",
            ),
            models.UniqueConstraint(
                fields=["verification", "party"],
                condition=Q(verification__isnull=False, party__isnull=False),
                name="one_verification_request_per_party",
            ),
        ]


class ReviewTeamMember(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lead = models.BooleanField(default=False)
    no_conflict_declared_at = models.DateTimeField(null=True, blank=True)
    appointed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-lead", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="one_seat_per_team_member"),
            models.UniqueConstraint(
                fields=["review"], condition=Q(lead=True), name="one_lead_per_review"
            ),
        ]


class Clarification(models.Model):
    """F-JI-Clar: the review team asks the participants and/or the AIE."""

    class To(models.TextChoices):
        PARTICIPANTS = "participants", pgettext_lazy("addressed to", "Project participants")
        AIE = "aie", pgettext_lazy("addressed to", "AIE")
        BOTH = "both", pgettext_lazy("addressed to", "Project participants and AIE")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="clarifications")
    number = models.PositiveSmallIntegerField()
    addressed_to = models.CharField(max_length=15, choices=To.choices)
    questions = models.TextField()
    due_at = models.DateTimeField(db_index=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        indexes = [
            # The clock's reminders (``reviews.clock``): unanswered, not yet reminded.
            models.Index(
                fields=["due_at"],
                condition=Q(answered_at__isnull=True, reminded_at__isnull=True),
                name="clarification_pending_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="one_clarification_number")
        ]

    def overdue(self, now=None) -> bool:
        return self.answered_at is None and (now or timezone.now()) > self.due_at


def clarification_file_path(instance: ClarificationFile, filename: str) -> str:
    return f"clarifications/{instance.clarification_id}/{instance.sha256[:16]}-{filename}"


class ClarificationFile(models.Model):
    clarification = models.ForeignKey(Clarification, on_delete=models.CASCADE, related_name="files")
    title = models.CharField(max_length=255)
    file = models.FileField(upload_to=clarification_file_path)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)


class ReviewLog(models.Model):
    """The confidential trail of appraisals and review work (secretariat and JISC only).
    Append-only, like ``projects.Event``."""

    # PROTECT: a database trigger refuses UPDATE and DELETE (append-only), so neither a
    # project nor an account that acted is ever deleted under the log.
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="review_log")
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    objects = LogManager()

    class Meta:
        ordering = ["created_at", "pk"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("the review log is append-only")
        super().save(*args, **kwargs)
        seal_soon()

    def delete(self, *args, **kwargs):
        raise RuntimeError("the review log is append-only")


class ReviewLogSeal(Seal):
    """A review-log entry's link in its hash chain (``projects.models.Seal``)."""

    entry = models.OneToOneField(
        ReviewLog, primary_key=True, on_delete=models.PROTECT, related_name="seal"
    )
