"""The mail outbox (``projects.outbox``, issue 14): an act's mail is a row written in the act's
transaction; the drain sends each message once (at least once across a crash after the server
accepted it), retries failures with back-off, gives up and tells the secretariat."""

import datetime as dt
import smtplib
import threading
import time
from urllib.parse import urlsplit

import pytest
import time_machine
from celery import current_app
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from jitrack import mail
from projects import outbox
from projects import workflow as wf
from projects.models import OutboxMail, Project, User
from tests.support import html, login, queries_for

pytestmark = pytest.mark.django_db

UTC = dt.UTC
T0 = dt.datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
ACCEPT_AND_DIE = "accept, then the worker dies"

# What the mail server accepted: (to, Message-ID), in order, and the bodies.
SENT: list[tuple[str, str]] = []
BODIES: list[str] = []
# What the mail server answers to the next messages, in turn, before it accepts again: an
# exception to raise, or ACCEPT_AND_DIE.
ANSWERS: list = []
_lock = threading.Lock()


class Server(BaseEmailBackend):
    """The mail server, outside the system: slow enough for two drains to overlap."""

    def send_messages(self, messages):
        for message in messages:
            with _lock:
                answer = ANSWERS.pop(0) if ANSWERS else None
            if isinstance(answer, Exception):
                raise answer
            time.sleep(0.01)
            with _lock:
                SENT.append((message.to[0], message.message()["Message-ID"]))
                BODIES.append(message.body)
            if answer == ACCEPT_AND_DIE:
                raise SystemExit(1)
        return len(messages)


@pytest.fixture(autouse=True)
def server(settings):
    settings.EMAIL_BACKEND = f"{__name__}.Server"
    for kept in (SENT, BODIES, ANSWERS):
        kept.clear()
    yield
    for kept in (SENT, BODIES, ANSWERS):
        kept.clear()


class Boom(Exception):
    pass


def beat() -> dict[str, int]:
    """The beat's run of the outbox's drain (eager in the tests)."""
    return current_app.tasks[settings.CELERY_BEAT_SCHEDULE["drain-mail"]["task"]].delay().get()


def engage(cycle, participant, aie_user) -> Project:
    project = cycle.draft()
    wf.engage_aie(participant, project, aie_user.organisation)
    return project


def test_an_act_writes_its_mail_as_one_outbox_row_in_its_transaction(
    cycle, participant, aie_user, django_capture_on_commit_callbacks
):
    project = cycle.draft()
    with pytest.raises(Boom), transaction.atomic():
        wf.engage_aie(participant, project, aie_user.organisation)
        raise Boom
    assert not OutboxMail.objects.exists()

    project = Project.objects.get(pk=project.pk)
    with (
        django_capture_on_commit_callbacks() as queued,
        CaptureQueriesContext(connection) as ctx,
    ):
        wf.engage_aie(participant, project, aie_user.organisation)
    [row] = OutboxMail.objects.all()
    event = project.events.get(kind="engagement_requested")
    assert (row.builder, row.args, row.done_at, row.attempts) == (
        "projects.notify.events_messages",
        [[event.pk]],
        None,
        0,
    )
    touching = [q["sql"] for q in ctx.captured_queries if "outboxmail" in q["sql"].lower()]
    assert len(touching) == 1 and touching[0].startswith("INSERT")
    assert SENT == []

    for callback in queued:  # the commit
        callback()
    row.refresh_from_db()
    [message] = OutboxMail.objects.filter(builder="")
    assert (message.source_id, message.to) == (row.pk, aie_user.email)
    assert row.done_at is not None and message.done_at is not None
    assert SENT == [(aie_user.email, message.message_id)]
    assert message.subject.endswith("engagement requested")
    assert f"/projects/{project.key}/" in BODIES[0]
    assert message.body == ""  # sent: a queue, not an archive


