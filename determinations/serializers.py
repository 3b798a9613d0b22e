"""API shapes for the determination report F-JI-DRep (para 33-34)."""

import json

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.serializers import download_url

from .models import Determination

FINDING_KEYS = [key for key, _ in Determination.FINDINGS]


class FindingSerializer(serializers.Serializer):
    met = serializers.BooleanField()
    reasons = serializers.CharField(max_length=20000)


class FindingsSerializer(serializers.Serializer):
    """The four para 33 findings. Multipart clients send the object as a JSON string."""

    approval = FindingSerializer()
    additionality = FindingSerializer()
    baseline_monitoring = FindingSerializer()
    environmental = FindingSerializer()

    def get_value(self, dictionary):
        # Nested serializers read ``findings.approval.met`` style keys from forms by default;
        # here a form carries the whole object as JSON in one ``findings`` field.
        return dictionary.get(self.field_name, serializers.empty)

    def to_internal_value(self, data):
        if isinstance(data, str | bytes):
            try:
                data = json.loads(data)
            except ValueError:
                raise serializers.ValidationError("The findings are not valid JSON.") from None
        return super().to_internal_value(data)


class DeterminationInputSerializer(serializers.Serializer):
    findings = FindingsSerializer()
    outcome = serializers.ChoiceField(choices=Determination.Outcome.choices)
    due_account = serializers.CharField(
        max_length=20000,
        required=False,
        allow_blank=True,
        default="",
        help_text="How due account was taken of the comments received (para 34).",
    )
    supporting_files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        default=list,
        max_length=20,
        help_text="Supporting PDFs (multipart only).",
    )
    supporting_titles = serializers.ListField(
        child=serializers.CharField(max_length=255, allow_blank=True),
        required=False,
        default=list,
        max_length=20,
        help_text="Titles of the supporting files, in the same order (default: file name).",
    )
    supporting_confidential = serializers.ListField(
        child=serializers.BooleanField(),
        required=False,
        default=list,
        max_length=20,
        help_text="Confidential flags of the supporting files, in the same order (default false).",
    )

    def validate(self, attrs):
        files = attrs["supporting_files"]
        for name in ("supporting_titles", "supporting_confidential"):
            if len(attrs[name]) > len(files):
                raise serializers.ValidationError(
                    {name: "There are more entries than supporting files."}
                )
        return attrs

    def workflow_args(self) -> dict:
        data = self.validated_data
        files = data["supporting_files"]
        titles = data["supporting_titles"] + [""] * len(files)
        flags = data["supporting_confidential"] + [False] * len(files)
        return {
            "findings": {k: (v["met"], v["reasons"]) for k, v in data["findings"].items()},
            "outcome": data["outcome"],
            "due_account": data["due_account"],
            "supporting": [(titles[i] or f.name, f, flags[i]) for i, f in enumerate(files)],
        }


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    download_url = serializers.CharField()


class DeterminationSerializer(serializers.ModelSerializer):
    """F-JI-DRep as published (and, for the project's own people, as submitted)."""

    findings = serializers.SerializerMethodField()
    report = serializers.SerializerMethodField()

    class Meta:
        model = Determination
        fields = [
            "number",
            "status",
            "outcome",
            "findings",
            "comments_summary",
            "due_account",
            "submitted_at",
            "available_on",
            "review_window_closes_at",
            "final_on",
            "report",
        ]

    @extend_schema_field(FindingsSerializer)
    def get_findings(self, obj) -> dict:
        return {
            key: {"met": getattr(obj, f"{key}_met"), "reasons": getattr(obj, f"{key}_reasons")}
            for key in FINDING_KEYS
        }

    @extend_schema_field(ReportSerializer(allow_null=True))
    def get_report(self, obj):
        doc = obj.report
        if doc is None:
            return None
        return {
            "id": doc.pk,
            "sha256": doc.sha256,
            "size": doc.size,
            "download_url": download_url(self.context.get("request"), doc.pk),
        }
