"""Determinations are filed, published and deemed final only through
``determinations.workflow``: the admin shows them, read-only."""

from django.contrib import admin

from projects.admin import ReadOnlyAdminMixin

from .models import Determination


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
