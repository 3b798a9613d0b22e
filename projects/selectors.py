"""Queries that decide who may know which project exists."""

import re

from django.db.models import Q, QuerySet
from django.utils import timezone

from jitrack.errors import NotFound

from .models import Project, User


def public_projects() -> QuerySet[Project]:
    return Project.objects.filter(pdd_available_on__lte=timezone.localdate())


def visible_projects(user) -> QuerySet[Project]:
    """Public projects plus those the user works on. Confidential content is filtered elsewhere."""
    today = timezone.localdate()
    public = Q(pdd_available_on__lte=today)
    if not user.is_authenticated:
        return Project.objects.filter(public)
    if user.is_superuser or user.role == User.Role.SECRETARIAT:
        return Project.objects.exclude(status=Project.Status.DRAFT)
    if user.role == User.Role.PARTICIPANT and user.organisation_id:
        ids = Project.objects.filter(participants=user.organisation_id).values("pk")
        return Project.objects.filter(public | Q(pk__in=ids))
    if user.role == User.Role.AIE and user.organisation_id:
        ids = Project.objects.filter(
            Q(aie=user.organisation_id)
            | Q(engagements__aie=user.organisation_id, engagements__status="pending")
        ).values("pk")
        return Project.objects.filter(public | Q(pk__in=ids))
    return Project.objects.filter(public)


_REFERENCE = re.compile(r"[0-9]{4}")
_DRAFT_KEY = re.compile(r"[Pp][0-9]{1,18}")  # ASCII digits only; fits a bigint


def parse_key(key: str) -> Q:
    """A project key is its reference (``0001``) or ``P<id>`` before publication."""
    if _REFERENCE.fullmatch(key):
        return Q(reference=key)
    if _DRAFT_KEY.fullmatch(key):
        return Q(pk=int(key[1:]))
    raise NotFound(f"No project {key!r}.")


def get_project_for(user, key: str, queryset: QuerySet[Project] | None = None) -> Project:
    """The project if the user may know it exists; 404 otherwise (never 403)."""
    qs = visible_projects(user) if queryset is None else queryset
    project = qs.filter(parse_key(key)).distinct().first()
    if project is None:
        raise NotFound(f"No project {key!r}.")
    return project
