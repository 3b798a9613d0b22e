"""Track 1 beside Track 2 (issue 16): the track of each project in the API register and detail,
the ``?track=`` filter, the public registry's lists and their Track filter, open data and feeds,
with the query budget kept for 1 and many projects of both tracks."""

import csv
import datetime as dt
import io
import json

import feedparser
import pytest

from determinations import issuance, track1
from projects import workflow as wf
from projects.models import ExpectedReduction, Organisation, Party, Project, SectoralScope, User
from tests.factories import UserFactory, pdf_upload, project_data
from tests.registry.conftest import on
from tests.support import html_text

pytestmark = pytest.mark.django_db

D = dt.date


def track1_project(host, reference: str, title: str, **fields) -> Project:
    """A Track 1 project as its host's focal point (or the importer) records it: public from
    then on, final, with the host's national approval (para 23)."""
    defaults = {
        "track": Project.Track.ONE,
        "reference": reference,
        "title": title,
        "host_party": host,
        "status": Project.Status.FINAL,
        "final_on": D(2010, 5, 14),
        "determination_available_on": D(2010, 5, 14),
        "crediting_start": D(2008, 1, 1),
        "crediting_end": D(2012, 12, 31),
        "national_approval_reference": f"Order 1{reference[2:]} of the Ministry",
        "national_guidelines": "National JI procedure, Cabinet resolution 206 (2008)",
        "expected_annual_reductions": 120000,
    }
    defaults.update(fields)
    project = Project.objects.create(**defaults)
    participant, _ = Organisation.objects.get_or_create(
        name="Donbas Energy", kind=Organisation.Kind.PARTICIPANT
    )
    project.participants.add(participant)
    project.sectoral_scopes.add(SectoralScope.objects.get(number=10))
    ExpectedReduction.objects.bulk_create(
        [ExpectedReduction(project=project, year=y, tonnes=120000) for y in (2008, 2009)]
    )
    wf.record(
        project,
        "track1_recorded",
        actor=None,
        label=host.name,
        to_status=Project.Status.FINAL,
        data={"reference": reference},
    )
    return project


@pytest.fixture
def both(cycle, ukraine):
    """Track 2 project 0001 (final through the JISC procedure) and Track 1 project UA1000001."""
    track2 = cycle.final()
    track1 = track1_project(ukraine, "UA1000001", "Coal mine methane at Zasyadko")
    return track1, track2


def many(host, n: int, start: int = 2) -> None:
    for i in range(n):
        track1_project(host, f"UA{1000000 + start + i}", f"Track 1 project {i}")


# --- API -------------------------------------------------------------------------------------


def test_api_list_carries_the_track_and_national_approval(anon, both):
    rows = {r["key"]: r for r in anon.get("/api/projects/").json()["results"]}
    assert set(rows) == {"UA1000001", "0001"}
    one, two = rows["UA1000001"], rows["0001"]
    assert one["track"] == "1" and two["track"] == "2"
    assert one["national_approval_reference"] == "Order 11000001 of the Ministry"
    assert one["national_guidelines"] == "National JI procedure, Cabinet resolution 206 (2008)"
    assert two["national_approval_reference"] is None and two["national_guidelines"] is None
    assert one["status"] == "final" and one["final_on"] == "2010-05-14"
    assert one["url"] == "http://testserver/api/projects/UA1000001/"


def test_api_list_filters_by_track(anon, both):
    def keys(query):
        r = anon.get(f"/api/projects/{query}")
        assert r.status_code == 200, r.content
        return [row["key"] for row in r.json()["results"]]

    assert sorted(keys("")) == ["0001", "UA1000001"]
    assert keys("?track=1") == ["UA1000001"]
    assert keys("?track=2") == ["0001"]
    assert keys("?track=1&host_party=jp") == []


@pytest.mark.parametrize("value", ["3", "one", "", "1,2", "0"])
def test_api_list_refuses_another_track(anon, both, value):
    r = anon.get("/api/projects/", {"track": value})
    if value == "":
        assert r.status_code == 200  # an empty filter is no filter
        return
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "invalid" and body["field"] == "track"
    assert "track" in body["errors"]


def test_api_detail_of_a_track1_project(anon, both):
    r = anon.get("/api/projects/UA1000001/")
    assert r.status_code == 200
    body = r.json()
    assert body["track"] == "1"
    assert body["national_approval_reference"] == "Order 11000001 of the Ministry"
    assert body["determination"] is None and body["review"] is None
    assert body["comments"] == [] and body["pdd_available_on"] is None
    assert anon.get("/api/projects/0001/").json()["track"] == "2"


