"""The pages composed from every stage: the home page, each role's dashboard and the project
page. Each reads through the apps' selectors and asks their guards what the viewer may do, in a
fixed number of queries whatever the data size (tests/registry check it)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import F, QuerySet
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from determinations import issuance, track1
from determinations import verification as vwf
from determinations.models import EruBlock, MonitoringReport, Verification
from determinations.selectors import available_actions as determination_actions
from determinations.selectors import public_verifications, verification_visible
from fees.selectors import available_actions as fee_actions
from fees.selectors import fee_schedules, with_fee
from jitrack.errors import Forbidden
from jitrack.web import paginate, part_of_page
from projects import workflow as wf
from projects.changes import with_participation_changes
from projects.components import with_components
from projects.forms import CommentForm
from projects.models import Counter, Document, Project, User
from projects.selectors import (
    available_actions,
    comments_open,
    host_first,
    mail_problems,
    open_clock_faults,
    parties_with_approvals,
    public_projects,
    visible_documents,
    visible_projects,
    with_expected,
    with_history_counts,
    with_pending_engagement,
)
from projects.timeline import event_detail, event_label, project_events
from projects.web import project_or_404
from reviews import workflow as rwf
from reviews.selectors import (
    project_review_context,
    with_party_requests,
    with_review,
)

from . import context_processors, queues
from .asof import COMMENTS_PER_PAGE, EVENTS_PER_PAGE, project_as_of

S = Project.Status


def _open_for_comments() -> QuerySet[Project]:
    return (
        public_projects()
        .filter(status=S.OPEN_FOR_COMMENTS)
        .select_related("host_party", "aie")
        .order_by("comments_close_at", "pk")
    )


def _in_review_window() -> QuerySet[Project]:
    return (
        public_projects()
        .filter(status=S.DETERMINATION_PUBLISHED)
        .select_related("host_party", "aie")
        .order_by("review_window_closes_at", "pk")
    )


def _final() -> QuerySet[Project]:
    return (
        public_projects()
        .filter(status=S.FINAL)
        .select_related("host_party", "aie")
        # as the index ``project_newest_final`` reads (a final project always has the day)
        .order_by(F("final_on").desc(nulls_last=True), "-pk")
    )


@require_safe
def health(request):
    """For a load balancer and for the benchmark's floor (``bench/registry.py``): the app and its
    database answer. One indexed query, through the same middleware as every page."""
    Counter.objects.filter(name="project_reference").exists()
    return JsonResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


@require_safe
def home(request):
    return render(
        request,
        "projects/home.html",
        {
            "open": _open_for_comments()[:5],
            "determinations": _in_review_window()[:5],
            "final": _final()[:5],
        },
    )


# --- dashboard ----------------------------------------------------------------------------------


@login_required
@require_safe
def dashboard(request):
    """Each role's work queues (``registry.queues``): what waits for this user, by deadline,
    each with the act that clears it; then the projects the user follows."""
    user: User = request.user
    work = context_processors.work(request)["work"]
    context: dict = {
        "role": user.role,
        "queues": (mine := queues.work(user, work.counts)),
        "clear": [queue for queue in mine if not queue.count],
        "can_create": user.has_perm("projects.create_project"),
    }
    org = user.organisation_id
    if user.role == User.Role.PARTICIPANT and org:
        projects = Project.objects.filter(participants=org).select_related("host_party", "aie")
        context["page"] = paginate(request, with_pending_engagement(projects))
    elif user.role == User.Role.AIE and org:
        context["page"] = paginate(
            request, Project.objects.filter(aie=org).select_related("host_party", "aie")
        )
    elif user.role == User.Role.PARTY and user.party_id:
        hosted = Project.objects.filter(host_party=user.party_id).exclude(status=S.DRAFT)
        context["page"] = paginate(request, hosted.select_related("host_party", "aie"))
        context["issuance_url"] = reverse("party_issuance", args=[user.party.code])
    elif user.role == User.Role.SECRETARIAT:
        # listed only when there are some: no query on an ordinary day
        if work.counts.get("clock_faults"):
            context["clock_faults"] = open_clock_faults()
        if work.counts.get("mail_problems"):
            context["mail_problems"] = mail_problems()
    elif user.role == User.Role.JISC:
        context["meeting"] = queues.next_meeting()
    return render(request, "projects/dashboard.html", context)


# --- the project page -------------------------------------------------------------------------


def _page_queryset(user) -> QuerySet[Project]:
    projects = (
        visible_projects(user)
        .select_related("host_party", "aie")
        .prefetch_related("participants", "sectoral_scopes")
    )
    return with_expected(
        with_participation_changes(
            with_components(with_history_counts(with_fee(with_pending_engagement(projects))))
        )
    )


@require_safe
def project_detail(request, key):
    if "as_of" in request.GET:  # the page as published on a past day
        project = project_or_404(
            request,
            key,
            public_projects()
            .select_related("host_party", "aie")
            .prefetch_related("participants", "sectoral_scopes", "parties_involved"),
        )
        return project_as_of(request, project, request.GET["as_of"])
    user = request.user
    project = project_or_404(request, key, with_review(_page_queryset(user), user))
    insider = user.has_perm("projects.view_history", project)
    documents = list(visible_documents(user, project))
    visible_ids = {d.pk for d in documents}
    parties = host_first(with_party_requests(parties_with_approvals(project), project), project)
    for party in parties:
        party.loa_visible = party.loa_document_id in visible_ids
        # the act's own rule on who confirms (``projects.workflow.confirm_approval``)
        party.may_confirm = bool(
            party.loa_id and not party.loa_confirmed_at and wf.is_focal_point(user, party)
        )
        # ... and records its own letter while the project has not ended
        party.may_record = bool(
            not party.loa_id
            and project.status not in wf.ENDED_UNVERIFIABLE
            and wf.is_focal_point(user, party)
        )
    comment_pages = None
    comments: list = []
    if project.pdd_available_on:
        comment_pages = part_of_page(
            request,
            project.comments.all(),
            param="comments",
            per_page=COMMENTS_PER_PAGE,
            count=project.comment_total,
        )
        comments = comment_pages["items"]
    timeline = part_of_page(
        request,
        project_events(project, insider=insider),
        param="events",
        per_page=EVENTS_PER_PAGE,
        newest_first=True,
        count=project.event_total if insider else project.public_event_total,
    )
    events = timeline["items"]
    for event in events:
        event.label = event_label(event.kind)
        event.detail = event_detail(event)
    report = next(
        (
            d
            for d in documents
            if d.kind == Document.Kind.DETERMINATION_REPORT and d.published_at is not None
        ),
        None,
    )
    deadline_label = {
        S.OPEN_FOR_COMMENTS: _("Comment period closes"),
        S.DETERMINATION_PUBLISHED: _("Review window closes"),
    }.get(project.status)
    can = {
        **available_actions(project, user),
        **determination_actions(project, user),
        **fee_actions(project, user),
        "view_email": user.has_perm("projects.view_comment_email", project),
        # para 23: the host's focal point records the verifications of a Track 1 project
        "track1_verification": track1.may_record_verification(user, project),
    }
    review = project_review_context(request, project, parties)
    can.update(review.pop("can"))
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "insider": insider,
            "documents": documents,
            "parties": parties,
            "comments": comments,
            "comment_pages": comment_pages,
            "comment_count": comment_pages["page"].paginator.count if comment_pages else 0,
            "events": events,
            "timeline": timeline,
            "report": report if project.determination_available_on else None,
            "deadline_label": deadline_label,
            "can": can,
            "comments_open": comments_open(project),
            "comment_form": CommentForm(),
            "acts": any(v for k, v in can.items() if k not in ("view_fees", "view_email")),
            "verifications": public_verifications(project),
            "fee_schedules": fee_schedules(project),
            **review,
        },
    )


# --- the monitoring page: reports, changes, verifications, fees, review requests, ERUs --------

V = Verification.Status
M = MonitoringReport.Status


def _may_request_review(user, project: Project) -> bool:
    """F-JI-VR: the act's own rule on who asks (``reviews.workflow.requester_for``)."""
    if not user.is_authenticated:
        return False
    try:
        rwf.requester_for(user, project)
    except Forbidden:
        return False
    return True


