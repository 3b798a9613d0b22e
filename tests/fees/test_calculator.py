"""Table-driven tests for fees.calculator (ji-rules §5). Pure functions: no database.

ji-rules §5 gives no worked examples of its own; the figures below are computed by hand from the
rates (USD 0.10/t for a calendar year's first 15,000 t, USD 0.20/t above, cap USD 350,000,
reimbursement above USD 30,000) and the readings in the calculator's module docstring.
"""

from datetime import date
from decimal import Decimal

import pytest

from fees.calculator import (
    DEFAULT_SCHEDULE,
    MAX_TONNES,
    SCHEDULES,
    Credit,
    FeeResult,
    Line,
    Schedule,
    apply_advance_credit,
    determination_fee,
    expected_average,
    quote_verification,
    reimbursement_due,
    schedule_for,
    split_by_year,
    verification_fee,
    whole_tonnes,
)


def L(tonnes, rate, amount, year=None):
    """The expected ``Line.as_dict()`` of one line."""
    data = {"tonnes": tonnes, "rate_usd": rate, "amount_usd": amount}
    if year is not None:
        data["year"] = year
    return data


def line_dicts(result):
    return [line.as_dict() for line in result.lines]


BELOW = "below the threshold: no advance"
SMALL = "small-scale: no advance"
EXEMPT_V2 = "exempt under v2"


# --- Schedules -----------------------------------------------------------------------------


def test_default_schedule_is_v3():
    assert DEFAULT_SCHEDULE == "v3"
    assert determination_fee(50_000).schedule == "v3"


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_schedule_rates(version):
    sched = schedule_for(version)
    assert sched is SCHEDULES[version]
    assert sched.version == version
    assert sched.first_tier_tonnes == 15_000
    assert sched.first_tier_rate == Decimal("0.10")
    assert sched.second_tier_rate == Decimal("0.20")
    assert sched.advance_threshold == 15_000
    assert sched.advance_cap == Decimal("350000")
    assert sched.reimbursement_floor == Decimal("30000")


def test_schedule_exemptions():
    assert SCHEDULES["v3"].exempt_at_or_below is None
    assert SCHEDULES["v3"].exempt_small_scale is False
    assert SCHEDULES["v2"].exempt_at_or_below == 15_000
    assert SCHEDULES["v2"].exempt_small_scale is True


@pytest.mark.parametrize("version", ["v1", "v4", "", "V3", "3", " v3"])
def test_unknown_schedule_raises(version):
    with pytest.raises(ValueError, match="Unknown fee schedule"):
        schedule_for(version)
    with pytest.raises(ValueError, match="Unknown fee schedule"):
        determination_fee(50_000, schedule=version)
    with pytest.raises(ValueError, match="Unknown fee schedule"):
        verification_fee({2025: 50_000}, schedule=version)
    with pytest.raises(ValueError, match="Unknown fee schedule"):
        quote_verification(50_000, schedule=version)
    with pytest.raises(ValueError, match="Unknown fee schedule"):
        reimbursement_due(Decimal("50000"), schedule=version)


# --- Determination fee (the advance) -------------------------------------------------------


