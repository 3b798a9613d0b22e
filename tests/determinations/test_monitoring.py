"""Monitoring reports (para 36, JISC 13 Annex 13) and their withdrawal (withdrawal procedures v02):
who submits, when, to which AIE, for which period, and what becomes public."""

import datetime as dt

import pytest
import time_machine

from determinations import verification as vwf
from determinations.models import MonitoringReport, Verification
from fees import services as fee_services
from jitrack.errors import Conflict, Forbidden, Invalid
from projects.models import Accreditation, Document, Event, SectoralScope
from tests.factories import AIEFactory, OrganisationFactory, pdf_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]

D = dt.date
UTC = dt.UTC


def _submit(actor, project, start, end, claimed, aie, **kw):
    return vwf.submit_monitoring_report(
        actor,
        project,
        period_start=start,
        period_end=end,
        aie=aie,
        claimed=claimed,
        report=pdf_upload("mr.pdf"),
        **kw,
    )


# --- who and when --------------------------------------------------------------------------------


def test_monitoring_report_by_non_participants_forbidden(
    final_project, other_participant, aie_user, secretariat, party_user, aie_org
):
    for actor in (other_participant, aie_user, secretariat, party_user):
        with pytest.raises(Forbidden) as err:
            _submit(actor, final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 100}, aie_org)
        assert err.value.detail == "Only the project participants submit monitoring reports."
    assert MonitoringReport.objects.count() == 0
    assert not Document.objects.filter(kind="monitoring_report").exists()


def test_monitoring_report_before_final_determination_conflict(cycle, aie_org):
    project = cycle.determination_published(crediting_start=D(2009, 1, 1))
    with pytest.raises(Conflict) as err:
        _submit(cycle.participant, project, D(2009, 1, 1), D(2009, 12, 31), {2009: 1}, aie_org)
    assert err.value.code == "wrong_status"
    assert err.value.detail == "Monitoring reports follow a final determination."
    assert MonitoringReport.objects.count() == 0


def test_monitoring_report_aie_lacking_a_scope_not_accredited(cycle):
    project = cycle.final(crediting_start=D(2009, 1, 1), scopes=(1, 4))
    narrow = AIEFactory(name="Narrow Verifier", accredited=[1, 2, 3])
    with pytest.raises(Conflict) as err:
        _submit(cycle.participant, project, D(2009, 1, 1), D(2009, 12, 31), {2009: 5}, narrow)
    assert err.value.code == "not_accredited"
    assert err.value.field == "aie"
    assert err.value.detail == (
        "Narrow Verifier is not accredited for verification in sectoral scope(s) 4."
    )
    assert MonitoringReport.objects.count() == 0
    wide = AIEFactory(name="Wide Verifier", accredited=[1, 4])
    report = _submit(cycle.participant, project, D(2009, 1, 1), D(2009, 12, 31), {2009: 5}, wide)
    assert report.aie == wide


def test_monitoring_report_aie_without_verification_function_not_accredited(final_project, cycle):
    aie = OrganisationFactory(name="Determiner Only", kind="aie")
    acc = Accreditation.objects.create(aie=aie, function="determination")
    acc.scopes.set(SectoralScope.objects.all())
    with pytest.raises(Conflict) as err:
        _submit(cycle.participant, final_project, D(2009, 1, 1), D(2009, 6, 30), {2009: 1}, aie)
    assert err.value.code == "not_accredited"
    assert err.value.detail == "Determiner Only is not accredited for verification."


def test_monitoring_report_aie_suspended_for_verification_not_accredited(final_project, cycle):
    aie = AIEFactory(name="Suspended AIE")
    Accreditation.objects.filter(aie=aie, function="verification").update(status="suspended")
    with pytest.raises(Conflict) as err:
        _submit(cycle.participant, final_project, D(2009, 1, 1), D(2009, 6, 30), {2009: 1}, aie)
    assert err.value.code == "not_accredited"
    assert err.value.detail == "Suspended AIE is suspended for verification."


def test_monitoring_report_to_non_aie_invalid(final_project, cycle, pp_org):
    with pytest.raises(Invalid) as err:
        _submit(cycle.participant, final_project, D(2009, 1, 1), D(2009, 6, 30), {2009: 1}, pp_org)
    assert (err.value.field, err.value.detail) == ("aie", "Choose an AIE.")


# --- the period and the tonnes -------------------------------------------------------------------


