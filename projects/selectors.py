"""Reads that several pages and the API share: who may know which project exists, which of
its documents they may see, its Parties with their approvals, and whether comments are open."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from jitrack.db import JSONRow, JSONRows
from jitrack.errors import NotFound

from . import deadlines, workflow
from .models import (
    ClockFault,
    Comment,
    Document,
    Engagement,
    Event,
    ExpectedReduction,
    LetterOfApproval,
    OutboxMail,
    Party,
    Project,
    User,
)


def public_projects() -> QuerySet[Project]:
    return Project.objects.filter(Project.published_q(timezone.localdate()))


def visible_projects(user) -> QuerySet[Project]:
    """Public projects plus those the user works on. Confidential content is filtered elsewhere."""
    today = timezone.localdate()
    public = Project.published_q(today)
    if not user.is_authenticated:
        return Project.objects.filter(public)
    if user.role == User.Role.SECRETARIAT:
        return Project.objects.exclude(status=Project.Status.DRAFT)
    if user.role == User.Role.PARTICIPANT and user.organisation_id:
        ids = Project.objects.filter(participants=user.organisation_id).values("pk")
        return Project.objects.filter(public | Q(pk__in=ids))
    if user.role == User.Role.PARTY and user.party_id:
        # A Party's focal point approves the projects of its Party before they are published
        # (para 33 (a)).
        ids = Project.objects.filter(
            Q(host_party=user.party_id) | Q(parties_involved=user.party_id)
        ).values("pk")
        return Project.objects.filter(public | Q(pk__in=ids))
    if user.role == User.Role.AIE and user.organisation_id:
        ids = Project.objects.filter(
            Q(aie=user.organisation_id)
            | Q(engagements__aie=user.organisation_id, engagements__status="pending")
        ).values("pk")
        return Project.objects.filter(public | Q(pk__in=ids))
    return Project.objects.filter(public)


# Four digits (0001…9999, ji-rules §3 item 2), then more: see ``workflow.REFERENCE_DIGITS``.
REFERENCE = re.compile(r"[0-9]{4,6}")
# Track 1 (para 23): the reference the host assigned, its ISO 3166 code and digits (UA1000001).
TRACK1_REFERENCE = re.compile(r"[A-Z]{2}[0-9]{1,12}")
_DRAFT_KEY = re.compile(r"[Pp][0-9]{1,18}")  # ASCII digits only; fits a bigint


def parse_key(key: str) -> Q:
    """A project key is its reference (``0001``, Track 1 ``UA1000001``) or ``P<id>`` before
    publication."""
    if REFERENCE.fullmatch(key) or TRACK1_REFERENCE.fullmatch(key):
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


def with_pending_engagement(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Each project with the engagement waiting for an AIE's answer, if any (annotations)."""
    pending = Engagement.objects.filter(project=OuterRef("pk"), status=Engagement.Status.PENDING)
    return projects.annotate(
        pending_engagement_id=Subquery(pending.values("pk")[:1]),
        pending_aie_id=Subquery(pending.values("aie_id")[:1]),
        pending_aie_name=Subquery(pending.values("aie__name")[:1]),
    )


def parties_with_approvals(project: Project) -> QuerySet[Party]:
    """The host and the other Parties involved, each with its letter of approval (annotations).
    Sort with ``host_first``."""
    loa = LetterOfApproval.objects.filter(project=project, party=OuterRef("pk"))
    return (
        Party.objects.filter(Q(pk=project.host_party_id) | Q(involved_projects=project))
        .distinct()
        .annotate(
            loa_issued_on=Subquery(loa.values("issued_on")[:1]),
            loa_reference=Subquery(loa.values("reference")[:1]),
            loa_document_id=Subquery(loa.values("document_id")[:1]),
            loa_id=Subquery(loa.values("pk")[:1]),
            loa_confirmed_at=Subquery(loa.values("confirmed_at")[:1]),
        )
    )


def host_first(parties, project: Project) -> list[Party]:
    return sorted(parties, key=lambda p: (p.pk != project.host_party_id, p.name))