@pytest.mark.parametrize(
    ("e", "kwargs", "amount", "lines", "note"),
    [
        # v3, ordinary project: threshold (due at exactly 15,000) and tiers
        (0, {}, "0.00", [], BELOW),
        (1, {}, "0.00", [], BELOW),
        (14_999, {}, "0.00", [], BELOW),
        (15_000, {}, "1500.00", [L(15_000, "0.10", "1500.00")], ""),
        (
            15_001,
            {},
            "1500.20",
            [L(15_000, "0.10", "1500.00"), L(1, "0.20", "0.20")],
            "",
        ),
        (
            50_000,
            {},
            "8500.00",
            [L(15_000, "0.10", "1500.00"), L(35_000, "0.20", "7000.00")],
            "",
        ),
        (
            100_000,
            {},
            "18500.00",
            [L(15_000, "0.10", "1500.00"), L(85_000, "0.20", "17000.00")],
            "",
        ),
        # the cap's edge: reached exactly at 1,757,500 t
        (
            1_757_499,
            {},
            "349999.80",
            [L(15_000, "0.10", "1500.00"), L(1_742_499, "0.20", "348499.80")],
            "",
        ),
        (
            1_757_500,
            {},
            "350000.00",
            [L(15_000, "0.10", "1500.00"), L(1_742_500, "0.20", "348500.00")],
            "",
        ),
        (
            1_757_501,
            {},
            "350000.00",
            [L(15_000, "0.10", "1500.00"), L(1_742_500, "0.20", "348500.00")],
            "capped",
        ),
        (
            10_000_000,
            {},
            "350000.00",
            [L(15_000, "0.10", "1500.00"), L(1_742_500, "0.20", "348500.00")],
            "capped",
        ),
        (
            MAX_TONNES,
            {},
            "350000.00",
            [L(15_000, "0.10", "1500.00"), L(1_742_500, "0.20", "348500.00")],
            "capped",
        ),
        # v3, programme of activities: 0.10 on all tonnes; cap reached at 3,500,000 t
        (0, {"poa": True}, "0.00", [], BELOW),
        (14_999, {"poa": True}, "0.00", [], BELOW),
        (15_000, {"poa": True}, "1500.00", [L(15_000, "0.10", "1500.00")], ""),
        (15_001, {"poa": True}, "1500.10", [L(15_001, "0.10", "1500.10")], ""),
        (50_000, {"poa": True}, "5000.00", [L(50_000, "0.10", "5000.00")], ""),
        (
            3_499_999,
            {"poa": True},
            "349999.90",
            [L(3_499_999, "0.10", "349999.90")],
            "",
        ),
        (
            3_500_000,
            {"poa": True},
            "350000.00",
            [L(3_500_000, "0.10", "350000.00")],
            "",
        ),
        (
            3_500_001,
            {"poa": True},
            "350000.00",
            [L(3_500_000, "0.10", "350000.00")],
            "capped",
        ),
        (
            MAX_TONNES,
            {"poa": True},
            "350000.00",
            [L(3_500_000, "0.10", "350000.00")],
            "capped",
        ),
        # v3, small-scale: no advance at all (SMALL_SCALE_ADVANCE)
        (0, {"small_scale": True}, "0.00", [], SMALL),
        (14_999, {"small_scale": True}, "0.00", [], SMALL),
        (15_000, {"small_scale": True}, "0.00", [], SMALL),
        (50_000, {"small_scale": True}, "0.00", [], SMALL),
        (10_000_000, {"small_scale": True}, "0.00", [], SMALL),
        (50_000, {"small_scale": True, "poa": True}, "0.00", [], SMALL),
        # v2: small-scale and E <= 15,000 pay nothing (V2_EXEMPTION)
        (0, {"schedule": "v2"}, "0.00", [], EXEMPT_V2),
        (14_999, {"schedule": "v2"}, "0.00", [], EXEMPT_V2),
        (15_000, {"schedule": "v2"}, "0.00", [], EXEMPT_V2),
        (
            15_001,
            {"schedule": "v2"},
            "1500.20",
            [L(15_000, "0.10", "1500.00"), L(1, "0.20", "0.20")],
            "",
        ),
        (
            50_000,
            {"schedule": "v2"},
            "8500.00",
            [L(15_000, "0.10", "1500.00"), L(35_000, "0.20", "7000.00")],
            "",
        ),
        (
            1_757_501,
            {"schedule": "v2"},
            "350000.00",
            [L(15_000, "0.10", "1500.00"), L(1_742_500, "0.20", "348500.00")],
            "capped",
        ),
        (15_000, {"schedule": "v2", "poa": True}, "0.00", [], EXEMPT_V2),
        (
            15_001,
            {"schedule": "v2", "poa": True},
            "1500.10",
            [L(15_001, "0.10", "1500.10")],
            "",
        ),
        (
            3_500_001,
            {"schedule": "v2", "poa": True},
            "350000.00",
            [L(3_500_000, "0.10", "350000.00")],
            "capped",
        ),
        (15_001, {"schedule": "v2", "small_scale": True}, "0.00", [], EXEMPT_V2),
        (50_000, {"schedule": "v2", "small_scale": True}, "0.00", [], EXEMPT_V2),
        (
            10_000_000,
            {"schedule": "v2", "small_scale": True, "poa": True},
            "0.00",
            [],
            EXEMPT_V2,
        ),
    ],
)
def test_determination_fee(e, kwargs, amount, lines, note):
    result = determination_fee(e, **kwargs)
    assert result.kind == "determination"
    assert result.schedule == kwargs.get("schedule", "v3")
    assert result.amount_usd == Decimal(amount)
    assert str(result.amount_usd) == amount  # rounded once to the cent
    assert line_dicts(result) == lines
    assert result.note == note
    assert isinstance(result.lines, tuple)


