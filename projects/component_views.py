"""Pages of the components of a programme of activities (``projects.components``): the page of
one component, with its monitoring reports, verifications and ERUs, and the coordinating
entity's forms to include and exclude components. The programme's page lists its components
(``templates/projects/components/_panel.html``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from jitrack.confirm import Consequences, act_confirmed
from jitrack.errors import Conflict, NotFound
from jitrack.web import GET_POST, bind, refuse

from . import components as cwf
from .component_forms import ExcludeComponentForm, IncludeComponentForm
from .models import Project, User
from .selectors import visible_projects
from .web import action_page, project_or_404


def _programme(request, key: str) -> Project:
    return project_or_404(
        request, key, visible_projects(request.user).prefetch_related("participants")
    )


def _component(project: Project, number: int):
    try:
        return cwf.component_of(project, number)
    except NotFound as err:
        raise Http404(err.detail) from None


def _to_component(component):
    return redirect("component_detail", key=component.project.key, number=component.number)


def _verification_visible(user, insider: bool, ver) -> bool:
    """ji-rules §6 as ``determinations.selectors.verification_visible`` states it (a layer
    above this one): public once published; before, for the project's insiders and the AIE that
    filed it."""
    own = user.is_authenticated and user.role == User.Role.AIE and user.organisation_id
    return insider or ver.available_on is not None or bool(own and ver.aie_id == own)


@require_safe
def component_detail(request, key, number: int):
    """Public with its programme: the component's data, its monitoring reports, their
    verifications (once published) and the ERUs issued for them. A fixed number of queries
    whatever the number of reports."""
    user = request.user
    project = _programme(request, key)
    component = _component(project, number)
    insider = user.has_perm("projects.view_history", project)
    reports = list(
        component.monitoring.select_related("aie", "verification")
        .prefetch_related("verification__issuances__blocks")
        .order_by("period_start", "number")
    )
    rows = []
    for report in reports:
        # (a reverse one-to-one without a row raises an AttributeError: no verification yet)
        ver = getattr(report, "verification", None)
        if ver is not None and not _verification_visible(user, insider, ver):
            ver = None  # filed but not yet published (ji-rules §6)
        blocks = []
        if ver is not None:
            blocks = [
                block
                for issuance in ver.issuances.all()
                for block in issuance.blocks.all()
                if block.active
            ]
            blocks.sort(key=lambda b: b.serial_start)
        rows.append({"report": report, "verification": ver, "blocks": blocks})
    totals = {
        "claimed": sum(
            r["report"].claimed_total
            for r in rows
            if r["report"].status not in ("withdrawn", "rejected")
        ),
        "verified": sum(
            r["verification"].verified_total
            for r in rows
            if r["verification"] is not None and r["verification"].status == "final"
        ),
        "issued": sum(r["verification"].erus_issued for r in rows if r["verification"]),
    }
    return render(
        request,
        "projects/components/detail.html",
        {
            "project": project,
            "component": component,
            "rows": rows,
            "totals": totals,
            "can": {
                "exclude": cwf.may_exclude(user, component),
                # the monitoring report's own guard is checked on its form
                "report": component.status == component.Status.INCLUDED
                and project.status == Project.Status.FINAL
                and user.has_perm("projects.edit_project", project),
            },
        },
    )


@login_required
@GET_POST
def component_include(request, key):
    project = _programme(request, key)
    err = cwf.GUARDS["include"].refusal(request.user, project)
    if err is None and not project.poa:
        err = Conflict(
            _("This project is not a programme of activities: it has no components."),
            code="not_poa",
        )
    if err is not None:
        return refuse(request, err.detail, err.status)
    return action_page(
        request,
        project,
        bind(request, IncludeComponentForm),
        lambda d: cwf.include_component(request.user, project, **d),
        title=_("Include a component activity"),
        intro=_(
            "As the coordinating entity of the programme, include a component project activity "
            "(CPA). It is public with the programme; its monitoring periods start no earlier "
            "than its inclusion date."
        ),
        submit=_("Include the component"),
        done=lambda c: _("Component %(reference)s included.") % {"reference": c.reference},
        then=_to_component,
    )


@login_required
@GET_POST
def component_exclude(request, key, number: int):
    project = _programme(request, key)
    component = _component(project, number)
    if not cwf.may_exclude(request.user, component):
        err = cwf.GUARDS["exclude"].refusal(request.user, component, project)
        if err is None:
            return refuse(
                request, _("The programme has ended: its components can no longer change."), 409
            )
        return refuse(request, err.detail, err.status)
    title = _("Exclude component %(reference)s") % {"reference": component.reference}
    return act_confirmed(
        request,
        bind(request, ExcludeComponentForm),
        lambda d: cwf.exclude_component(
            request.user, component, excluded_on=d["excluded_on"], reason=d["reason"]
        ),
        consequences=lambda d: Consequences(
            title=_("Exclude component %(reference)s?") % {"reference": component.reference},
            what=[
                _(
                    "The component leaves the programme from the date you gave, with your reason, "
                    "on the public record."
                ),
                _("It cannot be included again; its monitoring periods end before that date."),
            ],
            submit=_("Exclude the component"),
            cancel=reverse("component_detail", args=[project.key, component.number]),
            danger=True,
        ),
        template="projects/action.html",
        context={
            "project": project,
            "title": title,
            "intro": f"{component.reference} — {component.title}",
            "submit": _("Exclude the component"),
        },
        done=_("Component %(reference)s excluded.") % {"reference": component.reference},
        then=_to_component,
    )
