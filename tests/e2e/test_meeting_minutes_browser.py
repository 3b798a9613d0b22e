"""The minutes of a JISC meeting in Debian's Chromium (Playwright): the secretariat records the
decision on an agenda item and the overall minutes, is refused publication before the meeting
ends, publishes after it, and an anonymous visitor reads them citing the JISC document.

Screenshots go to test-artifacts/e2e-minutes/.
"""

import datetime as dt
import shutil

import pytest
from django.utils import timezone

from reviews import workflow as rwf
from reviews.models import Meeting, MeetingItem, Review
from tests.support import ARTIFACTS, REASONS, Actor

SHOTS = ARTIFACTS / "e2e-minutes"

pytestmark = pytest.mark.browser


class MinutesActor(Actor):
    shots = SHOTS


@pytest.mark.django_db(transaction=True)
def test_minutes_recorded_and_published_in_the_browser(
    browser, live_server, cycle, committee, japan, secretariat
):
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    project = cycle.determination_published(parties_involved=[japan])
    today = timezone.localdate()
    meeting = Meeting.objects.create(number=40, starts_on=today, ends_on=today, place="Bonn")
    members = committee.members
    for m in members[:3]:
        rwf.request_review(m, project, reasons=REASONS, summary="Additionality doubtful")
    review = Review.objects.get(project=project)
    rwf.appoint_team(secretariat, review, members=[members[3], members[4]], lead=members[3])
    rwf.file_report(members[3], review, recommendation="confirmed", report="Additional.")
    rwf.decide(secretariat, review, decision="confirmed", reasons="Shown.", meeting=meeting)

    sec = MinutesActor(browser, live_server.url, secretariat.username)
    page = sec.go("/reviews/meetings/40/")
    with page.expect_navigation():
        page.click("a[href='/reviews/meetings/40/minutes/']")
    page.fill("[name=minutes]", "The Chair opened the meeting; the JISC adopted its agenda.")
    sec.submit("main form.form")
    with page.expect_navigation():
        page.click("a[href='/reviews/meetings/40/minutes/items/new/']")
    page.fill("[name=number]", "3 (a)")
    page.fill("[name=title]", "Request for review of the determination of 0001")
    page.fill("[name=decision]", "The JISC confirmed the determination: additionality is shown.")
    page.fill("[name=paragraph]", "12")
    page.fill("[name=paragraph_end]", "14")
    page.select_option("select[name=review]", str(review.pk))
    sec.shot("01-item-form")
    sec.submit()
    sec.shot("02-draft-minutes")
    assert MeetingItem.objects.get().review_id == review.pk
    # Before the meeting ends: the reason, and no button to publish.
    page = sec.go("/reviews/meetings/40/minutes/publish/")
    assert "published after the meeting" in page.locator("main").inner_text()
    assert page.locator("main form").count() == 0
    sec.shot("03-publication-refused")
    # The meeting is over (set up: it took place two days ago).
    past = today - dt.timedelta(days=2)
    Meeting.objects.filter(pk=meeting.pk).update(starts_on=past, ends_on=past)
    sec.go("/reviews/meetings/40/minutes/publish/")
    sec.submit()
    sec.close()
    assert Meeting.objects.get().minutes_published_at is not None

    anon = MinutesActor(browser, live_server.url)
    page = anon.go("/reviews/meetings/40/")
    text = page.locator("#minutes").inner_text()
    assert "Item 3 (a): Request for review of the determination of 0001" in text, text
    assert "JI-JISC-40 meeting report, paras 12–14" in text, text
    assert "The Chair opened the meeting" in text
    anon.shot("04-published-minutes")
    anon.close()
