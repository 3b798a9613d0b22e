"""The review of a determination end to end in Debian's Chromium, driven by Playwright.

Three JISC members file F-JI-DR, the secretariat appoints the team, the lead asks the AIE for
clarification, the AIE answers, the lead files the report, the secretariat records the JISC's
decision at a meeting, and an anonymous visitor sees the decision with its reasons.
Screenshots go to test-artifacts/e2e-reviews/.
"""

import shutil

import pytest
from django.utils import timezone

from projects.models import Project
from reviews import workflow as rwf
from reviews.models import Clarification, Review
from tests.support import ARTIFACTS, Actor

SHOTS = ARTIFACTS / "e2e-reviews"
REASONS_TEXT = "The JISC found the additionality demonstrated."

pytestmark = pytest.mark.browser


class ReviewActor(Actor):
    shots = SHOTS


@pytest.mark.django_db(transaction=True)
def test_review_of_a_determination_in_the_browser(
    browser,
    live_server,
    cycle,
    committee,
    secretariat,
):
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    base = live_server.url
    project = cycle.determination_published()
    key = project.key
    today = timezone.localdate()
    meeting = rwf.save_meeting(
        secretariat, number=41, starts_on=today, ends_on=today, place="Bonn", electronic=False
    )
    m1, m2, m3, m4, m5 = committee.members

    # Three members file F-JI-DR from the project page.
    for n, member in enumerate((m1, m2, m3), start=1):
        actor = ReviewActor(browser, base, member.username)
        page = actor.go(f"/projects/{key}/")
        with page.expect_navigation():
            page.locator(f"a[href='/projects/{key}/review/request/']").first.click()
        page.fill("textarea[name=additionality]", f"Member {n}: the tariff increase is ignored.")
        page.fill("textarea[name=summary]", "Additionality doubtful.")
        actor.shot(f"0{n}-request-by-{member.username}")
        actor.submit("main form")
        actor.close()
    project.refresh_from_db()
    assert project.status == "under_review"
    review = Review.objects.get(project=project)
    assert review.requests.count() == 3

    # The secretariat appoints the team: m4 (lead) and m5.
    sec = ReviewActor(browser, base, "secretariat")
    page = sec.go(f"/reviews/{review.pk}/")
    form = "form[action$='/team/']"
    page.check(f"{form} input[name=members][value='{m4.pk}']")
    page.check(f"{form} input[name=members][value='{m5.pk}']")
    page.check(f"{form} input[name=lead][value='{m4.pk}']")
    sec.shot("04-appoint-team")
    sec.submit(form)
    assert set(review.team.values_list("user__username", flat=True)) == {"m4", "m5"}
    sec.close()

    # The lead asks the AIE for clarification.
    lead = ReviewActor(browser, base, m4.username)
    page = lead.go(f"/reviews/{review.pk}/")
    form = "form[action$='/clarify/']"
    page.check(f"{form} input[name=addressed_to][value=aie]")
    page.fill(f"{form} textarea[name=questions]", "Explain the 2009 tariff assumption.")
    page.fill(f"{form} input[name=due_on]", review.due_at.date().isoformat())
    lead.shot("05-clarification-request")
    lead.submit(form)
    clar = Clarification.objects.get(review=review)

    # The AIE answers in the browser.
    aie = ReviewActor(browser, base, "aie")
    page = aie.go(f"/reviews/clarifications/{clar.pk}/")
    page.fill("form#answer textarea[name=answer]", "See the annex on tariffs.")
    aie.shot("06-clarification-answer")
    aie.submit("form#answer")
    clar.refresh_from_db()
    assert clar.answered_at is not None
    aie.close()

    # The lead files the report.
    page = lead.go(f"/reviews/{review.pk}/")
    form = "form[action$='/report/']"
    page.check(f"{form} input[name=recommendation][value=confirmed]")
    page.fill(f"{form} textarea[name=report]", "The tariff analysis holds up.")
    lead.shot("07-report")
    lead.submit(form)
    review.refresh_from_db()
    assert review.reported_at is not None
    lead.close()

    # The secretariat records the decision at JISC 41.
    sec = ReviewActor(browser, base, "secretariat")
    page = sec.go(f"/reviews/{review.pk}/")
    form = "form[action$='/decide/']"
    page.check(f"{form} input[name=decision][value=confirmed]")
    page.fill(f"{form} textarea[name=reasons]", REASONS_TEXT)
    page.select_option(f"{form} select[name=meeting]", str(meeting.number))
    sec.shot("08-decide")
    sec.submit(form)
    sec.shot("09-decided")
    sec.close()

    # An anonymous visitor sees the decision with its reasons.
    public = ReviewActor(browser, base)
    page = public.go(f"/projects/{key}/")
    content = page.content()
    assert "Determination confirmed" in content
    assert REASONS_TEXT in content
    public.shot("10-public-decision")
    public.close()

    review.refresh_from_db()
    assert review.decision == "confirmed"
    assert review.decided_at_meeting_id == meeting.pk
    assert Project.objects.get(pk=project.pk).status == "final"
