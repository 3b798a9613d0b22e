"""API shapes for projects and reference data. Serializers validate; workflow functions act.

Output serializers read only prefetched relations (see ``projects.api.detail_queryset``) so a
page of projects costs the same number of queries whatever its size.
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jitrack.api import MAX_ID

from .models import (
    Accreditation,
    Comment,
    Document,
    Engagement,
    Event,
    ExpectedReduction,
    LetterOfApproval,
    Organisation,
    Party,
    Project,
    SectoralScope,
)
from .workflow import PARTICIPANT_KINDS

MAX_TONNES = 10**12  # the domain's upper bound for a year's expected reductions


# --- reference data ------------------------------------------------------------------------


class PartySerializer(serializers.ModelSerializer):
    track2_eligible = serializers.BooleanField(read_only=True)
    track1_eligible = serializers.BooleanField(read_only=True)

    class Meta:
        model = Party
        fields = [
            "code",
            "name",
            "kp_party",
            "assigned_amount_recorded",
            "national_system",
            "national_registry",
            "inventory_submitted",
            "supplementary_info",
            "track2_eligible",
            "track1_eligible",
            "annex_i",
            "eligibility_source",
        ]


class ScopeSerializer(serializers.ModelSerializer):
    class Meta:
        model = SectoralScope
        fields = ["number", "name"]


class AccreditationSerializer(serializers.ModelSerializer):
    scopes = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Accreditation
        fields = ["function", "status", "scopes", "reference"]


class AIESerializer(serializers.ModelSerializer):
    country = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    accreditations = AccreditationSerializer(many=True, read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "country", "accreditations"]


# --- input fields ----------------------------------------------------------------------------


class PartyCodeField(serializers.SlugRelatedField):
    """A Party by its ISO 3166-1 alpha-2 code (case-insensitive)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("queryset", Party.objects.all())
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or len(data) != 2:
            self.fail("invalid")
        try:
            return self.get_queryset().get(code=data.upper())
        except Party.DoesNotExist:
            raise serializers.ValidationError(f"Unknown Party code {data!r}.") from None


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class OrganisationRefField(serializers.Field):
    """An organisation by id or by exact name (case-insensitive), within one kind."""

    def __init__(self, kind: str, **kwargs):
        self.kind = kind
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        label = "AIE" if self.kind == Organisation.Kind.AIE else "project participant organisation"
        qs = Organisation.objects.filter(kind=self.kind)
        if isinstance(data, bool) or not isinstance(data, int | str):
            raise serializers.ValidationError(f"Give the {label} by id or name.")
        if isinstance(data, int) or data.strip().isdigit():
            pk = int(data)
            found = qs.filter(pk=pk).first() if 0 < pk < MAX_ID else None
        else:
            found = qs.filter(name__iexact=data.strip()).first()
        if found is None:
            raise serializers.ValidationError(f"No {label} {data!r}.")
        return found

    def to_representation(self, value):
        return value.name


class ExpectedReductionSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    tonnes = serializers.IntegerField(min_value=0, max_value=MAX_TONNES)

    class Meta:
        model = ExpectedReduction
        fields = ["year", "tonnes"]


# --- project output ----------------------------------------------------------------------------


class DocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "kind",
            "title",
            "version",
            "filename",
            "sha256",
            "size",
            "confidential",
            "published_at",
            "uploaded_at",
            "status",
            "status_reason",
            "superseded_by",
            "download_url",
        ]

    def get_download_url(self, obj) -> str:
        return download_url(self.context.get("request"), obj.pk)


def download_url(request, document_id: int) -> str:
    path = reverse("api-document-download", args=[document_id])
    return request.build_absolute_uri(path) if request is not None else path


