"""API shapes for the determination report F-JI-DRep (para 33-34), monitoring reports, changes
during implementation, verifications F-JI-VRep (paras 36-39) and ERU issuance."""

import json

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jitrack import text
from projects.models import Organisation, Party
from projects.serializers import DocumentSerializer, OrganisationRefField, download_url

from .issuance import MAX_SERIAL  # serials run below it
from .models import (
    AauLedgerEntry,
    CommitmentPeriod,
    Determination,
    EruBlock,
    EruIssuance,
    ImplementationChange,
    MonitoringReport,
    Verification,
)
from .verification import MAX_TONNES  # the bound of one year's tonnes

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


# --- monitoring, changes, verification (paras 36-39) and ERU issuance ----------------------------

MAX_TEXT = 20000
MAX_FILES = 20
MAX_JSON = 100_000  # characters of a JSON object sent as a form field


def json_object(data, what: str) -> dict:
    """A JSON object, or (from a form) the same object as a JSON string."""
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    if isinstance(data, str):
        if len(data) > MAX_JSON:
            raise serializers.ValidationError(f"The {what} are too long.")
        try:
            data = json.loads(data)
        except (ValueError, RecursionError):
            raise serializers.ValidationError(f"The {what} are not valid JSON.") from None
    if not isinstance(data, dict):
        raise serializers.ValidationError(f"Give the {what} as a JSON object.")
    # A form field's JSON is decoded here, after the parsers' NUL check: "\u0000" becomes one.
    if text.nul_field(data) is not None:
        raise serializers.ValidationError(text.NUL_MESSAGE, code="null_characters_not_allowed")
    return data


def inline_enum(values) -> dict:
    """An enum kept inline in the schema (allOf): as a shared component it would collide with the
    other models' enums of the same field name (see ``projects.serializers.ProjectStatusField``)."""
    return {"allOf": [{"type": "string", "enum": list(values)}]}


class OutputEnumField(serializers.CharField):
    """Read-only (output), which also keeps the one-element allOf in the schema."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)


@extend_schema_field(inline_enum(Verification.Status.values))
class VerificationStatusField(OutputEnumField):
    pass


@extend_schema_field(inline_enum(MonitoringReport.Status.values))
class MonitoringStatusField(OutputEnumField):
    pass


@extend_schema_field(inline_enum(AauLedgerEntry.Kind.values))
class LedgerKindField(OutputEnumField):
    pass


class JSONFormMixin:
    """Forms carry the whole object as JSON in one field (not ``field.key`` style keys)."""

    def get_value(self, dictionary):
        return dictionary.get(self.field_name, serializers.empty)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
            {"type": "string", "description": "The same object as a JSON string (forms)."},
        ],
        "example": {"2009": 25000, "2010": 25000},
    }
)
class TonnesByYearField(JSONFormMixin, serializers.Field):
    """{calendar year: whole tonnes}. The years (inside the period) and the tonnes (whole,
    non-negative) are checked by the domain, which names this field when it refuses them."""

    def to_internal_value(self, data):
        data = json_object(data, "tonnes per year")
        if len(data) > 200:
            raise serializers.ValidationError("Give at most 200 years.")
        return data

    def to_representation(self, value):
        return value


@extend_schema_field(
    {
        "oneOf": [
            {"type": "object", "additionalProperties": {"type": "string"}},
            {"type": "string", "description": "The same object as a JSON string (forms)."},
        ]
    }
)
class OpinionsField(JSONFormMixin, serializers.DictField):
    """{change id: the AIE's opinion}, an object or (forms) a JSON string."""

    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.CharField(max_length=MAX_TEXT, allow_blank=True), **kwargs
        )

    def to_internal_value(self, data):
        data = json_object(data, "opinions on the changes")
        if len(data) > 1000:
            raise serializers.ValidationError("Too many opinions.")
        return super().to_internal_value(data)


def _files_field(help_text: str):
    return serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        default=list,
        max_length=MAX_FILES,
        help_text=help_text,
    )


def _titles_field():
    return serializers.ListField(
        child=serializers.CharField(max_length=255, allow_blank=True),
        required=False,
        default=list,
        max_length=MAX_FILES,
        help_text="Titles of the files, in the same order (default: the file name).",
    )


def _check_lists(attrs: dict, files: str, *others: str) -> dict:
    for name in others:
        if len(attrs[name]) > len(attrs[files]):
            raise serializers.ValidationError({name: f"There are more entries than {files}."})
    return attrs


def _confidential_field():
    """Para 40: the PPs may mark a supporting document confidential."""
    return serializers.ListField(
        child=serializers.BooleanField(),
        required=False,
        default=list,
        max_length=MAX_FILES,
        help_text="Confidential flags of the supporting files, in the same order (default false).",
    )


