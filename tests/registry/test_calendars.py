"""iCalendar feeds of the comment, review-request and verification windows, parsed with
icalendar: one VEVENT per window in UTC, stable UIDs, nothing of unpublished projects."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from icalendar import Calendar

from determinations import verification as vwf
from projects import workflow as wf
from projects.models import Project
from tests.factories import pdf_upload
from tests.support import at

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def fetch(client, url) -> tuple[Calendar, bytes]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content), response.content


def events(calendar: Calendar) -> list[dict]:
    return [
        {
            "uid": str(e["uid"]),
            "start": e.decoded("dtstart"),
            "end": e.decoded("dtend"),
            "summary": str(e["summary"]),
            "url": str(e["url"]),
            "status": str(e["status"]),
        }
        for e in calendar.walk("VEVENT")
    ]


def publish_verification(cycle, project, day: dt.date):
    """A monitoring report for Q1 2011 verified at 10,000 t (covered by the advance) and made
    public on ``day``."""
    report = vwf.submit_monitoring_report(
        cycle.participant,
        project,
        period_start=dt.date(2011, 1, 1),
        period_end=dt.date(2011, 3, 31),
        aie=cycle.aie_user.organisation,
        claimed={2011: 10000},
        report=pdf_upload(),
    )
    ver = vwf.submit_verification(
        cycle.aie_user,
        report,
        verified={2011: 10000},
        findings="Meters calibrated.",
        conditions_hold=True,
        conditions_reasons="No changes.",
        no_overlap_declared=True,
    )
    return vwf.publish_verification(cycle.secretariat, ver, available_on=day)


@pytest.fixture
def windows(cycle):
    """0001: PDD available 29 Jul 2008 (the secretariat's published example), open for comments.
    0002: PDD and determination available 16 Apr 2011 (the published example for the 45-day
    period), final, then verification 1 available 1 Jul 2011. 0003: withdrawn during its comment
    period. A draft and a PDD available tomorrow are not public."""
    with time_machine.travel(at(2008, 7, 29, 9), tick=False) as traveller:
        cycle.open()
        traveller.move_to(at(2011, 4, 16, 9))
        final = cycle.final(title="Wind farm at Odesa")
        traveller.move_to(at(2011, 7, 1, 9))
        publish_verification(cycle, final, dt.date(2011, 7, 1))
        traveller.move_to(at(2011, 8, 1, 9))
        withdrawn = cycle.open(title="Cement plant at Lviv")
        traveller.move_to(at(2011, 8, 10, 12))
        wf.withdraw(cycle.participant, withdrawn, "Financing failed.")
    cycle.draft(title="Hidden draft")
    cycle.open(available_on=timezone.localdate() + dt.timedelta(days=1), title="Not yet public")


def test_project_calendar_has_one_event_per_window(windows, client):
    calendar, raw = fetch(client, "/projects/0002/calendar.ics")
    assert str(calendar["x-wr-calname"]) == "JI 0002: comment and review windows"
    assert events(calendar) == [
        {
            "uid": "comments-0002@127.0.0.1",
            "start": at(2011, 4, 16),
            "end": at(2011, 5, 15, 17),
            "summary": "Comment period on the PDD — JI 0002 Wind farm at Odesa",
            "url": "http://testserver/projects/0002/",
            "status": "CONFIRMED",
        },
        {
            "uid": "determination-0002-1@127.0.0.1",
            "start": at(2011, 4, 16),
            "end": at(2011, 5, 30, 17),  # ji-rules §4: 16 Apr 2011 -> 30 May 2011 17:00 GMT
            "summary": "Review requests on the determination — JI 0002 Wind farm at Odesa",
            "url": "http://testserver/projects/0002/",
            "status": "CONFIRMED",
        },
        {
            "uid": "verification-0002-1@127.0.0.1",
            "start": at(2011, 7, 1),
            "end": at(2011, 7, 15, 17),  # 15 days, para 39
            "summary": "Review requests on verification 1 — JI 0002 Wind farm at Odesa",
            "url": "http://testserver/projects/0002/",
            "status": "CONFIRMED",
        },
    ]
    # UTC on the wire: the Z form, no TZID.
    assert b"DTSTART:20110416T000000Z" in raw and b"DTEND:20110530T170000Z" in raw
    assert b"TZID" not in raw
    description = str(calendar.walk("VEVENT")[1]["description"])
    assert "until 30 May 2011 17:00 GMT (para 35, 45 days)" in description


def test_comment_period_follows_the_published_example(windows, client):
    calendar, _ = fetch(client, "/projects/0001/calendar.ics")
    (event,) = events(calendar)
    # ji-rules §4: PDD available 29 July 2008, comments until 27 August 2008 17:00 GMT.
    assert (event["start"], event["end"]) == (at(2008, 7, 29), at(2008, 8, 27, 17))


def test_window_cut_short_by_withdrawal_is_cancelled(windows, client):
    calendar, _ = fetch(client, "/projects/0003/calendar.ics")
    (event,) = events(calendar)
    assert event["status"] == "CANCELLED"
    assert "withdrawn before the period ended" in str(calendar.walk("VEVENT")[0]["description"])


def test_registry_calendar_has_the_open_and_recent_windows_of_public_projects_only(windows, client):
    """On 12 Aug 2011: verification 1 of 0002 closed 16 Jul (within RECENT, 30 days) and the
    cancelled comment period of 0003; the 2008 and spring 2011 windows are only in their
    projects' calendars."""
    with time_machine.travel(at(2011, 8, 12, 12), tick=False):
        calendar, raw = fetch(client, "/calendar.ics")
    assert [e["uid"] for e in events(calendar)] == [
        "verification-0002-1@127.0.0.1",
        "comments-0003@127.0.0.1",
    ]
    assert b"Hidden draft" not in raw and b"Not yet public" not in raw
    project, _ = fetch(client, "/projects/0002/calendar.ics")
    assert len(events(project)) == 3  # its whole history


def test_uids_are_stable_and_a_pdd_appears_on_its_availability_date(windows, client):
    first, _ = fetch(client, "/calendar.ics")
    assert events(first) == []  # nothing open today
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        later, _ = fetch(client, "/calendar.ics")
    with time_machine.travel(timezone.now() + dt.timedelta(days=4)):
        again, _ = fetch(client, "/calendar.ics")
    assert [e["uid"] for e in events(later)] == ["comments-0004@127.0.0.1"]
    assert events(again) == events(later)


@pytest.mark.parametrize("key", ["9999", "0004", "P1x", "{draft}"])
def test_calendar_of_unknown_or_unpublished_project_is_404(windows, client, key):
    draft = Project.objects.get(title="Hidden draft").key
    assert client.get(f"/projects/{key.format(draft=draft)}/calendar.ics").status_code == 404


@pytest.mark.parametrize("n", [1, 25])
def test_calendar_query_count_is_constant(cycle, client, django_assert_max_num_queries, n):
    for i in range(n):
        cycle.determination_published(title=f"Project {i}")
    with django_assert_max_num_queries(3):
        calendar, _ = fetch(client, "/calendar.ics")
    assert len(events(calendar)) == 2 * n
    with django_assert_max_num_queries(4):
        calendar, _ = fetch(client, "/projects/0001/calendar.ics")
    assert len(events(calendar)) == 2


def test_text_is_escaped_and_long_lines_folded_as_rfc_5545_says(cycle, client):
    """Commas, semicolons, backslashes and long Cyrillic titles: written line by line
    (``calendars.calendar_bytes``), read back intact by icalendar, no line over 75 octets."""
    title = "Ветроэлектростанция; «Приазовье», этап 2 \\ модернизация " * 3
    cycle.open(title=title.strip())
    calendar, raw = fetch(client, "/projects/0001/calendar.ics")
    (event,) = events(calendar)
    assert event["summary"] == f"Comment period on the PDD — JI 0001 {title.strip()}"
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert raw.endswith(b"END:VCALENDAR\r\n")
