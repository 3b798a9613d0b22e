"""Fee rules (ji-rules §5), pure functions on Decimal. No database, no clock.

Schedules are data: each names its rates so an assessment can be reproduced years later. Every
result carries its lines (tonnes × rate = amount), the schedule version and the total, rounded
once to the cent at the end.

Readings. Where ji-rules §5 marks **[our reading]**, or where the rules are silent, the choice is
made here and only here:

* SMALL_SCALE_ADVANCE: [our reading] ji-rules §5 — small-scale projects pay no advance under v3
  (3/CMP.2 para 8, "preferential treatment on advance payments"); their verification fees are as
  for any project.
* PERIOD_SPLIT: [our reading] ji-rules §5 — a monitoring period spanning calendar years is split in
  proportion to days unless the report gives per-year figures. Whole tonnes: each year gets the
  floor of its share and the tonnes left over go, one each, to the years with the largest
  remainders (earlier year first on a tie), so the parts always add up to the period's total.
* ADVANCE_CREDIT: [our reading] ji-rules §5 — the paid advance is credited against the
  verification fees for the first calendar year of the project (the earliest calendar year of
  its verified reductions) until used up; what is left over stays as credit, shown to the
  participants, and is not applied to later years.
* CAP_LINES: the determination fee's lines stop where the cap is reached, so the lines always add
  up to the total: above the cap the second-tier line counts only the tonnes the cap pays for.
* V2_EXEMPTION: under the older provisions (v2) a small-scale project or a project whose expected
  average annual reductions are 15,000 t or less pays nothing at all — neither the advance nor
  verification fees (the exemption is a property of the project, not of a year's volume).
* REIMBURSEMENT: what was paid towards the advance above USD 30,000 is reimbursed when the project
  ends (withdrawn, rejected or terminated) before any verification report was submitted.
* EXACT_AVERAGE: ji-rules §7 "Advance threshold" and §5 — E is the exact average of the PDD's
  expected annual reductions (``expected_average``) and is compared with the advance threshold
  (15,000 t) *before* any rounding: an average of 14,999.5 t pays no advance. The same exact E is
  compared with the v2 exemption limit. Only the tier lines count E to the whole tonne, half up
  (the tiers count whole tonnes), so every amount at or above the threshold is as before.
  [our reading] An average that does not end in a finite decimal (three years summing to
  45,001 t) is kept to 40 significant digits, rounded down: that never moves it across a whole or
  half tonne, so the threshold, the exemption and the half-up rounding decide as on the exact
  fraction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_TONNES = 10**12  # anything larger is an input error, not a project


@dataclass(frozen=True)
class Schedule:
    version: str
    title: str
    first_tier_tonnes: int
    first_tier_rate: Decimal
    second_tier_rate: Decimal
    advance_threshold: int  # no advance when E is below this
    advance_cap: Decimal
    reimbursement_floor: Decimal
    # v2: projects at or below this expected annual volume, and small-scale ones, pay nothing.
    exempt_at_or_below: int | None = None
    exempt_small_scale: bool = False
    # The provisions as public text cites them (invoices, the calculator): never our notes.
    citation: str = ""

    def __post_init__(self) -> None:
        # CAP_LINES needs the cap to be reached on a whole tonne.
        above = self.advance_cap - self.first_tier_tonnes * self.first_tier_rate
        # A check of the schedule's own figures when it is defined (an assert would vanish
        # under python -O).
        if above % self.second_tier_rate or self.advance_cap % self.first_tier_rate:
            raise ValueError(f"{self.version}: the cap is not reachable on a whole tonne")

    def exempt(
        self, *, small_scale: bool, expected_annual_reductions: int | Decimal | None
    ) -> bool:
        if self.exempt_small_scale and small_scale:
            return True
        return (
            self.exempt_at_or_below is not None
            and expected_annual_reductions is not None
            and expected_annual_reductions <= self.exempt_at_or_below
        )


_V3_RATES = {
    "first_tier_tonnes": 15_000,
    "first_tier_rate": Decimal("0.10"),
    "second_tier_rate": Decimal("0.20"),
    "advance_threshold": 15_000,
    "advance_cap": Decimal("350000"),
    "reimbursement_floor": Decimal("30000"),
}

PROVISIONS = (
    "Provisions for the charging of fees to cover administrative costs relating to the "
    "activities of the Joint Implementation Supervisory Committee"
)
SCHEDULES: dict[str, Schedule] = {
    # Provisions for the charging of fees, version 3 (JISC 18 annex 9), as in seed 003.
    "v3": Schedule(
        version="v3",
        title="Provisions for the charging of fees, version 3",
        citation=PROVISIONS
        + ", version 3 (JISC 18, annex 9; revised following decision 3/CMP.2, para 8)",
        **_V3_RATES,
    ),
    # The older provisions, for assessments made under them: small-scale projects and projects
    # of 15,000 t or less pay nothing.
    "v2": Schedule(
        version="v2",
        title="Provisions for the charging of fees, version 2",
        citation=PROVISIONS + ", version 2",
        exempt_at_or_below=15_000,
        exempt_small_scale=True,
        **_V3_RATES,
    ),
}
DEFAULT_SCHEDULE = "v3"


def schedule_for(version: str) -> Schedule:
    try:
        return SCHEDULES[version]
    except KeyError:
        known = ", ".join(sorted(SCHEDULES))
        raise ValueError(f"Unknown fee schedule {version!r}; known: {known}.") from None


@dataclass(frozen=True)
class Line:
    tonnes: int
    rate_usd: Decimal
    amount_usd: Decimal
    year: int | None = None

    def as_dict(self) -> dict:
        data: dict = {
            "tonnes": self.tonnes,
            "rate_usd": str(self.rate_usd.quantize(CENT)),
            "amount_usd": str(self.amount_usd.quantize(CENT)),
        }
        if self.year is not None:
            data["year"] = self.year
        return data

    @classmethod
    def from_dict(cls, data: Mapping) -> Line:
        return cls(
            tonnes=int(data["tonnes"]),
            rate_usd=Decimal(data["rate_usd"]),
            amount_usd=Decimal(data["amount_usd"]),
            year=data.get("year"),
        )


@dataclass(frozen=True)
class FeeResult:
    kind: str
    schedule: str
    amount_usd: Decimal
    lines: tuple[Line, ...] = field(default_factory=tuple)
    note: str = ""

    def as_dict(self) -> dict:
        """The public quote shape (the API contract): exactly these four keys."""
        return {
            "kind": self.kind,
            "schedule": self.schedule,
            "amount_usd": str(self.amount_usd.quantize(CENT)),
            "lines": [line.as_dict() for line in self.lines],
        }

    def amount_for_year(self, year: int) -> Decimal:
        return sum((ln.amount_usd for ln in self.lines if ln.year == year), ZERO)


def _check_tonnes(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number of tonnes.")
    if value < 0:
        raise ValueError(f"{name} cannot be negative.")
    if value > MAX_TONNES:
        raise ValueError(f"{name} cannot exceed {MAX_TONNES:,} t.")
    return value


AVERAGE_CONTEXT = Context(prec=40, rounding=ROUND_DOWN)  # EXACT_AVERAGE


def expected_average(yearly_tonnes: Iterable[int]) -> Decimal:
    """EXACT_AVERAGE: E, the mean of the PDD's expected reductions per year, unrounded (0 when
    the PDD gives none)."""
    values = [_check_tonnes(t, "Expected reductions") for t in yearly_tonnes]
    if not values:
        return Decimal(0)
    return AVERAGE_CONTEXT.divide(Decimal(sum(values)), Decimal(len(values)))


def _check_expected(value, name: str = "Expected annual reductions") -> Decimal:
    """E as given: whole tonnes (the public quote) or the exact average (``Decimal``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(_check_tonnes(value, name))
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"{name} must be a number of tonnes.")
    if value < 0:
        raise ValueError(f"{name} cannot be negative.")
    if value > MAX_TONNES:
        raise ValueError(f"{name} cannot exceed {MAX_TONNES:,} t.")
    return value


