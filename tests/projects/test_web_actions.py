"""Every action through the browser: it succeeds, changes the status and says so."""

import datetime as dt

from django.utils import timezone

from determinations.models import Determination
from fees.models import FeeAssessment
from projects import workflow as wf
from projects.models import Comment, Document, Engagement, LetterOfApproval, Project
from tests.factories import pdf_upload
from tests.support import FINDINGS_POST, payment_body


def flash(client, response) -> str:
    return client.get(response["Location"]).content.decode()


def project_post(ukraine, japan, **overrides):
    data = {
        "title": "Coal mine methane at Donbas",
        "host_party": ukraine.pk,
        "parties_involved": [japan.pk],
        "sectoral_scopes": ["1", "10"],
        "small_scale": "",
        "crediting_start": "2008-01-01",
        "crediting_end": "2012-12-31",
        "baseline_approach": "cdm_methodology",
        "methodology": "ACM0008",
        "monitoring_approach": "Metered methane.",
        "expected": "2008: 40,000\n2009: 50000\n2010 = 60000\n",
    }
    data.update(overrides)
    return data


def test_participant_creates_a_project(client, participant, ukraine, japan, scopes):
    client.force_login(participant)
    assert client.get("/projects/new/").status_code == 200
    response = client.post("/projects/new/", project_post(ukraine, japan))
    project = Project.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/projects/P{project.pk}/"
    assert project.status == "draft"
    assert project.expected_annual_reductions == 50000
    assert list(project.parties_involved.all()) == [japan]
    assert [s.number for s in project.sectoral_scopes.all()] == [1, 10]
    assert {(e.year, e.tonnes) for e in project.expected.all()} == {
        (2008, 40000),
        (2009, 50000),
        (2010, 60000),
    }
    assert list(project.participants.all()) == [participant.organisation]
    html = flash(client, response)
    assert "Expected average annual reductions: 50,000 t CO2e." in html


def test_create_project_rejects_bad_expected_lines(client, participant, ukraine, japan, scopes):
    client.force_login(participant)
    response = client.post("/projects/new/", project_post(ukraine, japan, expected="2008 lots"))
    assert response.status_code == 400
    assert "is not “year: tonnes”" in response.content.decode()
    assert not Project.objects.exists()