# --- Verification fee ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("by_year", "kwargs", "amount", "lines", "note"),
    [
        ({}, {}, "0.00", [], ""),
        ({2025: 0}, {}, "0.00", [], ""),
        ({2025: 1}, {}, "0.10", [L(1, "0.10", "0.10", 2025)], ""),
        ({2025: 14_999}, {}, "1499.90", [L(14_999, "0.10", "1499.90", 2025)], ""),
        ({2025: 15_000}, {}, "1500.00", [L(15_000, "0.10", "1500.00", 2025)], ""),
        (
            {2025: 15_001},
            {},
            "1500.20",
            [L(15_000, "0.10", "1500.00", 2025), L(1, "0.20", "0.20", 2025)],
            "",
        ),
        (
            {2025: 50_000},
            {},
            "8500.00",
            [L(15_000, "0.10", "1500.00", 2025), L(35_000, "0.20", "7000.00", 2025)],
            "",
        ),
        # no cap on verification fees
        (
            {2025: 10_000_000},
            {},
            "1998500.00",
            [L(15_000, "0.10", "1500.00", 2025), L(9_985_000, "0.20", "1997000.00", 2025)],
            "",
        ),
        # two verifications in one year share the first 15,000 t
        (
            {2025: 10_000},
            {"already_by_year": {2025: 10_000}},
            "1500.00",
            [L(5_000, "0.10", "500.00", 2025), L(5_000, "0.20", "1000.00", 2025)],
            "",
        ),
        (
            {2025: 10_000},
            {"already_by_year": {2025: 14_999}},
            "1999.90",
            [L(1, "0.10", "0.10", 2025), L(9_999, "0.20", "1999.80", 2025)],
            "",
        ),
        (
            {2025: 10_000},
            {"already_by_year": {2025: 15_000}},
            "2000.00",
            [L(10_000, "0.20", "2000.00", 2025)],
            "",
        ),
        (
            {2025: 10_000},
            {"already_by_year": {2025: 40_000}},
            "2000.00",
            [L(10_000, "0.20", "2000.00", 2025)],
            "",
        ),
        # tonnes already charged in another year do not count
        (
            {2025: 10_000},
            {"already_by_year": {2024: 40_000}},
            "1000.00",
            [L(10_000, "0.10", "1000.00", 2025)],
            "",
        ),
        (
            {2025: 0},
            {"already_by_year": {2025: 15_000}},
            "0.00",
            [],
            "",
        ),
        # several calendar years: each has its own first tier; lines sorted by year
        (
            {2026: 18_100, 2025: 18_400},
            {},
            "4300.00",
            [
                L(15_000, "0.10", "1500.00", 2025),
                L(3_400, "0.20", "680.00", 2025),
                L(15_000, "0.10", "1500.00", 2026),
                L(3_100, "0.20", "620.00", 2026),
            ],
            "",
        ),
        (
            {2025: 18_400, 2026: 18_100},
            {"already_by_year": {2025: 20_000, 2026: 5_000}},
            "6300.00",
            [
                L(18_400, "0.20", "3680.00", 2025),
                L(10_000, "0.10", "1000.00", 2026),
                L(8_100, "0.20", "1620.00", 2026),
            ],
            "",
        ),
        (
            {2024: 5_000, 2025: 0, 2026: 20_000},
            {},
            "3000.00",
            [
                L(5_000, "0.10", "500.00", 2024),
                L(15_000, "0.10", "1500.00", 2026),
                L(5_000, "0.20", "1000.00", 2026),
            ],
            "",
        ),
        # programme of activities: 0.10 on all, the year's earlier tonnes do not matter
        (
            {2025: 50_000},
            {"poa": True},
            "5000.00",
            [L(50_000, "0.10", "5000.00", 2025)],
            "",
        ),
        (
            {2025: 10_000},
            {"poa": True, "already_by_year": {2025: 100_000}},
            "1000.00",
            [L(10_000, "0.10", "1000.00", 2025)],
            "",
        ),
        (
            {2025: 18_400, 2026: 18_100},
            {"poa": True},
            "3650.00",
            [L(18_400, "0.10", "1840.00", 2025), L(18_100, "0.10", "1810.00", 2026)],
            "",
        ),
        # v3 small-scale: verification fees as for any project
        (
            {2025: 50_000},
            {"small_scale": True},
            "8500.00",
            [L(15_000, "0.10", "1500.00", 2025), L(35_000, "0.20", "7000.00", 2025)],
            "",
        ),
        (
            {2025: 50_000},
            {"small_scale": True, "expected_annual_reductions": 10_000},
            "8500.00",
            [L(15_000, "0.10", "1500.00", 2025), L(35_000, "0.20", "7000.00", 2025)],
            "",
        ),
        # v3 ignores E for verification fees
        (
            {2025: 50_000},
            {"expected_annual_reductions": 0},
            "8500.00",
            [L(15_000, "0.10", "1500.00", 2025), L(35_000, "0.20", "7000.00", 2025)],
            "",
        ),
        # v2: small-scale and E <= 15,000 pay nothing, whatever the year's volume
        ({2025: 50_000}, {"schedule": "v2", "small_scale": True}, "0.00", [], EXEMPT_V2),
        (
            {2025: 50_000},
            {"schedule": "v2", "small_scale": True, "expected_annual_reductions": 100_000},
            "0.00",
            [],
            EXEMPT_V2,
        ),
        (
            {2025: 50_000},
            {"schedule": "v2", "expected_annual_reductions": 15_000},
            "0.00",
            [],
            EXEMPT_V2,
        ),
        (
            {2025: 50_000},
            {"schedule": "v2", "expected_annual_reductions": 0},
            "0.00",
            [],
            EXEMPT_V2,
        ),
        (
            {2025: 50_000},
            {"schedule": "v2", "expected_annual_reductions": 15_000, "poa": True},
            "0.00",
            [],
            EXEMPT_V2,
        ),
        (
            {2025: 50_000},
            {"schedule": "v2", "expected_annual_reductions": 15_001},
            "8500.00",
            [L(15_000, "0.10", "1500.00", 2025), L(35_000, "0.20", "7000.00", 2025)],
            "",
        ),
        # the v2 exemption is a property of the project, not of the year's volume
        (
            {2025: 10_000},
            {"schedule": "v2", "expected_annual_reductions": 15_001},
            "1000.00",
            [L(10_000, "0.10", "1000.00", 2025)],
            "",
        ),
        # v2 without E: only small-scale can exempt
        (
            {2025: 10_000},
            {"schedule": "v2"},
            "1000.00",
            [L(10_000, "0.10", "1000.00", 2025)],
            "",
        ),
    ],
)
def test_verification_fee(by_year, kwargs, amount, lines, note):
    result = verification_fee(by_year, **kwargs)
    assert result.kind == "verification"
    assert result.schedule == kwargs.get("schedule", "v3")
    assert result.amount_usd == Decimal(amount)
    assert str(result.amount_usd) == amount
    assert line_dicts(result) == lines
    assert result.note == note