class CommentSerializer(serializers.ModelSerializer):
    """A comment as the public sees it: everything but the e-mail address. A comment the
    secretariat removed keeps its place with when and why, not its text."""

    class Meta:
        model = Comment
        fields = [
            "id",
            "name",
            "affiliation",
            "category",
            "text",
            "submitted_at",
            "answer",
            "answered_at",
            "removed_at",
            "removed_reason",
            "attachment_url",
        ]

    attachment_url = serializers.SerializerMethodField(
        help_text="The attached PDF; null when there is none or the comment was removed."
    )

    def get_attachment_url(self, instance) -> str | None:
        if not instance.attachment_sha256 or instance.removed_at is not None:
            return None
        path = reverse("comment_attachment", args=[instance.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.removed_at is not None:
            data.update(name="", affiliation="", text="", answer="")
        return data


class CommentWithEmailSerializer(CommentSerializer):
    """A comment as its project's AIE and the secretariat see it: with the e-mail address, which
    the public's answers leave out (so the schema does not require it)."""

    email = serializers.EmailField(
        required=False, help_text="The commenter's e-mail: for the AIE and the secretariat only."
    )

    class Meta(CommentSerializer.Meta):
        fields = [*CommentSerializer.Meta.fields, "email"]


class EventSerializer(serializers.ModelSerializer):
    at = serializers.DateTimeField(source="created_at")
    actor = serializers.CharField(source="actor_label")

    class Meta:
        model = Event
        fields = ["kind", "at", "actor", "from_status", "to_status", "reason"]


# Wrapped in allOf so the enum stays inline: as a shared component it would collide with the
# other models' "status" enums, and only a settings override could name it.
@extend_schema_field({"allOf": [{"type": "string", "enum": Project.Status.values}]})
class ProjectStatusField(serializers.CharField):
    pass


@extend_schema_field({"allOf": [{"type": "string", "enum": Project.Track.values}]})
class ProjectTrackField(serializers.CharField):
    """ "1": approved and verified under the host Party's national procedure (JI guidelines,
    para 23); "2": the JISC verification procedure (paras 30-45)."""


class ProjectSerializer(serializers.ModelSerializer):
    """One row of the register."""

    key = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()
    host_party = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parties_involved = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    participants = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    aie = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    sectoral_scopes = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    expected_annual_reductions = serializers.IntegerField(read_only=True)
    expected_reductions = ExpectedReductionSerializer(source="expected", many=True, read_only=True)
    status = ProjectStatusField(read_only=True)
    withdrawn = serializers.BooleanField(read_only=True)
    track = ProjectTrackField(
        read_only=True,
        help_text='"1": approved and verified by the host Party under its national procedure '
        '(JI guidelines, para 23); "2": the JISC verification procedure (paras 30-45).',
    )
    national_approval_reference = serializers.SerializerMethodField(
        help_text="Track 1: the host Party's national approval reference; null for Track 2."
    )
    national_guidelines = serializers.SerializerMethodField(
        help_text="Track 1: the national guidelines and procedures the host applied (para 23); "
        "null for Track 2."
    )

    class Meta:
        model = Project
        fields = [
            "reference",
            "key",
            "url",
            "track",
            "national_approval_reference",
            "national_guidelines",
            "title",
            "host_party",
            "parties_involved",
            "participants",
            "aie",
            "sectoral_scopes",
            "small_scale",
            "poa",
            "expected_annual_reductions",
            "expected_reductions",
            "status",
            "pdd_available_on",
            "comments_close_at",
            "determination_available_on",
            "review_window_closes_at",
            "final_on",
            "withdrawn",
        ]

    def get_national_approval_reference(self, obj) -> str | None:
        return obj.national_approval_reference if obj.track == Project.Track.ONE else None

    def get_national_guidelines(self, obj) -> str | None:
        return obj.national_guidelines if obj.track == Project.Track.ONE else None

    def get_url(self, obj) -> str:
        path = reverse("api-project-detail", args=[obj.key])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


# --- project input -----------------------------------------------------------------------------


class ProjectDesignFields(serializers.Serializer):
    """The PDD's particulars every way of entering a project shares (Track 2 by the participants,
    Track 1 by the host's focal point: ``determinations.track1_api``)."""

    parties_involved = serializers.ListField(
        child=PartyCodeField(), required=False, max_length=50, help_text="Other Parties' codes."
    )
    sectoral_scopes = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=99), allow_empty=False, max_length=15
    )
    small_scale = serializers.BooleanField(required=False)
    small_scale_type = serializers.ChoiceField(
        choices=Project.SmallScaleType.choices, required=False, allow_blank=True
    )
    small_scale_figure = serializers.DecimalField(
        max_digits=14, decimal_places=3, min_value=0, required=False, allow_null=True
    )
    poa = serializers.BooleanField(required=False)
    crediting_start = serializers.DateField(required=False, allow_null=True)
    crediting_end = serializers.DateField(required=False, allow_null=True)
    baseline_approach = serializers.ChoiceField(choices=Project.Approach.choices, required=False)
    methodology = serializers.CharField(max_length=120, required=False, allow_blank=True)
    monitoring_approach = serializers.CharField(max_length=20000, required=False, allow_blank=True)

    def validate_sectoral_scopes(self, value):
        scopes = list(SectoralScope.objects.filter(number__in=value))
        unknown = sorted(set(value) - {s.number for s in scopes})
        if unknown:
            raise serializers.ValidationError(
                f"Unknown sectoral scope(s): {', '.join(map(str, unknown))}."
            )
        return scopes


