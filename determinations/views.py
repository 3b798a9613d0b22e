"""Determination pages: the AIE files F-JI-DRep, the secretariat checks it (fee pages: fees)."""

from django.contrib.auth.decorators import login_required

from fees import services as fee_services
from projects.forms import CheckForm
from projects.views import GET_POST, act, bind, project_or_404, refuse, to_project

from . import workflow as dwf
from .forms import DeterminationForm


@login_required
@GET_POST
def determination_file(request, key):
    project = project_or_404(request, key)
    if not request.user.has_perm("determinations.submit_determination", project):
        return refuse(request, "Only the engaged AIE can file the determination.")
    form = bind(request, DeterminationForm)
    return act(
        request,
        form,
        lambda d: dwf.submit_determination(
            request.user,
            project,
            findings=form.findings(),
            outcome=d["outcome"],
            due_account=d["due_account"],
            supporting=form.supporting(),
        ),
        template="determinations/file.html",
        context={
            "project": project,
            "comments": list(project.comments.all()),
        },
        done=lambda det: (
            f"Determination report F-JI-DRep ({det.number}) submitted to the secretariat. "
            "The determination fee is due on submission."
        ),
        then=lambda det: to_project(project),
    )


@login_required
@GET_POST
def determination_check(request, key):
    project = project_or_404(request, key)
    if not request.user.has_perm("determinations.check_determination", project):
        return refuse(request, "Only the secretariat checks determination reports.")
    determination = (
        project.determinations.select_related("report", "aie").exclude(status="returned").first()
    )
    form = bind(request, CheckForm)
    return act(
        request,
        form,
        lambda d: dwf.check_determination(
            request.user,
            project,
            accept=d["decision"] == "accept",
            available_on=d["available_on"],
            reason=d["reason"],
        ),
        template="determinations/check.html",
        context={
            "project": project,
            "determination": determination,
            "fee": fee_services.determination_fee_record(project),
        },
        done=lambda det: (
            "Determination published; the 45-day period has started."
            if det.status == "published"
            else "Determination report returned to the AIE."
        ),
        then=lambda det: to_project(project),
    )
