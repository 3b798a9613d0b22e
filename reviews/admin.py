"""Admin for the JISC's reference data (members' terms, the roster of experts, meetings: editable
by the secretariat) and read-only views of appraisals, reviews and their confidential log.

Statuses change only through ``reviews.workflow``. A meeting is saved through
``reviews.workflow.save_meeting``, so the due dates of open reviews follow a meeting that is
added or moved; deleting one recomputes them too. Appraisal forms and review working papers are
confidential (ji-rules §6): only users with ``reviews.view_confidential`` see them here.
"""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from projects.admin import ReadOnlyAdminMixin, ReadOnlyInline
from projects.models import User

from . import workflow as rwf
from .agenda import AWAITING_DECISION
from .models import (
    CRITERIA,
    Appraisal,
    Appraiser,
    Clarification,
    Expert,
    JiscMember,
    Meeting,
    Review,
    ReviewLog,
    ReviewRequest,
    ReviewTeamMember,
)


class SecretariatEditsMixin:
    """Reference data: added, changed and deleted by the secretariat (``reviews.manage``)."""

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request) and request.user.has_perm("reviews.manage")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and request.user.has_perm(
            "reviews.manage"
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and request.user.has_perm(
            "reviews.manage"
        )


class ConfidentialMixin:
    """Viewable by the secretariat and JISC members only (ji-rules §6)."""

    def may_view(self, user) -> bool:  # ReadOnlyAdminMixin's question
        return user.has_perm("reviews.view_confidential")


# --- reference data --------------------------------------------------------------------------


class JiscMemberForm(forms.ModelForm):
    class Meta:
        model = JiscMember
        fields = ["user", "party", "seat", "constituency", "term_start", "term_end"]

    def clean(self):
        data = super().clean()
        start, end = data.get("term_start"), data.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", "A term ends on or after its first day.")
        return data


@admin.register(JiscMember)
class JiscMemberAdmin(SecretariatEditsMixin, admin.ModelAdmin):
    form = JiscMemberForm
    list_display = ["user", "party", "seat", "constituency", "term_start", "term_end", "serving"]
    list_filter = ["seat", "constituency"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "party__name"]
    list_select_related = ["user", "party"]
    autocomplete_fields = ["party"]
    date_hierarchy = "term_start"

    @admin.display(boolean=True, description="serving today")
    def serving(self, obj):
        return obj.serving_on(timezone.localdate())

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(role=User.Role.JISC).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Expert)
class ExpertAdmin(SecretariatEditsMixin, admin.ModelAdmin):
    list_display = ["__str__", "user", "nationality", "scope_numbers", "active"]
    list_filter = ["active", "scopes"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "user__party"]
    filter_horizontal = ["scopes"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("scopes")

    @admin.display(description="nationality")
    def nationality(self, obj):
        return obj.user.party.name if obj.user.party_id else ""

    @admin.display(description="sectoral scopes")
    def scope_numbers(self, obj):
        return ", ".join(str(s.number) for s in obj.scopes.all())

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(role=User.Role.EXPERT).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


MEETING_FIELDS = ["number", "starts_on", "ends_on", "place", "electronic"]


class MeetingForm(forms.ModelForm):
    """The checks of ``save_meeting``, as form errors."""

    class Meta:
        model = Meeting
        fields = MEETING_FIELDS

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", "A meeting ends on or after its first day.")
        if not data.get("electronic") and not (data.get("place") or "").strip():
            self.add_error("place", "Give the place, or mark the meeting as electronic.")
        return data


@admin.register(Meeting)
class MeetingAdmin(SecretariatEditsMixin, admin.ModelAdmin):
    form = MeetingForm
    list_display = ["__str__", "starts_on", "ends_on", "where", "decisions_taken"]
    list_filter = ["electronic"]
    search_fields = ["=number", "place"]
    date_hierarchy = "starts_on"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_decisions=Count("decisions"))

    @admin.display(description="decisions taken", ordering="n_decisions")
    def decisions_taken(self, obj):
        return obj.n_decisions

    def save_model(self, request, obj, form, change):
        # Through the workflow: the meeting is saved and open reviews' due dates recomputed.
        fields = {name: form.cleaned_data[name] for name in MEETING_FIELDS}
        rwf.save_meeting(request.user, obj, **fields)

    def delete_model(self, request, obj):
        with transaction.atomic():
            super().delete_model(request, obj)
            rwf.recompute_review_deadlines()

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            rwf.recompute_review_deadlines()


# --- appraisals and reviews: read-only ---------------------------------------------------------


class AppraiserInline(ReadOnlyInline):
    model = Appraiser
    fields = [
        "user",
        "kind",
        "no_conflict_declared_at",
        "criteria_summary",
        "opinion",
        "comments",
        "filed_at",
        "reminded_at",
    ]
    readonly_fields = ["criteria_summary"]

    @admin.display(description="para 33 criteria")
    def criteria_summary(self, obj):
        stored = obj.criteria or {}
        marks = []
        for key, label in CRITERIA:
            met = (stored.get(key) or {}).get("met")
            marks.append(f"{label[:3]} {'—' if met is None else 'met' if met else 'not met'}")
        return "; ".join(marks)


@admin.register(Appraisal)
class AppraisalAdmin(ConfidentialMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "project", "status", "due_at", "forms_filed", "appointed_at"]
    list_filter = ["status"]
    search_fields = ["project__reference", "project__title"]
    list_select_related = ["project"]
    date_hierarchy = "due_at"
    inlines = [AppraiserInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_seats=Count("appraisers"),
                n_filed=Count("appraisers", filter=Q(appraisers__filed_at__isnull=False)),
            )
        )

    @admin.display(description="forms filed")
    def forms_filed(self, obj):
        return f"{obj.n_filed} of {obj.n_seats}"


class ReviewRequestInline(ReadOnlyInline):
    model = ReviewRequest
    fields = ["by", "requested_by", "party", "received_at", "summary"]


class ReviewTeamMemberInline(ReadOnlyInline):
    model = ReviewTeamMember
    fields = ["user", "lead", "no_conflict_declared_at", "appointed_at"]


class ClarificationInline(ReadOnlyInline):
    model = Clarification
    fields = ["number", "addressed_to", "questions", "sent_at", "due_at", "answered_at"]


@admin.register(Review)
class ReviewAdmin(ConfidentialMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "kind",
        "status",
        "requested_at",
        "due_at",
        "overdue",
        "recommendation",
        "decision",
        "decided_at_meeting",
    ]
    list_filter = ["status", "kind", "decision"]
    search_fields = ["project__reference", "project__title"]
    list_select_related = ["project", "decided_at_meeting"]
    date_hierarchy = "requested_at"
    inlines = [ReviewRequestInline, ReviewTeamMemberInline, ClarificationInline]

    @admin.display(boolean=True, description="decision overdue")
    def overdue(self, obj):
        # Not ``Review.overdue()``: it also counts reviews whose decision (corrections
        # required) is taken and which wait for the AIE's corrected report.
        return obj.status in AWAITING_DECISION and timezone.now() > obj.due_at


@admin.register(ReviewLog)
class ReviewLogAdmin(ConfidentialMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "project", "kind", "actor"]
    list_filter = ["kind"]
    search_fields = ["project__reference", "project__title", "kind"]
    list_select_related = ["project", "actor"]
    date_hierarchy = "created_at"
