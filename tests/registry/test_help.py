"""Help (issue 15): a guide per role at /help/<role>/, in English and Russian, public and cached
per language; every link of a guide opens for a user of that role; the guides cite the JI
guidelines and JISC documents, never our internal notes; the viewer's own role comes first; the
form pages link to their role's guide."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse

from registry import help as guides
from tests.factories import UserFactory
from tests.support import CHROMIUM, CHROMIUM_ARGS

ROLES = [g.role for g in guides.GUIDES]
RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}
HREF = re.compile(r'href="([^"]*)"')
ID = re.compile(r'\bid="([^"]+)"')
CODE = re.compile(r"<code>(.*?)</code>", re.S)
# Words that show a page is in the other language (headings every guide has).
ENGLISH = ("Step by step", "How the periods are counted", "When it passes")
RUSSIAN = ("Шаг за шагом", "Как отсчитываются сроки", "Когда срок истёк")


def main(html: str) -> str:
    """The page's own content, without the site's header and footer."""
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def body(html: str) -> str:
    return main(html).split('<div class="help-body">', 1)[1]


@pytest.fixture
def users(participant, aie_user, secretariat, party_user, committee):
    """A user of each role; the JISC member serving and the expert on the roster."""
    return {
        "participant": participant,
        "aie": aie_user,
        "secretariat": secretariat,
        "party": party_user,
        "jisc": committee.members[0],
        "expert": committee.experts[0],
    }


def client_as(role: str, users: dict) -> Client:
    client = Client()
    if role != guides.PUBLIC:
        client.force_login(users[role])
    return client


# --- the pages, in both languages -----------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_help_each_role_renders_in_english_by_default(client, db, role):
    response = client.get(f"/help/{role}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    for words in ENGLISH:
        assert words in html
    for words in RUSSIAN:
        assert words not in html
    assert f"<h1>{guides.BY_ROLE[role].title}</h1>" in html


@pytest.mark.parametrize("role", ROLES)
def test_help_each_role_renders_in_russian_with_accept_language(client, db, role):
    response = client.get(f"/help/{role}/", **RU)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ru">' in html
    for words in RUSSIAN:
        assert words in html
    for words in ENGLISH:
        assert words not in html


def test_help_language_cookie_gives_russian(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    html = client.get("/help/aie/").content.decode()
    assert '<html lang="ru">' in html
    assert "аккредитованного независимого органа (АНО)" in html
    assert "<code>/projects/‹номер›/determination/</code>" in html


def test_help_a_language_without_guides_falls_back_to_english(client, db):
    html = client.get("/help/participant/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Step by step" in html


@pytest.mark.parametrize("role", ROLES)
def test_help_russian_and_english_guides_have_the_same_steps(client, db, role):
    """The same anchors (steps, sections) in both languages: a translation that dropped or
    added a step fails, and a link to a step works in both."""
    en = ID.findall(body(client.get(f"/help/{role}/").content.decode()))
    ru = ID.findall(body(client.get(f"/help/{role}/", **RU).content.decode()))
    assert en == ru
    assert {"role", "steps", "deadlines", "clock"} <= set(en)


@pytest.mark.parametrize("role", ["PARTICIPANT", "admin", "ji-rules", "public-x", "0"])
def test_help_unknown_role_is_404(client, db, role):
    assert client.get(f"/help/{role}/").status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_help_pages_only_read(client, db, method):
    assert getattr(client, method)("/help/").status_code == 405
    assert getattr(client, method)("/help/aie/").status_code == 405


# --- content ---------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", ["en", "ru"])
def test_help_never_cites_internal_notes(client, db, accept):
    for url in ["/help/", *(f"/help/{role}/" for role in ROLES)]:
        html = client.get(url, HTTP_ACCEPT_LANGUAGE=accept).content.decode()
        assert "ji-rules" not in html.lower(), url
        assert "§" not in main(html), url
        assert "our reading" not in html.lower(), url


@pytest.mark.parametrize("role", ROLES)
def test_help_guides_cite_the_guidelines_deadlines(client, db, role):
    html = client.get(f"/help/{role}/").content.decode()
    assert "decision 9/CMP.1 annex" in html
    assert "para 35" in html
    assert "17:00 GMT" in html
    ru = client.get(f"/help/{role}/", **RU).content.decode()
    assert "решению 9/CMP.1" in ru
    assert "пункт 35" in ru


def test_help_deadlines_are_those_of_the_rules(client, db):
    pages = {
        role: re.sub(r"<td [^>]*>", "<td>", client.get(f"/help/{role}/").content.decode())
        for role in ROLES
    }
    participant = pages["participant"]
    assert "<td>30 days from publication</td><td>para 32</td>" in participant
    assert "<td>45 days from publication</td><td>para 35</td>" in participant
    assert "<td>15 days from publication</td><td>para 39</td>" in participant
    assert "USD 350,000" in participant and "USD 30,000" in participant
    assert "six months" in pages["jisc"] and "second JISC meeting" in pages["jisc"]
    assert "<td>30 days after the request</td><td>para 39</td>" in pages["aie"]
    assert "27 August 2008, 17:00 GMT" in pages["public"]


@pytest.mark.parametrize("accept", ["en", "ru"])
@pytest.mark.parametrize("role", ROLES)
def test_help_object_pages_are_shown_with_placeholders(client, db, role, accept):
    """Pages about one object are named by their real address with a placeholder; none is
    empty (a misspelt name renders nothing) and no sentinel of help.paths leaks."""
    html = body(client.get(f"/help/{role}/", HTTP_ACCEPT_LANGUAGE=accept).content.decode())
    codes = CODE.findall(html)
    assert codes
    assert all(code.strip() for code in codes)
    assert "zzkeyzz" not in html and "zzcodezz" not in html and "98765432" not in html
    word = "номер" if accept == "ru" else "reference"
    assert f"/projects/‹{word}›/" in html


def test_help_paths_follow_the_url_names():
    for name, path in guides._raw_paths().items():
        kwargs = guides._OBJECT_PAGES[name]
        assert path == reverse(name, kwargs=kwargs)
    assert guides.paths()["check_pdd"] == "/projects/‹reference›/check-pdd/"
    assert (
        guides.paths()["verification_publish"] == "/projects/‹reference›/verifications/‹n›/publish/"
    )


# --- every link opens ------------------------------------------------------------------------


@pytest.mark.parametrize("accept", ["en", "ru"])
@pytest.mark.parametrize("role", ROLES)
def test_help_every_link_opens_for_that_role(users, role, accept):
    client = client_as(role, users)
    for page in ("/help/", f"/help/{role}/"):
        response = client.get(page, HTTP_ACCEPT_LANGUAGE=accept)
        assert response.status_code == 200
        hrefs = {h.split("#")[0] for h in HREF.findall(main(response.content.decode()))}
        hrefs.discard("")
        assert hrefs
        for href in sorted(hrefs):
            assert href.startswith("/"), href  # nothing outside the site
            answer = client.get(href)
            assert answer.status_code in (200, 302), (role, page, href, answer.status_code)


def test_help_party_guide_links_the_focal_points_own_issuance_page(users):
    html = client_as("party", users).get("/help/party/").content.decode()
    assert 'href="/parties/UA/issuance/"' in html
    assert "<code>/parties/‹code›/issuance/</code>" in Client().get("/help/party/").content.decode()


@pytest.mark.parametrize("accept", ["en", "ru"])
def test_help_anchors_of_the_form_pages_exist(client, db, accept):
    """The steps the form pages link to (templates/help/_link.html with anchor=…)."""
    linked = {
        "aie": ["determination"],
        "secretariat": ["check-pdd", "check-determination", "appraisers", "meetings", "fees"],
        "participant": ["create", "erus"],
        "public": ["comment"],
    }
    for role, anchors in linked.items():
        ids = set(
            ID.findall(client.get(f"/help/{role}/", HTTP_ACCEPT_LANGUAGE=accept).content.decode())
        )
        assert set(anchors) <= ids, role


# --- the viewer's own role first -------------------------------------------------------------


def cards(html: str) -> list[tuple[str, bool]]:
    """(role, highlighted) of each card of the index, in order."""
    found = re.findall(
        r'<li class="panel help-card( help-mine)?">\s*<h2><a href="/help/([a-z]+)/"', html
    )
    return [(role, bool(mine)) for mine, role in found]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "public"])
def test_help_index_puts_the_viewers_role_first(users, role):
    html = client_as(role, users).get("/help/").content.decode()
    found = cards(html)
    assert [r for r, _ in found][0] == role
    assert sorted(r for r, _ in found) == sorted(ROLES)
    assert [r for r, mine in found if mine] == [role]
    page = client_as(role, users).get(f"/help/{role}/").content.decode()
    assert "Your role" in page


def test_help_index_puts_the_public_first_for_a_visitor(client, db):
    found = cards(client.get("/help/").content.decode())
    assert found[0] == ("public", True)
    assert [r for r, _ in found] == ["public", *[r for r in ROLES if r != "public"]]


def test_help_index_highlights_nothing_for_an_administrator(db):
    client = Client()
    client.force_login(UserFactory(username="admin", role="", is_staff=True, is_superuser=True))
    found = cards(client.get("/help/").content.decode())
    assert [r for r, _ in found] == ROLES
    assert not any(mine for _, mine in found)


# --- queries and cache -----------------------------------------------------------------------


@pytest.mark.parametrize("many", [1, 40])
@pytest.mark.parametrize("role", ROLES)
def test_help_pages_stay_within_the_query_budget(
    users, role, many, publish_many, django_assert_max_num_queries
):
    publish_many(many, "open_for_comments")
    client = client_as(role, users)
    for url in ("/help/", f"/help/{role}/"):
        with django_assert_max_num_queries(10):
            assert client.get(url, **RU).status_code == 200


def test_help_anonymous_pages_are_cached_per_language(client, db):
    assert Client().get("/help/aie/")["X-Page-Cache"] == "miss"
    english = Client().get("/help/aie/")
    assert english["X-Page-Cache"] == "hit"
    russian = Client().get("/help/aie/", **RU)
    assert russian["X-Page-Cache"] == "miss"
    assert "Шаг за шагом" in russian.content.decode()
    assert "Step by step" in english.content.decode()
    assert "Шаг за шагом" in Client().get("/help/aie/", **RU).content.decode()


def test_help_logged_in_pages_are_not_cached(users):
    response = client_as("aie", users).get("/help/")
    assert "X-Page-Cache" not in response


# --- links into the guides ---------------------------------------------------------------------


def test_help_is_in_the_site_navigation(client, db):
    html = client.get("/").content.decode()
    assert '<a href="/help/">Help</a>' in html
    assert 'href="/help/" aria-current="page"' in client.get("/help/aie/").content.decode()


def test_help_form_pages_link_to_their_roles_guide(cycle, aie_user, participant, secretariat):
    closed = cycle.comments_closed()
    draft = cycle.draft()
    submitted = cycle.submitted()
    aie = Client()
    aie.force_login(aie_user)
    html = aie.get(f"/projects/{closed.key}/determination/").content.decode()
    assert 'href="/help/aie/#determination"' in html
    pp = Client()
    pp.force_login(participant)
    # a page every role's acts share (projects/action.html): the viewer's own guide
    html = pp.get(f"/projects/{draft.key}/engage/").content.decode()
    assert 'href="/help/participant/"' in html
    html = pp.get("/projects/new/").content.decode()
    assert 'href="/help/participant/#create"' in html
    html = pp.get("/registry-accounts/").content.decode()
    assert 'href="/help/participant/#erus"' in html
    html = Client().get(f"/projects/{closed.key}/comments/").content.decode()
    assert 'href="/help/public/#comment"' in html
    staff = Client()
    staff.force_login(secretariat)
    html = staff.get(f"/projects/{submitted.key}/check-pdd/").content.decode()
    assert 'href="/help/secretariat/#check-pdd"' in html


# --- in a browser ----------------------------------------------------------------------------

# The document's width and whether anything in the main column reaches past the screen.
OVERFLOW = """
() => {
  const vw = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("main *")].filter((el) => {
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.right <= vw + 1) return false;
    // inside a scrolling or clipping box (a stacked table's hidden head): fine
    for (let a = el.parentElement; a; a = a.parentElement) {
      if (["auto", "scroll", "hidden"].includes(getComputedStyle(a).overflowX)) return false;
    }
    return true;
  });
  return {doc: document.documentElement.scrollWidth, vw, wide: wide.map((el) => el.tagName + "." + el.className)};
}
"""


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_help_aie_guide_fits_the_screen(live_server, db, width):
    """Screenshots (full page) in /tmp/help-aie-<width>.png, help-aie-ru-<width>.png and
    help-index-<width>.png."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 -- optional dependency

    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                page = browser.new_page(viewport={"width": width, "height": 900})
                russian = browser.new_page(
                    viewport={"width": width, "height": 900},
                    extra_http_headers={"Accept-Language": "ru"},
                )
                for name, tab, path in (
                    ("aie-ru", russian, "/help/aie/"),
                    ("index", page, "/help/"),
                    ("aie", page, "/help/aie/"),
                ):
                    tab.goto(live_server.url + path)
                    assert tab.locator("h1").first.is_visible()
                    measured = tab.evaluate(OVERFLOW)
                    assert measured["doc"] <= measured["vw"], (name, measured)
                    assert measured["wide"] == [], (name, measured)
                    tab.screenshot(path=f"/tmp/help-{name}-{width}.png", full_page=True)
                # the site's navigation leads here, marked as the current page
                nav = page.locator('.site-nav a[href="/help/"]')
                assert nav.get_attribute("aria-current") == "page"
            finally:
                browser.close()
    finally:
        connections.close_all()
