"""Monitoring, verification, fees and ERUs per component of a programme of activities
(``determinations.verification`` COMPONENT_MONITORING, ``projects.components``)."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from determinations import issuance, pdf
from determinations import verification as vwf
from determinations.models import MonitoringReport, Verification
from fees import services as fee_services
from jitrack.errors import Conflict, Invalid
from projects import components as cwf
from projects.models import Event
from tests.factories import pdf_upload
from tests.support import assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]

D = dt.date


def _submit(cycle, project, start, end, claimed, component=None):
    return vwf.submit_monitoring_report(
        cycle.participant,
        project,
        period_start=start,
        period_end=end,
        aie=cycle.aie_user.organisation,
        claimed=claimed,
        report=pdf_upload("mr.pdf"),
        component=component,
    )


@pytest.fixture
def poa(cycle):
    """A final programme (crediting 2009-2012) with components 1 (from 1 March 2009) and 2
    (from 1 January 2010)."""
    project = cycle.final(poa=True, crediting_start=D(2009, 1, 1))
    for title, day in (("Heaters, Lviv", D(2009, 3, 1)), ("Digesters, Poltava", D(2010, 1, 1))):
        cwf.include_component(
            cycle.participant, project, title=title, included_on=day, expected_annual_reductions=9
        )
    return project


def test_monitoring_report_names_its_component(cycle, poa):
    report = _submit(cycle, poa, D(2009, 3, 1), D(2009, 12, 31), {2009: 500}, component=1)
    assert report.component.number == 1
    assert report.component.project_id == poa.pk
    assert (
        report.report.title == f"Monitoring report 1 ({poa.key}-CPA-001, 01 Mar 2009–31 Dec 2009)"
    )
    event = Event.objects.get(project=poa, kind="monitoring_report_submitted")
    assert event.data["component"] == 1
    # the row of the component works as well as its number
    second = _submit(
        cycle, poa, D(2010, 1, 1), D(2010, 6, 30), {2010: 5}, component=poa.components.get(number=2)
    )
    assert second.component.number == 2


def test_monitoring_report_of_a_poa_with_components_needs_one(cycle, poa):
    for missing in (None, ""):
        with pytest.raises(Invalid) as err:
            _submit(cycle, poa, D(2009, 3, 1), D(2009, 12, 31), {2009: 5}, component=missing)
        assert (err.value.code, err.value.field) == ("required", "component")
    assert not MonitoringReport.objects.exists()


def test_monitoring_report_of_a_poa_without_components_names_none(cycle):
    project = cycle.final(poa=True, crediting_start=D(2009, 1, 1))
    report = _submit(cycle, project, D(2009, 1, 1), D(2009, 12, 31), {2009: 5})
    assert report.component is None


def test_monitoring_report_naming_a_component_of_a_non_poa_invalid(cycle, final_project):
    with pytest.raises(Invalid) as err:
        _submit(cycle, final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 5}, component=1)
    assert (err.value.code, err.value.field) == ("not_poa", "component")
    assert not MonitoringReport.objects.exists()


def test_monitoring_report_of_an_unknown_component_invalid(cycle, poa):
    other = cycle.final(poa=True, crediting_start=D(2009, 1, 1))
    foreign = cwf.include_component(
        cycle.participant, other, title="Elsewhere", included_on=D(2009, 1, 1)
    )
    assert foreign.number == 1  # the row of another programme: refused, though poa has a 1
    for unknown in (3, 0, -1, 99999, "1", True, 1.0, foreign):
        with pytest.raises(Invalid) as err:
            _submit(cycle, poa, D(2009, 3, 1), D(2009, 12, 31), {2009: 5}, component=unknown)
        assert (err.value.code, err.value.field) == ("unknown_component", "component")
    assert not MonitoringReport.objects.exists()


def test_monitoring_report_before_the_inclusion_invalid(cycle, poa):
    with pytest.raises(Invalid) as err:
        _submit(cycle, poa, D(2009, 2, 28), D(2009, 12, 31), {2009: 5}, component=1)
    assert (err.value.code, err.value.field) == ("before_inclusion", "period_start")
    assert err.value.detail == "The period starts before the component was included (1 Mar 2009)."


def test_monitoring_report_outside_the_crediting_period_invalid(cycle, poa):
    with pytest.raises(Invalid) as err:
        _submit(cycle, poa, D(2012, 1, 1), D(2013, 1, 31), {2012: 5, 2013: 1}, component=1)
    assert err.value.code == "outside_crediting_period"


def test_monitoring_report_of_an_excluded_component_ends_before_the_exclusion(cycle, poa):
    component = poa.components.get(number=1)
    cwf.exclude_component(cycle.participant, component, excluded_on=D(2010, 7, 1), reason="Gone.")
    with pytest.raises(Invalid) as err:
        _submit(cycle, poa, D(2010, 1, 1), D(2010, 7, 1), {2010: 5}, component=1)
    assert (err.value.code, err.value.field) == ("after_exclusion", "period_end")
    report = _submit(cycle, poa, D(2010, 1, 1), D(2010, 6, 30), {2010: 5}, component=1)
    assert report.component_id == component.pk


def test_periods_of_one_component_never_overlap_two_components_may(cycle, poa):
    _submit(cycle, poa, D(2010, 1, 1), D(2010, 12, 31), {2010: 5}, component=1)
    with pytest.raises(Conflict) as err:
        _submit(cycle, poa, D(2010, 6, 1), D(2011, 5, 31), {2010: 1, 2011: 1}, component=1)
    assert err.value.code == "period_overlap"
    other = _submit(cycle, poa, D(2010, 1, 1), D(2010, 12, 31), {2010: 7}, component=2)
    assert other.number == 2
    assert list(vwf.overlapping(poa, D(2010, 3, 1), D(2010, 3, 1), component=other.component)) == [
        other
    ]
    assert list(vwf.overlapping(poa, D(2010, 3, 1), D(2010, 3, 1))) == []


def test_poa_verifications_pay_the_first_tier_rate_on_all_reductions(cycle, poa, verify):
    """ji-rules §5: USD 0.10/t on all reductions, also above a year's first 15,000 t and across
    the components of one year."""
    first = _submit(cycle, poa, D(2010, 1, 1), D(2010, 12, 31), {2010: 20000}, component=1)
    second = _submit(cycle, poa, D(2010, 1, 1), D(2010, 12, 31), {2010: 30000}, component=2)
    verify(first, {"2010": 20000})
    verify(second, {"2010": 30000})
    fees = {f.number: f for f in poa.fees.filter(kind="verification")}
    assert fees[1].amount_usd == Decimal("2000.00")
    assert fees[2].amount_usd == Decimal("3000.00")
    assert fees[2].inputs["poa"] is True
    assert fees[2].inputs["already_by_year"] == {"2010": 20000}


def test_verification_and_erus_follow_the_component(cycle, poa, verify, party_user, ukraine):
    report = _submit(cycle, poa, D(2010, 1, 1), D(2010, 12, 31), {2010: 400}, component=2)
    ver = verify(report, {"2010": 400})
    fee = poa.fees.get(kind="verification", number=ver.number)
    if fee.status == "due":
        invoice = fee.invoices.get()
        fee_services.record_payment(
            cycle.secretariat, invoice, amount=invoice.balance_usd, reference="V1"
        )
    ver = vwf.publish_verification(cycle.secretariat, ver)
    vwf.deem_verification_final(ver.pk, ver.review_window_closes_at + dt.timedelta(seconds=1))
    issuance.record_aau_holding(party_user, ukraine, quantity=1000)
    issuance.issue_erus(
        party_user,
        Verification.objects.get(pk=ver.pk),
        blocks=[{"serial_start": 1, "serial_end": 400}],
    )
    rows = {c.number: c for c in cwf.components_of(poa)}
    assert (rows[1].report_count, rows[1].erus_issued) == (0, 0)
    assert (rows[2].report_count, rows[2].erus_issued) == (1, 400)
    assert Verification.objects.get(pk=ver.pk).monitoring_report.component.number == 2


def test_api_monitoring_report_names_its_component(cycle, poa, pp_api, anon):
    path = f"/api/projects/{poa.key}/monitoring-reports/"
    body = {
        "period_start": "2010-01-01",
        "period_end": "2010-12-31",
        "aie": str(cycle.aie_user.organisation.pk),
        "claimed": json.dumps({"2010": 100}),
    }
    missing = pp_api.post(path, {**body, "file": pdf_upload("mr.pdf")}, format="multipart")
    assert_error(missing, 400, "required", "component")
    empty = {**body, "component": "", "file": pdf_upload("mr.pdf")}
    assert_error(pp_api.post(path, empty, format="multipart"), 400, "required", "component")
    unknown = {**body, "component": "3", "file": pdf_upload("mr.pdf")}
    assert_error(pp_api.post(path, unknown, format="multipart"), 400, "unknown_component")
    done = pp_api.post(
        path, {**body, "component": "2", "file": pdf_upload("mr.pdf")}, format="multipart"
    )
    assert done.status_code == 201, done.content
    assert done.json()["component"] == 2
    assert [r["component"] for r in anon.get(path).json()] == [2]


def test_the_verification_report_names_the_component(cycle, poa, verify):
    report = _submit(cycle, poa, D(2010, 1, 1), D(2010, 12, 31), {2010: 40}, component=2)
    ver = verify(report, {"2010": 40})
    html = pdf.vrep_html(Verification.objects.get(pk=ver.pk))
    assert f"{poa.key}-CPA-002 Digesters, Poltava" in html
    plain = cycle.final(crediting_start=D(2009, 1, 1))
    other = _submit(cycle, plain, D(2010, 1, 1), D(2010, 12, 31), {2010: 40})
    assert "Component activity" not in pdf.vrep_html(verify(other, {"2010": 40}))
