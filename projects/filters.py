"""Filters and ordering of the project register (API)."""

import django_filters
from django.db.models import Q
from rest_framework.filters import OrderingFilter

from .models import Project


class ProjectFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Project.Status.choices)
    host_party = django_filters.CharFilter(
        field_name="host_party__code", lookup_expr="iexact", label="Host Party code"
    )
    aie = django_filters.CharFilter(method="filter_aie", label="AIE id or name")
    q = django_filters.CharFilter(method="filter_q", label="Title or reference contains")

    class Meta:
        model = Project
        fields = ["status", "host_party", "aie", "q"]

    def filter_aie(self, queryset, name, value: str):
        value = value.strip()
        if value.isdigit():
            return queryset.filter(aie_id=int(value)) if len(value) < 18 else queryset.none()
        return queryset.filter(aie__name__iexact=value)

    def filter_q(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(reference__icontains=value))


class StableOrderingFilter(OrderingFilter):
    """The requested ordering, then the primary key, so pages never overlap."""

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if ordering and not any(f.lstrip("-") in ("pk", "id") for f in ordering):
            ordering.append("-pk")
        return ordering
