"""The inbox (issue 15): every notification the outbox's builders send is a row in each
recipient's inbox, e-mailed at once, in a daily digest or not at all as the user prefers; the
page ``/inbox/`` and the API ``/api/notifications/`` list, mark read and mark all read."""

import datetime as dt
import re
import threading

import pytest
import time_machine
from celery import current_app
from celery.schedules import crontab
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext

from projects import inbox, outbox, tasks
from projects import workflow as wf
from projects.models import Notification, OutboxMail, User
from reviews.notify import mail_users
from tests.factories import UserFactory
from tests.support import assert_error, client_for, html, login, queries_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]

UTC = dt.UTC
T0 = dt.datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def drain() -> dict[str, int]:
    """The beat's drain of the outbox (in the tests the acts' commits never run it)."""
    return outbox.drain_due()


def digest_beat() -> None:
    """The beat's daily digest task, as the schedule names it (eager in the tests)."""
    current_app.tasks[settings.CELERY_BEAT_SCHEDULE["mail-digests"]["task"]].delay().get()


def inbox_of(user) -> list[tuple[str, str]]:
    return list(Notification.objects.filter(user=user).values_list("kind", "mail"))


def make(user, count: int, **fields) -> list[Notification]:
    """``count`` notifications for ``user``, oldest first, one minute apart."""
    return Notification.objects.bulk_create(
        Notification(
            user=user,
            created_at=T0 + dt.timedelta(minutes=i),
            kind="pdd_submitted",
            subject=f"0{i:03d} Wind farm {i}",
            text="Check the PDD for completeness and publish it.",
            url=f"/projects/p{i}/",
            **fields,
        )
        for i in range(count)
    )


# --- the builders write the inbox ------------------------------------------------------------


def test_an_event_puts_one_row_in_the_inbox_of_each_user_who_must_act_and_mails_them(
    cycle, participant, other_participant, aie_user, secretariat, mailoutbox
):
    project = cycle.submitted()
    drain()
    event = project.events.get(kind="pdd_submitted")
    [row] = Notification.objects.filter(user=secretariat)
    assert (row.kind, row.subject, row.text, row.detail, row.url, row.read_at) == (
        "pdd_submitted",
        project.title,  # no reference yet (a draft's key means nothing to people)
        "Check the PDD for completeness and publish it.",
        "",
        f"/projects/{project.key}/",
        None,
    )
    assert (row.created_at, row.mail) == (event.created_at, "sent")
    assert inbox_of(aie_user) == [("engagement_requested", "sent")]
    assert inbox_of(participant) == [("engagement_accepted", "sent")]
    assert inbox_of(other_participant) == []
    mailed = sorted((m.to[0], m.subject.rsplit(": ", 1)[1]) for m in mailoutbox)
    assert mailed == [
        (aie_user.email, "engagement requested"),
        (participant.email, "engagement accepted"),
        (secretariat.email, "pdd submitted"),
    ]
    # each row once: draining again writes nothing
    drain()
    assert Notification.objects.count() == 3


def test_a_published_determination_tells_every_audience_and_a_user_without_email_too(
    cycle, participant, aie_user, secretariat, party_user, jisc_user, mailoutbox
):
    project = cycle.determination_published()
    drain()
    told = set(
        Notification.objects.filter(kind="determination_published").values_list(
            "user__username", flat=True
        )
    )
    # the host's focal point of the cycle's letter of approval has no e-mail address
    dfp = User.objects.get(username="dfp-ua")
    assert dfp.email == ""
    assert told == {participant.username, aie_user.username, jisc_user.username, "party", "dfp-ua"}
    assert inbox_of(dfp) == [("determination_published", "none")]
    mailed = {m.to[0] for m in mailoutbox if m.subject.endswith("determination published")}
    assert mailed == {participant.email, aie_user.email, jisc_user.email, party_user.email}
    assert secretariat.notifications.filter(kind="determination_submitted").count() == 1
    assert f"/projects/{project.key}/" in {n.url for n in secretariat.notifications.all()}


def test_a_decision_and_its_reasons_are_the_detail_under_what_to_do(cycle, participant):
    project = cycle.draft()
    wf.engage_aie(participant, project, cycle.aie_user.organisation)
    engagement = project.engagements.get()
    wf.decide_engagement(cycle.aie_user, engagement, accept=False, reason="No capacity in 2027.")
    drain()
    [row] = Notification.objects.filter(user=participant, kind="engagement_declined")
    assert row.text == "The AIE declined; engage another AIE."
    assert row.detail == "No capacity in 2027."