def whole_tonnes(expected: int | Decimal) -> int:
    """EXACT_AVERAGE: E to the whole tonne, half up — what the tier lines count."""
    return int(_check_expected(expected).to_integral_value(rounding=ROUND_HALF_UP))


def _total(lines: tuple[Line, ...] | list[Line]) -> Decimal:
    return sum((ln.amount_usd for ln in lines), ZERO).quantize(CENT, ROUND_HALF_UP)


def _tier_lines(
    tonnes: int, already: int, sched: Schedule, *, poa: bool, year: int | None = None
) -> list[Line]:
    """Lines for ``tonnes`` more in a calendar year that has ``already`` charged tonnes: the
    year's first ``first_tier_tonnes`` are shared by every verification in it."""
    if tonnes == 0:
        return []
    if poa:
        # ji-rules §5: a programme of activities pays the first-tier rate on all reductions.
        return [Line(tonnes, sched.first_tier_rate, tonnes * sched.first_tier_rate, year)]
    first = max(0, min(tonnes, sched.first_tier_tonnes - already))
    lines = []
    if first:
        lines.append(Line(first, sched.first_tier_rate, first * sched.first_tier_rate, year))
    rest = tonnes - first
    if rest:
        lines.append(Line(rest, sched.second_tier_rate, rest * sched.second_tier_rate, year))
    return lines


