"""REST API of the host's focal point's Track 1 acts (para 23; ``determinations.track1``):
``POST /api/track1/projects/`` and ``POST /api/projects/{key}/track1-verifications/``, multipart
(the reports are PDFs). Each makes one domain call; refusals are ``{"code", "detail"}``."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from jitrack.api import MULTIPART, responses, validated
from projects.detail import ProjectDetailSerializer, project_response
from projects.selectors import get_project_for, visible_projects
from projects.serializers import ProjectDesignFields

from . import track1
from .models import Verification
from .serializers import TonnesByYearField, VerificationSerializer


def _pdf(help_text: str, required: bool = True):
    return serializers.FileField(allow_empty_file=True, required=required, help_text=help_text)


class Track1ProjectInputSerializer(ProjectDesignFields):
    """A Track 1 project as its host recorded it; the host is the focal point's own Party."""

    reference = serializers.CharField(
        max_length=20, help_text="As the host assigned it: its code and digits, e.g. UA1000001."
    )
    title = serializers.CharField(max_length=255)
    national_approval_reference = serializers.CharField(max_length=100)
    national_guidelines = serializers.CharField(max_length=300, required=False, allow_blank=True)
    determined_on = serializers.DateField(help_text="The day the host determined the project.")
    entity = serializers.CharField(max_length=200, help_text="The entity that determined it.")
    report = _pdf("The determination report, a PDF.")
    pdd = _pdf("The project design document, a PDF (optional).", required=False)
    participants = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        max_length=50,
        help_text="The participants' names (new names are recorded as historical participants).",
    )
    expected = TonnesByYearField(help_text="Expected reductions per calendar year.")

    def validate_expected(self, value):
        out = {}
        for year, tonnes in value.items():
            text = str(year)
            if not (text.isascii() and text.isdigit() and len(text) == 4):
                raise serializers.ValidationError(f"{year!r} is not a year.")
            if isinstance(tonnes, bool) or not isinstance(tonnes, int):
                raise serializers.ValidationError(f"Give whole tonnes for {year}.")
            out[int(text)] = tonnes  # the act checks the years' range and the tonnes
        return out

    def act_args(self, host) -> dict:
        data = dict(self.validated_data)
        data["participant_names"] = data.pop("participants", [])
        data["host_party"] = host
        return data


class Track1VerificationInputSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    verified = TonnesByYearField(help_text="Reductions verified per calendar year of the period.")
    verified_on = serializers.DateField(help_text="The day the host verified the reductions.")
    entity = serializers.CharField(max_length=200, help_text="The entity that verified them.")
    report = _pdf("The verification report, a PDF.")
    monitoring_report = _pdf("The monitoring report, a PDF (optional).", required=False)


@extend_schema(
    request={"multipart/form-data": Track1ProjectInputSerializer},
    responses=responses(201, ProjectDetailSerializer),
    tags=["track 1"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
@parser_classes(MULTIPART)
def record_project(request):
    """The focal point of a host Party that meets all six para 21 requirements records a Track 1
    project with its determination (para 23): final at once, public, no fees and no clock."""
    host = request.user.party if request.user.party_id else None
    err = track1.project_refusal(request.user, host)  # before the body is read
    if err is not None:
        raise err
    args = validated(Track1ProjectInputSerializer, request).act_args(host)
    project = track1.record_project(request.user, **args)
    return project_response(request, project.pk, status.HTTP_201_CREATED)


@extend_schema(
    request={"multipart/form-data": Track1VerificationInputSerializer},
    responses=responses(201, VerificationSerializer),
    tags=["track 1"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
@parser_classes(MULTIPART)
def record_verification(request, key):
    """The host's focal point records a verification of a Track 1 project made under its
    national procedure (para 23): final at once; its ERUs are then issued as for Track 2
    (``POST /api/projects/{key}/verifications/{number}/issuance/``)."""
    project = get_project_for(
        request.user, key, visible_projects(request.user).select_related("host_party")
    )
    err = track1.verification_refusal(request.user, project)  # before the body is read
    if err is not None:
        raise err
    args = dict(validated(Track1VerificationInputSerializer, request).validated_data)
    ver = track1.record_verification(request.user, project, **args)
    ver = (
        Verification.objects.select_related("monitoring_report", "aie", "report")
        .prefetch_related("changes")
        .get(pk=ver.pk)
    )
    return Response(
        VerificationSerializer(ver, context={"request": request}).data,
        status=status.HTTP_201_CREATED,
    )
