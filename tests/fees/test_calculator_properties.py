"""Property tests for fees.calculator (ji-rules §5)."""

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import example, given, settings
from hypothesis import strategies as st

from fees.calculator import (
    MAX_TONNES,
    apply_advance_credit,
    determination_fee,
    expected_average,
    quote_verification,
    schedule_for,
    split_by_year,
    verification_fee,
)

CAP = Decimal("350000")
FIRST_RATE = Decimal("0.10")
ZERO = Decimal("0")

# Mostly the interesting range (threshold, tiers, cap edges), sometimes anything allowed.
tonnes = st.one_of(
    st.integers(0, 4_000_000),
    st.sampled_from([0, 14_999, 15_000, 15_001, 1_757_500, 3_500_000, MAX_TONNES]),
    st.integers(0, MAX_TONNES),
)
small_tonnes = st.integers(0, 60_000)
expected = st.one_of(st.none(), small_tonnes, tonnes)
years = st.integers(2008, 2040)

# Every (schedule, poa, small_scale) combination is checked on every generated example (a loop
# in the test body rather than a parametrize keeps hypothesis's per-example overhead down).
COMBOS = [
    {"schedule": schedule, "poa": poa, "small_scale": small}
    for schedule in ("v2", "v3")
    for poa in (False, True)
    for small in (False, True)
]

fast = settings(max_examples=200, deadline=None, database=None)


def check_lines(result):
    """Lines add up to the total; each line is tonnes × rate; the total is in cents."""
    assert sum((ln.amount_usd for ln in result.lines), ZERO) == result.amount_usd
    for ln in result.lines:
        assert ln.tonnes > 0
        assert ln.amount_usd == ln.tonnes * ln.rate_usd
    assert result.amount_usd == result.amount_usd.quantize(Decimal("0.01"))
    assert result.amount_usd >= 0


# --- Monotonicity ----------------------------------------------------------------------------


@fast
@given(a=tonnes, b=tonnes)
@example(a=14_999, b=15_000)
@example(a=1_757_500, b=1_757_501)
@example(a=3_500_000, b=3_500_001)
def test_determination_fee_never_decreases(a, b):
    low, high = sorted((a, b))
    for kw in COMBOS:
        assert determination_fee(low, **kw).amount_usd <= determination_fee(high, **kw).amount_usd


@fast
@given(a=tonnes, b=tonnes, already=st.one_of(small_tonnes, tonnes), e=expected)
@example(a=14_999, b=15_001, already=0, e=None)
@example(a=0, b=1, already=15_000, e=15_001)
def test_verification_fee_never_decreases(a, b, already, e):
    low, high = sorted((a, b))
    for kw in COMBOS:
        kw = {**kw, "expected_annual_reductions": e, "already_by_year": {2025: already}}
        fee_low = verification_fee({2025: low}, **kw).amount_usd
        fee_high = verification_fee({2025: high}, **kw).amount_usd
        assert fee_low <= fee_high


# --- The cap -----------------------------------------------------------------------------


@fast
@given(e=tonnes)
@example(e=1_757_501)
@example(e=3_500_001)
@example(e=MAX_TONNES)
def test_determination_fee_never_exceeds_the_cap(e):
    for kw in COMBOS:
        result = determination_fee(e, **kw)
        assert result.amount_usd <= CAP
        charged = not kw["small_scale"] and not (kw["schedule"] == "v2" and e <= 15_000)
        cap_edge = 3_500_000 if kw["poa"] else 1_757_500
        assert (result.note == "capped") == (charged and e > cap_edge)


# --- Lines add up ------------------------------------------------------------------------


@fast
@given(e=tonnes)
@example(e=1_757_501)
@example(e=3_500_001)
def test_determination_lines_add_up(e):
    for kw in COMBOS:
        result = determination_fee(e, **kw)
        check_lines(result)
        rates = schedule_for(kw["schedule"])
        for ln in result.lines:
            assert ln.rate_usd in (rates.first_tier_rate, rates.second_tier_rate)
            assert ln.year is None
        # the lines never count more tonnes than E
        assert sum(ln.tonnes for ln in result.lines) <= e


@fast
@given(
    by_year=st.dictionaries(years, tonnes, max_size=4),
    already=st.dictionaries(years, st.one_of(small_tonnes, tonnes), max_size=4),
    e=expected,
)
def test_verification_lines_add_up(by_year, already, e):
    for kw in COMBOS:
        result = verification_fee(
            by_year, already_by_year=already, expected_annual_reductions=e, **kw
        )
        check_lines(result)
        if result.note == "":
            # not exempt: every tonne is charged exactly once, in its year
            for year, t in by_year.items():
                assert sum(ln.tonnes for ln in result.lines if ln.year == year) == t
            assert [ln.year for ln in result.lines] == sorted(ln.year for ln in result.lines)
        else:
            assert result.lines == ()
        by_years = sum((result.amount_for_year(y) for y in by_year), ZERO)
        assert by_years == result.amount_usd


@fast
@given(t=tonnes, already=st.one_of(small_tonnes, tonnes), e=expected)
def test_quote_lines_add_up(t, already, e):
    for kw in COMBOS:
        kw = {**kw, "expected_annual_reductions": e}
        quote = quote_verification(t, already_this_year=already, **kw)
        check_lines(quote)
        assert all(ln.year is None for ln in quote.lines)
        # the same figures as a verification of one calendar year
        fee = verification_fee({2025: t}, already_by_year={2025: already}, **kw)
        assert quote.amount_usd == fee.amount_usd
        assert [(ln.tonnes, ln.rate_usd, ln.amount_usd) for ln in quote.lines] == [
            (ln.tonnes, ln.rate_usd, ln.amount_usd) for ln in fee.lines
        ]