def test_monitoring_period_before_2008_invalid(cycle, aie_org):
    project = cycle.final(crediting_start=D(2006, 1, 1))
    with pytest.raises(Invalid) as err:
        _submit(cycle.participant, project, D(2007, 12, 31), D(2008, 6, 30), {2008: 1}, aie_org)
    assert err.value.field == "period_start"
    assert err.value.detail == "A monitoring period starts on 1 January 2008 or later."
    report = _submit(cycle.participant, project, D(2008, 1, 1), D(2008, 6, 30), {2008: 1}, aie_org)
    assert (report.period_start, report.number) == (D(2008, 1, 1), 1)


def test_monitoring_period_before_crediting_start_invalid(final_project, cycle, aie_org):
    with pytest.raises(Invalid) as err:
        _submit(
            cycle.participant, final_project, D(2008, 12, 31), D(2009, 6, 30), {2009: 1}, aie_org
        )
    assert err.value.field == "period_start"
    assert err.value.detail == "The period starts before the crediting period (1 Jan 2009)."
    report = _submit(
        cycle.participant, final_project, D(2009, 1, 1), D(2009, 6, 30), {2009: 1}, aie_org
    )
    assert report.period_start == D(2009, 1, 1)


def test_monitoring_period_end_before_start_invalid(final_project, cycle, aie_org):
    with pytest.raises(Invalid) as err:
        _submit(cycle.participant, final_project, D(2009, 7, 1), D(2009, 6, 30), {2009: 1}, aie_org)
    assert (err.value.field, err.value.detail) == (
        "period_end",
        "The period ends before it starts.",
    )
    one_day = _submit(
        cycle.participant, final_project, D(2009, 7, 1), D(2009, 7, 1), {2009: 1}, aie_org
    )
    assert one_day.period_start == one_day.period_end == D(2009, 7, 1)


def test_monitoring_claimed_year_outside_period_invalid(final_project, cycle, aie_org):
    for claimed, detail in (
        ({2009: 10, 2011: 5}, "2011 is outside the monitoring period 1 Jul 2009–30 Jun 2010."),
        ({2008: 10}, "2008 is outside the monitoring period 1 Jul 2009–30 Jun 2010."),
        ({"twenty": 10}, "'twenty' is not a calendar year."),
    ):
        with pytest.raises(Invalid) as err:
            _submit(
                cycle.participant, final_project, D(2009, 7, 1), D(2010, 6, 30), claimed, aie_org
            )
        assert (err.value.field, err.value.detail) == ("claimed", detail)
    assert MonitoringReport.objects.count() == 0


@pytest.mark.parametrize("tonnes", [1.5, 10.0, "100", -1, None, True, 10**12 + 1, [5]])
def test_monitoring_claimed_tonnes_not_whole_non_negative_invalid(
    final_project, cycle, aie_org, tonnes
):
    with pytest.raises(Invalid) as err:
        _submit(
            cycle.participant,
            final_project,
            D(2009, 1, 1),
            D(2009, 12, 31),
            {2009: tonnes},
            aie_org,
        )
    assert (err.value.field, err.value.detail) == (
        "claimed",
        "Give whole, non-negative tonnes for 2009.",
    )


def test_monitoring_claimed_empty_required(final_project, cycle, aie_org):
    for claimed in ({}, None):
        with pytest.raises(Invalid) as err:
            _submit(
                cycle.participant, final_project, D(2009, 1, 1), D(2009, 12, 31), claimed, aie_org
            )
        assert (err.value.code, err.value.field) == ("required", "claimed")


def test_monitoring_claimed_stored_per_year_sorted_with_bounds(final_project, cycle, aie_org):
    report = _submit(
        cycle.participant,
        final_project,
        D(2009, 7, 1),
        D(2010, 6, 30),
        {"2010": 10**12, 2009: 0},
        aie_org,
    )
    report.refresh_from_db()
    assert report.claimed == {"2009": 0, "2010": 10**12}
    assert list(report.claimed) == ["2009", "2010"]
    assert report.claimed_total == 10**12


def test_monitoring_period_ending_in_the_future_invalid(final_project, cycle, aie_org):
    with time_machine.travel(dt.datetime(2010, 3, 1, 12, 0, tzinfo=UTC), tick=False):
        with pytest.raises(Invalid):
            _submit(
                cycle.participant,
                final_project,
                D(2010, 1, 1),
                D(2010, 12, 31),
                {2010: 1000},
                aie_org,
            )


# --- overlap (JISC 13 Annex 13) ------------------------------------------------------------------


