"""Proof of the conversions (issue 16, "Transparency the record has never had"): the known
figures of ``tests.conversions_support`` — two host Parties, Track 1 and Track 2 projects,
verifications over 2009-2014 across both commitment periods, ERUs issued, assigned amounts and
emissions — read back exactly from ``GET /api/parties/{code}/conversions/``, the public pages
and the CSV, each within its query budget for one and for many Parties and years."""

import csv
import io
import re

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


# --- the public pages and the CSV -----------------------------------------------------------------


def _cells(html: str, attr: str, value) -> list[str]:
    """The cells of the table row marked ``data-<attr>="<value>"``, as text."""
    row = re.search(rf'<tr data-{attr}="{value}">(.*?)</tr>', html, re.S)
    assert row, (attr, value)
    return [
        re.sub(r"<[^>]+>|\s+", " ", c).strip()
        for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.group(1), re.S)
    ]


def test_index_lists_every_host_party_with_its_totals(figures, client):
    r = client.get("/statistics/conversions/")
    assert r.status_code == 200
    html = r.content.decode()
    assert _cells(html, "party", "RU") == [
        "Russian Federation", "200,000", "0", "200,000", "200,000", "200,000", "200,000", "100.0 %"
    ]  # fmt: skip
    assert _cells(html, "party", "UA") == [
        "Ukraine", "140,000", "10,500", "150,500", "150,500", "138,000", "71,000.5", "51.4 %"
    ]  # fmt: skip
    assert html.index('data-party="RU"') < html.index('data-party="UA"')  # by name
    assert 'href="/statistics/conversions/UA/"' in html
    assert "decision 13/CMP.1, annex, paragraph 29" in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "Ukraine: 150,500" in svg and "Ukraine, Track 1: 140,000" in svg
    assert "Ukraine, Track 2: 10,500" in svg and "Russian Federation, Track 1: 200,000" in svg


def test_party_page_shows_the_known_years(figures, client):
    r = client.get("/statistics/conversions/ua/")
    assert r.status_code == 200
    html = r.content.decode()
    assert _cells(html, "year", 2009) == [
        "2009", "60,000", "0", "60,000", "1,000,000", "900,000", "100,000", "60,000", "100.0 %"
    ]  # fmt: skip
    assert _cells(html, "year", 2010) == [
        "2010", "40,000", "5,000", "45,000", "1,000,000", "990,000", "10,000", "10,000", "22.2 %"
    ]  # fmt: skip
    assert _cells(html, "year", 2013) == [
        "2013", "30,000", "0", "30,000", "1,000,000.5", "999,000", "1,000.5", "1,000.5", "3.3 %"
    ]  # fmt: skip
    assert _cells(html, "year", 2014) == [
        "2014", "0", "2,500", "2,500", "1,000,000.5", "—", "—", "—", "—"
    ]  # fmt: skip
    assert _cells(html, "period", 1) == [
        "2008–2012", "5,000,000", "1,000,000", "118,000", "FCCC/IRR/2007/UKR, para 140"
    ]  # fmt: skip
    assert _cells(html, "period", 2)[:4] == ["2013–2020", "8,000,004", "1,000,000.5", "32,500"]
    assert "51.4 % (71,000.5 of the 138,000 ERUs of the years with both figures)" in html
    # the charts: ERUs per year by track (stacked), then ERUs by track against the surplus
    first, second = re.findall(r"<svg.*?</svg>", html, re.S)
    assert "2010: 45,000" in first and "2012: 10,000" in first and "2011: 3,000" in first
    assert "2008" not in first  # no ERUs
    svg = second
    assert (
        "2010, Track 1 ERUs: 40,000" in svg
        and "2010, Surplus (annual share − emissions): 10,000" in svg
    )
    assert "2012, " in svg  # ERUs, no surplus recorded
    assert "2016, " not in svg  # neither
    assert 'href="/statistics/conversions/UA.csv"' in html
    assert "Record assigned amount or emissions" not in html


def test_party_page_unknown_party_is_404(client, db):
    assert client.get("/statistics/conversions/ZZ/").status_code == 404
    assert client.get("/statistics/conversions/U1/").status_code == 404
    assert client.get("/statistics/conversions/ZZ.csv").status_code == 404


def test_party_page_links_the_secretariat_to_its_inventory_page(figures, client, secretariat):
    client.force_login(secretariat)
    html = client.get("/statistics/conversions/UA/").content.decode()
    assert 'href="/parties/UA/inventory/"' in html


