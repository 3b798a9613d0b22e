"""Browser pages: plain function views that validate a form and call one workflow function.

A ``DomainError`` from the workflow comes back on the form (as a field error when it names a
form field) with its HTTP status; nothing changes on error. Every page keeps to a fixed number
of queries whatever the data size (tests/web check it).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jitrack.web import GET_POST, act, bind, paginate, refuse

from . import deadlines
from . import workflow as wf
from .forms import (
    AIEChoiceForm,
    AnswerForm,
    ApprovalForm,
    ChangeAIEForm,
    CheckForm,
    CommentForm,
    DocumentForm,
    EngagementDecisionForm,
    ProjectForm,
    WithdrawForm,
)
from .models import Document, Engagement, Event, LetterOfApproval, Party, Project, User
from .selectors import public_projects, visible_projects
from .timeline import event_detail, event_label, project_events
from .web import action_page, project_or_404, to_project

S = Project.Status
# record_approval accepts letters until the determination is submitted.
APPROVAL_STATUSES = (S.DRAFT, S.ENGAGED, S.PDD_SUBMITTED, S.OPEN_FOR_COMMENTS, S.COMMENTS_CLOSED)


# --- public pages -----------------------------------------------------------------------------


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
        .order_by("-final_on", "-pk")
    )


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


def _with_pending_engagement(projects: QuerySet[Project]) -> QuerySet[Project]:
    pending = Engagement.objects.filter(project=OuterRef("pk"), status=Engagement.Status.PENDING)
    return projects.annotate(
        pending_engagement_id=Subquery(pending.values("pk")[:1]),
        pending_aie_id=Subquery(pending.values("aie_id")[:1]),
        pending_aie_name=Subquery(pending.values("aie__name")[:1]),
    )


def _with_fee(projects: QuerySet[Project]) -> QuerySet[Project]:
    from fees.models import FeeAssessment  # projects does not import fees at module level

    fee = FeeAssessment.objects.filter(
        project=OuterRef("pk"), kind=FeeAssessment.Kind.DETERMINATION
    )
    verification_fee = FeeAssessment.objects.filter(
        project=OuterRef("pk"), kind=FeeAssessment.Kind.VERIFICATION
    ).order_by("-number")
    return projects.annotate(
        fee_status=Subquery(fee.values("status")[:1]),
        fee_amount=Subquery(fee.values("amount_usd")[:1]),
        # the schedules applied are public (ji-rules §6); amounts and payments are not
        fee_schedule=Subquery(fee.values("schedule")[:1]),
        verification_fee_schedule=Subquery(verification_fee.values("schedule")[:1]),
    )


@login_required
def dashboard(request):
    user: User = request.user
    context: dict = {"role": user.role}
    org = user.organisation_id
    if user.role == User.Role.PARTICIPANT and org:
        projects = Project.objects.filter(participants=org).select_related("host_party", "aie")
        context["page"] = paginate(request, _with_pending_engagement(projects))
        context["can_create"] = user.has_perm("projects.create_project")
    elif user.role == User.Role.AIE and org:
        context["engagements"] = (
            Engagement.objects.filter(aie=org, status=Engagement.Status.PENDING)
            .select_related("project__host_party", "requested_by__organisation")
            .order_by("requested_at")
        )
        mine = Project.objects.filter(aie=org).select_related("host_party", "aie")
        context["tasks"] = (
            mine.filter(status__in=[S.ENGAGED, S.OPEN_FOR_COMMENTS, S.COMMENTS_CLOSED])
            .annotate(unanswered=Count("comments", filter=Q(comments__answer="")))
            .order_by("due_at", "pk")
        )
        context["page"] = paginate(request, mine)
    elif user.role == User.Role.SECRETARIAT or user.is_superuser:
        context["role"] = User.Role.SECRETARIAT
        context["pdds"] = (
            Project.objects.filter(status=S.PDD_SUBMITTED)
            .select_related("host_party", "aie")
            .order_by("updated_at")
        )
        context["reports"] = _with_fee(
            Project.objects.filter(status=S.DETERMINATION_SUBMITTED).select_related(
                "host_party", "aie"
            )
        ).order_by("updated_at")
        context["events"] = Event.objects.select_related("project").order_by("-created_at", "-pk")[
            :15
        ]
    elif user.role in (User.Role.JISC, User.Role.PARTY):
        from reviews.views import requestable_determinations  # no module-level import

        context["page"] = paginate(request, requestable_determinations(user))
    else:
        context["page"] = paginate(request, _in_review_window())
    from reviews.views import dashboard_context  # no module-level import

    context.update(dashboard_context(user, context["role"]))
    return render(request, "projects/dashboard.html", context)


# --- the project page -------------------------------------------------------------------------


def _page_queryset(user) -> QuerySet[Project]:
    projects = (
        visible_projects(user)
        .select_related("host_party", "aie")
        .prefetch_related("participants", "sectoral_scopes")
    )
    return _with_fee(_with_pending_engagement(projects))


def _parties_with_approvals(project: Project, *, review_requests: bool = False) -> list[Party]:
    """The host and other Parties involved, each with its letter of approval and, on request,
    its review request (one query)."""
    loa = LetterOfApproval.objects.filter(project=project, party=OuterRef("pk"))
    parties = (
        Party.objects.filter(Q(pk=project.host_party_id) | Q(involved_projects=project))
        .distinct()
        .annotate(
            loa_issued_on=Subquery(loa.values("issued_on")[:1]),
            loa_reference=Subquery(loa.values("reference")[:1]),
            loa_document_id=Subquery(loa.values("document_id")[:1]),
        )
    )
    if review_requests:
        from reviews.views import with_party_requests  # no module-level import

        parties = with_party_requests(parties, project)
    return sorted(parties, key=lambda p: (p.pk != project.host_party_id, p.name))


def visible_documents(user, project: Project, *, insider: bool) -> QuerySet[Document]:
    """Documents filtered in the query (STYLE habit 4): insiders (the project's participants,
    AIE and the secretariat, as in ``projects.view_document``) see all; everyone else only
    published, non-confidential ones of a published project."""
    documents = project.documents.all()
    if insider:
        return documents
    if not project.is_published:
        return documents.none()
    return documents.filter(confidential=False, published_at__isnull=False)


def _permissions(user, project: Project) -> dict[str, bool]:
    status = project.status
    has = user.has_perm
    engagement = None
    if project.pending_engagement_id:
        engagement = Engagement(
            pk=project.pending_engagement_id, aie_id=project.pending_aie_id, project=project
        )
    participant_may = status in wf.EDITABLE and has("projects.edit_project", project)
    return {
        "edit": participant_may,
        "upload": participant_may,
        "approve": status in APPROVAL_STATUSES and has("projects.edit_project", project),
        "engage": status == S.DRAFT and engagement is None and has("projects.engage_aie", project),
        "decide": engagement is not None and has("projects.decide_engagement", engagement),
        "change_aie": status in wf.AIE_CHANGE_STATUSES and has("projects.change_aie", project),
        "withdraw": status not in wf.TERMINAL and has("projects.withdraw_project", project),
        "submit_pdd": status == S.ENGAGED and has("projects.submit_pdd", project),
        "check_pdd": status == S.PDD_SUBMITTED and has("projects.check_pdd", project),
        "answer": status in (S.OPEN_FOR_COMMENTS, S.COMMENTS_CLOSED)
        and has("projects.answer_comment", project),
        "file_determination": status == S.COMMENTS_CLOSED
        and has("determinations.submit_determination", project),
        "check_determination": status == S.DETERMINATION_SUBMITTED
        and has("determinations.check_determination", project),
        "view_fees": project.fee_status is not None and has("fees.view_fees", project),
        "record_payment": project.fee_status == "due" and has("fees.record_payment", project),
        "view_email": has("projects.view_comment_email", project),
    }


def comments_open(project: Project, now=None) -> bool:
    return (
        project.status == S.OPEN_FOR_COMMENTS
        and project.pdd_available_on is not None
        and deadlines.window_open(
            now or timezone.now(), project.pdd_available_on, project.comments_close_at
        )
    )


def fee_schedules(project: Project) -> list:
    """The fee schedules applied to the project (public, ji-rules §6), or the one in force
    that will apply to its determination fee when none is assessed yet."""
    from fees.calculator import DEFAULT_SCHEDULE, SCHEDULES  # no module-level import of fees

    kinds_by_version: dict[str, list[str]] = {}
    for kind, version in (
        ("determination", project.fee_schedule),
        ("verification", project.verification_fee_schedule),
    ):
        if version in SCHEDULES:
            kinds_by_version.setdefault(version, []).append(kind)
    if not kinds_by_version:
        return [(SCHEDULES[DEFAULT_SCHEDULE], [])]
    return [(SCHEDULES[version], kinds) for version, kinds in kinds_by_version.items()]


def public_verifications(project: Project) -> list:
    """Verification reports made public (para 38), with the ERUs issued for each: one query,
    only once the determination is final (no verification exists before)."""
    if project.status != S.FINAL:
        return []
    from determinations.models import Verification  # no module-level import

    verifications = list(
        Verification.objects.filter(Verification.PUBLIC, project=project)
        .select_related("monitoring_report", "report")
        .order_by("number")
    )
    for ver in verifications:
        ver.status_label = ver.get_status_display()
        ver.period = (ver.monitoring_report.period_start, ver.monitoring_report.period_end)
    return verifications


def project_detail(request, key):
    from reviews.views import project_review_context, with_review  # no module-level import

    if "as_of" in request.GET:
        from .asof import project_as_of  # the page as published on a past day

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
    documents = list(visible_documents(user, project, insider=insider))
    visible_ids = {d.pk for d in documents}
    parties = _parties_with_approvals(project, review_requests=True)
    for party in parties:
        party.loa_visible = party.loa_document_id in visible_ids
    comments = list(project.comments.all()) if project.pdd_available_on else []
    events = list(project_events(project, insider=insider))
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
    can = _permissions(user, project)
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
            "events": events,
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


def document_download(request, pk: int):
    document = Document.objects.select_related("project").filter(pk=pk).first()
    if document is None or not request.user.has_perm("projects.view_document", document):
        raise Http404("No such document.")
    try:
        stream = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file of this document is missing.") from None
    return FileResponse(
        stream,
        content_type="application/pdf",
        filename=document.filename,
    )


# --- participant actions ----------------------------------------------------------------------


@login_required
@GET_POST
def project_new(request):
    if not request.user.has_perm("projects.create_project"):
        return refuse(request, "Only project participants can create projects.")
    form = bind(request, ProjectForm, user=request.user)
    return act(
        request,
        form,
        lambda data: wf.create_project(request.user, **data),
        template="projects/project_form.html",
        context={"title": "New project"},
        done=lambda p: (
            f"Project created. Expected average annual reductions: "
            f"{p.expected_annual_reductions:,} t CO2e."
        ),
        then=to_project,
    )


@login_required
@GET_POST
def project_edit(request, key):
    project = project_or_404(request, key)
    if not request.user.has_perm("projects.edit_project", project):
        return refuse(request, "Only the project participants can edit it.")
    initial = ProjectForm.initial_for(project, request.user) if request.method == "GET" else None
    form = bind(request, ProjectForm, user=request.user, initial=initial)
    return act(
        request,
        form,
        lambda data: wf.update_project(request.user, project, **data),
        template="projects/project_form.html",
        context={"title": f"Edit {project.title}", "project": project},
        done=lambda p: (
            f"Project saved. Expected average annual reductions: "
            f"{p.expected_annual_reductions:,} t CO2e."
        ),
        then=to_project,
    )


@login_required
@GET_POST
def document_upload(request, key):
    project = project_or_404(request, key)
    if not request.user.has_perm("projects.edit_project", project):
        return refuse(request, "Only the project participants can upload documents.")
    return action_page(
        request,
        project,
        bind(request, DocumentForm),
        lambda d: wf.add_document(
            request.user,
            project,
            kind=d["kind"],
            title=d["title"],
            uploaded=d["file"],
            confidential=d["confidential"],
        ),
        title="Upload a document",
        intro="PDF only, checked by content. A new upload of the same kind is a new version.",
        submit="Upload",
        done=lambda doc: f"Uploaded “{doc.title}” (version {doc.version}).",
    )


@login_required
@GET_POST
def approval_record(request, key):
    project = project_or_404(request, key)
    if not request.user.has_perm("projects.edit_project", project):
        return refuse(request, "Only the project participants can record letters of approval.")
    parties = _parties_with_approvals(project)
    form = bind(request, ApprovalForm, parties=parties)
    return action_page(
        request,
        project,
        form,
        lambda d: wf.record_approval(
            request.user,
            project,
            party=d["party"],
            issued_on=d["issued_on"],
            reference=d["reference"],
            uploaded=d["file"],
        ),
        title="Record a letter of approval",
        intro="The written approval of a Party involved (para 33 (a)).",
        submit="Record the letter",
        done=lambda loa: f"Letter of approval of {loa.party.name} recorded.",
    )


@login_required
@GET_POST
def engage(request, key):
    project = project_or_404(request, key)
    if not request.user.has_perm("projects.engage_aie", project):
        return refuse(request, "Only the project participants can engage an AIE.")
    return action_page(
        request,
        project,
        bind(request, AIEChoiceForm),
        lambda d: wf.engage_aie(request.user, project, d["aie"]),
        title="Engage an AIE",
        intro="The AIE must be accredited for determination in every sectoral scope of the "
        "project. It will be asked to accept or decline.",
        submit="Ask the AIE",
        done=lambda e: f"{e.aie.name} has been asked to take the engagement.",
    )


@login_required
@GET_POST
def change_aie(request, key):
    project = project_or_404(request, key)
    if not request.user.has_perm("projects.change_aie", project):
        return refuse(request, "Only the project participants can change the AIE.")
    return action_page(
        request,
        project,
        bind(request, ChangeAIEForm),
        lambda d: wf.change_aie(request.user, project, d["aie"], d["reason"]),
        title="Change the AIE",
        intro="Allowed after the comment period has ended and before the determination is "
        "submitted. The secretariat records the change.",
        submit="Change the AIE",
        done=lambda p: f"The AIE is now {p.aie.name}.",
    )


@login_required
@GET_POST
def withdraw(request, key):
    project = project_or_404(request, key)
    if not request.user.has_perm("projects.withdraw_project", project):
        return refuse(request, "Only the project participants can withdraw the project.")
    return action_page(
        request,
        project,
        bind(request, WithdrawForm),
        lambda d: wf.withdraw(request.user, project, d["reason"]),
        title="Withdraw the project",
        submit="Withdraw the project",
        done="The project is withdrawn.",
    )


# --- AIE actions ----------------------------------------------------------------------------


@login_required
@GET_POST
def engagement_decide(request, pk: int):
    engagement = (
        Engagement.objects.select_related("project__host_party", "aie").filter(pk=pk).first()
    )
    if engagement is None or not request.user.has_perm("projects.decide_engagement", engagement):
        raise Http404("No such engagement.")
    project = engagement.project
    form = bind(request, EngagementDecisionForm)
    return action_page(
        request,
        project,
        form,
        lambda d: wf.decide_engagement(
            request.user, engagement, accept=d["decision"] == "accept", reason=d["reason"]
        ),
        title="Accept or decline the engagement",
        intro=f"{project.title} asks {engagement.aie.name} to determine the project.",
        submit="Send the decision",
        done=lambda e: "Engagement accepted." if e.status == "accepted" else "Engagement declined.",
        then=lambda e: to_project(e.project) if e.status == "accepted" else redirect("dashboard"),
    )


@login_required
@GET_POST
def submit_pdd(request, key):
    project = project_or_404(request, key)
    if not request.user.has_perm("projects.submit_pdd", project):
        return refuse(request, "Only the engaged AIE can submit the PDD.")
    return action_page(
        request,
        project,
        bind(request, forms.Form),
        lambda _: wf.submit_pdd(request.user, project),
        title="Submit the PDD for publication",
        intro="The secretariat checks the PDD, gives the project its reference number and "
        "publishes it for 30 days of comments (para 32).",
        submit="Submit the PDD",
        done="PDD submitted to the secretariat for publication.",
    )


@GET_POST
def comment_add(request, key):
    project = project_or_404(request, key)
    form = bind(request, CommentForm)
    return act(
        request,
        form,
        lambda d: wf.add_comment(project, **d),
        template="projects/comment_form.html",
        context={"project": project, "comments_open": comments_open(project)},
        done="Thank you: your comment is published and sent to the AIE.",
        then=lambda _: redirect(f"/projects/{project.key}/#comments"),
    )


@login_required
@GET_POST
def comment_answer(request, key, comment_id: int):
    project = project_or_404(request, key)
    comment = project.comments.filter(pk=comment_id).first()
    if comment is None:
        raise Http404("No such comment.")
    if not request.user.has_perm("projects.answer_comment", project):
        return refuse(request, "Only the project's AIE can answer comments.")
    form = bind(request, AnswerForm, initial={"answer": comment.answer})
    return action_page(
        request,
        project,
        form,
        lambda d: wf.answer_comment(request.user, comment, d["answer"]),
        title=f"Answer the comment of {comment.name}",
        intro=comment.text,
        submit="Save the answer",
        done="Answer saved.",
        then=lambda c: redirect(f"/projects/{project.key}/#comment-{c.pk}"),
    )


# --- secretariat ------------------------------------------------------------------------------


@login_required
@GET_POST
def check_pdd(request, key):
    project = project_or_404(request, key)
    if not request.user.has_perm("projects.check_pdd", project):
        return refuse(request, "Only the secretariat checks PDD submissions.")
    return action_page(
        request,
        project,
        bind(request, CheckForm),
        lambda d: wf.check_pdd(
            request.user,
            project,
            accept=d["decision"] == "accept",
            available_on=d["available_on"],
            reason=d["reason"],
        ),
        title="Check the PDD",
        intro="Publish with a reference number (the comment period runs 30 days from the "
        "availability date), or return the PDD to the AIE with reasons.",
        submit="Record the check",
        done=lambda p: (
            f"Published as {p.reference}; comments until {p.comments_close_at:%-d %b %Y %H:%M} GMT."
            if p.status == S.OPEN_FOR_COMMENTS
            else "PDD returned to the AIE."
        ),
    )
