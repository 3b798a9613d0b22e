"""End of a project (ji-rules §7): after final, the PPs terminate it (or the secretariat once the
crediting period has ended); if no verification report was ever submitted, the part of the
advance above USD 30,000 is reimbursed (§5)."""

import datetime as dt

import pytest

from determinations import verification as vwf
from fees.models import Reimbursement
from jitrack.errors import Conflict, Forbidden, Invalid
from projects import workflow as wf
from projects.models import Event, Project
from tests.factories import pdf_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]

BIG = {2009: 2_000_000}  # an advance capped at USD 350,000


def test_participants_terminate_a_final_project_and_get_the_advance_above_30000_back(cycle):
    project = cycle.final(expected=BIG)
    wf.terminate(cycle.participant, project, "The plant closed.")
    project = Project.objects.get(pk=project.pk)
    assert project.status == "terminated" and project.terminated_at is not None
    event = Event.objects.get(project=project, kind="terminated")
    assert (event.from_status, event.to_status, event.public) == ("final", "terminated", True)
    refund = Reimbursement.objects.get(project=project)
    assert (refund.reason, str(refund.amount_usd)) == ("advance", "320000.00")


def test_no_reimbursement_once_a_verification_report_was_submitted(cycle, verify):
    project = cycle.final(expected=BIG, crediting_start=dt.date(2009, 1, 1))
    report = vwf.submit_monitoring_report(
        cycle.participant,
        project,
        period_start=dt.date(2009, 1, 1),
        period_end=dt.date(2009, 12, 31),
        aie=cycle.aie_user.organisation,
        claimed={2009: 1000},
        report=pdf_upload(),
    )
    verify(report, {2009: 1000})
    wf.terminate(cycle.participant, project, "Closed.")
    assert not Reimbursement.objects.filter(project=project, reason="advance").exists()


def test_the_secretariat_terminates_only_after_the_crediting_period(cycle, secretariat):
    running = cycle.final(crediting_end=dt.date.today() + dt.timedelta(days=30))
    with pytest.raises(Conflict) as refused:
        wf.terminate(secretariat, running, "End of crediting.")
    assert refused.value.code == "crediting_period_running"
    ended = cycle.final(title="Ended", crediting_end=dt.date(2012, 12, 31))
    assert wf.terminate(secretariat, ended, "Crediting period ended.").status == "terminated"


def test_termination_refusals(cycle, aie_user, party_user):
    project = cycle.final()
    for user in (aie_user, party_user):
        with pytest.raises(Forbidden):
            wf.terminate(user, project, "No.")
    with pytest.raises(Invalid):
        wf.terminate(cycle.participant, project, " ")
    published = cycle.determination_published(title="Not final yet")
    with pytest.raises(Conflict) as not_final:
        wf.terminate(cycle.participant, published, "Too early.")
    assert not_final.value.code == "wrong_status"
    wf.terminate(cycle.participant, project, "Closed.")
    with pytest.raises(Conflict):
        wf.terminate(cycle.participant, project, "Again.")
    with pytest.raises(Conflict):  # no monitoring after termination
        vwf.submit_monitoring_report(
            cycle.participant,
            Project.objects.get(pk=project.pk),
            period_start=dt.date(2009, 1, 1),
            period_end=dt.date(2009, 12, 31),
            aie=cycle.aie_user.organisation,
            claimed={2009: 1000},
            report=pdf_upload(),
        )


def test_terminate_through_the_api(pp_api, cycle):
    project = cycle.final()
    response = pp_api.post(
        f"/api/projects/{project.key}/terminate/", {"reason": "Closed."}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "terminated"
