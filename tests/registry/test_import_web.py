"""The secretariat's import page: /projects/import/."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from projects.models import Event, Organisation, Project
from tests.factories import pdf_bytes
from tests.support import csv_text, row

URL = "/projects/import/"


def upload(text: str | bytes, name: str = "projects.csv") -> dict:
    data = text.encode() if isinstance(text, str) else text
    return {"file": SimpleUploadedFile(name, data, content_type="text/csv")}


@pytest.fixture
def sec_client(client, secretariat):
    client.force_login(secretariat)
    return client


@pytest.fixture
def good_file(ukraine, japan, scopes) -> str:
    return csv_text(
        row(reference="0001"),
        row(reference="0002", determination_available_on="2009-01-05"),
    )


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={URL}"


@pytest.mark.parametrize("who", ["participant", "aie_user", "party_user", "jisc_user"])
def test_others_are_refused(client, request, who, good_file):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    response = client.post(URL, upload(good_file))
    assert response.status_code == 403
    assert Project.objects.count() == 0


def test_secretariat_sees_the_form_and_the_columns(sec_client):
    response = sec_client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'type="file"' in body
    assert "<code>determination_available_on</code>" in body


def test_secretariat_imports_a_file_and_sees_the_summary(sec_client, good_file):
    response = sec_client.post(URL, upload(good_file))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Created 2, unchanged 0." in body
    assert '<a href="/projects/0001/">0001</a>' in body
    assert "New historical organisations: Bureau Veritas Certification, Green Carbon Ltd" in body
    assert Project.objects.get(reference="0002").status == "final"
    again = sec_client.post(URL, upload(good_file))
    assert again.status_code == 200
    assert "Created 0, unchanged 2." in again.content.decode()
    assert Project.objects.count() == 2


def test_imported_project_page_shows_the_history(sec_client, client, good_file):
    sec_client.post(URL, upload(good_file))
    client.logout()
    response = client.get("/projects/0002/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Imported from earlier records" in body
    assert "Determination final" in body


def test_error_report_lists_every_bad_row_and_writes_nothing(sec_client, good_file):
    text = (
        good_file
        + csv_text(
            row(reference="0003", host_party="XX"),
            row(reference="0004", final_on="2008-01-01"),
        ).split("\n", 1)[1]
    )
    response = sec_client.post(URL, upload(text))
    assert response.status_code == 400
    body = response.content.decode()
    assert "The file was rejected and nothing was imported." in body
    assert '<td class="num">4</td><td>host_party</td><td>unknown Party code XX</td>' in body
    assert (
        '<td class="num">5</td><td>final_on</td><td>a final determination needs '
        "determination_available_on</td>"
    ) in body
    assert Project.objects.count() == 0
    assert Event.objects.count() == 0
    assert Organisation.objects.count() == 0


def test_wrong_column_set_is_reported(sec_client, good_file):
    response = sec_client.post(URL, upload("reference;title\n0001;Wind\n"))
    assert response.status_code == 400
    assert "wrong column set (missing columns: reference, title, host_party" in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        # A real PDF carries a comment of high bytes on its second line.
        (pdf_bytes().replace(b"\n", b"\n%\xe2\xe3\xcf\xd3\n", 1), "the file is not UTF-8 text"),
        (pdf_bytes(), "wrong column set"),
        ("Résumé".encode("latin-1"), "the file is not UTF-8 text"),
        (b"\x00\x01\x02", "wrong column set"),
        (b"", "The submitted file is empty."),
    ],
)
def test_a_file_that_is_not_a_utf8_csv_is_a_clear_error(sec_client, db, data, reason):
    response = sec_client.post(URL, upload(data, name="projects.pdf"))
    assert response.status_code == 400
    assert reason in response.content.decode()


def test_posting_without_a_file_is_a_form_error(sec_client):
    response = sec_client.post(URL, {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_imported_projects_render_in_every_status(sec_client, ukraine, japan, scopes):
    """Imported projects have no documents, determination row or engagement; pages still work."""
    anonymous = Client()
    rows = [
        row(reference="0001", pdd_available_on="2026-03-10"),
        row(reference="0002", pdd_available_on="2026-01-05"),
        row(
            reference="0003", pdd_available_on="2026-01-05", determination_available_on="2026-03-01"
        ),
        row(
            reference="0004",
            pdd_available_on="2026-01-05",
            determination_available_on="2026-02-10",
            review_requested_on="2026-03-01",
        ),
        row(reference="0005", withdrawn_on="2008-09-01", participants="", aie=""),
    ]
    with time_machine.travel(dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC), tick=False):
        assert sec_client.post(URL, upload(csv_text(*rows))).status_code == 200
        statuses = dict(Project.objects.values_list("reference", "status"))
        assert statuses == {
            "0001": "open_for_comments",
            "0002": "comments_closed",
            "0003": "determination_published",
            "0004": "under_review",
            "0005": "withdrawn",
        }
        for reference in statuses:
            assert sec_client.get(f"/projects/{reference}/").status_code == 200
            assert anonymous.get(f"/projects/{reference}/").status_code == 200
        assert sec_client.get("/dashboard/").status_code == 200
