"""Approval by the Parties involved (para 33 (a); ji-rules §7): a positive determination is filed
only with the host Party's written approval on record; the focal point records its own approval,
or confirms a letter the participants uploaded."""

import datetime as dt

import pytest

from determinations import workflow as dwf
from jitrack.errors import Conflict, Forbidden
from projects import workflow as wf
from projects.models import Event, LetterOfApproval, User
from tests.factories import UserFactory
from tests.support import FINDINGS, html

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]
DAY = dt.date(2008, 6, 1)


def _closed_without_approval(cycle):
    project = cycle.comments_closed()
    LetterOfApproval.objects.filter(project=project).delete()  # as if none were ever recorded
    return project


def test_a_positive_determination_needs_the_hosts_approval_on_record(cycle):
    project = _closed_without_approval(cycle)
    with pytest.raises(Conflict) as refused:
        dwf.submit_determination(
            cycle.aie_user, project, findings=dict(FINDINGS), outcome="positive"
        )
    assert refused.value.code == "approval_missing"
    assert not project.determinations.exists()
    # a negative determination needs none
    det = dwf.submit_determination(
        cycle.aie_user, project, findings=dict(FINDINGS), outcome="negative"
    )
    assert det.outcome == "negative"


def test_the_focal_point_records_its_own_approval_which_is_on_record_at_once(
    cycle, party_user, ukraine
):
    project = _closed_without_approval(cycle)
    loa = wf.record_approval(party_user, project, party=ukraine, issued_on=DAY, reference="L-1")
    assert loa.confirmed_by == party_user and loa.confirmed_at is not None
    assert wf.host_approval_on_record(project)
    det = dwf.submit_determination(
        cycle.aie_user, project, findings=dict(FINDINGS), outcome="positive"
    )
    assert det.outcome == "positive"


def test_a_letter_the_participants_upload_counts_once_its_focal_point_confirms_it(
    cycle, party_user, ukraine, japan
):
    project = cycle.draft(parties_involved=[japan])
    loa = wf.record_approval(cycle.participant, project, party=ukraine, issued_on=DAY)
    assert loa.confirmed_at is None and not wf.host_approval_on_record(project)
    other = UserFactory(username="jp-dfp", role=User.Role.PARTY, party=japan)
    for user in (other, cycle.participant, cycle.aie_user):
        with pytest.raises(Forbidden):
            wf.confirm_approval(user, loa)
    wf.confirm_approval(party_user, loa)
    assert wf.host_approval_on_record(project)
    assert Event.objects.filter(project=project, kind="approval_confirmed").count() == 1
    with pytest.raises(Conflict) as twice:
        wf.confirm_approval(party_user, loa)
    assert twice.value.code == "already_confirmed"


def test_the_focal_point_confirms_on_the_page_and_through_the_api(
    client, party_api, cycle, party_user, ukraine
):
    project = cycle.draft()
    loa = wf.record_approval(cycle.participant, project, party=ukraine, issued_on=DAY)
    client.force_login(party_user)
    page = html(client.get(f"/projects/{project.key}/"))
    assert "Confirm the letter" in page
    # Irreversible: the page asks the focal point to tick that it is its Party's letter.
    form = html(client.get(f"/approvals/{loa.pk}/confirm/"))
    assert "cannot be undone" in form and "Ukraine" in form
    response = client.post(f"/approvals/{loa.pk}/confirm/")
    assert response.status_code == 400 and "This field is required." in html(response)
    assert LetterOfApproval.objects.get(pk=loa.pk).confirmed_at is None
    client.force_login(cycle.participant)
    assert client.post(f"/approvals/{loa.pk}/confirm/", {"confirm": "on"}).status_code == 403
    client.force_login(party_user)
    response = client.post(f"/approvals/{loa.pk}/confirm/", {"confirm": "on"})
    assert response.status_code == 302
    assert LetterOfApproval.objects.get(pk=loa.pk).confirmed_at is not None
    again = party_api.post(f"/api/approvals/{loa.pk}/confirm/")
    assert again.status_code == 409 and again.json()["code"] == "already_confirmed"
