"""What the secretariat's check pages show: the project's data as submitted, its letters of
approval, and a checklist drawn from the rules, each item computed from the record where it can
be (✔/✘ with the reason) and cited by the paragraph of the JI guidelines (decision 9/CMP.1
annex) it comes from. ``determinations.checks`` adds the determination's and verification's
items. A fixed number of queries whatever the number of documents and Parties."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Subquery
from django.utils.translation import gettext as _

from .models import Accreditation, Document, Project
from .selectors import host_first, parties_with_approvals
from .templatetags.jitrack import day
from .workflow import SMALL_SCALE_LIMITS

# ji-rules §7: monitoring (and so crediting) starts no earlier than the first commitment period.
EARLIEST_CREDITING = date(2008, 1, 1)


@dataclass(frozen=True)
class Item:
    """One line of a checklist: ``ok`` True (✔), False (✘) or None (for the checker to judge,
    or not needed yet), the ``reason`` read off the record, the source it comes from."""

    label: str
    ok: bool | None
    reason: str
    cite: str


def item(label, ok, reason, cite) -> Item:
    return Item(str(label), ok, str(reason), str(cite))


@dataclass
class ProjectData:
    """The project as submitted, loaded once for a check page. Each of ``scopes`` carries
    ``accredited``: whether the AIE's accreditation for the act's function covers it, and
    ``accreditation_status`` (None: the AIE holds none for the function)."""

    project: Project
    scopes: list
    participants: list
    parties: list  # host first, each with its letter (``parties_with_approvals``)
    expected: list
    documents: list


def load(project: Project, function: str, *, full: bool = True) -> ProjectData:
    """Everything a check page shows about ``project``; ``function`` is the accreditation the
    act needs (determination or verification). Five queries whatever the number of scopes,
    Parties and documents; two without the data as submitted (not ``full``: the scopes and the
    documents only)."""
    accreditations = Accreditation.objects.filter(aie=project.aie_id, function=function)
    scopes = project.sectoral_scopes.annotate(
        accredited=Exists(
            accreditations.filter(status=Accreditation.Status.ACCREDITED, scopes=OuterRef("pk"))
        ),
        accreditation_status=Subquery(accreditations.values("status")[:1]),
    )
    return ProjectData(
        project=project,
        scopes=list(scopes),
        participants=list(project.participants.all()) if full else [],
        parties=host_first(parties_with_approvals(project), project) if full else [],
        expected=list(project.expected.order_by("year")) if full else [],
        documents=list(project.documents.order_by("kind", "-version")),
    )


def documents_of(data: ProjectData, kind: str) -> list[Document]:
    return [d for d in data.documents if d.kind == kind]


def current(data: ProjectData, kind: str) -> Document | None:
    """The latest version of ``kind`` that is not set aside."""
    return next((d for d in documents_of(data, kind) if d.status == Document.Status.CURRENT), None)


def approval_items(data: ProjectData, *, needed: bool) -> list[Item]:
    """The written approval of each Party involved (para 33 (a)); the host's is needed before
    a positive determination (``needed``), the others' before ERUs go to that Party."""
    items = []
    for party in data.parties:
        host = party.pk == data.project.host_party_id
        label = (
            _("Written approval of the host Party, %(party)s")
            if host
            else _("Written approval of %(party)s")
        ) % {"party": party.name}
        if party.loa_confirmed_at:
            ok, reason = (
                True,
                _("Letter issued %(day)s, confirmed by its focal point.")
                % {"day": day(party.loa_issued_on)},
            )
        elif party.loa_issued_on:
            ok = False if host and needed else None
            reason = _("Letter issued %(day)s, not yet confirmed by its focal point.") % {
                "day": day(party.loa_issued_on)
            }
        else:
            ok = False if host and needed else None
            reason = (
                _("No letter recorded: needed before a positive determination.")
                if host
                else _("No letter recorded: needed before ERUs are transferred to this Party.")
            )
        items.append(item(label, ok, reason, _("para 33 (a)")))
    return items


