"""The project page: what each viewer sees, what stays hidden, and the query budget."""

import pytest

from projects import workflow as wf
from projects.models import Document, Project
from tests.factories import pdf_upload
from tests.support import queries_for

VIEWERS = [None, "participant", "aie_user", "secretariat", "other_participant", "jisc_user"]


def published_with(cycle, n: int, title: str) -> Project:
    """A project open for comments with ``n`` supporting documents (every other one
    confidential), ``n`` comments and an answer to each."""
    project = cycle.engaged(title=title, parties_involved=[])
    for i in range(n):
        wf.add_document(
            cycle.participant,
            project,
            kind="supporting",
            title=f"Annex {i}",
            uploaded=pdf_upload(f"annex{i}.pdf", text=f"annex {i}"),
            confidential=i % 2 == 1,
        )
    # ``Cycle.engaged`` has the host's focal point record its approval.
    wf.submit_pdd(cycle.aie_user, project)
    project = wf.check_pdd(cycle.secretariat, project, accept=True)
    for i in range(n):
        comment = wf.add_comment(
            project,
            name=f"Commenter {i}",
            affiliation="NGO",
            category="stakeholder",
            email=f"commenter{i}@example.org",
            text=f"Comment number {i}.",
        )
        wf.answer_comment(cycle.aie_user, comment, f"Answer {i}.")
    return Project.objects.get(pk=project.pk)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_project_page_query_count_is_constant(
    client, cycle, request, viewer, django_assert_max_num_queries
):
    if viewer:
        client.force_login(request.getfixturevalue(viewer))
    small = published_with(cycle, 1, "Small")
    big = published_with(cycle, 15, "Big")
    one = queries_for(client, f"/projects/{small.key}/")
    many = queries_for(client, f"/projects/{big.key}/")
    assert one == many
    with django_assert_max_num_queries(10):
        client.get(f"/projects/{big.key}/")


@pytest.mark.parametrize(
    "stage",
    ["draft", "engaged", "submitted", "comments_closed", "determination_submitted", "final"],
)
def test_project_page_query_budget_at_every_stage(
    client, cycle, participant, secretariat, stage, django_assert_max_num_queries
):
    project = getattr(cycle, stage)()
    for user in (participant, secretariat):
        if stage == "draft" and user == secretariat:
            continue
        client.force_login(user)
        with django_assert_max_num_queries(10):
            assert client.get(f"/projects/{project.key}/").status_code == 200


def test_project_page_shows_header_dates_and_countdown(client, cycle):
    project = cycle.open()
    html = client.get(f"/projects/{project.key}/").content.decode()
    assert "Open for comments" in html
    assert f'Project <span class="ref">{project.reference}</span>' in html
    assert project.comments_close_at.strftime("%-d %b %Y 17:00 GMT") in html
    assert "Comment period closes" in html
    assert f'datetime="{project.comments_close_at:%Y-%m-%dT%H:%M:%SZ}" data-countdown' in html
    assert "50,000 t CO2e" in html
    assert "Submit comment" in html


def test_public_page_never_lists_confidential_documents(client, cycle, other_participant):
    project = published_with(cycle, 2, "Mixed documents")
    secret = Document.objects.get(project=project, title="Annex 1")
    public = Document.objects.get(project=project, title="Annex 0")
    assert secret.confidential and not public.confidential
    for viewer in (None, other_participant):
        if viewer:
            client.force_login(viewer)
        html = client.get(f"/projects/{project.key}/").content.decode()
        assert "Annex 0" in html
        assert "Annex 1" not in html
        assert secret.sha256 not in html
        assert client.get(f"/documents/{secret.pk}/download/").status_code == 404
        assert client.get(f"/documents/{public.pk}/download/").status_code == 200