def test_two_verifications_in_one_year_share_the_first_tier():
    first = verification_fee({2025: 10_000})
    second = verification_fee({2025: 10_000}, already_by_year={2025: 10_000})
    assert line_dicts(first) == [L(10_000, "0.10", "1000.00", 2025)]
    assert line_dicts(second) == [
        L(5_000, "0.10", "500.00", 2025),
        L(5_000, "0.20", "1000.00", 2025),
    ]
    together = verification_fee({2025: 20_000})
    assert first.amount_usd + second.amount_usd == together.amount_usd == Decimal("2500.00")


# --- quote_verification (public calculator: one calendar year, lines without a year) -------


@pytest.mark.parametrize(
    ("reductions", "kwargs", "amount", "lines", "note"),
    [
        (0, {}, "0.00", [], ""),
        (10_000, {}, "1000.00", [L(10_000, "0.10", "1000.00")], ""),
        (15_000, {}, "1500.00", [L(15_000, "0.10", "1500.00")], ""),
        (
            15_001,
            {},
            "1500.20",
            [L(15_000, "0.10", "1500.00"), L(1, "0.20", "0.20")],
            "",
        ),
        (
            10_000,
            {"already_this_year": 10_000},
            "1500.00",
            [L(5_000, "0.10", "500.00"), L(5_000, "0.20", "1000.00")],
            "",
        ),
        (
            5_000,
            {"already_this_year": 15_000},
            "1000.00",
            [L(5_000, "0.20", "1000.00")],
            "",
        ),
        (
            50_000,
            {"already_this_year": 1},
            "8500.10",
            [L(14_999, "0.10", "1499.90"), L(35_001, "0.20", "7000.20")],
            "",
        ),
        (
            50_000,
            {"poa": True, "already_this_year": 15_000},
            "5000.00",
            [L(50_000, "0.10", "5000.00")],
            "",
        ),
        (
            50_000,
            {"small_scale": True},
            "8500.00",
            [L(15_000, "0.10", "1500.00"), L(35_000, "0.20", "7000.00")],
            "",
        ),
        (
            50_000,
            {"schedule": "v2", "expected_annual_reductions": 15_000},
            "0.00",
            [],
            EXEMPT_V2,
        ),
        (50_000, {"schedule": "v2", "small_scale": True}, "0.00", [], EXEMPT_V2),
        (
            10_000,
            {"schedule": "v2", "expected_annual_reductions": 15_001, "already_this_year": 10_000},
            "1500.00",
            [L(5_000, "0.10", "500.00"), L(5_000, "0.20", "1000.00")],
            "",
        ),
    ],
)
def test_quote_verification(reductions, kwargs, amount, lines, note):
    result = quote_verification(reductions, **kwargs)
    assert result.kind == "verification"
    assert result.schedule == kwargs.get("schedule", "v3")
    assert str(result.amount_usd) == amount
    assert line_dicts(result) == lines  # no "year" key
    assert all(line.year is None for line in result.lines)
    assert result.note == note


# --- Input validation ----------------------------------------------------------------------

BAD_TONNES = [
    pytest.param(-1, id="negative"),
    pytest.param(-15_000, id="negative-large"),
    pytest.param(True, id="true"),
    pytest.param(False, id="false"),
    pytest.param(15_000.0, id="float"),
    pytest.param(0.5, id="float-fraction"),
    pytest.param(float("nan"), id="nan"),
    pytest.param(Decimal("15000"), id="decimal"),
    pytest.param("15000", id="str"),
    pytest.param(None, id="none"),
    pytest.param(MAX_TONNES + 1, id="above-max"),
    pytest.param(10**15, id="far-above-max"),
]


# E is whole tonnes or, since issue 12, the exact average as a Decimal (EXACT_AVERAGE): a finite,
# non-negative Decimal up to MAX_TONNES is an input, not an error.
BAD_EXPECTED = [p for p in BAD_TONNES if p.id != "decimal"] + [
    pytest.param(Decimal("-0.5"), id="decimal-negative"),
    pytest.param(Decimal("NaN"), id="decimal-nan"),
    pytest.param(Decimal("Infinity"), id="decimal-infinity"),
    pytest.param(Decimal(MAX_TONNES) + Decimal("0.5"), id="decimal-above-max"),
]


