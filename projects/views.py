"""Browser pages: plain function views that validate a form and call one workflow function.

A ``DomainError`` from the workflow comes back on the form (as a field error when it names a
form field) with its HTTP status; nothing changes on error. Every page keeps to a fixed number
of queries whatever the data size (tests/projects check it).
"""

from __future__ import annotations

from csp.decorators import csp_replace
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from jitrack.confirm import Consequences, act_confirmed, ask, confirmed
from jitrack.errors import TooMany
from jitrack.web import GET_POST, act, bind, refuse

from . import accounts, checks
from . import workflow as wf
from .forms import (
    AIEChoiceForm,
    AnswerForm,
    ApprovalForm,
    ChangeAIEForm,
    CheckForm,
    CommentForm,
    ConfirmApprovalForm,
    DocumentAsideForm,
    DocumentForm,
    EngagementDecisionForm,
    ProjectForm,
    RemoveCommentForm,
    TerminateForm,
    WithdrawForm,
)
from .models import Accreditation, Comment, Document, Engagement, LetterOfApproval, Project
from .selectors import comments_open, host_first, parties_with_approvals, visible_projects
from .timeline import day_text, gmt_text
from .web import action_page, project_or_404, to_project

S = Project.Status
# record_approval accepts letters until the determination is submitted.
APPROVAL_STATUSES = (S.DRAFT, S.ENGAGED, S.PDD_SUBMITTED, S.OPEN_FOR_COMMENTS, S.COMMENTS_CLOSED)


# The check pages show a document inline in a frame of this site (``_document_viewer.html``): the
# download may be framed by this site only, never by another.
@require_safe
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
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


@require_safe
def comment_attachment(request, pk: int):
    """The PDF attached to a public comment: public with the comment, gone with it when the
    secretariat removes the comment (ji-rules §7 "Public comments")."""
    comment = (
        Comment.objects.filter(
            pk=pk, removed_at__isnull=True, project__pdd_available_on__isnull=False
        )
        .exclude(attachment_sha256="")
        .first()
        if 0 < pk < 2**63
        else None
    )
    if comment is None:
        raise Http404("No such attachment.")
    try:
        stream = comment.attachment.open("rb")
    except FileNotFoundError:
        raise Http404("The file of this attachment is missing.") from None
    return FileResponse(stream, content_type="application/pdf", filename=comment.attachment_name)


def _not_now(request, act: str, project: Project):
    """The act's own guard (``workflow.GUARDS``), asked before its form is shown: why it
    cannot be done on this project now, as a one-line page, instead of a form that would be
    refused once filled in; None when it can."""
    err = wf.GUARDS[act].refusal(request.user, project)
    return None if err is None else refuse(request, err.detail, err.status)


# --- acts that cannot be undone: a confirmation page between the form and the act -------------


def _project_url(project: Project) -> str:
    return reverse("project_detail", args=[project.key])


def confirmed_action_page(request, project, form, call, *, consequences, **kwargs):
    """``action_page`` for an act that cannot be undone: a valid POST first answers with the
    confirmation page (``jitrack.confirm``), whose Confirm posts it again with ``confirm``."""
    if request.method == "POST" and not confirmed(request) and form.is_valid():
        said = consequences(form.cleaned_data)
        if said is not None:
            return act_confirmed(request, form, call, consequences=lambda _: said)
    return action_page(request, project, form, call, **kwargs)


# --- participant actions ----------------------------------------------------------------------


@login_required
@GET_POST
def project_new(request):
    if not request.user.has_perm("projects.create_project"):
        return refuse(request, _("Only project participants can create projects."))
    form = bind(request, ProjectForm, user=request.user)
    return act(
        request,
        form,
        lambda data: wf.create_project(request.user, **data),
        template="projects/project_form.html",
        context={"title": _("New project")},
        done=lambda p: (
            _(
                "Project created. Expected average annual reductions: %(expected_annual_reductions)s t CO2e."
            )
            % {"expected_annual_reductions": f"{p.expected_annual_reductions:,}"}
        ),
        then=to_project,
    )


