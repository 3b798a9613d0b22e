"""Token and session authentication, and the error shape of unauthenticated calls."""

import datetime as dt

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projects.models import Project
from tests.support import create_body

pytestmark = pytest.mark.django_db


def test_token_obtained_with_username_and_password(anon, participant):
    r = anon.post(
        "/api/auth/token/", {"username": "participant", "password": "demo"}, format="json"
    )
    assert r.status_code == 200
    token = Token.objects.get(user=participant)
    expires = token.created + dt.timedelta(days=settings.API_TOKEN_DAYS)
    assert r.json() == {"token": token.key, "expires": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}
    again = anon.post("/api/auth/token/", {"username": "participant", "password": "demo"})
    assert again.json() == r.json()


def test_token_authenticates_actions(anon, participant, ukraine, scopes):
    token = anon.post("/api/auth/token/", {"username": "participant", "password": "demo"}).json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
    r = client.post("/api/projects/", create_body(), format="json")
    assert r.status_code == 201
    assert Project.objects.get().created_by == participant


@pytest.mark.parametrize(
    "body",
    [
        {"username": "participant", "password": "wrong"},
        {"username": "nobody", "password": "demo"},
    ],
)
def test_token_wrong_credentials_is_400(anon, participant, body):
    r = anon.post("/api/auth/token/", body, format="json")
    assert r.status_code == 400
    assert r.json() == {
        "code": "invalid_credentials",
        "detail": "Unable to log in with that username and password.",
    }


def test_token_inactive_user_refused(anon, participant):
    participant.is_active = False
    participant.save()
    r = anon.post("/api/auth/token/", {"username": "participant", "password": "demo"})
    assert r.json()["code"] == "invalid_credentials"


def test_token_missing_field_is_400(anon):
    r = anon.post("/api/auth/token/", {"username": "participant"}, format="json")
    assert r.status_code == 400
    assert r.json()["code"] == "invalid"
    assert r.json()["field"] == "password"
    assert r.json()["detail"] == "password: This field is required."


def test_bad_token_is_401(anon, cycle):
    cycle.open()
    anon.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    r = anon.get("/api/projects/")
    assert r.status_code == 401
    assert r.json() == {"code": "not_authenticated", "detail": "Invalid token."}


@pytest.mark.parametrize(
    "path",
    [
        "/api/projects/",
        "/api/projects/0001/withdraw/",
        "/api/projects/0001/submit-pdd/",
        "/api/projects/0001/fee/payment/",
        "/api/engagements/1/accept/",
        "/api/comments/1/answer/",
    ],
)
def test_unauthenticated_action_is_401_with_json_body(anon, cycle, path):
    cycle.open()
    r = anon.post(path, {}, format="json")
    assert r.status_code == 401
    assert r.json() == {
        "code": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
    }
    assert Project.objects.get().status == "open_for_comments"


def test_unauthenticated_engagement_list_is_401(anon):
    assert anon.get("/api/engagements/").status_code == 401


def test_session_authentication_is_accepted(participant, ukraine, scopes):
    client = APIClient()
    client.force_login(participant)
    r = client.post("/api/projects/", create_body(), format="json")
    assert r.status_code == 201
    assert client.get("/api/projects/").json()["count"] == 1


def test_session_post_requires_csrf_token(participant, ukraine, scopes):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(participant)
    r = client.post("/api/projects/", create_body(), format="json")
    assert r.status_code == 403
    assert r.json()["code"] == "permission_denied"
    assert Project.objects.count() == 0
