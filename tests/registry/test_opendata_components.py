"""The open-data rows of the components of programmes of activities
(``registry.opendata_components``): what is listed, in which order, for one query."""

import datetime as dt

import pytest
from django.test import RequestFactory

from determinations import issuance
from determinations import verification as vwf
from projects import components as cwf
from projects.selectors import public_projects
from registry.opendata_components import COMPONENTS, component_rows
from tests.factories import pdf_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]

D = dt.date


def _final(cycle, project, number, tonnes, dfp):
    report = vwf.submit_monitoring_report(
        cycle.participant,
        project,
        period_start=D(2009, 1, 1),
        period_end=D(2009, 12, 31),
        aie=cycle.aie_user.organisation,
        claimed={2009: tonnes},
        report=pdf_upload("mr.pdf"),
        component=number,
    )
    ver = vwf.submit_verification(
        cycle.aie_user,
        report,
        verified={2009: tonnes},
        findings="Checked.",
        conditions_hold=True,
        conditions_reasons="They hold.",
        no_overlap_declared=True,
    )
    fee = project.fees.get(kind="verification", number=ver.number)
    assert fee.settled  # covered by the advance
    ver = vwf.publish_verification(cycle.secretariat, ver)
    vwf.deem_verification_final(ver.pk, ver.review_window_closes_at + dt.timedelta(seconds=1))
    ver.refresh_from_db()
    issuance.issue_erus(dfp, ver, blocks=[{"serial_start": 1, "serial_end": tonnes - 100}])


def test_component_rows_of_published_programmes(
    cycle, party_user, ukraine, django_assert_num_queries
):
    poa = cycle.final(poa=True, crediting_start=D(2009, 1, 1))
    for title, day in (("Heaters", D(2009, 1, 1)), ("Digesters", D(2009, 2, 1))):
        cwf.include_component(
            cycle.participant,
            poa,
            title=title,
            location="Lviv",
            included_on=day,
            expected_annual_reductions=700,
        )
    cwf.exclude_component(
        cycle.participant, poa.components.get(number=2), excluded_on=D(2010, 1, 1), reason="Gone."
    )
    issuance.record_aau_holding(party_user, ukraine, quantity=10000)
    _final(cycle, poa, 1, 900, party_user)
    draft = cycle.draft(poa=True, title="Unpublished programme")
    cwf.include_component(cycle.participant, draft, title="Hidden", included_on=D(2009, 1, 1))
    request = RequestFactory().get("/opendata/components.json")
    with django_assert_num_queries(1):
        rows = list(component_rows(public_projects(), request))
    assert rows == [
        {
            "project_reference": poa.reference,
            "host_party_code": "UA",
            "number": 1,
            "reference": f"{poa.reference}-CPA-001",
            "title": "Heaters",
            "location": "Lviv",
            "included_on": D(2009, 1, 1),
            "status": "included",
            "excluded_on": None,
            "expected_annual_reductions": 700,
            "monitoring_reports": 1,
            "verified_final": 900,
            "erus_issued": 800,
        },
        {
            "project_reference": poa.reference,
            "host_party_code": "UA",
            "number": 2,
            "reference": f"{poa.reference}-CPA-002",
            "title": "Digesters",
            "location": "Lviv",
            "included_on": D(2009, 2, 1),
            "status": "excluded",
            "excluded_on": D(2010, 1, 1),
            "expected_annual_reductions": 700,
            "monitoring_reports": 0,
            "verified_final": 0,
            "erus_issued": 0,
        },
    ]
    assert COMPONENTS.header == list(rows[0])
