"""The JISC's forms as PDFs, rendered from data made by the real workflow functions."""

import datetime as dt
import hashlib
import io

import pytest
from pypdf import PdfReader

from reviews import pdf
from reviews import workflow as rwf
from reviews.models import CRITERIA, Review
from tests.factories import pdf_bytes, pdf_upload
from tests.support import CRITERIA_FORM, REASONS

pytestmark = pytest.mark.django_db


def pages(data: bytes) -> list[str]:
    """Each page's text, with the line breaks of wrapped table cells undone."""
    assert data.startswith(b"%PDF-")
    out = []
    for page in PdfReader(io.BytesIO(data)).pages:
        raw = page.extract_text().replace("-\n", "-")
        out.append(" ".join(raw.split()))
    return out


def text(data: bytes) -> str:
    return "\n".join(pages(data))


def gmt(instant: dt.datetime) -> str:
    return f"{instant.astimezone(dt.UTC):%-d %B %Y %H:%M} GMT"


@pytest.fixture
def published(cycle):
    return cycle.determination_published()


@pytest.fixture
def appraisal(published, committee, secretariat):
    proposal = rwf.propose_appraisers(published)
    return rwf.appoint_appraisers(secretariat, published, **proposal)


@pytest.fixture
def review(published, committee, party_user):
    """A Party involved (Ukraine, the host) starts the review; a JISC member joins it."""
    rwf.request_review(party_user, published, reasons=REASONS, summary="Additionality doubtful.")
    rwf.request_review(
        committee.members[0],
        published,
        reasons={"environmental": "No transboundary analysis."},
        summary="The EIA is thin.",
    )
    return Review.objects.get()


@pytest.fixture
def team_review(review, committee, secretariat):
    lead, other = committee.members[3], committee.members[4]
    return rwf.appoint_team(secretariat, review, members=[lead, other], lead=lead)


def test_review_request_by_a_party_and_by_a_member(review, published, party_user, committee):
    by_party, by_member = review.requests.order_by("pk")
    body = text(pdf.render_review_request(by_party))
    assert "F-JI-DR" in body
    assert published.reference in body
    assert "Ukraine" in body and "Party involved" in body
    assert gmt(by_party.received_at) in body
    for _, label in CRITERIA:
        assert str(label) in body
    assert REASONS["additionality"] in body
    assert "Additionality doubtful." in body
    assert "Page 1 of" in body
    assert "CONFIDENTIAL" not in body  # review requests are public (ji-rules §6)
    det = published.determinations.get()
    assert gmt(det.review_window_closes_at) in body

    body = text(pdf.render_review_request(by_member))
    assert "JISC member M1" in body
    assert "No transboundary analysis." in body
    assert "The EIA is thin." in body


def test_member_appraisal_is_confidential_on_every_page(appraisal, published):
    seat = appraisal.appraisers.filter(kind="member").first()
    rwf.declare_no_conflict(seat.user, appraisal)
    long = "The investment analysis was checked line by line against the annexes. " * 60
    criteria = CRITERIA_FORM | {"additionality": {"met": False, "comment": long}}
    rwf.file_appraisal(
        seat.user,
        appraisal,
        criteria=criteria,
        opinion="review_recommended",
        comments="A review is advisable.",
    )
    seat.refresh_from_db()
    data = pdf.render_appraisal(seat)
    per_page = pages(data)
    assert len(per_page) >= 2
    assert all("CONFIDENTIAL — not public" in page for page in per_page)
    body = "\n".join(per_page)
    assert "F-JI-DA" in body and "F-JI-ExInpDA" not in body
    assert published.reference in body
    assert f"Page 1 of {len(per_page)}" in body
    assert "Letters of approval checked." in body
    assert "Not met." in body and "Met." in body
    assert "Review recommended" in body
    assert "A review is advisable." in body
    assert f"Declared on {gmt(seat.no_conflict_declared_at)}" in body
    assert f"Filed on {gmt(seat.filed_at)}" in body
    assert gmt(appraisal.due_at) in body


def test_expert_appraisal_form_even_before_filing(appraisal):
    seat = appraisal.appraisers.filter(kind="expert").first()
    body = text(pdf.render_appraisal(seat))
    assert "F-JI-ExInpDA" in body
    assert "CONFIDENTIAL" in body
    assert "Not declared" in body
    assert "Not filed" in body
    assert "Not stated." in body


