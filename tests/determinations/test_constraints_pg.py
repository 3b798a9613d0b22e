"""The database guards behind the workflow, on PostgreSQL: the exclusion constraints
``monitoring_periods_do_not_overlap`` and ``eru_serials_used_once``, the check constraint
``erus_within_verified``, and two overlapping monitoring reports submitted at once.

On SQLite (the embedded default) the exclusion constraints do not exist (PostgresOnlyExclusion)
and the code checks alone apply; they are tested in test_monitoring and test_issuance.
"""

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from determinations import issuance
from determinations import verification as vwf
from determinations.models import EruBlock, EruIssuance, MonitoringReport, Verification
from jitrack.errors import Conflict
from projects import workflow as pwf
from projects.models import Event
from reviews import workflow as rwf
from tests.factories import pdf_upload
from tests.support import run_at_once

pytestmark = [
    pytest.mark.usefixtures("fast_pdfs"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="exclusion constraints and concurrent row locks need PostgreSQL; "
        "run with DATABASE_URL=postgres://... (CI runs this on PostgreSQL)",
    ),
]

D = dt.date


def _raw_report(project, number, start, end, *, report, status="submitted"):
    """A MonitoringReport written directly, bypassing the workflow's checks."""
    return MonitoringReport.objects.create(
        project=project,
        number=number,
        period_start=start,
        period_end=end,
        aie=project.aie,
        claimed={str(start.year): 1},
        status=status,
        report=report,
    )


def outcome(results, errors) -> tuple[list, list[str]]:
    """What writers run at once did: (results of those that succeeded, codes of the conflicts
    refused). Any other error fails the test."""
    assert all(e is None or isinstance(e, Conflict) for e in errors), errors
    done = [r for r, e in zip(results, errors, strict=True) if e is None]
    return done, [e.code for e in errors if e is not None]


# --- monitoring_periods_do_not_overlap -----------------------------------------------------------


@pytest.mark.django_db
def test_overlapping_monitoring_report_rejected_by_database(final_project, submit_report):
    first = submit_report(final_project, D(2009, 1, 1), D(2009, 6, 30), {2009: 1})
    for start, end in (
        (D(2009, 6, 30), D(2009, 12, 31)),  # one shared day: bounds are inclusive
        (D(2008, 12, 1), D(2009, 1, 1)),
        (D(2009, 3, 1), D(2009, 3, 1)),
        (D(2008, 1, 1), D(2010, 1, 1)),
    ):
        with pytest.raises(IntegrityError) as err, transaction.atomic():
            _raw_report(final_project, 9, start, end, report=first.report)
        assert "monitoring_periods_do_not_overlap" in str(err.value)
    # A verified report blocks as well.
    MonitoringReport.objects.filter(pk=first.pk).update(status="verified")
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_report(final_project, 9, D(2009, 6, 1), D(2009, 7, 31), report=first.report)
    assert MonitoringReport.objects.count() == 1


@pytest.mark.django_db
def test_touching_or_inactive_overlapping_reports_allowed_by_database(
    final_project, submit_report, cycle
):
    first = submit_report(final_project, D(2009, 1, 1), D(2009, 6, 30), {2009: 1})
    doc = first.report
    _raw_report(final_project, 2, D(2009, 7, 1), D(2009, 12, 31), report=doc)
    _raw_report(final_project, 3, D(2009, 1, 1), D(2009, 6, 30), report=doc, status="withdrawn")
    _raw_report(final_project, 4, D(2009, 3, 1), D(2009, 9, 30), report=doc, status="rejected")
    other = cycle.final(crediting_start=D(2009, 1, 1), title="Second landfill")
    _raw_report(other, 1, D(2009, 1, 1), D(2009, 12, 31), report=doc)
    assert MonitoringReport.objects.count() == 5
    # A withdrawn report cannot come back over an active period.
    withdrawn = MonitoringReport.objects.get(project=final_project, number=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        MonitoringReport.objects.filter(pk=withdrawn.pk).update(status="submitted")


# --- eru_serials_used_once -----------------------------------------------------------------------


@pytest.fixture
def eru_issuance(final_project, submit_report, verify, cycle):
    report = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 10000})
    ver = verify(report, {2009: 10000})
    return EruIssuance.objects.create(verification=ver, party=final_project.host_party, quantity=1)


def _raw_block(iss, party, start, end, active=True):
    return EruBlock.objects.create(
        issuance=iss,
        originating_party=party,
        serial_start=start,
        serial_end=end,
        project_identifier="JI-0001",
        account="registry",
        active=active,
    )


@pytest.mark.django_db
def test_overlapping_active_eru_blocks_of_one_party_rejected(eru_issuance, ukraine):
    _raw_block(eru_issuance, ukraine, 100, 200)
    for start, end in ((200, 300), (1, 100), (150, 160), (1, 1000)):
        with pytest.raises(IntegrityError) as err, transaction.atomic():
            _raw_block(eru_issuance, ukraine, start, end)
        assert "eru_serials_used_once" in str(err.value)
    assert EruBlock.objects.count() == 1


@pytest.mark.django_db
def test_eru_blocks_of_other_parties_adjacent_or_inactive_allowed(eru_issuance, ukraine, japan):
    _raw_block(eru_issuance, ukraine, 100, 200)
    _raw_block(eru_issuance, japan, 100, 200)
    _raw_block(eru_issuance, ukraine, 201, 300)
    _raw_block(eru_issuance, ukraine, 99, 99)
    inactive = _raw_block(eru_issuance, ukraine, 150, 250, active=False)
    assert EruBlock.objects.count() == 5
    with pytest.raises(IntegrityError), transaction.atomic():
        EruBlock.objects.filter(pk=inactive.pk).update(active=True)