@pytest.mark.parametrize("bad", BAD_EXPECTED)
def test_determination_fee_rejects_bad_tonnes(bad):
    with pytest.raises(ValueError):
        determination_fee(bad)
    with pytest.raises(ValueError):
        determination_fee(bad, poa=True)
    with pytest.raises(ValueError):
        determination_fee(bad, small_scale=True)
    with pytest.raises(ValueError):
        determination_fee(bad, schedule="v2")


@pytest.mark.parametrize("bad", BAD_TONNES)
def test_verification_fee_rejects_bad_tonnes(bad):
    with pytest.raises(ValueError):
        verification_fee({2025: bad})
    with pytest.raises(ValueError):
        verification_fee({2025: 1_000, 2026: bad})
    with pytest.raises(ValueError):
        verification_fee({2025: 1_000}, already_by_year={2025: bad})
    # checked even when the project is exempt
    with pytest.raises(ValueError):
        verification_fee({2025: bad}, schedule="v2", small_scale=True)


@pytest.mark.parametrize("bad", BAD_TONNES)
def test_quote_verification_rejects_bad_tonnes(bad):
    with pytest.raises(ValueError):
        quote_verification(bad)
    with pytest.raises(ValueError):
        quote_verification(1_000, already_this_year=bad)


@pytest.mark.parametrize("bad", BAD_TONNES)
def test_split_by_year_rejects_bad_tonnes(bad):
    with pytest.raises(ValueError):
        split_by_year(date(2025, 7, 1), date(2026, 6, 30), bad)


def test_max_tonnes_is_accepted():
    assert MAX_TONNES == 10**12
    assert determination_fee(MAX_TONNES).amount_usd == Decimal("350000.00")
    assert verification_fee({2025: MAX_TONNES}).amount_usd == Decimal("199999998500.00")
    assert quote_verification(MAX_TONNES, poa=True).amount_usd == Decimal("100000000000.00")
    assert split_by_year(date(2025, 1, 1), date(2025, 12, 31), MAX_TONNES) == {2025: MAX_TONNES}


def test_split_by_year_rejects_a_period_ending_before_it_starts():
    with pytest.raises(ValueError, match="ends before it starts"):
        split_by_year(date(2025, 7, 1), date(2025, 6, 30), 1_000)


def test_negative_credit_and_payment_raise():
    fee = verification_fee({2025: 10_000})
    with pytest.raises(ValueError):
        apply_advance_credit(fee, first_year=2025, available_usd=Decimal("-0.01"))
    with pytest.raises(ValueError):
        reimbursement_due(Decimal("-0.01"))


# --- Monitoring periods across years (PERIOD_SPLIT) ----------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "tonnes", "expected"),
    [
        # 184 days in 2025, 181 in 2026
        (date(2025, 7, 1), date(2026, 6, 30), 36_500, {2025: 18_400, 2026: 18_100}),
        # leap year: 184 days in 2023, 182 in 2024
        (date(2023, 7, 1), date(2024, 6, 30), 36_600, {2023: 18_400, 2024: 18_200}),
        # 29 February counts: 308 days in 2024, 59 in 2025
        (date(2024, 2, 29), date(2025, 2, 28), 367, {2024: 308, 2025: 59}),
        (date(2023, 3, 1), date(2024, 2, 29), 366, {2023: 306, 2024: 60}),
        (date(2024, 1, 1), date(2024, 12, 31), 366, {2024: 366}),
        (date(2024, 1, 1), date(2025, 12, 31), 731, {2024: 366, 2025: 365}),
        (date(2025, 1, 1), date(2025, 12, 31), 50_000, {2025: 50_000}),
        # one-day periods
        (date(2025, 3, 15), date(2025, 3, 15), 1_000, {2025: 1_000}),
        (date(2024, 2, 29), date(2024, 2, 29), 7, {2024: 7}),
        (date(2025, 12, 31), date(2025, 12, 31), 7, {2025: 7}),
        # two days across the year end: equal remainders, the earlier year first
        (date(2025, 12, 31), date(2026, 1, 1), 1, {2025: 1, 2026: 0}),
        (date(2025, 12, 31), date(2026, 1, 1), 3, {2025: 2, 2026: 1}),
        (date(2025, 12, 31), date(2026, 1, 1), 4, {2025: 2, 2026: 2}),
        (date(2025, 12, 31), date(2026, 1, 1), 0, {2025: 0, 2026: 0}),
        # three calendar years (1 + 365 + 1 days): largest remainders, ties to the earlier year
        (date(2024, 12, 31), date(2026, 1, 1), 1_000, {2024: 3, 2025: 994, 2026: 3}),
        (date(2024, 12, 31), date(2026, 1, 1), 1, {2024: 0, 2025: 1, 2026: 0}),
        (date(2024, 12, 31), date(2026, 1, 1), 2, {2024: 0, 2025: 2, 2026: 0}),
        # proportion by days, not by months: 1 day in 2025, 31 in 2026
        (date(2025, 12, 31), date(2026, 1, 31), 3_200, {2025: 100, 2026: 3_100}),
    ],
)
def test_split_by_year(start, end, tonnes, expected):
    result = split_by_year(start, end, tonnes)
    assert result == expected
    assert list(result) == sorted(result)
    assert sum(result.values()) == tonnes
    assert all(type(v) is int for v in result.values())