def accreditation_item(data: ProjectData, function_label: str) -> Item:
    """The AIE accredited for the function in every scope of the project (para 30, appendix A),
    checked again at each act (the JISC's accreditation procedure)."""
    project = data.project
    label = _("AIE accredited for %(function)s in every sectoral scope of the project") % {
        "function": function_label
    }
    cite = _("para 30, appendix A")
    if project.aie_id is None:
        return item(label, False, _("The project has no AIE."), cite)
    name = project.aie.name
    status = data.scopes[0].accreditation_status if data.scopes else None
    if status != Accreditation.Status.ACCREDITED:
        state = (
            _("not accredited") if status is None else Accreditation.Status(status).label.lower()
        )
        return item(label, False, f"{name}: {state}.", cite)
    missing = [s.number for s in data.scopes if not s.accredited]
    if missing:
        return item(
            label,
            False,
            _("%(aie)s is not accredited in sectoral scope(s) %(scopes)s.")
            % {"aie": name, "scopes": ", ".join(map(str, missing))},
            cite,
        )
    return item(label, True, _("%(aie)s is accredited.") % {"aie": name}, cite)


def pdd_checklist(data: ProjectData) -> list[Item]:
    """The secretariat's completeness check of a PDD before publication (paras 31-32)."""
    project = data.project
    para31 = _("para 31")
    pdd = current(data, Document.Kind.PDD)
    host = project.host_party
    missing = host.track2_missing()
    items = [
        item(
            _("Project design document (PDF) on record"),
            pdd is not None,
            _("“%(title)s”, version %(version)s.") % {"title": pdd.title, "version": pdd.version}
            if pdd
            else _("No current PDD uploaded."),
            para31,
        ),
        item(
            _("Host Party eligible for Track 2 (para 21 (a), (b) and (d))"),
            not missing,
            _("%(party)s does not meet: %(missing)s.")
            % {"party": host.name, "missing": "; ".join(missing)}
            if missing
            else _("%(party)s meets them.") % {"party": host.name},
            _("paras 21, 24"),
        ),
        item(
            _("Project participants named"),
            bool(data.participants),
            "; ".join(o.name for o in data.participants) or _("None named."),
            para31,
        ),
        item(
            _("Sectoral scope(s) named"),
            bool(data.scopes),
            ", ".join(str(s.number) for s in data.scopes) or _("None named."),
            para31,
        ),
        item(
            _("Baseline and monitoring approach stated"),
            bool(project.baseline_approach and project.monitoring_approach.strip()),
            project.get_baseline_approach_display()
            + (f" ({project.methodology})" if project.methodology else "")
            if project.monitoring_approach.strip()
            else _("No monitoring approach given."),
            _("para 31, appendix B"),
        ),
        _crediting_item(project, para31),
        item(
            _("Expected emission reductions per year stated"),
            bool(data.expected) and all(e.tonnes > 0 for e in data.expected),
            _("%(years)d year(s), on average %(average)s t CO2e a year.")
            % {"years": len(data.expected), "average": f"{project.expected_annual_reductions:,}"}
            if data.expected
            else _("No expected reductions given."),
            para31,
        ),
    ]
    if project.small_scale:
        items.append(_small_scale_item(project))
    items.append(accreditation_item(data, _("determination")))
    items.extend(approval_items(data, needed=False))
    return items


def _crediting_item(project: Project, cite: str) -> Item:
    start, end = project.crediting_start, project.crediting_end
    label = _("Crediting period stated")
    if not (start and end):
        return item(label, False, _("The crediting period is not given."), cite)
    if end < start:
        return item(label, False, _("The crediting period ends before it starts."), cite)
    reason = f"{day(start)} – {day(end)}"
    if start < EARLIEST_CREDITING:
        return item(label, False, reason + " " + _("(starts before 1 January 2008)."), _("para 31"))
    return item(label, True, reason, cite)


def _small_scale_item(project: Project) -> Item:
    label = _("Small-scale claim within its type's limit")
    cite = _("1/CMP.2 para 28")
    limit = SMALL_SCALE_LIMITS.get(project.small_scale_type)
    if limit is None or project.small_scale_figure is None:
        return item(label, False, _("The type or the figure of the claim is missing."), cite)
    top, unit = limit
    ok = project.small_scale_figure <= top
    return item(
        label,
        ok,
        _("Type %(kind)s: %(figure)s of at most %(limit)s %(unit)s.")
        % {
            "kind": project.small_scale_type,
            "figure": f"{project.small_scale_figure:,}",
            "limit": f"{top:,}",
            "unit": unit,
        },
        cite,
    )
