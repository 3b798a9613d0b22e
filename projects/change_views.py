"""Pages of the changes after the determination (``projects.changes``): the participants request
and cancel changes of participants and Parties involved, the new Party's focal point approves
its addition, the host's focal point renews the crediting period. Each asks the act's guard
before it shows its form, and makes one domain call."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils.translation import gettext as _

from jitrack.web import GET_POST, bind, refuse

from . import changes
from .change_forms import (
    CancelChangeForm,
    ChangeRequestForm,
    CreditingPeriodForm,
    PartyApprovalForm,
)
from .models import ProjectChange
from .timeline import day_text
from .web import action_page, project_or_404


def _refused(request, err):
    return None if err is None else refuse(request, err.detail, err.status)


def _change_or_404(request, pk: int) -> ProjectChange:
    """The change, if the user may know its project exists; else 404."""
    change = (
        ProjectChange.objects.select_related("project", "party", "organisation")
        .filter(pk=pk)
        .first()
        if 0 < pk < 2**63
        else None
    )
    if change is None or not request.user.has_perm("projects.view_project", change.project):
        raise Http404("No such change.")
    return change


@login_required
@GET_POST
def change_request(request, key):
    project = project_or_404(request, key)
    if refused := _refused(request, changes.GUARDS["request"].refusal(request.user, project)):
        return refused
    return action_page(
        request,
        project,
        bind(request, ChangeRequestForm),
        lambda d: changes.request_change(
            request.user,
            project,
            kind=d["kind"],
            organisation=d["organisation"],
            party=d["party"],
            reason=d["reason"],
            consent_declared=d["consent_declared"],
            consent=d["consent"],
        ),
        title=_("Change the participants or the Parties involved"),
        intro=_(
            "After the determination is final. A change of participants, or the removal of a "
            "Party involved, applies at once and is public; a new Party is added once its "
            "designated focal point records its letter of approval (para 33 (a))."
        ),
        submit=_("Request the change"),
        done=lambda change: (
            _("The change is applied.")
            if change.status == ProjectChange.Status.APPLIED
            else _("The change waits for the approval of %(party)s.") % {"party": change.party.name}
        ),
    )


@login_required
@GET_POST
def change_cancel(request, pk: int):
    change = _change_or_404(request, pk)
    guard = changes.GUARDS["cancel"]
    if refused := _refused(request, guard.refusal(request.user, change, change.project)):
        return refused
    return action_page(
        request,
        change.project,
        bind(request, CancelChangeForm),
        lambda d: changes.cancel_change(request.user, change, d["reason"]),
        title=_("Cancel the pending change"),
        intro=_("The addition of %(party)s is cancelled; nothing changes on the project.")
        % {"party": change.party.name if change.party_id else ""},
        submit=_("Cancel the change"),
        done=_("The change is cancelled."),
    )


@login_required
@GET_POST
def change_approve(request, pk: int):
    change = _change_or_404(request, pk)
    if change.kind != ProjectChange.Kind.ADD_PARTY:
        raise Http404("No such approval.")
    guard = changes.GUARDS["approve_party"]
    if refused := _refused(request, guard.refusal(request.user, change, change.party)):
        return refused
    return action_page(
        request,
        change.project,
        bind(request, PartyApprovalForm),
        lambda d: changes.approve_party(
            request.user,
            change,
            issued_on=d["issued_on"],
            reference=d["reference"],
            uploaded=d["file"],
        ),
        title=_("Approve the participation of %(party)s") % {"party": change.party.name},
        intro=_(
            "The project participants asked to add %(party)s as a Party involved. Your letter of "
            "approval (para 33 (a)) adds it."
        )
        % {"party": change.party.name},
        submit=_("Record the approval"),
        done=_("%(party)s is now a Party involved.") % {"party": change.party.name},
    )


@login_required
@GET_POST
def crediting_renew(request, key):
    project = project_or_404(request, key)
    guard = changes.GUARDS["renew_crediting"]
    if refused := _refused(request, guard.refusal(request.user, project, project.host_party)):
        return refused
    current = day_text(project.crediting_end) if project.crediting_end else "—"
    return action_page(
        request,
        project,
        bind(request, CreditingPeriodForm),
        lambda d: changes.renew_crediting_period(
            request.user, project, new_end=d["new_end"], reason=d["reason"], letter=d["letter"]
        ),
        title=_("Renew or extend the crediting period"),
        intro=_(
            "The crediting period now ends on %(day)s. Monitoring periods lie within the "
            "crediting period."
        )
        % {"day": current},
        submit=_("Record the new end"),
        done=lambda p: (
            _("The crediting period now ends on %(day)s.") % {"day": day_text(p.crediting_end)}
        ),
    )
