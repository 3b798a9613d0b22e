"""Fee assessments are computed by ``fees.services``; the admin shows them and records a
payment through the same service the secretariat's pages use."""

from django.contrib import admin, messages

from projects.admin import ReadOnlyAdminMixin
from projects.errors import DomainError

from . import services
from .models import FeeAssessment


@admin.register(FeeAssessment)
class FeeAssessmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "project",
        "kind",
        "amount_usd",
        "status",
        "schedule",
        "assessed_at",
        "paid_at",
        "payment_reference",
    ]
    list_filter = ["kind", "status", "schedule"]
    search_fields = ["project__reference", "project__title", "payment_reference"]
    list_select_related = ["project"]
    actions = ["record_payment"]

    @admin.action(description="Record the determination fee as paid")
    def record_payment(self, request, queryset):
        for fee in queryset.select_related("project"):
            try:
                services.record_payment(request.user, fee.project)
            except DomainError as exc:
                self.message_user(request, f"{fee.project}: {exc.detail}", messages.WARNING)
            else:
                self.message_user(request, f"{fee.project}: payment recorded.", messages.SUCCESS)
