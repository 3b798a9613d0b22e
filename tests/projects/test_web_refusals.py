"""Every refusal: a message on the form, the error's HTTP status, and nothing changed."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from determinations.models import Determination
from fees.models import FeeAssessment
from projects import workflow as wf
from projects.models import Comment, Document, Engagement, Event, Project
from tests.factories import AIEFactory, pdf_upload
from tests.support import FINDINGS_POST, payment_body

COMMENT = {
    "name": "Olena",
    "affiliation": "",
    "category": "party",
    "email": "olena@example.ua",
    "text": "Late comment.",
}


def snapshot(project: Project) -> tuple:
    project.refresh_from_db()
    return (project.status, project.events.count(), project.documents.count())


def test_anonymous_actions_redirect_to_login(client, cycle):
    project = cycle.submitted()
    response = client.post(f"/projects/{project.key}/check-pdd/", {"decision": "accept"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert snapshot(project)[0] == "pdd_submitted"


@pytest.mark.parametrize(
    ("user_fixture", "path", "data", "status"),
    [
        ("participant", "check-pdd/", {"decision": "accept"}, 403),
        ("aie_user", "check-pdd/", {"decision": "accept"}, 403),
        # The PDD is not public yet: a JISC member may not know the project exists.
        ("jisc_user", "check-pdd/", {"decision": "accept"}, 404),
        ("secretariat", "submit-pdd/", {}, 403),
        ("secretariat", "withdraw/", {"reason": "x", "confirm": "on"}, 403),
        ("aie_user", "withdraw/", {"reason": "x", "confirm": "on"}, 403),
    ],
)
def test_wrong_role_is_refused(client, cycle, request, user_fixture, path, data, status):
    project = cycle.submitted()
    before = snapshot(project)
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.post(f"/projects/{project.key}/{path}", data)
    assert response.status_code == status
    assert ("Not allowed" if status == 403 else "Not found") in response.content.decode()
    assert snapshot(project) == before


def test_other_organisation_cannot_act_on_a_public_project(
    client, cycle, other_participant, other_aie_user
):
    project = cycle.open()
    before = snapshot(project)
    client.force_login(other_participant)
    for path in ("edit/", "documents/", "approvals/", "withdraw/", "change-aie/", "engage/"):
        assert client.post(f"/projects/{project.key}/{path}", {}).status_code == 403
    client.force_login(other_aie_user)
    comment = wf.add_comment(project, **COMMENT | {"text": "On time."})
    response = client.post(
        f"/projects/{project.key}/comments/{comment.pk}/answer/", {"answer": "Mine."}
    )
    assert response.status_code == 403
    assert Comment.objects.get().answer == ""
    assert client.post(f"/projects/{project.key}/determination/", FINDINGS_POST).status_code == 403
    assert snapshot(project)[0] == before[0]


def test_actions_on_an_invisible_project_are_404(client, cycle, other_participant):
    project = cycle.draft()
    client.force_login(other_participant)
    for path in ("", "edit/", "documents/", "withdraw/", "engage/"):
        assert client.post(f"/projects/{project.key}/{path}", {}).status_code in (404, 405)
        assert client.get(f"/projects/{project.key}/{path}").status_code == 404


def test_non_participant_cannot_create_projects(client, aie_user, ukraine, scopes):
    client.force_login(aie_user)
    assert client.get("/projects/new/").status_code == 403
    response = client.post("/projects/new/", {"title": "x", "host_party": ukraine.pk})
    assert response.status_code == 403
    assert not Project.objects.exists()


def test_engagement_of_another_aie_is_404(client, cycle, participant, aie_user, other_aie_user):
    project = cycle.draft()
    engagement = wf.engage_aie(participant, project, aie_user.organisation)
    client.force_login(other_aie_user)
    assert (
        client.post(f"/engagements/{engagement.pk}/decide/", {"decision": "accept"}).status_code
        == 404
    )
    assert client.get("/engagements/999999/decide/").status_code == 404
    engagement.refresh_from_db()
    assert engagement.status == "pending"


def test_comment_after_the_window_closes_is_409(client, cycle):
    project = cycle.open()
    with time_machine.travel(project.comments_close_at + dt.timedelta(seconds=1), tick=False):
        response = client.post(f"/projects/{project.key}/comments/", COMMENT)
    assert response.status_code == 409
    assert "The comment period for this PDD is closed." in response.content.decode()
    assert not Comment.objects.exists()


def test_comment_at_the_end_instant_is_on_time(client, cycle):
    project = cycle.open()
    with time_machine.travel(project.comments_close_at, tick=False):
        response = client.post(f"/projects/{project.key}/comments/", COMMENT)
    assert response.status_code == 302
    assert Comment.objects.count() == 1


def test_comment_form_page_says_when_closed(client, cycle):
    project = cycle.comments_closed()
    html = client.get(f"/projects/{project.key}/comments/").content.decode()
    assert "The comment period for this PDD is closed" in html
    assert 'name="text"' not in html
    assert 'name="text"' not in client.get(f"/projects/{project.key}/").content.decode()


def test_comment_with_invalid_email_is_400(client, cycle):
    project = cycle.open()
    response = client.post(f"/projects/{project.key}/comments/", COMMENT | {"email": "nope"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert not Comment.objects.exists()


def test_upload_rejects_a_non_pdf_by_content(client, cycle, participant):
    project = cycle.draft()
    client.force_login(participant)
    fake = SimpleUploadedFile(
        "annex.pdf", b"<html>not a pdf</html>", content_type="application/pdf"
    )
    response = client.post(
        f"/projects/{project.key}/documents/", {"kind": "supporting", "title": "x", "file": fake}
    )
    assert response.status_code == 400
    assert "The file is not a PDF." in response.content.decode()
    assert not Document.objects.exists()


def test_upload_rejects_a_too_large_file(client, cycle, participant, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    project = cycle.draft()
    client.force_login(participant)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1))
    response = client.post(
        f"/projects/{project.key}/documents/", {"kind": "supporting", "title": "x", "file": big}
    )
    assert response.status_code == 400
    assert "The file is larger than the limit of 1 MB." in response.content.decode()
    assert not Document.objects.exists()


@pytest.mark.parametrize("kind", ["pdd", "additionality", "baseline", "eia"])
def test_upload_refuses_the_confidential_flag_for_para_40_documents(
    client, cycle, participant, kind
):
    project = cycle.draft()
    client.force_login(participant)
    response = client.post(
        f"/projects/{project.key}/documents/",
        {"kind": kind, "title": "x", "file": pdf_upload(), "confidential": "on"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be confidential: para 40 excludes" in html
    assert 'class="field field-checkbox has-error"' in html
    assert not Document.objects.exists()


def test_upload_after_submission_is_409(client, cycle, participant):
    project = cycle.submitted()
    before = snapshot(project)
    client.force_login(participant)
    response = client.post(
        f"/projects/{project.key}/documents/",
        {"kind": "supporting", "title": "x", "file": pdf_upload()},
    )
    assert response.status_code == 409
    assert "You cannot upload documents while the project is" in response.content.decode()
    assert snapshot(project) == before


def test_engaging_an_unaccredited_aie_is_409(client, cycle, participant):
    project = cycle.draft(scopes=(1,))
    narrow = AIEFactory(name="Narrow AIE", accredited=[5])
    client.force_login(participant)
    response = client.post(f"/projects/{project.key}/engage/", {"aie": narrow.pk})
    assert response.status_code == 409
    assert "Narrow AIE is not accredited for determination in sectoral scope(s) 1." in (
        response.content.decode()
    )
    assert not Engagement.objects.exists()


def test_change_aie_before_comments_close_is_409(client, cycle, participant, other_aie_user):
    project = cycle.open()
    client.force_login(participant)
    response = client.post(
        f"/projects/{project.key}/change-aie/", {"aie": other_aie_user.organisation_id}
    )
    assert response.status_code == 409
    assert "The AIE can be changed only after the comment period has ended" in (
        response.content.decode()
    )
    project.refresh_from_db()
    assert project.aie != other_aie_user.organisation


def test_check_pdd_return_without_reasons_is_400(client, cycle, secretariat):
    project = cycle.submitted()
    client.force_login(secretariat)
    response = client.post(f"/projects/{project.key}/check-pdd/", {"decision": "reject"})
    assert response.status_code == 400
    assert "Give the reasons for returning the PDD." in response.content.decode()
    assert snapshot(project)[0] == "pdd_submitted"


def test_check_pdd_rejects_an_availability_date_out_of_range(client, cycle, secretariat):
    project = cycle.submitted()
    client.force_login(secretariat)
    response = client.post(
        f"/projects/{project.key}/check-pdd/", {"decision": "accept", "available_on": "2001-01-01"}
    )
    assert response.status_code == 400
    assert snapshot(project)[0] == "pdd_submitted"


def test_positive_determination_needs_every_finding_met(client, cycle, aie_user):
    project = cycle.comments_closed()
    client.force_login(aie_user)
    response = client.post(
        f"/projects/{project.key}/determination/", FINDINGS_POST | {"additionality_met": "no"}
    )
    assert response.status_code == 400
    assert "A positive determination needs every para 33 finding met." in response.content.decode()
    assert not Determination.objects.exists()
    assert snapshot(project)[0] == "comments_closed"


def test_determination_with_unanswered_comments_is_409(client, cycle, aie_user):
    project = cycle.open()
    wf.add_comment(project, **COMMENT | {"text": "On time."})
    wf.close_comments(project.pk, project.comments_close_at + dt.timedelta(seconds=1))
    client.force_login(aie_user)
    response = client.post(f"/projects/{project.key}/determination/", FINDINGS_POST)
    assert response.status_code == 409
    assert "Answer every comment before filing: 1 without an answer." in response.content.decode()
    assert not Determination.objects.exists()


def test_determination_requires_reasons(client, cycle, aie_user):
    project = cycle.comments_closed()
    client.force_login(aie_user)
    response = client.post(
        f"/projects/{project.key}/determination/", FINDINGS_POST | {"approval_reasons": ""}
    )
    assert response.status_code == 400
    assert not Determination.objects.exists()


def test_determination_rejects_a_non_pdf_supporting_document(client, cycle, aie_user):
    project = cycle.comments_closed()
    client.force_login(aie_user)
    fake = SimpleUploadedFile("visit.pdf", b"GIF89a", content_type="application/pdf")
    response = client.post(
        f"/projects/{project.key}/determination/",
        FINDINGS_POST | {"doc1_title": "Visit", "doc1_file": fake},
    )
    assert response.status_code == 400
    assert "The file is not a PDF." in response.content.decode()
    assert not Determination.objects.exists()
    assert not FeeAssessment.objects.exists()


def test_payment_recorded_twice_is_409(client, cycle, secretariat):
    project = cycle.determination_submitted()
    client.force_login(secretariat)
    # Nothing is assumed: a payment states the amount, the date and the bank reference.
    response = client.post(f"/projects/{project.key}/fee/payment/", {})
    assert response.status_code == 400
    assert response.content.decode().count("This field is required.") == 3
    assert FeeAssessment.objects.get().status == "due"
    body = payment_body()
    assert client.post(f"/projects/{project.key}/fee/payment/", body).status_code == 302
    events = Event.objects.count()
    response = client.post(f"/projects/{project.key}/fee/payment/", body)
    assert response.status_code == 409
    assert "The determination fee is already recorded as paid." in response.content.decode()
    assert Event.objects.count() == events


def test_participant_cannot_record_payment(client, cycle, participant):
    project = cycle.determination_submitted()
    client.force_login(participant)
    assert client.post(f"/projects/{project.key}/fee/payment/", payment_body()).status_code == 403
    assert FeeAssessment.objects.get().status == "due"


def test_answer_to_an_unknown_comment_is_404(client, cycle, aie_user):
    project = cycle.open()
    client.force_login(aie_user)
    response = client.post(f"/projects/{project.key}/comments/999/answer/", {"answer": "x"})
    assert response.status_code == 404


def test_wrong_methods_are_405(client, cycle, participant):
    project = cycle.draft()
    client.force_login(participant)
    assert client.put(f"/projects/{project.key}/edit/").status_code == 405
