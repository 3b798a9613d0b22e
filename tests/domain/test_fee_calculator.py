from decimal import Decimal

from fees.calculator import determination_fee


def test_determination_fee_below_threshold_is_zero():
    result = determination_fee(14_999)
    assert result.amount_usd == Decimal("0.00")
    assert result.lines == []


def test_determination_fee_at_threshold_is_due():
    result = determination_fee(15_000)
    assert result.amount_usd == Decimal("1500.00")
    assert [(line.tonnes, line.rate_usd) for line in result.lines] == [(15_000, Decimal("0.10"))]


def test_determination_fee_second_tier():
    result = determination_fee(50_000)
    # 15,000 x 0.10 + 35,000 x 0.20
    assert result.amount_usd == Decimal("8500.00")
    assert [line.as_dict() for line in result.lines] == [
        {"tonnes": 15000, "rate_usd": "0.10", "amount_usd": "1500.00"},
        {"tonnes": 35000, "rate_usd": "0.20", "amount_usd": "7000.00"},
    ]


def test_determination_fee_is_capped():
    result = determination_fee(10_000_000)
    assert result.amount_usd == Decimal("350000.00")
    assert result.note == "capped"


def test_determination_fee_poa_first_tier_rate_throughout():
    assert determination_fee(50_000, poa=True).amount_usd == Decimal("5000.00")


def test_determination_fee_small_scale_pays_no_advance():
    assert determination_fee(50_000, small_scale=True).amount_usd == Decimal("0.00")
