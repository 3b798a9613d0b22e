"""REST API for the determination report: the AIE files it, the secretariat checks it."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from projects.api import (
    JSON_OR_MULTIPART,
    load_project,
    project_response,
    responses,
    validated,
)
from projects.serializers import CheckSerializer, ProjectDetailSerializer

from . import workflow as dwf
from .serializers import DeterminationInputSerializer, DeterminationSerializer


@extend_schema(
    request={
        "application/json": DeterminationInputSerializer,
        "multipart/form-data": DeterminationInputSerializer,
    },
    responses=responses(201, DeterminationSerializer),
    tags=["determinations"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
@parser_classes(JSON_OR_MULTIPART)
def submit_determination(request, key):
    """The engaged AIE files F-JI-DRep (para 33-34). Multipart clients send ``findings`` as a
    JSON string and may attach ``supporting_files``. The determination fee falls due."""
    project = load_project(request, key)
    args = validated(DeterminationInputSerializer, request).workflow_args()
    det = dwf.submit_determination(request.user, project, **args)
    return Response(
        DeterminationSerializer(det, context={"request": request}).data,
        status=status.HTTP_201_CREATED,
    )


@extend_schema(
    request=CheckSerializer,
    responses=responses(200, ProjectDetailSerializer),
    tags=["determinations"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def check_determination(request, key):
    """Secretariat: publish the report (once its fee is paid or not due), or return it."""
    project = load_project(request, key)
    data = validated(CheckSerializer, request).validated_data
    dwf.check_determination(
        request.user,
        project,
        accept=data["accept"],
        available_on=data.get("available_on"),
        reason=data["reason"],
    )
    return project_response(request, project.pk)
