"""One row the database refuses to change never stops the clock (``projects.clock.apply``): the
others move, the row is recorded as a clock problem, shown to the secretariat, retried with
back-off, and cleared once an attempt succeeds. The fault is real: a trigger makes the database
refuse every UPDATE of the row."""

import datetime as dt

import pytest
import time_machine

from projects.clock import retry_after
from projects.models import ClockFault, Event, Project
from registry import clock
from tests.support import cure, html, poison

UTC = dt.UTC
PUBLISHED_ON = dt.datetime(2026, 10, 1, 8, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def test_a_row_the_database_refuses_holds_up_no_other_and_is_retried(cycle, client):
    with time_machine.travel(PUBLISHED_ON, tick=False):
        projects = [cycle.open(title=f"Project {i}") for i in range(8)]
    bad = projects[2]
    poison("projects_project", bad.pk)
    first = bad.comments_close_at + dt.timedelta(minutes=5)

    assert clock.enforce_deadlines(now=first)["comments_closed"] == 7
    statuses = dict(Project.objects.values_list("pk", "status"))
    assert statuses.pop(bad.pk) == "open_for_comments"
    assert set(statuses.values()) == {"comments_closed"}
    assert Event.objects.filter(kind="comments_closed").count() == 7
    [fault] = ClockFault.objects.all()
    assert (fault.stage, fault.row_id, fault.project_id, fault.attempts) == (
        "comments_closed",
        bad.pk,
        bad.pk,
        1,
    )
    assert "poisoned" in fault.error
    assert (fault.first_failed_at, fault.retry_at) == (first, first + dt.timedelta(minutes=1))

    # before its retry the row is left alone; after it, tried alone, and the wait doubles
    assert clock.enforce_deadlines(now=first + dt.timedelta(seconds=30))["comments_closed"] == 0
    assert ClockFault.objects.get().attempts == 1
    second = first + dt.timedelta(minutes=1, seconds=1)
    assert clock.enforce_deadlines(now=second)["comments_closed"] == 0
    fault = ClockFault.objects.get()
    assert (fault.attempts, fault.last_failed_at) == (2, second)
    assert fault.retry_at == second + dt.timedelta(minutes=2)

    # the secretariat sees it, and no one else does
    client.force_login(cycle.secretariat)
    page = html(client.get("/dashboard/"))
    assert "Clock problems" in page and "Closing the comment period" in page
    assert bad.title in page and "2 attempts" in page
    client.force_login(cycle.participant)
    assert "Clock problems" not in html(client.get("/dashboard/"))

    # the cause fixed, the next attempt closes the period and clears the problem
    cure("projects_project")
    third = second + dt.timedelta(minutes=3)
    assert clock.enforce_deadlines(now=third)["comments_closed"] == 1
    assert Project.objects.get(pk=bad.pk).status == "comments_closed"
    assert ClockFault.objects.get().resolved_at == third
    client.force_login(cycle.secretariat)
    assert "Clock problems" not in html(client.get("/dashboard/"))
    assert clock.enforce_deadlines(now=third + dt.timedelta(days=1))["comments_closed"] == 0


def test_the_wait_between_attempts_doubles_up_to_a_day():
    assert [retry_after(n) for n in (1, 2, 3, 11, 12, 40)] == [
        dt.timedelta(minutes=1),
        dt.timedelta(minutes=2),
        dt.timedelta(minutes=4),
        dt.timedelta(minutes=1024),
        dt.timedelta(days=1),
        dt.timedelta(days=1),
    ]
