"""REST API for the changes after the determination (``projects.changes``): the changes of
participants and Parties involved of a project (public with the project), the participants'
request and cancellation, the new Party's approval, and the host's renewal of the crediting
period. Each action makes one domain call; refusals are ``DomainError``s, answered as
``{"code", "detail"}`` by ``jitrack.api.exception_handler``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from jitrack.api import ERRORS, JSON_OR_MULTIPART, MAX_ID, responses, validated
from jitrack.errors import NotFound

from . import changes
from .detail import ProjectDetailSerializer, project_response
from .models import Organisation, ProjectChange
from .selectors import get_project_for, visible_projects
from .serializers import OrganisationRefField, PartyCodeField


class ProjectChangeSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(
        source="organisation.name", read_only=True, allow_null=True, default=None
    )
    party = serializers.CharField(
        source="party.code", read_only=True, allow_null=True, default=None
    )
    party_name = serializers.CharField(
        source="party.name", read_only=True, allow_null=True, default=None
    )
    consent_document = serializers.IntegerField(
        source="consent_id", read_only=True, allow_null=True
    )

    class Meta:
        model = ProjectChange
        fields = [
            "id",
            "kind",
            "status",
            "organisation",
            "party",
            "party_name",
            "reason",
            "consent_document",
            "requested_at",
            "decided_at",
        ]


class ChangeRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ProjectChange.Kind.choices)
    organisation = OrganisationRefField(
        kind=Organisation.Kind.PARTICIPANT,
        required=False,
        help_text="For a change of participants: the organisation's id or name.",
    )
    party = PartyCodeField(
        required=False, help_text="For a change of the Parties involved: the Party's code."
    )
    reason = serializers.CharField(max_length=5000, help_text="Why (public).")
    consent_declared = serializers.BooleanField(
        help_text="All project participants consent (a participant being removed need not)."
    )
    consent = serializers.FileField(
        required=False, allow_empty_file=True, help_text="The consent letter, a PDF (optional)."
    )


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class PartyApprovalSerializer(serializers.Serializer):
    issued_on = serializers.DateField()
    reference = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    file = serializers.FileField(
        required=False, allow_empty_file=True, help_text="The letter of approval, a PDF."
    )


class CreditingPeriodSerializer(serializers.Serializer):
    new_end = serializers.DateField(help_text="The new last day of the crediting period.")
    reason = serializers.CharField(max_length=5000, help_text="Why (public).")
    letter = serializers.FileField(
        required=False, allow_empty_file=True, help_text="The host Party's letter, a PDF."
    )


def _change_for(request, pk: int) -> ProjectChange:
    change = None
    if 0 < pk < MAX_ID:
        change = (
            ProjectChange.objects.select_related("project", "organisation", "party")
            .filter(pk=pk, project__in=visible_projects(request.user).values("pk"))
            .first()
        )
    if change is None:
        raise NotFound("No such change.")
    return change


def _change_response(request, change: ProjectChange, code=status.HTTP_200_OK) -> Response:
    change = ProjectChange.objects.select_related("organisation", "party").get(pk=change.pk)
    return Response(ProjectChangeSerializer(change, context={"request": request}).data, status=code)


@extend_schema(
    methods=["GET"],
    responses={200: ProjectChangeSerializer(many=True), 404: ERRORS[404]},
    tags=["projects"],
)
@extend_schema(
    methods=["POST"],
    request={
        "application/json": ChangeRequestSerializer,
        "multipart/form-data": ChangeRequestSerializer,
    },
    responses=responses(201, ProjectChangeSerializer),
    tags=["projects"],
)
@api_view(["GET", "POST"])
@permission_classes([IsAuthenticatedOrReadOnly])
@parser_classes(JSON_OR_MULTIPART)
def participation_changes(request, key):
    """GET: the changes of participants and Parties involved of the project (public with the
    project), oldest first. POST: the participants of a final project add or remove a
    participant or a Party involved, with the reason and the declaration that all participants
    consent. A change of participants or the removal of a Party applies at once (``applied``);
    a new Party waits for its focal point's approval (``pending``). Codes: 409 ``wrong_status``
    (not final), ``last_participant``, ``already_participant``, ``already_involved``,
    ``change_pending``; 400 ``consent_required``, ``host_party``, ``not_kp_party``,
    ``not_participant``, ``not_involved``, ``not_a_participant_organisation``."""
    project = get_project_for(request.user, key)
    if request.method == "GET":
        rows = project.party_changes.select_related("organisation", "party").order_by(
            "requested_at", "pk"
        )
        return Response(ProjectChangeSerializer(rows, many=True).data)
    changes.GUARDS["request"].check_permission(request.user, project)
    data = validated(ChangeRequestSerializer, request).validated_data
    change = changes.request_change(
        request.user,
        project,
        kind=data["kind"],
        organisation=data.get("organisation"),
        party=data.get("party"),
        reason=data["reason"],
        consent_declared=data["consent_declared"],
        consent=data.get("consent"),
    )
    return _change_response(request, change, status.HTTP_201_CREATED)


@extend_schema(
    request=CancelSerializer, responses=responses(200, ProjectChangeSerializer), tags=["projects"]
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
@parser_classes(JSON_OR_MULTIPART)
def cancel_change(request, pk):
    """The participants cancel a change waiting for a new Party's approval (409 ``not_pending``
    once it is decided)."""
    change = _change_for(request, pk)
    changes.GUARDS["cancel"].check_permission(request.user, change, change.project)
    data = validated(CancelSerializer, request).validated_data
    changes.cancel_change(request.user, change, data["reason"])
    return _change_response(request, change)


@extend_schema(
    request={
        "application/json": PartyApprovalSerializer,
        "multipart/form-data": PartyApprovalSerializer,
    },
    responses=responses(200, ProjectChangeSerializer),
    tags=["projects"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
@parser_classes(JSON_OR_MULTIPART)
def approve_change(request, pk):
    """The designated focal point of the Party being added records its letter of approval (JI
    guidelines, para 33 (a)); the Party is then involved (409 ``not_pending`` once decided)."""
    change = _change_for(request, pk)
    if change.kind != ProjectChange.Kind.ADD_PARTY:
        raise NotFound("No addition of a Party waits for approval here.")
    changes.GUARDS["approve_party"].check_permission(request.user, change, change.party)
    data = validated(PartyApprovalSerializer, request).validated_data
    changes.approve_party(
        request.user,
        change,
        issued_on=data["issued_on"],
        reference=data["reference"],
        uploaded=data.get("file"),
    )
    return _change_response(request, change)


@extend_schema(
    request={
        "application/json": CreditingPeriodSerializer,
        "multipart/form-data": CreditingPeriodSerializer,
    },
    responses=responses(200, ProjectDetailSerializer),
    tags=["projects"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
@parser_classes(JSON_OR_MULTIPART)
def renew_crediting_period(request, key):
    """The host Party's focal point renews or extends the crediting period of a final project:
    a new end after the current one (400 ``not_later``), with the reason."""
    project = get_project_for(request.user, key)
    changes.GUARDS["renew_crediting"].check_permission(request.user, project, project.host_party)
    data = validated(CreditingPeriodSerializer, request).validated_data
    changes.renew_crediting_period(
        request.user,
        project,
        new_end=data["new_end"],
        reason=data["reason"],
        letter=data.get("letter"),
    )
    return project_response(request, project.pk)
