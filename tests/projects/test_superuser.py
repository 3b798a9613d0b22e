"""A superuser acts as its role allows and as no one else (``User.has_perm``): the workflow's
permissions follow role, organisation and Party; only the admin site's reference data (Parties,
accreditations) and Django's model permissions are the superuser's as such."""

import datetime as dt

import pytest
from django.urls import reverse

from determinations import verification as vwf
from determinations import workflow as dwf
from determinations.models import MonitoringReport
from jitrack.errors import Forbidden
from projects import workflow as wf
from projects.models import Engagement, Project, User
from tests.factories import UserFactory, pdf_upload
from tests.support import FINDINGS, client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]


@pytest.fixture
def admin(db):
    return UserFactory(
        username="admin", role=User.Role.SECRETARIAT, is_staff=True, is_superuser=True
    )


def test_the_secretariat_superuser_cannot_act_for_an_aie_a_participant_or_a_party(cycle, admin):
    project = cycle.draft()
    cycle.host_approval(project)
    wf.add_document(cycle.participant, project, kind="pdd", title="PDD", uploaded=pdf_upload())
    engagement = wf.engage_aie(cycle.participant, project, cycle.aie_user.organisation)
    with pytest.raises(Forbidden):
        wf.decide_engagement(admin, engagement, accept=True)
    assert Engagement.objects.get(pk=engagement.pk).status == "pending"
    with pytest.raises(Forbidden):
        wf.withdraw(admin, project, reason="Not ours")
    with pytest.raises(Forbidden):
        wf.record_approval(
            admin, project, party=project.host_party, issued_on=dt.date(2008, 6, 1), reference="X"
        )
    assert Project.objects.get(pk=project.pk).status == "draft"  # engaged once the AIE accepts

    closed = cycle.comments_closed(title="Closed")
    with pytest.raises(Forbidden):
        dwf.submit_determination(admin, closed, findings=dict(FINDINGS), outcome="positive")
    assert not closed.determinations.exists()
    assert not closed.events.filter(actor=admin).exists()


def test_the_secretariat_superuser_cannot_submit_a_monitoring_report(cycle, admin):
    project = cycle.final(crediting_start=dt.date(2009, 1, 1))
    with pytest.raises(Forbidden):
        vwf.submit_monitoring_report(
            admin,
            project,
            period_start=dt.date(2009, 1, 1),
            period_end=dt.date(2009, 12, 31),
            aie=cycle.aie_user.organisation,
            claimed={2009: 100},
            report=pdf_upload(),
        )
    assert not MonitoringReport.objects.filter(project=project).exists()


def test_the_api_refuses_the_superuser_what_its_role_may_not_do(cycle, admin):
    project = cycle.comments_closed()
    response = client_for(admin).post(
        f"/api/projects/{project.key}/withdraw/", {"reason": "Not ours"}, format="json"
    )
    assert response.status_code == 403
    assert Project.objects.get(pk=project.pk).status == "comments_closed"


def test_permissions_follow_the_role_not_the_superuser_flag(cycle, admin):
    project = cycle.open()
    rootless = UserFactory(username="root", is_superuser=True, is_staff=True, role="")
    for user in (admin, rootless):
        assert not user.has_perm("projects.edit_project", project)
        assert not user.has_perm("projects.submit_pdd", project)
        assert not user.has_perm("projects.speak_for_party", project.host_party)
        assert not user.has_perm("determinations.submit_determination", project)
    # the secretariat's own acts stay the secretariat's, by role
    assert admin.has_perm("projects.check_pdd", project)
    assert not rootless.has_perm("projects.check_pdd", project)
    assert not rootless.has_perm("reviews.view_confidential", project)
    # the admin site's reference data and Django's model permissions stay the superuser's
    assert rootless.has_perm("projects.manage_parties")
    assert rootless.has_perm("projects.manage_accreditations")
    assert rootless.has_perm("projects.change_sectoralscope")
    rootless.is_active = False
    assert not rootless.has_perm("projects.manage_parties")


def test_a_superuser_without_the_role_reads_no_record_in_the_admin(cycle, admin, client):
    """The admin shows the record (invoices, documents, comments with e-mail addresses,
    events, determinations) to the secretariat only; a superuser keeps the reference data."""
    cycle.determination_submitted()
    rootless = UserFactory(username="root", is_superuser=True, is_staff=True, role="")
    records = [
        "fees_invoice",
        "fees_feeassessment",
        "fees_reimbursement",
        "determinations_determination",
        "projects_document",
        "projects_comment",
        "projects_event",
    ]
    client.force_login(rootless)
    for name in records:
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 403, name
    assert client.get(reverse("admin:projects_party_changelist")).status_code == 200
    client.force_login(admin)
    for name in records:
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name
