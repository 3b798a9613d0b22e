"""Browser pages: plain function views that validate a form and call one workflow function.

A ``DomainError`` from the workflow comes back on the form (as a field error when it names a
form field) with its HTTP status; nothing changes on error. Every page keeps to a fixed number
of queries whatever the data size (tests/projects check it).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from jitrack.errors import TooMany
from jitrack.web import GET_POST, act, bind, refuse

from . import accounts
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
from .models import Comment, Document, Engagement, LetterOfApproval, Project
from .selectors import comments_open, host_first, parties_with_approvals, visible_projects
from .web import action_page, project_or_404, to_project

S = Project.Status
# record_approval accepts letters until the determination is submitted.
APPROVAL_STATUSES = (S.DRAFT, S.ENGAGED, S.PDD_SUBMITTED, S.OPEN_FOR_COMMENTS, S.COMMENTS_CLOSED)


@require_safe
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
    parties = host_first(parties_with_approvals(project), project)
    if not request.user.has_perm("projects.edit_project", project):
        # A Party's focal point records its own approval (ji-rules §7 "Approval by the Parties
        # involved"): the form offers its Party only.
        parties = [p for p in parties if request.user.has_perm("projects.speak_for_party", p)]
        if not parties:
            return refuse(
                request,
                "Only the project participants and the focal points of the Parties involved "
                "can record letters of approval.",
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


@login_required
@GET_POST
def terminate(request, key):
    project = project_or_404(request, key)
    if not request.user.has_perm("projects.terminate_project", project):
        return refuse(request, "Only the project participants or the secretariat terminate.")
    return action_page(
        request,
        project,
        bind(request, TerminateForm),
        lambda d: wf.terminate(request.user, project, d["reason"]),
        title="Terminate the project",
        intro="After the determination is final (ji-rules §7): no more monitoring or "
        "verification. If no verification report was ever submitted, the advance above "
        "USD 30,000 is reimbursed.",
        submit="Terminate the project",
        done="The project is terminated.",
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
        return refuse(request, f"Only the focal point of {loa.party.name} confirms its letter.")
    reference = f", ref. {loa.reference}" if loa.reference else ""
    return action_page(
        request,
        loa.project,
        bind(request, ConfirmApprovalForm),
        lambda d: wf.confirm_approval(request.user, loa),
        title=f"Confirm the letter of approval of {loa.party.name}",
        intro=f"Uploaded by the project participants: issued {loa.issued_on:%d %b %Y}"
        f"{reference}. Once confirmed, it is the written approval of {loa.party.name} on record "
        "(para 33 (a)).",
        submit="Confirm the letter",
        done=lambda loa: f"The letter of approval of {loa.party.name} is confirmed.",
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
        done="Thank you: your comment is published and sent to the AIE.",
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


@login_required
@GET_POST
def comment_remove(request, key, comment_id: int):
    """The secretariat hides an abusive comment (ji-rules §7 "Public comments")."""
    project = project_or_404(request, key)
    comment = _comment_or_404(project, comment_id)
    if not request.user.has_perm("projects.remove_comment", project):
        return refuse(request, "Only the secretariat removes comments.")
    return action_page(
        request,
        project,
        bind(request, RemoveCommentForm),
        lambda d: wf.remove_comment(request.user, comment, d["reason"]),
        title=f"Remove the comment of {comment.name}",
        intro=comment.text,
        submit="Remove the comment",
        done="Comment removed; the record says when and why.",
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
        return refuse(request, "Only the secretariat supersedes or withdraws a document.")
    return action_page(
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
        title=f"Withdraw or supersede “{document.title}” (version {document.version})",
        intro="It stays on the public record, listed with the reason.",
        submit="Record it",
        done=lambda doc: f"“{doc.title}” is {doc.get_status_display().lower()}.",
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