def test_fee_for_a_period_across_a_year_end():
    by_year = split_by_year(date(2025, 7, 1), date(2026, 6, 30), 36_500)
    assert by_year == {2025: 18_400, 2026: 18_100}
    fee = verification_fee(by_year)
    assert fee.as_dict() == {
        "kind": "verification",
        "schedule": "v3",
        "amount_usd": "4300.00",
        "lines": [
            L(15_000, "0.10", "1500.00", 2025),
            L(3_400, "0.20", "680.00", 2025),
            L(15_000, "0.10", "1500.00", 2026),
            L(3_100, "0.20", "620.00", 2026),
        ],
    }
    assert fee.amount_for_year(2025) == Decimal("2180.00")
    assert fee.amount_for_year(2026) == Decimal("2120.00")
    assert fee.amount_for_year(2024) == Decimal("0.00")
    # one period of 36,500 t in a single year would cost more: the first tier is per year
    assert verification_fee({2025: 36_500}).amount_usd == Decimal("5800.00")


def test_fee_for_a_leap_year_period():
    by_year = split_by_year(date(2023, 7, 1), date(2024, 6, 30), 36_600)
    fee = verification_fee(by_year)
    assert line_dicts(fee) == [
        L(15_000, "0.10", "1500.00", 2023),
        L(3_400, "0.20", "680.00", 2023),
        L(15_000, "0.10", "1500.00", 2024),
        L(3_200, "0.20", "640.00", 2024),
    ]
    assert str(fee.amount_usd) == "4320.00"


def test_fee_for_a_one_day_period():
    fee = verification_fee(split_by_year(date(2025, 6, 1), date(2025, 6, 1), 20_000))
    assert line_dicts(fee) == [
        L(15_000, "0.10", "1500.00", 2025),
        L(5_000, "0.20", "1000.00", 2025),
    ]
    assert str(fee.amount_usd) == "2500.00"


def test_second_period_in_a_year_shares_the_first_tier():
    # period 1: 2025-01-01..2025-06-30 (10,000 t); period 2: 2025-07-01..2026-06-30 (36,500 t)
    first = verification_fee(split_by_year(date(2025, 1, 1), date(2025, 6, 30), 10_000))
    second = verification_fee(
        split_by_year(date(2025, 7, 1), date(2026, 6, 30), 36_500),
        already_by_year={2025: 10_000},
    )
    assert line_dicts(first) == [L(10_000, "0.10", "1000.00", 2025)]
    assert line_dicts(second) == [
        L(5_000, "0.10", "500.00", 2025),
        L(13_400, "0.20", "2680.00", 2025),
        L(15_000, "0.10", "1500.00", 2026),
        L(3_100, "0.20", "620.00", 2026),
    ]
    assert str(second.amount_usd) == "5300.00"


# --- Advance credit (ADVANCE_CREDIT) -------------------------------------------------------

ACROSS = {2025: 18_400, 2026: 18_100}  # 2,180.00 in 2025, 2,120.00 in 2026


@pytest.mark.parametrize(
    ("by_year", "first_year", "available", "applied", "remaining"),
    [
        # not used up: only the first-year part (2,180.00) is credited
        (ACROSS, 2025, "8500.00", "2180.00", "6320.00"),
        (ACROSS, 2025, "350000.00", "2180.00", "347820.00"),
        # used up
        (ACROSS, 2025, "1500.00", "1500.00", "0.00"),
        (ACROSS, 2025, "2180.00", "2180.00", "0.00"),
        (ACROSS, 2025, "2179.99", "2179.99", "0.00"),
        (ACROSS, 2025, "0.01", "0.01", "0.00"),
        (ACROSS, 2025, "0", "0.00", "0.00"),
        (ACROSS, 2025, "0.00", "0.00", "0.00"),
        # the first year is the later one: only its part
        (ACROSS, 2026, "8500.00", "2120.00", "6380.00"),
        # the fee has nothing in the first year: the credit is not applied to other years
        (ACROSS, 2024, "8500.00", "0.00", "8500.00"),
        (ACROSS, 2027, "8500.00", "0.00", "8500.00"),
        ({2026: 50_000}, 2025, "1500.00", "0.00", "1500.00"),
        ({2025: 0}, 2025, "1500.00", "0.00", "1500.00"),
        ({2025: 50_000}, 2025, "8500.00", "8500.00", "0.00"),
        ({2025: 50_000}, 2025, "10000.00", "8500.00", "1500.00"),
    ],
)
def test_apply_advance_credit(by_year, first_year, available, applied, remaining):
    fee = verification_fee(by_year)
    credit = apply_advance_credit(fee, first_year=first_year, available_usd=Decimal(available))
    assert credit == Credit(Decimal(applied), Decimal(remaining))
    assert str(credit.applied_usd) == applied
    assert str(credit.remaining_usd) == remaining


