"""Determinations are filed, published and deemed final only through
``determinations.workflow``: the admin shows them, read-only. Assigned amounts and reported
emissions are recorded through ``determinations.inventory``."""

from django import forms
from django.contrib import admin

from jitrack.errors import DomainError
from projects.admin import ReadOnlyAdminMixin
from projects.rules import is_secretariat

from . import inventory
from .models import AssignedAmount, Determination, ReportedEmissions


@admin.register(Determination)
class DeterminationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "project",
        "aie",
        "number",
        "outcome",
        "status",
        "submitted_at",
        "available_on",
        "review_window_closes_at",
        "final_on",
    ]
    list_filter = ["status", "outcome"]
    search_fields = ["project__reference", "project__title", "aie__name"]
    list_select_related = ["project", "aie"]


class InventoryForm(forms.ModelForm):
    """The writer's checks (``determinations.inventory``) before the admin saves anything."""

    def clean(self):
        data = super().clean()
        try:
            data["tonnes"] = inventory.clean_tonnes(data.get("tonnes"))
            data["source"] = inventory.clean_source(data.get("source"))
        except DomainError as err:
            self.add_error(err.field if err.field in self.fields else None, err.detail)
        return data


class InventoryAdmin(admin.ModelAdmin):
    """Recorded and corrected only through ``determinations.inventory`` (INVENTORY_CORRECTIONS):
    the secretariat adds a figure or changes one (a correction, with its source); never deleted
    here."""

    form = InventoryForm
    list_select_related = ["party"]
    readonly_fields = ["recorded_by", "recorded_at"]
    search_fields = ["party__code", "party__name", "source"]

    def has_module_permission(self, request):
        return is_secretariat(request.user)

    def has_view_permission(self, request, obj=None):
        return is_secretariat(request.user)

    def has_add_permission(self, request):
        return request.user.has_perm(inventory.PERM)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(inventory.PERM)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        # a correction changes the figure and its source, not what it is the figure of
        return [*self.readonly_fields, *(self.key if obj is not None else [])]

    def save_model(self, request, obj, form, change):
        row = self.record(request.user, obj)
        obj.pk, obj.recorded_by, obj.recorded_at = row.pk, row.recorded_by, row.recorded_at


@admin.register(AssignedAmount)
class AssignedAmountAdmin(InventoryAdmin):
    key = ["party", "commitment_period"]
    fields = [*key, "tonnes", "source", "recorded_by", "recorded_at"]
    list_display = ["party", "commitment_period", "tonnes", "source", "recorded_at"]
    list_filter = ["commitment_period"]

    def record(self, user, obj):
        return inventory.record_assigned_amount(
            user,
            obj.party,
            commitment_period=obj.commitment_period,
            tonnes=obj.tonnes,
            source=obj.source,
        )


@admin.register(ReportedEmissions)
class ReportedEmissionsAdmin(InventoryAdmin):
    key = ["party", "year"]
    fields = [*key, "tonnes", "source", "recorded_by", "recorded_at"]
    list_display = ["party", "year", "tonnes", "source", "recorded_at"]
    list_filter = ["year"]

    def record(self, user, obj):
        return inventory.record_emissions(
            user, obj.party, year=obj.year, tonnes=obj.tonnes, source=obj.source
        )
