"""Fee records are written by ``fees.services`` only; the admin shows them."""

from django.contrib import admin

from projects.admin import ReadOnlyAdminMixin, ReadOnlyInline

from .models import CreditNote, FeeAssessment, Invoice, Payment, Reimbursement


@admin.register(FeeAssessment)
class FeeAssessmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["project", "kind", "number", "amount_usd", "credit_usd", "status", "schedule"]
    list_filter = ["kind", "status", "schedule"]
    search_fields = ["project__reference", "project__title"]
    list_select_related = ["project"]
    # No "record payment" action: a payment always states the amount received, the date and
    # the bank reference, so it is recorded on the invoice's page (or the project's "Record
    # payment" form), never by a bulk action that books the balance.


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["received_on", "amount_usd", "applied_usd", "excess_usd", "reference"]


class CreditNoteInline(ReadOnlyInline):
    model = CreditNote
    fields = ["number", "issued_on", "amount_usd", "reason"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "project", "kind", "amount_usd", "paid_usd", "status", "issued_on"]
    list_filter = ["status", "kind"]
    search_fields = ["number", "project__reference", "project__title", "addressee_name"]
    list_select_related = ["project"]
    inlines = [PaymentInline, CreditNoteInline]


@admin.register(Reimbursement)
class ReimbursementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["project", "amount_usd", "reason", "status", "found_at", "paid_on"]
    list_filter = ["status", "reason"]
    list_select_related = ["project"]