def test_monitoring_overlap_with_submitted_report_conflict(final_project, submit_report):
    first = submit_report(final_project, D(2009, 7, 1), D(2010, 6, 30), {2009: 10, 2010: 10})
    with pytest.raises(Conflict) as err:
        submit_report(final_project, D(2010, 6, 30), D(2010, 12, 31), {2010: 1})
    assert err.value.code == "period_overlap"
    assert err.value.field == "period_start"
    assert err.value.detail == (
        f"The period overlaps monitoring report {first.number} (1 Jul 2009–30 Jun 2010), "
        "which is submitted for verification."
    )
    assert MonitoringReport.objects.count() == 1


def test_monitoring_overlap_with_verified_report_conflict(final_project, submit_report, verify):
    submit_report(final_project, D(2009, 1, 1), D(2009, 6, 30), {2009: 10})
    second = submit_report(final_project, D(2009, 7, 1), D(2009, 12, 31), {2009: 10})
    verify(second, {2009: 10})
    assert MonitoringReport.objects.get(pk=second.pk).status == "verified"
    # Contains the verified period entirely: the earliest overlapping report is named.
    with pytest.raises(Conflict) as err:
        submit_report(final_project, D(2009, 8, 1), D(2009, 8, 31), {2009: 1})
    assert err.value.code == "period_overlap"
    assert err.value.detail.startswith(
        "The period overlaps monitoring report 2 (1 Jul 2009–31 Dec 2009), which is "
    )
    with pytest.raises(Conflict) as err:
        submit_report(final_project, D(2009, 1, 1), D(2010, 1, 31), {2009: 1})
    assert err.value.detail.startswith(
        "The period overlaps monitoring report 1 (1 Jan 2009–30 Jun 2009)"
    )


def test_monitoring_touching_periods_allowed(final_project, submit_report):
    a = submit_report(final_project, D(2009, 1, 1), D(2009, 6, 30), {2009: 1})
    b = submit_report(final_project, D(2009, 7, 1), D(2009, 12, 31), {2009: 1})
    c = submit_report(final_project, D(2010, 1, 1), D(2010, 1, 1), {2010: 1})
    assert [r.number for r in (a, b, c)] == [1, 2, 3]
    assert MonitoringReport.objects.filter(status="submitted").count() == 3


def test_monitoring_overlap_other_project_allowed(cycle, submit_report):
    p1 = cycle.final(crediting_start=D(2009, 1, 1))
    p2 = cycle.final(crediting_start=D(2009, 1, 1), title="Second landfill")
    submit_report(p1, D(2009, 1, 1), D(2009, 12, 31), {2009: 1})
    report = submit_report(p2, D(2009, 1, 1), D(2009, 12, 31), {2009: 1})
    assert report.number == 1


def test_monitoring_withdrawn_report_period_free_again(final_project, submit_report, cycle):
    first = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 100})
    vwf.withdraw_monitoring_report(cycle.participant, first, reason="Meter data incomplete")
    again = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 90})
    assert again.number == 2
    assert MonitoringReport.objects.get(pk=first.pk).status == "withdrawn"


def test_monitoring_rejected_report_period_free_again(final_project, submit_report):
    first = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 100})
    # The rejected status is written by the review decision (tests in test_verification_review).
    MonitoringReport.objects.filter(pk=first.pk).update(status="rejected")
    again = submit_report(final_project, D(2009, 3, 1), D(2009, 12, 31), {2009: 90})
    assert again.number == 2


# --- publication and the record ------------------------------------------------------------------


def test_monitoring_report_published_with_public_event(final_project, cycle, aie_org):
    t = dt.datetime(2011, 2, 3, 10, 30, tzinfo=UTC)
    with time_machine.travel(t, tick=False):
        report = _submit(
            cycle.participant,
            final_project,
            D(2009, 7, 1),
            D(2010, 6, 30),
            {2010: 20000, 2009: 25000},
            aie_org,
            supporting=[("Meter calibration", pdf_upload("cal.pdf"))],
        )
    report.refresh_from_db()
    assert report.status == "submitted"
    assert report.submitted_by == cycle.participant
    assert report.submitted_at == t
    doc = report.report
    assert doc.kind == "monitoring_report"
    assert doc.title == "Monitoring report 1 (01 Jul 2009–30 Jun 2010)"
    assert doc.published_at == t
    assert doc.confidential is False
    extra = Document.objects.get(project=final_project, kind="monitoring_supporting")
    assert (extra.title, extra.published_at) == ("Meter calibration", t)
    event = Event.objects.get(project=final_project, kind="monitoring_report_submitted")
    assert event.public is True
    assert event.actor == cycle.participant
    assert event.created_at == t
    assert event.data == {
        "documents": [doc.pk, extra.pk],  # what it publishes: hash-chained (projects.ledger)
        "number": 1,
        "period_start": "2009-07-01",
        "period_end": "2010-06-30",
        "claimed": {"2009": 25000, "2010": 20000},
        "aie": "Bureau Veritas Certification",
    }


