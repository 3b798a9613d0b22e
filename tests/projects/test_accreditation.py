"""Accreditation changes are acts of the secretariat with public events (ji-rules §1, §7):
accreditation, suspension, restoration, withdrawal and a change of scopes, each through
``projects.accreditation``, and every act of an AIE checks its accreditation at the time."""

import feedparser
import pytest

from jitrack.errors import Conflict, Forbidden, Invalid
from projects import accreditation
from projects import workflow as wf
from projects.models import Accreditation, Event, Organisation
from tests.factories import pdf_upload, project_data

pytestmark = pytest.mark.django_db
A = Accreditation.Status


@pytest.fixture
def entity(db, scopes):
    return Organisation.objects.create(name="Det Norske Veritas", kind=Organisation.Kind.AIE)


def _accredited(secretariat, entity, function="determination", scopes=(1, 2)):
    return accreditation.accredit(
        secretariat, entity, function=function, scopes=scopes, reason="JISC 20 decision."
    )


def test_accreditation_is_recorded_with_a_public_event_on_the_aie(secretariat, entity):
    acc = _accredited(secretariat, entity)
    assert acc.status == A.ACCREDITED
    assert sorted(s.number for s in acc.scopes.all()) == [1, 2]
    event = Event.objects.get(kind="accreditation_granted")
    assert (event.project, event.organisation, event.public) == (None, entity, True)
    assert event.data == {
        "aie": "Det Norske Veritas",
        "function": "determination",
        "scopes": [1, 2],
    }
    assert event.actor_label == "Secretariat"
    assert event.reason == "JISC 20 decision."


def test_suspension_stops_the_aie_and_restoration_lets_it_act_again(
    secretariat, entity, participant, ukraine
):
    acc = _accredited(secretariat, entity)
    project = wf.create_project(participant, **project_data(ukraine))
    wf.add_document(participant, project, kind="pdd", title="PDD", uploaded=pdf_upload())

    accreditation.suspend(secretariat, acc, reason="JISC 21: spot check findings.")
    with pytest.raises(Conflict) as refused:
        wf.engage_aie(participant, project, entity)
    assert refused.value.code == "not_accredited"
    assert "suspended" in refused.value.detail

    accreditation.restore(secretariat, acc, reason="JISC 22: findings closed.")
    assert wf.engage_aie(participant, project, entity).aie == entity
    assert list(
        Event.objects.filter(organisation=entity)
        .order_by("pk")
        .values_list("kind", "data__previous")
    ) == [
        ("accreditation_granted", None),
        ("accreditation_suspended", "accredited"),
        ("accreditation_restored", "suspended"),
    ]


def test_a_withdrawn_accreditation_cannot_move_again(secretariat, entity):
    acc = _accredited(secretariat, entity)
    accreditation.withdraw(secretariat, acc, reason="Voluntary withdrawal.")
    with pytest.raises(Conflict) as refused:
        accreditation.restore(secretariat, acc, reason="Try again.")
    assert refused.value.code == "wrong_status"
    assert refused.value.detail == "The accreditation is withdrawn: it cannot be accredited."
    with pytest.raises(Conflict):
        accreditation.suspend(secretariat, acc, reason="Again.")
    assert Accreditation.objects.get(pk=acc.pk).status == A.WITHDRAWN
    assert Event.objects.filter(organisation=entity).count() == 2


def test_only_the_secretariat_records_accreditations_and_every_change_has_a_reason(
    secretariat, entity, participant, aie_user
):
    for user in (participant, aie_user):
        with pytest.raises(Forbidden):
            _accredited(user, entity)
    with pytest.raises(Invalid) as missing:
        accreditation.accredit(
            secretariat, entity, function="determination", scopes=[1], reason=" "
        )
    assert missing.value.field == "reason"
    with pytest.raises(Invalid):
        accreditation.accredit(secretariat, entity, function="determination", scopes=[], reason="x")
    assert not Accreditation.objects.filter(aie=entity).exists()
    acc = _accredited(secretariat, entity)
    with pytest.raises(Conflict) as twice:
        _accredited(secretariat, entity)
    assert twice.value.code == "already_accredited"
    assert Accreditation.objects.get(pk=acc.pk).status == A.ACCREDITED


def test_a_change_of_scopes_is_a_public_event_with_the_scopes_before(secretariat, entity):
    acc = _accredited(secretariat, entity)
    accreditation.change_scopes(secretariat, acc, scopes=[1, 2, 13], reason="JISC 25: scope 13.")
    event = Event.objects.get(kind="accreditation_scopes_changed")
    assert event.data["scopes"] == [1, 2, 13]
    assert event.data["previous_scopes"] == [1, 2]


def test_accreditation_events_are_in_the_site_wide_feed(client, secretariat, entity):
    _accredited(secretariat, entity)
    feed = feedparser.parse(client.get("/feeds/").content)
    assert [e.title for e in feed.entries] == ["AIE accredited — Det Norske Veritas"]
    assert feed.entries[0].link.endswith("/api/aies/")


def test_the_admin_suspends_through_the_workflow(admin_client, secretariat, entity):
    acc = _accredited(secretariat, entity)
    response = admin_client.post(
        "/admin/projects/accreditation/",
        {"action": "accreditation_suspend", "_selected_action": [acc.pk]},
    )
    assert response.status_code == 302
    assert Accreditation.objects.get(pk=acc.pk).status == A.SUSPENDED
    assert Event.objects.filter(kind="accreditation_suspended", organisation=entity).exists()
