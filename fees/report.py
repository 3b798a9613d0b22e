"""The annual revenue report (decision 3/CMP.2, para 17): fee revenue received by the secretariat,
by calendar year, fee kind and host Party, with totals.

Definition. The revenue of a calendar year is

* the payments received in that year (``Payment.received_on`` in the year, ``Payment.amount_usd``,
  the whole amount received, including any excess later owed back),
* minus the reimbursements paid in that year (``Reimbursement.status == "paid"``, ``paid_on`` in
  the year, ``Reimbursement.amount_usd``),

each attributed to the fee kind of its invoice (``Invoice.kind``: the determination fee, i.e. the
advance, or a verification fee) and to the host Party of the invoice's project. The report shows
for each (year, fee kind, host Party) the amount received, the amount reimbursed and the net
(received minus reimbursed); the net is negative when more was paid back than received. Invoices
issued, credit notes and reimbursements still due are not revenue: only money that moved counts.

Amounts are ``Decimal`` throughout and are summed in the database: one grouped query for the
payments and one for the reimbursements, so a page costs the same few queries whatever the
number of payments. Building the rows and totals (``build_report``) and drawing the chart
(``revenue_chart_svg``, with the kernel's ``jitrack.charts``) are pure functions of the
aggregated figures. The CSV is streamed (``jitrack.streaming``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import F, Sum
from django.db.models.functions import ExtractYear
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from jitrack import charts
from jitrack.streaming import csv_response
from jitrack.web import refuse

from .models import ZERO, FeeKind, Payment, Reimbursement

CENT = Decimal("0.01")
MIN_YEAR = 1990
MAX_YEAR = 2999
FORMATS = ("html", "csv", "json")
KIND_ORDER = {kind: i for i, kind in enumerate(FeeKind.values)}
CSV_HEADER = (
    "year",
    "fee_kind",
    "host_party_code",
    "host_party",
    "received_usd",
    "reimbursed_usd",
    "net_usd",
)


def money(amount: Decimal) -> str:
    """``Decimal("8500")`` → ``"8500.00"``: the form of amounts in CSV and JSON."""
    return f"{amount.quantize(CENT):.2f}"


def kind_label(kind: str) -> str:
    return FeeKind(kind).label if kind in FeeKind.values else kind


# --- figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Amounts:
    received_usd: Decimal = ZERO
    reimbursed_usd: Decimal = ZERO

    @property
    def net_usd(self) -> Decimal:
        return self.received_usd - self.reimbursed_usd

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(
            self.received_usd + other.received_usd, self.reimbursed_usd + other.reimbursed_usd
        )


@dataclass(frozen=True)
class Row:
    """The revenue of one (calendar year, fee kind, host Party)."""

    year: int
    fee_kind: str
    host_party_code: str
    host_party: str
    received_usd: Decimal
    reimbursed_usd: Decimal

    @property
    def net_usd(self) -> Decimal:
        return self.received_usd - self.reimbursed_usd

    @property
    def amounts(self) -> Amounts:
        return Amounts(self.received_usd, self.reimbursed_usd)

    @property
    def fee_kind_label(self) -> str:
        return kind_label(self.fee_kind)

    def as_dict(self) -> dict[str, str]:
        return {
            "fee_kind": self.fee_kind,
            "host_party_code": self.host_party_code,
            "host_party": self.host_party,
            "received_usd": money(self.received_usd),
            "reimbursed_usd": money(self.reimbursed_usd),
            "net_usd": money(self.net_usd),
        }

    def as_csv(self) -> dict[str, object]:
        """The row under ``CSV_HEADER``: its year, then ``as_dict``."""
        return {"year": self.year, **self.as_dict()}


@dataclass(frozen=True)
class Totals:
    received_usd: Decimal
    reimbursed_usd: Decimal
    # Every fee kind, in FeeKind order (zero when the kind has no rows), then any other kind.
    by_kind: dict[str, Amounts]

    @property
    def net_usd(self) -> Decimal:
        return self.received_usd - self.reimbursed_usd

    @property
    def kinds(self) -> list[tuple[str, Amounts]]:
        """``[(label, amounts)]`` for the templates."""
        return [(kind_label(kind), amounts) for kind, amounts in self.by_kind.items()]

    def as_dict(self) -> dict:
        return {
            "received_usd": money(self.received_usd),
            "reimbursed_usd": money(self.reimbursed_usd),
            "net_usd": money(self.net_usd),
            "by_kind": {kind: money(amounts.net_usd) for kind, amounts in self.by_kind.items()},
        }


def totals_of(rows: Iterable[Row]) -> Totals:
    by_kind: dict[str, Amounts] = {kind: Amounts() for kind in FeeKind.values}
    received = reimbursed = ZERO
    for row in rows:
        received += row.received_usd
        reimbursed += row.reimbursed_usd
        by_kind[row.fee_kind] = by_kind.get(row.fee_kind, Amounts()) + row.amounts
    return Totals(received, reimbursed, by_kind)


@dataclass(frozen=True)
class YearReport:
    year: int
    rows: list[Row]
    totals: Totals

    def as_dict(self) -> dict:
        return {
            "year": self.year,
            "rows": [row.as_dict() for row in self.rows],
            "totals": self.totals.as_dict(),
        }


@dataclass(frozen=True)
class Report:
    years: list[YearReport]
    totals: Totals
    year_from: int | None = None
    year_to: int | None = None

    @property
    def rows(self) -> list[Row]:
        return [row for year in self.years for row in year.rows]

    @property
    def empty(self) -> bool:
        return not self.years

    def as_dict(self) -> dict:
        return {
            "years": [year.as_dict() for year in self.years],
            "totals": self.totals.as_dict(),
        }


def _sort_key(row: Row) -> tuple:
    return (row.year, KIND_ORDER.get(row.fee_kind, len(KIND_ORDER)), row.fee_kind, row.host_party)


def build_report(
    received: Iterable[Mapping],
    reimbursed: Iterable[Mapping],
    *,
    year_from: int | None = None,
    year_to: int | None = None,
) -> Report:
    """Rows and totals from the grouped sums. Each item of ``received`` and ``reimbursed`` is a
    mapping with ``year``, ``kind``, ``party_code``, ``party_name`` and ``total`` (a Decimal),
    one per group, as ``received_by_group`` / ``reimbursed_by_group`` return them. Rows are
    sorted by year, fee kind (FeeKind order) and host Party name."""
    cells: dict[tuple, list[Decimal]] = {}
    for index, items in enumerate((received, reimbursed)):
        for item in items:
            key = (int(item["year"]), item["kind"], item["party_code"], item["party_name"])
            cell = cells.setdefault(key, [ZERO, ZERO])
            cell[index] += Decimal(item["total"] or ZERO).quantize(CENT)
    rows = sorted(
        (
            Row(year, kind, code, name, got, back)
            for (year, kind, code, name), (got, back) in cells.items()
        ),
        key=_sort_key,
    )
    years = []
    for year, group in groupby(rows, key=lambda row: row.year):
        year_rows = list(group)
        years.append(YearReport(year, year_rows, totals_of(year_rows)))
    return Report(years, totals_of(rows), year_from, year_to)


# --- queries --------------------------------------------------------------------------------


def _years(qs, field_name: str, year_from: int | None, year_to: int | None):
    if year_from is not None:
        qs = qs.filter(**{f"{field_name}__year__gte": year_from})
    if year_to is not None:
        qs = qs.filter(**{f"{field_name}__year__lte": year_to})
    return qs


def received_by_group(year_from: int | None = None, year_to: int | None = None) -> list[dict]:
    """Payments received, summed per (year received, invoice kind, host Party): one query."""
    qs = _years(Payment.objects.all(), "received_on", year_from, year_to)
    return list(
        qs.values(
            year=ExtractYear("received_on"),
            kind=F("invoice__kind"),
            party_code=F("invoice__project__host_party__code"),
            party_name=F("invoice__project__host_party__name"),
        )
        .annotate(total=Sum("amount_usd"))
        .order_by()
    )


def reimbursed_by_group(year_from: int | None = None, year_to: int | None = None) -> list[dict]:
    """Reimbursements paid, summed per (year paid, invoice kind, host Party): one query."""
    qs = Reimbursement.objects.filter(status=Reimbursement.Status.PAID, paid_on__isnull=False)
    qs = _years(qs, "paid_on", year_from, year_to)
    return list(
        qs.values(
            year=ExtractYear("paid_on"),
            kind=F("invoice__kind"),
            party_code=F("invoice__project__host_party__code"),
            party_name=F("invoice__project__host_party__name"),
        )
        .annotate(total=Sum("amount_usd"))
        .order_by()
    )


def revenue_report(year_from: int | None = None, year_to: int | None = None) -> Report:
    """The report for the years ``year_from``..``year_to`` (either open): two queries."""
    return build_report(
        received_by_group(year_from, year_to),
        reimbursed_by_group(year_from, year_to),
        year_from=year_from,
        year_to=year_to,
    )


def revenue_years() -> list[int]:
    """The calendar years with a payment received or a reimbursement paid: one query."""
    payments = (
        Payment.objects.annotate(y=ExtractYear("received_on"))
        .values_list("y", flat=True)
        .order_by()
    )
    refunds = (
        Reimbursement.objects.filter(status=Reimbursement.Status.PAID, paid_on__isnull=False)
        .annotate(y=ExtractYear("paid_on"))
        .values_list("y", flat=True)
        .order_by()
    )
    return sorted({int(y) for y in payments.union(refunds)})


# --- chart ----------------------------------------------------------------------------------

CHART_WIDTH = 720
CHART_HEIGHT = 320
KIND_COLOURS = {FeeKind.DETERMINATION.value: "#145a9e", FeeKind.VERIFICATION.value: "#0a7f6f"}
OTHER_COLOUR = "#5a6472"
NO_DATA = gettext_lazy("No fee revenue was recorded for these years, so there is no chart.")


def compact_usd(amount: Decimal) -> str:
    """Tick and bar labels: ``12,500``, ``1.5 M``, ``2 bn``, ``-300``, ``12.50``."""
    sign = "-" if amount < 0 else ""
    value = abs(amount)
    for power, suffix in ((12, "tn"), (9, "bn"), (6, "M")):
        if value >= Decimal(10) ** power:
            scaled = f"{value.scaleb(-power):,.1f}".removesuffix(".0")
            return f"{sign}{scaled} {suffix}"
    if value == value.to_integral_value():
        return f"{sign}{value:,.0f}"
    return f"{sign}{value:,.2f}"


def _usd(amount: Decimal) -> str:
    return f"USD {amount:,.2f}"


def revenue_chart_svg(
    series: Sequence[tuple[int, Mapping[str, Decimal]]],
    *,
    title: str = gettext_lazy("Net fee revenue"),
) -> SafeString:
    """An inline SVG bar chart of net revenue per calendar year, one bar per year stacked by fee
    kind: positive parts stack up from the zero line, negative parts (more reimbursed than
    received) stack down from it. ``series`` is ``[(year, {fee_kind: net_usd})]`` in the order
    to draw. Without data it returns a short message instead of a chart."""
    series = [(int(year), dict(nets)) for year, nets in series]
    kinds = [k for k in FeeKind.values if any(k in nets for _, nets in series)]
    kinds += sorted({k for _, nets in series for k in nets} - set(kinds))
    return charts.bar_chart(
        _("%(title)s, by calendar year, in US dollars") % {"title": title},
        [
            charts.Group(str(year), [nets.get(k, ZERO) for k in kinds], data={"year": year})
            for year, nets in series
        ],
        [charts.Series(kind_label(k), KIND_COLOURS.get(k, OTHER_COLOUR)) for k in kinds],
        layout=charts.COLUMNS,
        stacked=True,
        unit=CENT,
        fmt=compact_usd,
        full=_usd,
        axis_title=_("Net revenue (USD)"),
        label_class="year",
        css="revenue-chart",
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        empty=NO_DATA,
    )


def chart_series(report: Report) -> list[tuple[int, dict[str, Decimal]]]:
    """``[(year, {fee_kind: net_usd})]`` for ``revenue_chart_svg``."""
    return [
        (
            year.year,
            {
                kind: a.net_usd
                for kind, a in year.totals.by_kind.items()
                if a.received_usd or a.reimbursed_usd
            },
        )
        for year in report.years
    ]


# --- view -----------------------------------------------------------------------------------


class RevenueFilter(forms.Form):
    error_messages = {
        "invalid": gettext_lazy("Give the year as a whole number, e.g. 2026."),
        "min_value": format_lazy(
            gettext_lazy("Give a year from {first} to {last}."), first=MIN_YEAR, last=MAX_YEAR
        ),
        "max_value": format_lazy(
            gettext_lazy("Give a year from {first} to {last}."), first=MIN_YEAR, last=MAX_YEAR
        ),
    }
    year_from = forms.IntegerField(
        label=gettext_lazy("From year"),
        required=False,
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        error_messages=error_messages,
    )
    year_to = forms.IntegerField(
        label=gettext_lazy("To year"),
        required=False,
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        error_messages=error_messages,
    )
    format = forms.ChoiceField(
        choices=[(f, f) for f in FORMATS],
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": gettext_lazy("The format is html, csv or json.")},
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("year_from"), data.get("year_to")
        if start is not None and end is not None and start > end:
            raise forms.ValidationError(
                _("The first year (%(start)s) is after the last year (%(end)s).")
                % {"start": start, "end": end},
                code="year_order",
            )
        return data


def csv_filename(year_from: int | None, year_to: int | None) -> str:
    """``jitrack-fee-revenue-2025-2026.csv``; ``-from-2025`` or ``-to-2026`` when only one
    bound is given; no years when unfiltered."""
    if year_from is not None and year_to is not None:
        return f"jitrack-fee-revenue-{year_from}-{year_to}.csv"
    if year_from is not None:
        return f"jitrack-fee-revenue-from-{year_from}.csv"
    if year_to is not None:
        return f"jitrack-fee-revenue-to-{year_to}.csv"
    return "jitrack-fee-revenue.csv"


def _link(year_from: int | None, year_to: int | None, fmt: str | None = None) -> str:
    params = {"year_from": year_from, "year_to": year_to, "format": fmt}
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return reverse("fees_revenue") + (f"?{query}" if query else "")


@require_safe
@login_required
def revenue(request: HttpRequest) -> HttpResponse:
    """The report as a page (default), ``?format=csv`` (streamed) or ``?format=json``."""
    if not request.user.has_perm("fees.view_revenue"):
        return refuse(
            request, _("The fee revenue report is available to the secretariat and the JISC only.")
        )
    form = RevenueFilter(request.GET)
    if not form.is_valid():
        errors = [e for errs in form.errors.values() for e in errs]
        if request.GET.get("format") == "json":
            return JsonResponse(
                {
                    "code": "invalid",
                    "detail": " ".join(errors),
                    "errors": form.errors.get_json_data(),
                },
                status=400,
            )
        context = {"form": form, "errors": errors, "report": None, "years": revenue_years()}
        return render(request, "fees/revenue.html", context, status=400)
    year_from, year_to = form.cleaned_data["year_from"], form.cleaned_data["year_to"]
    fmt = form.cleaned_data["format"] or "html"
    report = revenue_report(year_from, year_to)
    if fmt == "csv":
        rows = (row.as_csv() for row in report.rows)
        return csv_response(CSV_HEADER, rows, csv_filename(year_from, year_to))
    if fmt == "json":
        return JsonResponse(report.as_dict())
    context = {
        "form": form,
        "report": report,
        "chart": revenue_chart_svg(chart_series(report)),
        "years": revenue_years(),
        "csv_url": _link(year_from, year_to, "csv"),
        "json_url": _link(year_from, year_to, "json"),
        "year_from": year_from,
        "year_to": year_to,
    }
    return render(request, "fees/revenue.html", context)
