"""Conversions per host Party and year (``determinations.conversions``, CONVERSIONS) over the
known figures of ``tests.conversions_support``, and the secretariat's writer of assigned amounts
and emissions (``determinations.inventory``, INVENTORY_CORRECTIONS)."""

from decimal import Decimal

import pytest

from determinations import conversions, inventory, issuance
from determinations.models import AssignedAmount, ReportedEmissions
from jitrack.errors import Conflict, Forbidden, Invalid
from projects.models import Event
from projects.timeline import event_detail
from tests import conversions_support as known

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def figures(secretariat):
    return known.build(secretariat)


def _years(conv):
    return {y.year: y for y in conv.years}


def test_conversions_per_year_match_the_known_figures(figures):
    conv = conversions.for_party(figures["ua"])
    assert [y.year for y in conv.years] == list(range(2008, 2021))
    rows = {
        y.year: (
            y.erus_track1,
            y.erus_track2,
            y.erus,
            y.aaus_converted,
            y.assigned_amount_annual,
            y.emissions,
            y.surplus,
            y.erus_from_surplus,
            y.surplus_share,
        )
        for y in conv.years
    }
    assert rows[2008] == (0, 0, 0, 0, D(1000000), None, None, None, None)
    assert rows[2009] == (60000, 0, 60000, 60000, D(1000000), 900000, D(100000), D(60000), D(100))
    assert rows[2010] == (
        40000,
        5000,
        45000,
        45000,
        D(1000000),
        990000,
        D(10000),
        D(10000),
        D("22.2"),
    )
    assert rows[2011] == (0, 3000, 3000, 3000, D(1000000), 1200000, D(0), D(0), D(0))
    assert rows[2012] == (10000, 0, 10000, 10000, D(1000000), None, None, None, None)
    assert rows[2013] == (
        30000, 0, 30000, 30000, D("1000000.5"), 999000, D("1000.5"), D("1000.5"), D("3.3")
    )  # fmt: skip
    assert rows[2014] == (0, 2500, 2500, 2500, D("1000000.5"), None, None, None, None)
    assert rows[2020][:5] == (0, 0, 0, 0, D("1000000.5"))
    assert str(rows[2013][4]) == "1000000.5"  # exact, no exponent, no float


def test_conversions_totals_and_periods(figures):
    conv = conversions.for_party(figures["ua"])
    assert (conv.erus_track1, conv.erus_track2, conv.erus, conv.aaus_converted) == (
        140000,
        10500,
        150500,
        150500,
    )
    assert conv.erus_with_data == 138000
    assert conv.erus_from_surplus == D("71000.5")
    assert conv.surplus_share == D("51.4")
    assert [
        (p.commitment_period, p.assigned_amount, p.annual_share, p.aaus_converted)
        for p in conv.periods
    ] == [(1, 5000000, D(1000000), 118000), (2, 8000004, D("1000000.5"), 32500)]
    # the ledger's conversions are the ERUs of the period's years
    assert sum(p.aaus_converted for p in conv.periods) == conv.erus


def test_conversions_second_party_and_the_order_of_parties(figures):
    ru, ua = conversions.for_parties([figures["ru"], figures["ua"]])
    assert (ru.party.code, ua.party.code) == ("RU", "UA")
    row = _years(ru)[2011]
    assert (row.erus_track1, row.surplus, row.erus_from_surplus, row.surplus_share) == (
        200000,
        D(500000),
        D(200000),
        D(100),
    )
    assert (ru.erus, ru.surplus_share) == (200000, D(100))
    assert [y.year for y in ru.years] == list(range(2008, 2013))  # no second-period amount


def test_conversions_count_erus_by_year_as_the_reconciliation_does(figures):
    for key in ("t1", "t2"):
        project = figures[key]
        by_year = {r["year"]: r["issued"] for r in issuance.reconciliation(project) if r["issued"]}
        assert sum(by_year.values()) == sum(v.erus_issued for v in project.verifications.all())
    conv = _years(conversions.for_party(figures["ua"]))
    t2 = {r["year"]: r["issued"] for r in issuance.reconciliation(figures["t2"])}
    assert {y: conv[y].erus_track2 for y in (2010, 2011, 2014)} == {
        y: t2[y] for y in (2010, 2011, 2014)
    }