@login_required
@GET_POST
def project_edit(request, key):
    project = project_or_404(request, key)
    if not request.user.has_perm("projects.edit_project", project):
        return refuse(request, _("Only the project participants can edit it."))
    if (not_now := _not_now(request, "edit", project)) is not None:
        return not_now
    initial = ProjectForm.initial_for(project, request.user) if request.method == "GET" else None
    form = bind(request, ProjectForm, user=request.user, initial=initial)
    return act(
        request,
        form,
        lambda data: wf.update_project(request.user, project, **data),
        template="projects/project_form.html",
        context={"title": _("Edit %(title)s") % {"title": project.title}, "project": project},
        done=lambda p: (
            _(
                "Project saved. Expected average annual reductions: %(expected_annual_reductions)s t CO2e."
            )
            % {"expected_annual_reductions": f"{p.expected_annual_reductions:,}"}
        ),
        then=to_project,
    )


@login_required
@GET_POST
def document_upload(request, key):
    project = project_or_404(request, key)
    if not request.user.has_perm("projects.edit_project", project):
        return refuse(request, _("Only the project participants can upload documents."))
    if (not_now := _not_now(request, "upload", project)) is not None:
        return not_now
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
        title=_("Upload a document"),
        intro=_("PDF only, checked by content. A new upload of the same kind is a new version."),
        submit=_("Upload"),
        done=lambda doc: (
            _("Uploaded “%(title)s” (version %(version)s).")
            % {"title": doc.title, "version": doc.version}
        ),
    )


@login_required
@GET_POST
def approval_record(request, key):
    project = project_or_404(request, key)
    parties = host_first(parties_with_approvals(project), project)
    if not request.user.has_perm("projects.edit_project", project):
        # A Party's focal point records its own approval (ji-rules §7 "Approval by the Parties
        # involved"): the form offers its Party only.
        parties = [p for p in parties if request.user.has_perm("projects.speak_for_party", p)]
        if not parties:
            return refuse(
                request,
                _(
                    "Only the project participants and the focal points of the Parties involved "
                    "can record letters of approval."
                ),
            )
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
        title=_("Record a letter of approval"),
        intro=_("The written approval of a Party involved (para 33 (a))."),
        submit=_("Record the letter"),
        done=lambda loa: _("Letter of approval of %(name)s recorded.") % {"name": loa.party.name},
    )


@login_required
@GET_POST
def engage(request, key):
    project = project_or_404(request, key)
    if not request.user.has_perm("projects.engage_aie", project):
        return refuse(request, _("Only the project participants can engage an AIE."))
    if (not_now := _not_now(request, "engage", project)) is not None:
        return not_now
    return action_page(
        request,
        project,
        bind(request, AIEChoiceForm),
        lambda d: wf.engage_aie(request.user, project, d["aie"]),
        title=_("Engage an AIE"),
        intro=_(
            "The AIE must be accredited for determination in every sectoral scope of the "
            "project. It will be asked to accept or decline."
        ),
        submit=_("Ask the AIE"),
        done=lambda e: _("%(name)s has been asked to take the engagement.") % {"name": e.aie.name},
    )


@login_required
@GET_POST
def change_aie(request, key):
    project = project_or_404(request, key)
    if not request.user.has_perm("projects.change_aie", project):
        return refuse(request, _("Only the project participants can change the AIE."))
    if (not_now := _not_now(request, "change_aie", project)) is not None:
        return not_now
    return action_page(
        request,
        project,
        bind(request, ChangeAIEForm),
        lambda d: wf.change_aie(request.user, project, d["aie"], d["reason"]),
        title=_("Change the AIE"),
        intro=_(
            "Allowed after the comment period has ended and before the determination is "
            "submitted. The secretariat records the change."
        ),
        submit=_("Change the AIE"),
        done=lambda p: _("The AIE is now %(name)s.") % {"name": p.aie.name},
    )


