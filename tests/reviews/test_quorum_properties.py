"""Para 35 quorum as a property (ji-rules §3.7): for any order and mix of requests from JISC members
and the designated focal points of Parties involved, exactly one review exists iff one Party or
three distinct members asked; it starts at the request that first met the rule, and every accepted
request belongs to it. Repeated requesters (and a second DFP of the same Party) are refused.

Each example runs in a savepoint that is rolled back, over one published project built per test.
"""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jitrack.errors import Conflict, Forbidden
from projects.models import Event, Project, User
from reviews import workflow as rwf
from reviews.models import Review, ReviewRequest
from tests.factories import UserFactory
from tests.support import REASONS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]

MEMBERS = ["m1", "m2", "m3", "m4", "m5"]
# m5 is an alternate not acting for an absent member: it does not count and may not ask
# ([our reading] ji-rules §7 "Review requests").
NOT_SITTING = {"m5"}
# Two Parties involved (Ukraine hosts, Japan is involved); ua2 is a second focal point of Ukraine.
DFPS = {"ua": "UA", "jp": "JP", "ua2": "UA"}
NAMES = MEMBERS + list(DFPS)


class Rollback(Exception):
    pass


@pytest.fixture
def world(cycle, committee, japan, ukraine):
    project = cycle.determination_published(parties_involved=[japan])
    users = {u.username: u for u in committee.members}
    parties = {"UA": ukraine, "JP": japan}
    for name, code in DFPS.items():
        users[name] = UserFactory(username=name, role=User.Role.PARTY, party=parties[code])
    return project, users, timezone.now()


def check(project, users, t0, steps):
    accepted: list[str] = []
    parties: set[str] = set()
    members: set[str] = set()
    started_at = None
    now = t0
    for name, gap in steps:
        now += dt.timedelta(seconds=gap)
        party = DFPS.get(name)
        if name in NOT_SITTING:
            with pytest.raises(Forbidden):
                rwf.request_review(users[name], project, reasons=REASONS, summary="S", now=now)
            continue
        if name in accepted:
            refusal = "duplicate_request"
        elif party and party in parties:
            refusal = "party_already_requested"
        else:
            refusal = None
        if refusal:
            with pytest.raises(Conflict) as info:
                rwf.request_review(users[name], project, reasons=REASONS, summary="S", now=now)
            assert info.value.code == refusal
            continue
        req = rwf.request_review(users[name], project, reasons=REASONS, summary="S", now=now)
        accepted.append(name)
        if party:
            parties.add(party)
        else:
            members.add(name)
        if started_at is None and (parties or len(members) >= 3):
            started_at = now
        # Attached from the request that starts the review on; before it, to nothing.
        assert (req.review is not None) == (started_at is not None)

    reviews = list(Review.objects.filter(project=project))
    requests = list(ReviewRequest.objects.filter(project=project).order_by("received_at", "pk"))
    assert [r.requested_by.username for r in requests] == accepted
    project = Project.objects.get(pk=project.pk)
    det = project.determinations.get()
    kinds = list(Event.objects.filter(project=project).values_list("kind", flat=True))
    assert kinds.count("review_request_received") == len(accepted)
    if started_at is None:
        assert reviews == []
        assert all(r.review_id is None for r in requests)
        assert project.status == "determination_published"
        assert det.status == "published"
        assert "review_started" not in kinds
    else:
        assert len(reviews) == 1
        review = reviews[0]
        assert review.requested_at == started_at
        assert review.determination == det
        assert all(r.review_id == review.pk for r in requests)
        assert project.status == "under_review"
        assert det.status == "under_review"
        assert kinds.count("review_started") == 1


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(NAMES), st.integers(min_value=0, max_value=86_400)),
        max_size=12,
    )
)
def test_review_starts_exactly_once_at_the_request_that_meets_the_quorum(world, steps):
    project, users, t0 = world
    try:
        with transaction.atomic():
            check(project, users, t0, steps)
            raise Rollback
    except Rollback:
        pass


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,
)
@given(order=st.permutations(MEMBERS), count=st.integers(min_value=0, max_value=5))
def test_members_alone_start_the_review_at_the_third_distinct_member(world, order, count):
    project, users, t0 = world
    steps = [(name, 60) for name in order[:count]]
    sitting = [i for i, name in enumerate(order[:count]) if name not in NOT_SITTING]
    try:
        with transaction.atomic():
            check(project, users, t0, steps)
            assert Review.objects.filter(project=project).exists() == (len(sitting) >= 3)
            if len(sitting) >= 3:  # the third sitting member's request starts it
                expected = t0 + dt.timedelta(seconds=60 * (sitting[2] + 1))
                assert Review.objects.get(project=project).requested_at == expected
            raise Rollback
    except Rollback:
        pass
