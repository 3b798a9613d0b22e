"""The statutory clock: end instants, idempotent sweeps, parallel sweeps on PostgreSQL."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from determinations import workflow as dwf
from fees import services as fees
from projects import workflow as wf
from projects.models import Event, Project
from registry import clock
from tests.support import FINDINGS, run_at_once

UTC = dt.UTC


def cycle_counts(done: dict[str, int]) -> dict[str, int]:
    """The sweep's counts of the project's own windows."""
    return {kind: done[kind] for kind in ("comments_closed", "determinations_final")}


@pytest.mark.django_db
def test_comments_close_after_end_instant_not_at_it(cycle):
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC), tick=False):
        project = cycle.open()  # available 2026-11-20, ends Saturday 2026-12-19 17:00
    assert project.comments_close_at == dt.datetime(2026, 12, 19, 17, 0, tzinfo=UTC)
    with time_machine.travel(dt.datetime(2026, 12, 19, 17, 0, tzinfo=UTC), tick=False):
        assert cycle_counts(clock.enforce_deadlines()) == {
            "comments_closed": 0,
            "determinations_final": 0,
        }
        wf.add_comment(
            project, name="Last", affiliation="", category="party", email="l@x.org", text="On time"
        )
    with time_machine.travel(dt.datetime(2026, 12, 19, 17, 0, 1, tzinfo=UTC), tick=False):
        assert cycle_counts(clock.enforce_deadlines()) == {
            "comments_closed": 1,
            "determinations_final": 0,
        }
        assert cycle_counts(clock.enforce_deadlines()) == {
            "comments_closed": 0,
            "determinations_final": 0,
        }
    project.refresh_from_db()
    assert project.status == "comments_closed"
    assert project.due_at is None
    event = project.events.get(kind="comments_closed")
    assert event.actor is None and event.actor_label == "jitrack clock"
    assert event.data == {"comments": 1}


@pytest.mark.django_db
def test_determination_final_after_45_days_across_year_end(cycle):
    with time_machine.travel(dt.datetime(2026, 10, 1, 8, 0, tzinfo=UTC), tick=False):
        project = cycle.open()
    with time_machine.travel(dt.datetime(2026, 10, 30, 17, 0, 1, tzinfo=UTC), tick=False):
        clock.enforce_deadlines()
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=UTC), tick=False):
        project = Project.objects.get(pk=project.pk)
        dwf.submit_determination(
            cycle.aie_user, project, findings=dict(FINDINGS), outcome="positive"
        )
        fees.pay_balance(cycle.secretariat, project, reference="BANK-1")
        dwf.check_determination(cycle.secretariat, project, accept=True)
    project.refresh_from_db()
    assert project.review_window_closes_at == dt.datetime(2027, 1, 3, 17, 0, tzinfo=UTC)
    with time_machine.travel(dt.datetime(2027, 1, 3, 16, 59, 59, tzinfo=UTC), tick=False):
        assert clock.enforce_deadlines()["determinations_final"] == 0
    with time_machine.travel(dt.datetime(2027, 1, 3, 17, 0, 1, tzinfo=UTC), tick=False):
        assert clock.enforce_deadlines()["determinations_final"] == 1
        assert clock.enforce_deadlines()["determinations_final"] == 0
    project.refresh_from_db()
    assert project.status == "final"
    assert project.final_on == dt.date(2027, 1, 3)
    assert project.determinations.get().status == "final"
    assert Event.objects.filter(project=project, kind="determination_final").count() == 1


@pytest.mark.django_db
def test_sweep_never_finalises_a_project_under_review(cycle):
    project = cycle.determination_published()
    # A review request (issue 4) moves the project to under_review through the transition table.
    with wf.transaction.atomic():
        locked = wf.lock(project)
        wf.transition(locked, "under_review", actor=None, kind="review_started")
    project.refresh_from_db()
    assert project.due_at is None
    after = project.review_window_closes_at + dt.timedelta(days=1)
    assert cycle_counts(clock.enforce_deadlines(now=after)) == {
        "comments_closed": 0,
        "determinations_final": 0,
    }
    assert Project.objects.get(pk=project.pk).status == "under_review"


@pytest.mark.django_db
def test_sweep_ignores_rows_not_yet_due_and_other_statuses(cycle):
    open_project = cycle.open()
    draft = cycle.draft()
    early = open_project.comments_close_at - dt.timedelta(minutes=1)
    assert cycle_counts(clock.enforce_deadlines(now=early)) == {
        "comments_closed": 0,
        "determinations_final": 0,
    }
    assert Project.objects.get(pk=open_project.pk).status == "open_for_comments"
    assert Project.objects.get(pk=draft.pk).status == "draft"


@pytest.mark.django_db
def test_enforce_deadlines_command_runs_the_sweep(cycle, capsys):
    project = cycle.open()
    with time_machine.travel(project.comments_close_at + dt.timedelta(minutes=1), tick=False):
        call_command("enforce_deadlines")
        call_command("enforce_deadlines")
    out = capsys.readouterr().out.splitlines()
    rest = "verifications_final: 0, appraisals_closed: 0, appraisal_reminders: 0, clarification_reminders: 0, reviews_overdue: 0"
    assert out == [
        f"comments_closed: 1, determinations_final: 0, {rest}",
        f"comments_closed: 0, determinations_final: 0, {rest}",
    ]


@pytest.mark.django_db
def test_due_rows_are_found_through_the_index(cycle):
    cycle.open()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET enable_seqscan = off")
            cur.execute(
                "EXPLAIN SELECT id FROM projects_project WHERE due_at < now() ORDER BY due_at"
            )
            plan = "\n".join(row[0] for row in cur.fetchall())
            cur.execute("SET enable_seqscan = on")
    else:
        with connection.cursor() as cur:
            cur.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM projects_project "
                "WHERE due_at < '2030-01-01' ORDER BY due_at"
            )
            plan = "\n".join(str(row) for row in cur.fetchall())
    # Django names the db_index=True index projects_project_due_at_<hash>.
    assert "projects_project_due_at" in plan, plan


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_close_each_window_once(cycle):
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED need PostgreSQL; CI runs this on PostgreSQL")
    projects = [cycle.open() for _ in range(6)]
    after = max(p.comments_close_at for p in projects) + dt.timedelta(seconds=1)

    def sweep():
        return clock.enforce_deadlines(now=after)

    results, errors = run_at_once(sweep, sweep)
    assert errors == [None, None]
    assert sum(r["comments_closed"] for r in results) == 6
    assert Event.objects.filter(kind="comments_closed").count() == 6
    assert set(Project.objects.values_list("status", flat=True)) == {"comments_closed"}


@pytest.mark.django_db(transaction=True)
def test_concurrent_publications_get_distinct_references(cycle):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent row locks need PostgreSQL; CI runs this on PostgreSQL")
    submitted = [cycle.submitted() for _ in range(4)]

    def publish(project):
        return lambda: wf.check_pdd(cycle.secretariat, project, accept=True)

    _, errors = run_at_once(*(publish(p) for p in submitted))
    assert errors == [None] * 4
    assert sorted(Project.objects.values_list("reference", flat=True)) == [
        "0001",
        "0002",
        "0003",
        "0004",
    ]