@login_required
@GET_POST
def withdraw(request, key):
    project = project_or_404(request, key)
    if not request.user.has_perm("projects.withdraw_project", project):
        return refuse(request, _("Only the project participants can withdraw the project."))
    if (not_now := _not_now(request, "withdraw", project)) is not None:
        return not_now
    return action_page(
        request,
        project,
        bind(request, WithdrawForm),
        lambda d: wf.withdraw(request.user, project, d["reason"]),
        title=_("Withdraw the project"),
        submit=_("Withdraw the project"),
        done=_("The project is withdrawn."),
    )


@login_required
@GET_POST
def terminate(request, key):
    project = project_or_404(request, key)
    if not request.user.has_perm("projects.terminate_project", project):
        return refuse(request, _("Only the project participants or the secretariat terminate."))
    if (not_now := _not_now(request, "terminate", project)) is not None:
        return not_now
    return action_page(
        request,
        project,
        bind(request, TerminateForm),
        lambda d: wf.terminate(request.user, project, d["reason"]),
        title=_("Terminate the project"),
        intro=_(
            "After the determination is final: no more monitoring or verification. If no "
            "verification report was ever submitted, the advance above USD 30,000 is reimbursed "
            "(JISC Provisions for the charging of fees, version 3)."
        ),
        submit=_("Terminate the project"),
        done=_("The project is terminated."),
    )


@login_required
@GET_POST
def approval_confirm(request, pk: int):
    """The Party's focal point confirms a letter the participants uploaded (ji-rules §7), after
    ticking that it is its Party's letter (the act cannot be undone)."""
    loa = (
        LetterOfApproval.objects.filter(
            pk=pk, project__in=visible_projects(request.user).values("pk")
        )
        .select_related("project", "party")
        .first()
    )
    if loa is None:
        raise Http404("No such letter of approval.")
    if not wf.is_focal_point(request.user, loa.party):
        return refuse(
            request,
            _("Only the focal point of %(name)s confirms its letter.") % {"name": loa.party.name},
        )
    reference = _(", ref. %(reference)s") % {"reference": loa.reference} if loa.reference else ""
    return action_page(
        request,
        loa.project,
        bind(request, ConfirmApprovalForm),
        lambda d: wf.confirm_approval(request.user, loa),
        title=_("Confirm the letter of approval of %(name)s") % {"name": loa.party.name},
        intro=_(
            "Uploaded by the project participants: issued %(issued_on)s%(reference)s. Once confirmed, it is the written approval of %(name)s on record (para 33 (a))."
        )
        % {"issued_on": day_text(loa.issued_on), "reference": reference, "name": loa.party.name},
        submit=_("Confirm the letter"),
        done=lambda loa: (
            _("The letter of approval of %(name)s is confirmed.") % {"name": loa.party.name}
        ),
        then=lambda loa: to_project(loa.project),
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
        title=_("Accept or decline the engagement"),
        intro=_("%(title)s asks %(name)s to determine the project.")
        % {"title": project.title, "name": engagement.aie.name},
        submit=_("Send the decision"),
        done=lambda e: (
            _("Engagement accepted.") if e.status == "accepted" else _("Engagement declined.")
        ),
        then=lambda e: to_project(e.project) if e.status == "accepted" else redirect("dashboard"),
    )


