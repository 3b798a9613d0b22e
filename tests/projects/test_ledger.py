"""The record cannot be altered unseen (issue 14): the logs' hash chains (``projects.ledger``),
``verify_log``, the daily heads, and the append-only triggers on PostgreSQL."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from projects import ledger
from projects.models import DailyHead, Document, Event, EventSeal
from reviews import workflow as rwf
from reviews.ledger import REVIEW_LOG
from reviews.models import ReviewLog, ReviewLogSeal

pytestmark = pytest.mark.usefixtures("fast_pdfs")

PG = connection.vendor == "postgresql"
# jitrack.db.append_only installs the triggers on PostgreSQL only: SQLite, the embedded
# development default, keeps the models' guard (tested here on both).
NO_TRIGGERS = (
    "SQLite has no append-only trigger (jitrack.db.append_only); CI runs this on PostgreSQL"
)


def verify_log(*args) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_log", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def tamper(sql: str, *params) -> None:
    """What the tables' owner can do and the app's role cannot: write past the triggers."""
    with connection.cursor() as cursor:
        if PG:
            cursor.execute("SET LOCAL session_replication_role = replica")  # no triggers
        cursor.execute(sql, params)
        if PG:
            cursor.execute("SET LOCAL session_replication_role = origin")


@pytest.fixture
def sealed_record(cycle, committee, secretariat):
    """A project through to a published determination (public events, published documents)
    and its appraisal (the JISC's review-log entries), all sealed."""
    project = cycle.determination_published()
    rwf.appoint_appraisers(
        secretariat, project, members=committee.members[:2], experts=committee.experts[:2]
    )
    ledger.seal_all()
    return project


def test_every_row_is_sealed_in_one_unbroken_chain(sealed_record):
    events = Event.objects.count()
    assert events > 10
    seals = list(EventSeal.objects.order_by("seq"))
    assert [seal.seq for seal in seals] == list(range(1, events + 1))
    assert seals[0].prev_hash == ledger.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(seals, seals[1:], strict=False))
    assert ReviewLog.objects.exists()
    assert ReviewLogSeal.objects.count() == ReviewLog.objects.count()
    code, out = verify_log()
    assert code == 0, out
    assert f"events: {events} link(s) verified; 0 not sealed yet." in out
    assert "review_log:" in out
    # Sealing again finds nothing new and changes nothing.
    assert ledger.seal_all() == {"events": 0, "review_log": 0}


def test_a_publication_names_its_documents_and_their_hash_is_in_the_chain(sealed_record):
    published = Event.objects.get(project=sealed_record, kind="pdd_published")
    pdd = Document.objects.get(project=sealed_record, kind="pdd")
    assert published.data["documents"] == [pdd.pk]
    assert (
        pdd.sha256 in ledger.EVENTS.canonical(published, ledger.documents_of([published])).decode()
    )
    determination = Event.objects.get(project=sealed_record, kind="determination_published")
    assert determination.data["documents"]  # the report


def test_new_events_join_the_chain_after_the_head(sealed_record, cycle):
    head = EventSeal.objects.order_by("-seq").first()
    cycle.open()
    assert ledger.seal(ledger.EVENTS) > 0
    first_new = EventSeal.objects.get(seq=head.seq + 1)
    assert first_new.prev_hash == head.hash
    assert verify_log()[0] == 0


@pytest.mark.parametrize(
    ("change", "params"),
    [
        # The actor renamed and the date moved back 400 days, as the attack on the timeline did.
        ("UPDATE projects_event SET actor_label = %s WHERE id = %s", ("Someone else",)),
        (
            "UPDATE projects_event SET created_at = created_at - interval '400 days' WHERE id = %s",
            (),
        ),
        ("UPDATE projects_event SET reason = %s WHERE id = %s", ("rewritten",)),
        ("UPDATE projects_event SET public = NOT public WHERE id = %s", ()),
    ],
    ids=["actor", "date", "reason", "visibility"],
)
def test_a_changed_event_breaks_its_link_and_verify_log_names_it(sealed_record, change, params):
    victim = EventSeal.objects.order_by("seq")[5]
    if "interval" in change and not PG:
        change = (
            "UPDATE projects_event SET created_at = datetime(created_at, '-400 days') WHERE id = %s"
        )
    tamper(change, *params, victim.event_id)
    code, out = verify_log()
    assert code == 1
    assert f"events: BROKEN after {victim.seq - 1} good link(s): link {victim.seq} " in out
    assert f"(Event {victim.event_id})" in out
    assert "review_log: " in out and "verified" in out  # the other chain still holds