def test_advance_credit_across_two_verifications_of_the_first_year():
    advance = determination_fee(50_000).amount_usd  # 8,500.00
    first = verification_fee({2025: 10_000})  # 1,000.00
    c1 = apply_advance_credit(first, first_year=2025, available_usd=advance)
    assert c1 == Credit(Decimal("1000.00"), Decimal("7500.00"))
    second = verification_fee({2025: 40_000, 2026: 5_000}, already_by_year={2025: 10_000})
    # 2025: 5,000 x 0.10 + 35,000 x 0.20 = 7,500.00; 2026: 500.00
    assert second.amount_for_year(2025) == Decimal("7500.00")
    c2 = apply_advance_credit(second, first_year=2025, available_usd=c1.remaining_usd)
    assert c2 == Credit(Decimal("7500.00"), Decimal("0.00"))
    third = verification_fee({2025: 1_000}, already_by_year={2025: 50_000})
    c3 = apply_advance_credit(third, first_year=2025, available_usd=c2.remaining_usd)
    assert c3 == Credit(Decimal("0.00"), Decimal("0.00"))


# --- Reimbursement (REIMBURSEMENT) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("paid", "schedule", "due"),
    [
        ("0", "v3", "0.00"),
        ("0.00", "v3", "0.00"),
        ("1500.00", "v3", "0.00"),
        ("29999.99", "v3", "0.00"),
        ("30000", "v3", "0.00"),
        ("30000.00", "v3", "0.00"),
        ("30000.01", "v3", "0.01"),
        ("30000.10", "v3", "0.10"),
        ("100000.00", "v3", "70000.00"),
        ("349999.80", "v3", "319999.80"),
        ("350000", "v3", "320000.00"),
        ("350000.00", "v3", "320000.00"),
        ("29999.99", "v2", "0.00"),
        ("30000.00", "v2", "0.00"),
        ("30000.01", "v2", "0.01"),
        ("350000.00", "v2", "320000.00"),
    ],
)
def test_reimbursement_due(paid, schedule, due):
    result = reimbursement_due(Decimal(paid), schedule=schedule)
    assert result == Decimal(due)
    assert str(result) == due


def test_reimbursement_default_schedule():
    assert str(reimbursement_due(Decimal("350000.00"))) == "320000.00"


# --- Public shape: FeeResult.as_dict and Line round trip -----------------------------------


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (
            determination_fee(100_000),
            {
                "kind": "determination",
                "schedule": "v3",
                "amount_usd": "18500.00",
                "lines": [L(15_000, "0.10", "1500.00"), L(85_000, "0.20", "17000.00")],
            },
        ),
        (
            determination_fee(14_999),
            {"kind": "determination", "schedule": "v3", "amount_usd": "0.00", "lines": []},
        ),
        (
            determination_fee(1_757_501),
            {
                "kind": "determination",
                "schedule": "v3",
                "amount_usd": "350000.00",
                "lines": [L(15_000, "0.10", "1500.00"), L(1_742_500, "0.20", "348500.00")],
            },
        ),
        (
            determination_fee(15_000, schedule="v2"),
            {"kind": "determination", "schedule": "v2", "amount_usd": "0.00", "lines": []},
        ),
        (
            verification_fee({2025: 15_001}),
            {
                "kind": "verification",
                "schedule": "v3",
                "amount_usd": "1500.20",
                "lines": [L(15_000, "0.10", "1500.00", 2025), L(1, "0.20", "0.20", 2025)],
            },
        ),
        (
            quote_verification(1, poa=True),
            {
                "kind": "verification",
                "schedule": "v3",
                "amount_usd": "0.10",
                "lines": [L(1, "0.10", "0.10")],
            },
        ),
    ],
)
def test_fee_result_as_dict(result, expected):
    data = result.as_dict()
    assert data == expected
    assert list(data) == ["kind", "schedule", "amount_usd", "lines"]  # exactly these keys
    assert "note" not in data
    for line in data["lines"]:
        assert type(line["tonnes"]) is int
        assert isinstance(line["rate_usd"], str)
        assert isinstance(line["amount_usd"], str)
        assert len(line["amount_usd"].split(".")[1]) == 2


def test_fee_result_as_dict_rounds_to_two_decimals():
    result = FeeResult(
        "verification",
        "v3",
        Decimal("5"),
        (Line(50, Decimal("0.1"), Decimal("5")), Line(1, Decimal("0.2"), Decimal("0.2"), 2025)),
    )
    assert result.as_dict() == {
        "kind": "verification",
        "schedule": "v3",
        "amount_usd": "5.00",
        "lines": [L(50, "0.10", "5.00"), L(1, "0.20", "0.20", 2025)],
    }


def test_amount_for_year():
    fee = verification_fee({2025: 50_000, 2026: 1_000})
    assert fee.amount_for_year(2025) == Decimal("8500.00")
    assert fee.amount_for_year(2026) == Decimal("100.00")
    assert fee.amount_for_year(2027) == Decimal("0.00")
    assert determination_fee(50_000).amount_for_year(2025) == Decimal("0.00")


