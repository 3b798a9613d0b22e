"""Who may see and do what: each role sees only what it may, confidential stays confidential."""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Q

from jitrack.errors import NotFound
from projects import workflow as wf
from projects.models import Project, User
from projects.selectors import get_project_for, parse_key, visible_projects
from tests.factories import PartyFactory, UserFactory, pdf_upload

pytestmark = pytest.mark.django_db


def keys(user):
    return set(visible_projects(user).values_list("pk", flat=True))


def test_drafts_visible_only_to_own_participants(
    cycle, participant, other_participant, aie_user, secretariat, jisc_user
):
    draft = cycle.draft()
    assert draft.pk in keys(participant)
    for user in (other_participant, aie_user, secretariat, jisc_user, AnonymousUser()):
        assert draft.pk not in keys(user)
        with pytest.raises(NotFound):
            get_project_for(user, draft.key)


def test_invited_aie_sees_project_before_publication(cycle, participant, aie_user, other_aie_user):
    project = cycle.draft()
    wf.engage_aie(participant, project, aie_user.organisation)
    assert project.pk in keys(aie_user)
    assert project.pk not in keys(other_aie_user)


def test_submitted_pdd_visible_to_secretariat_not_public(cycle, secretariat, party_user, japan):
    project = cycle.submitted()
    assert project.pk in keys(secretariat)
    # the host's focal point approves the project before publication (para 33 (a))
    assert project.pk in keys(party_user)
    other_dfp = UserFactory(username="jp-dfp", role=User.Role.PARTY, party=japan)
    assert project.pk not in keys(other_dfp)
    assert project.pk not in keys(AnonymousUser())


def test_published_project_visible_to_everyone(cycle, other_participant, other_aie_user, jisc_user):
    project = cycle.open()
    for user in (other_participant, other_aie_user, jisc_user, AnonymousUser()):
        assert get_project_for(user, "0001").pk == project.pk


def test_unknown_or_malformed_key_is_not_found(cycle):
    for key in ("9999", "P999999", "abc", "", "00001"):
        with pytest.raises(NotFound):
            get_project_for(AnonymousUser(), key)


def test_confidential_document_never_public_nor_other_organisation(
    cycle, participant, aie_user, secretariat, other_participant, other_aie_user, jisc_user
):
    project = cycle.draft()
    secret = wf.add_document(
        participant,
        project,
        kind="supporting",
        title="IRR model",
        uploaded=pdf_upload(),
        confidential=True,
    )
    public = wf.add_document(participant, project, kind="pdd", title="PDD", uploaded=pdf_upload())
    engagement = wf.engage_aie(participant, project, aie_user.organisation)
    wf.decide_engagement(aie_user, engagement, accept=True)
    wf.submit_pdd(aie_user, project)
    wf.check_pdd(secretariat, project, accept=True)
    secret.refresh_from_db()
    public.refresh_from_db()
    assert secret.published_at is None
    for user in (participant, aie_user, secretariat):
        assert user.has_perm("projects.view_document", secret)
    for user in (other_participant, other_aie_user, jisc_user, AnonymousUser()):
        assert not user.has_perm("projects.view_document", secret)
        assert user.has_perm("projects.view_document", public)


def test_unpublished_document_not_public(cycle, participant):
    project = cycle.draft()
    doc = wf.add_document(participant, project, kind="pdd", title="PDD", uploaded=pdf_upload())
    assert not AnonymousUser().has_perm("projects.view_document", doc)
    assert participant.has_perm("projects.view_document", doc)


@pytest.mark.parametrize(
    "perm,allowed",
    [
        ("projects.edit_project", {"participant"}),
        ("projects.withdraw_project", {"participant"}),
        ("projects.submit_pdd", {"aie_user"}),
        ("projects.answer_comment", {"aie_user"}),
        ("projects.check_pdd", {"secretariat"}),
        ("determinations.submit_determination", {"aie_user"}),
        ("determinations.check_determination", {"secretariat"}),
        ("fees.record_payment", {"secretariat"}),
        ("fees.view_fees", {"participant", "secretariat"}),
        ("projects.view_comment_email", {"aie_user", "secretariat"}),
    ],
)
def test_each_role_may_do_only_its_own_actions(request, cycle, perm, allowed):
    project = cycle.open()
    names = [
        "participant",
        "other_participant",
        "aie_user",
        "other_aie_user",
        "secretariat",
        "party_user",
        "jisc_user",
    ]
    for name in names:
        user = request.getfixturevalue(name)
        assert user.has_perm(perm, project) is (name in allowed), (name, perm)
    assert not AnonymousUser().has_perm(perm, project)


def test_references_go_on_past_9999_with_more_digits(db):
    """ji-rules §3 item 2 gives four digits; the registry goes on with five past 9999
    (``projects.workflow.REFERENCE_LIMIT``): the highest is found by number, not as text, and
    the page finds the project by it."""
    host = PartyFactory()
    for ref in ("9999", "10000"):
        Project.objects.create(
            title=ref, host_party=host, reference=ref, pdd_available_on=date(2020, 1, 6)
        )
    with transaction.atomic():
        assert wf._next_reference() == "10001"
    assert parse_key("10000") == Q(reference="10000")
    assert get_project_for(AnonymousUser(), "10000").title == "10000"


def test_track2_references_ignore_the_track1_references_hosts_assign(db):
    """A Track 1 reference is the host's own (UA1000001, para 23); the next Track 2 reference
    counts Track 2 references only."""
    host = PartyFactory()
    Project.objects.create(
        title="t2", host_party=host, reference="0007", pdd_available_on=date(2020, 1, 6)
    )
    Project.objects.create(
        title="t1", host_party=host, reference="UA1000002", track=Project.Track.ONE
    )
    with transaction.atomic():
        assert wf._next_reference() == "0008"
    assert get_project_for(AnonymousUser(), "UA1000002").title == "t1"