def test_review_work_is_in_the_inbox_of_the_named_users_with_its_kind(
    secretariat, jisc_user, mailoutbox
):
    nomail = UserFactory(username="nomail", email="", role=User.Role.JISC)
    gone = UserFactory(username="gone", role=User.Role.JISC, is_active=False)
    mail_users(
        [jisc_user.pk, nomail.pk, gone.pk],
        "[jitrack] 0001: you are appointed to appraise the determination",
        "File your appraisal by 04 Feb 2027 09:00 GMT.",
        "/reviews/appraisals/7/",
    )
    mail_users([secretariat.pk], "[jitrack] 0001: the review is overdue", "Late.", "/reviews/3/")
    mail_users([secretariat.pk], "S", "B", "/reviews/clarifications/4/", kind="clarification")
    drain()
    row = Notification.objects.get(user=jisc_user)
    assert (row.kind, row.subject, row.text, row.url, row.mail) == (
        "appraisal",
        "0001: you are appointed to appraise the determination",
        "File your appraisal by 04 Feb 2027 09:00 GMT.",
        "/reviews/appraisals/7/",
        "sent",
    )
    assert inbox_of(nomail) == [("appraisal", "none")]
    assert inbox_of(gone) == []
    assert sorted(inbox_of(secretariat)) == [("clarification", "sent"), ("review", "sent")]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [jisc_user.email, secretariat.email, secretariat.email]
    )
    assert "Open it here: " in mailoutbox[0].body


def test_every_mail_an_act_sends_is_in_the_inbox(cycle, participant, aie_user, mailoutbox):
    cycle.open()
    drain()
    mailed = sorted((m.to[0], m.subject) for m in mailoutbox)
    assert mailed
    inbox = sorted(
        (n.user.email, f"[jitrack] {n.subject}: {n.kind.replace('_', ' ')}")
        for n in Notification.objects.select_related("user").filter(mail="sent")
    )
    assert inbox == mailed


# --- preferences -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preference", "mail", "mailed"),
    [("immediately", "sent", 1), ("digest", "pending", 0), ("none", "none", 0)],
)
def test_the_users_preference_decides_the_mail_never_the_inbox(
    secretariat, mailoutbox, preference, mail, mailed
):
    User.objects.filter(pk=secretariat.pk).update(mail_preference=preference)
    mail_users([secretariat.pk], "[jitrack] 0001: reported", "Decide.", "/reviews/3/")
    drain()
    assert inbox_of(secretariat) == [("review", mail)]
    assert len(mailoutbox) == mailed


def test_a_new_user_gets_mail_at_once():
    assert UserFactory().mail_preference == "immediately"


# --- the daily digest ------------------------------------------------------------------------


def test_the_daily_digest_mails_the_pending_notifications_once(
    secretariat, participant, mailoutbox
):
    User.objects.filter(pk__in=[secretariat.pk, participant.pk]).update(mail_preference="digest")
    mail_users([secretariat.pk, participant.pk], "[jitrack] 0001: one", "First.", "/reviews/1/")
    mail_users([secretariat.pk], "[jitrack] 0002: two", "Second.", "/reviews/2/")
    drain()
    assert mailoutbox == []
    with time_machine.travel(T0, tick=False):
        digest_beat()
        digest_beat()  # a second beat at once: nothing left to digest
        drain()
    assert sorted(m.to[0] for m in mailoutbox) == [participant.email, secretariat.email]
    mine = next(m for m in mailoutbox if m.to == [secretariat.email])
    assert mine.subject == "[jitrack] Your daily digest: 2 notifications"
    assert mine.body.index("0001: one") < mine.body.index("0002: two")
    assert f"{settings.SITE_URL}/reviews/2/" in mine.body
    assert f"{settings.SITE_URL}/inbox/" in mine.body
    assert set(Notification.objects.values_list("mail", "mailed_at")) == {("digested", T0)}
    # the next day: only what came since
    mail_users([secretariat.pk], "[jitrack] 0003: three", "Third.", "/reviews/3/")
    mailoutbox.clear()
    digest_beat()
    drain()
    [later] = mailoutbox
    assert later.subject == "[jitrack] Your daily digest: 1 notification"
    assert "0003: three" in later.body and "0001" not in later.body