def test_csv_has_the_known_figures(figures, client):
    r = client.get("/statistics/conversions/UA.csv")
    assert r.status_code == 200
    assert r["Content-Disposition"] == 'attachment; filename="jitrack-conversions-UA.csv"'
    rows = list(csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode())))
    assert len(rows) == 13
    by_year = {row["year"]: row for row in rows}
    assert by_year["2010"] == {
        "party": "UA",
        "year": "2010",
        "commitment_period": "1",
        "erus_track1": "40000",
        "erus_track2": "5000",
        "erus": "45000",
        "aaus_converted": "45000",
        "assigned_amount_annual": "1000000",
        "emissions": "990000",
        "surplus": "10000",
        "erus_from_surplus": "10000",
        "surplus_share_percent": "22.2",
    }
    assert (by_year["2013"]["surplus"], by_year["2013"]["surplus_share_percent"]) == (
        "1000.5",
        "3.3",
    )
    assert (by_year["2014"]["emissions"], by_year["2014"]["surplus_share_percent"]) == ("", "")
    # the CSV says what the API says
    api = {str(y["year"]): y for y in client.get("/api/parties/UA/conversions/").json()["years"]}
    for year, row in by_year.items():
        assert row["erus"] == str(api[year]["erus"])
        assert row["erus_from_surplus"] == (api[year]["erus_from_surplus"] or "")


def _many_parties(secretariat, n: int) -> None:
    """``n`` more hosts, each with a Track 1 project, a final verification and its ERUs, and a
    recorded assigned amount and emissions for every year of the first period."""
    for i in range(n):
        code = f"Q{chr(65 + i)}"
        party, dfp = known.host(code, f"Party {code}")
        ver = known.final_verification(
            known.project(party, f"{code}100000{i}", track="1"), {2009: 100 + i, 2010: 200}
        )
        known.issue(dfp, ver, {1: 300 + i})
        inventory.record_assigned_amount(
            secretariat, party, commitment_period=1, tonnes=5000, source="IRR"
        )
        for year in range(2008, 2013):
            inventory.record_emissions(secretariat, party, year=year, tonnes=900, source="NIR")


@pytest.mark.parametrize(
    "path",
    ["/statistics/conversions/", "/statistics/conversions/UA/", "/statistics/conversions/UA.csv"],
)
def test_pages_query_budget(figures, client, secretariat, path, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        r = client.get(path)
        assert r.status_code == 200
        if r.streaming:
            b"".join(r.streaming_content)
    _many_parties(secretariat, 6)
    for year in range(1990, 2021):
        if year not in (2009, 2010, 2011, 2013):
            inventory.record_emissions(secretariat, figures["ua"], year=year, tonnes=1, source="N")
    with django_assert_max_num_queries(10):
        r = client.get(path)
        assert r.status_code == 200
        body = b"".join(r.streaming_content) if r.streaming else r.content
    if path == "/statistics/conversions/":
        assert body.count(b'<tr data-party="') == 8
    else:
        assert body.count(b"\n" if path.endswith(".csv") else b'<tr data-year="') == (
            32 if path.endswith(".csv") else 31
        )


def test_statistics_party_issuance_and_footer_link_to_the_conversions(figures, client):
    stats = client.get("/statistics/").content.decode()
    assert 'href="/statistics/conversions/"' in stats.split("<footer")[0]
    assert 'href="/statistics/conversions/"' in stats.split("<footer")[1]  # the footer's list
    issuance_page = client.get("/parties/UA/issuance/").content.decode()
    assert 'href="/statistics/conversions/UA/"' in issuance_page


# --- how a project's ERUs compare (PROJECT_COMPARISON) ---------------------------------------------


def test_project_page_says_how_its_erus_compare(
    figures, client, secretariat, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        r = client.get("/projects/0001/")
    html = re.sub(r"\s+", " ", r.content.decode())
    assert (
        "How this project's ERUs compare:</strong> 15,499 t CO2e verified for 2010–2014 against "
        "22,000 t expected in the PDD for those years (70.5 %); 10,500 ERUs issued."
    ) in html
    assert 'href="/projects/0001/monitoring/#h-rec"' in html
    # the line costs one query (the PDD's expected reductions): 7 before, 8 after for a visitor,
    # 9 before, 10 after for the secretariat
    for user in (secretariat, figures["ua_dfp"]):
        client.force_login(user)
        with django_assert_max_num_queries(10):
            assert (
                "How this project's ERUs compare" in client.get("/projects/0001/").content.decode()
            )
    client.logout()
    html = re.sub(r"\s+", " ", client.get("/projects/RU1000001/").content.decode())
    assert (
        "200,000 t CO2e verified for 2011, years for which the PDD expected no reductions; "
        "200,000 ERUs issued."
    ) in html


def test_project_page_without_a_final_verification_has_no_comparison(client, cycle):
    project = cycle.final()
    html = client.get(f"/projects/{project.key}/").content.decode()
    assert 'data-testid="eru-comparison"' not in html


def test_monitoring_page_compares_each_year(figures, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        html = client.get("/projects/0001/monitoring/").content.decode()
    assert _cells(html, "year", 2010) == ["2010", "10,000", "5,000", "5,000", "50.0 %", "5,000"]
    assert _cells(html, "year", 2011) == ["2011", "10,000", "7,000", "7,000", "70.0 %", "3,000"]
    assert _cells(html, "year", 2012) == ["2012", "0", "999", "999", "—", "0"]
    assert _cells(html, "year", 2014) == ["2014", "2,000", "2,500", "2,500", "125.0 %", "2,500"]
    assert 'href="/statistics/conversions/UA/"' in html
