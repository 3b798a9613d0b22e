"""The public pages' cache (jitrack.pagecache): an anonymous page is rendered once per state of
the record, every write shows at once, nothing personal is stored and each visitor gets its own
CSRF token."""

import gzip
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jitrack import pagecache
from projects import workflow as wf
from projects.models import Project

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def project(publish_many):
    return publish_many(1, "open_for_comments")[0]


def test_a_second_anonymous_visit_is_served_without_a_query(project):
    client = Client()
    url = f"/projects/{project.reference}/"
    first = client.get(url)
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        second = Client().get(url)
    assert second.status_code == 200 and second["X-Page-Cache"] == "hit"
    assert len(queries) == 0
    assert project.title.encode() in second.content
    assert second["ETag"] == first["ETag"]


def test_every_write_shows_at_once(project):
    url = f"/projects/{project.reference}/"
    assert b"How is leakage monitored?" not in Client().get(url).content
    wf.add_comment(
        project,
        name="Olena",
        affiliation="Ecoclub",
        category="stakeholder",
        email="olena@example.org",
        text="How is leakage monitored?",
    )
    again = Client().get(url)
    assert again["X-Page-Cache"] == "miss"
    assert b"How is leakage monitored?" in again.content


def test_a_writer_that_bypasses_the_signals_invalidates_itself(project):
    url = "/projects/open/"
    assert project.title.encode() in Client().get(url).content
    Project.objects.filter(pk=project.pk).update(title="Renamed by an update()")
    assert project.title.encode() in Client().get(url).content  # nobody said so: still cached
    pagecache.invalidate()
    assert b"Renamed by an update()" in Client().get(url).content


def test_each_visitor_gets_its_own_csrf_token_and_can_post(project):
    url = f"/projects/{project.reference}/"
    Client().get(url)  # cached by someone else
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(url)
    assert page["X-Page-Cache"] == "hit"
    tokens = set(TOKEN.findall(page.content.decode()))
    assert len(tokens) == 1 and "\x1b" not in page.content.decode()
    assert "csrftoken" in page.cookies  # the middleware set this visitor's cookie
    answer = visitor.post(
        f"/projects/{project.reference}/comments/",
        {
            "name": "Olena",
            "affiliation": "Ecoclub",
            "category": "stakeholder",
            "email": "olena@example.org",
            "text": "A comment through a cached form.",
            "csrfmiddlewaretoken": tokens.pop(),
        },
    )
    assert answer.status_code == 302, answer.content[:300]
    assert project.comments.filter(text="A comment through a cached form.").exists()


def test_signed_in_users_and_flash_messages_are_never_cached_nor_served(project, participant):
    url = f"/projects/{project.reference}/"
    Client().get(url)
    member = Client()
    member.force_login(participant)
    page = member.get(url)
    assert "X-Page-Cache" not in page
    assert "X-Page-Cache" not in Client(HTTP_COOKIE="messages=x").get(url)
    api = Client(HTTP_AUTHORIZATION="Token nothing")
    assert "X-Page-Cache" not in api.get("/api/projects/")


def test_a_matching_etag_is_answered_not_modified(project):
    url = "/registry/"
    etag = Client().get(url)["ETag"]
    with CaptureQueriesContext(connection) as queries:
        again = Client().get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and len(queries) == 0


def test_the_language_and_the_media_type_are_part_of_the_key(project):
    url = "/registry/"
    english = Client().get(url)
    russian = Client().get(url, HTTP_ACCEPT_LANGUAGE="ru")
    assert english.content != russian.content and russian["Content-Language"] == "ru"
    as_json = Client().get("/api/projects/", HTTP_ACCEPT="application/json")
    as_html = Client().get("/api/projects/", HTTP_ACCEPT="text/html")
    assert as_json["Content-Type"].startswith("application/json")
    assert as_html["Content-Type"].startswith("text/html")


def test_errors_and_streams_are_not_stored(project):
    assert "X-Page-Cache" not in Client().get("/projects/0999/")  # 404
    assert "X-Page-Cache" not in Client().get("/registry/pdds/?page=x")  # 400
    download = Client().get("/opendata/projects.csv")
    assert download.streaming and "X-Page-Cache" not in download


def test_a_lost_generation_starts_afresh_never_reusing_a_number(project):
    before = pagecache.generation()
    cache.delete(pagecache.GENERATION_KEY)
    assert pagecache.generation() != before


def test_off_when_the_setting_is_zero(project, settings):
    settings.PAGE_CACHE_SECONDS = 0
    url = f"/projects/{project.reference}/"
    Client().get(url)
    assert "X-Page-Cache" not in Client().get(url)


def test_feeds_and_data_are_sent_gzipped_to_who_accepts_it_and_html_never(project, publish_many):
    publish_many(5, "final", start=2)
    url = "/api/projects/"
    plain = Client().get(url).content
    assert len(plain) > pagecache.GZIP_FROM
    packed = Client().get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert packed["X-Page-Cache"] == "hit" and packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain
    assert "Accept-Encoding" in packed["Vary"]
    again = Client().get(url)  # a client without gzip gets the same bytes, plain
    assert again["X-Page-Cache"] == "hit" and "Content-Encoding" not in again
    assert again.content == plain
    page = f"/projects/{project.reference}/"
    Client().get(page)
    html = Client().get(page, HTTP_ACCEPT_ENCODING="gzip")
    assert html["X-Page-Cache"] == "hit" and "Content-Encoding" not in html


def test_an_unreachable_cache_fails_no_request_and_no_write(project, monkeypatch):
    """A cache server that is down: pages are rendered, writes stand (jitrack.pagecache)."""

    def down(*args, **kwargs):
        raise ConnectionError("cache server unreachable")

    for method in ("get", "set", "add", "incr"):
        monkeypatch.setattr(cache, method, down)
    for url in (f"/projects/{project.reference}/", "/registry/pdds/", "/api/projects/"):
        page = Client().get(url)
        assert page.status_code == 200 and "X-Page-Cache" not in page
    wf.add_comment(
        project,
        name="Olena",
        affiliation="Ecoclub",
        category="stakeholder",
        email="olena@example.org",
        text="Written while the cache is down.",
    )
    assert project.comments.filter(text="Written while the cache is down.").exists()