def test_the_digest_leaves_the_rows_of_users_who_no_longer_want_it(secretariat, mailoutbox):
    User.objects.filter(pk=secretariat.pk).update(mail_preference="digest")
    mail_users([secretariat.pk], "[jitrack] 0001: one", "First.", "/reviews/1/")
    drain()
    User.objects.filter(pk=secretariat.pk).update(mail_preference="none")
    digest_beat()
    drain()
    assert mailoutbox == []
    assert inbox_of(secretariat) == [("review", "pending")]


def test_a_failing_digest_marks_nothing_and_is_tried_again(secretariat, mailoutbox, monkeypatch):
    User.objects.filter(pk=secretariat.pk).update(mail_preference="digest")
    make(secretariat, 2, mail="pending")
    original = outbox.mail.build

    def broken(builder, args):
        original(builder, args)
        raise RuntimeError("disk full")  # after the builder marked its rows

    monkeypatch.setattr(outbox.mail, "build", broken)
    digest_beat()
    assert set(Notification.objects.values_list("mail", flat=True)) == {"pending"}
    monkeypatch.undo()
    with time_machine.travel(dt.datetime.now(UTC) + dt.timedelta(minutes=2)):
        drain()
    [digest] = mailoutbox
    assert digest.subject == "[jitrack] Your daily digest: 2 notifications"
    assert set(Notification.objects.values_list("mail", flat=True)) == {"digested"}


@pytest.mark.django_db(transaction=True)
def test_two_digests_at_once_mail_each_notification_once(mailoutbox):
    users = [
        User.objects.create(
            username=f"d{i}", email=f"d{i}@example.org", role="jisc", mail_preference="digest"
        )
        for i in range(4)
    ]
    for user in users:
        make(user, 5, mail="pending")
    # two beats' rows whose tasks were lost (send_on_commit would drain each at once here)
    rows = [OutboxMail.objects.create(builder="projects.notify.digest_messages") for _ in "12"]
    results = []
    if connection.vendor == "postgresql":
        start = threading.Barrier(2)

        def build(pk):
            try:
                start.wait()
                results.append(outbox.build_due([pk]))
            finally:
                connection.close()

        threads = [threading.Thread(target=build, args=(row.pk,)) for row in rows]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:  # SQLite has no row locks: one writer at a time
        results = [outbox.build_due([row.pk]) for row in rows]
    assert sum(r["built"] for r in results) == 2
    outbox.send_due()
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in users)
    assert all("5 notifications" in m.subject for m in mailoutbox)
    assert set(Notification.objects.values_list("mail", flat=True)) == {"digested"}


def test_the_digest_is_on_the_one_beat_schedule_once_a_day():
    entry = settings.CELERY_BEAT_SCHEDULE["mail-digests"]
    assert entry["task"] == tasks.send_digests.name and entry["task"] in current_app.tasks
    assert entry["schedule"] == crontab(minute=0, hour=settings.MAIL_DIGEST_HOUR)


# --- the API ---------------------------------------------------------------------------------


def test_the_api_lists_the_users_own_notifications_newest_first(participant, other_participant):
    older, newer = make(participant, 2)
    make(other_participant, 3)
    Notification.objects.filter(pk=older.pk).update(read_at=T0)
    body = client_for(participant).get("/api/notifications/").json()
    assert body["count"] == 2
    assert body["results"] == [
        {
            "id": newer.pk,
            "created_at": "2027-01-04T09:01:00Z",
            "kind": "pdd_submitted",
            "subject": "0001 Wind farm 1",
            "text": "Check the PDD for completeness and publish it.",
            "detail": "",
            "url": "/projects/p1/",
            "read": False,
        },
        {
            "id": older.pk,
            "created_at": "2027-01-04T09:00:00Z",
            "kind": "pdd_submitted",
            "subject": "0000 Wind farm 0",
            "text": "Check the PDD for completeness and publish it.",
            "detail": "",
            "url": "/projects/p0/",
            "read": True,
        },
    ]
    page = client_for(participant).get("/api/notifications/?page_size=1&page=2").json()
    assert [r["id"] for r in page["results"]] == [older.pk]
    assert_error(client_for(participant).get("/api/notifications/?page=9"), 404)


