"""Open data downloads: exact CSV and JSON for a small registry, the API list's filters, the data
dictionary against the real headers, streaming and a constant number of queries."""

import csv
import datetime as dt
import io
import json

import pytest
import time_machine
from django.utils import timezone

from determinations import issuance
from determinations import verification as vwf
from determinations.models import (
    EruBlock,
    EruIssuance,
    MonitoringReport,
    Verification,
)
from fees import services as fee_services
from projects import deadlines
from projects.models import Document, Party, Project, SectoralScope
from registry.filters import section_choices
from registry.opendata import DATASETS, TYPES, VERSION
from tests.factories import OrganisationFactory, pdf_upload
from tests.support import Cycle, at

pytestmark = pytest.mark.django_db


def body(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def csv_rows(client, url) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(body(response))))


def json_doc(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(body(response))


@pytest.fixture
def registry(cycle, japan, participant, aie_user, secretariat, party_user):
    """0001 Kyiv (UA) open for comments; 0002 Odesa (UA, Japan involved, two participants,
    scopes 1 and 2) final, verified and issued in two blocks, one later split by a transfer;
    0003 Hokkaido (JP) open. Not public: a draft and a PDD available tomorrow."""
    partner = OrganisationFactory(name="Azur Energy SA")
    with time_machine.travel(at(2008, 7, 29, 9), tick=False) as traveller:
        cycle.open()
        traveller.move_to(at(2011, 4, 16, 9))
        odesa = cycle.final(
            title="Wind farm at Odesa",
            parties_involved=[japan],
            participants=[partner],
            sectoral_scopes=list(SectoralScope.objects.filter(number__in=[2, 1])),
            methodology="ACM0002",
            baseline_approach=Project.Approach.CDM_METHODOLOGY,
            small_scale=True,
            expected={2011: 20000, 2012: 30001},
        )
        traveller.move_to(at(2011, 7, 1, 9))
        report = vwf.submit_monitoring_report(
            participant,
            odesa,
            period_start=dt.date(2011, 1, 1),
            period_end=dt.date(2011, 3, 31),
            aie=aie_user.organisation,
            claimed={2011: 10500},
            report=pdf_upload(),
        )
        ver = vwf.submit_verification(
            aie_user,
            report,
            verified={2011: 10000},
            findings="Meters calibrated.",
            conditions_hold=True,
            conditions_reasons="No changes.",
            no_overlap_declared=True,
        )
        # Small-scale: no advance (ji-rules §5), so the verification fee is paid in full.
        fee = odesa.fees.get(kind="verification")
        fee_services.record_payment(
            secretariat, fee.invoices.get(), amount=str(fee.amount_usd), reference="V1"
        )
        ver = vwf.publish_verification(secretariat, ver)
        vwf.deem_verification_final(ver.pk, ver.review_window_closes_at + dt.timedelta(seconds=1))
        traveller.move_to(at(2011, 8, 1, 10, 30))
        issuance.record_aau_holding(party_user, odesa.host_party, quantity=50000)
        issued = issuance.issue_erus(
            party_user,
            ver,
            blocks=[
                {"serial_start": 1001, "serial_end": 7000},
                {"serial_start": 9001, "serial_end": 13000},
            ],
        )
        traveller.move_to(at(2011, 9, 1, 10))
        head = issued.blocks.order_by("serial_start").first()
        issuance.transfer(party_user, head, quantity=1000, account="Azur holding account")
        traveller.move_to(at(2011, 10, 3, 9))
        Cycle(participant, aie_user, secretariat, japan).open(title="Wind farm at Hokkaido")
    cycle.draft(title="Hidden draft")
    cycle.open(available_on=timezone.localdate() + dt.timedelta(days=1), title="Not yet public")


PROJECTS_CSV = [
    [
        "reference",
        "title",
        "url",
        "track",
        "national_approval_reference",
        "national_guidelines",
        "status",
        "host_party_code",
        "host_party",
        "parties_involved",
        "participants",
        "aie",
        "sectoral_scopes",
        "small_scale",
        "poa",
        "baseline_approach",
        "methodology",
        "expected_annual_reductions",
        "crediting_start",
        "crediting_end",
        "pdd_available_on",
        "comments_close_at",
        "determination_available_on",
        "review_window_closes_at",
        "final_on",
        "withdrawn_at",
    ],
    [
        "0001",
        "Landfill gas capture at Kyiv",
        "http://testserver/projects/0001/",
        "2",
        "",
        "",
        "open_for_comments",
        "UA",
        "Ukraine",
        "",
        "Green Carbon Ltd",
        "Bureau Veritas Certification",
        "1",
        "false",
        "false",
        "ji_specific",
        "",
        "50000",
        "2008-01-01",
        "2012-12-31",
        "2008-07-29",
        "2008-08-27T17:00:00Z",
        "",
        "",
        "",
        "",
    ],
    [
        "0002",
        "Wind farm at Odesa",
        "http://testserver/projects/0002/",
        "2",
        "",
        "",
        "final",
        "UA",
        "Ukraine",
        "JP",
        "Azur Energy SA; Green Carbon Ltd",
        "Bureau Veritas Certification",
        "1; 2",
        "true",
        "false",
        "cdm_methodology",
        "ACM0002",
        "25001",
        "2008-01-01",
        "2012-12-31",
        "2011-04-16",
        "2011-05-15T17:00:00Z",
        "2011-04-16",
        "2011-05-30T17:00:00Z",
        "2011-05-30",
        "",
    ],
    [
        "0003",
        "Wind farm at Hokkaido",
        "http://testserver/projects/0003/",
        "2",
        "",
        "",
        "open_for_comments",
        "JP",
        "Japan",
        "",
        "Green Carbon Ltd",
        "Bureau Veritas Certification",
        "1",
        "false",
        "false",
        "ji_specific",
        "",
        "50000",
        "2008-01-01",
        "2012-12-31",
        "2011-10-03",
        "2011-11-01T17:00:00Z",
        "",
        "",
        "",
        "",
    ],
]


def test_projects_csv_exact(registry, client):
    assert csv_rows(client, "/opendata/projects.csv") == PROJECTS_CSV


def test_projects_json_exact(registry, client):
    doc = json_doc(client, "/opendata/projects.json")
    assert doc["version"] == VERSION == "1.3"
    assert doc["dataset"] == "projects"
    assert doc["dictionary"] == "http://testserver/opendata/dictionary.json"
    assert doc["filters"] == {}
    assert [r["reference"] for r in doc["rows"]] == ["0001", "0002", "0003"]
    assert doc["rows"][1] == {
        "reference": "0002",
        "title": "Wind farm at Odesa",
        "url": "http://testserver/projects/0002/",
        "track": "2",
        "national_approval_reference": "",
        "national_guidelines": "",
        "status": "final",
        "host_party_code": "UA",
        "host_party": "Ukraine",
        "parties_involved": ["JP"],
        "participants": ["Azur Energy SA", "Green Carbon Ltd"],
        "aie": "Bureau Veritas Certification",
        "sectoral_scopes": [1, 2],
        "small_scale": True,
        "poa": False,
        "baseline_approach": "cdm_methodology",
        "methodology": "ACM0002",
        "expected_annual_reductions": 25001,
        "crediting_start": "2008-01-01",
        "crediting_end": "2012-12-31",
        "pdd_available_on": "2011-04-16",
        "comments_close_at": "2011-05-15T17:00:00Z",
        "determination_available_on": "2011-04-16",
        "review_window_closes_at": "2011-05-30T17:00:00Z",
        "final_on": "2011-05-30",
        "withdrawn_at": None,
    }
    assert list(doc["rows"][0]) == PROJECTS_CSV[0]


def test_verifications_exact(registry, client):
    assert csv_rows(client, "/opendata/verifications.csv") == [
        [f.name for f in DATASETS["verifications"].fields],
        [
            "0002",
            "Wind farm at Odesa",
            "UA",
            "1",
            "Bureau Veritas Certification",
            "2011-01-01",
            "2011-03-31",
            "final",
            "2011:10000",
            "10000",
            "2011-07-01",
            "2011-07-15T17:00:00Z",
            "2011-07-15",
            "10000",
            "2",
        ],
    ]
    doc = json_doc(client, "/opendata/verifications.json")
    assert doc["version"] == "1.3"
    assert doc["rows"] == [
        {
            "project_reference": "0002",
            "project_title": "Wind farm at Odesa",
            "host_party_code": "UA",
            "number": 1,
            "aie": "Bureau Veritas Certification",
            "period_start": "2011-01-01",
            "period_end": "2011-03-31",
            "status": "final",
            "verified_by_year": {"2011": 10000},
            "verified_total": 10000,
            "available_on": "2011-07-01",
            "review_window_closes_at": "2011-07-15T17:00:00Z",
            "final_on": "2011-07-15",
            "erus_issued": 10000,
            "track": "2",
        }
    ]


def test_issuances_list_blocks_as_issued_not_the_splits(registry, client):
    first, second = EruBlock.objects.filter(parent__isnull=True).order_by("serial_start")
    assert EruBlock.objects.count() == 4  # the transfer split the first block in two
    rows = csv_rows(client, "/opendata/issuances.csv")
    assert rows == [
        [f.name for f in DATASETS["issuances"].fields],
        [
            str(first.pk),
            "2011-08-01T10:30:00Z",
            "0002",
            "JI-0002",
            "UA",
            "1",
            "ERU",
            "UA",
            "1001",
            "7000",
            "6000",
            "1",
            "2",
            "UA national registry",
        ],
        [
            str(second.pk),
            "2011-08-01T10:30:00Z",
            "0002",
            "JI-0002",
            "UA",
            "1",
            "ERU",
            "UA",
            "9001",
            "13000",
            "4000",
            "1",
            "2",
            "UA national registry",
        ],
    ]
    doc = json_doc(client, "/opendata/issuances.json")
    assert [(r["serial_start"], r["serial_end"], r["quantity"]) for r in doc["rows"]] == [
        (1001, 7000, 6000),
        (9001, 13000, 4000),
    ]
    assert sum(r["quantity"] for r in doc["rows"]) == Verification.objects.get().erus_issued


@pytest.mark.parametrize(
    "query, references",
    [
        ("", ["0001", "0002", "0003"]),
        ("?status=final", ["0002"]),
        ("?host_party=jp", ["0003"]),
        ("?host_party=UA&status=open_for_comments", ["0001"]),
        ("?q=wind", ["0002", "0003"]),
        ("?q=0003", ["0003"]),
        ("?aie=Bureau%20Veritas%20Certification", ["0001", "0002", "0003"]),
        ("?aie=Nobody", []),
        ("?host_party=FR", []),
    ],
)
def test_filters_are_the_api_lists(registry, client, query, references):
    got_csv = [row[0] for row in csv_rows(client, f"/opendata/projects.csv{query}")[1:]]
    got_json = [r["reference"] for r in json_doc(client, f"/opendata/projects.json{query}")["rows"]]
    api = client.get(f"/api/projects/{query}").json()
    got_api = sorted(p["reference"] for p in api["results"])
    assert got_csv == got_json == got_api == references
    page = client.get(f"/opendata/{query}")
    assert page.status_code == 200
    assert [p.reference for p in page.context["page"].object_list] == references


def test_filters_select_the_projects_of_verifications_and_issuances(registry, client):
    assert csv_rows(client, "/opendata/verifications.csv?host_party=JP")[1:] == []
    assert len(csv_rows(client, "/opendata/verifications.csv?q=odesa")) == 2
    assert json_doc(client, "/opendata/issuances.json?status=open_for_comments")["rows"] == []
    doc = json_doc(client, "/opendata/issuances.json?status=final")
    assert doc["filters"] == {"status": "final"} and len(doc["rows"]) == 2


def test_invalid_filter_is_a_400_with_reasons(registry, client):
    for url in ("/opendata/projects.csv?status=bogus", "/opendata/issuances.json?status=x"):
        response = client.get(url)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert "status" in response.json()["errors"]
    assert client.get("/api/projects/?status=bogus").status_code == 400
    page = client.get("/opendata/?status=bogus")
    assert page.status_code == 400
    assert "Select a valid choice" in page.content.decode()


def test_unpublished_projects_never_appear(registry, client):
    for name in DATASETS:
        for fmt in ("csv", "json"):
            text = body(client.get(f"/opendata/{name}.{fmt}"))
            assert "Hidden draft" not in text and "Not yet public" not in text


def test_unknown_dataset_is_404(client, db):
    assert client.get("/opendata/invoices.csv").status_code == 404
    assert client.get("/opendata/payments.json").status_code == 404


def test_every_download_carries_the_dictionary_version(registry, client):
    for name in DATASETS:
        for fmt in ("csv", "json"):
            response = client.get(f"/opendata/{name}.{fmt}")
            assert response["X-Data-Dictionary-Version"] == "1.3"
            assert response["Link"] == (
                '<http://testserver/opendata/dictionary.json>; rel="describedby"'
            )
            if fmt == "json":
                assert json.loads(body(response))["version"] == "1.3"
        assert client.get(f"/opendata/{name}.csv")["Content-Disposition"] == (
            f'attachment; filename="jitrack-{name}.csv"'
        )


def test_dictionary_lists_every_column_of_every_download(registry, client):
    dictionary = client.get("/opendata/dictionary.json").json()
    assert dictionary["version"] == "1.3"
    datasets = {d["name"]: d for d in dictionary["datasets"]}
    assert set(datasets) == {"projects", "verifications", "issuances", "components"}
    for name, spec in datasets.items():
        fields = [f["name"] for f in spec["fields"]]
        assert csv_rows(client, f"/opendata/{name}.csv")[0] == fields, name
        for row in json_doc(client, f"/opendata/{name}.json")["rows"]:
            assert list(row) == fields, name
        for field in spec["fields"]:
            assert field["type"] in TYPES, field
            assert field["meaning"] and field["source"], field
        assert spec["downloads"] == {
            "csv": f"http://testserver/opendata/{name}.csv",
            "json": f"http://testserver/opendata/{name}.json",
        }
    assert [f["name"] for f in dictionary["filters"]["fields"]] == [
        "status",
        "track",
        "host_party",
        "aie",
        "q",
        "scope",
        "section",
        "from",
        "to",
    ]
    [section] = [f for f in dictionary["filters"]["fields"] if f["name"] == "section"]
    assert section["values"] == [slug for slug, _ in section_choices()]
    for table in dictionary["statistics"]:
        response = client.get(table["downloads"]["csv"].removeprefix("http://testserver"))
        assert response.status_code == 200
        assert response["X-Data-Dictionary-Version"] == "1.3"
        header = next(csv.reader(io.StringIO(body(response))))
        assert header == [f["name"] for f in table["fields"]], table["name"]
        assert all(f["type"] in TYPES and f["source"] for f in table["fields"])


def test_opendata_page_shows_the_dictionary_and_filtered_links(registry, client):
    response = client.get("/opendata/?host_party=UA")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Data dictionary, version 1.3" in text
    assert 'href="http://testserver/opendata/projects.csv?host_party=UA"' in text
    assert 'href="http://testserver/opendata/issuances.json?host_party=UA"' in text
    for spec in DATASETS.values():
        for field in spec.fields:
            assert f"<code>{field.name}</code>" in text
    assert "<script" not in text.split("</head>")[1]


def test_the_dictionary_states_the_csv_rules_the_downloads_follow(registry, client):
    """Version 1.2: the rules of every CSV, as written (``jitrack.streaming.csv_value``)."""
    Project.objects.filter(reference="0001").update(title="=HYPERLINK(1)")
    Project.objects.filter(reference="0003").update(title="-12.5")
    rules = client.get("/opendata/dictionary.json").json()["csv"]
    assert set(rules) == {"format", "empty", "formulas"}
    assert "RFC 4180" in rules["format"] and "CR LF" in rules["format"]
    assert "starts with =, +, -, @, a tab or a carriage return" in rules["formulas"]
    assert "one apostrophe (') in front" in rules["formulas"]
    raw = body(client.get("/opendata/projects.csv"))
    assert raw.endswith("\r\n") and "\r\n" in raw.split("\n", 1)[0] + "\n"
    titles = {row[0]: row[1] for row in csv.reader(io.StringIO(raw))}
    assert titles["0001"] == "'=HYPERLINK(1)"  # text that a spreadsheet would run
    assert titles["0003"] == "-12.5"  # a plain number keeps no apostrophe
    page = client.get("/opendata/").content.decode()
    assert "one apostrophe (&#x27;) in front" in page


def publish_many(n: int, start: int = 1) -> None:
    """``n`` final projects straight in the database, each with m2m values, a verification and
    an issued block (list fixtures only)."""
    ukraine, japan = Party.objects.get(code="UA"), Party.objects.get(code="JP")
    org = OrganisationFactory(name=f"Bulk Ltd {start}")
    scope = SectoralScope.objects.get(number=1)
    today = timezone.localdate()
    available = today - dt.timedelta(days=100)
    for i in range(start, start + n):
        project = Project.objects.create(
            title=f"Bulk project {i}",
            reference=f"{i:04d}",
            host_party=ukraine,
            status=Project.Status.FINAL,
            pdd_available_on=available,
            comments_close_at=deadlines.comments_close_at(available),
            final_on=today,
        )
        project.participants.add(org)
        project.parties_involved.add(japan)
        project.sectoral_scopes.add(scope)
        doc = Document.objects.create(
            project=project,
            kind="monitoring_report",
            title="MR",
            file="x.pdf",
            filename="x.pdf",
            sha256="0" * 64,
            size=1,
        )
        report = MonitoringReport.objects.create(
            project=project,
            number=1,
            period_start=dt.date(2011, 1, 1),
            period_end=dt.date(2011, 3, 31),
            aie=org,
            report=doc,
            status="verified",
        )
        ver = Verification.objects.create(
            project=project,
            number=1,
            monitoring_report=report,
            aie=org,
            status="final",
            verified={"2011": 10},
            verified_total=10,
            erus_issued=10,
            findings="ok",
            available_on=available,
            review_window_closes_at=deadlines.period_end(available, 15),
            final_on=available + dt.timedelta(days=15),
        )
        iss = EruIssuance.objects.create(verification=ver, party=ukraine, quantity=10)
        EruBlock.objects.create(
            issuance=iss,
            originating_party=ukraine,
            serial_start=i * 100,
            serial_end=i * 100 + 9,
            project_identifier=f"JI-{i:04d}",
            account="UA registry",
        )


@pytest.mark.parametrize("n", [1, 30])
def test_download_query_count_is_constant(
    ukraine, japan, scopes, client, django_assert_max_num_queries, n
):
    publish_many(n)
    for name in DATASETS:
        for fmt in ("csv", "json"):
            with django_assert_max_num_queries(4):
                response = client.get(f"/opendata/{name}.{fmt}?host_party=UA")
                lines = body(response)
            rows = lines.count("\n") - 1 if fmt == "csv" else len(json.loads(lines)["rows"])
            # the bulk projects are no programmes: they have no component rows
            assert rows == (0 if name == "components" else n), (name, fmt)
    with django_assert_max_num_queries(10):
        assert client.get("/opendata/?host_party=UA").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/opendata/dictionary.json").status_code == 200


def test_opendata_page_paginates(ukraine, japan, scopes, client):
    publish_many(21)
    first = client.get("/opendata/?q=Bulk")
    assert [p.reference for p in first.context["page"].object_list][-1] == "0020"
    assert 'href="?q=Bulk&amp;page=2"' in first.content.decode()
    second = client.get("/opendata/?q=Bulk&page=2")
    assert [p.reference for p in second.context["page"].object_list] == ["0021"]