def test_schema_documents_the_track(anon, db):
    schema = anon.get("/api/schema/?format=json").json()
    project = schema["components"]["schemas"]["Project"]["properties"]
    assert project["track"]["allOf"][0]["enum"] == ["1", "2"]
    assert "para 23" in project["track"]["description"]
    assert project["national_approval_reference"]["nullable"] is True
    params = {p["name"]: p for p in schema["paths"]["/api/projects/"]["get"]["parameters"]}
    assert params["track"]["schema"]["enum"] == ["1", "2"]


@pytest.mark.parametrize("n", [1, 20])
def test_api_list_query_count_with_both_tracks(
    anon, pp_api, cycle, ukraine, n, django_assert_max_num_queries
):
    for i in range(n):
        cycle.open(title=f"Track 2 project {i}")
    many(ukraine, n)
    for client in (anon, pp_api):
        for query in ("", "?track=1", "?track=2"):
            with django_assert_max_num_queries(8):
                r = client.get(f"/api/projects/{query}")
            assert r.json()["count"] == (2 * n if not query else n)


# --- the public registry's lists --------------------------------------------------------------


def test_registry_lists_show_the_track_and_filter_by_it(client, both):
    page = client.get("/registry/determinations-final/")
    assert page.status_code == 200
    listed = [project.reference for _row, project in page.context["rows"]]
    assert sorted(listed) == ["0001", "UA1000001"]
    text = page.content.decode()
    assert '<span class="badge badge-track1">Track 1</span>' in text
    assert '<span class="badge badge-track2">Track 2</span>' in text
    assert 'name="track"' in text
    one = client.get("/registry/determinations-final/?track=1")
    assert [p.reference for _r, p in one.context["rows"]] == ["UA1000001"]
    assert one.context["downloads"]["csv"] == (
        "/opendata/projects.csv?track=1&section=determinations-final"
    )
    two = client.get("/registry/determinations-final/?track=2")
    assert [p.reference for _r, p in two.context["rows"]] == ["0001"]
    bad = client.get("/registry/determinations-final/?track=7")
    assert bad.status_code == 400
    assert "There is no track 7 (1 or 2)." in bad.content.decode()


def test_registry_list_sorts_by_track(client, both):
    page = client.get("/registry/determinations-final/?sort=track")
    assert [p.reference for _r, p in page.context["rows"]] == ["UA1000001", "0001"]
    page = client.get("/registry/determinations-final/?sort=-track")
    assert [p.reference for _r, p in page.context["rows"]] == ["0001", "UA1000001"]


@pytest.mark.parametrize("n", [1, 25])
def test_registry_list_query_count_with_both_tracks(
    client, cycle, ukraine, n, django_assert_max_num_queries
):
    cycle.final()
    many(ukraine, n)
    for query in ("", "?track=1", "?track=2&sort=-track"):
        with django_assert_max_num_queries(10):
            r = client.get(f"/registry/determinations-final/{query}")
        assert r.status_code == 200


# --- open data and feeds ----------------------------------------------------------------------


def _body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_open_data_projects_carry_the_track(client, both):
    response = client.get("/opendata/projects.csv")
    assert response["X-Data-Dictionary-Version"] == "1.3"
    rows = list(csv.DictReader(io.StringIO(_body(response))))
    by_ref = {r["reference"]: r for r in rows}
    assert [r["reference"] for r in rows] == ["0001", "UA1000001"]
    assert by_ref["UA1000001"]["track"] == "1"
    assert by_ref["UA1000001"]["national_approval_reference"] == "Order 11000001 of the Ministry"
    assert by_ref["UA1000001"]["national_guidelines"].startswith("National JI procedure")
    assert by_ref["UA1000001"]["url"] == "http://testserver/projects/UA1000001/"
    assert by_ref["0001"]["track"] == "2"
    assert by_ref["0001"]["national_approval_reference"] == ""
    doc = json.loads(_body(client.get("/opendata/projects.json?track=1")))
    assert doc["version"] == "1.3" and doc["filters"] == {"track": "1"}
    assert [(r["reference"], r["track"]) for r in doc["rows"]] == [("UA1000001", "1")]
    bad = client.get("/opendata/projects.csv?track=x")
    assert bad.status_code == 400 and "track" in bad.json()["errors"]


@pytest.mark.parametrize("n", [1, 20])
def test_open_data_query_count_with_both_tracks(
    client, cycle, ukraine, n, django_assert_max_num_queries
):
    for i in range(n):
        cycle.open(title=f"Track 2 project {i}")
    many(ukraine, n)
    for query in ("", "?track=1", "?track=2"):
        with django_assert_max_num_queries(5):
            rows = list(
                csv.DictReader(io.StringIO(_body(client.get(f"/opendata/projects.csv{query}"))))
            )
        assert len(rows) == (2 * n if not query else n)
    with django_assert_max_num_queries(10):
        assert client.get("/opendata/?track=1").status_code == 200