def test_monitoring_report_numbers_count_withdrawn(final_project, submit_report, cycle):
    r1 = submit_report(final_project, D(2009, 1, 1), D(2009, 3, 31), {2009: 1})
    vwf.withdraw_monitoring_report(cycle.participant, r1)
    r2 = submit_report(final_project, D(2009, 1, 1), D(2009, 3, 31), {2009: 1})
    r3 = submit_report(final_project, D(2009, 4, 1), D(2009, 6, 30), {2009: 1})
    assert [r.number for r in (r1, r2, r3)] == [1, 2, 3]
    docs = Document.objects.filter(kind="monitoring_report").order_by("version")
    assert [d.version for d in docs] == [1, 2, 3]


# --- withdrawal ----------------------------------------------------------------------------------


def test_withdraw_monitoring_report_marks_withdrawn_with_event(final_project, submit_report, cycle):
    report = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 100})
    t = dt.datetime(2011, 5, 6, 7, 8, tzinfo=UTC)
    with time_machine.travel(t, tick=False):
        vwf.withdraw_monitoring_report(cycle.participant, report, reason="  Wrong meter  ")
    report.refresh_from_db()
    assert (report.status, report.withdrawn_at) == ("withdrawn", t)
    # It stays on the public record.
    assert report.report.published_at is not None
    event = Event.objects.get(project=final_project, kind="monitoring_report_withdrawn")
    assert (event.public, event.reason, event.data) == (True, "Wrong meter", {"number": 1})
    with pytest.raises(Conflict) as err:
        vwf.withdraw_monitoring_report(cycle.participant, report)
    assert (err.value.code, err.value.detail) == (
        "wrong_status",
        "The report is already withdrawn.",
    )


def test_withdraw_monitoring_report_by_others_forbidden(
    final_project, submit_report, other_participant, aie_user, secretariat
):
    report = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 100})
    for actor in (other_participant, aie_user, secretariat):
        with pytest.raises(Forbidden):
            vwf.withdraw_monitoring_report(actor, report)
    assert MonitoringReport.objects.get(pk=report.pk).status == "submitted"


def test_withdraw_monitoring_report_with_submitted_verification(
    final_project, submit_report, verify, cycle
):
    report = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 100})
    ver = verify(report, {2009: 100})
    vwf.withdraw_monitoring_report(cycle.participant, report)
    ver.refresh_from_db()
    assert (ver.status, ver.due_at) == ("withdrawn", None)
    assert MonitoringReport.objects.get(pk=report.pk).status == "withdrawn"


def test_withdraw_monitoring_report_with_published_verification_stops_clock(
    final_project, submit_report, verify, cycle
):
    report = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 10000})
    ver = verify(report, {2009: 10000})  # 1,000.00, covered by the advance
    ver = vwf.publish_verification(cycle.secretariat, ver)
    assert ver.due_at is not None
    vwf.withdraw_monitoring_report(cycle.participant, report)
    ver.refresh_from_db()
    assert (ver.status, ver.due_at) == ("withdrawn", None)
    later = ver.review_window_closes_at + dt.timedelta(days=1)
    assert vwf.sweep(later) == {"verifications_final": 0}
    assert vwf.deem_verification_final(ver.pk, later) is False
    assert Verification.objects.get(pk=ver.pk).status == "withdrawn"


@pytest.mark.parametrize("status", ["final", "under_review", "rejected"])
def test_withdraw_monitoring_report_after_final_or_under_review_conflict(
    final_project, submit_report, verify, cycle, status
):
    report = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 10000})
    ver = verify(report, {2009: 10000})
    # The statuses are written by the clock and the review (tested elsewhere).
    Verification.objects.filter(pk=ver.pk).update(status=status)
    with pytest.raises(Conflict) as err:
        vwf.withdraw_monitoring_report(cycle.participant, report)
    label = Verification.Status(status).label.lower()
    assert err.value.code == "wrong_status"
    assert err.value.detail == f"The verification is {label}; it can no longer be withdrawn."
    assert MonitoringReport.objects.get(pk=report.pk).status == "verified"
    assert fee_services.verification_fee_settled(final_project, 1)
