"""``?as_of=YYYY-MM-DD``: a project's public page as it stood at the end of a day, rebuilt
from the event log (issue 6)."""

import datetime as dt
from datetime import UTC

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import workflow as wf
from projects.models import Comment, Event, Project
from registry.asof import end_of, rebuild
from registry.importer import import_projects
from tests.support import csv_text, row

D = dt.date


def page(client, project, day: str):
    return client.get(f"/projects/{project.key}/", {"as_of": day})


def test_before_publication_the_project_was_not_public(client, history):
    response = page(client, history, "2011-02-28")
    assert response.status_code == 404
    assert b"was not yet public at the end of 28 Feb 2011" in response.content


def test_open_for_comments_with_the_answer_as_it_was(client, history):
    response = page(client, history, "2011-03-05")
    assert response.status_code == 200
    snap = response.context["snap"]
    assert snap.status == "open_for_comments"
    assert snap.reference == history.reference
    assert snap.comments_close_at == dt.datetime(2011, 3, 30, 17, tzinfo=UTC)
    body = response.content.decode()
    assert "As published at the end of 5 Mar 2011" in body
    assert "First answer." in body and "Revised answer." not in body
    # the window still open that day, with what was left at its end
    assert "Comment period closes" in body
    assert "24 days 17 h left" in body
    assert "Determination report" not in body

    later = page(client, history, "2011-03-10").content.decode()
    assert "Revised answer." in later and "First answer." not in later


def test_a_comment_received_later_is_not_shown(client, history):
    body = page(client, history, "2011-03-04").content.decode()
    assert "How is leakage monitored?" not in body
    assert "No comments." in body


def test_determination_window_then_final(client, history):
    closed = page(client, history, "2011-04-05").context["snap"]
    assert closed.status == "determination_submitted"
    assert closed.determination_available_on is None

    window = page(client, history, "2011-04-06")
    snap = window.context["snap"]
    assert snap.status == "determination_published"
    assert snap.review_window_closes_at == dt.datetime(2011, 5, 20, 17, tzinfo=UTC)
    assert snap.deadline[0] == "Review window closes"
    assert any(d.kind == "determination_report" for d in window.context["documents"])

    final = page(client, history, "2011-05-21").context["snap"]
    assert final.status == "final" and final.final_on == history.final_on == D(2011, 5, 20)
    assert final.deadline is None
    assert final.verifications == []


def test_verification_and_erus_as_they_stood(client, history):
    published = page(client, history, "2012-03-10").context["snap"]
    [ver] = published.verifications
    assert (ver.status, ver.verified_total, ver.erus_issued) == ("published", 30000, 0)

    final = page(client, history, "2012-03-25").context["snap"]
    assert final.verifications[0].status == "final"
    assert final.verifications[0].erus_issued == 0

    issued = page(client, history, "2012-04-02")
    assert issued.context["snap"].verifications[0].erus_issued == 30000
    assert "30,000" in issued.content.decode()


def test_timeline_stops_at_the_end_of_the_day_and_lists_public_events_only(client, history):
    snap = page(client, history, "2011-03-31").context["snap"]
    until = end_of(D(2011, 3, 31))
    assert snap.events and all(e.created_at < until and e.public for e in snap.events)
    kinds = [e.kind for e in snap.events]
    assert "comments_closed" in kinds and "determination_submitted" not in kinds
    all_before = Event.objects.filter(project=history, created_at__lt=until)
    assert all_before.filter(public=False).exists()  # private events exist but are not listed
    assert len(kinds) == all_before.filter(public=True).count()


