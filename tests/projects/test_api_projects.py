"""Creating and editing projects, documents and approvals through the API, and their refusals."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.models import Document, Event, LetterOfApproval, Project
from tests.factories import OrganisationFactory, pdf_bytes, pdf_upload
from tests.support import assert_error, create_body

pytestmark = pytest.mark.django_db


# --- create --------------------------------------------------------------------------------


def test_create_project_returns_the_draft(pp_api, participant, ukraine, japan, scopes):
    partner = OrganisationFactory(name="Kyiv Utilities")
    r = pp_api.post(
        "/api/projects/",
        create_body(
            host_party="ua",
            parties_involved=["JP"],
            participants=["kyiv utilities"],
            sectoral_scopes=[13, 1],
        ),
        format="json",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    project = Project.objects.get()
    assert body["key"] == f"P{project.pk}"
    assert body["host_party"] == "UA"
    assert body["parties_involved"] == ["JP"]
    assert body["participants"] == ["Green Carbon Ltd", "Kyiv Utilities"]
    assert body["sectoral_scopes"] == [1, 13]
    assert body["expected_reductions"] == [
        {"year": 2009, "tonnes": 50000},
        {"year": 2010, "tonnes": 60000},
    ]
    assert body["expected_annual_reductions"] == 55000
    assert body["aie"] is None
    assert body["withdrawn"] is False
    assert set(project.participants.all()) == {participant.organisation, partner}


def test_create_project_participant_by_id(pp_api, ukraine, scopes):
    partner = OrganisationFactory(name="Kyiv Utilities")
    r = pp_api.post("/api/projects/", create_body(participants=[partner.pk]), format="json")
    assert r.json()["participants"] == ["Green Carbon Ltd", "Kyiv Utilities"]


BAD_CREATE = [
    ({"title": ""}, "title"),
    ({"title": None}, "title"),
    ({"host_party": "ZZ"}, "host_party"),
    ({"host_party": 12}, "host_party"),
    ({"host_party": "Ukraine"}, "host_party"),
    ({"parties_involved": ["ZZ"]}, "parties_involved"),
    ({"parties_involved": "JP"}, "parties_involved"),
    ({"sectoral_scopes": [99]}, "sectoral_scopes"),
    ({"sectoral_scopes": [16]}, "sectoral_scopes"),
    ({"sectoral_scopes": ["abc"]}, "sectoral_scopes"),
    ({"sectoral_scopes": [10**30]}, "sectoral_scopes"),
    ({"sectoral_scopes": []}, "sectoral_scopes"),
    ({"participants": ["No Such Ltd"]}, "participants"),
    ({"participants": [10**30]}, "participants"),
    ({"participants": [{"id": 1}]}, "participants"),
    ({"expected_reductions": []}, "expected_reductions"),
    ({"expected_reductions": [{"year": 2009, "tonnes": "many"}]}, "expected_reductions"),
    ({"expected_reductions": [{"year": 2009, "tonnes": -5}]}, "expected_reductions"),
    ({"expected_reductions": [{"year": 2009, "tonnes": 10**30}]}, "expected_reductions"),
    ({"expected_reductions": [{"year": 2009, "tonnes": 1.5}]}, "expected_reductions"),
    ({"expected_reductions": [{"year": 1999, "tonnes": 5}]}, "expected_reductions"),
    ({"expected_reductions": [{"year": "next", "tonnes": 5}]}, "expected_reductions"),
    (
        {"expected_reductions": [{"year": 2009, "tonnes": 1}, {"year": 2009, "tonnes": 2}]},
        "expected_reductions",
    ),
    ({"expected_reductions": {"2009": 5}}, "expected_reductions"),
    ({"crediting_start": "2010-13-45"}, "crediting_start"),
    ({"crediting_start": "yesterday"}, "crediting_start"),
    ({"crediting_start": "2012-01-01", "crediting_end": "2010-01-01"}, "crediting_end"),
    ({"baseline_approach": "magic"}, "baseline_approach"),
    ({"baseline_approach": "cdm_methodology", "methodology": ""}, "methodology"),
    ({"parties_involved": ["UA"]}, "parties_involved"),
    ({"small_scale": "perhaps"}, "small_scale"),
]


@pytest.mark.parametrize("override,field", BAD_CREATE)
def test_create_project_invalid_input_is_400_and_changes_nothing(
    pp_api, ukraine, scopes, override, field
):
    r = pp_api.post("/api/projects/", create_body(**override), format="json")
    # The domain names a missing methodology "required"; everything else is "invalid".
    assert_error(r, 400, "required" if field == "methodology" else "invalid", field)
    assert Project.objects.count() == 0
    assert Event.objects.count() == 0


def test_create_project_missing_field_named(pp_api, ukraine, scopes):
    body = create_body()
    del body["host_party"]
    r = pp_api.post("/api/projects/", body, format="json")
    assert r.json() == {
        "code": "invalid",
        "detail": "host_party: This field is required.",
        "field": "host_party",
        "errors": {"host_party": ["This field is required."]},
    }


def test_create_project_participant_organisation_must_be_a_participant(
    pp_api, aie_org, ukraine, scopes
):
    r = pp_api.post("/api/projects/", create_body(participants=[aie_org.name]), format="json")
    assert_error(r, 400, "invalid", "participants")


@pytest.mark.parametrize(
    "payload,content_type",
    [
        ('{"title": "x",', "application/json"),
        ("not json at all", "application/json"),
        ("\xff\xfe", "application/json"),
    ],
)
def test_create_project_malformed_json_is_400(pp_api, ukraine, scopes, payload, content_type):
    r = pp_api.generic("POST", "/api/projects/", payload.encode("latin-1"), content_type)
    assert_error(r, 400, "parse_error")
    assert Project.objects.count() == 0


@pytest.mark.parametrize("payload", ["[1, 2]", '"a string"', "null", "42"])
def test_create_project_non_object_json_is_400(pp_api, ukraine, scopes, payload):
    r = pp_api.generic("POST", "/api/projects/", payload, "application/json")
    assert_error(r, 400, "invalid")


def test_create_project_unsupported_media_type_is_415(pp_api, ukraine, scopes):
    r = pp_api.generic("POST", "/api/projects/", "title=x", "text/plain")
    assert_error(r, 415, "unsupported_media_type")


def test_create_project_unknown_keys_are_ignored(pp_api, ukraine, scopes):
    r = pp_api.post(
        "/api/projects/",
        create_body(status="final", reference="0001", aie="Someone"),
        format="json",
    )
    assert r.status_code == 201
    assert (r.json()["status"], r.json()["reference"], r.json()["aie"]) == ("draft", None, None)


@pytest.mark.parametrize("client", ["aie_api", "sec_api"])
def test_create_project_refused_for_other_roles(request, client, ukraine, scopes):
    r = request.getfixturevalue(client).post("/api/projects/", create_body(), format="json")
    assert_error(r, 403, "forbidden")
    assert Project.objects.count() == 0


# --- update -------------------------------------------------------------------------------


def test_patch_project_in_draft(pp_api, cycle):
    project = cycle.draft()
    r = pp_api.patch(
        f"/api/projects/{project.key}/",
        {
            "title": "Kyiv landfill gas, phase 2",
            "expected_reductions": [{"year": 2011, "tonnes": 7}],
        },
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert r.json()["title"] == "Kyiv landfill gas, phase 2"
    assert r.json()["expected_reductions"] == [{"year": 2011, "tonnes": 7}]
    assert r.json()["expected_annual_reductions"] == 7
    assert r.json()["sectoral_scopes"] == [1]


def test_post_update_is_the_same_as_patch(pp_api, cycle):
    project = cycle.engaged()
    r = pp_api.post(
        f"/api/projects/{project.key}/update/",
        {"small_scale": True, "small_scale_type": "I", "small_scale_figure": "12.5"},
        format="json",
    )
    assert r.status_code == 200
    assert r.json()["small_scale"] is True
    assert r.json()["title"] == "Landfill gas capture at Kyiv"


def test_patch_published_project_is_409(pp_api, cycle):
    cycle.open()
    r = pp_api.patch("/api/projects/0001/", {"title": "Changed"}, format="json")
    assert_error(r, 409, "wrong_status")
    assert Project.objects.get().title == "Landfill gas capture at Kyiv"


def test_patch_invalid_value_is_400(pp_api, cycle):
    project = cycle.draft()
    r = pp_api.patch(f"/api/projects/{project.key}/", {"host_party": "ZZ"}, format="json")
    assert_error(r, 400, "invalid", "host_party")


def test_patch_by_another_participant(other_pp_api, cycle):
    draft = cycle.draft()
    assert_error(
        other_pp_api.patch(f"/api/projects/{draft.key}/", {"title": "x"}), 404, "not_found"
    )
    cycle.open()
    assert_error(other_pp_api.patch("/api/projects/0001/", {"title": "x"}), 403, "forbidden")


def test_patch_anonymous_is_401(anon, cycle):
    cycle.open()
    assert anon.patch("/api/projects/0001/", {"title": "x"}, format="json").status_code == 401


# --- documents ------------------------------------------------------------------------------


def test_upload_document(pp_api, cycle):
    project = cycle.draft()
    r = pp_api.post(
        f"/api/projects/{project.key}/documents/",
        {
            "kind": "supporting",
            "title": "Financial model",
            "file": pdf_upload(),
            "confidential": True,
        },
        format="multipart",
    )
    assert r.status_code == 201, r.json()
    doc = Document.objects.get()
    assert r.json() == {
        "id": doc.pk,
        "kind": "supporting",
        "title": "Financial model",
        "version": 1,
        "filename": "pdd.pdf",
        "sha256": doc.sha256,
        "size": len(pdf_bytes()),
        "confidential": True,
        "published_at": None,
        "uploaded_at": r.json()["uploaded_at"],
        "status": "current",
        "status_reason": "",
        "superseded_by": None,
        "download_url": f"http://testserver/api/documents/{doc.pk}/download/",
    }


def test_upload_second_pdd_is_version_2(pp_api, cycle):
    project = cycle.engaged()
    r = pp_api.post(
        f"/api/projects/{project.key}/documents/",
        {"kind": "pdd", "title": "PDD", "file": pdf_upload()},
        format="multipart",
    )
    assert r.json()["version"] == 2


def test_upload_not_a_pdf_is_400(pp_api, cycle):
    project = cycle.draft()
    fake = SimpleUploadedFile("pdd.pdf", b"MZ\x90\x00 this is an executable", "application/pdf")
    r = pp_api.post(
        f"/api/projects/{project.key}/documents/",
        {"kind": "pdd", "title": "PDD", "file": fake},
        format="multipart",
    )
    assert_error(r, 400, "not_a_pdf", "file")
    assert Document.objects.count() == 0


def test_upload_too_large_is_400(pp_api, cycle, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    project = cycle.draft()
    big = SimpleUploadedFile("pdd.pdf", pdf_bytes("x" * 2000), "application/pdf")
    r = pp_api.post(
        f"/api/projects/{project.key}/documents/",
        {"kind": "pdd", "title": "PDD", "file": big},
        format="multipart",
    )
    assert_error(r, 400, "file_too_large", "file")
    assert Document.objects.count() == 0


def test_upload_empty_file_is_400(pp_api, cycle):
    project = cycle.draft()
    empty = SimpleUploadedFile("pdd.pdf", b"", "application/pdf")
    r = pp_api.post(
        f"/api/projects/{project.key}/documents/",
        {"kind": "pdd", "title": "PDD", "file": empty},
        format="multipart",
    )
    assert_error(r, 400, "file_empty", "file")


@pytest.mark.parametrize(
    "data,field",
    [
        ({"kind": "pdd", "title": "PDD"}, "file"),
        ({"kind": "memo", "title": "x", "file": "upload"}, "kind"),
        ({"kind": "determination_report", "title": "x", "file": "upload"}, "kind"),
        ({"kind": "pdd", "title": "x", "file": "not a file"}, "file"),
        ({"kind": "pdd", "title": "x", "file": "upload", "confidential": "maybe"}, "confidential"),
    ],
)
def test_upload_invalid_fields_is_400(pp_api, cycle, data, field):
    project = cycle.draft()
    if data.get("file") == "upload":
        data["file"] = pdf_upload()
    r = pp_api.post(f"/api/projects/{project.key}/documents/", data, format="multipart")
    assert_error(r, 400, "invalid", field)
    assert Document.objects.count() == 0


def test_upload_confidential_pdd_is_refused(pp_api, cycle):
    project = cycle.draft()
    r = pp_api.post(
        f"/api/projects/{project.key}/documents/",
        {"kind": "pdd", "title": "PDD", "file": pdf_upload(), "confidential": True},
        format="multipart",
    )
    assert_error(r, 400, "cannot_be_confidential", "confidential")


def test_upload_as_json_is_415(pp_api, cycle):
    project = cycle.draft()
    r = pp_api.post(f"/api/projects/{project.key}/documents/", {"kind": "pdd"}, format="json")
    assert_error(r, 415, "unsupported_media_type")


def test_upload_after_publication_is_409(pp_api, cycle):
    cycle.open()
    r = pp_api.post(
        "/api/projects/0001/documents/",
        {"kind": "supporting", "title": "Late", "file": pdf_upload()},
        format="multipart",
    )
    assert_error(r, 409, "wrong_status")


def test_upload_by_the_aie_is_403(aie_api, cycle):
    project = cycle.engaged()
    r = aie_api.post(
        f"/api/projects/{project.key}/documents/",
        {"kind": "supporting", "title": "x", "file": pdf_upload()},
        format="multipart",
    )
    assert_error(r, 403, "forbidden")


# --- approvals ------------------------------------------------------------------------------


def test_record_approval_with_letter(pp_api, cycle, japan):
    project = cycle.draft(parties_involved=[japan])
    r = pp_api.post(
        f"/api/projects/{project.key}/approvals/",
        {"party": "JP", "issued_on": "2009-05-01", "reference": "JP-LoA-3", "file": pdf_upload()},
        format="multipart",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["party"], body["issued_on"], body["reference"]) == ("JP", "2009-05-01", "JP-LoA-3")
    assert body["document"]["kind"] == "approval"


@pytest.mark.parametrize(
    "data,status,code,field",
    [
        ({"party": "ZZ", "issued_on": "2009-05-01"}, 400, "invalid", "party"),
        ({"party": "JP", "issued_on": "2009-05-01"}, 400, "invalid", "party"),
        ({"party": "UA", "issued_on": "2009-02-30"}, 400, "invalid", "issued_on"),
        ({"party": "UA"}, 400, "invalid", "issued_on"),
        ({"party": "UA", "issued_on": "2999-01-01"}, 400, "invalid", "issued_on"),
        (
            {"party": "UA", "issued_on": "2009-05-01", "reference": "x" * 121},
            400,
            "invalid",
            "reference",
        ),
    ],
)
def test_record_approval_refused(pp_api, cycle, japan, data, status, code, field):
    project = cycle.draft()
    r = pp_api.post(f"/api/projects/{project.key}/approvals/", data, format="json")
    assert_error(r, status, code, field)
    assert LetterOfApproval.objects.count() == 0


def test_record_approval_twice_is_409(pp_api, cycle):
    project = cycle.draft()
    body = {"party": "UA", "issued_on": "2009-05-01"}
    assert pp_api.post(f"/api/projects/{project.key}/approvals/", body).status_code == 201
    assert_error(pp_api.post(f"/api/projects/{project.key}/approvals/", body), 409, "duplicate")


def test_record_approval_with_a_non_pdf_is_400(pp_api, cycle):
    project = cycle.draft()
    fake = SimpleUploadedFile("loa.pdf", b"<html>letter</html>", "application/pdf")
    r = pp_api.post(
        f"/api/projects/{project.key}/approvals/",
        {"party": "UA", "issued_on": "2009-05-01", "file": fake},
        format="multipart",
    )
    assert_error(r, 400, "not_a_pdf", "file")
    assert LetterOfApproval.objects.count() == 0


def test_record_approval_dated_today_is_accepted(pp_api, cycle):
    project = cycle.draft()
    today = dt.date.today().isoformat()
    r = pp_api.post(f"/api/projects/{project.key}/approvals/", {"party": "UA", "issued_on": today})
    assert r.status_code == 201