def test_conversions_without_data_are_null_and_queries_are_fixed(
    figures, japan, django_assert_num_queries
):
    with django_assert_num_queries(4):
        (jp,) = conversions.for_parties([japan])
    assert (jp.years, jp.erus, jp.surplus_share, jp.erus_from_surplus) == ([], 0, None, None)
    with django_assert_num_queries(4):
        many = conversions.for_parties([figures["ua"], figures["ru"], japan])
    assert [c.erus for c in many] == [150500, 200000, 0]


def test_a_year_with_data_but_no_erus_has_no_share(figures, secretariat):
    inventory.record_emissions(secretariat, figures["ua"], year=2015, tonnes=10, source="NIR")
    row = _years(conversions.for_party(figures["ua"]))[2015]
    assert (row.erus, row.surplus, row.erus_from_surplus, row.surplus_share) == (
        0,
        D("999990.5"),
        D(0),
        None,
    )


def test_host_parties_lists_hosts_issuers_and_recorded_parties(figures, japan, secretariat):
    assert [p.code for p in conversions.host_parties()] == ["RU", "UA"]
    inventory.record_emissions(secretariat, japan, year=2010, tonnes=1, source="NIR")
    assert [p.code for p in conversions.host_parties()] == ["JP", "RU", "UA"]


def test_percent_rounds_half_up_to_one_decimal():
    assert conversions.percent(1, 8) == D("12.5")
    assert conversions.percent(1, 16) == D("6.3")  # 6.25
    assert conversions.percent(2, 3) == D("66.7")
    assert conversions.percent(5, 0) is None
    assert conversions.annual_share(8_000_004, 2) == D("1000000.5")
    assert conversions.annual_share(7, 1) == D("1.4")


# --- the project's comparison (PROJECT_COMPARISON) ----------------------------------------------


def test_project_comparison_compares_the_verified_years(figures, django_assert_num_queries):
    project = figures["t2"]
    verifications = list(project.verifications.order_by("number"))
    with django_assert_num_queries(1):
        comparison = conversions.compare_verifications(project, verifications)
    assert [(y.year, y.expected, y.verified) for y in comparison.years] == [
        (2010, 10000, 5000),
        (2011, 10000, 7000),
        (2012, 0, 999),
        (2014, 2000, 2500),
    ]
    assert [y.verified_percent for y in comparison.years] == [D(50), D(70), None, D(125)]
    assert (comparison.verified, comparison.expected, comparison.issued) == (15499, 22000, 10500)
    assert comparison.verified_percent == D("70.5")  # 15,499 / 22,000 = 70.45
    assert (comparison.first_year, comparison.last_year) == (2010, 2014)
    assert comparison.years_label == "2010–2014"
    rows = conversions.compare_rows(issuance.reconciliation(project))
    assert [(y.year, y.issued) for y in rows.years] == [
        (2010, 5000),
        (2011, 3000),
        (2012, 0),
        (2014, 2500),
    ]
    assert rows.issued == 10500


def test_project_comparison_without_final_verification_is_none(figures, django_assert_num_queries):
    project = figures["t2"]
    with django_assert_num_queries(0):
        assert conversions.compare_verifications(project, []) is None


# --- the writer (INVENTORY_CORRECTIONS) -----------------------------------------------------------


def test_inventory_only_the_secretariat_records(ukraine, party_user, participant, anon):
    for actor in (party_user, participant, None):
        with pytest.raises(Forbidden):
            inventory.record_emissions(actor, ukraine, year=2010, tonnes=1, source="NIR")
        with pytest.raises(Forbidden):
            inventory.record_assigned_amount(
                actor, ukraine, commitment_period=1, tonnes=1, source="IRR"
            )
    assert not ReportedEmissions.objects.exists()
    assert not AssignedAmount.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"year": 2010, "tonnes": -1, "source": "NIR"}, "tonnes"),
        ({"year": 2010, "tonnes": 1.5, "source": "NIR"}, "tonnes"),
        ({"year": 2010, "tonnes": True, "source": "NIR"}, "tonnes"),
        ({"year": 2010, "tonnes": 10**12, "source": "NIR"}, "tonnes"),
        ({"year": 1984, "tonnes": 1, "source": "NIR"}, "year"),
        ({"year": "2010", "tonnes": 1, "source": "NIR"}, "year"),
        ({"year": 2010, "tonnes": 1, "source": "  "}, "source"),
        ({"year": 2010, "tonnes": 1, "source": "x" * 301}, "source"),
    ],
)
def test_inventory_refuses_bad_emissions(ukraine, secretariat, kwargs, field):
    with pytest.raises(Invalid) as err:
        inventory.record_emissions(secretariat, ukraine, **kwargs)
    assert err.value.field == field
    assert not ReportedEmissions.objects.exists()