def test_a_changed_document_breaks_the_link_of_the_event_that_published_it(sealed_record):
    pdd = Document.objects.get(project=sealed_record, kind="pdd")
    uploaded = Event.objects.get(kind="document_uploaded", data__document_id=pdd.pk)
    published = Event.objects.get(project=sealed_record, kind="pdd_published")
    assert uploaded.seal.seq < published.seal.seq
    Document.objects.filter(pk=pdd.pk).update(sha256="f" * 64)  # another file swapped in
    code, out = verify_log("--log", "events")
    assert code == 1
    # The first link that names it: its upload (the publication names it too).
    assert f"link {uploaded.seal.seq} (Event {uploaded.pk})" in out
    assert not ledger.verify(ledger.EVENTS).ok
    assert "or a document it names changed" in out


def test_a_removed_link_and_a_changed_review_entry_are_found(sealed_record):
    entry = ReviewLogSeal.objects.order_by("seq").first()
    tamper("UPDATE reviews_reviewlog SET data = %s WHERE id = %s", '{"forged": true}', entry.pk)
    code, out = verify_log("--log", "review_log")
    assert code == 1 and f"link {entry.seq} (ReviewLog {entry.pk})" in out

    last = EventSeal.objects.order_by("-seq").first()
    middle = EventSeal.objects.order_by("seq")[3]
    tamper("DELETE FROM projects_eventseal WHERE event_id = %s", middle.event_id)
    code, out = verify_log("--log", "events")
    assert code == 1 and f"link {middle.seq} is missing" in out
    assert last.seq > middle.seq


def test_a_rewritten_chain_is_caught_by_the_published_daily_heads(sealed_record, cycle):
    """Someone who rewrites an event and recomputes every later hash keeps the chain consistent;
    the head recorded at the end of the day, and any copy kept outside, no longer match."""
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert ledger.record_daily_heads(now=tomorrow) == 2
    today = timezone.now().date()
    head = DailyHead.objects.get(log="events", day=today)
    assert head.seq == EventSeal.objects.count()
    assert verify_log("--expect", f"{today}={head.hash}")[0] == 0

    victim = EventSeal.objects.order_by("seq")[2]
    tamper("UPDATE projects_event SET reason = %s WHERE id = %s", "rewritten", victim.event_id)
    recompute_from(victim.seq)
    assert ledger.verify(ledger.EVENTS).broken == (
        f"the published head of {today} (link {head.seq}) does not match"
    )
    # The recorded head rewritten too: only a copy kept outside can tell, and it does.
    new_head = EventSeal.objects.get(seq=head.seq).hash
    tamper("UPDATE projects_dailyhead SET hash = %s WHERE id = %s", new_head, head.pk)
    assert verify_log()[0] == 0
    code, out = verify_log("--expect", f"events:{today}={head.hash}")
    assert code == 1
    assert f"the head of {today} is {new_head[:12]}…, not {head.hash[:12]}…" in out


def recompute_from(seq: int) -> None:
    """The forger's work: recompute every hash from link ``seq`` on."""
    prev = EventSeal.objects.get(seq=seq - 1).hash if seq > 1 else ledger.GENESIS
    for seal in EventSeal.objects.filter(seq__gte=seq).select_related("event").order_by("seq"):
        docs = ledger.documents_of([seal.event])
        digest = ledger.link_hash(prev, ledger.EVENTS.canonical(seal.event, docs))
        tamper(
            "UPDATE projects_eventseal SET prev_hash = %s, hash = %s WHERE event_id = %s",
            prev,
            digest,
            seal.event_id,
        )
        prev = digest


