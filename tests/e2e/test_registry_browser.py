"""The public registry in Debian's Chromium (Playwright), as a visitor without an account uses it:
search the PDDs open for comment by host Party, open a project, see the live countdown and the
timeline, download the list as CSV with the same filters, subscribe to the project's Atom feed,
look at the page as it stood on an earlier day, and read it in Russian.

Screenshots go to test-artifacts/e2e-registry/.
"""

import csv
import io
import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from tests.support import ARTIFACTS, Actor, Cycle

SHOTS = ARTIFACTS / "e2e-registry"
ATOM = "{http://www.w3.org/2005/Atom}"

pytestmark = pytest.mark.browser


class Visitor(Actor):
    shots = SHOTS


@pytest.mark.django_db(transaction=True)
def test_a_visitor_searches_follows_and_downloads(
    browser,
    live_server,
    cycle,
    japan,
    tmp_path,
):
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    kyiv = cycle.open(title="Landfill gas capture at Kyiv")
    lviv = cycle.open(title="District heating modernisation in Lviv")
    tokyo = Cycle(cycle.participant, cycle.aie_user, cycle.secretariat, japan).open(
        title="Waste heat recovery at Chiba"
    )

    visitor = Visitor(browser, live_server.url)
    page = visitor.go("/")
    # The PDDs open for comment, searched by host Party.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Open for comment").click()
    page.wait_for_load_state()
    assert "/projects/open/" in page.url
    for project in (kyiv, lviv, tokyo):
        assert page.get_by_role("link", name=project.title).count() == 1
    page.select_option("select[name=host_party]", "UA")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    assert "host_party=UA" in page.url
    visitor.shot("01-open-for-comment-in-ukraine")
    assert page.get_by_role("link", name=kyiv.title).count() == 1
    assert page.get_by_role("link", name=lviv.title).count() == 1
    assert page.get_by_role("link", name=tokyo.title).count() == 0

    # The CSV download carries the same filters: the two Ukrainian projects, not Japan's.
    with page.expect_download() as download_info:
        page.locator("a[href*='/opendata/projects.csv']").first.click()
    path = tmp_path / "projects.csv"
    download_info.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert sorted(r["reference"] for r in rows) == sorted([kyiv.reference, lviv.reference])
    assert {r["host_party_code"] for r in rows} == {"UA"}

    # The project page: live countdown (the script ticks it) and the public timeline.
    with page.expect_navigation():
        page.get_by_role("link", name=kyiv.title).click()
    assert page.url.endswith(f"/projects/{kyiv.reference}/")
    countdown = page.locator(".next-deadline time[data-countdown]")
    assert countdown.get_attribute("datetime").startswith(
        kyiv.comments_close_at.strftime("%Y-%m-%dT%H:%M")
    )
    # rendered by the server, kept ticking by the script
    assert re.fullmatch(r"2[89] days \d+ h left", countdown.inner_text())
    # the script enhances it: the viewer's local time of the deadline on hover
    page.wait_for_function("el => el.title.length > 0", arg=countdown.element_handle())
    timeline = page.locator("ol.timeline")
    assert timeline.get_by_text("PDD published for comments").count() == 1
    visitor.shot("02-project-page")

    # Subscribe: the page announces its feed, and the feed is Atom with this project's notice.
    feed_href = page.locator("link[rel=alternate][type='application/atom+xml']").last
    href = feed_href.get_attribute("href")
    assert href.endswith(f"/projects/{kyiv.reference}/feed/")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.ok and "atom" in response.headers["content-type"]
    feed = ET.fromstring(response.body())
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert titles and all(kyiv.reference in t for t in titles)

    # The page as published on an earlier day (before publication: not yet public).
    page.fill("input[name=as_of]", "2001-01-01")
    with page.expect_navigation():
        page.locator("form.as-of button[type=submit]").click()
    assert "as_of=2001-01-01" in page.url
    assert page.get_by_text("was not yet public").count() == 1
    visitor.shot("03-as-of-before-publication")

    # Russian, chosen with the language switcher, without JavaScript being required.
    page.goto(f"{live_server.url}/projects/{kyiv.reference}/")
    page.select_option("select[name=language]", "ru")
    with page.expect_navigation():
        page.locator("form[action$='/i18n/setlang/'] button").click()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.get_by_role("heading", name="Хронология").count() == 1
    visitor.shot("04-project-page-in-russian")
    visitor.context.close()
