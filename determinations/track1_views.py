"""Pages of the host's focal point's Track 1 acts (``determinations.track1``): record a project
with its determination, record a verification. Both acts cannot be undone, so a valid POST is
confirmed first (``jitrack.confirm``). A confirmation page cannot post files again: the PDFs
chosen are held for the user (HELD_FILES) and the confirmation posts their token instead."""

from __future__ import annotations

import secrets

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from jitrack.confirm import Consequences, act_confirmed, confirmed, summary_of
from jitrack.web import GET_POST, refuse
from projects.models import Project
from projects.selectors import visible_projects
from projects.timeline import day_text
from projects.web import project_or_404, to_project

from . import track1
from .track1_forms import Track1ProjectForm, Track1VerificationForm

TEMPLATE = "determinations/track1/form.html"
HELD = "held_files"
HELD_SECONDS = 3600  # HELD_FILES: long enough to read the confirmation page


def _held_key(request, token: str) -> str:
    return f"track1-held:{request.user.pk}:{token}"


def _files(request, names: tuple[str, ...]) -> MultiValueDict:
    """HELD_FILES: the files of this POST — those of the confirmation's token, when it posts
    one of this user's and chooses no file itself."""
    token = request.POST.get(HELD, "")
    if request.FILES or not confirmed(request) or not token.isascii() or len(token) > 64:
        return request.FILES
    held = cache.get(_held_key(request, token)) or {}
    return MultiValueDict(
        {
            name: [SimpleUploadedFile(filename, content, content_type="application/pdf")]
            for name, (filename, content) in held.items()
            if name in names
        }
    )


def _hold(request, form, names: tuple[str, ...]) -> None:
    """HELD_FILES: keep the valid form's files for the confirmation, which posts their token."""
    held = {}
    for name in names:
        uploaded = form.cleaned_data.get(name)
        if uploaded:
            uploaded.seek(0)
            held[name] = (uploaded.name, uploaded.read())
    token = secrets.token_urlsafe(16)
    cache.set(_held_key(request, token), held, HELD_SECONDS)
    post = request.POST.copy()
    post[HELD] = token
    request.POST = post


def _drop_held(request) -> None:
    token = request.POST.get(HELD, "")
    if token:
        cache.delete(_held_key(request, token))


def _summary(form, files: tuple[str, ...]) -> list[tuple[str, str]]:
    """``summary_of`` the form, its lists and tonnes by year written out, the PDFs by name."""
    labels = {str(f.label or n): n for n, f in form.fields.items()}
    rows = []
    for label, value in summary_of(form):
        data = form.cleaned_data[labels[label]]
        if isinstance(data, dict):
            value = " · ".join(f"{y}: {int(t):,}" for y, t in sorted(data.items()))
        elif isinstance(data, list | tuple) or hasattr(data, "model"):
            value = ", ".join(str(item) for item in data)
        rows.append((label, value))
    return rows + [
        (str(form.fields[n].label), form.cleaned_data[n].name)
        for n in files
        if form.cleaned_data.get(n)
    ]


def _page(request, form, call, *, files, consequences, context, done, then):
    """``act_confirmed`` with HELD_FILES: the first valid POST holds its files and asks."""
    if request.method == "POST" and not confirmed(request) and form.is_valid():
        _hold(request, form, files)

    def acted(result):
        _drop_held(request)
        return then(result)

    return act_confirmed(
        request,
        form,
        call,
        consequences=lambda d: Consequences(
            **{**consequences(d).__dict__, "summary": _summary(form, files)}
        ),
        template=TEMPLATE,
        context=context,
        done=done,
        then=acted,
    )


@login_required
@GET_POST
def track1_project_new(request):
    """TRACK1_WHO: the focal point of a Party that meets all six para 21 requirements."""
    host = request.user.party if request.user.party_id else None
    err = track1.project_refusal(request.user, host)
    if err is not None:
        return refuse(request, err.detail, err.status)
    names = ("report", "pdd")
    kwargs = {"host": host}
    form = (
        Track1ProjectForm(request.POST, _files(request, names), **kwargs)
        if request.method == "POST"
        else Track1ProjectForm(**kwargs)
    )
    return _page(
        request,
        form,
        lambda d: track1.record_project(request.user, **form.act_data()),
        files=names,
        consequences=lambda d: Consequences(
            title=_("Record Track 1 project %(reference)s?") % {"reference": d["reference"]},
            what=[
                _(
                    "“%(title)s” is recorded as a Track 1 project of %(party)s with reference "
                    "%(reference)s, its determination final as %(entity)s made it on %(day)s "
                    "(para 23)."
                )
                % {
                    "title": d["title"],
                    "party": host.name,
                    "reference": d["reference"],
                    "entity": d["entity"],
                    "day": day_text(d["determined_on"]),
                },
                _("The project, its determination and the reports are public at once."),
                _(
                    "No JISC step, no fees and no clock apply; you record its verifications and "
                    "issue its ERUs from your AAUs."
                ),
            ],
            submit=_("Record the project"),
            cancel=reverse("track1_project_new"),
        ),
        context={
            "title": _("Record a Track 1 project"),
            "intro": _(
                "Para 23: %(party)s meets all six para 21 requirements and verifies the "
                "reductions of its projects under its own national procedure. Record a project "
                "as %(party)s approved and determined it."
            )
            % {"party": host.name},
            "submit": _("Record the project"),
            "cancel": reverse("dashboard"),
        },
        done=lambda project: (
            _("Track 1 project %(reference)s recorded.") % {"reference": project.reference}
        ),
        then=to_project,
    )


@login_required
@GET_POST
def track1_verification_new(request, key):
    project: Project = project_or_404(
        request, key, visible_projects(request.user).select_related("host_party")
    )
    err = track1.verification_refusal(request.user, project)
    if err is not None:
        return refuse(request, err.detail, err.status)
    names = ("report", "monitoring_report")
    form = (
        Track1VerificationForm(request.POST, _files(request, names))
        if request.method == "POST"
        else Track1VerificationForm()
    )
    return _page(
        request,
        form,
        lambda d: track1.record_verification(request.user, project, **form.act_data()),
        files=names,
        consequences=lambda d: Consequences(
            title=_("Record this Track 1 verification?"),
            what=[
                _(
                    "%(total)s t CO2e verified by %(entity)s on %(day)s for %(start)s–%(end)s "
                    "are recorded final (para 23)."
                )
                % {
                    "total": f"{sum(d['verified'].values()):,}",
                    "entity": d["entity"],
                    "day": day_text(d["verified_on"]),
                    "start": day_text(d["period_start"]),
                    "end": day_text(d["period_end"]),
                },
                _("The verification and its reports are public at once."),
                _(
                    "You then issue its ERUs from your AAUs on the monitoring page "
                    "(13/CMP.1 annex para 29)."
                ),
            ],
            submit=_("Record the verification"),
            cancel=reverse("project_detail", args=[project.key]),
        ),
        context={
            "project": project,
            "title": _("Record a Track 1 verification"),
            "intro": _(
                "Para 23: the reductions of %(reference)s as %(party)s verified them under its "
                "national procedure. The period lies within the crediting period, from 2008 on, "
                "and does not overlap another period of the project."
            )
            % {"reference": project.reference, "party": project.host_party.name},
            "submit": _("Record the verification"),
            "cancel": reverse("project_detail", args=[project.key]),
        },
        done=lambda ver: (
            _("Verification %(number)s recorded; its ERUs can now be issued.")
            % {"number": ver.number}
        ),
        then=lambda ver: to_project(project),
    )
