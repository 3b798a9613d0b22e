"""The secretariat's check pages show what is checked: the document in view, the project's data,
the letters of approval with their state, the fee state and a checklist computed from the
record, cited by paragraph (issue 15); a fixed number of queries whatever the data."""

import datetime as dt

import pytest

from determinations import workflow as dwf
from fees import services as fee_services
from projects import workflow as wf
from projects.models import Accreditation, Document, LetterOfApproval
from tests.factories import PartyFactory, pdf_upload
from tests.support import FINDINGS, html, html_text

pytestmark = pytest.mark.usefixtures("fast_pdfs")


def _many(cycle, project, n=6):
    """``n`` more Parties involved, each with a letter (half confirmed), and ``n`` documents."""
    for i in range(n):
        party = PartyFactory(code=f"Q{chr(65 + i)}", name=f"Partyland {i}")
        project.parties_involved.add(party)
        LetterOfApproval.objects.create(
            project=project, party=party, issued_on=dt.date(2008, 6, 1), reference=f"LoA-{i}"
        )
    for i in range(n):
        Document.objects.create(
            project=project,
            kind=Document.Kind.SUPPORTING,
            title=f"Annex {i}",
            file=pdf_upload(f"annex{i}.pdf"),
            filename=f"annex{i}.pdf",
            sha256=f"{i:064d}",
            size=10,
        )


def _submitted(cycle, many):
    project = cycle.engaged()
    if many:
        _many(cycle, project)
    return wf.submit_pdd(cycle.aie_user, project)


# --- the PDD check --------------------------------------------------------------------------


def test_pdd_check_shows_the_pdd_the_data_the_approvals_and_a_cited_checklist(
    client, cycle, secretariat
):
    project = _submitted(cycle, many=False)
    pdd = project.documents.get(kind="pdd")
    client.force_login(secretariat)
    page = html(client.get(f"/projects/{project.key}/check-pdd/"))
    # the PDD in view, framed from this site, with its link
    assert f'<iframe class="pdf-frame" src="/documents/{pdd.pk}/download/"' in page
    text = html_text(page)
    # the data as submitted
    for shown in (
        "Ukraine",
        "Metered gas flow and methane content.",
        "2009: 50,000 t CO2e",
        "50,000 t CO2e a year on average",
        "1 Jan 2008 – 31 Dec 2012",
    ):
        assert shown in text, shown
    # the host's letter and its state
    assert "Ukraine (host) — issued" in text
    assert "confirmed" in text
    # the checklist: computed, cited by paragraph, never by our notes
    assert "✔ Met: Project design document (PDF) on record (para 31)" in text
    assert "Host Party eligible for Track 2 (para 21 (a), (b) and (d)) (paras 21, 24)" in text
    assert (
        "AIE accredited for determination in every sectoral scope of the project "
        "(para 30, appendix A) Bureau Veritas Certification is accredited." in text
    )
    assert "ji-rules" not in page


def test_pdd_check_marks_what_fails(client, cycle, secretariat):
    project = _submitted(cycle, many=False)
    Accreditation.objects.filter(aie=project.aie).update(status="suspended")
    project.documents.filter(kind="pdd").update(status="withdrawn")
    client.force_login(secretariat)
    text = html_text(html(client.get(f"/projects/{project.key}/check-pdd/")))
    assert "✘ Not met: Project design document (PDF) on record (para 31) No current PDD" in text
    assert "Bureau Veritas Certification: suspended." in text
    assert "No current PDD is on record." in text


@pytest.mark.parametrize("many", [False, True])
def test_pdd_check_page_query_budget(
    client, cycle, secretariat, many, django_assert_max_num_queries
):
    project = _submitted(cycle, many)
    client.force_login(secretariat)
    url = f"/projects/{project.key}/check-pdd/"
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    text = html_text(html(response))
    if many:
        assert "Partyland 5 — issued" in text and "Annex 5" in text
        assert "Written approval of Partyland 5 (para 33 (a))" in text


# --- the determination check ------------------------------------------------------------------


def test_determination_check_shows_report_findings_approvals_fee_and_checklist(
    client, cycle, secretariat
):
    project = cycle.determination_submitted()
    report = project.determinations.get().report
    client.force_login(secretariat)
    page = html(client.get(f"/projects/{project.key}/determination/check/"))
    assert f'<iframe class="pdf-frame" src="/documents/{report.pk}/download/"' in page
    text = html_text(page)
    assert "(a) The project has been approved by the Parties involved" in text
    assert "Letters of approval of the Parties involved (para 33 (a))" in text
    # the fee: due, with the invoice's balance, and the checklist says it stops publication
    assert "balance due USD 8,500.00" in text
    assert (
        "✘ Not met: Determination fee (advance) paid or not due before publication "
        "(provisions for the charging of fees, version 3) Due: USD 8,500.00 still to pay." in text
    )
    assert "✔ Met: Outcome follows the findings on each requirement of para 33 (para 33)" in text
    assert "✔ Met: Written approval of the host Party, Ukraine (para 33 (a))" in text
    assert "✔ Met: Comments summarised and due account taken of them (para 34)" in text
    assert "ji-rules" not in page

    fee_services.pay_balance(secretariat, project, reference="BANK-1")
    text = html_text(html(client.get(f"/projects/{project.key}/determination/check/")))
    assert "✔ Met: Determination fee (advance) paid or not due before publication" in text


@pytest.mark.parametrize("many", [False, True])
def test_determination_check_page_query_budget(
    client, cycle, secretariat, many, django_assert_max_num_queries
):
    project = cycle.comments_closed()
    if many:
        _many(cycle, project)
    for comment in project.comments.all():
        wf.answer_comment(cycle.aie_user, comment, "Taken into account.")
    dwf.submit_determination(cycle.aie_user, project, findings=dict(FINDINGS), outcome="positive")
    client.force_login(secretariat)
    with django_assert_max_num_queries(10):
        response = client.get(f"/projects/{project.key}/determination/check/")
    assert response.status_code == 200
    if many:
        assert "Partyland 5" in html_text(html(response))


def test_the_document_may_be_framed_by_this_site_only(client, cycle, secretariat):
    project = _submitted(cycle, many=False)
    pdd = project.documents.get(kind="pdd")
    client.force_login(secretariat)
    response = client.get(f"/documents/{pdd.pk}/download/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("inline")
    # every other page still refuses to be framed
    page = client.get(f"/projects/{project.key}/check-pdd/")
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


# --- the verification report's publication ------------------------------------------------------


@pytest.mark.parametrize("many", [False, True])
def test_verification_publish_page_shows_the_checklist_within_budget(
    client,
    cycle,
    final_project,
    submit_report,
    verify,
    secretariat,
    many,
    django_assert_max_num_queries,
):
    if many:
        _many(cycle, final_project)
    report = submit_report(final_project, dt.date(2009, 1, 1), dt.date(2009, 12, 31), {2009: 10000})
    ver = verify(report, {2009: 10000})
    client.force_login(secretariat)
    url = f"/projects/{final_project.key}/verifications/{ver.number}/publish/"
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    page = html(response)
    assert f'<iframe class="pdf-frame" src="/documents/{ver.report_id}/download/"' in page
    text = html_text(page)
    assert (
        "✔ Met: Verified reductions within those claimed in the monitoring report (para 37) "
        "10,000 t CO2e verified of 10,000 claimed." in text
    )
    assert "✔ Met: Verification fee paid or not due before publication" in text
    assert "ji-rules" not in page
