"""Login lockout (django-axes, projects.accounts): per username and per address, on the login
page and the API token endpoint, for LOGIN_COOLOFF_MINUTES."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from rest_framework.authtoken.models import Token

from tests.support import assert_error, html

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT
LOCKED = "Too many failed logins for this account or from this address. Try again in 15 minutes"


def post_login(client, username, password, address="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def post_token(anon, username, password, address="10.0.0.1"):
    return anon.post(
        "/api/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def test_settings_lock_after_five_failures_for_fifteen_minutes():
    assert LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == dt.timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]


def test_login_page_locks_a_user_out_after_repeated_failures(client, participant):
    statuses = [post_login(client, "participant", f"wrong{i}").status_code for i in range(100)]
    assert statuses[: LIMIT - 1] == [200] * (LIMIT - 1)
    assert set(statuses[LIMIT - 1 :]) == {429}
    right = post_login(client, "participant", "demo")
    assert right.status_code == 429
    assert right["Retry-After"] == "900"
    assert LOCKED in html(right)
    assert 'class="alert alert-error lockout"' in html(right)
    assert SESSION_KEY not in client.session
    assert client.get("/dashboard/").status_code == 302


def test_login_works_again_after_the_cool_off(client, participant):
    for i in range(LIMIT):
        post_login(client, "participant", f"wrong{i}")
    assert post_login(client, "participant", "demo").status_code == 429
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)):
        response = post_login(client, "participant", "demo")
        assert response.status_code == 302
        assert client.get("/dashboard/").status_code == 200


def test_lockout_per_username_holds_from_another_address(client, participant):
    for i in range(LIMIT):
        post_login(client, "participant", f"wrong{i}", address="10.0.0.1")
    assert post_login(client, "participant", "demo", address="10.9.9.9").status_code == 429


def test_lockout_per_address_holds_for_another_username(client, participant, aie_user):
    for i in range(LIMIT):
        post_login(client, f"nobody{i}", "guess", address="10.0.0.7")
    assert post_login(client, "aie", "demo", address="10.0.0.7").status_code == 429
    assert post_login(client, "aie", "demo", address="10.0.0.8").status_code == 302


def test_a_successful_login_resets_the_count(client, participant):
    for i in range(LIMIT - 1):
        post_login(client, "participant", f"wrong{i}")
    assert post_login(client, "participant", "demo").status_code == 302
    client.post("/logout/")
    for i in range(LIMIT - 1):
        assert post_login(client, "participant", f"wrong{i}").status_code == 200
    assert post_login(client, "participant", "demo").status_code == 302


def test_api_token_locks_out_with_a_json_429(anon, participant):
    answers = [post_token(anon, "participant", f"wrong{i}") for i in range(200)]
    assert [r.status_code for r in answers[: LIMIT - 1]] == [400] * (LIMIT - 1)
    assert {r.status_code for r in answers[LIMIT - 1 :]} == {429}
    right = post_token(anon, "participant", "demo")
    body = assert_error(right, 429, "locked_out")
    assert body["detail"].startswith(LOCKED)
    assert right["Retry-After"] == "900"
    assert not Token.objects.filter(user=participant).exists()


def test_api_token_works_again_after_the_cool_off(anon, participant):
    for i in range(LIMIT):
        post_token(anon, "participant", f"wrong{i}")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)):
        right = post_token(anon, "participant", "demo")
    assert right.status_code == 200
    assert right.json()["token"] == Token.objects.get(user=participant).key


def test_login_page_and_api_share_one_count(client, anon, participant):
    for i in range(LIMIT - 1):
        post_token(anon, "participant", f"wrong{i}")
    assert post_login(client, "participant", "wrong").status_code == 429
    assert post_token(anon, "participant", "demo").status_code == 429


def test_forwarded_address_counts_only_behind_trusted_proxies(client, participant, settings):
    for i in range(LIMIT):
        client.post(
            "/login/",
            {"username": f"nobody{i}", "password": "x"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}",
        )
    # No proxy is trusted: the forwarded addresses are the client's own words, not counted.
    assert post_login(client, "participant", "demo", address="10.0.0.1").status_code == 429
    settings.TRUSTED_PROXIES = 1
    response = client.post(
        "/login/",
        {"username": "participant", "password": "demo"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert response.status_code == 302
