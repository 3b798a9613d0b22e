"""Conversions: per host Party and calendar year, the ERUs issued under Track 1 and Track 2, the
AAUs they consumed, and — where the secretariat recorded the Party's assigned amount and reported
emissions — how many of the year's ERUs the surplus of assigned amount over emissions could
account for ("hot air"). Pure arithmetic over four reads (verifications with their ERUs, assigned
amounts, reported emissions, the AAU ledger's conversions), whatever the number of rows.

CONVERSIONS — [our reading], the one named place of these decisions:

* **Year of an ERU.** An ERU belongs to the calendar year of the reductions it was issued for,
  allocated as ``issuance.issued_by_year`` does (ISSUANCE_PERIODS, ISSUED_BY_YEAR: a
  verification's ERUs of a commitment period count against the years of that period it verified,
  earliest first). Never the year of issuance: a host may issue ERUs for 2010 in 2013.
* **Track.** The track of the project the ERUs were issued for (``Project.track``): Track 1 under
  the host's own procedure (decision 9/CMP.1 annex para 23), Track 2 under the JISC verification
  procedure (paras 30-45).
* **AAUs consumed.** One AAU of the host cancelled for every ERU issued (decision 13/CMP.1 annex
  para 29: ERUs are issued by converting AAUs held in the host's national registry), so the
  AAUs of a year are its ERUs. Per commitment period the AAU ledger's conversions are also given;
  they equal the ERUs of the period's years.
* **Annual share of the assigned amount.** The assigned amount of a commitment period (Kyoto
  Protocol Article 3, paragraphs 7 and 8: the base year emissions times the Party's percentage
  times the years of the period) divided by the number of years of the period (5 for 2008-2012,
  8 for 2013-2020). Exact: the quotient of a whole number by 5 or 8 is a finite decimal.
* **Surplus** of a year = annual share − reported emissions of the year, never below zero.
* **ERUs from the surplus** = min(ERUs of the year, surplus); **share** = that ÷ the year's ERUs,
  shown as a percentage to one decimal (rounded half up). All three are null for a year whose
  assigned amount or emissions are not recorded, and the share is null for a year without ERUs.
* **Totals.** A Party's share over several years is the sum of its ERUs from the surplus over the
  sum of the ERUs of the years where both figures are recorded.
* **Corrections.** A Party has one recorded assigned amount per period and one emission figure per
  year (``determinations.inventory``): a correction replaces the figure and its source.

PROJECT_COMPARISON — [our reading]: how a project's ERUs compare with its PDD. Per calendar
year, the reductions verified by its final verifications against the reductions the PDD expected
for the year (``ExpectedReduction``), as a percentage to one decimal (none where the PDD expected
nothing), and the ERUs issued for the year (ISSUED_BY_YEAR). The project's total compares only
the years in which a final verification verified reductions: a year not yet verified is not a
shortfall.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, OuterRef, Q, Subquery, Sum

from projects.models import Party, Project
from projects.selectors import expected_by_year, public_projects

from .issuance import PERIODS, issued_by_year, period_of
from .models import (
    COMMITMENT_PERIOD_YEARS,
    AauLedgerEntry,
    AssignedAmount,
    EruBlock,
    EruIssuance,
    ReportedEmissions,
    Verification,
)

HUNDRED = Decimal(100)
ONE_DECIMAL = Decimal("0.1")


def period_years(period: int) -> int:
    first, last = COMMITMENT_PERIOD_YEARS[period]
    return last - first + 1


def annual_share(tonnes: int, period: int) -> Decimal:
    """CONVERSIONS: the assigned amount of ``period`` spread evenly over its years (exact)."""
    return _plain(Decimal(tonnes) / period_years(period))


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """``part`` of ``whole`` in per cent, to one decimal, rounded half up; None when ``whole``
    is zero."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def _plain(value: Decimal) -> Decimal:
    """``value`` without trailing zeros or an exponent: 1.2E+5 is written 120000."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


@dataclass
class Year:
    """One row: a host Party's calendar year."""

    year: int
    erus_track1: int = 0
    erus_track2: int = 0
    assigned_amount_annual: Decimal | None = None
    emissions: int | None = None

    @property
    def erus(self) -> int:
        return self.erus_track1 + self.erus_track2

    @property
    def aaus_converted(self) -> int:
        return self.erus  # CONVERSIONS: one AAU cancelled per ERU

    @property
    def commitment_period(self) -> int | None:
        return period_of(self.year)

    @property
    def surplus(self) -> Decimal | None:
        if self.assigned_amount_annual is None or self.emissions is None:
            return None
        return max(Decimal(0), self.assigned_amount_annual - self.emissions)

    @property
    def erus_from_surplus(self) -> Decimal | None:
        surplus = self.surplus
        return None if surplus is None else min(Decimal(self.erus), surplus)

    @property
    def surplus_share(self) -> Decimal | None:
        """Per cent of the year's ERUs the surplus accounts for, to one decimal."""
        from_surplus = self.erus_from_surplus
        return None if from_surplus is None else percent(from_surplus, self.erus)

    def as_dict(self) -> dict:
        return {
            "year": self.year,
            "commitment_period": self.commitment_period,
            "erus_track1": self.erus_track1,
            "erus_track2": self.erus_track2,
            "erus": self.erus,
            "aaus_converted": self.aaus_converted,
            "assigned_amount_annual": self.assigned_amount_annual,
            "emissions": self.emissions,
            "surplus": self.surplus,
            "erus_from_surplus": self.erus_from_surplus,
            "surplus_share_percent": self.surplus_share,
        }