def _verification_of(report: MonitoringReport) -> Verification | None:
    try:
        return report.verification
    except Verification.DoesNotExist:
        return None


def _per_component(reports: list) -> list[dict]:
    """A programme's reductions per component: claimed (reports not withdrawn or rejected),
    verified (final verifications shown) and ERUs issued, from the rows the monitoring page has
    (``determinations.verification`` COMPONENT_MONITORING). Empty for a project without
    components."""
    rows: dict[int, dict] = {}
    for report in reports:
        if report.component is None:
            continue
        row = rows.setdefault(
            report.component.number,
            {"component": report.component, "claimed": 0, "verified": 0, "issued": 0},
        )
        if report.status not in ("withdrawn", "rejected"):
            row["claimed"] += report.claimed_total
        ver = report.shown_verification
        if ver is not None and ver.status == V.FINAL:
            row["verified"] += ver.verified_total
            row["issued"] += ver.erus_issued
    return [rows[n] for n in sorted(rows)]


@require_safe
def monitoring(request, key):
    """Public: monitoring reports, changes, verifications, reconciliation and the acts this user
    may do (the acts' own guards). A fixed number of queries whatever the number of rows."""
    if "as_of" in request.GET:
        # The project page as published on that day carries its verifications and ERUs.
        query = urlencode({"as_of": request.GET["as_of"]})
        return redirect(f"{reverse('project_detail', args=[key])}?{query}#verifications")
    user = request.user
    project = project_or_404(
        request,
        key,
        visible_projects(user).select_related("host_party").prefetch_related("participants"),
    )
    insider = user.has_perm("projects.view_history", project)
    guards = vwf.GUARDS
    may_transfer = user.has_perm("determinations.issue_erus", project.host_party)
    now = timezone.now()

    reports = list(
        MonitoringReport.objects.filter(project=project).select_related(
            "aie", "verification", "component"
        )
    )
    for report in reports:
        if report.component is not None:
            report.component.project = project  # its reference, without a query
    verifications = []
    for report in reports:
        ver = _verification_of(report)
        if ver is not None and not verification_visible(
            user, insider, available_on=ver.available_on, aie_id=ver.aie_id
        ):
            ver = None  # filed but not yet published: not public (ji-rules §6)
        report.shown_verification = ver
        report.may_withdraw = guards["withdraw_monitoring"].allows(
            user, report, project
        ) and vwf.withdrawable(report, ver)
        report.may_verify = ver is None and guards["verify"].allows(user, report)
        # ji-rules §7: the act decides the rest (``verification.change_verification_aie``)
        filed = _verification_of(report)
        report.may_change_aie = (
            project.status == Project.Status.FINAL
            and vwf.CHANGE_VERIFICATION_AIE.allows(user, report, project)
            and (filed is None or filed.status == V.SUBMITTED)
        )
        if ver is not None:
            ver.monitoring_report = report
            verifications.append(ver)
    verifications.sort(key=lambda v: v.number)
    shown = {v.pk for v in verifications}
    changes = list(project.changes.select_related("addressed_in"))
    for change in changes:
        change.shown_verification = change.addressed_in if change.addressed_in_id in shown else None

    fees = {}
    if user.has_perm("fees.view_fees", project) and user.has_perm("fees.record_payment", project):
        fees = {f.number: f for f in project.fees.filter(kind="verification")}
    may_review = any(
        v.status in (V.PUBLISHED, V.UNDER_REVIEW) for v in verifications
    ) and _may_request_review(user, project)
    for ver in verifications:
        ver.fee = fees.get(ver.number)
        ver.window_open = (
            ver.status in (V.PUBLISHED, V.UNDER_REVIEW)
            and ver.review_window_closes_at is not None
            and now <= ver.review_window_closes_at
        )
        ver.may_review = may_review and ver.window_open
        ver.may_publish = guards["publish"].allows(user, ver, project)
        ver.may_issue = may_transfer and issuance.issuable(ver)
    blocks = []
    if any(v.erus_issued for v in verifications):
        blocks = list(
            EruBlock.objects.filter(issuance__verification__project=project, active=True)
            .select_related("issuance__verification")
            .order_by("serial_start")
        )
        # each block's component (a programme's): the verification shown above, no query
        by_pk = {v.pk: v for v in verifications}
        for block in blocks:
            ver = by_pk.get(block.issuance.verification_id)
            block.component = ver.monitoring_report.component if ver is not None else None
    return render(
        request,
        "determinations/verification/monitoring.html",
        {
            "project": project,
            "reports": reports,
            "changes": changes,
            "verifications": verifications,
            "reconciliation": issuance.reconciliation(project, reports),
            "per_component": _per_component(reports),
            "blocks": blocks,
            "can": {
                "submit": guards["submit_monitoring"].allows(user, project),
                "transfer": may_transfer,
                "issue": may_transfer,
                "accounts": user.has_perm("determinations.name_registry_accounts", project),
            },
            "host_dfp": may_transfer,
        },
    )
