"""Password validators, password change and reset by e-mail (Django's views, our templates,
the mail through jitrack.mail)."""

import re

import pytest
from django.contrib.auth.password_validation import get_default_password_validators
from django.core import mail
from rest_framework.authtoken.models import Token

from projects.models import User
from tests.support import client_for, html

pytestmark = pytest.mark.django_db

STRONG = "Wind-turbines-in-Lviv-2026"


def test_four_validators_apply_always():
    names = [type(v).__name__ for v in get_default_password_validators()]
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("participant1", "The password is too similar to the username."),
        ("Ab1-x", "This password is too short. It must contain at least 8 characters."),
        ("password123", "This password is too common."),
        ("4823917365012", "This password is entirely numeric."),
    ],
)
def test_password_change_refuses_weak_passwords(client, participant, password, message):
    client.force_login(participant)
    r = client.post(
        "/account/password/",
        {"old_password": "demo", "new_password1": password, "new_password2": password},
    )
    assert r.status_code == 200
    assert message in html(r)
    participant.refresh_from_db()
    assert participant.check_password("demo")


def test_password_change_with_a_wrong_old_password_changes_nothing(client, participant):
    client.force_login(participant)
    r = client.post(
        "/account/password/",
        {"old_password": "nope", "new_password1": STRONG, "new_password2": STRONG},
    )
    assert "Your old password was entered incorrectly." in html(r)
    participant.refresh_from_db()
    assert participant.check_password("demo")


def test_password_change_sets_it_keeps_the_session_and_revokes_the_token(client, participant):
    client_for(participant)
    client.force_login(participant)
    r = client.post(
        "/account/password/",
        {"old_password": "demo", "new_password1": STRONG, "new_password2": STRONG},
    )
    assert r["Location"] == "/account/password/done/"
    assert "Your password was changed." in html(client.get(r["Location"]))
    participant.refresh_from_db()
    assert participant.check_password(STRONG)
    assert not Token.objects.filter(user=participant).exists()
    assert client.get("/dashboard/").status_code == 200


def test_password_change_needs_login(client):
    assert client.get("/account/password/")["Location"] == "/login/?next=/account/password/"


@pytest.fixture
def ask_reset(client, django_capture_on_commit_callbacks):
    """Post the reset form; the mail goes out after the commit (jitrack.mail)."""

    def ask(email):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/password-reset/", {"email": email})

    return ask


def set_password_page(client, message) -> tuple[str, str]:
    """The reset link of ``message``, and the page it leads to (Django hides the token)."""
    link = re.search(r"(/password-reset/\S+/\S+/)", message.body).group(1)
    return link, client.get(link, follow=True).redirect_chain[-1][0]


def test_password_reset_by_mail(client, participant, settings, ask_reset):
    settings.SITE_URL = "https://jitrack.example"
    client_for(participant)
    r = ask_reset("participant@example.org")
    assert r["Location"] == "/password-reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["participant@example.org"]
    assert message.subject == "jitrack: reset your password"
    assert "jitrack account participant" in message.body
    link = re.search(r"https://jitrack\.example(/password-reset/\S+/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in html(form)
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": STRONG, "new_password2": STRONG})
    assert done["Location"] == "/password-reset/done/"
    participant.refresh_from_db()
    assert participant.check_password(STRONG)
    assert not Token.objects.filter(user=participant).exists()
    # The link works once.
    again = client.get(link, follow=True)
    assert "This link does not work" in html(again)


def test_password_reset_refuses_a_weak_password(client, participant, ask_reset):
    ask_reset("participant@example.org")
    _link, set_url = set_password_page(client, mail.outbox[0])
    r = client.post(set_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert r.status_code == 200
    assert "This password is entirely numeric." in html(r)
    participant.refresh_from_db()
    assert participant.check_password("demo")


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(ask_reset):
    r = ask_reset("nobody@example.org")
    assert r["Location"] == "/password-reset/sent/"
    assert mail.outbox == []


def test_password_reset_skips_inactive_users(participant, ask_reset):
    User.objects.filter(pk=participant.pk).update(is_active=False)
    ask_reset("participant@example.org")
    assert mail.outbox == []


def test_password_reset_with_a_bad_address_is_a_form_error(client):
    r = client.post("/password-reset/", {"email": "not an address"})
    assert r.status_code == 200
    assert "Enter a valid email address." in html(r)


def test_password_reset_ends_a_lockout(client, participant, settings, ask_reset):
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "participant", "password": f"wrong{i}"})
    assert (
        client.post("/login/", {"username": "participant", "password": "demo"}).status_code == 429
    )
    ask_reset("participant@example.org")
    _link, set_url = set_password_page(client, mail.outbox[0])
    client.post(set_url, {"new_password1": STRONG, "new_password2": STRONG})
    r = client.post("/login/", {"username": "participant", "password": STRONG})
    assert r.status_code == 302


def test_links_to_reset_and_change(client, participant):
    assert 'href="/password-reset/"' in html(client.get("/login/"))
    client.force_login(participant)
    assert 'href="/account/"' in html(client.get("/dashboard/"))
    assert 'href="/account/password/"' in html(client.get("/account/"))