def test_create_project_shows_domain_error_on_field(client, participant, ukraine, scopes):
    client.force_login(participant)
    response = client.post(
        "/projects/new/", project_post(ukraine, ukraine, parties_involved=[ukraine.pk])
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The host Party is already involved; list only the other Parties." in html
    assert not Project.objects.exists()


def test_participant_edits_a_draft(client, cycle, participant, ukraine, japan):
    project = cycle.draft()
    client.force_login(participant)
    page = client.get(f"/projects/{project.key}/edit/").content.decode()
    assert "2009: 50000" in page
    response = client.post(
        f"/projects/{project.key}/edit/",
        project_post(ukraine, japan, title="Renamed", expected="2009: 10000\n2010: 20001"),
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "Renamed"
    assert project.expected_annual_reductions == 15001


def test_participant_uploads_a_document(client, cycle, participant):
    project = cycle.draft()
    client.force_login(participant)
    response = client.post(
        f"/projects/{project.key}/documents/",
        {
            "kind": "supporting",
            "title": "Financial annex",
            "file": pdf_upload("annex.pdf"),
            "confidential": "on",
        },
    )
    assert response.status_code == 302
    doc = Document.objects.get(project=project)
    assert (doc.title, doc.confidential, doc.version, doc.filename) == (
        "Financial annex",
        True,
        1,
        "annex.pdf",
    )
    assert "Uploaded “Financial annex” (version 1)." in flash(client, response)


def test_participant_records_a_letter_of_approval(client, cycle, participant, ukraine):
    project = cycle.draft()
    client.force_login(participant)
    assert client.get(f"/projects/{project.key}/approvals/").status_code == 200
    response = client.post(
        f"/projects/{project.key}/approvals/",
        {
            "party": ukraine.pk,
            "issued_on": "2008-05-01",
            "reference": "UA-LoA-17",
            "file": pdf_upload("loa.pdf"),
        },
    )
    assert response.status_code == 302
    loa = LetterOfApproval.objects.get(project=project)
    assert (loa.party, loa.issued_on, loa.reference) == (ukraine, dt.date(2008, 5, 1), "UA-LoA-17")
    assert loa.document.kind == "approval"


def test_engage_accept_submit_check_comment_answer_file_pay_publish(
    client,
    cycle,
    participant,
    aie_user,
    secretariat,
    party_user,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    """The whole determination cycle through the browser."""
    project = cycle.draft()
    client.force_login(participant)
    client.post(
        f"/projects/{project.key}/documents/",
        {"kind": "pdd", "title": "PDD", "file": pdf_upload()},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/projects/{project.key}/engage/", {"aie": aie_user.organisation_id}
        )
    assert response.status_code == 302
    engagement = Engagement.objects.get(project=project)
    assert engagement.status == "pending"
    assert [m.to for m in mailoutbox] == [["aie@example.org"]]
    assert f"/projects/{project.key}/" in mailoutbox[0].body

    client.force_login(aie_user)
    page = client.get(f"/projects/{project.key}/").content.decode()
    assert "Accept the engagement" in page
    response = client.post(f"/engagements/{engagement.pk}/decide/", {"decision": "accept"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "engaged"

    # Both acts cannot be undone: the first POST only asks (tests/projects/test_confirmations).
    response = client.post(f"/projects/{project.key}/submit-pdd/")
    assert response.status_code == 200
    assert 'name="confirmed" value="yes"' in response.content.decode()
    response = client.post(f"/projects/{project.key}/submit-pdd/", {"confirmed": "yes"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "pdd_submitted"

    client.force_login(secretariat)
    today = timezone.localdate()
    check = {"decision": "accept", "available_on": today.isoformat()}
    response = client.post(f"/projects/{project.key}/check-pdd/", check)
    assert response.status_code == 200
    project.refresh_from_db()
    assert project.status == "pdd_submitted"
    response = client.post(f"/projects/{project.key}/check-pdd/", {**check, "confirmed": "yes"})
    assert response.status_code == 302
    assert response["Location"] == "/projects/0001/"
    project.refresh_from_db()
    assert (project.status, project.reference, project.pdd_available_on) == (
        "open_for_comments",
        "0001",
        today,
    )

    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/projects/0001/comments/",
            {
                "name": "Olena",
                "affiliation": "Ecoclub",
                "category": "stakeholder",
                "email": "olena@example.ua",
                "text": "What about leakage?",
            },
        )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.text == "What about leakage?"

    client.force_login(aie_user)
    response = client.post(
        f"/projects/0001/comments/{comment.pk}/answer/", {"answer": "Leakage is monitored."}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.answer == "Leakage is monitored."

    wf.close_comments(project.pk, project.comments_close_at + dt.timedelta(seconds=1))

    # The host's focal point records its own letter of approval (para 33 (a)): on record at once.
    client.force_login(party_user)
    assert "Record your letter of approval" in client.get("/projects/0001/").content.decode()
    response = client.post(
        "/projects/0001/approvals/",
        {"party": project.host_party_id, "issued_on": "2008-06-01", "reference": "UA-LoA-7"},
    )
    assert response.status_code == 302, response.content.decode()
    assert project.approvals.get().confirmed_by == party_user

    client.force_login(aie_user)
    assert client.get("/projects/0001/determination/").status_code == 200
    response = client.post(
        "/projects/0001/determination/",
        {**FINDINGS_POST, "doc1_title": "Site visit", "doc1_file": pdf_upload("visit.pdf")},
    )
    assert response.status_code == 302, response.content.decode()
    project.refresh_from_db()
    assert project.status == "determination_submitted"
    determination = Determination.objects.get()
    assert determination.outcome == "positive"
    assert determination.due_account == "All comments were answered."
    assert project.documents.filter(kind="determination_supporting", title="Site visit").exists()

    client.force_login(secretariat)
    response = client.post("/projects/0001/determination/check/", {"decision": "accept"})
    assert response.status_code == 409
    assert "The determination fee is not paid yet" in response.content.decode()

    response = client.post("/projects/0001/fee/payment/", payment_body())
    assert response.status_code == 302
    fee = FeeAssessment.objects.get()
    assert fee.status == "paid"
    assert fee.invoices.get().payments.get().reference == "BANK-77"
    assert "Payment of USD 8,500.00 recorded on JI-" in flash(client, response)

    check = {"decision": "accept", "available_on": today.isoformat()}
    response = client.post("/projects/0001/determination/check/", check)
    assert response.status_code == 200  # publication cannot be undone: it asks first
    response = client.post("/projects/0001/determination/check/", {**check, "confirmed": "yes"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "determination_published"
    assert project.determination_available_on == today


def test_aie_declines_an_engagement(client, cycle, participant, aie_user):
    project = cycle.draft()
    client.force_login(participant)
    client.post(f"/projects/{project.key}/engage/", {"aie": aie_user.organisation_id})
    engagement = Engagement.objects.get()
    client.force_login(aie_user)
    assert client.get(f"/engagements/{engagement.pk}/decide/").status_code == 200
    response = client.post(
        f"/engagements/{engagement.pk}/decide/", {"decision": "reject", "reason": "No capacity."}
    )
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    engagement.refresh_from_db()
    assert (engagement.status, engagement.reason) == ("declined", "No capacity.")


def test_secretariat_returns_a_pdd_with_reasons(client, cycle, secretariat):
    project = cycle.submitted()
    client.force_login(secretariat)
    response = client.post(
        f"/projects/{project.key}/check-pdd/", {"decision": "reject", "reason": "Annex 2 missing."}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "engaged"
    assert project.events.get(kind="pdd_returned").reason == "Annex 2 missing."


def test_secretariat_returns_a_determination(client, cycle, secretariat):
    project = cycle.determination_submitted()
    client.force_login(secretariat)
    page = client.get(f"/projects/{project.key}/determination/check/").content.decode()
    assert "Letters of approval from Ukraine and Japan were checked." in page
    response = client.post(
        f"/projects/{project.key}/determination/check/",
        {"decision": "reject", "reason": "Finding (b) lacks figures."},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "comments_closed"
    assert Determination.objects.get().status == "returned"


def test_participant_changes_the_aie(client, cycle, participant, other_aie_user):
    project = cycle.comments_closed()
    client.force_login(participant)
    assert client.get(f"/projects/{project.key}/change-aie/").status_code == 200
    response = client.post(
        f"/projects/{project.key}/change-aie/",
        {"aie": other_aie_user.organisation_id, "reason": "Cost."},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.aie == other_aie_user.organisation


def test_participant_withdraws(client, cycle, participant):
    project = cycle.open()
    client.force_login(participant)
    response = client.post(f"/projects/{project.key}/withdraw/", {"reason": "Financing failed."})
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.status == "open_for_comments"
    response = client.post(
        f"/projects/{project.key}/withdraw/", {"reason": "Financing failed.", "confirm": "on"}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "withdrawn"
    html = client.get(f"/projects/{project.key}/").content.decode()
    assert "Withdrawn" in html
    assert "Financing failed." in html
