"""Confidentiality sweep (ji-rules §6): appraisal forms, clarifications and the review team's
report stay out of every public page, feed, calendar, open-data download, API response and
outgoing e-mail while the review is undecided, whoever asks (anonymous, the participant, the
AIE, a DFP)."""

import pytest

from reviews import workflow as rwf
from reviews.models import Review
from tests.support import REASONS

pytestmark = pytest.mark.django_db

SECRET = "SECRET-"
OK_STATUSES = {200, 302, 401, 403, 404}


def _criteria(tag: str) -> dict:
    return {
        key: {"met": True, "comment": f"{tag}-{key}"}
        for key in ("approval", "additionality", "baseline_monitoring", "environmental")
    }


def _setup(cycle, committee, secretariat):
    project = cycle.determination_published()
    proposal = rwf.propose_appraisers(project)
    appraisal = rwf.appoint_appraisers(secretariat, project, **proposal)
    for n, user in enumerate(proposal["members"] + proposal["experts"], start=1):
        tag = f"SECRET-DA-{n}"
        rwf.declare_no_conflict(user, appraisal)
        rwf.file_appraisal(
            user,
            appraisal,
            criteria=_criteria(tag),
            opinion="review_recommended",
            comments=f"{tag}-comments",
        )
    m1, m2, m3, m4, m5 = committee.members
    for member in (m1, m2, m3):
        rwf.request_review(member, project, reasons=REASONS, summary="Additionality doubtful.")
    review = Review.objects.get(project=project)
    rwf.appoint_team(secretariat, review, members=[m4, m5], lead=m4)
    clar = rwf.send_clarification(
        m4,
        review,
        addressed_to="aie",
        questions="SECRET-CLAR-Q explain the tariff.",
        due_on=review.due_at.date(),
    )
    rwf.answer_clarification(cycle.aie_user, clar, answer="SECRET-CLAR-A see annex.")
    rwf.file_report(m4, review, recommendation="confirmed", report="SECRET-RREP working paper.")
    return project, appraisal, review, clar


def test_no_secret_leaks_before_the_decision(
    client,
    cycle,
    committee,
    secretariat,
    participant,
    party_user,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        project, appraisal, review, clar = _setup(cycle, committee, secretariat)
    review.refresh_from_db()
    assert review.decision in ("", None) and review.reported_at is not None

    key = project.key
    urls = [
        "/",
        "/projects/",
        "/projects/open/",
        "/projects/determinations/",
        "/projects/final/",
        "/registry/",
        "/registry/reviews/",
        "/registry/determinations-open/",
        "/registry/pdds/",
        f"/projects/{key}/",
        f"/projects/{key}/review/request/",
        f"/reviews/{review.pk}/",
        f"/reviews/{review.pk}/report/pdf/",
        f"/reviews/appraisals/{appraisal.pk}/",
        f"/reviews/clarifications/{clar.pk}/",
        f"/reviews/clarifications/{clar.pk}/pdf/",
        "/reviews/meetings/",
        f"/api/projects/{key}/",
        f"/api/projects/{key}/review/",
        f"/api/projects/{key}/appraisal/",
        f"/api/appraisals/{appraisal.pk}/",
        "/api/projects/",
        "/feeds/",
        f"/projects/{key}/feed/",
        "/calendar.ics",
        f"/projects/{key}/calendar.ics",
        "/opendata/",
        "/opendata/projects.csv",
        "/opendata/projects.json",
        "/statistics/",
        "/dashboard/",
    ]
    urls += [f"/reviews/appraisals/forms/{seat.pk}/pdf/" for seat in appraisal.appraisers.all()]
    viewers = {
        "anonymous": None,
        "participant": participant,
        "aie": cycle.aie_user,
        "dfp": party_user,
    }
    statuses = {}
    for name, user in viewers.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in urls:
            response = client.get(url)
            statuses[(name, url)] = response.status_code
            assert response.status_code in OK_STATUSES, (name, url, response.status_code)
            body = b"".join(response) if response.streaming else response.content
            text = body.decode("utf-8", "replace")
            for secret in ("SECRET-DA", "SECRET-RREP"):
                assert secret not in text, (name, url, secret)
            if name != "aie":  # the AIE is the clarification's addressee
                assert "SECRET-CLAR" not in text, (name, url)
    # The public pages really were served (the sweep did not just collect 404s).
    for url in (
        f"/projects/{key}/",
        "/feeds/",
        "/opendata/projects.json",
        "/calendar.ics",
        "/registry/reviews/",
    ):
        assert statuses[("anonymous", url)] == 200, url
    # The review is listed publicly, with who asked for it, but not its working papers.
    client.logout()
    listed = client.get("/registry/reviews/").content.decode()
    assert f'href="/reviews/{review.pk}/"' in listed
    assert "3 JISC members" in listed
    assert "Determination confirmed" not in listed  # the team's recommendation

    assert mailoutbox, "the setup sends notices"
    for message in mailoutbox:
        parts = [message.subject, message.body]
        parts += [alt[0] for alt in getattr(message, "alternatives", [])]
        for part in parts:
            for secret in ("SECRET-DA", "SECRET-RREP", "SECRET-CLAR"):
                assert secret not in str(part), (message.subject, message.to, secret)