# --- Several verifications in one year -----------------------------------------------------


@fast
@given(
    parts=st.lists(st.one_of(small_tonnes, st.integers(0, 5_000_000)), max_size=6),
    e=expected,
)
@example(parts=[10_000, 10_000], e=None)
@example(parts=[14_999, 1, 1], e=None)
@example(parts=[15_000, 0, 7], e=15_001)
def test_splitting_a_year_across_verifications_never_changes_its_fee(parts, e):
    for kw in COMBOS:
        kw = {**kw, "expected_annual_reductions": e}
        total = ZERO
        first_tier_tonnes = 0
        already = 0
        for part in parts:
            fee = verification_fee({2025: part}, already_by_year={2025: already}, **kw)
            quote = quote_verification(part, already_this_year=already, **kw)
            assert quote.amount_usd == fee.amount_usd
            total += fee.amount_usd
            first_tier_tonnes += sum(ln.tonnes for ln in fee.lines if ln.rate_usd == FIRST_RATE)
            already += part
        one = verification_fee({2025: sum(parts)}, **kw)
        assert total == one.amount_usd
        assert first_tier_tonnes == sum(ln.tonnes for ln in one.lines if ln.rate_usd == FIRST_RATE)


# --- split_by_year -------------------------------------------------------------------------


def days_per_year(start, end):
    """Independent count: walk the days."""
    counts = {}
    day = start
    while day <= end:
        counts[day.year] = counts.get(day.year, 0) + 1
        day += timedelta(days=1)
    return counts


@fast
@given(
    start=st.dates(date(2000, 1, 1), date(2040, 12, 31)),
    length=st.one_of(st.integers(0, 400), st.integers(0, 1_500)),
    total=tonnes,
)
@example(start=date(2025, 12, 31), length=1, total=1)
@example(start=date(2024, 2, 29), length=0, total=MAX_TONNES)
@example(start=date(2024, 12, 31), length=366, total=2)
def test_split_by_year_parts_add_up_and_are_proportional(start, length, total):
    end = start + timedelta(days=length)
    result = split_by_year(start, end, total)
    days = days_per_year(start, end)
    assert list(result) == list(range(start.year, end.year + 1)) == list(days)
    assert sum(result.values()) == total
    total_days = sum(days.values())
    assert total_days == length + 1
    for year, part in result.items():
        assert type(part) is int
        assert part >= 0
        exact = Fraction(total * days[year], total_days)
        assert abs(part - exact) < 1


# --- Advance credit ----------------------------------------------------------------------

cents = st.integers(0, 50_000_000).map(lambda c: Decimal(c) / 100)


@fast
@given(
    by_year=st.dictionaries(st.integers(2020, 2026), st.integers(0, 3_000_000), max_size=4),
    first_year=st.integers(2019, 2027),
    available=st.one_of(cents, st.integers(0, 400_000).map(Decimal)),
    poa=st.booleans(),
)
def test_advance_credit_applied_plus_remaining_is_available(by_year, first_year, available, poa):
    fee = verification_fee(by_year, poa=poa)
    credit = apply_advance_credit(fee, first_year=first_year, available_usd=available)
    first_year_part = fee.amount_for_year(first_year)
    assert credit.applied_usd + credit.remaining_usd == available
    assert ZERO <= credit.applied_usd <= first_year_part
    assert credit.remaining_usd >= 0
    assert credit.applied_usd == min(available, first_year_part)
    assert credit.applied_usd <= fee.amount_usd


# --- EXACT_AVERAGE (issue 12, ji-rules §7 "Advance threshold") --------------------------------


def terminates(q: Fraction) -> bool:
    d = q.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


@fast
@given(
    yearly=st.lists(
        st.one_of(st.integers(14_990, 15_010), st.integers(0, 60_000), st.integers(0, MAX_TONNES)),
        min_size=1,
        max_size=25,
    )
)
@example(yearly=[14_999, 15_000])
@example(yearly=[15_000, 15_000, 14_999])
@example(yearly=[15_000, 15_001])
@example(yearly=[14_990, 14_990, 15_001, 15_010, 15_010])  # 15,000.2 t: charged, under v2 too
def test_the_threshold_and_the_rounding_decide_as_on_the_exact_fraction(yearly):
    """The exact mean (a Fraction) is the oracle: no advance exactly when it is below 15,000 t;
    above, the advance of the mean rounded half up to the whole tonne."""
    mean = Fraction(sum(yearly), len(yearly))
    e = expected_average(yearly)
    assert (e < 15_000) == (mean < 15_000)
    assert (e == mean) == terminates(mean)
    assert 0 <= mean - Fraction(e) < Fraction(1, 10**20)  # rounded down, if at all, by a hair
    rounded = int(mean + Fraction(1, 2))  # half up (the mean is not negative)
    for combo in COMBOS:
        result = determination_fee(e, **combo)
        check_lines(result)
        if mean < 15_000 or combo["small_scale"] or (combo["schedule"] == "v2" and mean <= 15_000):
            assert result.amount_usd == 0
        else:
            if rounded > 15_000:
                assert result.amount_usd == determination_fee(rounded, **combo).amount_usd > 0
            else:  # above the threshold by less than half a tonne: charged, v2 too
                assert result.amount_usd == Decimal("1500.00")