def test_data_dictionary_documents_the_track(client, db):
    dictionary = client.get("/opendata/dictionary.json").json()
    assert dictionary["version"] == "1.3"
    projects = next(d for d in dictionary["datasets"] if d["name"] == "projects")
    fields = {f["name"]: f for f in projects["fields"]}
    assert fields["track"]["values"] == ["1", "2"]
    assert fields["track"]["source"] == "JI guidelines (decision 9/CMP.1 annex), paras 23 and 24"
    assert "national_approval_reference" in fields and "national_guidelines" in fields
    track = next(f for f in dictionary["filters"]["fields"] if f["name"] == "track")
    assert track["values"] == ["1", "2"]


def test_open_data_page_filters_by_track(client, both):
    page = client.get("/opendata/?track=1")
    assert page.status_code == 200
    assert [p.reference for p in page.context["page"].object_list] == ["UA1000001"]
    text = page.content.decode()
    assert '<option value="1" selected>Track 1</option>' in text
    assert '<span class="badge badge-track1">Track 1</span>' in text
    assert "/opendata/projects.csv?track=1" in text


def test_feeds_say_track1(client, both):
    feed = feedparser.parse(client.get("/feeds/").content)
    titles = {e.title: [t.term for t in e.tags] for e in feed.entries}
    one = (
        "Project approved and determined by the host Party (Track 1) — UA1000001 "
        "Coal mine methane at Zasyadko · Track 1"
    )
    assert titles[one] == ["track1_recorded", "track1"]
    assert any(
        title.endswith("0001 Landfill gas capture at Kyiv") and tags[-1] == "track2"
        for title, tags in titles.items()
    )
    project = feedparser.parse(client.get("/projects/UA1000001/feed/").content)
    assert project.feed.subtitle == "Public notices of JI Track 1 project UA1000001, newest first."
    assert [e.title for e in project.entries] == [one]
    two = feedparser.parse(client.get("/projects/0001/feed/").content)
    assert two.feed.subtitle == "Public notices of JI Track 2 project 0001, newest first."


# --- the project page --------------------------------------------------------------------------


@pytest.fixture
def recorded(cycle, ukraine):
    """Track 2 project 0001, final, and Track 1 project UA1000001 as Ukraine's focal point records
    it (``determinations.track1``) once Ukraine meets all six para 21 requirements."""
    track2 = cycle.final()
    Party.objects.filter(pk=ukraine.pk).update(
        national_system=True, inventory_submitted=True, supplementary_info=True
    )
    ukraine.refresh_from_db()
    dfp = UserFactory(username="ua_dfp", role=User.Role.PARTY, party=ukraine)
    track1_args = project_data(ukraine, title="Coal mine methane at Zasyadko") | {
        "reference": "UA1000001",
        "national_approval_reference": "Order 123 of the Ministry",
        "national_guidelines": "Resolution 206 of 22 February 2006",
        "determined_on": D(2009, 5, 4),
        "entity": "Bureau Veritas Certification",
        "report": pdf_upload("determination.pdf"),
    }
    return track1.record_project(dfp, **track1_args), track2


TRACK2_ONLY = (
    "PDD available",
    "Comments close",
    "Review window closes",
    "Deadlines calendar (.ics)",
    "Fee schedule",
    "Comment on this PDD",
    "Request a review",
    "Determination report F-JI-DRep (PDF)",
)


def test_track1_project_page_says_track1_and_hides_the_track2_steps(client, recorded):
    page = client.get("/projects/UA1000001/")
    assert page.status_code == 200
    text = html_text(page.content.decode())
    assert "Determination final Track 1" in text
    assert (
        "Track 1: Ukraine, meeting all the eligibility requirements, approved this project and "
        "verifies its emission reductions under its own national procedure; the JISC's "
        "verification procedure (public comments, fees, the 45-day period, reviews) does not "
        "apply (JI guidelines, decision 9/CMP.1 annex, para 23)."
    ) in text
    assert "National approvalOrder 123 of the Ministry" in text
    assert "National guidelines and proceduresResolution 206 of 22 February 2006" in text
    assert "Determined by the host Party4 May 2009" in text
    assert "The host Party's determination (PDF)" in text
    for words in TRACK2_ONLY:
        assert words not in text, words


def test_track2_project_page_keeps_its_steps(client, recorded):
    text = html_text(client.get("/projects/0001/").content.decode())
    assert (
        "Determination final Track 2" in text
        and "Track 1:" not in text
        and "National approval" not in text
    )
    for words in ("PDD available", "Review window closes", "Deadlines calendar (.ics)"):
        assert words in text, words
    assert "Fee schedule" in text and "Determination report F-JI-DRep (PDF)" in text


