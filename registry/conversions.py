"""The public pages of the conversions (issue 16, "transparency the record has never had"): every
host Party with its ERUs by track and the share the surplus of its assigned amount over its
emissions accounts for; per Party a chart of its ERUs per year by track against the surplus, the
table and a CSV. The figures and their reading: ``determinations.conversions`` (CONVERSIONS).

Four queries for a Party's page and CSV, five for the list of Parties, whatever the number of
Parties, projects, verifications and years."""

from __future__ import annotations

import re

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from determinations import conversions
from jitrack import charts
from jitrack.streaming import csv_response
from projects.models import Party

from .datadict import in_english

PARTY_CODE = re.compile(r"[A-Za-z]{2}")
PARTIES_PER_PAGE = 50
TRACK1, TRACK2, SURPLUS = "#8a5a00", "#145a9e", "#0a7f6f"
CSV_HEADER = (
    "party",
    "year",
    "commitment_period",
    "erus_track1",
    "erus_track2",
    "erus",
    "aaus_converted",
    "assigned_amount_annual",
    "emissions",
    "surplus",
    "erus_from_surplus",
    "surplus_share_percent",
)


def _party(code: str) -> Party:
    party = Party.objects.filter(code=code.upper()).first() if PARTY_CODE.fullmatch(code) else None
    if party is None:
        raise Http404(f"No Party {code!r}.")
    return party


def year_chart(conv: conversions.Conversions):
    """ERUs per year by track, and the year's surplus beside them."""
    years = [y for y in conv.years if y.erus or y.surplus]
    return charts.bar_chart(
        _("ERUs issued per year of reductions, by track, and the surplus of %(party)s")
        % {"party": conv.party.name},
        [charts.Group(str(y.year), [y.erus_track1, y.erus_track2, y.surplus or 0]) for y in years],
        [
            charts.Series(_("Track 1 ERUs"), TRACK1),
            charts.Series(_("Track 2 ERUs"), TRACK2),
            charts.Series(_("Surplus (annual share − emissions)"), SURPLUS),
        ],
        layout=charts.COLUMNS,
        fmt=charts.whole,
        axis_title=_("t CO2e"),
        css="stat-chart bar-chart columns-chart",
        empty=_("No ERUs issued and no surplus recorded yet."),
    )


def erus_chart(conv: conversions.Conversions):
    """ERUs per year, Track 1 and Track 2 stacked: on their own scale, readable however large
    the surplus beside them."""
    return charts.bar_chart(
        _("ERUs issued per year of reductions, by track, %(party)s") % {"party": conv.party.name},
        [charts.Group(str(y.year), [y.erus_track1, y.erus_track2]) for y in conv.years if y.erus],
        [charts.Series(_("Track 1 ERUs"), TRACK1), charts.Series(_("Track 2 ERUs"), TRACK2)],
        layout=charts.COLUMNS,
        stacked=True,
        axis_title=_("ERUs"),
        css="stat-chart bar-chart columns-chart",
        empty=_("No ERUs issued yet."),
    )


def parties_chart(rows: list[conversions.Conversions]):
    """ERUs of each Party, Track 1 and Track 2 stacked."""
    return charts.bar_chart(
        _("ERUs issued per host Party, by track"),
        [charts.Group(c.party.name, [c.erus_track1, c.erus_track2]) for c in rows if c.erus],
        [charts.Series(_("Track 1"), TRACK1), charts.Series(_("Track 2"), TRACK2)],
        stacked=True,
        css="stat-chart bar-chart",
        empty=_("No ERUs issued yet."),
    )


@require_safe
def conversions_index(request: HttpRequest) -> HttpResponse:
    """Every host Party: its ERUs by track, the AAUs converted and the share from the surplus."""
    page = Paginator(conversions.host_parties(), PARTIES_PER_PAGE).get_page(request.GET.get("page"))
    rows = conversions.for_parties(page.object_list)
    return render(
        request,
        "registry/conversions/index.html",
        {
            "page": page,
            "rows": rows,
            "chart": parties_chart(rows),
            "totals": {
                "erus_track1": sum(c.erus_track1 for c in rows),
                "erus_track2": sum(c.erus_track2 for c in rows),
                "erus": sum(c.erus for c in rows),
            },
        },
    )


@require_safe
def conversions_party(request: HttpRequest, code: str) -> HttpResponse:
    conv = conversions.for_party(_party(code))
    return render(
        request,
        "registry/conversions/party.html",
        {
            "party": conv.party,
            "conv": conv,
            "chart": year_chart(conv),
            "erus_chart": erus_chart(conv),
        },
    )


def csv_rows(conv: conversions.Conversions):
    for y in conv.years:
        yield {"party": conv.party.code, **y.as_dict()}


@require_safe
@in_english
def conversions_csv(request: HttpRequest, code: str) -> HttpResponse:
    """The Party's years as CSV: the API's figures, a row per year."""
    conv = conversions.for_party(_party(code))
    filename = f"jitrack-conversions-{conv.party.code}.csv"
    return csv_response(CSV_HEADER, list(csv_rows(conv)), filename)