@dataclass
class Period:
    """A host Party's commitment period: its assigned amount and the AAUs its ledger converted."""

    commitment_period: int
    assigned_amount: int | None = None
    assigned_amount_source: str = ""
    aaus_converted: int = 0

    @property
    def first_year(self) -> int:
        return COMMITMENT_PERIOD_YEARS[self.commitment_period][0]

    @property
    def last_year(self) -> int:
        return COMMITMENT_PERIOD_YEARS[self.commitment_period][1]

    @property
    def annual_share(self) -> Decimal | None:
        if self.assigned_amount is None:
            return None
        return annual_share(self.assigned_amount, self.commitment_period)


@dataclass
class Conversions:
    """A host Party's figures: its years (oldest first) and commitment periods."""

    party: Party
    years: list[Year] = field(default_factory=list)
    periods: list[Period] = field(default_factory=list)

    @property
    def erus_track1(self) -> int:
        return sum(y.erus_track1 for y in self.years)

    @property
    def erus_track2(self) -> int:
        return sum(y.erus_track2 for y in self.years)

    @property
    def erus(self) -> int:
        return self.erus_track1 + self.erus_track2

    @property
    def aaus_converted(self) -> int:
        return self.erus

    @property
    def erus_with_data(self) -> int:
        """ERUs of the years whose assigned amount and emissions are both recorded."""
        return sum(y.erus for y in self.years if y.surplus is not None)

    @property
    def erus_from_surplus(self) -> Decimal | None:
        parts = [y.erus_from_surplus for y in self.years if y.erus_from_surplus is not None]
        return _plain(sum(parts, Decimal(0))) if parts else None

    @property
    def surplus_share(self) -> Decimal | None:
        """CONVERSIONS "Totals"."""
        from_surplus = self.erus_from_surplus
        return None if from_surplus is None else percent(from_surplus, self.erus_with_data)

    def as_dict(self) -> dict:
        return {
            "party": self.party.code,
            "name": self.party.name,
            "erus_track1": self.erus_track1,
            "erus_track2": self.erus_track2,
            "erus": self.erus,
            "aaus_converted": self.aaus_converted,
            "erus_with_data": self.erus_with_data,
            "erus_from_surplus": self.erus_from_surplus,
            "surplus_share_percent": self.surplus_share,
            "commitment_periods": [
                {
                    "commitment_period": p.commitment_period,
                    "first_year": p.first_year,
                    "last_year": p.last_year,
                    "assigned_amount": p.assigned_amount,
                    "assigned_amount_source": p.assigned_amount_source,
                    "assigned_amount_annual": p.annual_share,
                    "aaus_converted": p.aaus_converted,
                }
                for p in self.periods
            ],
            "years": [y.as_dict() for y in self.years],
        }


def _issued_in(period: int):
    """A verification's ERUs of ``period`` as issued (the original blocks, not a transfer's
    parts), as a subquery."""
    return Subquery(
        EruBlock.objects.filter(
            issuance__verification=OuterRef("pk"), parent__isnull=True, commitment_period=period
        )
        .values("issuance__verification")
        .annotate(n=Sum(F("serial_end") - F("serial_start") + 1))
        .values("n")
        .order_by()[:1]
    )


