"""Changes after the determination (issue 16, ``projects.changes``): participants and Parties
involved of a final project, with the participants' consent and the new Party's approval, and
the renewal of the crediting period by the host's focal point."""

import datetime as dt

import pytest

from determinations import verification as vwf
from jitrack.errors import Conflict, Forbidden, Invalid
from projects import changes, outbox
from projects import workflow as wf
from projects.models import (
    Document,
    Event,
    LetterOfApproval,
    Notification,
    Project,
    ProjectChange,
    User,
)
from tests.factories import OrganisationFactory, PartyFactory, pdf_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]


@pytest.fixture
def project(cycle):
    return cycle.final(crediting_start=dt.date(2009, 1, 1))


@pytest.fixture
def newcomer(db):
    return OrganisationFactory(name="Blue Sky Energy")


@pytest.fixture
def germany(db):
    return PartyFactory(code="DE", name="Germany", kp_party=True)


@pytest.fixture
def german_dfp(germany):
    return User.objects.create(username="dfp-de", role=User.Role.PARTY, party=germany)


def ask(actor, project, kind, **kwargs):
    return changes.request_change(
        actor,
        project,
        kind=kind,
        reason=kwargs.pop("reason", "Shares sold to a new investor."),
        consent_declared=kwargs.pop("consent_declared", True),
        **kwargs,
    )


def names(project):
    return sorted(Project.objects.get(pk=project.pk).participants.values_list("name", flat=True))


def test_adding_a_participant_applies_at_once_with_a_public_event(cycle, project, newcomer):
    change = ask(
        cycle.participant,
        project,
        "add_participant",
        organisation=newcomer,
        consent=pdf_upload("consent.pdf"),
    )
    assert change.status == "applied" and change.decided_at is not None
    assert names(project) == ["Blue Sky Energy", "Green Carbon Ltd"]
    # the search text follows (``projects.search``)
    assert "Blue Sky Energy" in Project.objects.get(pk=project.pk).participants_text
    event = Event.objects.get(project=project, kind="participant_added")
    assert event.public and event.reason == "Shares sold to a new investor."
    assert event.data["organisation_id"] == newcomer.pk
    assert event.data["organisation"] == "Blue Sky Energy"
    consent = Document.objects.get(pk=event.data["consent_document_id"])
    assert consent.published_at is not None and not consent.confidential
    assert (event.from_status, event.to_status) == ("", "")  # the project's status is unchanged


def test_removing_a_participant_needs_no_consent_of_the_one_removed(cycle, project, newcomer):
    ask(cycle.participant, project, "add_participant", organisation=newcomer)
    change = ask(
        cycle.participant,
        project,
        "remove_participant",
        organisation=newcomer,
        reason="The company was dissolved.",
    )
    assert change.status == "applied"
    assert names(project) == ["Green Carbon Ltd"]
    event = Event.objects.get(project=project, kind="participant_removed")
    assert (event.data["organisation"], event.public) == ("Blue Sky Energy", True)
    assert "Blue Sky Energy" not in Project.objects.get(pk=project.pk).participants_text


def test_the_last_participant_stays(cycle, project, pp_org):
    with pytest.raises(Conflict) as refused:
        ask(cycle.participant, project, "remove_participant", organisation=pp_org)
    assert refused.value.code == "last_participant"
    assert names(project) == ["Green Carbon Ltd"]


def test_participant_change_refusals(cycle, project, newcomer, pp_org, aie_org, party_user):
    with pytest.raises(Invalid) as not_pp:
        ask(cycle.participant, project, "add_participant", organisation=aie_org)
    assert not_pp.value.code == "not_a_participant_organisation"
    with pytest.raises(Conflict) as twice:
        ask(cycle.participant, project, "add_participant", organisation=pp_org)
    assert twice.value.code == "already_participant"
    with pytest.raises(Invalid) as stranger:
        ask(cycle.participant, project, "remove_participant", organisation=newcomer)
    assert stranger.value.code == "not_participant"
    with pytest.raises(Invalid) as no_consent:
        ask(
            cycle.participant,
            project,
            "add_participant",
            organisation=newcomer,
            consent_declared=False,
        )
    assert no_consent.value.code == "consent_required"
    with pytest.raises(Invalid) as no_reason:
        ask(cycle.participant, project, "add_participant", organisation=newcomer, reason="  ")
    assert no_reason.value.code == "required"
    for outsider in (cycle.aie_user, cycle.secretariat, party_user):
        with pytest.raises(Forbidden):
            ask(outsider, project, "add_participant", organisation=newcomer)
    assert not ProjectChange.objects.exists()


