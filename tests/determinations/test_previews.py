"""A preview of every generated form before it is filed (issue 15): F-JI-DRep, F-JI-VRep and
F-JI-RRep from the filing form's data, the determination-fee invoice from the project's data;
each opens in the browser (inline PDF) and writes nothing — no row, no event, no document, no
number consumed, no stored PDF."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage

from determinations.models import Determination, Verification
from fees import preview as fee_preview
from fees.models import FeeAssessment, Invoice
from projects.models import Counter, Document, Event
from reviews import workflow as rwf
from reviews.models import Review
from tests.support import FINDINGS_POST, REASONS, html, html_text

pytestmark = pytest.mark.usefixtures("fast_pdfs")

MODELS = (Determination, Verification, Document, Event, FeeAssessment, Invoice, Counter, Review)


def rows() -> dict:
    """What a filing would write, counted; and the stored PDFs."""
    counts = {m.__name__: m.objects.count() for m in MODELS}
    try:
        counts["stored"] = len(default_storage.listdir("generated")[1])
    except FileNotFoundError:
        counts["stored"] = 0
    return counts


def pdf_text(response) -> str:
    """The text the ``fast_pdfs`` stand-in keeps in the PDF's bytes."""
    return response.content.decode("utf-8", "replace")


def assert_inline_pdf(response, name: str):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{name}"'
    assert response["Cache-Control"] == "private, no-store"


def test_drep_preview_renders_the_form_data_and_writes_nothing(client, cycle, aie_user):
    project = cycle.comments_closed()
    client.force_login(aie_user)
    url = f"/projects/{project.key}/determination/"
    page = html(client.get(url))
    assert 'name="preview" value="1" formtarget="_blank"' in page
    before = rows()
    response = client.post(url, {**FINDINGS_POST, "preview": "1"})
    assert_inline_pdf(response, f"F-JI-DRep-{project.key}-1-preview.pdf")
    text = pdf_text(response)
    assert "PREVIEW — NOT FILED" in text
    assert "Investment analysis." in text  # the finding as typed on the form
    assert "The determination is positive." in text
    assert rows() == before
    project.refresh_from_db()
    assert project.status == "comments_closed"

    # Filing afterwards takes number 1: the preview consumed none.
    assert client.post(url, FINDINGS_POST).status_code == 302
    assert Determination.objects.get().number == 1


def test_drep_preview_of_what_cannot_be_filed_says_why(client, cycle, aie_user):
    project = cycle.comments_closed()
    client.force_login(aie_user)
    bad = {**FINDINGS_POST, "additionality_met": "no", "preview": "1"}
    before = rows()
    response = client.post(f"/projects/{project.key}/determination/", bad)
    assert response.status_code == 400
    assert "A positive determination needs every para 33 finding met." in html_text(html(response))
    assert rows() == before


def test_drep_preview_is_for_the_filing_aie_only(client, cycle, participant):
    project = cycle.comments_closed()
    client.force_login(participant)
    response = client.post(
        f"/projects/{project.key}/determination/", {**FINDINGS_POST, "preview": "1"}
    )
    assert response.status_code == 403


def test_vrep_preview_renders_the_form_data_and_writes_nothing(
    client, final_project, submit_report, aie_user
):
    report = submit_report(final_project, dt.date(2009, 1, 1), dt.date(2009, 12, 31), {2009: 10000})
    client.force_login(aie_user)
    url = f"/monitoring/{report.pk}/verify/"
    assert 'name="preview" value="1" formtarget="_blank"' in html(client.get(url))
    data = {
        "verified": "2009: 9500",
        "findings": "Meters calibrated against the 2009 invoices.",
        "conditions_hold": "yes",
        "conditions_reasons": "Nothing changed that matters.",
        "no_overlap_declared": "on",
    }
    before = rows()
    response = client.post(url, {**data, "preview": "1"})
    assert_inline_pdf(response, f"F-JI-VRep-{final_project.key}-1-preview.pdf")
    assert "PREVIEW — NOT FILED" in pdf_text(response)
    assert "Meters calibrated against the 2009 invoices." in pdf_text(response)
    assert rows() == before

    # More than claimed is refused on the form, as filing would.
    response = client.post(url, {**data, "verified": "2009: 10001", "preview": "1"})
    assert response.status_code == 400
    assert "exceed those claimed" in html(response)
    assert rows() == before


def test_rrep_preview_renders_the_form_data_and_writes_nothing(
    client, cycle, committee, secretariat, japan
):
    project = cycle.determination_published(parties_involved=[japan])
    for member in committee.members[:3]:
        rwf.request_review(member, project, reasons=REASONS, summary="Additionality doubtful.")
    review = Review.objects.get(project=project)
    lead, other = committee.members[3:5]
    rwf.appoint_team(secretariat, review, members=[lead, other], lead=lead)
    client.force_login(lead)
    assert 'name="preview" value="1" formtarget="_blank"' in html(
        client.get(f"/reviews/{review.pk}/")
    )
    data = {
        "recommendation": "confirmed",
        "report": "The investment analysis holds.",
        "preview": "1",
    }
    before = rows()
    response = client.post(f"/reviews/{review.pk}/report/", data)
    assert_inline_pdf(response, f"F-JI-RRep-{project.key}-preview.pdf")
    assert "PREVIEW — NOT FILED" in pdf_text(response)
    assert "The investment analysis holds." in pdf_text(response)
    assert rows() == before
    review.refresh_from_db()
    assert (review.status, review.report) == ("in_progress", "")

    client.force_login(secretariat)  # not on the team
    assert client.post(f"/reviews/{review.pk}/report/", data).status_code == 403


def test_invoice_preview_is_the_advance_filing_would_invoice_and_writes_nothing(cycle):
    project = cycle.comments_closed()
    before = rows()
    content = fee_preview.determination_invoice_pdf(project)
    text = content.decode("utf-8", "replace")
    assert "PREVIEW" in text
    assert "8,500.00" in text  # 50,000 t a year: 15,000 at 0.10 + 35,000 at 0.20
    assert rows() == before
    small = cycle.comments_closed(title="Small", small_scale=True)
    assert fee_preview.determination_invoice_pdf(small) is None  # no advance (ji-rules §5)


def test_participants_preview_the_advance_invoice_from_the_project_page(
    client, cycle, participant, aie_user
):
    project = cycle.comments_closed()
    url = f"/projects/{project.key}/determination/invoice-preview/"
    client.force_login(participant)
    assert f'href="{url}"' in html(client.get(f"/projects/{project.key}/"))
    before = rows()
    response = client.get(url)
    assert_inline_pdf(response, f"invoice-{project.key}-preview.pdf")
    assert "8,500.00" in pdf_text(response)
    assert rows() == before
    client.force_login(aie_user)  # invoices are confidential (ji-rules §6)
    assert client.get(url).status_code == 403
