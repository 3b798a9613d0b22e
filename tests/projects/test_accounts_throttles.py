"""DRF throttles on the anonymous comment endpoint and on token issue (projects.accounts): per
client address, rates from COMMENT_RATE / TOKEN_RATE; a 429 with code, detail and Retry-After."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from jitrack.settings import env_rate
from projects.models import Comment
from tests.support import assert_error

pytestmark = pytest.mark.django_db

COMMENT = {"name": "Ann", "category": "observer", "email": "ann@example.org", "text": "Fine."}


@pytest.fixture
def rates(settings):
    """Small rates for these tests (the suite's settings leave room: jitrack.test_settings)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"comment": "3/hour", "token": "2/minute"},
    }


def test_anonymous_comments_are_throttled_per_address(rates, anon, cycle):
    project = cycle.open()
    url = f"/api/projects/{project.key}/comments/"
    for _ in range(3):
        assert anon.post(url, COMMENT, format="json", REMOTE_ADDR="10.1.1.1").status_code == 201
    r = anon.post(url, COMMENT, format="json", REMOTE_ADDR="10.1.1.1")
    body = assert_error(r, 429, "throttled")
    assert body["detail"] == "Request was throttled. Expected available in 3600 seconds."
    assert r["Retry-After"] == "3600"
    assert Comment.objects.filter(project=project).count() == 3
    # Another address, and reading, are not held back.
    assert anon.post(url, COMMENT, format="json", REMOTE_ADDR="10.1.1.2").status_code == 201
    assert anon.get(url, REMOTE_ADDR="10.1.1.1").status_code == 200


def test_refused_comments_count_too(rates, anon, cycle):
    project = cycle.open()
    url = f"/api/projects/{project.key}/comments/"
    for _ in range(3):
        assert_error(anon.post(url, {}, format="json"), 400, "invalid")
    assert_error(anon.post(url, COMMENT, format="json"), 429, "throttled")
    assert not Comment.objects.exists()


def test_token_issue_is_throttled_per_address(rates, anon, participant):
    body = {"username": "participant", "password": "demo"}
    for _ in range(2):
        assert anon.post("/api/auth/token/", body, format="json").status_code == 200
    r = anon.post("/api/auth/token/", body, format="json")
    assert_error(r, 429, "throttled")
    assert r["Retry-After"] == "60"


def test_rates_default_to_twenty_an_hour(monkeypatch):
    monkeypatch.delenv("COMMENT_RATE", raising=False)
    assert env_rate("COMMENT_RATE", "20/hour") == "20/hour"
    monkeypatch.setenv("COMMENT_RATE", "5/minute")
    assert env_rate("COMMENT_RATE", "20/hour") == "5/minute"


@pytest.mark.parametrize("raw", ["many", "0/hour", "10/fortnight", "-1/day", "10"])
def test_a_bad_rate_stops_start_up(monkeypatch, raw):
    monkeypatch.setenv("TOKEN_RATE", raw)
    with pytest.raises(ImproperlyConfigured, match="TOKEN_RATE must be like 10/hour"):
        env_rate("TOKEN_RATE", "20/hour")


def test_the_comment_page_shares_the_addresss_budget(rates, client, anon, cycle):
    """The page's form and the API draw on one budget per address: the page refuses with a
    message on the form (429) and publishes nothing."""
    project = cycle.open()
    page = f"/projects/{project.key}/comments/"
    api = f"/api/projects/{project.key}/comments/"
    assert anon.post(api, COMMENT, format="json", REMOTE_ADDR="10.2.2.2").status_code == 201
    for _ in range(2):
        assert client.post(page, COMMENT, REMOTE_ADDR="10.2.2.2").status_code == 302
    refused = client.post(page, COMMENT, REMOTE_ADDR="10.2.2.2")
    assert refused.status_code == 429
    assert "Too many comments from your address. Try again in 60 minutes." in (
        refused.content.decode()
    )
    assert Comment.objects.filter(project=project).count() == 3
    # An invalid form is not counted; another address is not held back.
    assert client.post(page, {}, REMOTE_ADDR="10.2.2.3").status_code == 400
    assert client.post(page, COMMENT, REMOTE_ADDR="10.2.2.3").status_code == 302
