"""The public registry's sections (issue 6): one searchable, sortable, paginated page per way
people look for Track 2 documents — PDDs open for comment, the PDD archive, determinations in
their 45-day period, final determinations, monitoring reports, verifications in their 15-day
period, final verifications, reviews and ERU issuance.

Each section is declared once in ``SECTIONS`` (``section_defs``); one view (``section_page``) serves them all and
``sections_index`` lists them with their counts. No login: only what ji-rules §6 makes public is
listed, and never a review team's working papers (``report``, ``recommendation``), which are not
even read from the database here.

Filters: ``q``, ``host_party``, ``aie``, ``scope``, ``track``, ``status``, ``from``, ``to``; ``sort`` and
``page``. The project-level ones go through ``filters.ProjectFilter`` — for a project-based
section together with ``section=<slug>`` — so a section's "Download CSV" link, which carries the
same query string to the open-data downloads, lists the same projects as the page.

Query budget: a section page costs the same number of queries whatever the number of rows
(hosts, AIEs, count, rows, and one prefetch for reviews); the index one aggregate per model.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from jitrack import pagecache
from projects.models import Organisation, Party, Project
from projects.selectors import public_projects

from .filters import SCOPE_CHOICES, IsoDateField, ProjectFilter, ProjectFilterForm
from .section_defs import SECTIONS, Section

PER_PAGE = 20
# Long texts no table shows: left out of the rows, which the database then sorts in memory.
WIDE = ("participants_text", "monitoring_approach", "methodology")
# Filters a project-based section hands to ProjectFilter; the others apply to its rows.
PROJECT_FILTERS = ("q", "host_party", "aie", "scope", "track")
FILTERS = (*PROJECT_FILTERS, "status", "from", "to")


# --- the form -------------------------------------------------------------------------------


# Long option texts (scope names, AIE names) must not push a select past a phone's screen.
SELECT = forms.Select(attrs={"class": "select-fits"})  # jitrack.css; no inline style (the CSP)


class CodeChoiceField(forms.ChoiceField):
    """A Party code in any case."""

    def to_python(self, value):
        return super().to_python(value).strip().upper()


class SectionForm(ProjectFilterForm):
    """The GET search form of one section: stricter than ProjectFilter's (a host Party, an AIE
    and a sort from the lists; from <= to as there). Choices come from the view (two queries)."""

    q = forms.CharField(
        label=_("Reference, title or participant"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, section: Section, data, *, hosts, aies):
        if not data.get("sort"):
            data = data.copy()
            data["sort"] = section.default_sort
        super().__init__(data)
        self.section = section
        self.fields["host_party"] = CodeChoiceField(
            widget=SELECT,
            label=_("Host Party"),
            required=False,
            choices=[("", _("Any host Party"))] + [(c, f"{n} ({c})") for c, n in hosts],
            error_messages={
                "invalid_choice": _(
                    "No published project is hosted by a Party with the code %(value)s."
                )
            },
        )
        self.fields["aie"] = forms.TypedChoiceField(
            widget=SELECT,
            label=section.aie_label,
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", _("Any AIE"))] + [(str(pk), name) for pk, name in aies],
            error_messages={"invalid_choice": _("There is no AIE with the id %(value)s.")},
        )
        self.fields["scope"] = forms.TypedChoiceField(
            widget=SELECT,
            label=_("Sectoral scope"),
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", _("Any sectoral scope"))] + SCOPE_CHOICES,
            error_messages={"invalid_choice": _("There is no sectoral scope %(value)s (1–15).")},
        )
        self.fields["track"] = forms.ChoiceField(
            widget=SELECT,
            label=_("Track"),
            required=False,
            choices=[("", _("Track 1 and Track 2"))] + list(Project.Track.choices),
            error_messages={"invalid_choice": _("There is no track %(value)s (1 or 2).")},
        )
        if section.statuses is not None:
            self.fields["status"] = forms.ChoiceField(
                widget=SELECT,
                label=_("Status"),
                required=False,
                choices=[("", _("Any status"))] + section.statuses(),
                error_messages={"invalid_choice": _("%(value)s is not a status of this list.")},
            )
        for name, label in (("from", _("From")), ("to", _("To"))):
            self.fields[name] = IsoDateField(
                label=label,
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
        sorts = []
        for column in section.columns:
            if column.sort:
                sorts.append((column.sort, _("%(column)s, ascending") % {"column": column.label}))
                sorts.append(
                    (f"-{column.sort}", _("%(column)s, descending") % {"column": column.label})
                )
        self.fields["sort"] = forms.ChoiceField(
            widget=SELECT,
            label=_("Sort by"),
            choices=sorts,
            error_messages={
                "invalid_choice": _("The list cannot be sorted by %(value)s: choose an order.")
            },
        )

    def filters(self) -> dict[str, str]:
        """The valid filters given, as query parameters (without sort and page)."""
        return {
            name: str(self.cleaned_data[name])
            for name in FILTERS
            if self.cleaned_data.get(name) not in (None, "")
        }


# --- selecting rows -------------------------------------------------------------------------


def project_params(section: Section, filters: dict[str, str]) -> dict[str, str]:
    """The ProjectFilter parameters that select the section's projects: for a project-based
    section every filter and the section itself; otherwise the project-level ones."""
    if section.of_projects:
        return {**filters, "section": section.slug}
    return {k: v for k, v in filters.items() if k in PROJECT_FILTERS}


def section_rows(section: Section, filters: dict[str, str], sort: str) -> QuerySet:
    """The rows the page lists, sorted, with what the table shows."""
    params = project_params(section, filters)
    if section.of_projects:
        # ``section`` keeps the published projects (ProjectFilter.filter_section): once.
        rows = ProjectFilter(params, queryset=Project.objects.defer(*WIDE)).qs
    else:
        params.pop("aie", None)  # applies to the row's own AIE below
        projects = ProjectFilter(params, queryset=public_projects()).qs
        rows = section.rows_of(projects).filter(section.where)
        if "aie" in filters:
            rows = rows.filter(**{section.aie: int(filters["aie"])})
        if "status" in filters:
            rows = rows.filter(status=filters["status"])
        if "from" in filters:
            rows = rows.filter(**{f"{section.date_field}__gte": filters["from"]})
        if "to" in filters:
            rows = rows.filter(**{f"{section.date_field}__lte": filters["to"]})
    if section.related:
        rows = rows.select_related(*section.related)
    if section.prepare is not None:
        rows = section.prepare(rows)
    return rows.order_by(*section.ordering(sort))


def section_counts() -> dict[str, int]:
    """How many rows each section lists: one aggregate query per model."""
    by_model: dict[str, list[Section]] = {}
    for section in SECTIONS.values():
        by_model.setdefault(section.model, []).append(section)
    counts: dict[str, int] = {}
    for sections in by_model.values():
        rows = sections[0].rows_of(public_projects())
        totals = rows.aggregate(
            **{f"n{i}": Count("pk", filter=s.where) for i, s in enumerate(sections)}
        )
        counts.update({s.slug: totals[f"n{i}"] for i, s in enumerate(sections)})
    return counts


def paginate(form: SectionForm, rows: QuerySet, number: str | None) -> Page | None:
    """The requested page, or None with the reason on the form (a page that does not exist is
    bad input, not an empty list)."""
    paginator = Paginator(rows, PER_PAGE)
    try:
        return paginator.page(paginator.validate_number(number or 1))
    except PageNotAnInteger:
        form.add_error(None, _("The page number must be a whole number."))
    except EmptyPage:
        pages = paginator.num_pages
        form.add_error(
            None,
            ngettext(
                "There is no page %(number)s: the list has %(pages)s page.",
                "There is no page %(number)s: the list has %(pages)s pages.",
                pages,
            )
            % {"number": number, "pages": pages},
        )
    return None


# --- views ----------------------------------------------------------------------------------


def _choices() -> dict:
    """The host Parties of published projects and the AIEs, for the selects: two queries once
    per generation of the record (``pagecache.remember``; the host list scans every published
    project), none after."""
    return pagecache.remember("section-choices", _compute_choices)


def _compute_choices() -> dict:
    # One indexed probe per Party (a few dozen), not a scan of every project.
    hosted = public_projects().filter(host_party=OuterRef("pk"))
    hosts = list(Party.objects.filter(Exists(hosted)).order_by("name").values_list("code", "name"))
    aies = list(
        Organisation.objects.filter(kind=Organisation.Kind.AIE)
        .order_by("name")
        .values_list("pk", "name")
    )
    return {"hosts": hosts, "aies": aies}


def _headers(section: Section, query: dict[str, str], sort: str) -> list[dict]:
    """The column headers; a sortable one links to its order (the other filters kept) and the
    sorted one says which way (``aria-sort``)."""
    headers = []
    for column in section.columns:
        header = {"column": column, "aria_sort": "", "href": ""}
        if column.sort:
            ascending = sort == column.sort
            if ascending or sort == f"-{column.sort}":
                header["aria_sort"] = "ascending" if ascending else "descending"
            target = f"-{column.sort}" if ascending else column.sort
            header["href"] = "?" + urlencode({**query, "sort": target})
        headers.append(header)
    return headers


def _downloads(section: Section, filters: dict[str, str]) -> dict[str, str] | None:
    if not section.download:
        return None
    query = urlencode(project_params(section, filters))
    suffix = f"?{query}" if query else ""
    return {
        fmt: reverse(f"opendata_{fmt}", args=[section.download]) + suffix for fmt in ("csv", "json")
    }


@require_safe
def section_page(request: HttpRequest, slug: str) -> HttpResponse:
    section = SECTIONS.get(slug)
    if section is None:
        raise Http404(f"No registry section {slug!r}.")
    form = SectionForm(section, request.GET, **_choices())
    page = filters = None
    sort = section.default_sort
    if form.is_valid():
        filters = form.filters()
        sort = form.cleaned_data["sort"]
        page = paginate(form, section_rows(section, filters, sort), request.GET.get("page"))
    listed = page is not None  # an empty page is falsy, but still a valid answer
    context = {
        "section": section,
        "form": form,
        "sections": SECTIONS.values(),
        "listed": listed,
        "page": page,
        "count": section.noun % {"n": page.paginator.count} if listed else "",
        "rows": [(row, section.project_of(row)) for row in page.object_list] if listed else [],
        "headers": _headers(section, filters or {}, sort),
        "page_query": urlencode({**(filters or {}), "sort": sort}),
        "filtered": bool(filters),
        "downloads": _downloads(section, filters) if listed else None,
    }
    return render(request, "registry/section.html", context, status=200 if listed else 400)


@require_safe
def sections_index(request: HttpRequest) -> HttpResponse:
    counts = section_counts()
    sections = [(s, counts[s.slug]) for s in SECTIONS.values()]
    return render(request, "registry/sections.html", {"sections": sections})
