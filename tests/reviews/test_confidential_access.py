"""Confidential papers follow a serving term, checked at the time of the request, and no
member with a conflict of interest on the project sees them (ji-rules §6; ``reviews.rules``)."""

import datetime as dt

import pytest
from django.utils import timezone

from projects.models import User
from reviews import workflow as rwf
from reviews.models import JiscMember
from tests.factories import UserFactory
from tests.support import client_for, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def appraisal(cycle, committee, secretariat, japan):
    project = cycle.determination_published(parties_involved=[japan])
    proposal = rwf.propose_appraisers(project)
    return rwf.appoint_appraisers(secretariat, project, **proposal)


def reads(user, appraisal, client) -> tuple[int, int]:
    """(page, API) status of the appraisal for ``user``, each in a request of its own."""
    page = login(client, user).get(f"/reviews/appraisals/{appraisal.pk}/").status_code
    api = client_for(User.objects.get(pk=user.pk)).get(f"/api/appraisals/{appraisal.pk}/")
    return page, api.status_code


def test_a_serving_member_reads_and_a_former_one_does_not(appraisal, committee, client):
    reader = next(m for m in committee.members if not appraisal.appraisers.filter(user=m))
    assert reads(reader, appraisal, client) == (200, 200)
    JiscMember.objects.filter(user=reader).update(
        term_end=timezone.localdate() - dt.timedelta(days=1)
    )
    assert reads(reader, appraisal, client) == (404, 404)
    assert not User.objects.get(pk=reader.pk).has_perm("reviews.view_confidential", appraisal)


def test_a_jisc_user_without_a_term_reads_nothing(appraisal, client):
    stranger = UserFactory(username="noterm", role=User.Role.JISC)
    assert reads(stranger, appraisal, client) == (404, 404)


def test_a_member_with_a_conflict_of_interest_reads_nothing_of_that_project(
    appraisal, committee, client, cycle
):
    """[our reading] ji-rules §6: the member from Japan, a Party involved in the project."""
    assert reads(committee.conflicted, appraisal, client) == (404, 404)
    other = cycle.determination_published(title="Not Japan's")
    assert committee.conflicted.has_perm("reviews.view_confidential", other)
    assert not committee.conflicted.has_perm("reviews.view_confidential", appraisal.project)