def test_insiders_see_confidential_documents(client, cycle, participant, aie_user, secretariat):
    project = published_with(cycle, 2, "Mixed documents")
    secret = Document.objects.get(project=project, title="Annex 1")
    for user in (participant, aie_user, secretariat):
        client.force_login(user)
        html = client.get(f"/projects/{project.key}/").content.decode()
        assert "Annex 1" in html
        assert "Confidential" in html
        response = client.get(f"/documents/{secret.pk}/download/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert 'filename="annex1.pdf"' in response["Content-Disposition"]
        assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_unpublished_documents_are_not_public(client, cycle):
    project = cycle.submitted()
    pdd = project.documents.get(kind="pdd")
    assert client.get(f"/documents/{pdd.pk}/download/").status_code == 404


def test_document_list_shows_version_size_and_hash(client, cycle):
    project = cycle.open()
    pdd = project.documents.get(kind="pdd")
    html = client.get(f"/projects/{project.key}/").content.decode()
    assert pdd.sha256 in html
    assert f"/documents/{pdd.pk}/download/" in html
    assert f'<td data-label="Version">{pdd.version}</td>' in html
    assert "bytes" in html


def test_download_of_unknown_document_is_404(client, db):
    assert client.get("/documents/999999/download/").status_code == 404


def test_comment_email_is_not_shown_publicly(client, cycle, aie_user, secretariat, jisc_user):
    project = cycle.open()
    wf.add_comment(
        project, name="Olena", affiliation="", category="party", email="olena@example.ua", text="Hi"
    )
    url = f"/projects/{project.key}/"
    assert "olena@example.ua" not in client.get(url).content.decode()
    client.force_login(jisc_user)
    assert "olena@example.ua" not in client.get(url).content.decode()
    for user in (aie_user, secretariat):
        client.force_login(user)
        assert "olena@example.ua" in client.get(url).content.decode()


def test_timeline_hides_private_events_from_the_public(client, cycle, participant):
    project = cycle.open()
    public_html = client.get(f"/projects/{project.key}/").content.decode()
    assert "PDD published for comments" in public_html
    assert "PDD submitted for publication" not in public_html
    assert "Project created" not in public_html
    client.force_login(participant)
    html = client.get(f"/projects/{project.key}/").content.decode()
    assert "PDD submitted for publication" in html
    assert "Project created" in html


def test_fee_is_shown_to_participants_and_secretariat_only(
    client, cycle, participant, secretariat, aie_user, jisc_user
):
    project = cycle.determination_submitted()
    url = f"/projects/{project.key}/"
    for user in (participant, secretariat):
        client.force_login(user)
        assert "USD 8,500.00" in client.get(url).content.decode()
        assert client.get(f"/projects/{project.key}/fee/").status_code == 200
    for user in (aie_user, jisc_user):
        client.force_login(user)
        assert "USD 8,500.00" not in client.get(url).content.decode()
        assert client.get(f"/projects/{project.key}/fee/").status_code == 404


def test_fee_page_lists_calculation_lines(client, cycle, participant):
    project = cycle.determination_submitted()
    client.force_login(participant)
    html = client.get(f"/projects/{project.key}/fee/").content.decode()
    assert "15,000" in html and "35,000" in html
    assert "USD 1,500.00" in html and "USD 7,000.00" in html
    assert "Record the payment" not in html


def test_published_determination_links_the_report(client, cycle):
    project = cycle.determination_published()
    report = project.documents.get(kind="determination_report")
    html = client.get(f"/projects/{project.key}/").content.decode()
    assert "Determination report F-JI-DRep (PDF)" in html
    assert f"/documents/{report.pk}/download/" in html
    assert "Review window closes" in html
    assert client.get(f"/documents/{report.pk}/download/").status_code == 200


def test_submitted_determination_is_not_public(client, cycle):
    project = cycle.determination_submitted()
    report = project.documents.get(kind="determination_report")
    html = client.get(f"/projects/{project.key}/").content.decode()
    assert "F-JI-DRep (PDF)" not in html
    assert client.get(f"/documents/{report.pk}/download/").status_code == 404


@pytest.mark.parametrize("key", ["abcd", "P", "Pxyz", "12345", "0000", "P999999", "%20"])
def test_bad_project_keys_are_404(client, db, key):
    assert client.get(f"/projects/{key}/").status_code == 404


def test_draft_is_404_for_other_organisations(
    client, cycle, other_participant, other_aie_user, secretariat
):
    project = cycle.draft()
    for user in (other_participant, other_aie_user, secretariat):
        client.force_login(user)
        assert client.get(f"/projects/{project.key}/").status_code == 404
