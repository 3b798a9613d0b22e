"""Fee rules (ji-rules §5), pure functions on Decimal. No database.

Schedules are data: each names its rates so an assessment can be reproduced later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Schedule:
    version: str
    first_tier_tonnes: int
    first_tier_rate: Decimal
    second_tier_rate: Decimal
    advance_threshold: int  # no advance when E is below this
    advance_cap: Decimal
    reimbursement_floor: Decimal


SCHEDULES = {
    # Provisions for the charging of fees, version 3 (JISC 18 annex 9), as in seed 003.
    "v3": Schedule(
        version="v3",
        first_tier_tonnes=15_000,
        first_tier_rate=Decimal("0.10"),
        second_tier_rate=Decimal("0.20"),
        advance_threshold=15_000,
        advance_cap=Decimal("350000"),
        reimbursement_floor=Decimal("30000"),
    ),
}
DEFAULT_SCHEDULE = "v3"


@dataclass(frozen=True)
class Line:
    tonnes: int
    rate_usd: Decimal
    amount_usd: Decimal

    def as_dict(self) -> dict:
        return {
            "tonnes": self.tonnes,
            "rate_usd": str(self.rate_usd),
            "amount_usd": str(self.amount_usd.quantize(CENT)),
        }


@dataclass(frozen=True)
class FeeResult:
    kind: str
    schedule: str
    amount_usd: Decimal
    lines: list[Line] = field(default_factory=list)
    note: str = ""

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "schedule": self.schedule,
            "amount_usd": str(self.amount_usd),
            "lines": [line.as_dict() for line in self.lines],
            "note": self.note,
        }


def _tiers(tonnes: int, schedule: Schedule, poa: bool) -> list[Line]:
    if poa:
        # PoA: the first-tier rate on all reductions.
        return [Line(tonnes, schedule.first_tier_rate, tonnes * schedule.first_tier_rate)]
    first = min(tonnes, schedule.first_tier_tonnes)
    lines = [Line(first, schedule.first_tier_rate, first * schedule.first_tier_rate)]
    if tonnes > first:
        rest = tonnes - first
        lines.append(Line(rest, schedule.second_tier_rate, rest * schedule.second_tier_rate))
    return lines


def determination_fee(
    expected_annual_reductions: int,
    *,
    small_scale: bool = False,
    poa: bool = False,
    schedule: str = DEFAULT_SCHEDULE,
) -> FeeResult:
    """The determination fee: an advance on the first year's verification fee, from the PDD's
    expected average annual reductions E. None below the threshold; capped."""
    sched = SCHEDULES[schedule]
    if expected_annual_reductions < 0:
        raise ValueError("reductions cannot be negative")
    if small_scale:
        # [our reading] ji-rules §5: no advance payment for small-scale projects (3/CMP.2 para 8).
        return FeeResult("determination", sched.version, Decimal("0.00"), [], "small-scale")
    if expected_annual_reductions < sched.advance_threshold:
        return FeeResult("determination", sched.version, Decimal("0.00"), [], "below threshold")
    lines = _tiers(expected_annual_reductions, sched, poa)
    total = sum((line.amount_usd for line in lines), Decimal(0))
    note = ""
    if total > sched.advance_cap:
        total = sched.advance_cap
        note = "capped"
    return FeeResult(
        "determination", sched.version, total.quantize(CENT, ROUND_HALF_UP), lines, note
    )