def test_the_api_marks_one_read_and_refuses_anothers(participant, other_participant, anon):
    [mine] = make(participant, 1)
    [theirs] = make(other_participant, 1)
    api = client_for(participant)
    with time_machine.travel(T0, tick=False):
        response = api.post(f"/api/notifications/{mine.pk}/read/")
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["read"]) == (mine.pk, True)
    assert Notification.objects.get(pk=mine.pk).read_at == T0
    # again: no change
    assert api.post(f"/api/notifications/{mine.pk}/read/").json()["read"] is True
    assert Notification.objects.get(pk=mine.pk).read_at == T0
    assert_error(api.post(f"/api/notifications/{theirs.pk}/read/"), 404, "not_found")
    assert_error(api.post("/api/notifications/999999/read/"), 404, "not_found")
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert_error(anon.post(f"/api/notifications/{mine.pk}/read/"), 401)
    assert_error(anon.get("/api/notifications/"), 401)
    assert_error(anon.post("/api/notifications/read-all/"), 401)


def test_the_api_marks_all_read(participant, other_participant):
    make(participant, 3)
    make(other_participant, 2)
    api = client_for(participant)
    assert api.post("/api/notifications/read-all/").json() == {"marked": 3}
    assert api.post("/api/notifications/read-all/").json() == {"marked": 0}
    assert not participant.notifications.filter(read_at=None).exists()
    assert other_participant.notifications.filter(read_at=None).count() == 2


def test_the_api_list_costs_the_same_queries_for_1_and_30(participant):
    api = client_for(participant)
    make(participant, 1)
    one = queries_for(api, "/api/notifications/")
    make(participant, 29)
    assert queries_for(api, "/api/notifications/") == one <= 10


# --- the page --------------------------------------------------------------------------------


def test_the_inbox_page_lists_newest_first_marks_unread_and_links_the_object(client, participant):
    older, newer = make(participant, 2)
    Notification.objects.filter(pk=older.pk).update(read_at=T0)
    page = html(login(client, participant).get("/inbox/"))
    assert page.index("0001 Wind farm 1") < page.index("0000 Wind farm 0")
    # each links to its object through the inbox, which marks it read on the way
    assert f'href="/inbox/{newer.pk}/open/"' in page and f'href="/inbox/{older.pk}/open/"' in page
    assert page.count(">New<") == 1
    assert f'action="/inbox/{newer.pk}/read/"' in page
    assert f'action="/inbox/{older.pk}/read/"' not in page
    assert 'title="1 unread notification">1</span>' in page  # the navigation's count
    assert 'action="/inbox/read-all/"' in page
    assert "PDD submitted for publication" in page  # the kind's label