# --- erus_within_verified ------------------------------------------------------------------------


@pytest.mark.django_db
def test_erus_issued_above_verified_rejected_by_database(eru_issuance):
    ver = eru_issuance.verification
    with pytest.raises(IntegrityError) as err, transaction.atomic():
        Verification.objects.filter(pk=ver.pk).update(erus_issued=10001)
    assert "erus_within_verified" in str(err.value)
    Verification.objects.filter(pk=ver.pk).update(erus_issued=10000)
    with pytest.raises(IntegrityError), transaction.atomic():
        Verification.objects.filter(pk=ver.pk).update(verified_total=9999)
    assert Verification.objects.get(pk=ver.pk).erus_issued == 10000


# --- two submissions at once ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_reports_at_once_exactly_one_succeeds(final_project, cycle):
    periods = [(D(2009, 1, 1), D(2009, 12, 31)), (D(2009, 7, 1), D(2010, 6, 30))]

    def submit(start, end):
        return lambda: vwf.submit_monitoring_report(
            cycle.participant,
            final_project,
            period_start=start,
            period_end=end,
            aie=cycle.aie_user.organisation,
            claimed={start.year: 100},
            report=pdf_upload("mr.pdf"),
        )

    done, refused = outcome(*run_at_once(*(submit(*p) for p in periods)))
    assert len(done) == 1
    assert refused == ["period_overlap"]
    assert list(MonitoringReport.objects.values_list("number", "status")) == [(1, "submitted")]
    assert final_project.events.filter(kind="monitoring_report_submitted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_issuances_at_once_never_overdraw_aaus_nor_reuse_serials(
    cycle, submit_report, verify, party_user, ukraine
):
    vers = []
    for title in ("First landfill", "Second landfill"):
        project = cycle.final(crediting_start=D(2009, 1, 1), title=title)
        report = submit_report(project, D(2009, 1, 1), D(2009, 12, 31), {2009: 100})
        ver = vwf.publish_verification(cycle.secretariat, verify(report, {2009: 100}))
        vwf.deem_verification_final(ver.pk, ver.review_window_closes_at + dt.timedelta(seconds=1))
        vers.append(ver)
    issuance.record_aau_holding(party_user, ukraine, quantity=150)

    def issue(ver, start):
        blocks = [{"serial_start": start, "serial_end": start + 99}]
        return lambda: issuance.issue_erus(party_user, ver, blocks=blocks)

    # Both want 100 of the 150 AAUs held, with overlapping serials.
    done, refused = outcome(*run_at_once(issue(vers[0], 1), issue(vers[1], 51)))
    assert len(done) == 1
    assert refused == ["insufficient_aau"]
    assert issuance.aau_balance(ukraine) == 50
    assert EruBlock.objects.filter(active=True).count() == 1
    assert sum(Verification.objects.values_list("erus_issued", flat=True)) == 100


# --- the clock against other writers ---------------------------------------------------------------


@pytest.fixture
def published_pair(cycle, submit_report, verify):
    """Two published verifications (two projects) whose windows have the same closing instant."""
    out = []
    for title in ("First landfill", "Second landfill"):
        project = cycle.final(crediting_start=D(2009, 1, 1), title=title)
        report = submit_report(project, D(2009, 1, 1), D(2009, 12, 31), {2009: 100})
        out.append(vwf.publish_verification(cycle.secretariat, verify(report, {2009: 100})))
    assert out[0].review_window_closes_at == out[1].review_window_closes_at
    return out


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_make_each_verification_final_once(published_pair):
    after = published_pair[0].review_window_closes_at + dt.timedelta(seconds=1)

    def sweep():
        return vwf.sweep(after)

    results, errors = run_at_once(sweep, sweep)
    assert errors == [None, None]
    assert sum(r["verifications_final"] for r in results) == 2
    assert set(Verification.objects.values_list("status", flat=True)) == {"final"}
    assert Event.objects.filter(kind="verification_final").count() == 2


@pytest.mark.django_db(transaction=True)
def test_sweep_and_review_request_at_once_do_not_deadlock(published_pair, party_user, monkeypatch):
    ver = published_pair[0]
    closes = ver.review_window_closes_at
    real_lock = pwf.lock
    sweeper_holds_row = threading.Event()
    requester_holds_project = threading.Event()

    # Force the interleaving a real race produces: the sweep has locked the verification when
    # the request locks the project (the waits time out, so a correct order cannot hang).
    def sweeper_lock(project):
        sweeper_holds_row.set()
        requester_holds_project.wait(timeout=5)
        return real_lock(project)

    def requester_lock(project):
        sweeper_holds_row.wait(timeout=5)
        locked = real_lock(project)
        requester_holds_project.set()
        return locked

    monkeypatch.setattr("determinations.verification.lock", sweeper_lock)
    monkeypatch.setattr("reviews.workflow.lock", requester_lock)

    def sweep():
        return vwf.deem_verification_final(ver.pk, closes + dt.timedelta(seconds=1))

    def request():
        return rwf.request_verification_review(
            party_user,
            ver,
            reasons={"monitoring_plan": "Data missing."},
            summary="Data missing.",
            now=closes,  # received on time, at the closing instant
        )

    _, errors = run_at_once(sweep, request)
    # The sweep may go first: then not_in_window is a correct answer to the request.
    assert errors[0] is None
    assert errors[1] is None or isinstance(errors[1], Conflict), errors[1]
    assert Verification.objects.get(pk=ver.pk).status in ("final", "under_review")