@login_required
@GET_POST
def submit_pdd(request, key):
    project = project_or_404(request, key)
    if not request.user.has_perm("projects.submit_pdd", project):
        return refuse(request, _("Only the engaged AIE can submit the PDD."))
    if (not_now := _not_now(request, "submit_pdd", project)) is not None:
        return not_now
    if not confirmed(request):
        # The act takes no data: the page that asks is the confirmation page.
        return ask(
            request,
            Consequences(
                title=_("Submit the PDD of %(title)s for publication?") % {"title": project.title},
                what=[
                    _(
                        "The PDD goes to the secretariat, which checks it, gives the project "
                        "its reference number and publishes it for 30 days of comments "
                        "(para 32)."
                    ),
                    _(
                        "The participants can no longer change the project or its documents "
                        "unless the secretariat returns the PDD."
                    ),
                ],
                submit=_("Submit the PDD"),
                cancel=_project_url(project),
            ),
        )
    return action_page(
        request,
        project,
        bind(request, forms.Form),
        lambda _: wf.submit_pdd(request.user, project),
        title=_("Submit the PDD for publication"),
        intro=_(
            "The secretariat checks the PDD, gives the project its reference number and "
            "publishes it for 30 days of comments (para 32)."
        ),
        submit=_("Submit the PDD"),
        done=_("PDD submitted to the secretariat for publication."),
    )


@GET_POST
def comment_add(request, key):
    project = project_or_404(request, key)
    form = bind(request, CommentForm)

    def publish(data):
        # The API's budget of comments per address (COMMENT_RATE), shared with the page.
        throttle = accounts.CommentThrottle()
        if not throttle.allow_request(request, None):
            minutes = max(1, round((throttle.wait() or 60) / 60))
            raise TooMany(
                _("Too many comments from your address. Try again in %(minutes)d minutes.")
                % {"minutes": minutes},
                code="throttled",
            )
        return wf.add_comment(project, **data)

    return act(
        request,
        form,
        publish,
        template="projects/comment_form.html",
        context={"project": project, "comments_open": comments_open(project)},
        done=_("Thank you: your comment is published and sent to the AIE."),
        then=lambda _: redirect(f"/projects/{project.key}/#comments"),
    )


def _comment_or_404(project: Project, comment_id: int):
    comment = project.comments.filter(pk=comment_id).first() if 0 < comment_id < 2**63 else None
    if comment is None:
        raise Http404("No such comment.")
    return comment


@login_required
@GET_POST
def comment_answer(request, key, comment_id: int):
    project = project_or_404(request, key)
    comment = _comment_or_404(project, comment_id)
    if not request.user.has_perm("projects.answer_comment", project):
        return refuse(request, _("Only the project's AIE can answer comments."))
    if (not_now := _not_now(request, "answer", project)) is not None:
        return not_now
    form = bind(request, AnswerForm, initial={"answer": comment.answer})
    return action_page(
        request,
        project,
        form,
        lambda d: wf.answer_comment(request.user, comment, d["answer"]),
        title=_("Answer the comment of %(name)s") % {"name": comment.name},
        intro=comment.text,
        submit=_("Save the answer"),
        done=_("Answer saved."),
        then=lambda c: redirect(f"/projects/{project.key}/#comment-{c.pk}"),
    )


@login_required
@GET_POST
def comment_remove(request, key, comment_id: int):
    """The secretariat hides an abusive comment (ji-rules §7 "Public comments")."""
    project = project_or_404(request, key)
    comment = _comment_or_404(project, comment_id)
    if not request.user.has_perm("projects.remove_comment", project):
        return refuse(request, _("Only the secretariat removes comments."))
    if (not_now := _not_now(request, "remove_comment", project)) is not None:
        return not_now
    return confirmed_action_page(
        request,
        project,
        bind(request, RemoveCommentForm),
        lambda d: wf.remove_comment(request.user, comment, d["reason"]),
        consequences=lambda d: Consequences(
            title=_("Remove the comment of %(name)s?") % {"name": comment.name},
            what=[
                _("The comment and its attachment are no longer shown."),
                _("The record keeps that a comment was removed, when and why."),
            ],
            submit=_("Remove the comment"),
            cancel=_project_url(project) + "#comments",
            danger=True,
        ),
        title=_("Remove the comment of %(name)s") % {"name": comment.name},
        intro=comment.text,
        submit=_("Remove the comment"),
        done=_("Comment removed; the record says when and why."),
        then=lambda c: redirect(f"/projects/{project.key}/#comment-{c.pk}"),
    )


