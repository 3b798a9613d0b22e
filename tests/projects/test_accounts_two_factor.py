"""The second factor (TOTP, django-otp) of the secretariat, the JISC and superusers
(projects.accounts): enrolment, the code after the password, sessions without it, API tokens.

Elsewhere the suite's ``client.force_login`` stands for a complete login (tests/conftest.py);
here the login pages are driven as a browser would."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from projects.accounts import SECOND_FACTOR
from tests.factories import UserFactory
from tests.support import assert_error, html, totp_code

pytestmark = pytest.mark.django_db

STAFF = ["secretariat", "jisc_user"]


def password(client, username, next_url=""):
    body = {"username": username, "password": "demo"}
    if next_url:
        body["next"] = next_url
    return client.post("/login/", body)


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def later(minutes=1):
    return time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes))


@pytest.mark.parametrize("who", STAFF)
def test_first_login_enrols_a_device_then_logs_in(client, request, who):
    user = request.getfixturevalue(who)
    r = password(client, user.username)
    assert r["Location"] == "/login/enrol/"
    assert SESSION_KEY not in client.session
    assert client.get("/dashboard/")["Location"] == "/login/?next=/dashboard/"
    page = client.get("/login/enrol/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    text = html(page)
    assert "<svg" in text and "<path" in text
    assert 'id="otp-secret"' in text
    assert "otpauth://totp/jitrack%3A" in text
    # Reloading keeps the secret the app has scanned.
    client.get("/login/enrol/")
    assert TOTPDevice.objects.filter(user=user).count() == 1
    r = client.post("/login/enrol/", {"code": totp_code(device)})
    assert r["Location"] == "/dashboard/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.session[SECOND_FACTOR] == device.persistent_id
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.parametrize("who", STAFF)
def test_later_logins_ask_the_code_and_keep_next(client, request, who):
    user = request.getfixturevalue(who)
    device = enrolled(user)
    r = password(client, user.username, next_url="/fees/revenue/")
    assert r["Location"] == "/login/code/"
    assert SESSION_KEY not in client.session
    assert "Enter your code" in html(client.get("/login/code/"))
    r = client.post("/login/code/", {"code": totp_code(device)})
    assert r["Location"] == "/fees/revenue/"
    assert client.session[SESSION_KEY] == str(user.pk)


def test_a_wrong_code_is_refused_on_the_form(client, secretariat):
    device = enrolled(secretariat)
    password(client, "secretariat")
    wrong = "000000" if totp_code(device) != "000000" else "111111"
    r = client.post("/login/code/", {"code": wrong})
    assert r.status_code == 400
    assert "That code is not right." in html(r)
    assert SESSION_KEY not in client.session
    # django-otp's delay after a wrong code: even the right code waits.
    r = client.post("/login/code/", {"code": totp_code(device)})
    assert r.status_code == 429
    assert "Too many wrong codes. Wait" in html(r)
    with later():
        r = client.post("/login/code/", {"code": totp_code(device)})
    assert r["Location"] == "/dashboard/"


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "1234567"])
def test_a_malformed_code_is_a_form_error(client, secretariat, code):
    enrolled(secretariat)
    password(client, "secretariat")
    r = client.post("/login/code/", {"code": code})
    assert r.status_code == 400
    assert SESSION_KEY not in client.session


def test_wrong_codes_count_towards_the_lockout(client, secretariat, settings):
    device = enrolled(secretariat)
    password(client, "secretariat")
    statuses = []
    for i in range(settings.AXES_FAILURE_LIMIT):
        # 20 seconds apart, past django-otp's delay: only the lockout stops them.
        with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=20 * i)):
            statuses.append(client.post("/login/code/", {"code": "000000"}).status_code)
    assert statuses == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    with later(minutes=3):
        # The lockout ended the login in progress; the password is refused until the cool-off.
        assert client.post("/login/code/", {"code": totp_code(device)})["Location"] == "/login/"
        assert password(client, "secretariat").status_code == 429
        assert SESSION_KEY not in client.session


def test_the_code_must_follow_the_password_within_minutes(client, secretariat):
    device = enrolled(secretariat)
    password(client, "secretariat")
    with later(minutes=6):
        r = client.post("/login/code/", {"code": totp_code(device)})
    assert r["Location"] == "/login/"
    assert SESSION_KEY not in client.session


def test_the_code_and_enrol_pages_need_the_password_first(client, secretariat):
    assert client.get("/login/code/")["Location"] == "/login/"
    assert client.get("/login/enrol/")["Location"] == "/login/"
    assert not TOTPDevice.objects.exists()


def test_an_enrolled_user_cannot_enrol_another_device(client, secretariat):
    enrolled(secretariat)
    password(client, "secretariat")
    assert client.get("/login/enrol/")["Location"] == "/login/code/"
    assert TOTPDevice.objects.filter(user=secretariat).count() == 1


@pytest.mark.parametrize("who", ["participant", "aie_user", "party_user"])
def test_other_roles_log_in_with_the_password_alone(client, request, who):
    user = request.getfixturevalue(who)
    assert password(client, user.username)["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_superusers_need_the_second_factor(client, db):
    UserFactory(username="root", role="", is_superuser=True, is_staff=True)
    assert password(client, "root")["Location"] == "/login/enrol/"


def test_a_session_without_the_second_factor_is_logged_out(client, secretariat):
    client.force_login(secretariat)
    assert client.get("/dashboard/").status_code == 200
    session = client.session
    del session[SECOND_FACTOR]
    session.save()
    assert client.get("/dashboard/")["Location"] == "/login/?next=/dashboard/"
    assert SESSION_KEY not in client.session


def test_a_participant_session_needs_no_second_factor(client, participant):
    client.force_login(participant)
    session = client.session
    del session[SECOND_FACTOR]
    session.save()
    assert client.get("/dashboard/").status_code == 200


def test_admin_login_goes_through_ours(client):
    r = client.get("/admin/login/?next=/admin/")
    assert r["Location"] == "/login/?next=/admin/"


def test_account_page_shows_the_second_factor(client, secretariat, participant):
    enrolled(secretariat)
    client.force_login(secretariat)
    assert "On: you log in with a code from your authenticator app" in html(client.get("/account/"))
    client.force_login(participant)
    assert "Not required for your role." in html(client.get("/account/"))


# --- API tokens ----------------------------------------------------------------------------------


def ask_token(anon, username, otp=None):
    body = {"username": username, "password": "demo"}
    if otp is not None:
        body["otp"] = otp
    return anon.post("/api/auth/token/", body, format="json")


def test_staff_token_needs_an_enrolled_device(anon, secretariat):
    r = ask_token(anon, "secretariat", "123456")
    assert_error(r, 403, "otp_enrolment_required")
    assert not Token.objects.exists()


def test_staff_token_needs_the_code(anon, secretariat):
    enrolled(secretariat)
    assert_error(ask_token(anon, "secretariat"), 400, "otp_required", field="otp")
    assert_error(ask_token(anon, "secretariat", "12ab"), 400, "invalid", field="otp")
    assert not Token.objects.exists()


def test_staff_token_with_a_wrong_code_is_refused(anon, secretariat):
    device = enrolled(secretariat)
    wrong = "000000" if totp_code(device) != "000000" else "111111"
    assert_error(ask_token(anon, "secretariat", wrong), 400, "invalid_otp", field="otp")
    assert_error(ask_token(anon, "secretariat", totp_code(device)), 429, "otp_throttled")
    assert not Token.objects.exists()


@pytest.mark.parametrize("who", STAFF)
def test_staff_token_with_the_code(anon, request, who):
    user = request.getfixturevalue(who)
    device = enrolled(user)
    r = ask_token(anon, user.username, totp_code(device))
    assert r.status_code == 200
    assert r.json()["token"] == Token.objects.get(user=user).key
    # A code works once.
    assert_error(ask_token(anon, user.username, totp_code(device)), 400, "invalid_otp")


def test_a_wrong_password_is_refused_before_the_code(anon, secretariat):
    enrolled(secretariat)
    r = anon.post("/api/auth/token/", {"username": "secretariat", "password": "x", "otp": "123456"})
    assert_error(r, 400, "invalid_credentials")
