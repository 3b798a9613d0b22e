"""The project page's public registry parts: the fee schedule applied and the verifications
with the ERUs issued (issue 6)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fees.models import FeeAssessment
from projects.templatetags.jitrack import usd


def test_schedule_and_verifications_are_public_but_amounts_are_not(client, history):
    body = client.get(f"/projects/{history.key}/").content.decode()
    assert "Provisions for the charging of fees, version 3" in body
    assert "applied to the determination fee (advance), the verification fees" in body
    assert "Verifications and ERUs issued" in body
    assert "30,000" in body  # verified and issued
    assert f"/projects/{history.key}/monitoring/" in body
    for fee in FeeAssessment.objects.filter(project=history):  # invoices stay confidential
        assert fee.amount_usd > 0
        assert usd(fee.amount_usd) not in body


def test_a_project_without_an_assessment_shows_the_schedule_in_force(client, cycle):
    project = cycle.open()
    body = client.get(f"/projects/{project.key}/").content.decode()
    assert "Provisions for the charging of fees, version 3" in body
    assert "in force; it applies when the determination report is submitted" in body
    assert "Verifications and ERUs issued" not in body  # not before the determination is final


def test_an_older_schedule_is_named_when_it_was_applied(client, history):
    FeeAssessment.objects.filter(project=history, kind="determination").update(schedule="v2")
    body = client.get(f"/projects/{history.key}/").content.decode()
    assert "Provisions for the charging of fees, version 2" in body
    assert "pay no fee" in body  # v2's exemption


@pytest.mark.parametrize("viewer", [None, "participant", "aie_user", "secretariat", "party_user"])
def test_the_final_project_page_keeps_its_query_budget(client, history, request, viewer):
    if viewer:
        client.force_login(request.getfixturevalue(viewer))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/projects/{history.key}/").status_code == 200
    assert len(ctx.captured_queries) <= 10
