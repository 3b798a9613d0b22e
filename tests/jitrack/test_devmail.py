"""``/dev/mail/`` (jitrack.devmail): with ``DEBUG=1`` and ``EMAIL_FILE_PATH`` (what
``./scripts/run`` sets), the mail the site sent is listed from the files Django's file-based
backend wrote — date, recipients, subject and body, newest first; with ``DEBUG`` off the page
does not exist for anyone."""

import datetime as dt
import os
import subprocess
import sys
from email.utils import format_datetime
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from jitrack import devmail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/dev/mail/"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def mailbox(settings, tmp_path):
    """Development settings as ./scripts/run makes them: DEBUG on, mail to files."""
    settings.DEBUG = True
    settings.EMAIL_BACKEND = devmail.FILE_BACKEND
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    return tmp_path / "mail"


def send(subject, body, to=("participant@example.org",), **extra):
    EmailMessage(subject, body, "jitrack <noreply@jitrack.invalid>", list(to), **extra).send()


def test_the_page_lists_each_message_with_date_recipients_subject_and_body(client, mailbox):
    send("PDD published: 0001", "The PDD of project 0001 is open for comments.")
    message = EmailMessage(
        "Комментарий получен: 0002",
        "Новый комментарий к проекту 0002.\n<script>alert(1)</script>",
        "jitrack <noreply@jitrack.invalid>",
        ["aie@example.org"],
        cc=["secretariat@example.org"],
    )
    message.attach("report.pdf", b"%PDF-1.4 demo", "application/pdf")
    message.send()

    assert list(mailbox.glob("*.log"))  # written by Django's file-based backend
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "PDD published: 0001",
        "The PDD of project 0001 is open for comments.",
        "participant@example.org",
        "Комментарий получен: 0002",  # encoded words decoded
        "Новый комментарий к проекту 0002.",  # and the body's transfer encoding
        "aie@example.org, secretariat@example.org",
        "report.pdf",
        "2 messages.",
    ):
        assert text in page, text
    assert "<script>alert(1)</script>" not in page  # a body is text, escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # the newest first, each with its date
    mails = response.context["mails"]
    assert [m.subject for m in mails] == ["Комментарий получен: 0002", "PDD published: 0001"]
    assert all(abs(m.date - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5) for m in mails)
    assert mails[0].date >= mails[1].date


def test_a_connection_writing_several_messages_into_one_file_lists_them_all(client, mailbox):
    with mail.get_connection() as connection:
        connection.send_messages(
            [
                EmailMessage(f"Reminder {n}", f"Body {n}", to=[f"u{n}@example.org"])
                for n in range(1, 4)
            ]
        )
    assert len(list(mailbox.glob("*.log"))) == 1
    mails = client.get(URL).context["mails"]
    assert sorted(m.subject for m in mails) == ["Reminder 1", "Reminder 2", "Reminder 3"]
    assert {m.body.strip() for m in mails} == {"Body 1", "Body 2", "Body 3"}


def test_only_the_newest_messages_are_listed(client, mailbox, monkeypatch):
    monkeypatch.setattr(devmail, "LIMIT", 3)
    sent = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
    for n in range(5):
        date = format_datetime(sent + dt.timedelta(minutes=n))
        send(f"Message {n}", "…", headers={"Date": date})
    response = client.get(URL)
    assert [m.subject for m in response.context["mails"]] == [
        "Message 4",
        "Message 3",
        "Message 2",
    ]
    assert "The newest 3 messages are shown; older ones stay in their files." in (
        response.content.decode()
    )


@pytest.mark.parametrize("messages", [1, 60])
def test_the_page_stays_within_the_query_budget(
    client, mailbox, messages, django_assert_max_num_queries
):
    with mail.get_connection() as connection:
        connection.send_messages(
            [EmailMessage(f"S{n}", "B", to=["a@example.org"]) for n in range(messages)]
        )
    client.force_login(UserFactory())
    with django_assert_max_num_queries(10):
        response = client.get(URL)
    assert len(response.context["mails"]) == messages


def test_without_mail_files_the_page_says_how_to_get_them(client, settings):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.EMAIL_FILE_PATH = ""
    response = client.get(URL)
    assert response.status_code == 200
    assert "set <code>EMAIL_FILE_PATH</code> to a folder" in response.content.decode()
    assert response.context["mails"] == []


def test_an_empty_folder_says_no_mail_yet(client, mailbox):
    response = client.get(URL)
    assert response.status_code == 200
    assert "No mail has been sent yet." in response.content.decode()


def test_with_debug_on_only_get_is_allowed(client, mailbox):
    assert client.post(URL).status_code == 405


@pytest.mark.parametrize("method", ["get", "post", "head"])
def test_with_debug_off_the_page_does_not_exist(client, settings, tmp_path, method):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = devmail.FILE_BACKEND
    settings.EMAIL_FILE_PATH = str(tmp_path)
    send("Secret", "A password reset link")
    assert getattr(client, method)(URL).status_code == 404
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = getattr(client, method)(URL)
    assert response.status_code == 404
    assert b"password reset" not in response.content


def settings_of(tmp_path, **env) -> list[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("EMAIL_") and k not in ("DEBUG", "JITRACK_TESTING")
    }
    probe = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH or '-')"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=clean
        | {
            "DJANGO_SETTINGS_MODULE": "jitrack.settings",
            "DEBUG": "1",
            "JITRACK_VAR_DIR": str(tmp_path / "var"),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_email_file_path_sends_mail_to_files_unless_smtp_is_configured(tmp_path):
    folder = str(tmp_path / "mail")
    assert settings_of(
        tmp_path,
    ) == ["django.core.mail.backends.console.EmailBackend", "-"]
    assert settings_of(tmp_path, EMAIL_FILE_PATH=folder) == [devmail.FILE_BACKEND, folder]
    assert settings_of(tmp_path, EMAIL_FILE_PATH=folder, EMAIL_HOST="smtp.example.org")[0] == (
        "django.core.mail.backends.smtp.EmailBackend"
    )
