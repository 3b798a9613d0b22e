"""Pages for appraisals, review requests, reviews and JISC meetings.

Plain function views: a form validates shape, then one ``reviews.workflow`` call; a
``DomainError`` comes back on the form with its HTTP status and nothing changes.

Confidential (ji-rules §6): appraisal forms (F-JI-DA, F-JI-ExInpDA) are for the secretariat, JISC
members and (their own only) the appointed experts; to anyone else an appraisal does not exist
(404). The review team's working papers (the team, clarifications, the report) are for the
secretariat and JISC members until the JISC decides; the report is public with the decision;
the participants and the AIE see the clarifications addressed to them. What a viewer may not see
is left out of the queries, not hidden in the templates.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from determinations.selectors import verification_for
from jitrack.confirm import Consequences, ask, confirmed
from jitrack.errors import DomainError, Forbidden
from jitrack.web import GET_POST, act, apply_error, bind, paginate, refuse
from projects.models import Document, Project, User
from projects.rules import is_participant_of, is_project_aie
from projects.timeline import gmt_text
from projects.web import project_or_404

from . import deadlines, minutes, pdf, preview
from . import workflow as rwf
from .agenda import agenda_items
from .forms import (
    AnswerForm,
    AppointAppraisersForm,
    AppraisalForm,
    ClarificationForm,
    CorrectionsForm,
    DecideForm,
    MeetingForm,
    ReportForm,
    ReviewRequestForm,
    TeamForm,
)
from .models import (
    CRITERIA,
    VERIFICATION_CRITERIA,
    Appraisal,
    Appraiser,
    Clarification,
    ClarificationFile,
    Expert,
    Meeting,
    Review,
    ReviewRequest,
    criteria_of,
)

R = Review.Status
S = Project.Status
TO = Clarification.To
DETERMINATION = Review.Kind.DETERMINATION
# The determination is open to review requests and appraisal in these project statuses.
WINDOW = (S.DETERMINATION_PUBLISHED, S.UNDER_REVIEW)


def _staff(user, obj) -> bool:
    """Secretariat or JISC: may read appraisal forms and review working papers. Always asked
    about an object: without one, Django's ModelBackend also queries the user's permissions."""
    return user.has_perm("reviews.view_confidential", obj)


def _manage(user, obj) -> bool:
    return user.has_perm("reviews.manage", obj)


def _pdf(render_name: str, obj, filename: str) -> HttpResponse:
    """A PDF form from ``reviews.pdf``."""
    response = HttpResponse(getattr(pdf, render_name)(obj), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _serving_users() -> list[User]:
    """Serving JISC members and alternates, once each, by name (one query)."""
    users = {m.user.pk: m.user for m in rwf.serving_members(timezone.localdate())}
    return sorted(
        (u for u in users.values() if u.is_active and u.role == User.Role.JISC),
        key=lambda u: (u.last_name, u.first_name, u.username),
    )


# --- review requests (F-JI-DR) ---------------------------------------------------------------------


@login_required
@GET_POST
def review_request(request, key):
    project = project_or_404(request, key)
    user = request.user
    try:
        rwf.requester_for(user, project)  # the act's own rule on who may ask
    except Forbidden as err:
        return refuse(request, err.detail)
    form = bind(request, ReviewRequestForm)
    now = timezone.now()
    closes = project.review_window_closes_at
    return act(
        request,
        form,
        lambda d: rwf.request_review(user, project, reasons=form.reasons(), summary=d["summary"]),
        template="reviews/request_form.html",
        context={
            "project": project,
            "closes_at": closes,
            "window_open": project.status in WINDOW and closes is not None and now <= closes,
            "reason_fields": [form[key] for key, _ in CRITERIA],
        },
        done=_request_done,
        then=lambda req: (
            redirect("review_detail", pk=req.review_id)
            if req.review_id
            else redirect("project_detail", key=project.key)
        ),
    )


@login_required
@GET_POST
def verification_review(request, key, number: int):
    """F-JI-VR (para 39): a review of a published verification, asked in its 15-day window."""
    project = project_or_404(request, key)
    ver = verification_for(request.user, project, number)
    if ver is None:
        raise Http404(f"No verification {number} of project {project.key}.")
    user = request.user
    try:
        rwf.requester_for(user, project)  # the act's own rule on who may ask
    except Forbidden:
        return refuse(
            request,
            _(
                "A review is requested by the focal point of a Party involved or a serving JISC "
                "member."
            ),
        )
    form = bind(request, ReviewRequestForm, criteria=VERIFICATION_CRITERIA)
    return act(
        request,
        form,
        lambda d: rwf.request_verification_review(
            user, ver, reasons=form.reasons(), summary=d["summary"]
        ),
        template="determinations/verification/form.html",
        context={
            "project": project,
            "title": _("Request a review of F-JI-VRep (%(number)s) (F-JI-VR)")
            % {"number": ver.number},
            "intro": _(
                "Para 39: a review of a verification concerns the verification: whether "
                "the monitoring followed the monitoring plan and whether the verified amount is "
                "right. One Party involved, or three JISC members, start the review; the JISC "
                "decides within 30 days."
            ),
            "submit": _("Send the review request"),
            "verification": ver,
        },
        done=lambda req: (
            _("Your review request (F-JI-VR) was received at %(received_at)s.")
            % {"received_at": gmt_text(req.received_at)}
            + (_(" The review has started.") if req.review_id else "")
        ),
        then=lambda _: redirect("monitoring", key=project.key),
    )


def _request_done(req: ReviewRequest) -> str:
    text = _("Your review request (F-JI-DR) was received at %(received_at)s.") % {
        "received_at": gmt_text(req.received_at)
    }
    if req.review_id:
        text += _(" The review has started.")
    else:
        text += _(
            " A review starts when a Party involved or three JISC members have requested one."
        )
    return text


@require_GET
def request_pdf(request, pk: int):
    """F-JI-DR: public, like the request itself (ji-rules §6)."""
    req = ReviewRequest.objects.select_related("project", "party").filter(pk=pk).first()
    if req is None or not request.user.has_perm("projects.view_project", req.project):
        raise Http404("No such review request.")
    form = "F-JI-VR" if req.kind == Review.Kind.VERIFICATION else "F-JI-DR"
    return _pdf("render_review_request", req, f"{form}-{req.project.key}-{req.pk}.pdf")


# --- appraisals (F-JI-DA, F-JI-ExInpDA) ----------------------------------------------------------


def _candidates(project: Project) -> tuple[list[dict], list[dict]]:
    """Serving members and active experts, each with their open seats and the reason they
    cannot appraise this project (a conflict of interest, or a scope they do not cover)."""
    conflicts = rwf.Conflicts(project)
    load = rwf._workload()
    # the project's scopes as a subquery of the experts' query (the page's query budget)
    scopes = Project.sectoral_scopes.through.objects.filter(project=project.pk).values(
        "sectoralscope"
    )
    needed = scopes.order_by().values("project").annotate(n=Count("pk")).values("n")

    def candidate(user, reason=""):
        reason = reason or conflicts.reason(user)
        return {"user": user, "load": load.get(user.pk, 0), "conflict": reason}

    members = [candidate(u) for u in _serving_users()]
    experts = []
    for expert in (
        Expert.objects.filter(active=True, user__is_active=True)
        .select_related("user")
        .annotate(
            covered=Count("scopes", filter=Q(scopes__in=scopes), distinct=True),
            needed=Coalesce(Subquery(needed[:1]), 0),
        )
        .order_by("user__last_name", "user__username")
    ):
        reason = ""
        if expert.covered < expert.needed:
            reason = _("does not cover every sectoral scope of the project")
        experts.append(candidate(expert.user, reason))
    return members, experts


@login_required
@GET_POST
def appraisal_appoint(request, key):
    project = project_or_404(request, key)
    if not _manage(request.user, project):
        return refuse(request, _("Only the secretariat appoints appraisers."))
    existing = Appraisal.objects.filter(project=project).order_by("-pk").first()
    members, experts = _candidates(project)
    initial = None
    if request.method == "GET" and existing is None and project.status in WINDOW:
        # The proposal of rwf.propose_appraisers, from the candidates already loaded.
        load = {c["user"].pk: c["load"] for c in [*members, *experts]}
        initial = {
            name: [
                u.pk for u in rwf.rank([c["user"] for c in cands if not c["conflict"]], load)[:2]
            ]
            for name, cands in (("members", members), ("experts", experts))
        }
    form = bind(request, AppointAppraisersForm, members=members, experts=experts, initial=initial)
    return act(
        request,
        form,
        lambda d: rwf.appoint_appraisers(
            request.user,
            project,
            members=form.chosen("members"),
            experts=form.chosen("experts"),
        ),
        template="reviews/appoint.html",
        context={
            "project": project,
            "existing": existing,
            "members": members,
            "experts": experts,
            "in_window": project.status in WINDOW,
        },
        done=lambda a: (
            _("Appraisers appointed; their forms are due by %(due_at)s.")
            % {"due_at": gmt_text(a.due_at)}
        ),
        then=lambda a: redirect("appraisal_detail", pk=a.pk),
    )


def _appraisal_or_404(request, pk: int) -> tuple[Appraisal, list[Appraiser], Appraiser | None]:
    """The appraisal with its seats, for the secretariat, JISC members and its appointees."""
    appraisal = (
        Appraisal.objects.select_related("project", "project__host_party", "determination")
        .filter(pk=pk)
        .first()
    )
    if appraisal is None:
        raise Http404("No such appraisal.")
    user = request.user
    staff = _staff(user, appraisal)
    seats = appraisal.appraisers.select_related("user").order_by("-kind", "pk")  # members first
    if not staff:
        # An expert reads their own form only: the others' content is not even loaded.
        seats = seats.defer("criteria", "opinion", "comments")
    seats = list(seats)
    mine = next((s for s in seats if s.user_id == user.pk), None)
    if not (staff or mine):
        raise Http404("No such appraisal.")
    return appraisal, seats, mine


def _appraisal_page(request, appraisal, seats, mine, *, form=None, status=200):
    user = request.user
    staff = _staff(user, appraisal)
    now = timezone.now()
    project = appraisal.project
    filed = [s for s in seats if s.filed_at and (staff or s.user_id == user.pk)]
    for seat in filed:
        seat.rows = [
            {
                "label": label,
                "met": (seat.criteria.get(key) or {}).get("met"),
                "comment": (seat.criteria.get(key) or {}).get("comment", ""),
            }
            for key, label in CRITERIA
        ]
    may_file = (
        mine is not None
        and mine.no_conflict_declared_at is not None
        and mine.filed_at is None
        and project.status in WINDOW
    )
    if may_file and form is None:
        form = AppraisalForm()
    return render(
        request,
        "reviews/appraisal.html",
        {
            "appraisal": appraisal,
            "project": project,
            "seats": seats,
            "mine": mine,
            "filed": filed,
            "form": form,
            "may_file": may_file,
            "staff": staff,
            "overdue": appraisal.status == Appraisal.Status.OPEN
            and now > appraisal.due_at
            and project.status in WINDOW,
        },
        status=status,
    )


@login_required
@require_GET
def appraisal_detail(request, pk: int):
    return _appraisal_page(request, *_appraisal_or_404(request, pk))


@login_required
@GET_POST
def appraisal_declare(request, pk: int):
    appraisal, seats, mine = _appraisal_or_404(request, pk)
    if mine is None:
        return refuse(request, _("Only the appointed appraisers declare for their seat."))
    if request.method == "POST":
        try:
            rwf.declare_no_conflict(request.user, appraisal)
        except DomainError as err:
            return refuse(request, err.detail, err.status)
        messages.success(request, _("You declared that you have no conflict of interest."))
    return redirect("appraisal_detail", pk=pk)


@login_required
@GET_POST
def appraisal_file(request, pk: int):
    appraisal, seats, mine = _appraisal_or_404(request, pk)
    if mine is None:
        return refuse(request, _("Only the appointed appraisers file appraisals."))
    if request.method != "POST":
        return redirect("appraisal_detail", pk=pk)
    form = AppraisalForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            seat = rwf.file_appraisal(
                request.user,
                appraisal,
                criteria=form.criteria(),
                opinion=form.cleaned_data["opinion"],
                comments=form.cleaned_data["comments"],
            )
        except DomainError as err:
            status = apply_error(form, err)
        else:
            messages.success(
                request, _("Your %(form_name)s is filed.") % {"form_name": seat.form_name}
            )
            return redirect("appraisal_detail", pk=pk)
    return _appraisal_page(request, appraisal, seats, mine, form=form, status=status)


@login_required
@require_GET
def appraisal_pdf(request, pk: int):
    """A filed F-JI-DA or F-JI-ExInpDA: the secretariat, JISC members and its own author."""
    seat = (
        Appraiser.objects.select_related("appraisal__project", "user")
        .filter(pk=pk, filed_at__isnull=False)
        .first()
    )
    if seat is None or not (_staff(request.user, seat) or seat.user_id == request.user.pk):
        raise Http404("No such appraisal form.")
    name = f"{seat.form_name}-{seat.appraisal.project.key}-{seat.pk}.pdf"
    return _pdf("render_appraisal", seat, name)


# --- the review ------------------------------------------------------------------------------------


def _review_or_404(request, pk: int) -> Review:
    review = (
        Review.objects.select_related(
            "project", "project__host_party", "project__aie", "decided_at_meeting"
        )
        .filter(pk=pk)
        .first()
    )
    if review is None or not request.user.has_perm("projects.view_project", review.project):
        raise Http404("No such review.")
    return review


def _addressed_to(user, project: Project) -> list[str]:
    """The clarifications the viewer answers for their organisation (as ``rwf.may_answer``)."""
    to = []
    if is_participant_of(user, project):
        to += [TO.PARTICIPANTS, TO.BOTH]
    if is_project_aie(user, project):
        to += [TO.AIE, TO.BOTH]
    return to


def _review_page(request, review: Review, *, status: int = 200, **forms) -> HttpResponse:
    user = request.user
    project = review.project
    now = timezone.now()
    staff = _staff(user, review)
    manage = _manage(user, review)
    requests = review.requests.select_related("party").order_by("received_at", "pk")
    if not staff:
        requests = requests.defer("reasons", "summary")
    requests = list(requests)
    if staff:
        for req in requests:
            req.reason_rows = [
                (label, req.reasons.get(key))
                for key, label in criteria_of(req.kind)
                if req.reasons.get(key)
            ]
    team = list(review.team.select_related("user")) if staff else []
    on_team = any(t.user_id == user.pk for t in team)
    answerable = [] if staff else _addressed_to(user, project)
    clarifications = []
    if staff or answerable:
        qs = review.clarifications.prefetch_related("files")
        if not staff:
            qs = qs.filter(addressed_to__in=answerable)
        clarifications = list(qs)
    for clar in clarifications:
        clar.is_overdue = clar.overdue(now)
    decided = review.decided_at is not None
    can = {
        "appoint_team": manage and review.status == R.REQUESTED,
        "clarify": on_team and review.status in (R.IN_PROGRESS, R.REPORTED),
        "report": on_team and review.status == R.IN_PROGRESS,
        "decide": manage and review.status == R.REPORTED,
        "confirm": manage
        and review.status == R.CORRECTIONS
        and review.corrections_submitted_at is not None,
        "correct": review.status == R.CORRECTIONS and is_project_aie(user, project),
        "answer": bool(answerable) and review.is_open,
    }
    if can["appoint_team"] and "team_form" not in forms:
        forms["team_form"] = TeamForm(candidates=_serving_users())
    if can["clarify"] and "clarification_form" not in forms:
        forms["clarification_form"] = ClarificationForm()
    if can["report"] and "report_form" not in forms:
        forms["report_form"] = ReportForm()
    if can["decide"] and "decide_form" not in forms:
        forms["decide_form"] = DecideForm(meetings=_started_meetings())
    if can["confirm"]:
        # What the secretariat confirms: the corrected report, in view on the page.
        forms["corrected_report"] = (
            project.documents.filter(kind=Document.Kind.DETERMINATION_REPORT)
            .order_by("-version", "-pk")
            .first()
        )
    if can["correct"] and "corrections_form" not in forms:
        forms["corrections_form"] = CorrectionsForm()
    return render(
        request,
        "reviews/review.html",
        {
            "review": review,
            "project": project,
            "staff": staff,
            "requests": requests,
            "party_requests": [r for r in requests if r.party_id],
            "member_requests": sum(1 for r in requests if r.by == ReviewRequest.By.JISC),
            "team": team,
            "on_team": on_team,
            "clarifications": clarifications,
            "overdue": review.overdue(now),
            "decided": decided,
            # F-JI-RRep: working paper until the decision, public with it (ji-rules §6).
            "show_report": bool(review.reported_at) and (staff or decided),
            "can": can,
            "manage": manage,
            **forms,
        },
        status=status,
    )


def _started_meetings() -> list[Meeting]:
    return list(Meeting.objects.filter(starts_on__lte=timezone.localdate()).order_by("-starts_on"))


@require_GET
def review_detail(request, pk: int):
    return _review_page(request, _review_or_404(request, pk))


def _on_team(user, review: Review) -> bool:
    return review.team.filter(user=user.pk).exists()


def _review_action(
    request, pk, *, form_name, make_form, allowed, refusal, call, done, consequences=None
):
    """POST one review action; on a refusal the review page comes back with the form. With
    ``consequences(review, form)`` (``jitrack.confirm``) a valid POST is first confirmed: for
    acts that cannot be undone."""
    review = _review_or_404(request, pk)
    if not allowed(request.user, review):
        return refuse(request, refusal)
    if request.method != "POST":
        return redirect("review_detail", pk=pk)
    form = make_form(request)
    status = 400
    if form.is_valid() and consequences is not None and not confirmed(request):
        said = consequences(review, form)
        if said is not None:
            return ask(request, said)
    if form.is_valid():
        try:
            result = call(review, form)
        except DomainError as err:
            status = apply_error(form, err)
        else:
            messages.success(request, done(result) if callable(done) else done)
            return redirect("review_detail", pk=pk)
    return _review_page(request, review, status=status, **{form_name: form})


def _secretariat(user, review) -> bool:
    return _manage(user, review)


@login_required
@GET_POST
def review_team(request, pk: int):
    return _review_action(
        request,
        pk,
        form_name="team_form",
        make_form=lambda r: TeamForm(r.POST, candidates=_serving_users()),
        allowed=_secretariat,
        refusal=_("Only the secretariat appoints review teams."),
        call=lambda review, form: rwf.appoint_team(
            request.user, review, members=form.chosen()[0], lead=form.chosen()[1]
        ),
        done=_("Review team appointed; the review is under way."),
    )


@login_required
@GET_POST
def review_clarify(request, pk: int):
    return _review_action(
        request,
        pk,
        form_name="clarification_form",
        make_form=lambda r: ClarificationForm(r.POST),
        allowed=_on_team,
        refusal=_("Only the review team asks for clarification."),
        call=lambda review, form: rwf.send_clarification(request.user, review, **form.cleaned_data),
        done=lambda c: (
            _(
                "Request for clarification %(number)s (F-JI-Clar) sent; the answer is due by %(due_at)s."
            )
            % {"number": c.number, "due_at": gmt_text(c.due_at)}
        ),
    )


@login_required
@GET_POST
def review_report(request, pk: int):
    if request.method == "POST" and "preview" in request.POST:
        return _review_report_preview(request, pk)
    return _review_action(
        request,
        pk,
        form_name="report_form",
        make_form=lambda r: ReportForm(r.POST),
        allowed=_on_team,
        refusal=_("Only the review team files the report."),
        call=lambda review, form: rwf.file_report(request.user, review, **form.cleaned_data),
        done=_("Report (F-JI-RRep) filed; the secretariat puts the decision to the JISC."),
    )


def _review_report_preview(request, pk: int) -> HttpResponse:
    """F-JI-RRep as it would be filed, opened in the browser; nothing is written
    (``reviews.preview``). What the filing would refuse comes back on the form."""
    review = _review_or_404(request, pk)
    if not _on_team(request.user, review):
        return refuse(request, _("Only the review team files the report."))
    form = ReportForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            return preview.review_report(request.user, review, **form.cleaned_data)
        except DomainError as err:
            status = apply_error(form, err)
    return _review_page(request, review, status=status, report_form=form)


@login_required
@GET_POST
def review_decide(request, pk: int):
    return _review_action(
        request,
        pk,
        form_name="decide_form",
        make_form=lambda r: DecideForm(r.POST, meetings=_started_meetings()),
        allowed=_secretariat,
        refusal=_("Only the secretariat records JISC decisions."),
        call=lambda review, form: rwf.decide(
            request.user,
            review,
            decision=form.cleaned_data["decision"],
            reasons=form.cleaned_data["reasons"],
            meeting=form.chosen_meeting(),
        ),
        done=lambda r: (
            _("Decision recorded: %(decision)s. It is public with its reasons.")
            % {"decision": r.get_decision_display().lower()}
        ),
        consequences=lambda review, form: (
            None
            if review.status != R.REPORTED
            else Consequences(
                title=_("Record the decision of the JISC on %(title)s?")
                % {"title": review.project.title},
                what=[
                    _(
                        "The decision is final (para 35): it is published with its reasons and "
                        "the review team's report, and sent to the project participants."
                    ),
                    _(
                        "Confirmed: the determination stands as filed; rejected: the project "
                        "does not pass; corrections required: the AIE submits a corrected report."
                    ),
                ],
                submit=_("Record the decision"),
                cancel=reverse("review_detail", args=[review.pk]) + "#decide",
            )
        ),
    )


@login_required
@GET_POST
def review_corrections(request, pk: int):
    return _review_action(
        request,
        pk,
        form_name="corrections_form",
        make_form=lambda r: CorrectionsForm(r.POST, r.FILES),
        allowed=lambda user, review: is_project_aie(user, review.project),
        refusal=_("Only the project's AIE submits the corrected report."),
        call=lambda review, form: rwf.submit_corrections(
            request.user,
            review,
            uploaded=form.cleaned_data["file"],
            note=form.cleaned_data["note"],
        ),
        done=_(
            "Corrected determination report submitted; the secretariat confirms the corrections."
        ),
    )


@login_required
@GET_POST
def review_confirm(request, pk: int):
    return _review_action(
        request,
        pk,
        form_name="confirm_form",
        make_form=lambda r: forms.Form(r.POST),
        allowed=_secretariat,
        refusal=_("Only the secretariat confirms corrections."),
        call=lambda review, form: rwf.confirm_corrections(request.user, review),
        done=_("Corrections confirmed: the determination is final."),
        consequences=lambda review, form: (
            None
            if review.status != R.CORRECTIONS or not review.corrections_submitted_at
            else Consequences(
                title=_("Confirm the corrections to the determination of %(title)s?")
                % {"title": review.project.title},
                what=[
                    _(
                        "The corrected determination report is published and the determination "
                        "is final, as if the JISC had confirmed the corrected report (para 35)."
                    ),
                    _("This cannot be undone."),
                ],
                submit=_("Confirm the corrections were made"),
                cancel=reverse("review_detail", args=[review.pk]) + "#confirm",
            )
        ),
    )


@require_GET
def review_report_pdf(request, pk: int):
    review = _review_or_404(request, pk)
    if not review.reported_at or not (_staff(request.user, review) or review.decided_at):
        raise Http404("No report to show.")
    return _pdf("render_review_report", review, f"F-JI-RRep-{review.project.key}.pdf")


# --- clarifications (F-JI-Clar) --------------------------------------------------------------------


def _clarification_or_404(request, pk: int) -> tuple[Clarification, bool]:
    """The clarification and whether the viewer answers it: for its addressees, the
    secretariat and JISC members (the team among them); 404 for anyone else."""
    clar = (
        Clarification.objects.select_related("review", "review__project", "answered_by")
        .prefetch_related("files")
        .filter(pk=pk)
        .first()
    )
    if clar is None:
        raise Http404("No such request for clarification.")
    addressee = rwf.may_answer(request.user, clar)
    if not (addressee or _staff(request.user, clar)):
        raise Http404("No such request for clarification.")
    return clar, addressee


@login_required
@GET_POST
def clarification_detail(request, pk: int):
    clar, addressee = _clarification_or_404(request, pk)
    if request.method == "POST" and not addressee:
        return refuse(request, _("This request for clarification is not addressed to you."))
    form = bind(request, AnswerForm)
    return act(
        request,
        form,
        lambda d: rwf.answer_clarification(
            request.user, clar, answer=d["answer"], files=form.attachments()
        ),
        template="reviews/clarification.html",
        context={
            "clar": clar,
            "review": clar.review,
            "project": clar.review.project,
            "overdue": clar.overdue(),
            "may_answer": addressee and not clar.answered_at and clar.review.is_open,
        },
        done=_("Your answer is sent to the review team."),
        then=lambda c: redirect("clarification_detail", pk=c.pk),
    )


@login_required
@require_GET
def clarification_pdf(request, pk: int):
    clar, _ = _clarification_or_404(request, pk)
    name = f"F-JI-Clar-{clar.review.project.key}-{clar.number}.pdf"
    return _pdf("render_clarification", clar, name)


@login_required
@require_GET
def clarification_file(request, pk: int):
    attachment = ClarificationFile.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404("No such file.")
    _clarification_or_404(request, attachment.clarification_id)
    try:
        stream = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    return FileResponse(
        stream,
        content_type="application/pdf",
        filename=attachment.file.name.rsplit("/", 1)[-1].split("-", 1)[-1],
    )


# --- JISC meetings ---------------------------------------------------------------------------------


def _meeting_or_404(number: int) -> Meeting:
    meeting = Meeting.objects.filter(number=number).first()
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


@require_GET
def meeting_list(request):
    return render(
        request,
        "reviews/meetings.html",
        {
            "page": paginate(request, Meeting.objects.order_by("-starts_on", "-number")),
            "manage": _manage(request.user, None),
            "today": timezone.localdate(),
        },
    )


def _meeting_form(request, meeting: Meeting | None):
    if not _manage(request.user, meeting):
        return refuse(request, _("Only the secretariat manages JISC meetings."))
    initial = None
    if meeting is not None and request.method == "GET":
        initial = {
            f: getattr(meeting, f)
            for f in ("number", "starts_on", "ends_on", "place", "electronic")
        }
    form = bind(request, MeetingForm, initial=initial)
    return act(
        request,
        form,
        lambda d: rwf.save_meeting(request.user, meeting, **d),
        template="reviews/meeting_form.html",
        context={"meeting": meeting},
        done=lambda m: (
            _("%(m)s saved. The due dates of open reviews follow the meeting calendar.") % {"m": m}
        ),
        then=lambda m: redirect("meeting_detail", number=m.number),
    )


@login_required
@GET_POST
def meeting_new(request):
    return _meeting_form(request, None)


@login_required
@GET_POST
def meeting_edit(request, number: int):
    return _meeting_form(request, _meeting_or_404(number))


def _public_agenda(items: dict) -> dict:
    """What the public may read of an agenda: the reviews before the JISC (public facts), without
    the teams' recommendations, the open appraisals or the corrections awaited (ji-rules §6)."""
    keep = ("review", "project", "due_at", "status_label", "overdue")
    return {
        "decisions": [
            {k: i[k] for k in ("review", "project", "due_at")} for i in items["decisions"]
        ],
        "reviews_due": [{k: i[k] for k in keep} for i in items["reviews_due"]],
        "appraisals": None,
        "corrections": None,
    }