def test_the_page_is_the_public_view_for_insiders_too(client, history, cycle):
    client.force_login(cycle.participant)
    body = page(client, history, "2011-03-05").content.decode()
    assert "Not public" not in body
    assert "olena@example.org" not in body


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2011-3-5", "YYYY-MM-DD"),
        ("yesterday", "YYYY-MM-DD"),
        ("2011-02-30", "YYYY-MM-DD"),
        ("", "YYYY-MM-DD"),
        ("2011-03-05\x00", "YYYY-MM-DD"),
        ("9999-12-31", "not later"),
    ],
)
def test_bad_dates_are_refused_with_a_message(client, history, value, message):
    response = page(client, history, value)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_query_count_does_not_grow_with_the_history(client, history, cycle):
    with CaptureQueriesContext(connection) as small:
        assert page(client, history, "2012-04-02").status_code == 200
    for i in range(12):  # more comments, answers and events than the small page had
        comment = Comment.objects.create(
            project=history,
            name=f"Commenter {i}",
            category="stakeholder",
            email=f"c{i}@example.org",
            text=f"Comment {i}",
            submitted_at=dt.datetime(2011, 3, 6, 9, i, tzinfo=UTC),
        )
        wf.record(
            history,
            "comment_answered",
            actor=cycle.aie_user,
            data={"comment_id": comment.pk, "answer": f"Answer {i}"},
            at=dt.datetime(2011, 3, 7, 9, i, tzinfo=UTC),
        )
    with CaptureQueriesContext(connection) as large:
        assert page(client, history, "2012-04-03").status_code == 200
    assert len(small) == len(large) <= 10


def test_rebuild_follows_an_aie_change():
    """Pure rebuild: the AIE of the day comes from the aie_changed events around it."""

    def ev(kind, day, **data):
        return Event(
            kind=kind,
            data=data,
            public=True,
            created_at=dt.datetime(2011, 1, day, 12, tzinfo=UTC),
            to_status={"pdd_published": "open_for_comments"}.get(kind, ""),
        )

    events = [
        ev("pdd_published", 1, reference="0042", available_on="2011-01-01"),
        ev("aie_changed", 10, old_aie="First AIE", aie="Second AIE"),
        ev("aie_changed", 20, old_aie="Second AIE", aie="Third AIE"),
    ]
    assert rebuild(events, D(2011, 1, 5), current_aie="Third AIE").aie == "First AIE"
    assert rebuild(events, D(2011, 1, 15), current_aie="Third AIE").aie == "Second AIE"
    assert rebuild(events, D(2011, 1, 25), current_aie="Third AIE").aie == "Third AIE"
    assert rebuild(events, D(2011, 1, 5)).reference == "0042"


def test_the_monitoring_page_as_of_a_day_is_the_project_page_then(client, history):
    response = client.get(f"/projects/{history.key}/monitoring/", {"as_of": "2012-03-10"})
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{history.key}/?as_of=2012-03-10#verifications"


def test_an_imported_project_can_be_shown_as_it_stood(client, ukraine, japan, scopes):
    """The import writes the history as events, so the past of a migrated project shows too."""
    import_projects(
        csv_text(
            row(
                pdd_available_on="2008-07-29",
                determination_available_on="2011-04-16",
                review_requested_on="2011-05-30",
                final_on="2011-10-03",
            )
        )
    )
    project = Project.objects.get(reference="0001")
    expected = {
        "2008-07-28": None,
        "2008-08-26": "open_for_comments",
        "2008-08-27": "comments_closed",  # closed at 17:00 GMT that day
        "2011-04-16": "determination_published",
        "2011-06-01": "under_review",
        "2011-10-03": "final",
    }
    for day, status in expected.items():
        response = page(client, project, day)
        if status is None:
            assert response.status_code == 404
        else:
            assert response.context["snap"].status == status, day


def test_rebuild_follows_a_review_of_the_determination():
    def ev(kind, day, to_status="", label="", **data):
        return Event(
            kind=kind,
            data=data,
            public=True,
            actor_label=label,
            created_at=dt.datetime(2011, 5, day, 12, tzinfo=UTC),
            to_status=to_status,
        )

    events = [
        ev("pdd_published", 1, "open_for_comments", reference="0042", available_on="2011-05-01"),
        ev("review_request_received", 10, label="Ukraine", party="UA", by="party"),
        ev("review_started", 10, "under_review", due_at="2011-11-10T10:00:00+00:00"),
        ev("review_decided", 20, "final", decision="confirmed"),
    ]
    before = rebuild(events, D(2011, 5, 15))
    assert (before.status, before.review_requests, before.review_parties) == (
        "under_review",
        1,
        ["Ukraine"],
    )
    assert before.review_due_at == dt.datetime(2011, 11, 10, 10, tzinfo=UTC)
    assert before.review_decision == ""
    after = rebuild(events, D(2011, 5, 20))
    assert after.status == "final" and after.final_on == D(2011, 5, 20)
    assert after.review_decision_label == "Determination confirmed"