def test_changes_are_refused_before_final_and_after_termination(cycle, project, newcomer):
    published = cycle.determination_published(title="Not final yet")
    with pytest.raises(Conflict) as early:
        ask(cycle.participant, published, "add_participant", organisation=newcomer)
    assert early.value.code == "wrong_status"
    wf.terminate(cycle.participant, project, "The plant closed.")
    with pytest.raises(Conflict) as ended:
        ask(cycle.participant, project, "add_participant", organisation=newcomer)
    assert ended.value.code == "wrong_status"


def test_a_new_party_waits_for_its_focal_point(cycle, project, germany, german_dfp, party_user):
    change = ask(cycle.participant, project, "add_party", party=germany)
    assert change.status == "pending"
    requested = Event.objects.get(project=project, kind="change_requested")
    assert (requested.data["party"], requested.data["party_id"]) == ("DE", germany.pk)
    assert not project.parties_involved.filter(pk=germany.pk).exists()
    # neither the participants nor another Party's focal point approve for Germany
    for other in (cycle.participant, party_user):
        with pytest.raises(Forbidden):
            changes.approve_party(other, change, issued_on=dt.date(2011, 1, 5))
    with pytest.raises(Conflict) as again:
        ask(cycle.participant, project, "add_party", party=germany)
    assert again.value.code == "change_pending"
    changes.approve_party(
        german_dfp,
        change,
        issued_on=dt.date(2011, 1, 5),
        reference="DE-JI-7",
        uploaded=pdf_upload("loa.pdf"),
    )
    change.refresh_from_db()
    assert change.status == "applied"
    assert project.parties_involved.filter(pk=germany.pk).exists()
    loa = LetterOfApproval.objects.get(project=project, party=germany)
    assert loa.confirmed_at is not None and loa.reference == "DE-JI-7"
    assert wf.approval_on_record(project, germany)
    added = Event.objects.get(project=project, kind="party_added")
    assert (added.data["party_name"], added.data["issued_on"], added.public) == (
        "Germany",
        "2011-01-05",
        True,
    )
    with pytest.raises(Conflict) as done:
        changes.approve_party(german_dfp, change, issued_on=dt.date(2011, 1, 5))
    assert done.value.code == "not_pending"


def test_the_participants_cancel_a_pending_addition(cycle, project, germany, german_dfp):
    change = ask(cycle.participant, project, "add_party", party=germany)
    with pytest.raises(Forbidden):
        changes.cancel_change(german_dfp, change)
    changes.cancel_change(cycle.participant, change, "Germany declined.")
    change.refresh_from_db()
    assert change.status == "cancelled"
    with pytest.raises(Conflict) as gone:
        changes.approve_party(german_dfp, change, issued_on=dt.date(2011, 1, 5))
    assert gone.value.code == "not_pending"
    with pytest.raises(Conflict):
        changes.cancel_change(cycle.participant, change)


def test_removing_a_party_applies_at_once_but_never_the_host(cycle, germany, ukraine):
    project = cycle.final(title="Two Parties", parties_involved=[germany])
    assert project.parties_involved.filter(pk=germany.pk).exists()
    change = ask(cycle.participant, project, "remove_party", party=germany)
    assert change.status == "applied"
    assert not project.parties_involved.filter(pk=germany.pk).exists()
    assert Event.objects.get(project=project, kind="party_removed").data["party"] == "DE"
    for kind in ("add_party", "remove_party"):
        with pytest.raises(Invalid) as host:
            ask(cycle.participant, project, kind, party=ukraine)
        assert host.value.code == "host_party"
    with pytest.raises(Invalid) as absent:
        ask(cycle.participant, project, "remove_party", party=germany)
    assert absent.value.code == "not_involved"


