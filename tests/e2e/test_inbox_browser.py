"""The inbox in Debian's Chromium (issue 15): a participant opens it from the navigation's
count, marks one notification read, then all, chooses the daily digest, and follows a
notification to its project; the page stays readable on a 390 px phone.

Screenshots go to test-artifacts/e2e-inbox/.
"""

import shutil

import pytest

from projects import outbox
from projects.models import Notification, User
from tests.support import ARTIFACTS, Actor

SHOTS = ARTIFACTS / "e2e-inbox"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def _fresh_shots():
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    SHOTS.mkdir(parents=True)


class Reader(Actor):
    shots = SHOTS


@pytest.mark.django_db(transaction=True)
def test_participant_reads_and_clears_its_inbox(browser, live_server, cycle):
    project = cycle.open()
    outbox.drain_due()  # the acts' mail and inbox rows (the drain runs after each commit too)
    mine = Notification.objects.filter(user=cycle.participant)
    assert sorted(mine.values_list("kind", flat=True)) == ["engagement_accepted", "pdd_published"]

    pp = Reader(browser, live_server.url, "participant")
    page = pp.go("/")
    inbox_link = page.locator(".account a", has_text="Inbox")
    assert " ".join(inbox_link.inner_text().split()) == "Inbox 2"
    with page.expect_navigation():
        inbox_link.click()
    assert page.url.endswith("/inbox/")
    items = page.locator("li.task")
    assert items.count() == 2
    assert "The PDD is open for comments." in items.first.inner_text()  # newest first
    assert page.locator("li.task.unread").count() == 2
    pp.shot("01-inbox-unread")

    with page.expect_navigation():
        items.first.get_by_role("button", name="Mark read").click()
    assert page.locator("li.task.unread").count() == 1
    assert " ".join(page.locator(".account a", has_text="Inbox").inner_text().split()) == "Inbox 1"
    pp.shot("02-inbox-one-read")

    with page.expect_navigation():
        page.get_by_role("button", name="Mark all read").click()
    assert "1 notification marked read." in page.locator(".messages").inner_text()
    assert page.locator("li.task.unread").count() == 0
    assert page.get_by_role("button", name="Mark all read").count() == 0

    page.get_by_label("Once a day, one e-mail listing the day's notifications").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert "Your e-mail preference is saved." in page.locator(".messages").inner_text()
    assert User.objects.get(pk=cycle.participant.pk).mail_preference == "digest"
    pp.shot("03-inbox-digest-chosen")

    with page.expect_navigation():
        page.locator("li.task a").first.click()
    assert page.url.endswith(f"/projects/{project.key}/")

    phone = browser.new_context(viewport={"width": 390, "height": 844})
    phone.add_cookies(pp.context.cookies())
    small = phone.new_page()
    small.goto(f"{live_server.url}/inbox/")
    width = small.evaluate("document.documentElement.scrollWidth")
    small.screenshot(path=str(SHOTS / "04-inbox-phone.png"), full_page=True)
    assert width <= 390
    phone.close()
    pp.close()