def test_the_inbox_page_asks_for_a_login(client):
    response = client.get("/inbox/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_mark_read_and_mark_all_read_from_the_page(client, participant, other_participant):
    first, second, third = make(participant, 3)
    [theirs] = make(other_participant, 1)
    login(client, participant)
    response = client.post(f"/inbox/{first.pk}/read/", {"page": "2"})
    assert (response.status_code, response["Location"]) == (302, "/inbox/?page=2")
    assert Notification.objects.get(pk=first.pk).read_at is not None
    assert client.post(f"/inbox/{theirs.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    response = client.post("/inbox/read-all/", {"page": "x"}, follow=True)
    assert response.redirect_chain == [("/inbox/", 302)]
    assert "2 notifications marked read." in html(response)
    assert not participant.notifications.filter(read_at=None).exists()
    assert other_participant.notifications.filter(read_at=None).count() == 1
    page = html(client.get("/inbox/"))
    assert "unread notification" not in page and 'action="/inbox/read-all/"' not in page


def test_the_page_needs_csrf_on_its_forms(participant):
    [mine] = make(participant, 1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)
    assert client.post(f"/inbox/{mine.pk}/read/").status_code == 403
    assert client.post("/inbox/read-all/").status_code == 403
    assert Notification.objects.get(pk=mine.pk).read_at is None


def test_the_mail_preference_form_saves_or_refuses_with_a_message(client, participant):
    login(client, participant)
    page = html(client.get("/inbox/"))
    assert re.search(r'value="immediately"[^>]*checked', page)
    assert not re.search(r'value="digest"[^>]*checked', page)
    response = client.post("/inbox/preference/", {"mail_preference": "digest"}, follow=True)
    assert "Your e-mail preference is saved." in html(response)
    assert User.objects.get(pk=participant.pk).mail_preference == "digest"
    response = client.post("/inbox/preference/", {"mail_preference": "hourly"})
    assert response.status_code == 400
    assert "Select a valid choice." in html(response)
    assert User.objects.get(pk=participant.pk).mail_preference == "digest"
    account = html(client.get("/account/"))
    assert "/inbox/#mail-preference" in account


def test_the_inbox_page_costs_the_same_queries_for_1_and_30(client, participant):
    login(client, participant)
    make(participant, 1)
    one = queries_for(client, "/inbox/")
    make(participant, 29)
    assert queries_for(client, "/inbox/") == one <= 10
    assert queries_for(client, "/inbox/?page=2") == one


def test_the_navigation_shows_the_unread_count_at_no_cost_per_notification(client, participant):
    login(client, participant)
    none = queries_for(client, "/account/")
    make(participant, 30)
    page = html(client.get("/account/"))
    assert 'title="30 unread notifications">30</span>' in page
    assert queries_for(client, "/account/") == none


def test_the_secretariat_reads_the_inboxes_in_the_admin_and_changes_nothing(client, participant):
    make(participant, 2)
    # as the demo's "admin": a superuser of the secretariat (one without the role sees nothing)
    clerk = UserFactory(
        username="clerk", role=User.Role.SECRETARIAT, is_staff=True, is_superuser=True
    )
    login(client, clerk)
    page = html(client.get("/admin/projects/notification/"))
    assert "0001 Wind farm 1" in page and "0000 Wind farm 0" in page
    assert client.get("/admin/projects/notification/add/").status_code == 403
    [first, _] = Notification.objects.order_by("pk")
    assert client.post(f"/admin/projects/notification/{first.pk}/delete/").status_code == 403
    assert Notification.objects.count() == 2


def test_the_inbox_speaks_russian_but_the_api_stays_english(client, participant):
    make(participant, 1)
    page = html(login(client, participant).get("/inbox/", HTTP_ACCEPT_LANGUAGE="ru"))
    assert "ПТД" in page  # "Check the PDD for completeness and publish it.", translated
    assert "Check the PDD for completeness" not in page
    body = client_for(participant).get("/api/notifications/", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert body["results"][0]["text"] == "Check the PDD for completeness and publish it."


def test_a_dashboard_panel_lists_the_newest_unread_in_one_query(participant):
    older, newer = make(participant, 2)
    make(participant, 1, read_at=T0)
    with CaptureQueriesContext(connection) as ctx:
        latest = inbox.latest_unread(participant)
    assert latest == [newer, older] and len(ctx.captured_queries) == 1
    panel = render_to_string("projects/_inbox_latest.html", {"notifications": latest, "unread": 2})
    assert panel.index("0001 Wind farm 1") < panel.index("0000 Wind farm 0")
    assert 'href="/inbox/"' in panel and "All notifications (2 unread)" in panel
    assert "No unread notification." in render_to_string("projects/_inbox_latest.html", {})


def test_opening_a_notification_marks_it_read_and_leads_to_its_object(client, participant):
    note = Notification.objects.create(
        user=participant, kind="pdd_published", text="Open.", url="/projects/0001/"
    )
    other = Notification.objects.create(
        user=participant, kind="pdd_published", text="Elsewhere.", url="https://evil.example/"
    )
    client.force_login(participant)
    assert f'href="/inbox/{note.pk}/open/"' in client.get("/inbox/").content.decode()
    response = client.get(f"/inbox/{note.pk}/open/")
    assert (response.status_code, response["Location"]) == (302, "/projects/0001/")
    note.refresh_from_db()
    assert note.read_at is not None
    # only a path of this site is followed
    assert client.get(f"/inbox/{other.pk}/open/")["Location"] == "/inbox/"


def test_another_users_notification_cannot_be_opened(client, participant, aie_user):
    note = Notification.objects.create(user=aie_user, kind="x", text="Not yours.", url="/")
    client.force_login(participant)
    assert client.get(f"/inbox/{note.pk}/open/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None