def determination_fee(
    expected_annual_reductions: int | Decimal,
    *,
    small_scale: bool = False,
    poa: bool = False,
    schedule: str = DEFAULT_SCHEDULE,
) -> FeeResult:
    """The determination fee: an advance on the first year's verification fee, from the PDD's
    expected average annual reductions E — whole tonnes, or the exact average as a ``Decimal``
    (EXACT_AVERAGE). None below the threshold (due at exactly it); capped."""
    sched = schedule_for(schedule)
    e = _check_expected(expected_annual_reductions)
    kind = "determination"
    if sched.exempt(small_scale=small_scale, expected_annual_reductions=e):
        return FeeResult(kind, sched.version, ZERO, (), "exempt under " + sched.version)
    if small_scale:
        # SMALL_SCALE_ADVANCE (see the module docstring).
        return FeeResult(kind, sched.version, ZERO, (), "small-scale: no advance")
    # EXACT_AVERAGE (ji-rules §7 "Advance threshold"): the exact E, before any rounding.
    if e < sched.advance_threshold:
        return FeeResult(kind, sched.version, ZERO, (), "below the threshold: no advance")
    lines = _tier_lines(whole_tonnes(e), 0, sched, poa=poa)
    note = ""
    if _total(lines) > sched.advance_cap:
        # CAP_LINES: count only the tonnes the cap pays for.
        note = "capped"
        if poa:
            lines = _tier_lines(int(sched.advance_cap / sched.first_tier_rate), 0, sched, poa=True)
        else:
            first_amount = sched.first_tier_tonnes * sched.first_tier_rate
            second = int((sched.advance_cap - first_amount) / sched.second_tier_rate)
            lines = _tier_lines(sched.first_tier_tonnes + second, 0, sched, poa=False)
    return FeeResult(kind, sched.version, _total(lines), tuple(lines), note)


