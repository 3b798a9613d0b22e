"""Proof of the conversions (issue 16, "Transparency the record has never had"): the known
figures of ``tests.conversions_support`` — two host Parties, Track 1 and Track 2 projects,
verifications over 2009-2014 across both commitment periods, ERUs issued, assigned amounts and
emissions — read back exactly from ``GET /api/parties/{code}/conversions/``, the public pages
and the CSV, each within its query budget for one and for many Parties and years."""

import pytest

from determinations import inventory
from tests import conversions_support as known

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(secretariat):
    return known.build(secretariat)


# --- the API --------------------------------------------------------------------------------------


def test_api_conversions_gives_the_known_figures(figures, anon):
    r = anon.get("/api/parties/ua/conversions/")
    assert r.status_code == 200, r.content
    body = r.json()
    assert {k: body[k] for k in body if k not in ("years", "commitment_periods")} == {
        "party": "UA",
        "name": "Ukraine",
        "erus_track1": 140000,
        "erus_track2": 10500,
        "erus": 150500,
        "aaus_converted": 150500,
        "erus_with_data": 138000,
        "erus_from_surplus": "71000.5",
        "surplus_share_percent": "51.4",
    }
    assert body["commitment_periods"] == [
        {
            "commitment_period": 1,
            "first_year": 2008,
            "last_year": 2012,
            "assigned_amount": 5000000,
            "assigned_amount_source": "FCCC/IRR/2007/UKR, para 140",
            "assigned_amount_annual": "1000000",
            "aaus_converted": 118000,
        },
        {
            "commitment_period": 2,
            "first_year": 2013,
            "last_year": 2020,
            "assigned_amount": 8000004,
            "assigned_amount_source": "FCCC/IRR/2016/UKR",
            "assigned_amount_annual": "1000000.5",
            "aaus_converted": 32500,
        },
    ]
    years = {row["year"]: row for row in body["years"]}
    assert list(years) == list(range(2008, 2021))
    assert years[2010] == {
        "year": 2010,
        "commitment_period": 1,
        "erus_track1": 40000,
        "erus_track2": 5000,
        "erus": 45000,
        "aaus_converted": 45000,
        "assigned_amount_annual": "1000000",
        "emissions": 990000,
        "surplus": "10000",
        "erus_from_surplus": "10000",
        "surplus_share_percent": "22.2",
    }
    assert years[2013] == {
        "year": 2013,
        "commitment_period": 2,
        "erus_track1": 30000,
        "erus_track2": 0,
        "erus": 30000,
        "aaus_converted": 30000,
        "assigned_amount_annual": "1000000.5",
        "emissions": 999000,
        "surplus": "1000.5",
        "erus_from_surplus": "1000.5",
        "surplus_share_percent": "3.3",
    }
    assert (years[2014]["erus_track2"], years[2014]["emissions"], years[2014]["surplus"]) == (
        2500,
        None,
        None,
    )
    assert [years[y]["surplus_share_percent"] for y in (2009, 2011, 2012, 2015)] == [
        "100.0",
        "0.0",
        None,
        None,
    ]


def test_api_conversions_second_party(figures, anon):
    body = anon.get("/api/parties/RU/conversions/").json()
    assert (body["erus_track1"], body["erus_track2"], body["surplus_share_percent"]) == (
        200000,
        0,
        "100.0",
    )
    (row,) = [y for y in body["years"] if y["erus"]]
    assert (row["year"], row["surplus"], row["erus_from_surplus"]) == (2011, "500000", "200000")


def test_api_conversions_of_a_party_without_figures(figures, anon, japan):
    body = anon.get("/api/parties/JP/conversions/").json()
    assert (body["erus"], body["years"], body["surplus_share_percent"]) == (0, [], None)
    assert [p["assigned_amount"] for p in body["commitment_periods"]] == [None, None]


@pytest.mark.parametrize("code", ["ZZ", "U", "UAA", "u1", "%20%20"])
def test_api_conversions_unknown_party_is_404(anon, code, db):
    r = anon.get(f"/api/parties/{code}/conversions/")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"


def test_api_conversions_in_the_schema(anon, db):
    schema = anon.get("/api/schema/?format=json").json()
    op = schema["paths"]["/api/parties/{code}/conversions/"]["get"]
    assert {"200", "404"} <= set(op["responses"])
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/Conversions")


def test_api_conversions_query_budget(figures, anon, secretariat, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert anon.get("/api/parties/UA/conversions/").status_code == 200
    # many years: emissions recorded for every year 1990-2020
    for year in range(1990, 2021):
        if year not in (2009, 2010, 2011, 2013):
            inventory.record_emissions(
                secretariat, figures["ua"], year=year, tonnes=year, source="NIR"
            )
    with django_assert_max_num_queries(6):
        body = anon.get("/api/parties/UA/conversions/").json()
    assert len(body["years"]) == 31
