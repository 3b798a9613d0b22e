"""Reads of appraisals and reviews that pages, the API and the registry share: the latest
review's public facts (ji-rules §6), the review panel of a project page, the determinations a
user may still ask to review, and each role's review work on its dashboard."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from jitrack.db import CommaList
from jitrack.errors import Forbidden
from projects.models import Project, User
from projects.selectors import public_projects

from . import workflow as rwf
from .models import (
    Appraisal,
    Appraiser,
    Clarification,
    JiscMember,
    Review,
    ReviewRequest,
    ReviewTeamMember,
)
from .serializers import requester_name, summary_data, summary_facts

R = Review.Status
S = Project.Status
TO = Clarification.To
DETERMINATION = Review.Kind.DETERMINATION
# The determination is open to review requests and appraisal in these project statuses.
WINDOW = (S.DETERMINATION_PUBLISHED, S.UNDER_REVIEW)


REVIEW_FIELDS = ("status", "requested_at", "due_at", "decision", "decided_at", "decision_reasons")


def with_latest_review(qs: QuerySet[Project]) -> QuerySet[Project]:
    """Annotate each project with its latest review's public facts (``latest_review_*``), as
    subqueries of the same query: the project detail's query budget has no room for another."""
    latest = Review.objects.filter(project=OuterRef("pk"), kind=Review.Kind.DETERMINATION).order_by(
        "-requested_at", "-pk"
    )
    review = Review.objects.filter(pk=OuterRef("latest_review_pk"))
    requests = ReviewRequest.objects.filter(review=OuterRef("latest_review_pk")).order_by()
    parties = (
        requests.filter(by=ReviewRequest.By.PARTY, party__isnull=False)
        .values("review")
        .annotate(codes=CommaList("party__code", distinct=True))
        .values("codes")
    )
    members = (
        requests.filter(by=ReviewRequest.By.JISC)
        .values("review")
        .annotate(n=Count("requested_by", distinct=True))
        .values("n")
    )
    return qs.annotate(latest_review_pk=Subquery(latest.values("pk")[:1])).annotate(
        **{f"latest_review_{name}": Subquery(review.values(name)[:1]) for name in REVIEW_FIELDS},
        latest_review_parties=Subquery(parties[:1]),
        latest_review_members=Subquery(members[:1]),
    )


def review_facts(project: Project) -> dict | None:
    """The project detail's ``review``: the public summary of the latest review, or None before
    a review has started. Reads the annotations of ``with_latest_review`` (no query); a project
    loaded without them costs two queries."""
    if not hasattr(project, "latest_review_pk"):
        review = latest_review(project)
        return summary_data(review) if review else None
    if project.latest_review_pk is None:
        return None
    return summary_facts(
        **{name: getattr(project, f"latest_review_{name}") for name in REVIEW_FIELDS},
        parties=[code for code in (project.latest_review_parties or "").split(",") if code],
        members=project.latest_review_members,
    )


def latest_review(project: Project) -> Review | None:
    """The project's latest review of its determination, with the requests its public summary
    reads (reviews of verifications are reported with each verification)."""
    return (
        Review.objects.filter(project=project, kind=Review.Kind.DETERMINATION)
        .prefetch_related(
            Prefetch("requests", queryset=ReviewRequest.objects.select_related("party"))
        )
        .order_by("-requested_at", "-pk")
        .first()
    )