def for_parties(parties: Iterable[Party]) -> list[Conversions]:
    """CONVERSIONS for each of ``parties``, in their order: four queries in all."""
    parties = list(parties)
    ids = [p.pk for p in parties]
    erus: dict[int, dict[int, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: {"1": 0, "2": 0})
    )
    verifications = (
        Verification.objects.filter(erus_issued__gt=0, project__host_party__in=ids)
        .annotate(**{f"cp{p}": _issued_in(p) for p in PERIODS})
        .values("project__host_party", "project__track", "verified", *(f"cp{p}" for p in PERIODS))
        .order_by()
    )
    for ver in verifications:
        issued = {p: ver[f"cp{p}"] or 0 for p in PERIODS}
        track = ver["project__track"] if ver["project__track"] == "1" else "2"
        for year, n in issued_by_year(ver["verified"], issued).items():
            if n:
                erus[ver["project__host_party"]][year][track] += n
    amounts: dict[int, dict[int, AssignedAmount]] = defaultdict(dict)
    for row in AssignedAmount.objects.filter(party__in=ids).order_by():
        amounts[row.party_id][row.commitment_period] = row
    emissions: dict[int, dict[int, int]] = defaultdict(dict)
    for row in ReportedEmissions.objects.filter(party__in=ids).values_list(
        "party", "year", "tonnes"
    ):
        emissions[row[0]][row[1]] = row[2]
    converted: dict[int, dict[int, int]] = defaultdict(dict)
    for row in (
        AauLedgerEntry.objects.filter(party__in=ids, kind=AauLedgerEntry.Kind.CONVERSION)
        .values("party", "commitment_period")
        .annotate(n=Sum("quantity"))
        .order_by()
    ):
        converted[row["party"]][row["commitment_period"]] = -(row["n"] or 0)

    out = []
    for party in parties:
        periods = [
            Period(
                commitment_period=int(p),
                assigned_amount=amounts[party.pk][p].tonnes if p in amounts[party.pk] else None,
                assigned_amount_source=(
                    amounts[party.pk][p].source if p in amounts[party.pk] else ""
                ),
                aaus_converted=converted[party.pk].get(p, 0),
            )
            for p in PERIODS
        ]
        share = {p.commitment_period: p.annual_share for p in periods}
        years = set(erus[party.pk]) | set(emissions[party.pk])
        for p in periods:
            if p.assigned_amount is not None:
                years |= set(range(p.first_year, p.last_year + 1))
        rows = []
        for year in sorted(years):
            period = period_of(year)
            rows.append(
                Year(
                    year=year,
                    erus_track1=erus[party.pk][year]["1"] if year in erus[party.pk] else 0,
                    erus_track2=erus[party.pk][year]["2"] if year in erus[party.pk] else 0,
                    assigned_amount_annual=share.get(period) if period else None,
                    emissions=emissions[party.pk].get(year),
                )
            )
        out.append(Conversions(party=party, years=rows, periods=periods))
    return out


def for_party(party: Party) -> Conversions:
    """CONVERSIONS of one host Party (four queries)."""
    return for_parties([party])[0]


def host_parties():
    """The Parties the public page lists: hosts of a public project, Parties that issued ERUs,
    and Parties whose assigned amount or emissions are recorded (one query)."""
    return Party.objects.filter(
        Q(pk__in=public_projects().values("host_party"))
        | Q(pk__in=EruIssuance.objects.values("party"))
        | Q(pk__in=AssignedAmount.objects.values("party"))
        | Q(pk__in=ReportedEmissions.objects.values("party"))
    ).order_by("name")


# --- a project's ERUs against its PDD ------------------------------------------------------------


@dataclass
class ProjectYear:
    """How a project's year compares: reductions verified (final verifications) against those
    the PDD expected, and the ERUs issued for the year."""

    year: int
    expected: int
    verified: int
    issued: int

    @property
    def verified_percent(self) -> Decimal | None:
        return percent(self.verified, self.expected)


@dataclass
class ProjectComparison:
    """PROJECT_COMPARISON — [our reading]: a project's total compares only the years in which a
    final verification verified reductions (years not yet verified are not a shortfall)."""

    years: list[ProjectYear]
    issued: int  # ERUs issued for the project's final verifications

    @property
    def verified_years(self) -> list[ProjectYear]:
        return [y for y in self.years if y.verified]

    @property
    def first_year(self) -> int | None:
        verified = self.verified_years
        return verified[0].year if verified else None

    @property
    def last_year(self) -> int | None:
        verified = self.verified_years
        return verified[-1].year if verified else None

    @property
    def years_label(self) -> str:
        """The verified years: "2011", or "2010–2014"."""
        if self.first_year == self.last_year:
            return str(self.first_year)
        return f"{self.first_year}–{self.last_year}"

    @property
    def verified(self) -> int:
        return sum(y.verified for y in self.years)

    @property
    def expected(self) -> int:
        """The PDD's expectation for the verified years."""
        return sum(y.expected for y in self.verified_years)

    @property
    def verified_percent(self) -> Decimal | None:
        return percent(self.verified, self.expected)


def compare_rows(rows: Iterable[dict]) -> ProjectComparison:
    """PROJECT_COMPARISON from ``issuance.reconciliation``'s rows (no query)."""
    years = [
        ProjectYear(r["year"], r["expected"], r["verified"], r["issued"])
        for r in rows
        if r["expected"] or r["verified"] or r["issued"]
    ]
    return ProjectComparison(years, sum(y.issued for y in years))


def compare_verifications(
    project: Project, verifications: Iterable[Verification]
) -> ProjectComparison | None:
    """PROJECT_COMPARISON from verifications a page has already (their final ones count) and the
    PDD's expected reductions (one query, none after ``projects.selectors.with_expected``); None, without a query, when none is final. The years'
    ``issued`` is not split here (the monitoring page's table has it)."""
    finals = [v for v in verifications if v.status == Verification.Status.FINAL]
    if not finals:
        return None
    years: dict[int, dict[str, int]] = defaultdict(
        lambda: {"expected": 0, "verified": 0, "issued": 0}
    )
    for ver in finals:
        for y, t in ver.verified.items():
            years[int(y)]["verified"] += int(t)
    for year, tonnes in expected_by_year(project).items():
        years[year]["expected"] += tonnes
    rows = compare_rows({"year": y, **years[y]} for y in sorted(years)).years
    return ProjectComparison(rows, sum(v.erus_issued for v in finals))
