"""The register in the API (``/api/projects/``) and the project detail composed from every stage:
the project, what this user may see of its documents, comments and timeline, its determination,
its latest review's public facts and its verifications. Every app's act answers with the same
body (``projects.signals.compose_project``)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from determinations.selectors import verification_rows, visible_determination, with_verifications
from jitrack.api import ERRORS, responses
from projects import detail
from projects.models import Party, Project
from projects.selectors import (
    get_project_for,
    visible_documents,
    visible_projects,
    with_history_counts,
)
from projects.serializers import ProjectSerializer, ProjectWriteSerializer
from projects.timeline import project_events
from reviews.selectors import review_facts, with_latest_review

from .filters import ProjectFilter, StableOrderingFilter
from .serializers import ProjectDetailSerializer


def register_queryset(qs: QuerySet[Project]) -> QuerySet[Project]:
    """Everything a register row shows, in a fixed number of queries."""
    return qs.select_related("host_party", "aie").prefetch_related(
        Prefetch("parties_involved", queryset=Party.objects.order_by("code")),
        "participants",
        "sectoral_scopes",
        "expected",
    )


def detail_queryset(qs: QuerySet[Project]) -> QuerySet[Project]:
    """``register_queryset`` plus the latest review's public facts, the verifications and how
    many comments and events there are (the detail embeds the first ones only), in the same
    query."""
    return with_history_counts(with_verifications(with_latest_review(register_queryset(qs))))


# What the detail embeds of a long history: the first comments and the latest events; the rest
# is paged at ``comments_url`` and ``timeline_url``.
EMBEDDED = 100


def detail_context(request, project: Project) -> dict:
    """What this user may see of the project, filtered in the queries (ji-rules §6)."""
    user = request.user
    insider = user.has_perm("projects.view_history", project)
    events = project_events(project, insider=insider)
    latest = list(events.order_by("-created_at", "-pk")[:EMBEDDED])
    return {
        "request": request,
        "documents": list(visible_documents(user, project).order_by("kind", "-version", "pk")),
        # the latest review's public facts (ji-rules §6), null before a review has started
        "review": review_facts(project),
        "comments": list(project.comments.all()[:EMBEDDED]),
        "comment_count": project.comment_total,
        "show_email": user.has_perm("projects.view_comment_email", project),
        "events": latest[::-1],
        "event_count": project.event_total if insider else project.public_event_total,
        "determination": visible_determination(project, insider=insider),
        # read from the annotation of ``detail_queryset`` (no query), filtered the same way
        "verifications": verification_rows(user, project, insider),
    }


def project_body(request, project: Project) -> dict:
    return ProjectDetailSerializer(project, context=detail_context(request, project)).data


def compose_project(sender, request, project_id: int, **kwargs) -> dict:
    """``projects.signals.compose_project``: the body every act answers with."""
    project = detail_queryset(Project.objects.filter(pk=project_id)).get()
    return project_body(request, project)


class RegisterPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


class ProjectList(generics.ListAPIView):
    """The project register: published projects for everyone, plus the projects you work on."""

    serializer_class = ProjectSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = RegisterPagination
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = ProjectFilter
    ordering_fields = ["reference", "title", "pdd_available_on", "status", "created_at"]
    ordering = ["-created_at", "-pk"]

    def get_queryset(self):
        return register_queryset(visible_projects(self.request.user))

    @extend_schema(tags=["projects"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ProjectWriteSerializer,
        responses=responses(201, ProjectDetailSerializer),
        tags=["projects"],
    )
    def post(self, request):
        """Draft a new project (project participants)."""
        return detail.create_project(request)


class ProjectDetail(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(responses={200: ProjectDetailSerializer, 404: ERRORS[404]}, tags=["projects"])
    def get(self, request, key):
        """One project with the documents, comments, timeline, determination and verifications
        you may see."""
        project = get_project_for(
            request.user, key, detail_queryset(visible_projects(request.user))
        )
        return Response(project_body(request, project))

    @extend_schema(
        request=ProjectWriteSerializer,
        responses=responses(200, ProjectDetailSerializer),
        tags=["projects"],
    )
    def patch(self, request, key):
        """Edit the project while it is a draft or the AIE is engaged (participants)."""
        return detail.update_project(request, key)
