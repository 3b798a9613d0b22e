"""The clock acts on a batch of due rows at once (``projects.clock``: the writers' batch forms,
``Machine.move_many``): the same statuses, events and mail as one act per row, in a number of
queries that does not grow with the batch."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from determinations import workflow as dwf
from fees import services as fee_services
from jitrack import pagecache
from jitrack.errors import Conflict
from projects import workflow as wf
from projects.models import Event, Project
from registry import clock
from tests.support import FINDINGS

UTC = dt.UTC
PUBLISHED_ON = dt.datetime(2026, 10, 1, 8, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def open_projects(cycle, n: int) -> list[Project]:
    """``n`` projects whose comment periods end at the same instant."""
    with time_machine.travel(PUBLISHED_ON, tick=False):
        return [cycle.open(title=f"Project {i}") for i in range(n)]


def sweep_queries(now) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as ctx:
        done = clock.enforce_deadlines(now=now)
    return done, len(ctx.captured_queries)


def test_a_batch_of_comment_periods_closes_in_as_many_queries_as_one(
    cycle, django_capture_on_commit_callbacks
):
    one = open_projects(cycle, 1)
    after = one[0].comments_close_at + dt.timedelta(seconds=1)
    done, queries_for_one = sweep_queries(after)
    assert done["comments_closed"] == 1
    many = open_projects(cycle, 6)
    with time_machine.travel(PUBLISHED_ON + dt.timedelta(days=2), tick=False):
        for name, category in (("A", "party"), ("B", "observer")):
            wf.add_comment(
                many[2], name=name, affiliation="", category=category, email="c@x.org", text="Noted"
            )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        done, queries_for_six = sweep_queries(after + dt.timedelta(days=40))
    assert done["comments_closed"] == 6
    assert queries_for_six == queries_for_one
    for project in many:
        project.refresh_from_db()
        assert (project.status, project.due_at) == ("comments_closed", None)
        [event] = project.events.filter(kind="comments_closed")
        assert (event.from_status, event.to_status, event.actor, event.actor_label) == (
            "open_for_comments",
            "comments_closed",
            None,
            "jitrack clock",
        )
        assert event.data == {"comments": 2 if project == many[2] else 0}
        assert event.created_at == after + dt.timedelta(days=40)
    # each project's AIE is told, as one act per project told it, by one task for the batch
    assert len(queued) == 1 + 1  # the mail, and the page cache's new generation
    told = [m for m in mail.outbox if "comments closed" in m.subject]
    assert sorted(m.subject.split(" ")[1] for m in told) == sorted(p.key for p in many)


def test_a_batch_ends_positive_negative_and_imported_determinations_each_as_filed(cycle):
    with time_machine.travel(PUBLISHED_ON, tick=False):
        positive = cycle.determination_published(title="Positive")
        project = cycle.comments_closed(title="Negative")
        negative_findings = dict(FINDINGS, additionality=(False, "Not additional"))
        dwf.submit_determination(
            cycle.aie_user, project, findings=negative_findings, outcome="negative"
        )
        fee_services.pay_balance(cycle.secretariat, project, reference="BANK-2")
        dwf.check_determination(cycle.secretariat, project, accept=True)
        negative = Project.objects.get(pk=project.pk)
    closes = positive.review_window_closes_at
    assert negative.review_window_closes_at == closes
    before = pagecache.generation()
    done = clock.enforce_deadlines(now=closes + dt.timedelta(hours=1))
    assert done["determinations_final"] == 2
    assert pagecache.generation() != before
    for project, status, kind in (
        (positive, "final", "determination_final"),
        (negative, "rejected", "determination_rejected"),
    ):
        project.refresh_from_db()
        assert (project.status, project.final_on, project.due_at) == (status, closes.date(), None)
        assert project.updated_at >= closes
        det = project.determinations.get()
        assert (det.status, det.final_on) == (status, closes.date())
        [event] = project.events.filter(kind=kind)
        assert (event.from_status, event.to_status) == ("determination_published", status)
        assert event.data == {"determination": det.number, "final_on": str(closes.date())}
    assert dwf.deem_final_due([positive.pk, negative.pk], closes + dt.timedelta(days=1)) == 0


def test_a_batch_moves_no_row_when_one_of_them_may_not_move(cycle):
    """``Machine.move_many`` checks every row against the table before it writes any."""
    open_project, draft = cycle.open(), cycle.draft()
    with pytest.raises(Conflict), transaction.atomic():
        wf.PROJECT.move_many([open_project, draft], "comments_closed", log=None)
    assert Project.objects.get(pk=open_project.pk).status == "open_for_comments"
    assert Project.objects.get(pk=draft.pk).status == "draft"
    assert not Event.objects.filter(kind="comments_closed").exists()