def test_after_commit_only_the_acts_own_rows_are_drained(
    cycle, participant, aie_user, secretariat, django_capture_on_commit_callbacks
):
    # A row of another transaction whose task never ran (here: written outside any capture).
    other = outbox.send_on_commit("reviews.notify.user_messages", [secretariat.pk], "S", "B", "/")
    with django_capture_on_commit_callbacks(execute=True):
        engage(cycle, participant, aie_user)
    assert [to for to, _ in SENT] == [aie_user.email]
    other.refresh_from_db()
    assert other.done_at is None
    assert beat() == {"built": 1, "build_failed": 0, "sent": 1, "send_failed": 0}
    assert [to for to, _ in SENT] == [aie_user.email, secretariat.email]


def test_mail_whose_task_was_lost_with_the_broker_is_sent_by_the_beat(
    cycle, participant, aie_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # Redis flushed: the task never ran
        engage(cycle, participant, aie_user)
    assert SENT == []
    assert beat()["sent"] == 1
    assert beat() == {"built": 0, "build_failed": 0, "sent": 0, "send_failed": 0}
    [message] = OutboxMail.objects.filter(builder="")
    assert SENT == [(aie_user.email, message.message_id)]


@pytest.mark.django_db(transaction=True)
def test_two_drains_at_once_send_each_message_once():
    users = [
        User.objects.create(username=f"u{i}", email=f"u{i}@example.org", role=User.Role.JISC)
        for i in range(8)
    ]
    # An act's row (its own task lost), turned into its messages.
    OutboxMail.objects.create(
        builder="reviews.notify.user_messages",
        args=[[u.pk for u in users], "Meeting", "The JISC meets.", "/reviews/"],
    )
    assert outbox.build_due() == {"built": 1, "build_failed": 0}
    assert outbox.build_due() == {"built": 0, "build_failed": 0}
    results = []
    if connection.vendor == "postgresql":
        start = threading.Barrier(2)

        def drain():
            try:
                start.wait()
                results.append(outbox.drain_due())
            finally:
                connection.close()

        threads = [threading.Thread(target=drain) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:  # SQLite has no row locks: one writer at a time
        results = [outbox.drain_due(), outbox.drain_due()]
    assert sum(r["sent"] for r in results) == 8
    assert sum(r["send_failed"] for r in results) == 0
    assert sorted(to for to, _ in SENT) == sorted(u.email for u in users)
    messages = OutboxMail.objects.filter(builder="")
    assert len({to_id for _, to_id in SENT}) == 8
    assert sorted(SENT) == sorted((m.to, m.message_id) for m in messages)
    assert all(m.done_at is not None for m in messages)


def test_a_failure_is_retried_with_back_off_then_given_up_and_shown_to_the_secretariat(
    client, cycle, participant, aie_user, secretariat, django_capture_on_commit_callbacks
):
    ANSWERS.extend(
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed") for _ in "12345678"
    )
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        engage(cycle, participant, aie_user)
    [message] = OutboxMail.objects.filter(builder="")
    assert (message.attempts, message.due_at) == (1, T0 + dt.timedelta(minutes=1))
    at = T0
    for attempt, minutes in enumerate([1, 2, 4, 8, 16, 32, 64], start=2):
        at += dt.timedelta(minutes=minutes)
        with time_machine.travel(at - dt.timedelta(seconds=1), tick=False):
            assert beat()["send_failed"] == 0  # not yet due
        with time_machine.travel(at, tick=False):
            assert beat()["send_failed"] == 1
        message.refresh_from_db()
        assert message.attempts == attempt
        if attempt == 3:
            with time_machine.travel(at, tick=False):
                page = html(login(client, secretariat).get("/dashboard/"))
            assert "Mail problems" in page and "next try" in page and aie_user.email in page
    assert message.given_up_at == at
    assert message.error == "SMTPServerDisconnected: Connection unexpectedly closed"
    with time_machine.travel(at + dt.timedelta(days=1), tick=False):
        assert beat()["send_failed"] == 0
        page = html(login(client, secretariat).get("/dashboard/"))
    assert SENT == []
    assert "Mail problems" in page and "given up" in page and "8 attempts" in page
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in page
    with time_machine.travel(at + dt.timedelta(days=8), tick=False):
        assert "Mail problems" not in html(client.get("/dashboard/"))


def test_a_permanent_refusal_is_given_up_at_once_and_a_temporary_one_retried(
    aie_user, secretariat, django_capture_on_commit_callbacks
):
    ANSWERS.extend(
        [
            smtplib.SMTPRecipientsRefused({aie_user.email: (550, b"5.1.1 No such user")}),
            smtplib.SMTPRecipientsRefused({secretariat.email: (451, b"4.3.0 Try later")}),
        ]
    )
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        for user in (aie_user, secretariat):
            outbox.send_on_commit("reviews.notify.user_messages", [user.pk], "S", "B", "/")
    refused = OutboxMail.objects.get(to=aie_user.email)
    later = OutboxMail.objects.get(to=secretariat.email)
    assert (refused.attempts, refused.given_up_at) == (1, T0)
    assert (later.attempts, later.given_up_at, later.due_at) == (
        1,
        None,
        T0 + dt.timedelta(minutes=1),
    )
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        assert beat()["sent"] == 1
    assert SENT == [(secretariat.email, later.message_id)]


def test_refused_means_every_recipient_refused_with_a_5xx_reply():
    assert mail.refused(smtplib.SMTPRecipientsRefused({"a@x.org": (550, b"no")}))
    assert not mail.refused(smtplib.SMTPRecipientsRefused({"a@x.org": (452, b"full")}))
    assert not mail.refused(smtplib.SMTPServerDisconnected("gone"))
    assert not mail.refused(ConnectionRefusedError())


def test_a_message_accepted_before_the_worker_died_is_sent_again_under_the_same_message_id(
    aie_user, django_capture_on_commit_callbacks
):
    """The one window of the at-least-once guarantee (``OutboxMail``)."""
    ANSWERS.append(ACCEPT_AND_DIE)
    with django_capture_on_commit_callbacks() as queued:
        outbox.send_on_commit("reviews.notify.user_messages", [aie_user.pk], "S", "B", "/")
    with pytest.raises(SystemExit):
        queued[0]()
    [message] = OutboxMail.objects.filter(builder="")
    assert (message.done_at, message.attempts) == (None, 0)  # its transaction rolled back
    assert beat()["sent"] == 1
    assert SENT == [(aie_user.email, message.message_id)] * 2
    domain = urlsplit(settings.SITE_URL).hostname
    assert message.message_id.startswith("<") and message.message_id.endswith(f"@{domain}>")


def test_mail_tasks_queued_before_the_outbox_are_sent_through_it(
    cycle, participant, aie_user, django_capture_on_commit_callbacks
):
    project = engage(cycle, participant, aie_user)
    OutboxMail.objects.all().delete()
    event = project.events.get(kind="engagement_requested")
    with django_capture_on_commit_callbacks(execute=True):
        current_app.tasks["jitrack.mail.send_mail"].delay(
            "projects.notify.event_messages", event.pk
        )
    [row] = OutboxMail.objects.exclude(builder="")
    assert (row.builder, row.args) == ("projects.notify.event_messages", [event.pk])
    assert [to for to, _ in SENT] == [aie_user.email]


def test_the_kernel_queue_writes_to_the_outbox_and_refuses_what_is_no_builder(aie_user):
    mail.send_on_commit("reviews.notify.user_messages", [aie_user.pk], "S", "B", "/")
    assert OutboxMail.objects.get().builder == "reviews.notify.user_messages"
    with pytest.raises(ValueError):
        mail.send_on_commit("os.system", "true")
    assert OutboxMail.objects.count() == 1


def test_mail_problems_cost_the_dashboard_no_query_per_row(client, secretariat):
    login(client, secretariat)
    now = dt.datetime.now(UTC)
    OutboxMail.objects.create(to="u@x.org", subject="S", attempts=1, error="E", given_up_at=now)
    one = queries_for(client, "/dashboard/")
    OutboxMail.objects.bulk_create(
        OutboxMail(to=f"u{i}@x.org", subject="S", attempts=i + 1, error="E", given_up_at=now)
        for i in range(3)
    )
    assert queries_for(client, "/dashboard/") == one
    assert html(client.get("/dashboard/")).count("u1@x.org") == 1
