"""Admin for reference data (editable) and the project record (read-mostly).

Statuses change only through ``projects.workflow``: the admin never writes a status, a date of
the statutory clock, a reference number or an event.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError

from jitrack.errors import DomainError
from jitrack.text import validate_single_line

from . import accreditation, parties
from . import workflow as wf
from .models import (
    Accreditation,
    Comment,
    Document,
    Engagement,
    Event,
    ExpectedReduction,
    LetterOfApproval,
    Notification,
    Organisation,
    Party,
    Project,
    SectoralScope,
    User,
)
from .rules import is_secretariat


class ReadOnlyAdminMixin:
    """Viewable, never added, changed or deleted here (append-only or workflow-owned). The
    record is the secretariat's to inspect: a superuser without that role keeps the reference
    data only (issue 14), and sees no invoice, document, comment or event here."""

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.may_view(request.user)

    def may_view(self, user) -> bool:
        return is_secretariat(user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    show_change_link = False


@admin.register(SectoralScope)
class SectoralScopeAdmin(admin.ModelAdmin):
    list_display = ["number", "name"]
    search_fields = ["name"]


class PartyForm(forms.ModelForm):
    """Code, name and Annex I are edited here; the para 21 requirements change only through
    ``projects.parties.change_eligibility`` (a public event with its reason and source), which
    ``PartyAdmin.save_model`` calls when any of them changed."""

    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the eligibility changes (the decision or record); shown publicly.",
    )
    source = forms.CharField(
        required=False,
        max_length=parties.SOURCE_MAX,
        help_text="Where the new eligibility comes from, e.g. the JI website's eligibility list.",
    )
    # One box per para 21 requirement, showing the stored value (see __init__).
    set_kp_party = forms.BooleanField(required=False)
    set_assigned_amount_recorded = forms.BooleanField(required=False)
    set_national_system = forms.BooleanField(required=False)
    set_national_registry = forms.BooleanField(required=False)
    set_inventory_submitted = forms.BooleanField(required=False)
    set_supplementary_info = forms.BooleanField(required=False)
    actor = None  # the request's user, set by PartyAdmin.get_form

    class Meta:
        model = Party
        fields = ["code", "name", "annex_i"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "name" in self.fields:  # not when the page is read-only
            self.fields["name"].validators.append(validate_single_line)
        for flag in parties.FLAGS:
            field = self.fields[f"set_{flag}"]
            field.label = parties.flag_label(flag)
            field.initial = getattr(self.instance, flag)

    def eligibility_changes(self) -> dict[str, bool]:
        """The requirements whose box differs from the stored value."""
        return {
            flag: self.cleaned_data.get(f"set_{flag}", False)
            for flag in parties.FLAGS
            if self.cleaned_data.get(f"set_{flag}", False) != getattr(self.instance, flag)
        }

    def clean(self):
        data = super().clean()
        changes = self.eligibility_changes()
        if not changes:
            return data
        if self.actor is None or not self.actor.has_perm(parties.PERM):
            raise ValidationError("Only the secretariat records the eligibility of Parties.")
        try:
            parties.clean(changes, data.get("reason", ""), data.get("source", ""))
        except DomainError as err:
            field = err.field if err.field in ("reason", "source") else None
            self.add_error(field, err.detail)
        return data


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    """The para 21 requirements are read-only in the list; a change is recorded through the
    form's boxes with a reason and a source (``projects.parties.change_eligibility``)."""

    form = PartyForm
    list_display = [
        "name",
        "code",
        "annex_i",
        "kp_party",
        "assigned_amount_recorded",
        "national_system",
        "national_registry",
        "inventory_submitted",
        "supplementary_info",
        "track2",
        "track1",
    ]
    list_filter = ["annex_i", "kp_party"]
    search_fields = ["name", "code"]
    readonly_fields = ["eligibility_source"]
    fieldsets = [
        (None, {"fields": ["code", "name", "annex_i"]}),
        (
            "Eligibility (para 21): a change is a public event",
            {
                "fields": [
                    *(f"set_{flag}" for flag in parties.FLAGS),
                    "reason",
                    "source",
                    "eligibility_source",
                ]
            },
        ),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        changes = form.eligibility_changes()
        # Code, name and Annex I only: the requirements are written by the act alone (a copy
        # loaded before a concurrent change must not write them back).
        obj.save(update_fields=PartyForm.Meta.fields if change else None)
        if not changes:
            return
        try:
            parties.change_eligibility(
                request.user,
                obj,
                changes=changes,
                reason=form.cleaned_data["reason"],
                source=form.cleaned_data["source"],
            )
        except DomainError as err:
            self.message_user(request, f"{obj}: {err.detail}", level=messages.ERROR)
        obj.refresh_from_db()

    @admin.display(boolean=True, description="Track 2 host (para 24)")
    def track2(self, obj):
        return obj.track2_eligible

    @admin.display(boolean=True, description="Track 1 (para 23)")
    def track1(self, obj):
        return obj.track1_eligible


class AccreditationInline(ReadOnlyInline):
    """Accreditations change through ``projects.accreditation`` (public events), not here."""

    model = Accreditation
    fields = ["function", "status", "reference"]


class OrganisationForm(forms.ModelForm):
    """A name is one line of visible text (jitrack.text): it is listed, searched and exported."""

    class Meta:
        model = Organisation
        fields = ["name", "kind", "country", "email", "historical"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "name" in self.fields:  # not when the page is read-only
            self.fields["name"].validators.append(validate_single_line)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationForm
    list_display = ["name", "kind", "country", "email", "historical"]
    list_filter = ["kind", "historical"]
    search_fields = ["name", "email"]
    autocomplete_fields = ["country"]
    inlines = [AccreditationInline]


ADMIN_REASON = "Recorded by the secretariat in the admin."


def _accreditation_action(act, description: str):
    def run(modeladmin, request, queryset):
        for acc in queryset:
            try:
                act(request.user, acc, reason=ADMIN_REASON)
            except DomainError as err:
                modeladmin.message_user(request, f"{acc}: {err.detail}", level=messages.ERROR)
            else:
                modeladmin.message_user(request, f"{acc}: {description.lower()}.")

    run.short_description = description
    run.__name__ = f"accreditation_{act.__name__}"
    return run


@admin.register(Accreditation)
class AccreditationAdmin(admin.ModelAdmin):
    """A new accreditation is recorded through ``projects.accreditation.accredit``; its status
    and scopes change only through the actions (suspend, restore, withdraw), each a public
    event."""

    list_display = ["aie", "function", "status", "reference", "scope_numbers"]
    list_filter = ["function", "status"]
    search_fields = ["aie__name", "reference"]
    filter_horizontal = ["scopes"]
    list_select_related = ["aie"]
    actions = [
        _accreditation_action(accreditation.suspend, "Suspend"),
        _accreditation_action(accreditation.restore, "Restore"),
        _accreditation_action(accreditation.withdraw, "Withdraw"),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("scopes")

    def get_fields(self, request, obj=None):
        return (
            ["aie", "function", "scopes", "reference"] if obj is None else ["status", "reference"]
        )

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["status"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="sectoral scopes")
    def scope_numbers(self, obj):
        return ", ".join(str(s.number) for s in obj.scopes.all())

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "aie":
            kwargs["queryset"] = Organisation.objects.filter(kind=Organisation.Kind.AIE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:  # only the reference: the status moves through the actions
            obj.save(update_fields=["reference"])
            return
        try:
            saved = accreditation.accredit(
                request.user,
                obj.aie,
                function=obj.function,
                scopes=form.cleaned_data["scopes"],
                reference=obj.reference,
                reason=ADMIN_REASON,
            )
        except DomainError as err:
            raise ValidationError(err.detail) from None
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        """The scopes are set by ``accredit`` on creation and never edited here."""


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "get_full_name", "role", "organisation", "party"]
    list_filter = ["role", "is_staff", "is_superuser", "is_active"]
    list_select_related = ["organisation", "party"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("jitrack", {"fields": ("role", "organisation", "party")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("jitrack", {"fields": ("email", "role", "organisation", "party")}),
    )
    autocomplete_fields = ["organisation", "party"]


class ExpectedReductionInline(ReadOnlyInline):
    model = ExpectedReduction
    fields = ["year", "tonnes"]


class EngagementInline(ReadOnlyInline):
    model = Engagement
    fields = ["aie", "status", "requested_at", "decided_at", "reason"]


class ApprovalInline(ReadOnlyInline):
    model = LetterOfApproval
    fields = ["party", "issued_on", "reference", "recorded_at"]


class DocumentInline(ReadOnlyInline):
    model = Document
    fields = ["kind", "title", "version", "confidential", "published_at", "sha256"]


# Set by the workflow alone: the status, the clock's dates, the reference number, the AIE
# (engagement / change of AIE) and the membership of the project.
WORKFLOW_FIELDS = [
    "reference",
    "status",
    "aie",
    "pdd_available_on",
    "comments_close_at",
    "determination_available_on",
    "review_window_closes_at",
    "final_on",
    "withdrawn_at",
    "due_at",
    "expected_annual_reductions",
    "created_by",
    "created_at",
    "updated_at",
]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """Read-mostly: descriptive fields may be corrected while the project is still editable
    (draft, engaged), each correction logged as a ``project_updated`` event."""

    list_display = ["key", "title", "host_party", "status", "aie", "pdd_available_on", "due_at"]
    list_filter = ["status", "host_party", "small_scale", "poa"]
    search_fields = ["reference", "title"]
    list_select_related = ["host_party", "aie"]
    date_hierarchy = "created_at"
    filter_horizontal = ["parties_involved", "participants", "sectoral_scopes"]
    inlines = [ExpectedReductionInline, EngagementInline, ApprovalInline, DocumentInline]

    def has_add_permission(self, request):
        # Projects are drafted by project participants through the workflow.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is None or obj.status in wf.EDITABLE:
            return WORKFLOW_FIELDS
        return [f.name for f in Project._meta.fields if f.name != "id"] + [
            "parties_involved",
            "participants",
            "sectoral_scopes",
        ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            wf.record(
                obj,
                "project_updated",
                actor=request.user,
                public=False,
                data={"via": "admin", "fields": sorted(form.changed_data)},
            )


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "project", "kind", "version", "confidential", "published_at", "size"]
    list_filter = ["kind", "confidential"]
    search_fields = ["title", "filename", "sha256", "project__reference", "project__title"]
    list_select_related = ["project"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["project", "name", "category", "submitted_at", "answered"]
    list_filter = ["category"]
    search_fields = ["name", "affiliation", "text", "project__reference"]
    list_select_related = ["project"]

    @admin.display(boolean=True)
    def answered(self, obj):
        return bool(obj.answer)


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "project",
        "kind",
        "from_status",
        "to_status",
        "actor_label",
        "public",
    ]
    list_filter = ["kind", "public"]
    search_fields = ["project__reference", "project__title", "actor_label", "kind"]
    list_select_related = ["project"]
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The inboxes (issue 15), for the secretariat to see who was told what and when; written
    only by the mail builders (``projects.notify``)."""

    list_display = ["created_at", "user", "kind", "subject", "mail", "read_at"]
    list_filter = ["kind", "mail"]
    search_fields = ["user__username", "subject", "kind"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