def test_clarification_before_and_after_the_answer(team_review, committee, cycle, published):
    lead = committee.members[3]
    clar = rwf.send_clarification(
        lead,
        team_review,
        addressed_to="both",
        questions="Explain the tariff assumption.",
        due_on=team_review.due_at.date(),
    )
    body = text(pdf.render_clarification(clar))
    assert "F-JI-Clar" in body
    assert published.reference in body
    assert "Project participants and AIE" in body
    assert "Explain the tariff assumption." in body
    assert f"{clar.due_at:%-d %B %Y} 17:00 GMT" in body
    assert "Not answered yet." in body
    assert "Page 1 of" in body

    rwf.answer_clarification(
        cycle.aie_user,
        clar,
        answer="See the tariff annex.",
        files=[("Tariff annex", pdf_upload("tariff-annex.pdf"))],
    )
    clar.refresh_from_db()
    body = text(pdf.render_clarification(clar))
    assert "See the tariff annex." in body
    assert gmt(clar.answered_at) in body
    assert "tariff-annex.pdf" in body
    digest = hashlib.sha256(pdf_bytes()).hexdigest()
    assert digest in body.replace("\n", "").replace(" ", "")
    assert "Not answered yet." not in body


def test_review_report_is_confidential_until_the_decision(
    team_review, committee, published, secretariat
):
    lead = committee.members[3]
    rwf.send_clarification(
        lead,
        team_review,
        addressed_to="aie",
        questions="Explain the tariff.",
        due_on=team_review.due_at.date(),
    )
    rwf.file_report(
        lead, team_review, recommendation="corrections_required", report="Section B needs work."
    )
    team_review.refresh_from_db()
    body = text(pdf.render_review_report(team_review))
    assert "F-JI-RRep" in body
    assert published.reference in body
    assert "CONFIDENTIAL" in body
    assert "2 requests: 1 by Parties involved, 1 by JISC members." in body
    assert "Ukraine" in body and "JISC member M1" in body
    assert "M4" in body and "Lead" in body and "M5" in body
    assert "F-JI-Clar 1" in body and "Not answered" in body
    assert "Corrections required" in body
    assert "Section B needs work." in body
    assert f"Reported on {gmt(team_review.reported_at)}" in body
    assert gmt(team_review.due_at) in body
    assert "Page 1 of" in body

    rwf.decide(secretariat, team_review, decision="confirmed", reasons="Shown.")
    team_review.refresh_from_db()
    assert "CONFIDENTIAL" not in text(pdf.render_review_report(team_review))


def test_agenda_numbers_its_items(team_review, appraisal, committee, secretariat):
    lead = committee.members[3]
    rwf.file_report(lead, team_review, recommendation="rejected", report="Not additional.")
    team_review.refresh_from_db()
    start = (team_review.due_at - dt.timedelta(days=10)).date()
    meeting = rwf.save_meeting(
        secretariat, number=41, starts_on=start, ends_on=start + dt.timedelta(days=1), place="Bonn"
    )
    body = text(pdf.render_agenda(meeting))
    key = team_review.project.key
    assert "JISC 41 — AGENDA" in body
    assert "41st meeting" in body
    assert f"{start:%-d %B %Y} to " in body and "Bonn" in body
    assert "JISC and secretariat only" in body
    assert "Page 1 of" in body
    assert f"2.1 Project {key}" in body
    assert f"due {gmt(appraisal.due_at)}" in body
    assert "0 of 4 forms filed" in body
    assert f"3.1 Project {key}" in body and "team recommendation: Rejected" in body
    assert "No review falls due by the end of the meeting." in body  # six months: later
    assert "No corrections awaited." in body

    # An electronic meeting before it makes JISC 41 the second meeting after the request: the
    # review falls due at the end of JISC 41, so it is on that meeting's agenda.
    electronic = rwf.save_meeting(
        secretariat,
        number=40,
        starts_on=start - dt.timedelta(days=7),
        electronic=True,
        ends_on=start - dt.timedelta(days=7),
    )
    team_review.refresh_from_db()
    assert team_review.due_at == dt.datetime.combine(
        start + dt.timedelta(days=2), dt.time(0, 0), tzinfo=dt.UTC
    )
    body = text(pdf.render_agenda(meeting))
    assert f"4.1 Project {key}" in body
    assert gmt(team_review.due_at) in body
    assert "Electronic meeting" in text(pdf.render_agenda(electronic))