@pytest.mark.parametrize(
    "line",
    [
        Line(15_000, Decimal("0.10"), Decimal("1500.00")),
        Line(15_000, Decimal("0.10"), Decimal("1500.00"), 2025),
        Line(1, Decimal("0.20"), Decimal("0.20"), 2024),
        Line(0, Decimal("0.10"), Decimal("0.00")),
        Line(1_742_500, Decimal("0.20"), Decimal("348500.00")),
        Line(MAX_TONNES, Decimal("0.20"), Decimal("200000000000.00"), 2030),
        *determination_fee(1_757_501).lines,
        *determination_fee(3_500_001, poa=True).lines,
        *verification_fee({2025: 18_400, 2026: 18_100}).lines,
        *quote_verification(10_000, already_this_year=10_000).lines,
    ],
)
def test_line_round_trip(line):
    data = line.as_dict()
    back = Line.from_dict(data)
    assert back == line
    assert back.as_dict() == data
    assert back.year == line.year


# --- EXACT_AVERAGE (issue 12, ji-rules §7 "Advance threshold") ---------------------------------


@pytest.mark.parametrize(
    ("yearly", "exact"),
    [
        ([14_999, 15_000], Decimal("14999.5")),
        ([50_000], Decimal("50000")),
        ([40_000, 50_000, 60_000], Decimal("50000")),
        ([1, 2, 2, 2], Decimal("1.75")),
        ([], Decimal("0")),
    ],
)
def test_expected_average_is_exact(yearly, exact):
    e = expected_average(yearly)
    assert e == exact
    assert str(e) == str(exact)  # stored as this string in the assessment's inputs


def test_expected_average_that_does_not_terminate_keeps_forty_digits_rounded_down():
    e = expected_average([15_000, 15_000, 15_001])
    assert str(e) == "15000.33333333333333333333333333333333333"
    assert expected_average([14_999, 15_000, 15_000]) < 15_000  # never rounded up to it
    assert str(expected_average([1, 1, 0])) == "0.6666666666666666666666666666666666666666"


@pytest.mark.parametrize("bad", [[-1], [1.5], ["15000"], [True], [MAX_TONNES + 1]])
def test_expected_average_rejects_bad_tonnes(bad):
    with pytest.raises(ValueError):
        expected_average(bad)


@pytest.mark.parametrize(
    ("e", "amount", "lines"),
    [
        # Compared with 15,000 t before any rounding: 14,999.5 t (rounded half up: 15,000) and
        # 14,999.99 t pay no advance.
        (Decimal("14999.5"), "0.00", []),
        (Decimal("14999.99"), "0.00", []),
        (Decimal("14999.999999999999999999999999999999"), "0.00", []),
        (Decimal("15000"), "1500.00", [L(15000, "0.10", "1500.00")]),
        # Above it, the lines count E to the whole tonne, half up: amounts as before.
        (Decimal("15000.4"), "1500.00", [L(15000, "0.10", "1500.00")]),
        (
            Decimal("15000.5"),
            "1500.20",
            [L(15000, "0.10", "1500.00"), L(1, "0.20", "0.20")],
        ),
        (
            Decimal("49999.5"),
            "8500.00",
            [L(15000, "0.10", "1500.00"), L(35000, "0.20", "7000.00")],
        ),
    ],
)
def test_determination_fee_threshold_on_the_exact_average(e, amount, lines):
    result = determination_fee(e)
    assert (str(result.amount_usd), line_dicts(result)) == (amount, lines)
    if result.amount_usd:
        assert result.amount_usd == determination_fee(whole_tonnes(e)).amount_usd
    else:
        assert result.note == "below the threshold: no advance"


def test_v2_exemption_compares_the_exact_average():
    # v2 exempts E of 15,000 t or less: 15,000.4 t is above it, though it rounds to 15,000.
    assert determination_fee(Decimal("15000"), schedule="v2").amount_usd == Decimal("0.00")
    assert determination_fee(Decimal("15000.4"), schedule="v2").amount_usd == Decimal("1500.00")
    assert verification_fee(
        {2025: 20_000}, schedule="v2", expected_annual_reductions=Decimal("15000.4")
    ).amount_usd == Decimal("2500.00")
    assert verification_fee(
        {2025: 20_000}, schedule="v2", expected_annual_reductions=Decimal("15000")
    ).amount_usd == Decimal("0.00")


@pytest.mark.parametrize(
    ("e", "whole"),
    [(Decimal("14999.5"), 15_000), (Decimal("14999.49"), 14_999), (15_000, 15_000)],
)
def test_whole_tonnes_rounds_half_up(e, whole):
    assert whole_tonnes(e) == whole


@pytest.mark.parametrize("cap", ["350000.10", "350000.05"])
def test_schedule_whose_cap_is_not_reached_on_a_whole_tonne_is_refused_even_under_python_O(cap):
    with pytest.raises(ValueError, match="v9: the cap is not reachable on a whole tonne"):
        Schedule(
            version="v9",
            title="A schedule with a cap between two tonnes",
            first_tier_tonnes=15_000,
            first_tier_rate=Decimal("0.10"),
            second_tier_rate=Decimal("0.20"),
            advance_threshold=15_000,
            advance_cap=Decimal(cap),
            reimbursement_floor=Decimal("30000"),
        )