def test_track1_project_page_query_count(client, recorded, django_assert_max_num_queries):
    for key in ("UA1000001", "0001"):
        with django_assert_max_num_queries(10):
            assert client.get(f"/projects/{key}/").status_code == 200


# --- statistics --------------------------------------------------------------------------------


@pytest.fixture
def ledger(history, party_user, ukraine):
    """The registry's history (Track 2 project 0001: 30,000 t verified final 25 Mar 2012, 30,000
    ERUs issued 2 Apr 2012) and Track 1 project UA1000001 that Ukraine, now meeting all six para 21
    requirements, records on 1 Jun 2011: 45,000 t verified for 2009, 40,000 ERUs issued."""
    Party.objects.filter(pk=ukraine.pk).update(
        national_system=True, inventory_submitted=True, supplementary_info=True
    )
    ukraine.refresh_from_db()
    party_user.refresh_from_db()
    with on(2011, 6, 1):
        project = track1.record_project(
            party_user,
            **project_data(ukraine, title="Coal mine methane at Zasyadko"),
            reference="UA1000001",
            national_approval_reference="Order 123 of the Ministry",
            national_guidelines="Resolution 206 of 22 February 2006",
            determined_on=D(2009, 5, 4),
            entity="Bureau Veritas Certification",
            report=pdf_upload("determination.pdf"),
        )
        ver = track1.record_verification(
            party_user,
            project,
            period_start=D(2009, 1, 1),
            period_end=D(2009, 12, 31),
            verified={"2009": 45000},
            verified_on=D(2010, 3, 1),
            entity="Bureau Veritas Certification",
            report=pdf_upload("verification.pdf"),
        )
    with on(2012, 5, 2):
        issuance.issue_erus(party_user, ver, blocks=[{"serial_start": 30001, "serial_end": 70000}])
    return project


def _csv(client, name):
    response = client.get(f"/statistics/{name}.csv")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(_body(response))))


def test_statistics_count_projects_and_erus_per_track(client, ledger):
    assert _csv(client, "projects-and-erus-by-track") == [
        ["track", "track_label", "projects", "verified", "issued"],
        ["1", "Track 1", "1", "45000", "40000"],
        ["2", "Track 2", "1", "30000", "30000"],
    ]
    assert _csv(client, "erus-by-year-and-track") == [
        ["year", "track1_verified", "track1_issued", "track2_verified", "track2_issued"],
        ["2010", "45000", "0", "0", "0"],
        ["2012", "0", "40000", "30000", "30000"],
    ]
    # The table by host Party adds the tracks up; the Track 2 procedure's tables count Track 2.
    assert _csv(client, "erus-by-year-and-host-party")[1:] == [
        ["2010", "UA", "Ukraine", "45000", "0"],
        ["2012", "UA", "Ukraine", "30000", "70000"],
    ]
    assert _csv(client, "review-requests")[1:] == [["2011", "1", "1", "0", "0.0"]]
    assert [row[0] for row in _csv(client, "time-to-final-by-year")[1:]] == ["2011"]
    assert _csv(client, "projects-by-status")[1:] == [["final", "Determination final", "2"]]


def test_statistics_page_shows_the_tracks_side_by_side(
    client, ledger, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    with django_assert_max_num_queries(10):
        response = client.get("/statistics/")
    main = response.content.decode().split('<main id="main"', 1)[1]
    assert "Track 1 and Track 2 side by side" in main
    assert "ERUs issued by year, Track 1 and Track 2" in main
    assert main.count("<svg") == 9
    assert "1 project; 40,000 ERUs" in main and "1 project; 30,000 ERUs" in main
    assert (
        '<tr><td>Track 1</td><td class="num">1</td><td class="num">45,000</td>'
        '<td class="num">40,000</td></tr>'
    ) in main


def test_open_data_issuances_carry_the_track(client, ledger):
    rows = list(csv.DictReader(io.StringIO(_body(client.get("/opendata/issuances.csv")))))
    assert [(r["project_reference"], r["track"], r["quantity"]) for r in rows] == [
        ("0001", "2", "30000"),
        ("UA1000001", "1", "40000"),
    ]
    one = list(csv.DictReader(io.StringIO(_body(client.get("/opendata/issuances.csv?track=1")))))
    assert [(r["project_identifier"], r["serial_start"]) for r in one] == [
        ("JI-UA1000001", "30001")
    ]
    verifications = list(
        csv.DictReader(io.StringIO(_body(client.get("/opendata/verifications.csv?track=1"))))
    )
    assert [(r["project_reference"], r["verified_total"]) for r in verifications] == [
        ("UA1000001", "45000")
    ]