@require_GET
def meeting_detail(request, number: int):
    """A meeting with its agenda (``reviews.agenda``) until it ends, and the decisions taken at
    it. The agenda in full, with the PDF, is for the secretariat and the JISC."""
    meeting = _meeting_or_404(number)
    staff = _staff(request.user, meeting)
    past = meeting.ends_on < timezone.localdate()
    agenda = None
    if not past:
        agenda = agenda_items(meeting)
        if not staff:
            agenda = _public_agenda(agenda)
    return render(
        request,
        "reviews/meeting.html",
        {
            "meeting": meeting,
            "past": past,
            "agenda": agenda,
            "end": deadlines.meeting_end(meeting.ends_on),
            "decided": list(
                Review.objects.filter(decided_at_meeting=meeting)
                .select_related("project")
                .order_by("decided_at", "pk")
            ),
            "staff": staff,
            "manage": _manage(request.user, meeting),
            # reviews.minutes: public once published; a draft for the secretariat and the JISC
            "minutes_items": (
                list(meeting.items.select_related("review__project").order_by("paragraph", "pk"))
                if minutes.visible(request.user, meeting)
                else None
            ),
        },
    )


@login_required
@require_GET
def meeting_agenda_pdf(request, number: int):
    """The agenda lists open appraisals: for the secretariat and JISC members."""
    meeting = _meeting_or_404(number)
    if not _staff(request.user, meeting):
        raise Http404("No such agenda.")
    return _pdf("render_agenda", meeting, f"JISC-{meeting.number}-agenda.pdf")