def verification_fee(
    reductions_by_year: Mapping[int, int],
    *,
    already_by_year: Mapping[int, int] | None = None,
    poa: bool = False,
    small_scale: bool = False,
    expected_annual_reductions: int | Decimal | None = None,
    schedule: str = DEFAULT_SCHEDULE,
) -> FeeResult:
    """The verification fee for reductions per calendar year, given the tonnes already charged
    in each of those years by earlier verifications of the same project. Lines carry their year.
    ``expected_annual_reductions`` (E, for the v2 exemption) is whole tonnes or exact."""
    sched = schedule_for(schedule)
    already_by_year = already_by_year or {}
    if expected_annual_reductions is not None:
        expected_annual_reductions = _check_expected(expected_annual_reductions)
    for year, tonnes in reductions_by_year.items():
        _check_tonnes(tonnes, f"Reductions for {year}")
        _check_tonnes(already_by_year.get(year, 0), f"Tonnes already verified in {year}")
    if sched.exempt(small_scale=small_scale, expected_annual_reductions=expected_annual_reductions):
        return FeeResult("verification", sched.version, ZERO, (), "exempt under " + sched.version)
    lines: list[Line] = []
    for year in sorted(reductions_by_year):
        lines += _tier_lines(
            reductions_by_year[year], already_by_year.get(year, 0), sched, poa=poa, year=year
        )
    return FeeResult("verification", sched.version, _total(lines), tuple(lines))


def quote_verification(
    reductions: int,
    *,
    already_this_year: int = 0,
    poa: bool = False,
    small_scale: bool = False,
    expected_annual_reductions: int | None = None,
    schedule: str = DEFAULT_SCHEDULE,
) -> FeeResult:
    """One calendar year's verification fee, for the public calculator (lines without a year)."""
    _check_tonnes(reductions, "Reductions")
    _check_tonnes(already_this_year, "Tonnes already verified this year")
    result = verification_fee(
        {0: reductions},
        already_by_year={0: already_this_year},
        poa=poa,
        small_scale=small_scale,
        expected_annual_reductions=expected_annual_reductions,
        schedule=schedule,
    )
    lines = tuple(Line(ln.tonnes, ln.rate_usd, ln.amount_usd) for ln in result.lines)
    return FeeResult(result.kind, result.schedule, result.amount_usd, lines, result.note)


def split_by_year(start: date, end: date, tonnes: int) -> dict[int, int]:
    """PERIOD_SPLIT: the period's tonnes per calendar year, in proportion to days (both ends
    included), in whole tonnes adding up to ``tonnes``."""
    _check_tonnes(tonnes, "Reductions")
    if end < start:
        raise ValueError("The period ends before it starts.")
    days: dict[int, int] = {}
    for year in range(start.year, end.year + 1):
        first = max(start, date(year, 1, 1))
        last = min(end, date(year, 12, 31))
        days[year] = (last - first + timedelta(days=1)).days
    total_days = sum(days.values())
    shares = {y: divmod(tonnes * d, total_days) for y, d in days.items()}
    result = {y: q for y, (q, _) in shares.items()}
    left = tonnes - sum(result.values())
    by_remainder = sorted(days, key=lambda y: (-shares[y][1], y))
    for year in by_remainder[:left]:
        result[year] += 1
    return result


@dataclass(frozen=True)
class Credit:
    applied_usd: Decimal  # taken off this fee
    remaining_usd: Decimal  # still available afterwards for the first calendar year


def apply_advance_credit(fee: FeeResult, *, first_year: int, available_usd: Decimal) -> Credit:
    """ADVANCE_CREDIT: the advance still unused is taken off this fee's first-year part."""
    if available_usd < 0:
        raise ValueError("Credit cannot be negative.")
    applied = min(available_usd, fee.amount_for_year(first_year))
    return Credit(
        applied.quantize(CENT, ROUND_HALF_UP),
        (available_usd - applied).quantize(CENT, ROUND_HALF_UP),
    )


def reimbursement_due(advance_paid_usd: Decimal, *, schedule: str = DEFAULT_SCHEDULE) -> Decimal:
    """REIMBURSEMENT: the part of the advance paid above the floor (USD 30,000)."""
    if advance_paid_usd < 0:
        raise ValueError("An amount paid cannot be negative.")
    floor = schedule_for(schedule).reimbursement_floor
    return max(ZERO, advance_paid_usd - floor).quantize(CENT, ROUND_HALF_UP)
