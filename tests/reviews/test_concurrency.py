"""Review requests arriving at the same instant (para 35): the project row lock makes the quorum
check and the start of the review happen exactly once. PostgreSQL only: SQLite serialises whole
transactions and cannot show row-lock races."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from determinations import workflow as dwf
from jitrack.errors import Conflict
from projects.models import Event, Project, User
from reviews import workflow as rwf
from reviews.models import Review, ReviewRequest
from tests.factories import UserFactory
from tests.support import REASONS, run_at_once

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fast_pdfs")]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "concurrent requests need PostgreSQL row locks (SELECT ... FOR UPDATE); "
            "run with DATABASE_URL=postgres://..."
        )


def request(user, project, now):
    return lambda: rwf.request_review(
        user, project, reasons=REASONS, summary="Additionality doubtful", now=now
    )


def assert_one_review(project, n_requests, now):
    review = Review.objects.get(project=project)
    assert review.requested_at == now
    assert ReviewRequest.objects.filter(project=project).count() == n_requests
    assert not ReviewRequest.objects.filter(project=project, review__isnull=True).exists()
    assert Project.objects.get(pk=project.pk).status == "under_review"
    assert project.determinations.get().status == "under_review"
    kinds = list(Event.objects.filter(project=project).values_list("kind", flat=True))
    assert kinds.count("review_started") == 1
    assert kinds.count("review_request_received") == n_requests
    return review


def test_three_members_at_the_same_instant_start_one_review(project, committee):
    now = timezone.now()
    _, errors = run_at_once(*[request(u, project, now) for u in committee.members[:3]])
    assert errors == [None, None, None]
    review = assert_one_review(project, 3, now)
    started = Event.objects.get(project=project, kind="review_started")
    assert started.data["jisc_member_requests"] == 3
    assert started.data["due_at"] == review.due_at.isoformat()


def test_a_party_and_a_member_at_the_same_instant_start_one_review(project, committee, party_user):
    now = timezone.now()
    _, errors = run_at_once(
        request(party_user, project, now), request(committee.members[0], project, now)
    )
    assert errors == [None, None]
    assert_one_review(project, 2, now)


def test_every_requester_at_once_starts_one_review(project, committee, party_user, japan):
    now = timezone.now()
    jp = UserFactory(username="jp_dfp", role=User.Role.PARTY, party=japan)
    # every sitting member (m5 is an alternate not acting for anyone: it does not ask)
    users = [*committee.members[:4], party_user, jp]
    _, errors = run_at_once(*[request(u, project, now) for u in users])
    assert errors == [None] * len(users)
    assert_one_review(project, len(users), now)


def test_the_same_member_twice_at_once_is_accepted_once(project, committee):
    now = timezone.now()
    _, errors = run_at_once(*[request(committee.members[0], project, now)] * 2)
    assert sorted(e.code for e in errors if e is not None) == ["duplicate_request"]
    assert all(e is None or isinstance(e, Conflict) for e in errors)
    assert ReviewRequest.objects.filter(project=project).count() == 1
    assert not Review.objects.exists()


def test_two_focal_points_of_one_party_at_once_are_accepted_once(project, party_user, ukraine):
    now = timezone.now()
    other = UserFactory(username="party2", role=User.Role.PARTY, party=ukraine)
    _, errors = run_at_once(request(party_user, project, now), request(other, project, now))
    assert sorted(e.code for e in errors if e is not None) == ["party_already_requested"]
    assert_one_review(project, 1, now)


def test_a_request_racing_the_clock_at_the_window_end_gives_review_or_finality(project, party_user):
    closes = project.review_window_closes_at
    results, errors = run_at_once(
        request(party_user, project, closes),
        lambda: dwf.deem_final(project.pk, closes + dt.timedelta(microseconds=1)),
    )
    status = Project.objects.get(pk=project.pk).status
    if status == "under_review":  # the request took the lock first; the clock then did nothing
        assert errors == [None, None] and results[1] is False
        assert_one_review(project, 1, closes)
    else:  # the clock took the lock first; the request found the window over
        assert status == "final"
        assert results[1] is True
        assert errors[1] is None and errors[0].code == "not_in_window"
        assert not Review.objects.exists()
