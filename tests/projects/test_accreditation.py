"""Accreditation changes are acts of the secretariat with public events (ji-rules §1, §7):
accreditation, suspension, restoration, withdrawal and a change of scopes, each through
``projects.accreditation``, and every act of an AIE checks its accreditation at the time."""

import feedparser
import pytest

from determinations import workflow as dwf
from determinations.models import Determination
from fees import services as fee_services
from jitrack.errors import Conflict, Forbidden, Invalid
from projects import accreditation
from projects import workflow as wf
from projects.models import Accreditation, Event, Organisation, Project
from tests.factories import pdf_upload, project_data
from tests.support import FINDINGS

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


# --- ji-rules §7 "Accreditation at every act" ----------------------------------------------------


def _suspend(secretariat, org, function="determination"):
    acc = Accreditation.objects.get(aie=org, function=function)
    accreditation.suspend(secretariat, acc, reason="JISC decision: suspended.")
    return acc


def _refused_not_accredited(call, *args, **kwargs):
    with pytest.raises(Conflict) as refused:
        call(*args, **kwargs)
    assert refused.value.code == "not_accredited"
    assert "suspended" in refused.value.detail


@pytest.mark.usefixtures("fast_pdfs")
def test_a_suspended_aie_cannot_submit_the_pdd_nor_have_it_published(cycle, secretariat):
    engaged = cycle.engaged()
    _suspend(secretariat, cycle.aie_user.organisation)
    _refused_not_accredited(wf.submit_pdd, cycle.aie_user, engaged)
    assert Project.objects.get(pk=engaged.pk).status == "engaged"


@pytest.mark.usefixtures("fast_pdfs")
def test_a_suspension_between_submission_and_publication_stops_the_publication(cycle, secretariat):
    submitted = cycle.submitted()
    _suspend(secretariat, cycle.aie_user.organisation)
    _refused_not_accredited(wf.check_pdd, secretariat, submitted, accept=True)
    project = Project.objects.get(pk=submitted.pk)
    assert (project.status, project.reference) == ("pdd_submitted", None)
    assert not Event.objects.filter(project=project, kind="pdd_published").exists()


@pytest.mark.usefixtures("fast_pdfs")
def test_a_suspended_aie_cannot_file_the_determination_nor_have_it_published(cycle, secretariat):
    closed = cycle.comments_closed()
    acc = _suspend(secretariat, cycle.aie_user.organisation)
    _refused_not_accredited(
        dwf.submit_determination,
        cycle.aie_user,
        closed,
        findings=dict(FINDINGS),
        outcome="positive",
    )
    assert not Determination.objects.filter(project=closed).exists()

    accreditation.restore(secretariat, acc, reason="Restored.")
    submitted = Project.objects.get(pk=closed.pk)
    dwf.submit_determination(cycle.aie_user, submitted, findings=dict(FINDINGS), outcome="positive")
    fee_services.pay_balance(secretariat, submitted, reference="BANK-1")
    _suspend(secretariat, cycle.aie_user.organisation)
    _refused_not_accredited(dwf.check_determination, secretariat, submitted, accept=True)
    assert Project.objects.get(pk=closed.pk).status == "determination_submitted"


def test_the_aie_can_be_changed_early_only_once_its_accreditation_is_suspended(
    cycle, secretariat, other_aie_org
):
    engaged = cycle.engaged()
    with pytest.raises(Conflict) as refused:
        wf.change_aie(cycle.participant, engaged, other_aie_org, "We prefer another AIE.")
    assert refused.value.code == "window_closed"

    _suspend(secretariat, cycle.aie_user.organisation)
    project = wf.change_aie(cycle.participant, engaged, other_aie_org, "Our AIE was suspended.")
    assert (project.aie, project.status) == (other_aie_org, "engaged")
    event = Event.objects.filter(project=project, kind="aie_changed").get()
    assert event.data["aie"] == other_aie_org.name and event.public


@pytest.mark.usefixtures("fast_pdfs")
def test_changing_a_suspended_aie_sets_its_unpublished_determination_aside(
    cycle, secretariat, other_aie_org, other_aie_user
):
    submitted = cycle.determination_submitted()
    _suspend(secretariat, cycle.aie_user.organisation)
    project = wf.change_aie(cycle.participant, submitted, other_aie_org, "Our AIE was suspended.")
    assert (project.status, project.aie) == ("comments_closed", other_aie_org)
    assert submitted.determinations.get().status == Determination.Status.WITHDRAWN
    event = Event.objects.get(project=project, kind="aie_changed")
    assert (event.from_status, event.to_status) == ("determination_submitted", "comments_closed")
    det = dwf.submit_determination(
        other_aie_user, project, findings=dict(FINDINGS), outcome="positive"
    )
    assert (det.number, det.aie) == (2, other_aie_org)
    assert Project.objects.get(pk=project.pk).status == "determination_submitted"
