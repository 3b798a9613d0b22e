"""REST API of the registry accounts participants name for their ERUs
(``determinations.accounts``): a participant keeps its organisation's accounts; the host's focal
point lists those of a project's participants to transfer ERUs to one of them
(``POST /api/eru-blocks/{id}/transfer/`` with ``account_id``). Not public."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from jitrack.api import JSON_OR_MULTIPART, responses, validated
from jitrack.errors import Forbidden
from projects.models import Party
from projects.selectors import get_project_for

from . import accounts
from .models import RegistryAccount

REFUSED = "Only staff of a project participant record registry accounts."


class RegistryAccountSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name")
    registry_party = serializers.CharField(
        source="registry_party.code",
        help_text="ISO code of the Party whose national registry holds the account.",
    )

    class Meta:
        model = RegistryAccount
        fields = [
            "id",
            "organisation",
            "registry_party",
            "identifier",
            "holder",
            "label",
            "active",
            "created_at",
            "deactivated_at",
        ]


class RegistryAccountInputSerializer(serializers.Serializer):
    registry_party = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Party.objects.all(),
        help_text="ISO code of the Party whose national registry holds the account.",
    )
    identifier = serializers.CharField(
        max_length=40, help_text="As the national registry formats it, e.g. UA-100-1234567-0-12."
    )
    holder = serializers.CharField(max_length=200)
    label = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


def _require_holder(request) -> None:
    if not request.user.has_perm("determinations.manage_registry_accounts"):
        raise Forbidden(REFUSED)


@extend_schema(
    methods=["GET"],
    responses=responses(200, RegistryAccountSerializer(many=True)),
    tags=["issuance"],
)
@extend_schema(
    methods=["POST"],
    request=RegistryAccountInputSerializer,
    responses=responses(201, RegistryAccountSerializer),
    tags=["issuance"],
)
@api_view(["GET", "POST"])
@permission_classes([IsAuthenticated])
@parser_classes(JSON_OR_MULTIPART)
def registry_accounts(request):
    """A participant's organisation's registry accounts (GET, in use first), or a new one
    (POST): the identifier must start with the registry's code (400); one already in use is 409
    ``duplicate``."""
    _require_holder(request)
    if request.method == "GET":
        return Response(
            RegistryAccountSerializer(
                accounts.accounts_of(request.user).select_related("organisation"), many=True
            ).data
        )
    data = validated(RegistryAccountInputSerializer, request).validated_data
    account = accounts.add_registry_account(request.user, **data)
    return Response(RegistryAccountSerializer(account).data, status=status.HTTP_201_CREATED)


@extend_schema(request=None, responses=responses(200, RegistryAccountSerializer), tags=["issuance"])
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def deactivate_registry_account(request, pk):
    """A participant stops using one of its organisation's accounts: no more transfers to it
    (the blocks already there stay). 404 for an account of another organisation."""
    _require_holder(request)
    account = accounts.deactivate_registry_account(request.user, pk)
    account = RegistryAccount.objects.select_related("organisation", "registry_party").get(
        pk=account.pk
    )
    return Response(RegistryAccountSerializer(account).data)


@extend_schema(responses=responses(200, RegistryAccountSerializer(many=True)), tags=["issuance"])
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def project_registry_accounts(request, key):
    """The accounts the project's ERUs may be transferred to: the active accounts of its
    participants, for the host Party's focal point and the participants."""
    project = get_project_for(request.user, key)
    user = request.user
    if not (
        user.has_perm("determinations.issue_erus", Party(pk=project.host_party_id))
        or user.has_perm("determinations.name_registry_accounts", project)
    ):
        raise Forbidden("Only the host Party's focal point and the participants see them.")
    return Response(
        RegistryAccountSerializer(accounts.accounts_for_project(project), many=True).data
    )