def test_only_a_kyoto_party_is_added(cycle, project):
    outsider = PartyFactory(code="US", name="United States of America", kp_party=False)
    with pytest.raises(Invalid) as refused:
        ask(cycle.participant, project, "add_party", party=outsider)
    assert refused.value.code == "not_kp_party"


# --- crediting period -------------------------------------------------------------------------


def test_the_host_focal_point_renews_the_crediting_period(cycle, project, party_user):
    assert project.crediting_end == dt.date(2012, 12, 31)
    changes.renew_crediting_period(
        party_user,
        project,
        new_end=dt.date(2020, 12, 31),
        reason="Extended to the second commitment period.",
        letter=pdf_upload("host-letter.pdf"),
    )
    project.refresh_from_db()
    assert project.crediting_end == dt.date(2020, 12, 31)
    event = Event.objects.get(project=project, kind="crediting_period_renewed")
    assert (event.data["old_end"], event.data["new_end"], event.public) == (
        "2012-12-31",
        "2020-12-31",
        True,
    )
    assert Document.objects.get(pk=event.data["document_id"]).published_at is not None


def test_crediting_period_refusals(cycle, project, party_user, german_dfp):
    for other in (cycle.participant, german_dfp, cycle.secretariat):
        with pytest.raises(Forbidden):
            changes.renew_crediting_period(
                other, project, new_end=dt.date(2020, 12, 31), reason="Longer."
            )
    with pytest.raises(Invalid) as earlier:
        changes.renew_crediting_period(
            party_user, project, new_end=dt.date(2012, 12, 31), reason="Same."
        )
    assert earlier.value.code == "not_later"
    wf.terminate(cycle.participant, project, "Closed.")
    with pytest.raises(Conflict) as ended:
        changes.renew_crediting_period(
            party_user, Project.objects.get(pk=project.pk), new_end=dt.date(2020, 1, 1), reason="x"
        )
    assert ended.value.code == "wrong_status"


def test_monitoring_beyond_the_old_end_is_accepted_only_after_renewal(cycle, project, party_user):
    def submit():
        return vwf.submit_monitoring_report(
            cycle.participant,
            Project.objects.get(pk=project.pk),
            period_start=dt.date(2012, 7, 1),
            period_end=dt.date(2013, 6, 30),
            aie=cycle.aie_user.organisation,
            claimed={2012: 500, 2013: 500},
            report=pdf_upload(),
        )

    with pytest.raises(Invalid) as beyond:
        submit()
    assert beyond.value.code == "outside_crediting_period"
    changes.renew_crediting_period(
        party_user, project, new_end=dt.date(2017, 12, 31), reason="Renewed."
    )
    assert submit().period_end == dt.date(2013, 6, 30)


def test_the_new_party_is_told_of_a_pending_addition(cycle, project, germany, german_dfp):
    change = ask(cycle.participant, project, "add_party", party=germany)
    outbox.drain_due()
    assert list(Notification.objects.filter(user=german_dfp).values_list("kind", flat=True)) == [
        "change_requested"
    ]
    changes.cancel_change(cycle.participant, change)
    outbox.drain_due()
    assert Notification.objects.filter(user=german_dfp).count() == 1  # not told of a cancel


def test_a_pending_addition_is_not_approved_once_the_project_is_terminated(
    cycle, project, germany, german_dfp
):
    change = ask(cycle.participant, project, "add_party", party=germany)
    wf.terminate(cycle.participant, project, "The plant closed.")
    with pytest.raises(Conflict) as ended:
        changes.approve_party(german_dfp, change, issued_on=dt.date(2011, 1, 5))
    assert ended.value.code == "wrong_status"
    assert not Project.objects.get(pk=project.pk).parties_involved.filter(pk=germany.pk).exists()
    changes.cancel_change(cycle.participant, change, "Terminated.")  # the requesters tidy up
    assert ProjectChange.objects.get(pk=change.pk).status == "cancelled"