def _flagged(data: dict) -> list[tuple[str, object, bool]]:
    """(title, file, confidential) of the supporting files."""
    flags = list(data["supporting_confidential"]) + [False] * len(data["supporting_files"])
    titled = _titled(data["supporting_files"], data["supporting_titles"])
    return [(title, f, flags[i]) for i, (title, f) in enumerate(titled)]


def _titled(files, titles) -> list[tuple[str, object]]:
    titles = list(titles) + [""] * len(files)
    return [(titles[i].strip() or f.name, f) for i, f in enumerate(files)]


class MonitoringReportInputSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    aie = OrganisationRefField(
        kind=Organisation.Kind.AIE, help_text="The verifying AIE's id (or exact name)."
    )
    claimed = TonnesByYearField(help_text="Reductions claimed per calendar year of the period.")
    file = serializers.FileField(allow_empty_file=True, help_text="The monitoring report, a PDF.")
    component = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=32767,
        help_text=(
            "The number of the programme's component the report is on: required for a programme "
            "of activities with components, refused for another project."
        ),
    )
    supporting_files = _files_field("Supporting PDFs, published with the report.")
    supporting_titles = _titles_field()
    supporting_confidential = _confidential_field()

    def validate(self, attrs):
        return _check_lists(
            attrs, "supporting_files", "supporting_titles", "supporting_confidential"
        )

    def workflow_args(self) -> dict:
        data = self.validated_data
        return {
            "period_start": data["period_start"],
            "period_end": data["period_end"],
            "aie": data["aie"],
            "claimed": data["claimed"],
            "report": data["file"],
            "supporting": _flagged(data),
            "component": data.get("component"),
        }


class ChangeInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=MAX_TEXT)
    justification = serializers.CharField(max_length=MAX_TEXT)
    files = _files_field("Supporting PDFs (multipart only).")
    titles = _titles_field()

    def validate(self, attrs):
        return _check_lists(attrs, "files", "titles")

    def workflow_args(self) -> dict:
        data = self.validated_data
        return {
            "description": data["description"],
            "justification": data["justification"],
            "files": _titled(data["files"], data["titles"]),
        }


class VerificationInputSerializer(serializers.Serializer):
    """F-JI-VRep. Multipart clients send ``verified`` and ``change_opinions`` as JSON strings."""

    verified = TonnesByYearField(help_text="Verified reductions per calendar year of the period.")
    findings = serializers.CharField(max_length=MAX_TEXT)
    change_opinions = OpinionsField(
        required=False,
        default=dict,
        help_text="Your opinion on every change recorded since the last verification, by id.",
    )
    conditions_hold = serializers.BooleanField(
        help_text="The para 33 conditions still hold after the changes."
    )
    conditions_reasons = serializers.CharField(max_length=MAX_TEXT)
    no_overlap_declared = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The period does not overlap a verified period (required: true).",
    )
    supporting_files = _files_field("Supporting PDFs (multipart only).")
    supporting_titles = _titles_field()
    supporting_confidential = _confidential_field()

    def validate_verified(self, value):
        # The domain bounds each year (MAX_TONNES) but not the total, whose verification fee
        # would overflow the fee records (a server error): bound the total here as well.
        total = sum(t for t in value.values() if isinstance(t, int) and not isinstance(t, bool))
        if total > MAX_TONNES:
            raise serializers.ValidationError(f"The verified total exceeds {MAX_TONNES:,} t.")
        return value

    def validate(self, attrs):
        return _check_lists(
            attrs, "supporting_files", "supporting_titles", "supporting_confidential"
        )

    def workflow_args(self) -> dict:
        data = self.validated_data
        return {
            "verified": data["verified"],
            "findings": data["findings"],
            "change_opinions": data["change_opinions"],
            "conditions_hold": data["conditions_hold"],
            "conditions_reasons": data["conditions_reasons"],
            "no_overlap_declared": data["no_overlap_declared"],
            "supporting": _flagged(data),
        }


class PublishInputSerializer(serializers.Serializer):
    available_on = serializers.DateField(
        required=False, allow_null=True, help_text="Today (default) or tomorrow."
    )