def visible_documents(user, project: Project) -> QuerySet[Document]:
    """The documents of ``project`` this user may see, filtered in the query (STYLE habit 4) by
    the rule of ``projects.view_document``: insiders (``projects.view_history``: the project's
    participants, AIE and the secretariat) see all; everyone else only published,
    non-confidential documents of a published project."""
    if user.has_perm("projects.view_history", project):
        return project.documents.all()
    if not project.is_published:
        return project.documents.none()
    return public_documents(project)


def public_documents(project: Project, *, until: datetime | None = None) -> QuerySet[Document]:
    """The documents anyone may see: made public and not confidential (ji-rules §6), those
    made public before ``until`` when given (the project as it stood then)."""
    documents = project.documents.filter(confidential=False, published_at__isnull=False)
    return documents if until is None else documents.filter(published_at__lt=until)


def comments_open(project: Project, now: datetime | None = None) -> bool:
    """Whether a comment received now is on time (para 32; ji-rules §4)."""
    return (
        project.status == Project.Status.OPEN_FOR_COMMENTS
        and project.pdd_available_on is not None
        and deadlines.window_open(
            now or timezone.now(), project.pdd_available_on, project.comments_close_at
        )
    )


def available_actions(project: Project, user) -> dict[str, bool]:
    """What ``user`` may do next on ``project``: the acts' own guards (``workflow.GUARDS``).
    ``project`` comes through ``with_pending_engagement``."""
    can = {name: guard.allows(user, project) for name, guard in workflow.GUARDS.items()}
    # One engagement waits for an answer at a time; its AIE may decide it.
    pending = project.pending_engagement_id
    can["engage"] = can["engage"] and pending is None
    can["change_aie"] = can["change_aie"] and workflow.aie_change_open(project)
    can["terminate"] = can["terminate"] and workflow.may_terminate_now(user, project)
    can["decide"] = pending is not None and user.has_perm(
        workflow.DECIDE.perm,
        Engagement(pk=pending, aie_id=project.pending_aie_id, project=project),
    )
    return can


def _count(rows: QuerySet) -> Coalesce:
    counted = rows.filter(project=OuterRef("pk")).order_by().values("project")
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)


def with_history_counts(projects: QuerySet[Project]) -> QuerySet[Project]:
    """How many comments and events each project has (``comment_total``, ``event_total``,
    ``public_event_total``), in the same query: a long history is shown a page at a time."""
    return projects.annotate(
        comment_total=_count(Comment.objects.all()),
        event_total=_count(Event.objects.all()),
        public_event_total=_count(Event.objects.filter(public=True)),
    )


def open_clock_faults() -> QuerySet[ClockFault]:
    """The due rows the clock could not act on and has not yet acted on since: the
    secretariat's "clock problems"."""
    return ClockFault.objects.filter(resolved_at__isnull=True).select_related("project")


# How long a given-up message stays among the secretariat's "mail problems".
MAIL_PROBLEM_DAYS = 7


def mail_problems(now: datetime | None = None) -> QuerySet[OutboxMail]:
    """Mail that failed (``projects.outbox``): being tried again, or given up in the last
    ``MAIL_PROBLEM_DAYS`` days; the secretariat's "mail problems"."""
    now = now or timezone.now()
    return OutboxMail.objects.filter(
        Q(done_at=None, given_up_at=None, attempts__gt=0)
        | Q(given_up_at__gte=now - timedelta(days=MAIL_PROBLEM_DAYS))
    ).order_by("-created_at", "-pk")[:50]


def with_expected(qs: QuerySet[Project]) -> QuerySet[Project]:
    """Annotate each project with the PDD's expected reductions as a JSON array
    (``expected_json``): a subquery of the same query, for pages whose budget has no room for
    another (``expected_by_year`` reads it)."""
    rows = (
        ExpectedReduction.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(rows=JSONRows(JSONRow(year=F("year"), tonnes=F("tonnes"))))
        .values("rows")
    )
    return qs.annotate(expected_json=Subquery(rows[:1]))


def expected_by_year(project: Project) -> dict[int, int]:
    """The PDD's expected reductions per year: from ``with_expected``'s annotation (no query),
    else read."""
    if hasattr(project, "expected_json"):
        rows = json.loads(project.expected_json) if project.expected_json else []
        return {int(r["year"]): int(r["tonnes"]) for r in rows}
    return dict(ExpectedReduction.objects.filter(project=project).values_list("year", "tonnes"))
