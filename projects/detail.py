"""The project as the API shows it after an act: every app's act answers with it (and the
register's own acts, create and edit).

The body holds every stage (determination, review, verifications), so the layer on top composes
it (``registry.api``) and answers ``signals.compose_project``; projects names its serializer
only for the schema, by path, and never imports it.
"""

from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.helpers import lazy_serializer
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response

from jitrack.api import validated
from jitrack.errors import Forbidden

from . import workflow
from .models import Project
from .selectors import get_project_for
from .serializers import ProjectWriteSerializer
from .signals import compose_project

# The response schema of every act that answers with the project: an instance standing for the
# registry's serializer (drf-spectacular loads it when it writes the schema; a bare lazy class
# would leave the answer a free-form object).
ProjectDetailSerializer = lazy_serializer("registry.serializers.ProjectDetailSerializer")()


def project_response(request, pk: int, code: int = status.HTTP_200_OK) -> Response:
    """The project as the actor now sees it, after an action."""
    for _receiver, body in compose_project.send(sender=Project, request=request, project_id=pk):
        if body is not None:
            return Response(body, status=code)
    raise ImproperlyConfigured("No app composes the project body (install registry).")


# The register's own acts, answered with the composed project. The routes are the register's
# (``registry.api``: ``POST /api/projects/``, ``PATCH /api/projects/{key}/``) and this app's
# POST twin of the edit (``projects.api.update_project``).


def create_project(request) -> Response:
    """Draft a new project (project participants)."""
    if not request.user.is_authenticated:
        raise NotAuthenticated()
    if not request.user.has_perm("projects.create_project"):  # before the body is read
        raise Forbidden("Only project participants can create projects.")
    data = validated(ProjectWriteSerializer, request).workflow_data()
    project = workflow.create_project(request.user, **data)
    return project_response(request, project.pk, status.HTTP_201_CREATED)


def update_project(request, key: str) -> Response:
    """Edit the project while it is a draft or the AIE is engaged (participants)."""
    project = get_project_for(request.user, key)
    workflow.GUARDS["edit"].check_permission(request.user, project)
    data = validated(ProjectWriteSerializer, request, partial=True).workflow_data()
    workflow.update_project(request.user, project, **data)
    return project_response(request, project.pk)