class AauHoldingInputSerializer(serializers.Serializer):
    """A statement of the AAUs of one commitment period the Party's national registry holds now
    (not an addition: the balance becomes this figure)."""

    quantity = serializers.IntegerField(
        min_value=0,
        max_value=MAX_SERIAL - 1,
        help_text="The AAUs of the period the registry holds now, as it stands (zero or more).",
    )
    commitment_period = serializers.ChoiceField(
        choices=CommitmentPeriod.choices,
        required=False,
        default=CommitmentPeriod.FIRST,
        help_text="1: 2008–2012 (default); 2: 2013–2020 (Doha Amendment).",
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class BlockInputSerializer(serializers.Serializer):
    serial_start = serializers.IntegerField(min_value=1, max_value=MAX_SERIAL - 1)
    serial_end = serializers.IntegerField(min_value=1, max_value=MAX_SERIAL - 1)
    commitment_period = serializers.IntegerField(min_value=1, max_value=2, default=1)

    def validate(self, attrs):
        if attrs["serial_end"] < attrs["serial_start"]:
            raise serializers.ValidationError({"serial_end": "The block ends before it starts."})
        return attrs


class IssuanceInputSerializer(serializers.Serializer):
    blocks = BlockInputSerializer(many=True, allow_empty=False, max_length=1000)


class TransferInputSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_SERIAL)
    account_id = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        allow_null=True,
        default=None,
        help_text="The id of a registry account one of the project's participants recorded "
        "(active): the ERUs go to it, in the registry it is in. Give this or `account`. An "
        "account of no participant of the project, or no longer used, is refused (400, "
        "`unknown_account`).",
    )
    account = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        default="",
        help_text="An account typed as the participants named it outside jitrack (kept for "
        "earlier clients); give `account_id` instead.",
    )
    account_party = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Party.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="With `account` only: ISO code of the Party whose national registry holds the "
        "account (default: the host). Another Party's approval of the project must be on record "
        "(para 33 (a)).",
    )

    def validate(self, attrs):
        if attrs["account_id"] is not None and (attrs["account"] or attrs["account_party"]):
            raise serializers.ValidationError(
                {"account_id": "Give account_id or account (with account_party), not both."}
            )
        if attrs["account_id"] is None and not attrs["account"].strip():
            typed = "account" in getattr(self, "initial_data", {})
            raise serializers.ValidationError(
                {"account": "Name the account."}
                if typed
                else {"account_id": "Give account_id, the registry account to transfer to."}
            )
        return attrs


# --- output ---------------------------------------------------------------------------------


def report_data(request, doc) -> dict | None:
    if doc is None:
        return None
    return {
        "id": doc.pk,
        "sha256": doc.sha256,
        "size": doc.size,
        "download_url": download_url(request, doc.pk),
    }


class VerificationSummarySerializer(serializers.Serializer):
    """One verification in the project detail (from ``determinations.api.verification_rows``)."""

    number = serializers.IntegerField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    status = VerificationStatusField()
    verified_reductions = serializers.IntegerField(help_text="The verified total, tCO2e.")
    available_on = serializers.DateField(allow_null=True)
    review_window_closes_at = serializers.DateTimeField(allow_null=True)
    final_on = serializers.DateField(allow_null=True)
    erus_issued = serializers.IntegerField()


class MonitoringReportSerializer(serializers.ModelSerializer):
    aie = serializers.CharField(source="aie.name")
    status = MonitoringStatusField()
    claimed = serializers.DictField(child=serializers.IntegerField(), help_text="year -> tonnes")
    claimed_total = serializers.IntegerField()
    report = serializers.SerializerMethodField()
    component = serializers.IntegerField(
        source="component.number",
        allow_null=True,
        help_text="The number of the programme's component the report is on (null: none).",
    )

    class Meta:
        model = MonitoringReport
        fields = [
            "id",
            "number",
            "component",
            "period_start",
            "period_end",
            "aie",
            "status",
            "claimed",
            "claimed_total",
            "submitted_at",
            "withdrawn_at",
            "report",
        ]

    @extend_schema_field(ReportSerializer)
    def get_report(self, obj):
        return report_data(self.context.get("request"), obj.report)


class ChangeSerializer(serializers.ModelSerializer):
    """A change during implementation. The AIE's opinion and the verification that addressed
    it are shown once that verification may be seen (``context["shown_verifications"]``)."""

    files = serializers.SerializerMethodField()
    addressed_in = serializers.SerializerMethodField(
        help_text="The number of the verification that addressed the change."
    )
    aie_opinion = serializers.SerializerMethodField()

    class Meta:
        model = ImplementationChange
        fields = [
            "id",
            "description",
            "justification",
            "recorded_at",
            "files",
            "addressed_in",
            "aie_opinion",
        ]

    def _shown(self, obj) -> bool:
        shown = self.context.get("shown_verifications")
        return obj.addressed_in_id is not None and (shown is None or obj.addressed_in_id in shown)

    @extend_schema_field(DocumentSerializer(many=True))
    def get_files(self, obj):
        may_see = self.context.get("may_see_file", lambda doc: True)
        files = [doc for doc in obj.files.all() if may_see(doc)]
        return DocumentSerializer(files, many=True, context=self.context).data

    def get_addressed_in(self, obj) -> int | None:
        return obj.addressed_in.number if self._shown(obj) else None

    def get_aie_opinion(self, obj) -> str:
        return obj.aie_opinion if self._shown(obj) else ""


class AddressedChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImplementationChange
        fields = ["id", "description", "aie_opinion"]


class VerificationSerializer(serializers.ModelSerializer):
    """F-JI-VRep as filed (for the AIE, the participants and the secretariat) or published."""

    status = VerificationStatusField()
    monitoring_report = serializers.IntegerField(source="monitoring_report.number")
    period_start = serializers.DateField(source="monitoring_report.period_start")
    period_end = serializers.DateField(source="monitoring_report.period_end")
    aie = serializers.CharField(source="aie.name")
    verified = serializers.DictField(child=serializers.IntegerField(), help_text="year -> tonnes")
    verified_reductions = serializers.IntegerField(source="verified_total")
    changes = AddressedChangeSerializer(many=True)
    report = serializers.SerializerMethodField()

    class Meta:
        model = Verification
        fields = [
            "number",
            "status",
            "monitoring_report",
            "period_start",
            "period_end",
            "aie",
            "verified",
            "verified_reductions",
            "erus_issued",
            "findings",
            "conditions_hold",
            "conditions_reasons",
            "no_overlap_declared",
            "changes",
            "submitted_at",
            "available_on",
            "review_window_closes_at",
            "final_on",
            "report",
        ]

    @extend_schema_field(ReportSerializer(allow_null=True))
    def get_report(self, obj):
        return report_data(self.context.get("request"), obj.report)


class EruBlockSerializer(serializers.ModelSerializer):
    originating_party = serializers.CharField(source="originating_party.code")
    account_party = serializers.SerializerMethodField(
        help_text="The Party whose national registry holds the account."
    )
    quantity = serializers.IntegerField()

    class Meta:
        model = EruBlock
        fields = [
            "id",
            "originating_party",
            "unit_type",
            "serial_start",
            "serial_end",
            "quantity",
            "commitment_period",
            "project_identifier",
            "track",
            "account",
            "account_party",
            "active",
        ]

    def get_account_party(self, block) -> str:
        # an empty account_party is the host's own registry (the originating Party)
        return (block.account_party or block.originating_party).code


class EruIssuanceSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="verification.project.reference")
    verification = serializers.IntegerField(source="verification.number")
    party = serializers.CharField(source="party.code")
    blocks = EruBlockSerializer(many=True)

    class Meta:
        model = EruIssuance
        fields = ["id", "project", "verification", "party", "quantity", "recorded_at", "blocks"]


class AauEntrySerializer(serializers.ModelSerializer):
    kind = LedgerKindField()
    quantity = serializers.IntegerField(
        help_text="Change to the balance: a statement's difference from the balance before it, "
        "or the AAUs converted to ERUs (negative)."
    )
    stated = serializers.IntegerField(
        allow_null=True, help_text="Holding statements: the AAUs held, as stated."
    )

    class Meta:
        model = AauLedgerEntry
        fields = ["kind", "commitment_period", "quantity", "stated", "note", "recorded_at"]


class AauPeriodBalanceSerializer(serializers.Serializer):
    commitment_period = serializers.IntegerField()
    balance = serializers.IntegerField(
        help_text="The last stated holding of the period less the AAUs converted since."
    )


class PartyIssuanceSerializer(serializers.Serializer):
    """A host Party's ERU issuances (13/CMP.1 annex para 29) and its AAU ledger per commitment
    period: holdings stated by its focal point and AAUs converted to ERUs (negative)."""

    party = serializers.CharField()
    name = serializers.CharField()
    aau_balance = serializers.IntegerField(help_text="All commitment periods together.")
    aau_balances = AauPeriodBalanceSerializer(many=True, help_text="Per commitment period.")
    issuances = EruIssuanceSerializer(many=True)
    aau_ledger = AauEntrySerializer(many=True)


class AauBalanceSerializer(serializers.Serializer):
    party = serializers.CharField()
    commitment_period = serializers.IntegerField()
    quantity = serializers.IntegerField(help_text="The holding just stated.")
    aau_balance = serializers.IntegerField(
        help_text="The period's balance now: the holding just stated."
    )


class ReconciliationYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    expected = serializers.IntegerField()
    claimed = serializers.IntegerField()
    verified = serializers.IntegerField()
    issued = serializers.IntegerField()


class ReconciliationSerializer(serializers.Serializer):
    project = serializers.CharField()
    years = ReconciliationYearSerializer(many=True)
