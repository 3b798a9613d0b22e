"""A session ends after SESSION_COOKIE_AGE (8 hours) without a request, and lasts while its user
keeps working: jitrack.middleware.SlidingSessionMiddleware pushes its expiry back at most every
RENEW_EVERY_SECONDS, so a page does not write the session on every request."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session

from jitrack.middleware import RENEW_EVERY_SECONDS
from tests.support import at

pytestmark = pytest.mark.django_db

T0 = at(2026, 3, 2, 8)
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)


def signed_in(client, user):
    """A session as a login through the site leaves it: saved, with its renewal mark."""
    client.force_login(user)
    session = client.session
    session["_jitrack_renewed"] = int(T0.timestamp())
    session.save()
    return client


def expires(client) -> dt.datetime:
    return Session.objects.get(
        session_key=client.cookies[settings.SESSION_COOKIE_NAME].value
    ).expire_date


def dashboard_is_served(client) -> bool:
    response = client.get("/dashboard/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def test_session_lifetime_settings():
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert RENEW_EVERY_SECONDS == 300


def test_session_ends_after_eight_idle_hours(client, participant):
    with time_machine.travel(T0, tick=False) as clock:
        signed_in(client, participant)
        assert dashboard_is_served(client)
        clock.move_to(T0 + 8 * HOUR - MINUTE)
        assert dashboard_is_served(client)  # renewed: eight more hours from now
        clock.move_to(T0 + 16 * HOUR - 2 * MINUTE)
        assert dashboard_is_served(client)
        clock.move_to(T0 + 24 * HOUR)
        assert not dashboard_is_served(client)  # idle for more than eight hours
        assert client.get("/dashboard/")["Location"].startswith("/login/")


def test_session_is_renewed_at_most_every_five_minutes(client, participant):
    with time_machine.travel(T0, tick=False) as clock:
        signed_in(client, participant)
        first = expires(client)
        assert first == T0 + 8 * HOUR
        clock.move_to(T0 + 4 * MINUTE)
        assert dashboard_is_served(client)
        assert expires(client) == first  # not written again
        clock.move_to(T0 + 5 * MINUTE)
        assert dashboard_is_served(client)
        assert expires(client) == T0 + 5 * MINUTE + 8 * HOUR
        clock.move_to(T0 + 9 * MINUTE)
        assert dashboard_is_served(client)
        assert expires(client) == T0 + 5 * MINUTE + 8 * HOUR


def test_a_renewed_session_cookie_ends_with_the_browser(client, participant):
    with time_machine.travel(T0, tick=False) as clock:
        signed_in(client, participant)
        clock.move_to(T0 + 10 * MINUTE)
        response = client.get("/dashboard/")
        cookie = response.cookies[settings.SESSION_COOKIE_NAME]
        assert cookie.value and cookie["max-age"] == "" and cookie["expires"] == ""
        assert cookie["httponly"] is True


def test_an_anonymous_visit_writes_no_session(client, participant):
    response = client.get("/projects/")
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert not Session.objects.exists()
