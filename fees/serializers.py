"""API shapes for fees. Amounts are strings with two decimals; tonnes are integers."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import CreditNote, FeeAssessment, Invoice, Payment, Reimbursement


class QuoteLineSerializer(serializers.Serializer):
    tonnes = serializers.IntegerField()
    rate_usd = serializers.CharField(help_text='USD per tonne, e.g. "0.10".')
    amount_usd = serializers.CharField(help_text='Two decimals, e.g. "1500.00".')


class QuoteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["determination", "verification"])
    schedule = serializers.CharField()
    amount_usd = serializers.CharField(help_text='Two decimals, e.g. "18500.00".')
    lines = QuoteLineSerializer(many=True)


class FeeLineSerializer(QuoteLineSerializer):
    year = serializers.IntegerField(required=False, help_text="Verification fees: calendar year.")


class FeeSerializer(serializers.ModelSerializer):
    lines = FeeLineSerializer(many=True, read_only=True)
    due_usd = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        help_text="Invoiced: the amount less the advance credited.",
    )
    balance_usd = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        help_text="Still to pay: the open invoices' amount less paid and credited.",
    )
    invoices = serializers.SerializerMethodField()

    class Meta:
        model = FeeAssessment
        fields = [
            "kind",
            "number",
            "schedule",
            "inputs",
            "lines",
            "amount_usd",
            "credit_usd",
            "due_usd",
            "balance_usd",
            "status",
            "assessed_at",
            "paid_at",
            "invoices",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_invoices(self, obj) -> list[str]:
        return [inv.number for inv in obj.invoices.all()]


class PaymentSerializer(serializers.ModelSerializer):
    invoice = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "invoice",
            "amount_usd",
            "applied_usd",
            "excess_usd",
            "received_on",
            "reference",
            "recorded_at",
        ]


class CreditNoteSerializer(serializers.ModelSerializer):
    invoice = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = CreditNote
        fields = ["number", "invoice", "amount_usd", "reason", "issued_on"]


class InvoiceLineSerializer(serializers.Serializer):
    label = serializers.CharField()
    tonnes = serializers.IntegerField(allow_null=True)
    rate_usd = serializers.CharField(allow_null=True)
    amount_usd = serializers.CharField()
    year = serializers.IntegerField(required=False)


class InvoiceSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.key", read_only=True)
    lines = InvoiceLineSerializer(many=True, read_only=True)
    balance_usd = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "number",
            "project",
            "kind",
            "addressee_name",
            "addressee_email",
            "addressee_country",
            "lines",
            "amount_usd",
            "paid_usd",
            "credited_usd",
            "balance_usd",
            "issued_on",
            "due_on",
            "status",
            "status_reason",
        ]


class InvoiceDetailSerializer(InvoiceSerializer):
    payments = PaymentSerializer(many=True, read_only=True)
    credit_notes = CreditNoteSerializer(many=True, read_only=True)

    class Meta(InvoiceSerializer.Meta):
        fields = [*InvoiceSerializer.Meta.fields, "payments", "credit_notes"]


class ReimbursementSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.key", read_only=True)
    invoice = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = Reimbursement
        fields = [
            "id",
            "project",
            "invoice",
            "amount_usd",
            "reason",
            "status",
            "found_at",
            "paid_on",
            "reference",
        ]


class AdvanceCreditSerializer(serializers.Serializer):
    paid_usd = serializers.DecimalField(max_digits=14, decimal_places=2)
    used_usd = serializers.DecimalField(max_digits=14, decimal_places=2)
    reimbursed_usd = serializers.DecimalField(max_digits=14, decimal_places=2)
    remaining_usd = serializers.DecimalField(max_digits=14, decimal_places=2)
    first_year = serializers.IntegerField(allow_null=True)


class FeeAccountSerializer(serializers.Serializer):
    assessments = FeeSerializer(many=True)
    invoices = InvoiceDetailSerializer(many=True)
    reimbursements = ReimbursementSerializer(many=True)
    advance_credit = AdvanceCreditSerializer()


# --- inputs --------------------------------------------------------------------------------------


class BalancePaymentSerializer(serializers.Serializer):
    """A payment of the determination fee: all three are required (no default amount, date or
    reference)."""

    amount_usd = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Amount received, e.g. 8500.00."
    )
    received_on = serializers.DateField(help_text="The date the payment was received.")
    reference = serializers.CharField(max_length=120, help_text="Bank reference.")


class PaymentInputSerializer(serializers.Serializer):
    amount_usd = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Amount received, e.g. 1500.00."
    )
    received_on = serializers.DateField(required=False, help_text="Defaults to today.")
    reference = serializers.CharField(max_length=120, help_text="Bank reference.")


class CreditNoteInputSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ReimbursementPaidSerializer(serializers.Serializer):
    paid_on = serializers.DateField(required=False, help_text="Defaults to today.")
    reference = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