def with_review(projects: QuerySet[Project], user) -> QuerySet[Project]:
    """The project page's queryset with its latest review, its JISC members' review requests
    and whether it has appraisers, as annotations: the page stays within its query budget."""
    # The determination's review; a verification's review has its own page (F-JI-VR).
    review = Review.objects.filter(project=OuterRef("pk"), kind=DETERMINATION).order_by(
        "-requested_at", "-pk"
    )
    requests = ReviewRequest.objects.filter(project=OuterRef("pk"), kind=DETERMINATION)
    members = (
        requests.filter(by=ReviewRequest.By.JISC)
        .order_by()
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    fields = {
        f"review_{name}": Subquery(review.values(name)[:1])
        for name in (
            "id",
            "status",
            "due_at",
            "decision",
            "decision_reasons",
            "decided_at",
            "corrections_confirmed_at",
        )
    }
    fields["review_meeting"] = Subquery(review.values("decided_at_meeting__number")[:1])
    fields["review_member_requests"] = Subquery(members[:1])
    fields["appraisal_id"] = Subquery(
        Appraisal.objects.filter(project=OuterRef("pk")).order_by("-pk").values("pk")[:1]
    )
    if user.is_authenticated:
        fields["viewer_requested"] = Exists(requests.filter(requested_by=user.pk))
    if user.is_authenticated and user.role == User.Role.JISC:
        today = timezone.localdate()
        # the act's own rule on who counts (``JiscMember.objects.sitting_on``)
        fields["viewer_serving"] = Exists(JiscMember.objects.sitting_on(today).filter(user=user.pk))
    return projects.annotate(**fields)


def with_party_requests(parties: QuerySet, project: Project) -> QuerySet:
    """The Parties involved, each with its review request of ``project`` (if any)."""
    request = ReviewRequest.objects.filter(
        project=project, party=OuterRef("pk"), kind=DETERMINATION
    )
    return parties.annotate(
        review_request_id=Subquery(request.values("pk")[:1]),
        review_requested_at=Subquery(request.values("received_at")[:1]),
    )


def project_review_context(request, project: Project, parties) -> dict:
    """The public "Review" panel of a project page and the review actions of its viewer.
    ``project`` comes from ``with_review`` and ``parties`` from ``with_party_requests``."""
    user = request.user
    now = timezone.now()
    requesting = [p for p in parties if p.review_request_id]
    members = project.review_member_requests or 0
    review = None
    if project.review_id:
        review = {
            "pk": project.review_id,
            "status": R(project.review_status).label,
            "due_at": project.review_due_at,
            "overdue": project.review_status in Review.AWAITING_DECISION
            and now > project.review_due_at,
            "decided_at": project.review_decided_at,
            "decision": Review.Decision(project.review_decision).label
            if project.review_decision
            else "",
            "reasons": project.review_decision_reasons,
            "meeting": project.review_meeting,
            "corrections_confirmed_at": project.review_corrections_confirmed_at,
        }
    window_open = (
        project.status in WINDOW
        and project.review_window_closes_at is not None
        and now <= project.review_window_closes_at
    )
    may_request = False
    if window_open and user.is_authenticated and not project.viewer_requested:
        # The act's own rule on who asks, from the facts this page loaded (para 35); a Party
        # asks once.
        try:
            by, party = rwf.requester(
                user, {p.pk for p in parties}, bool(getattr(project, "viewer_serving", False))
            )
        except Forbidden:
            pass
        else:
            may_request = by == ReviewRequest.By.JISC or not any(
                p.pk == party and p.review_request_id for p in parties
            )
    panel = None
    if requesting or members or review:
        panel = {
            "review": review,
            "parties": requesting,
            "members": members,
            # named, as on their F-JI-DR (ji-rules §7 "Review requests"); one query, only when
            # members asked
            "member_names": [
                requester_name(r)
                for r in ReviewRequest.objects.filter(
                    project=project, kind=DETERMINATION, by=ReviewRequest.By.JISC
                )
                .select_related("requested_by")
                .order_by("received_at", "pk")
            ]
            if members
            else [],
            "member_quorum": rwf.MEMBER_QUORUM,
        }
    staff = user.has_perm("reviews.view_confidential", project)
    return {
        "review_panel": panel,
        "can": {
            "request_review": may_request,
            "appoint_appraisers": rwf.GUARDS["appoint_appraisers"].allows(user, project)
            and not project.appraisal_id,
            "view_appraisal": staff and bool(project.appraisal_id),
            "review_page": user.has_perm("reviews.manage", project) and bool(project.review_id),
        },
    }


def requestable_determinations(user) -> QuerySet[Project]:
    """Published determinations still in their 45-day window (para 35), with whether the viewer
    (or, for a Party's focal point, their Party) has requested a review and may do so."""
    projects = (
        public_projects()
        .filter(status__in=WINDOW, review_window_closes_at__gte=timezone.now())
        .select_related("host_party", "aie")
        .order_by("review_window_closes_at", "pk")
    )
    if not user.is_authenticated:
        return projects
    mine = ReviewRequest.objects.filter(project=OuterRef("pk"), kind=DETERMINATION)
    if user.role == User.Role.PARTY and user.party_id:
        return projects.annotate(
            viewer_requested=Exists(mine.filter(party=user.party_id)),
            party_involved=Q(host_party=user.party_id)
            | Exists(
                Project.parties_involved.through.objects.filter(
                    project=OuterRef("pk"), party=user.party_id
                )
            ),
        )
    return projects.annotate(viewer_requested=Exists(mine.filter(requested_by=user.pk)))


def _open_seats(user) -> QuerySet[Appraiser]:
    return (
        Appraiser.objects.filter(
            user=user,
            filed_at__isnull=True,
            appraisal__status=Appraisal.Status.OPEN,
            appraisal__project__status__in=WINDOW,
        )
        .select_related("appraisal__project")
        .order_by("appraisal__due_at", "pk")
    )


def dashboard_context(user, role: str) -> dict:
    """The review and appraisal work of a dashboard for ``role`` (as the dashboard chose it),
    in a fixed number of queries."""
    now = timezone.now()
    context: dict = {"now": now}
    if role == User.Role.SECRETARIAT:
        context["unappraised"] = (
            Project.objects.filter(status__in=WINDOW)
            .exclude(Exists(Appraisal.objects.filter(project=OuterRef("pk"))))
            .select_related("host_party")
            .order_by("review_window_closes_at", "pk")
        )
        context["late_appraisals"] = (
            Appraisal.objects.filter(
                status=Appraisal.Status.OPEN, due_at__lt=now, project__status__in=WINDOW
            )
            .annotate(unfiled=Count("appraisers", filter=Q(appraisers__filed_at__isnull=True)))
            .select_related("project")
            .order_by("due_at", "pk")
        )
        reviews = list(
            Review.objects.filter(status__in=Review.AWAITING_DECISION)
            .filter(Q(status__in=[R.REQUESTED, R.REPORTED]) | Q(due_at__lt=now))
            .select_related("project")
            .order_by("due_at", "pk")
        )
        context["reviews_awaiting_team"] = [r for r in reviews if r.status == R.REQUESTED]
        context["reviews_awaiting_decision"] = [r for r in reviews if r.status == R.REPORTED]
        context["reviews_overdue"] = [r for r in reviews if r.due_at < now]
    elif role in (User.Role.JISC, User.Role.EXPERT):
        context["seats"] = list(_open_seats(user))
        if role == User.Role.JISC:
            context["team_seats"] = list(
                ReviewTeamMember.objects.filter(user=user, review__status__in=Review.OPEN)
                .select_related("review__project")
                .order_by("review__due_at", "pk")
            )
            context["serving"] = rwf.is_serving_member(user)
    elif role in (User.Role.PARTICIPANT, User.Role.AIE) and user.organisation_id:
        org = user.organisation_id
        if role == User.Role.PARTICIPANT:
            to = Q(addressed_to__in=[TO.PARTICIPANTS, TO.BOTH], review__project__participants=org)
        else:
            to = Q(addressed_to__in=[TO.AIE, TO.BOTH], review__project__aie=org)
            context["corrections"] = list(
                Review.objects.filter(
                    status=R.CORRECTIONS, project__aie=org, corrections_submitted_at__isnull=True
                )
                .select_related("project")
                .order_by("decided_at", "pk")
            )
        context["clarifications"] = list(
            Clarification.objects.filter(
                to, answered_at__isnull=True, review__status__in=Review.OPEN
            )
            .select_related("review__project")
            .distinct()
            .order_by("due_at", "pk")
        )
    for item in context.get("clarifications", []):
        item.is_overdue = item.overdue(now)
    return context
