"""The record's daily fingerprints, published (issue 14): the page, its JSON and its Atom feed
show each log's head at the end of every day, which ``verify_log --expect`` checks against."""

import datetime as dt
import io

import feedparser
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects import ledger
from projects.models import DailyHead, EventSeal

pytestmark = pytest.mark.usefixtures("fast_pdfs")


@pytest.fixture
def days_of_record(cycle, settings):
    settings.PAGE_CACHE_SECONDS = 0
    cycle.open()
    ledger.seal_all()
    ledger.record_daily_heads(now=timezone.now() + dt.timedelta(days=2))
    return DailyHead.objects.filter(log="events").order_by("day")


def test_the_page_shows_each_days_fingerprint_and_the_head_now(client, days_of_record):
    today, tomorrow = days_of_record
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/record/")
    assert response.status_code == 200
    assert len(queries) <= 10
    html = response.content.decode()
    head = EventSeal.objects.order_by("-seq").first()
    assert f'id="day-{today.day:%Y-%m-%d}"' in html
    assert today.hash in html and head.hash in html
    assert "Record fingerprints" in html
    assert '<a href="/record/">' in client.get("/").content.decode()  # in the footer


def test_the_feed_has_one_entry_per_day_with_both_logs(client, days_of_record):
    today, tomorrow = days_of_record
    feed = feedparser.parse(client.get("/feeds/record/").content)
    assert not feed.bozo
    assert [entry.id for entry in feed.entries] == [
        f"jitrack-record-{tomorrow.day}",
        f"jitrack-record-{today.day}",
    ]
    assert today.hash in feed.entries[1].summary
    assert "Public record: entry" in feed.entries[1].summary


def test_a_kept_fingerprint_from_the_json_checks_the_record(client, days_of_record):
    data = client.get("/record/heads.json").json()
    kept = next(d for d in data["days"] if d["log"] == "events")
    out = io.StringIO()
    call_command("verify_log", "--expect", f"{kept['day']}={kept['hash']}", stdout=out)
    assert "events:" in out.getvalue()
    assert data["current"][0]["seq"] == EventSeal.objects.count()


def test_the_page_before_any_day_has_ended(client, db, settings):
    settings.PAGE_CACHE_SECONDS = 0
    response = client.get("/record/")
    assert response.status_code == 200
    assert "No day has ended" in response.content.decode()
    assert client.post("/record/").status_code == 405
