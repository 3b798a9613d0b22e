"""Changes during implementation (JISC 23 Annex 2) and verifications F-JI-VRep (paras 37-39): who
verifies, the fee with the advance credited (ji-rules §5), publication, the 15-day window
(ji-rules §4) and the clock."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from pypdf import PdfReader

from determinations import tasks
from determinations import verification as vwf
from determinations.models import ImplementationChange, MonitoringReport, Verification
from fees import services as fee_services
from fees.models import FeeAssessment
from jitrack.errors import Conflict, Forbidden, Invalid
from jitrack.pdf import write_pdf as weasyprint_pdf
from projects import accreditation
from projects.models import Accreditation, ClockFault, Document, Event
from tests.factories import pdf_upload
from tests.support import CONDITIONS, cure, poison

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]

D = dt.date
UTC = dt.UTC
FINDINGS = "Meters calibrated; data checked against invoices."


@pytest.fixture
def real_vreps(fast_pdfs, final_project, monkeypatch):
    """F-JI-VRep is under test: once the project is final (its F-JI-DRep made by ``fast_pdfs``),
    reports are rendered by WeasyPrint again."""
    monkeypatch.setattr("jitrack.pdf.write_pdf", weasyprint_pdf)


def _verify(actor, report, verified, **overrides):
    kwargs = {
        "verified": verified,
        "findings": FINDINGS,
        "change_opinions": {},
        "conditions_hold": True,
        "conditions_reasons": CONDITIONS,
        "no_overlap_declared": True,
    }
    kwargs.update(overrides)
    return vwf.submit_verification(actor, report, **kwargs)


def _pdf_text(doc: Document) -> str:
    with doc.file.open("rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def _change(cycle, project, description, justification="Supplier discontinued the model."):
    return vwf.record_change(
        cycle.participant, project, description=description, justification=justification
    )


# --- changes during implementation ---------------------------------------------------------------


def test_change_before_final_determination_conflict(cycle):
    project = cycle.determination_published()
    with pytest.raises(Conflict) as err:
        _change(cycle, project, "New flare")
    assert err.value.code == "wrong_status"
    assert err.value.detail == "Changes are recorded after the determination is final."
    assert not ImplementationChange.objects.exists()


def test_change_by_non_participant_forbidden(final_project, other_participant, aie_user):
    for actor in (other_participant, aie_user):
        with pytest.raises(Forbidden):
            vwf.record_change(actor, final_project, description="X", justification="Y")
    assert not ImplementationChange.objects.exists()


def test_change_needs_description_and_justification(final_project, cycle):
    for description, justification, field in (
        ("  ", "Because", "description"),
        ("New flare", "", "justification"),
        (None, None, "description"),
    ):
        with pytest.raises(Invalid) as err:
            vwf.record_change(
                cycle.participant,
                final_project,
                description=description,
                justification=justification,
            )
        assert (err.value.code, err.value.field) == ("required", field)


def test_change_recorded_with_files_and_event(final_project, cycle):
    change = vwf.record_change(
        cycle.participant,
        final_project,
        description="  Second flare installed  ",
        justification=" Gas flow above design ",
        files=[("Flare datasheet", pdf_upload("flare.pdf"))],
    )
    change.refresh_from_db()
    assert (change.description, change.justification) == (
        "Second flare installed",
        "Gas flow above design",
    )
    assert (change.recorded_by, change.addressed_in, change.aie_opinion) == (
        cycle.participant,
        None,
        "",
    )
    [doc] = change.files.all()
    assert (doc.kind, doc.title) == ("change_supporting", "Flare datasheet")
    event = Event.objects.get(project=final_project, kind="change_recorded")
    assert event.data == {"change": change.pk}
    assert list(vwf.pending_changes(final_project)) == [change]


def test_verification_must_address_every_change_since_last(
    final_project, real_vreps, cycle, submit_report, verify
):
    report = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 10000})
    c1 = _change(cycle, final_project, "Second flare installed")
    c2 = _change(cycle, final_project, "Gas analyser replaced", "Old one failed calibration")
    for opinions, missing in (
        ({}, [c1.pk, c2.pk]),
        ({c1.pk: "Acceptable."}, [c2.pk]),
        ({str(c1.pk): "Acceptable.", str(c2.pk): "   "}, [c2.pk]),
    ):
        with pytest.raises(Invalid) as err:
            verify(report, {2009: 10000}, change_opinions=opinions)
        assert err.value.code == "changes_unaddressed"
        assert err.value.field == "change_opinions"
        assert err.value.detail == (
            "Give your opinion on every change recorded since the last verification "
            f"(missing: {', '.join(map(str, missing))})."
        )
    assert not Verification.objects.exists()
    assert MonitoringReport.objects.get(pk=report.pk).status == "submitted"
    assert not FeeAssessment.objects.filter(kind="verification").exists()

    ver = verify(
        report,
        {2009: 10000},
        change_opinions={c1.pk: "  The flare is covered by the plan. ", str(c2.pk): "Equivalent."},
    )
    c1.refresh_from_db()
    c2.refresh_from_db()
    assert (c1.addressed_in, c1.aie_opinion) == (ver, "The flare is covered by the plan.")
    assert (c2.addressed_in, c2.aie_opinion) == (ver, "Equivalent.")
    assert list(vwf.pending_changes(final_project)) == []

    text = _pdf_text(ver.report)
    assert "Changes during implementation (separate section, JISC 23 Annex 2)" in text
    assert "Second flare installed" in text
    assert "Gas analyser replaced" in text
    assert "Justification: Old one failed calibration" in text
    assert "Opinion of the AIE: The flare is covered by the plan." in text
    assert "Opinion of the AIE: Equivalent." in text
    assert "No change was recorded since the last verification." not in text

    # The next verification does not need them again, only those recorded since.
    second = submit_report(final_project, D(2010, 1, 1), D(2010, 12, 31), {2010: 5000})
    ver2 = verify(second, {2010: 5000})
    assert ver2.changes.count() == 0
    text2 = _pdf_text(ver2.report)
    assert "No change was recorded since the last verification." in text2
    assert "Second flare installed" not in text2
    c3 = _change(cycle, final_project, "Blower motor upgraded")
    third = submit_report(final_project, D(2011, 1, 1), D(2011, 6, 30), {2011: 5000})
    with pytest.raises(Invalid) as err:
        verify(third, {2011: 5000})
    assert err.value.detail.endswith(f"(missing: {c3.pk}).")
    ver3 = verify(third, {2011: 5000}, change_opinions={c3.pk: "Fine."})
    assert list(ver3.changes.all()) == [c3]


def test_changes_addressed_in_withdrawn_verification_pending_again(
    final_project, cycle, submit_report, verify
):
    change = _change(cycle, final_project, "Second flare installed")
    report = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 10000})
    verify(report, {2009: 10000}, change_opinions={change.pk: "Fine."})
    vwf.withdraw_monitoring_report(cycle.participant, report)
    again = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 9000})
    with pytest.raises(Invalid) as err:
        verify(again, {2009: 9000})
    assert err.value.code == "changes_unaddressed"


# --- who verifies, once, what --------------------------------------------------------------------


def test_verification_only_by_the_aie_the_report_went_to(
    final_project, cycle, submit_report, other_aie_user, other_aie_org, secretariat
):
    report = submit_report(
        final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 100}, aie=other_aie_org
    )
    # The AIE that made the determination is not the one this report went to.
    for actor in (cycle.aie_user, cycle.participant, secretariat):
        with pytest.raises(Forbidden) as err:
            _verify(actor, report, {2009: 100})
        assert err.value.detail == "Only the AIE the report was submitted to verifies it."
    ver = _verify(other_aie_user, report, {2009: 100})
    assert (ver.aie, ver.submitted_by) == (other_aie_org, other_aie_user)


def test_verification_once_per_report(final_project, submit_report, verify):
    report = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 100})
    verify(report, {2009: 100})
    with pytest.raises(Conflict) as err:
        verify(report, {2009: 90})
    assert err.value.code == "wrong_status"
    assert err.value.detail == "This monitoring report is not waiting for verification."
    assert Verification.objects.count() == 1
    assert FeeAssessment.objects.filter(kind="verification").count() == 1


def test_verification_of_withdrawn_report_conflict(final_project, submit_report, verify, cycle):
    report = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 100})
    vwf.withdraw_monitoring_report(cycle.participant, report)
    with pytest.raises(Conflict) as err:
        verify(report, {2009: 100})
    assert err.value.code == "wrong_status"


def test_verification_aie_no_longer_accredited_conflict(
    final_project, submit_report, verify, aie_org
):
    report = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 100})
    Accreditation.objects.filter(aie=aie_org, function="verification").update(status="withdrawn")
    with pytest.raises(Conflict) as err:
        verify(report, {2009: 100})
    assert err.value.code == "not_accredited"
    assert err.value.detail == "Bureau Veritas Certification is withdrawn for verification."


def test_verification_years_inside_period(final_project, submit_report, verify):
    report = submit_report(final_project, D(2009, 7, 1), D(2010, 6, 30), {2009: 1, 2010: 1})
    for verified, detail in (
        ({2009: 1, 2011: 1}, "2011 is outside the monitoring period 1 Jul 2009–30 Jun 2010."),
        ({2008: 1}, "2008 is outside the monitoring period 1 Jul 2009–30 Jun 2010."),
        ({2009: -5}, "Give whole, non-negative tonnes for 2009."),
        ({2009: 2.5}, "Give whole, non-negative tonnes for 2009."),
    ):
        with pytest.raises(Invalid) as err:
            verify(report, verified)
        assert (err.value.field, err.value.detail) == ("verified", detail)
    with pytest.raises(Invalid) as err:
        verify(report, {})
    assert (err.value.code, err.value.field) == ("required", "verified")
    assert not Verification.objects.exists()


def test_verification_required_statements(final_project, submit_report, aie_user):
    report = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 100})
    for overrides, field in (
        ({"findings": "  "}, "findings"),
        ({"conditions_reasons": ""}, "conditions_reasons"),
        ({"no_overlap_declared": False}, "no_overlap_declared"),
    ):
        with pytest.raises(Invalid) as err:
            _verify(aie_user, report, {2009: 100}, **overrides)
        assert (err.value.code, err.value.field) == ("required", field)
    assert not Verification.objects.exists()


def test_verification_recorded_as_filed(final_project, real_vreps, submit_report, aie_user):
    first = submit_report(final_project, D(2009, 7, 1), D(2010, 6, 30), {2009: 30000, 2010: 25000})
    second = submit_report(final_project, D(2010, 7, 1), D(2010, 12, 31), {2010: 1})
    t = dt.datetime(2011, 2, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(t, tick=False):
        ver = _verify(
            aie_user,
            first,
            {"2010": 20000, 2009: 24000},
            supporting=[
                ("Site visit notes", pdf_upload("notes.pdf"), True),
                ("Calibration certificates", pdf_upload("cal.pdf"), False),
            ],
        )
    ver.refresh_from_db()
    assert ver.number == 1
    assert ver.status == "submitted"
    assert ver.verified == {"2009": 24000, "2010": 20000}
    assert (ver.verified_total, ver.erus_issued) == (44000, 0)
    assert (ver.conditions_hold, ver.no_overlap_declared) == (True, True)
    assert (ver.submitted_at, ver.available_on, ver.due_at) == (t, None, None)
    assert MonitoringReport.objects.get(pk=first.pk).status == "verified"
    doc = ver.report
    assert doc.kind == "verification_report"
    assert doc.title == "Verification report F-JI-VRep (1)"
    assert doc.filename == f"F-JI-VRep-{final_project.key}-1.pdf"
    assert doc.published_at is None
    text = _pdf_text(doc)
    assert "verification no. 1" in text
    assert "The conditions of paragraph 33 still hold." in text
    assert "44,000" in text
    event = Event.objects.get(project=final_project, kind="verification_submitted")
    assert event.public is False
    assert event.data == {"verification": 1, "verified_total": 44000}
    ver2 = _verify(aie_user, second, {2010: 1})
    assert ver2.number == 2


def test_verified_reductions_never_exceed_those_claimed(final_project, submit_report, aie_user):
    """[our reading] ji-rules §7 "Verified reductions": more needs a revised monitoring
    report."""
    report = submit_report(final_project, D(2009, 7, 1), D(2010, 6, 30), {2009: 30000, 2010: 100})
    with pytest.raises(Invalid) as refused:
        _verify(aie_user, report, {2009: 30000, 2010: 101})
    assert (refused.value.code, refused.value.field) == ("above_claimed", "verified")
    assert "2010" in refused.value.detail
    assert not Verification.objects.exists()
    assert _verify(aie_user, report, {2009: 30000, 2010: 100}).verified_total == 30100


def test_a_verification_whose_para_33_conditions_no_longer_hold_verifies_nothing(
    final_project, real_vreps, submit_report, aie_user
):
    """JISC 23 Annex 2 (ji-rules §7): it cannot be positive: no verified reductions, no
    ERUs."""
    report = submit_report(final_project, D(2009, 7, 1), D(2010, 6, 30), {2009: 30000})
    with pytest.raises(Invalid) as refused:
        _verify(aie_user, report, {2009: 1}, conditions_hold=False)
    assert refused.value.code == "conditions_do_not_hold"
    ver = _verify(aie_user, report, {2009: 0, 2010: 0}, conditions_hold=False)
    assert (ver.verified_total, ver.conditions_hold) == (0, False)
    assert "The conditions of paragraph 33 no longer hold." in _pdf_text(ver.report)


def test_a_monitoring_period_lies_within_the_crediting_period(final_project, submit_report):
    """ji-rules §7: the demo project is credited 2008-2012."""
    with pytest.raises(Invalid) as refused:
        submit_report(final_project, D(2012, 7, 1), D(2013, 1, 31), {2012: 100, 2013: 10})
    assert (refused.value.code, refused.value.field) == ("outside_crediting_period", "period_end")
    assert not MonitoringReport.objects.filter(project=final_project).exists()


# --- the fee (ji-rules §5) -----------------------------------------------------------------------


def test_verification_fee_advance_credited_and_publication_waits_for_payment(
    final_project, cycle, submit_report, verify
):
    report = submit_report(final_project, D(2009, 7, 1), D(2010, 6, 30), {2009: 25000, 2010: 25000})
    ver = verify(report, {2009: 24000, 2010: 25000})
    fee = final_project.fees.get(kind="verification")
    # 2009: 1,500 + 9,000 x 0.20 = 3,300; 2010: 1,500 + 10,000 x 0.20 = 3,500.
    assert (fee.number, fee.amount_usd, fee.credit_usd, fee.status) == (
        1,
        Decimal("6800.00"),
        Decimal("3300.00"),
        "due",
    )
    assert fee.inputs["first_year"] == 2009
    invoice = fee.invoices.get()
    assert (invoice.amount_usd, invoice.status) == (Decimal("3500.00"), "issued")
    with pytest.raises(Conflict) as err:
        vwf.publish_verification(cycle.secretariat, ver)
    assert err.value.code == "fee_unpaid"
    fee_services.record_payment(cycle.secretariat, invoice, amount="3499.99", reference="V1")
    with pytest.raises(Conflict) as err:
        vwf.publish_verification(cycle.secretariat, ver)
    assert err.value.code == "fee_unpaid"
    assert Verification.objects.get(pk=ver.pk).status == "submitted"
    assert Document.objects.get(pk=ver.report_id).published_at is None
    fee_services.record_payment(cycle.secretariat, invoice, amount="0.01", reference="V2")
    ver = vwf.publish_verification(cycle.secretariat, ver)
    assert ver.status == "published"
    assert fee_services.advance_credit(final_project).remaining_usd == Decimal("5200.00")


def test_verification_fee_covered_by_advance_across_verifications(
    final_project, cycle, submit_report, verify
):
    r1 = submit_report(final_project, D(2009, 1, 1), D(2009, 6, 30), {2009: 10000})
    r2 = submit_report(final_project, D(2009, 7, 1), D(2009, 12, 31), {2009: 20000})
    r3 = submit_report(final_project, D(2010, 1, 1), D(2010, 12, 31), {2010: 20000})
    v1 = verify(r1, {2009: 10000})
    v2 = verify(r2, {2009: 20000})
    v3 = verify(r3, {2010: 20000})
    fees = {f.number: f for f in final_project.fees.filter(kind="verification")}
    # 1: 10,000 x 0.10, covered by the 8,500 advance.
    assert (fees[1].amount_usd, fees[1].credit_usd, fees[1].status) == (
        Decimal("1000.00"),
        Decimal("1000.00"),
        "covered",
    )
    # 2: shares 2009's first 15,000 t: 5,000 x 0.10 + 15,000 x 0.20 = 3,500, covered.
    assert (fees[2].amount_usd, fees[2].credit_usd, fees[2].status) == (
        Decimal("3500.00"),
        Decimal("3500.00"),
        "covered",
    )
    # 3: 2010 is not the first calendar year: no credit although 4,000.00 remain.
    assert (fees[3].amount_usd, fees[3].credit_usd, fees[3].status) == (
        Decimal("2500.00"),
        Decimal("0.00"),
        "due",
    )
    assert fee_services.advance_credit(final_project).remaining_usd == Decimal("4000.00")
    assert not fees[1].invoices.exists() and not fees[2].invoices.exists()
    assert fees[3].invoices.get().amount_usd == Decimal("2500.00")
    assert vwf.publish_verification(cycle.secretariat, v1).status == "published"
    assert vwf.publish_verification(cycle.secretariat, v2).status == "published"
    with pytest.raises(Conflict) as err:
        vwf.publish_verification(cycle.secretariat, v3)
    assert err.value.code == "fee_unpaid"
    fee_services.credit_invoice(cycle.secretariat, fees[3].invoices.get(), reason="Waived")
    assert vwf.publish_verification(cycle.secretariat, v3).status == "published"


def test_verification_fee_ignores_withdrawn_verification_tonnes(
    final_project, cycle, submit_report, verify
):
    r1 = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 10000})
    verify(r1, {2009: 10000})
    vwf.withdraw_monitoring_report(cycle.participant, r1)
    r2 = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 10000})
    verify(r2, {2009: 10000})
    fee = final_project.fees.get(kind="verification", number=2)
    assert fee.amount_usd == Decimal("1000.00")


# --- publication and the 15-day window (ji-rules §4) ---------------------------------------------


@pytest.fixture
def covered_verification(final_project, submit_report, verify):
    """A verification whose fee the advance covers (10,000 t in 2009: USD 1,000.00)."""
    report = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 10000})
    return verify(report, {2009: 10000})


def test_publish_verification_only_by_secretariat(covered_verification, cycle, party_user):
    for actor in (cycle.participant, cycle.aie_user, party_user):
        with pytest.raises(Forbidden) as err:
            vwf.publish_verification(actor, covered_verification)
        assert err.value.detail == "Only the secretariat publishes verification reports."
    assert Verification.objects.get(pk=covered_verification.pk).status == "submitted"


def test_a_suspension_of_the_verifying_aie_stops_the_publication(covered_verification, cycle):
    """ji-rules §7 "Accreditation at every act": checked again when the secretariat publishes."""
    acc = Accreditation.objects.get(aie=covered_verification.aie, function="verification")
    accreditation.suspend(cycle.secretariat, acc, reason="JISC decision: suspended.")
    with pytest.raises(Conflict) as refused:
        vwf.publish_verification(cycle.secretariat, covered_verification)
    assert refused.value.code == "not_accredited"
    assert Verification.objects.get(pk=covered_verification.pk).status == "submitted"
    accreditation.restore(cycle.secretariat, acc, reason="Restored.")
    assert vwf.publish_verification(cycle.secretariat, covered_verification).status == "published"


def test_publish_verification_window_from_today(covered_verification, cycle, final_project):
    confidential = Document.objects.create(
        project=final_project,
        kind="verification_supporting",
        title="Site visit notes",
        filename="n.pdf",
        sha256="0" * 64,
        size=1,
        confidential=True,
    )
    t = dt.datetime(2011, 3, 10, 9, 15, tzinfo=UTC)
    with time_machine.travel(t, tick=False):
        ver = vwf.publish_verification(cycle.secretariat, covered_verification)
    ver.refresh_from_db()
    assert ver.status == "published"
    assert ver.available_on == D(2011, 3, 10)
    # Day 1 is 10 March; day 15 is 24 March, ending 17:00 GMT.
    assert ver.review_window_closes_at == dt.datetime(2011, 3, 24, 17, 0, tzinfo=UTC)
    assert ver.due_at == ver.review_window_closes_at
    assert ver.report.published_at == t
    confidential.refresh_from_db()
    assert confidential.published_at is None
    event = Event.objects.get(project=final_project, kind="verification_published")
    assert event.public is True
    assert event.data == {
        # the published report (the confidential supporting file stays out): hash-chained
        "documents": [ver.report_id],
        "verification": 1,
        "available_on": "2011-03-10",
        "review_window_closes_at": "2011-03-24T17:00:00+00:00",
        "verified_total": 10000,
    }
    with pytest.raises(Conflict) as err:
        vwf.publish_verification(cycle.secretariat, ver)
    assert err.value.code == "wrong_status"


def test_publish_verification_publishes_only_its_own_report(
    covered_verification, final_project, submit_report, verify, cycle
):
    other = verify(
        submit_report(final_project, D(2010, 1, 1), D(2010, 12, 31), {2010: 20000}),
        {2010: 20000},
    )
    assert final_project.fees.get(kind="verification", number=2).status == "due"
    vwf.publish_verification(cycle.secretariat, covered_verification)
    assert Document.objects.get(pk=other.report_id).published_at is None


def test_publish_verification_available_tomorrow(covered_verification, cycle):
    with time_machine.travel(dt.datetime(2011, 12, 31, 23, 0, tzinfo=UTC), tick=False):
        ver = vwf.publish_verification(
            cycle.secretariat, covered_verification, available_on=D(2012, 1, 1)
        )
    assert ver.available_on == D(2012, 1, 1)
    assert ver.review_window_closes_at == dt.datetime(2012, 1, 15, 17, 0, tzinfo=UTC)


def test_publish_verification_other_availability_dates_invalid(covered_verification, cycle):
    with time_machine.travel(dt.datetime(2011, 3, 10, 9, 0, tzinfo=UTC), tick=False):
        for day in (D(2011, 3, 9), D(2011, 3, 12)):
            with pytest.raises(Invalid) as err:
                vwf.publish_verification(cycle.secretariat, covered_verification, available_on=day)
            assert err.value.field == "available_on"
    assert Verification.objects.get(pk=covered_verification.pk).status == "submitted"


def test_deem_verification_final_only_after_the_closing_instant(covered_verification, cycle):
    with time_machine.travel(dt.datetime(2011, 3, 10, 9, 15, tzinfo=UTC), tick=False):
        ver = vwf.publish_verification(cycle.secretariat, covered_verification)
    closes = dt.datetime(2011, 3, 24, 17, 0, tzinfo=UTC)
    assert vwf.deem_verification_final(ver.pk, closes) is False
    ver.refresh_from_db()
    assert (ver.status, ver.final_on, ver.due_at) == ("published", None, closes)
    assert ver.monitoring_report.status == "verified"
    after = closes + dt.timedelta(seconds=1)
    assert vwf.deem_verification_final(ver.pk, after) is True
    ver.refresh_from_db()
    assert (ver.status, ver.final_on, ver.due_at) == ("final", D(2011, 3, 24), None)
    # The monitoring report follows its verification (ji-rules §7 "Rules at the edges").
    report = MonitoringReport.objects.get(pk=ver.monitoring_report_id)
    assert (report.status, report.get_status_display()) == ("final", "Verification final")
    assert vwf.deem_verification_final(ver.pk, after) is False
    [event] = Event.objects.filter(kind="verification_final")
    assert (event.actor, event.actor_label, event.created_at, event.public) == (
        None,
        "jitrack clock",
        after,
        True,
    )
    assert event.data == {"verification": 1, "final_on": "2011-03-24"}


def test_deem_verification_final_ignores_unpublished(covered_verification):
    later = dt.datetime(2030, 1, 1, tzinfo=UTC)
    assert vwf.deem_verification_final(covered_verification.pk, later) is False
    assert vwf.deem_verification_final(10**9, later) is False
    assert Verification.objects.get(pk=covered_verification.pk).status == "submitted"


def test_sweep_makes_verifications_final_once(cycle, submit_report, verify):
    first = cycle.final(crediting_start=D(2009, 1, 1))
    second = cycle.final(crediting_start=D(2009, 1, 1), title="Second landfill")
    v1 = verify(submit_report(first, D(2009, 1, 1), D(2009, 12, 31), {2009: 100}), {2009: 100})
    v2 = verify(submit_report(second, D(2009, 1, 1), D(2009, 12, 31), {2009: 100}), {2009: 100})
    with time_machine.travel(dt.datetime(2011, 3, 10, 9, 0, tzinfo=UTC), tick=False):
        vwf.publish_verification(cycle.secretariat, v1)
    with time_machine.travel(dt.datetime(2011, 3, 11, 9, 0, tzinfo=UTC), tick=False):
        vwf.publish_verification(cycle.secretariat, v2)
    with time_machine.travel(dt.datetime(2011, 3, 24, 17, 0, tzinfo=UTC), tick=False):
        assert vwf.sweep() == {"verifications_final": 0}
    with time_machine.travel(dt.datetime(2011, 3, 24, 17, 0, 1, tzinfo=UTC), tick=False):
        assert vwf.sweep() == {"verifications_final": 1}
        assert vwf.sweep() == {"verifications_final": 0}
    assert Verification.objects.get(pk=v1.pk).status == "final"
    assert Verification.objects.get(pk=v2.pk).status == "published"
    # The management command and the beat task run the same sweep.
    with time_machine.travel(dt.datetime(2011, 3, 26, 0, 0, tzinfo=UTC), tick=False):
        out = io.StringIO()
        call_command("enforce_deadlines", stdout=out)
        assert "verifications_final: 1" in out.getvalue()
        assert tasks.sweep.delay().get() == {"determinations_final": 0, "verifications_final": 0}
    assert Verification.objects.get(pk=v2.pk).final_on == D(2011, 3, 25)
    assert Event.objects.filter(kind="verification_final").count() == 2


def test_one_sweep_makes_a_batch_of_verifications_final_with_their_reports(
    cycle, submit_report, verify
):
    """The clock's batch (``deem_verifications_final``): two verifications of one project and
    one of another, final at once, each with its report and its own event."""
    first = cycle.final(crediting_start=D(2009, 1, 1))
    second = cycle.final(crediting_start=D(2009, 1, 1), title="Second landfill")
    vers = [
        verify(submit_report(first, D(2009, 1, 1), D(2009, 6, 30), {2009: 100}), {2009: 100}),
        verify(submit_report(first, D(2009, 7, 1), D(2009, 12, 31), {2009: 100}), {2009: 100}),
        verify(submit_report(second, D(2009, 1, 1), D(2009, 12, 31), {2009: 100}), {2009: 100}),
    ]
    with time_machine.travel(dt.datetime(2011, 3, 10, 9, 0, tzinfo=UTC), tick=False):
        for ver in vers:
            vwf.publish_verification(cycle.secretariat, ver)
    after = dt.datetime(2011, 3, 24, 17, 0, 1, tzinfo=UTC)
    assert vwf.sweep(after) == {"verifications_final": 3}
    for ver in vers:
        ver = Verification.objects.select_related("monitoring_report").get(pk=ver.pk)
        assert (ver.status, ver.final_on, ver.due_at) == ("final", D(2011, 3, 24), None)
        assert ver.monitoring_report.status == "final"
    events = Event.objects.filter(kind="verification_final")
    assert sorted((e.project_id, e.data["verification"], e.created_at) for e in events) == sorted(
        [(first.pk, 1, after), (first.pk, 2, after), (second.pk, 1, after)]
    )
    assert vwf.deem_verifications_final([ver.pk for ver in vers], after) == 0


def test_a_verification_the_database_refuses_holds_up_no_other(cycle, submit_report, verify):
    """``projects.clock.apply`` for the later stages' rows: the batch fails, each row is tried
    alone, the refused one becomes a clock problem and the others are final."""
    first = cycle.final(crediting_start=D(2009, 1, 1))
    second = cycle.final(crediting_start=D(2009, 1, 1), title="Second landfill")
    good, bad = (
        verify(submit_report(project, D(2009, 1, 1), D(2009, 12, 31), {2009: 100}), {2009: 100})
        for project in (first, second)
    )
    with time_machine.travel(dt.datetime(2011, 3, 10, 9, 0, tzinfo=UTC), tick=False):
        for ver in (good, bad):
            vwf.publish_verification(cycle.secretariat, ver)
    poison("determinations_verification", bad.pk)
    after = dt.datetime(2011, 3, 24, 17, 0, 1, tzinfo=UTC)
    assert vwf.sweep(after) == {"verifications_final": 1}
    assert Verification.objects.get(pk=good.pk).status == "final"
    assert Verification.objects.get(pk=bad.pk).status == "published"
    [fault] = ClockFault.objects.filter(resolved_at__isnull=True)
    assert (fault.stage, fault.row_id, fault.project_id) == (
        "verifications_final",
        bad.pk,
        second.pk,
    )
    cure("determinations_verification")
    assert vwf.sweep(after + dt.timedelta(minutes=2)) == {"verifications_final": 1}
    assert Verification.objects.get(pk=bad.pk).status == "final"
    assert not ClockFault.objects.filter(resolved_at__isnull=True).exists()
