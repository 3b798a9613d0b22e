"""Filters and ordering of the project register. One ``ProjectFilter`` serves the API list
(/api/projects/), the open-data page and downloads, and the public registry's sections
(``section_defs``), so one query string selects the same projects everywhere.

``section`` applies a project-based registry section's own rows (``pdds-open`` …) and moves the
``from``/``to`` date range onto that section's date; without it the range is on the PDD's
availability date.
"""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.filters import OrderingFilter

from projects import search
from projects.models import Project, SectoralScope

from .section_defs import SECTIONS

# The 15 JI sectoral scopes (ji-rules §1) are fixed: the choices need no query.
SCOPE_CHOICES = [(str(n), f"{n}. {name}") for n, name in enumerate(SectoralScope.NAMES, 1)]
DEFAULT_DATE_FIELD = "pdd_available_on"


class IsoDateField(forms.DateField):
    """A day written YYYY-MM-DD and nothing else, cleaned back to that text: the open-data JSON
    echoes the cleaned filters in its header, and text is what a link carries."""

    input_formats = ["%Y-%m-%d"]
    default_error_messages = {"invalid": _("Enter the date as YYYY-MM-DD, e.g. 2011-04-16.")}

    def clean(self, value):
        day = super().clean(value)
        return day.isoformat() if day else None


class IsoDateFilter(django_filters.Filter):
    field_class = IsoDateField


class ProjectFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", _("The end of the date range is before its start."))
        return data


def section_choices() -> list[tuple[str, str]]:
    """The registry sections that list projects (``section_defs``)."""
    return [(s.slug, s.title) for s in SECTIONS.values() if s.of_projects]


class ProjectFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Project.Status.choices)
    track = django_filters.ChoiceFilter(
        choices=Project.Track.choices,
        label="Track: 1 (host Party's national procedure, para 23) or 2 (JISC procedure)",
    )
    host_party = django_filters.CharFilter(
        field_name="host_party__code", lookup_expr="iexact", label="Host Party code"
    )
    aie = django_filters.CharFilter(method="filter_aie", label="AIE id or name")
    q = django_filters.CharFilter(
        method="filter_q",
        label="The reference, or words of the title or of a participant's name (prefixes)",
    )
    scope = django_filters.ChoiceFilter(
        field_name="sectoral_scopes", choices=SCOPE_CHOICES, label="Sectoral scope number"
    )
    section = django_filters.ChoiceFilter(
        choices=section_choices, method="filter_section", label="Registry section"
    )

    class Meta:
        model = Project
        fields = ["status", "track", "host_party", "aie", "q", "scope", "section"]
        form = ProjectFilterForm

    def filter_aie(self, queryset, name, value: str):
        value = value.strip()
        if value.isdigit():
            return queryset.filter(aie_id=int(value)) if len(value) < 18 else queryset.none()
        return queryset.filter(aie__name__iexact=value)

    def filter_q(self, queryset, name, value: str):
        return search.matching(queryset, value)

    def filter_section(self, queryset, name, value: str):
        # A section lists published projects only, whoever asks (the API also lists a user's own
        # unpublished projects).
        public = queryset.filter(Project.published_q(timezone.localdate()))
        return public.filter(SECTIONS[value].where)

    def filter_dates(self, queryset, name, value: str):
        slug = self.form.cleaned_data.get("section")
        field = SECTIONS[slug].date_field if slug else DEFAULT_DATE_FIELD
        lookup = "gte" if name == "from" else "lte"
        return queryset.filter(**{f"{field}__{lookup}": value})


# ``from`` is a Python keyword, so the date range cannot be declared in the class body.
for _name, _label in (("from", "On or after (YYYY-MM-DD)"), ("to", "On or before (YYYY-MM-DD)")):
    _filter = IsoDateFilter(field_name=_name, method="filter_dates", label=_label)
    ProjectFilter.declared_filters[_name] = _filter
    ProjectFilter.base_filters[_name] = _filter


class StableOrderingFilter(OrderingFilter):
    """The requested ordering, then the primary key, so pages never overlap."""

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if ordering and not any(f.lstrip("-") in ("pk", "id") for f in ordering):
            ordering.append("-pk")
        return ordering
