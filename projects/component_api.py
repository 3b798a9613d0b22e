"""REST API of the components of a programme of activities (``projects.components``): public
with their programme; the coordinating entity (the programme's participants) includes and
excludes them.

GET/POST ``/api/projects/{key}/components/`` (a page of components / include one),
GET ``/api/projects/{key}/components/{number}/``, POST ``…/{number}/exclude/``."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from jitrack.api import ERRORS, JSON_OR_MULTIPART, PAGE_PARAMETERS, page_of, responses, validated
from jitrack.errors import NotFound

from . import components as cwf
from .models import ComponentActivity, Project
from .selectors import get_project_for, visible_projects


class ComponentSerializer(serializers.ModelSerializer):
    reference = serializers.SerializerMethodField()
    monitoring_reports = serializers.IntegerField(
        source="report_count", help_text="Monitoring reports not withdrawn."
    )
    erus_issued = serializers.IntegerField(help_text="ERUs issued for its verifications.")
    url = serializers.SerializerMethodField()

    class Meta:
        model = ComponentActivity
        fields = [
            "number",
            "reference",
            "title",
            "location",
            "description",
            "included_on",
            "expected_annual_reductions",
            "status",
            "excluded_on",
            "reason",
            "monitoring_reports",
            "erus_issued",
            "url",
        ]

    def get_reference(self, obj) -> str:
        return cwf.component_reference(self.context["project"], obj.number)

    def get_url(self, obj) -> str:
        project = self.context["project"]
        return self.context["request"].build_absolute_uri(
            reverse("component_detail", args=[project.key, obj.number])
        )


class IncludeComponentSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=255)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(
        max_length=20000, required=False, allow_blank=True, default=""
    )
    included_on = serializers.DateField(help_text="Not in the future.")
    expected_annual_reductions = serializers.IntegerField(
        min_value=0, max_value=10**12, required=False, default=0
    )


class ExcludeComponentSerializer(serializers.Serializer):
    excluded_on = serializers.DateField(help_text="Not in the future, nor before the inclusion.")
    reason = serializers.CharField(max_length=20000)


class ComponentPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 100


def _programme(request, key: str) -> Project:
    return get_project_for(
        request.user, key, visible_projects(request.user).prefetch_related("participants")
    )


def _one(request, project: Project, number: int, code: int = status.HTTP_200_OK) -> Response:
    component = cwf.components_of(project).filter(number=number).first()
    if component is None:
        raise NotFound("No such component.")
    context = {"request": request, "project": project}
    return Response(ComponentSerializer(component, context=context).data, status=code)


@extend_schema(
    methods=["GET"],
    parameters=PAGE_PARAMETERS,
    responses={200: page_of(ComponentSerializer), 404: ERRORS[404]},
    tags=["components"],
    operation_id="projects_components_list",
)
@extend_schema(
    methods=["POST"],
    request=IncludeComponentSerializer,
    responses=responses(201, ComponentSerializer),
    tags=["components"],
)
@api_view(["GET", "POST"])
@permission_classes([IsAuthenticatedOrReadOnly])
@parser_classes(JSON_OR_MULTIPART)
def components(request, key):
    """GET: the programme's components in number order, a page at a time, public with the
    programme (an empty list for a project that is not a programme). POST: the coordinating
    entity includes a component (409 ``not_poa`` for a project that is not a programme,
    ``programme_ended`` once it has ended; 400 for a date in the future or outside the
    crediting period)."""
    project = _programme(request, key)
    if request.method == "GET":
        paginator = ComponentPagination()
        page = paginator.paginate_queryset(cwf.components_of(project), request)
        context = {"request": request, "project": project}
        return paginator.get_paginated_response(
            ComponentSerializer(page, many=True, context=context).data
        )
    cwf.GUARDS["include"].check_permission(request.user, project)
    data = validated(IncludeComponentSerializer, request).validated_data
    component = cwf.include_component(request.user, project, **data)
    return _one(request, project, component.number, status.HTTP_201_CREATED)


@extend_schema(
    responses={200: ComponentSerializer, 404: ERRORS[404]},
    tags=["components"],
    operation_id="projects_component_retrieve",
)
@api_view(["GET"])
@permission_classes([IsAuthenticatedOrReadOnly])
def component(request, key, number: int):
    """One component of a programme, public with the programme."""
    project = _programme(request, key)
    cwf.component_of(project, number)
    return _one(request, project, number)


@extend_schema(
    request=ExcludeComponentSerializer,
    responses=responses(200, ComponentSerializer),
    tags=["components"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticatedOrReadOnly])
@parser_classes(JSON_OR_MULTIPART)
def exclude(request, key, number: int):
    """The coordinating entity excludes a component from a date, with a public reason (409
    ``already_excluded``, ``programme_ended``)."""
    project = _programme(request, key)
    component = cwf.component_of(project, number)
    cwf.GUARDS["exclude"].check_permission(request.user, component, project)
    data = validated(ExcludeComponentSerializer, request).validated_data
    cwf.exclude_component(
        request.user, component, excluded_on=data["excluded_on"], reason=data["reason"]
    )
    return _one(request, project, number)
