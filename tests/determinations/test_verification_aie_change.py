"""Change of AIE for verification (ji-rules §7, ``verification.change_verification_aie``): while
no verification is filed, at any time; once one is filed but unpublished, only after the first
AIE's accreditation was suspended or withdrawn (the filed verification is withdrawn, its fee
voided, the report resubmitted to the new AIE); after publication, never."""

import datetime as dt

import pytest

from determinations import verification as vwf
from determinations.models import MonitoringReport, Verification
from fees import services as fee_services
from fees.models import FeeKind
from jitrack.errors import Conflict, Forbidden, Invalid
from projects import accreditation, outbox
from projects import workflow as wf
from projects.models import Accreditation, Event, Notification, Project, User
from tests.factories import AIEFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]


@pytest.fixture
def report(final_project, submit_report):
    return submit_report(final_project, dt.date(2009, 1, 1), dt.date(2009, 12, 31), {2009: 1000})


@pytest.fixture
def other_aie(db):
    return AIEFactory(name="TÜV SÜD")


def change(actor, report, aie, reason="The first AIE closed its office."):
    return vwf.change_verification_aie(actor, report, aie, reason)


def suspend(report, secretariat):
    acc = Accreditation.objects.get(aie=report.aie, function="verification")
    accreditation.suspend(secretariat, acc, reason="Spot check failed.")


def test_before_a_verification_is_filed_the_report_moves_to_another_aie(cycle, report, other_aie):
    again = change(cycle.participant, report, other_aie)
    assert again.pk == report.pk
    report.refresh_from_db()
    assert (report.aie_id, report.status) == (other_aie.pk, "submitted")
    event = Event.objects.get(project=report.project, kind="verification_aie_changed")
    assert event.public
    assert (event.data["old_aie"], event.data["aie"], event.data["number"]) == (
        "Bureau Veritas Certification",
        "TÜV SÜD",
        1,
    )
    # the first AIE may no longer verify it; the new one may, and is told
    with pytest.raises(Forbidden):
        vwf.GUARDS["verify"].check(cycle.aie_user, report)
    new_staff = User.objects.create(
        username="tuv", role=User.Role.AIE, organisation=other_aie, email="tuv@example.org"
    )
    vwf.GUARDS["verify"].check(new_staff, report)
    outbox.drain_due()
    assert Notification.objects.filter(user=new_staff, kind="verification_aie_changed").exists()


def test_refusals(cycle, report, other_aie, aie_org, party_user):
    for outsider in (cycle.aie_user, cycle.secretariat, party_user):
        with pytest.raises(Forbidden):
            change(outsider, report, other_aie)
    with pytest.raises(Invalid) as same:
        change(cycle.participant, report, aie_org)
    assert same.value.code == "same_aie"
    with pytest.raises(Invalid) as no_reason:
        change(cycle.participant, report, other_aie, reason=" ")
    assert no_reason.value.code == "required"
    unaccredited = AIEFactory(name="Scope-one Verifier", accredited=[2])
    with pytest.raises(Conflict) as scope:
        change(cycle.participant, report, unaccredited)
    assert scope.value.code == "not_accredited"
    assert MonitoringReport.objects.get(pk=report.pk).aie_id == aie_org.pk


def test_refused_once_the_project_is_terminated(cycle, report, other_aie):
    wf.terminate(cycle.participant, Project.objects.get(pk=report.project_id), "Closed.")
    with pytest.raises(Conflict) as ended:
        change(cycle.participant, report, other_aie)
    assert ended.value.code == "wrong_status"


def test_a_filed_verification_holds_the_aie_while_it_is_accredited(
    cycle, report, other_aie, verify
):
    verify(report, {2009: 900})
    with pytest.raises(Conflict) as refused:
        change(cycle.participant, report, other_aie)
    assert refused.value.code == "aie_still_accredited"


def test_after_a_suspension_the_filed_verification_is_set_aside_and_the_report_resubmitted(
    cycle, report, other_aie, verify, secretariat
):
    ver = verify(report, {2009: 900})
    suspend(report, secretariat)
    again = change(cycle.participant, report, other_aie)
    old = MonitoringReport.objects.get(pk=report.pk)
    assert old.status == "withdrawn" and old.withdrawn_at is not None
    assert Verification.objects.get(pk=ver.pk).status == "withdrawn"
    fee = report.project.fees.get(kind=FeeKind.VERIFICATION, number=ver.number)
    assert fee.voided_at is not None
    assert (again.number, again.status, again.aie_id) == (2, "submitted", other_aie.pk)
    assert (again.period_start, again.period_end, again.claimed) == (
        old.period_start,
        old.period_end,
        old.claimed,
    )
    assert again.report_id == old.report_id
    event = Event.objects.get(project=report.project, kind="verification_aie_changed")
    assert (event.data["withdrawn_verification"], event.data["new_number"]) == (ver.number, 2)
    # the new AIE verifies the resubmitted report
    new_staff = User.objects.create(username="tuv", role=User.Role.AIE, organisation=other_aie)
    new_ver = vwf.submit_verification(
        new_staff,
        again,
        verified={2009: 950},
        findings="Checked again.",
        conditions_hold=True,
        conditions_reasons="Unchanged.",
        no_overlap_declared=True,
    )
    assert (new_ver.number, new_ver.aie_id) == (2, other_aie.pk)


def test_refused_after_publication(cycle, report, other_aie, verify, secretariat):
    ver = verify(report, {2009: 900})
    if not fee_services.verification_fee_settled(report.project, ver.number):
        fee_services.pay_balance(secretariat, report.project, reference="BANK-2")
    vwf.publish_verification(secretariat, ver)
    suspend(report, secretariat)
    with pytest.raises(Conflict) as refused:
        change(cycle.participant, report, other_aie)
    assert refused.value.code == "already_published"
