"""API shapes for fee records (visible to the paying participants and the secretariat)."""

from rest_framework import serializers

from .models import FeeAssessment


class FeeLineSerializer(serializers.Serializer):
    tonnes = serializers.IntegerField()
    rate_usd = serializers.DecimalField(max_digits=6, decimal_places=2)
    amount_usd = serializers.DecimalField(max_digits=14, decimal_places=2)


class FeeSerializer(serializers.ModelSerializer):
    lines = FeeLineSerializer(many=True, read_only=True)

    class Meta:
        model = FeeAssessment
        fields = [
            "kind",
            "schedule",
            "inputs",
            "lines",
            "amount_usd",
            "status",
            "assessed_at",
            "paid_at",
            "payment_reference",
        ]


class PaymentSerializer(serializers.Serializer):
    reference = serializers.CharField(
        max_length=120, required=False, allow_blank=True, default="", help_text="Bank reference."
    )