@pytest.mark.parametrize("period", [0, 3, "1", True])
def test_inventory_refuses_a_bad_period(ukraine, secretariat, period):
    with pytest.raises(Invalid) as err:
        inventory.record_assigned_amount(
            secretariat, ukraine, commitment_period=period, tonnes=1, source="IRR"
        )
    assert err.value.field == "commitment_period"


def test_inventory_correction_replaces_the_figure_and_its_source(ukraine, secretariat):
    first = inventory.record_assigned_amount(
        secretariat, ukraine, commitment_period=1, tonnes=100, source=" IRR 2007 "
    )
    assert (first.tonnes, first.source, first.recorded_by) == (100, "IRR 2007", secretariat)
    with pytest.raises(Conflict) as err:
        inventory.record_assigned_amount(
            secretariat, ukraine, commitment_period=1, tonnes=100, source="IRR 2007"
        )
    assert err.value.code == "no_change"
    again = inventory.record_assigned_amount(
        secretariat, ukraine, commitment_period=1, tonnes=105, source="IRR 2008 (corrected)"
    )
    assert again.pk == first.pk
    row = AssignedAmount.objects.get()
    assert (row.tonnes, row.source) == (105, "IRR 2008 (corrected)")
    same_figure_new_source = inventory.record_emissions(
        secretariat, ukraine, year=2010, tonnes=7, source="NIR 2012"
    )
    inventory.record_emissions(secretariat, ukraine, year=2010, tonnes=7, source="NIR 2013")
    assert ReportedEmissions.objects.get().source == "NIR 2013"
    assert ReportedEmissions.objects.count() == 1 and same_figure_new_source.year == 2010


def test_inventory_keeps_every_figure_and_correction_as_a_public_event(ukraine, secretariat):
    """INVENTORY_CORRECTIONS: a correction replaces the figure, and the Party's public events
    keep what was there before; a refused figure writes nothing."""
    inventory.record_assigned_amount(
        secretariat, ukraine, commitment_period=1, tonnes=100, source="IRR 2007"
    )
    with pytest.raises(Conflict):
        inventory.record_assigned_amount(
            secretariat, ukraine, commitment_period=1, tonnes=100, source="IRR 2007"
        )
    inventory.record_assigned_amount(
        secretariat, ukraine, commitment_period=1, tonnes=105, source="IRR 2008"
    )
    inventory.record_emissions(secretariat, ukraine, year=2010, tonnes=7, source="NIR 2012")
    events = list(
        Event.objects.filter(party=ukraine, kind="inventory_recorded").order_by("created_at", "pk")
    )
    assert [e.data for e in events] == [
        {
            "party": "UA",
            "figure": "assigned_amount",
            "commitment_period": 1,
            "before": None,
            "after": {"tonnes": 100, "source": "IRR 2007"},
        },
        {
            "party": "UA",
            "figure": "assigned_amount",
            "commitment_period": 1,
            "before": {"tonnes": 100, "source": "IRR 2007"},
            "after": {"tonnes": 105, "source": "IRR 2008"},
        },
        {
            "party": "UA",
            "figure": "emissions",
            "year": 2010,
            "before": None,
            "after": {"tonnes": 7, "source": "NIR 2012"},
        },
    ]
    assert all(e.public and e.project_id is None for e in events)
    assert event_detail(events[1]) == (
        "Assigned amount 2008–2012: 105 t CO2e (IRR 2008), was 100 t CO2e (IRR 2007)."
    )
    assert event_detail(events[2]) == "Emissions of 2010: 7 t CO2e (NIR 2012)."
