"""API tokens that expire (API_TOKEN_DAYS after issue) and can be revoked, by the API and on the
account page (projects.accounts)."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.support import assert_error, client_for, html

pytestmark = pytest.mark.django_db

CREDENTIALS = {"username": "participant", "password": "demo"}


def age(token, days):
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(days=days))


def with_token(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_tokens_last_ninety_days_by_default(settings):
    assert settings.API_TOKEN_DAYS == 90


def test_a_token_works_until_it_expires(pp_api, participant):
    token = Token.objects.get(user=participant)
    age(token, 89)
    assert pp_api.get("/api/engagements/").status_code == 200
    age(token, 90)
    r = pp_api.get("/api/engagements/")
    body = assert_error(r, 401, "token_expired")
    assert body["detail"] == "This token has expired; ask for a new one (POST /api/auth/token/)."
    assert r["WWW-Authenticate"] == "Token"


def test_token_days_follow_the_setting(pp_api, participant, settings):
    settings.API_TOKEN_DAYS = 7
    age(Token.objects.get(user=participant), 8)
    assert_error(pp_api.get("/api/engagements/"), 401, "token_expired")


def test_an_expired_token_is_replaced_on_request(anon, participant):
    old = Token.objects.create(user=participant)
    age(old, 91)
    r = anon.post("/api/auth/token/", CREDENTIALS, format="json")
    assert r.status_code == 200
    new = Token.objects.get(user=participant)
    assert r.json()["token"] == new.key != old.key
    assert with_token(new.key).get("/api/engagements/").status_code == 200
    assert_error(with_token(old.key).get("/api/engagements/"), 401, "not_authenticated")


def test_a_valid_token_is_returned_again_with_its_expiry(anon, participant):
    token = Token.objects.create(user=participant)
    age(token, 10)
    token.refresh_from_db()
    r = anon.post("/api/auth/token/", CREDENTIALS, format="json")
    expires = token.created + dt.timedelta(days=90)
    assert r.json() == {"token": token.key, "expires": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}


def test_delete_revokes_the_token(pp_api, participant):
    r = pp_api.delete("/api/auth/token/")
    assert r.status_code == 204
    assert not Token.objects.filter(user=participant).exists()
    assert_error(pp_api.get("/api/engagements/"), 401, "not_authenticated")


def test_delete_without_a_token_is_404_with_a_session(participant):
    client = APIClient()
    client.force_login(participant)
    assert_error(client.delete("/api/auth/token/"), 404, "not_found")


def test_delete_anonymous_is_401(anon):
    assert_error(anon.delete("/api/auth/token/"), 401, "not_authenticated")


def test_delete_with_an_expired_token_is_401_and_keeps_it(pp_api, participant):
    token = Token.objects.get(user=participant)
    age(token, 100)
    assert_error(pp_api.delete("/api/auth/token/"), 401, "token_expired")
    assert Token.objects.filter(pk=token.pk).exists()


def test_post_ignores_a_stale_token_header(participant):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.post("/api/auth/token/", CREDENTIALS, format="json").status_code == 200


def test_other_methods_are_405(anon):
    assert_error(anon.get("/api/auth/token/"), 405)


# --- the account page ----------------------------------------------------------------------------


def test_account_page_shows_the_token_and_its_expiry(client, participant):
    token = client_for(participant) and Token.objects.get(user=participant)
    client.force_login(participant)
    page = html(client.get("/account/"))
    expires = timezone.localtime(token.created + dt.timedelta(days=90))
    assert f"refused from {expires:%-d %B %Y %H:%M} GMT" in page
    assert token.key not in page
    assert 'action="/account/token/revoke/"' in page


def test_account_page_revokes_the_token(client, participant):
    client_for(participant)
    client.force_login(participant)
    r = client.post("/account/token/revoke/")
    assert r.status_code == 302 and r["Location"] == "/account/"
    assert not Token.objects.filter(user=participant).exists()
    page = html(client.get("/account/"))
    assert "Your API token was revoked." in page
    assert "You have no API token." in page


def test_account_page_issues_a_new_token_shown_once(client, participant):
    old = client_for(participant) and Token.objects.get(user=participant)
    client.force_login(participant)
    r = client.post("/account/token/new/")
    new = Token.objects.get(user=participant)
    assert r.status_code == 200
    assert new.key != old.key and new.key in html(r)
    assert new.key not in html(client.get("/account/"))


def test_account_pages_need_login_and_post(client, participant):
    assert client.get("/account/")["Location"] == "/login/?next=/account/"
    assert client.post("/account/token/revoke/").status_code == 302
    client.force_login(participant)
    assert client.get("/account/token/revoke/").status_code == 405
    assert client.get("/account/token/new/").status_code == 405
    assert not Token.objects.filter(user=participant).exists()
