"""Changes after the determination in Debian's Chromium (issue 16): the participants ask to add
Germany as a Party involved and add a participant, Germany's focal point approves from the
project page, the host's focal point extends the crediting period, and the page as of today shows
the new participant and Party.

Screenshots go to test-artifacts/e2e-changes/.
"""

import datetime as dt
import shutil

import pytest

from projects.models import Project, User
from tests.factories import OrganisationFactory, PartyFactory, UserFactory
from tests.support import ARTIFACTS, Actor

SHOTS = ARTIFACTS / "e2e-changes"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def _fresh_shots():
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    SHOTS.mkdir(parents=True)


class Person(Actor):
    shots = SHOTS


@pytest.mark.django_db(transaction=True)
def test_participants_parties_and_the_crediting_period_change_in_the_browser(
    browser, live_server, cycle, party_user
):
    project = cycle.final(crediting_start=dt.date(2009, 1, 1))
    germany = PartyFactory(code="DE", name="Germany", kp_party=True)
    UserFactory(username="dfp-de", role=User.Role.PARTY, party=germany)
    OrganisationFactory(name="Blue Sky Energy")

    pp = Person(browser, live_server.url, "participant")
    page = pp.go(f"/projects/{project.key}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Change the participants or Parties involved").click()
    page.get_by_label("Add a Party involved").check()
    page.get_by_label("Party (for a change of the Parties involved)").select_option(label="Germany")
    page.get_by_label("Reason (public)").fill("A German buyer of the ERUs joins the project.")
    page.get_by_label("All project participants consent to this change").check()
    pp.shot("01-request")
    pp.submit()
    assert "The change waits for the approval of Germany." in page.locator(".messages").inner_text()
    panel = page.locator("#changes-after-determination")
    assert "Waiting for approval" in panel.inner_text()

    with page.expect_navigation():
        page.get_by_role("link", name="Change the participants or Parties involved").click()
    page.get_by_label("Add a participant").check()
    page.get_by_label("Project participant (for a change of participants)").select_option(
        label="Blue Sky Energy"
    )
    page.get_by_label("Reason (public)").fill("An investor joins.")
    page.get_by_label("All project participants consent to this change").check()
    pp.submit()
    assert "The change is applied." in page.locator(".messages").inner_text()
    pp.shot("02-panel-participant")

    de = Person(browser, live_server.url, "dfp-de")
    page = de.go(f"/projects/{project.key}/")
    with page.expect_navigation():
        page.locator("#changes-after-determination").get_by_role("link", name="Approve").click()
    page.get_by_label("Letter issued on").fill("2011-01-05")
    page.get_by_label("I confirm that my Party approves").check()
    de.submit()
    assert "Germany is now a Party involved." in page.locator(".messages").inner_text()
    de.shot("03-approved")

    host = Person(browser, live_server.url, party_user.username)
    page = host.go(f"/projects/{project.key}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Renew or extend the crediting period").click()
    page.get_by_label("New end of the crediting period").fill("2020-12-31")
    page.get_by_label("Reason (public)").fill("Second commitment period.")
    host.submit()
    assert "1 Jan 2009 – 31 Dec 2020" in page.locator("#changes-after-determination").inner_text()
    assert Project.objects.get(pk=project.pk).crediting_end == dt.date(2020, 12, 31)

    today = dt.datetime.now(dt.UTC).date().isoformat()
    page = host.go(f"/projects/{project.key}/?as_of={today}")
    details = page.locator("dl.details").first.inner_text()
    assert "Blue Sky Energy; Green Carbon Ltd" in details
    assert "Germany" in details
    host.shot("04-as-of-today")
    for person in (pp, de, host):
        person.close()