@login_required
@GET_POST
def document_aside(request, pk: int):
    """The secretariat withdraws or supersedes a published document (ji-rules §7)."""
    document = Document.objects.select_related("project").filter(pk=pk).first()
    if document is None or not request.user.has_perm("projects.view_document", document):
        raise Http404("No such document.")
    project = document.project
    if not request.user.has_perm("projects.manage_documents", project):
        return refuse(request, _("Only the secretariat supersedes or withdraws a document."))
    if (not_now := _not_now(request, "set_document_aside", project)) is not None:
        return not_now
    return confirmed_action_page(
        request,
        project,
        bind(request, DocumentAsideForm, document=document),
        lambda d: wf.set_document_aside(
            request.user,
            document,
            withdraw=d["action"] == "withdraw",
            reason=d["reason"],
            superseded_by=d["superseded_by"],
        ),
        consequences=lambda d: Consequences(
            title=(
                _("Withdraw “%(title)s”?")
                if d["action"] == "withdraw"
                else _("Mark “%(title)s” superseded?")
            )
            % {"title": document.title},
            what=[
                _(
                    "The document stays on the public record, listed as withdrawn or "
                    "superseded with your reason; nothing published is ever deleted."
                )
            ],
            submit=_("Record it"),
            cancel=_project_url(project),
            danger=d["action"] == "withdraw",
        ),
        title=_("Withdraw or supersede “%(title)s” (version %(version)s)")
        % {"title": document.title, "version": document.version},
        intro=_("It stays on the public record, listed with the reason."),
        submit=_("Record it"),
        done=lambda doc: (
            _("“%(title)s” is %(status)s.")
            % {"title": doc.title, "status": doc.get_status_display().lower()}
        ),
    )


# --- secretariat ------------------------------------------------------------------------------


def _check_pdd_consequences(project: Project, data: dict) -> Consequences | None:
    if data["decision"] != "accept":
        return None  # the AIE submits it again: nothing to confirm
    return Consequences(
        title=_("Publish the PDD of %(title)s?") % {"title": project.title},
        what=[
            _(
                "The project receives its reference number and the PDD is published for 30 "
                "days of comments by Parties, stakeholders and accredited observers (para 32)."
            ),
            _("Its public documents are published with it."),
            _("Nothing published is ever deleted: this cannot be undone."),
        ],
        submit=_("Publish the PDD"),
        cancel=reverse("check_pdd", args=[project.key]),
    )


@login_required
@GET_POST
def check_pdd(request, key):
    """The secretariat's completeness check (paras 31-32): the PDD in view, the project's data,
    the letters of approval and a checklist computed from the record."""
    project = project_or_404(
        request, key, visible_projects(request.user).select_related("host_party", "aie")
    )
    if not request.user.has_perm("projects.check_pdd", project):
        return refuse(request, _("Only the secretariat checks PDD submissions."))
    if (not_now := _not_now(request, "check_pdd", project)) is not None:
        return not_now
    form = bind(request, CheckForm)
    data = checks.load(project, Accreditation.Function.DETERMINATION)
    return act_confirmed(
        request,
        form,
        lambda d: wf.check_pdd(
            request.user,
            project,
            accept=d["decision"] == "accept",
            available_on=d["available_on"],
            reason=d["reason"],
        ),
        # A refusal of the act itself comes back on the form at once, without asking.
        consequences=lambda d: (
            None
            if wf.GUARDS["check_pdd"].refusal(request.user, project)
            else _check_pdd_consequences(project, d)
        ),
        template="projects/check_pdd.html",
        context={
            "project": project,
            "data": data,
            "pdd": checks.current(data, Document.Kind.PDD),
            "checklist": checks.pdd_checklist(data),
        },
        done=lambda p: (
            _("Published as %(reference)s; comments until %(comments_close_at)s.")
            % {"reference": p.reference, "comments_close_at": gmt_text(p.comments_close_at)}
            if p.status == S.OPEN_FOR_COMMENTS
            else _("PDD returned to the AIE.")
        ),
        then=to_project,
    )