class ProjectWriteSerializer(ProjectDesignFields):
    """The PDD's particulars as the participants enter them (create and edit)."""

    title = serializers.CharField(max_length=255)
    host_party = PartyCodeField()
    participants = serializers.ListField(
        child=OrganisationRefField(kind=Organisation.Kind.PARTICIPANT),
        required=False,
        max_length=50,
        help_text="Organisation ids or names; your own organisation is always included.",
    )
    expected_reductions = ExpectedReductionSerializer(many=True, allow_empty=False, max_length=200)

    def validate_expected_reductions(self, value):
        years = [row["year"] for row in value]
        if len(set(years)) != len(years):
            raise serializers.ValidationError("Give each year once.")
        return value

    def workflow_data(self) -> dict:
        """The validated data as ``projects.workflow.create_project`` / ``update_project`` take it."""
        data = dict(self.validated_data)
        if "expected_reductions" in data:
            data["expected"] = {
                row["year"]: row["tonnes"] for row in data.pop("expected_reductions")
            }
        return data


# --- actions -----------------------------------------------------------------------------------


class DocumentUploadSerializer(serializers.Serializer):
    # ji-rules §7 "Documents": what participants upload (``workflow.PARTICIPANT_KINDS``)
    kind = serializers.ChoiceField(
        choices=[c for c in Document.Kind.choices if c[0] in PARTICIPANT_KINDS]
    )
    title = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    file = serializers.FileField(allow_empty_file=True, help_text="A PDF.")
    confidential = serializers.BooleanField(required=False, default=False)


class ApprovalSerializer(serializers.ModelSerializer):
    party = serializers.SlugRelatedField(slug_field="code", read_only=True)
    document = DocumentSerializer(read_only=True, allow_null=True)

    class Meta:
        model = LetterOfApproval
        fields = [
            "id",
            "party",
            "issued_on",
            "reference",
            "document",
            "recorded_at",
            "confirmed_at",
        ]


class ApprovalInputSerializer(serializers.Serializer):
    party = PartyCodeField()
    issued_on = serializers.DateField()
    reference = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    file = serializers.FileField(
        required=False, allow_empty_file=True, help_text="The letter, a PDF."
    )


class EngagementSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.key", read_only=True)
    project_title = serializers.CharField(source="project.title", read_only=True)
    project_status = ProjectStatusField(source="project.status", read_only=True)
    aie = serializers.CharField(source="aie.name", read_only=True)

    class Meta:
        model = Engagement
        fields = [
            "id",
            "project",
            "project_title",
            "project_status",
            "aie",
            "status",
            "requested_at",
            "decided_at",
            "reason",
        ]


class EngageSerializer(serializers.Serializer):
    aie = OrganisationRefField(kind=Organisation.Kind.AIE, help_text="The AIE's id or name.")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ChangeAIESerializer(ReasonSerializer):
    aie = OrganisationRefField(kind=Organisation.Kind.AIE, help_text="The new AIE's id or name.")


class CheckSerializer(serializers.Serializer):
    """The secretariat's check: publish (``accept``) with an availability date, or return."""

    accept = serializers.BooleanField()
    available_on = serializers.DateField(
        required=False, allow_null=True, help_text="Today (default) or tomorrow."
    )
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class CommentInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    affiliation = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    category = serializers.ChoiceField(choices=Comment.Category.choices)
    email = serializers.EmailField(max_length=254, help_text="Not published.")
    text = serializers.CharField(max_length=20000)
    attachment = serializers.FileField(
        required=False, allow_null=True, default=None, help_text="A PDF, published with it."
    )


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=20000)


class RemovalSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class DocumentAsideSerializer(serializers.Serializer):
    """Withdraw a published document, or mark it superseded by a later version; it stays on the
    record."""

    action = serializers.ChoiceField(choices=["withdraw", "supersede"])
    reason = serializers.CharField(max_length=2000)
    superseded_by = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    otp = serializers.RegexField(
        r"^\d{6}$",
        required=False,
        help_text="The code of the user's authenticator app: required for the roles that log "
        "in with a second factor (the secretariat, the JISC, superusers).",
        error_messages={"invalid": "Enter the 6 digits of the authenticator app."},
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires = serializers.DateTimeField(help_text="Refused from then on (API_TOKEN_DAYS).")