def test_daily_heads_are_recorded_once_per_day_and_chain(sealed_record):
    later = timezone.now() + dt.timedelta(days=3)
    assert ledger.record_daily_heads(now=later) == 6  # today and the next two days, two chains
    assert ledger.record_daily_heads(now=later) == 0
    heads = DailyHead.objects.filter(log="review_log").order_by("day")
    assert len({head.hash for head in heads}) == 1  # nothing new was sealed on the later days
    assert heads[0].seq == ReviewLogSeal.objects.count()


def test_the_task_seals_after_commit(cycle, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        cycle.draft()
    # One task per transaction, however many events it wrote.
    assert len(callbacks) >= 1
    assert not Event.objects.filter(seal__isnull=True).exists()


def test_verify_log_refuses_a_malformed_expectation(db):
    for bad in (
        "2026-13-01=" + "a" * 64,
        "2026-12-01=abc",
        "2026-12-01",
        "nolog:2026-12-01=" + "a" * 64,
    ):
        with pytest.raises(CommandError):
            call_command("verify_log", "--expect", bad, stdout=io.StringIO())


def test_an_empty_record_verifies(db):
    code, out = verify_log()
    assert code == 0 and "events: 0 link(s) verified" in out


def test_the_models_refuse_to_rewrite_the_logs(sealed_record):
    event = Event.objects.first()
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
    entry = ReviewLog.objects.first()
    with pytest.raises(RuntimeError):
        entry.delete()


@pytest.mark.skipif(not PG, reason=NO_TRIGGERS)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE projects_event SET actor_label = 'x'",
        "UPDATE projects_event SET created_at = created_at - interval '400 days'",
        "DELETE FROM projects_event",
        "UPDATE reviews_reviewlog SET data = '{}'",
        "DELETE FROM reviews_reviewlog",
        "UPDATE projects_eventseal SET hash = md5(hash) || md5(hash)",
        "DELETE FROM projects_eventseal",
        "UPDATE reviews_reviewlogseal SET seq = seq + 1",
    ],
)
def test_postgresql_refuses_every_update_and_delete_of_the_logs(sealed_record, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql)


@pytest.mark.skipif(not PG, reason=NO_TRIGGERS)
def test_postgresql_refuses_the_orm_too(sealed_record):
    ledger.record_daily_heads(now=timezone.now() + dt.timedelta(days=1))
    for attempt in (
        lambda: Event.objects.update(reason="x"),
        lambda: Event.objects.filter(kind="pdd_published")._raw_delete(connection.alias),
        lambda: ReviewLog.objects.update(kind="x"),
        lambda: DailyHead.objects.update(hash="0" * 64),
        lambda: DailyHead.objects.all().delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    assert verify_log()[0] == 0


def test_the_review_chain_is_registered(db):
    assert ledger.CHAINS["review_log"] is REVIEW_LOG


def test_a_row_committed_late_is_sealed_by_the_daily_full_pass(sealed_record, monkeypatch):
    """The quick run looks back SEAL_WINDOW ids; a long transaction's row further back waits
    for the full pass that runs before the day's head is recorded."""
    monkeypatch.setattr(ledger, "SEAL_WINDOW", 100)
    top = Event.objects.order_by("-pk").first().pk
    Event.objects.bulk_create([Event(pk=top + 1000, kind="project_updated", actor_label="A")])
    assert ledger.seal(ledger.EVENTS) == 1
    (late,) = Event.objects.bulk_create(
        [Event(pk=top + 500, kind="project_updated", actor_label="B")]
    )
    assert ledger.seal(ledger.EVENTS) == 0
    assert ledger.verify(ledger.EVENTS).pending == 1
    ledger.record_daily_heads(now=timezone.now() + dt.timedelta(days=1))
    assert EventSeal.objects.get(event=late).seq == EventSeal.objects.count()
    head = DailyHead.objects.get(log="events", day=timezone.now().date())
    assert head.seq == EventSeal.objects.count()
    assert verify_log()[0] == 0
