"""Page helpers for everything that hangs off a project: find it for this user (404 when they
may not know it exists), render an action form about it, and go back to its page."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from jitrack.errors import NotFound
from jitrack.web import act

from .models import Project
from .selectors import get_project_for


def project_or_404(request: HttpRequest, key: str, queryset: QuerySet | None = None) -> Project:
    try:
        return get_project_for(request.user, key, queryset)
    except NotFound as err:
        raise Http404(err.detail) from None


def to_project(project: Project) -> HttpResponse:
    return redirect("project_detail", key=project.key)


def action_page(request, project, form, call, *, title, done, submit, intro="", then=None):
    return act(
        request,
        form,
        call,
        template="projects/action.html",
        context={"project": project, "title": title, "intro": intro, "submit": submit},
        done=done,
        # check_pdd gives the project its reference, so its key changes: use the result.
        then=then or (lambda r: to_project(r if isinstance(r, Project) else project)),
    )
