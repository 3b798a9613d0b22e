"""Registry fixtures: a project with a history on fixed days, for the pages that show the past
(issue 6), and many published projects for the list pages."""

import datetime as dt
from datetime import UTC

import pytest
import time_machine
from django.utils import timezone

from determinations import issuance
from determinations import verification as vwf
from determinations import workflow as dwf
from fees import services as fee_services
from projects import deadlines
from projects import workflow as wf
from projects.models import Project, SectoralScope
from tests.support import at

D = dt.date

# The findings of the history's determination.
FINDINGS = {
    "approval": (True, "Letters of approval from Ukraine on file."),
    "additionality": (True, "Investment analysis shows the project is not the baseline."),
    "baseline_monitoring": (True, "Baseline and monitoring plan follow appendix B."),
    "environmental": (True, "EIA under Ukrainian law reviewed; no significant impacts."),
}


def on(y, m, d, h=10):
    """Travel to 10:00 UTC (or hour ``h``) of that day, the clock standing still."""
    return time_machine.travel(at(y, m, d, h), tick=False)


@pytest.fixture
def history(cycle, party_user, submit_report, verify):
    """A project walked through 2011-2012 on fixed days:
    1 Mar 2011 PDD published (comments until 30 Mar 17:00); 5 Mar comment answered;
    10 Mar answer revised; 31 Mar comments closed; 4 Apr determination submitted (fee paid);
    6 Apr published (window until 20 May 17:00); 21 May final; 2012: verification 1
    published 10 Mar, final 25 Mar, 30,000 ERUs issued 2 Apr."""
    with on(2011, 3, 1):
        project = cycle.open(crediting_start=D(2009, 1, 1))
    with on(2011, 3, 5):
        comment = wf.add_comment(
            project,
            name="Olena",
            affiliation="Ecoclub",
            category="stakeholder",
            email="olena@example.org",
            text="How is leakage monitored?",
        )
        wf.answer_comment(cycle.aie_user, comment, "First answer.")
    with on(2011, 3, 10):
        wf.answer_comment(cycle.aie_user, comment, "Revised answer.")
    with on(2011, 3, 31):
        wf.close_comments(project.pk, dt.datetime(2011, 3, 31, 10, tzinfo=UTC))
    with on(2011, 4, 4):
        project = Project.objects.get(pk=project.pk)
        dwf.submit_determination(
            cycle.aie_user, project, findings=dict(FINDINGS), outcome="positive"
        )
        fee = fee_services.determination_fee_record(project)
        if fee.status == "due":
            fee_services.pay_balance(cycle.secretariat, project, reference="BANK-1")
    with on(2011, 4, 6):
        dwf.check_determination(cycle.secretariat, project, accept=True)
    with on(2011, 5, 21):
        dwf.deem_final(project.pk, dt.datetime(2011, 5, 21, 10, tzinfo=UTC))
    with on(2012, 2, 1):
        report = submit_report(project, D(2011, 1, 1), D(2011, 12, 31), {2011: 30000})
        ver = verify(report, {2011: 30000})
        fee = project.fees.get(kind="verification", number=ver.number)
        if fee.status == "due":
            invoice = fee.invoices.get()
            fee_services.record_payment(
                cycle.secretariat, invoice, amount=invoice.balance_usd, reference="V1"
            )
    with on(2012, 3, 10):
        ver = vwf.publish_verification(cycle.secretariat, ver)
    with on(2012, 3, 25):
        vwf.deem_verification_final(ver.pk, dt.datetime(2012, 3, 25, 10, tzinfo=UTC))
    with on(2012, 4, 2):
        issuance.record_aau_holding(party_user, project.host_party, quantity=100000)
        ver.refresh_from_db()
        issuance.issue_erus(party_user, ver, blocks=[{"serial_start": 1, "serial_end": 30000}])
    return Project.objects.get(pk=project.pk)


@pytest.fixture
def publish_many(ukraine, scopes, pp_org, aie_org):
    """Write ``n`` public projects in ``status`` straight to the database (list fixtures only;
    status changes under test go through the workflow)."""

    def make(n: int, status: str, start: int = 1) -> list[Project]:
        today = timezone.localdate()
        projects = []
        for i in range(start, start + n):
            available = today - dt.timedelta(days=1)
            project = Project.objects.create(
                title=f"Published project {i:02d}",
                reference=f"{i:04d}",
                host_party=ukraine,
                aie=aie_org,
                status=status,
                pdd_available_on=available,
                comments_close_at=deadlines.comments_close_at(available),
                determination_available_on=available if status != "open_for_comments" else None,
                review_window_closes_at=deadlines.review_window_closes_at(available)
                if status != "open_for_comments"
                else None,
                final_on=today if status == "final" else None,
                expected_annual_reductions=50000,
            )
            project.participants.add(pp_org)
            project.sectoral_scopes.add(SectoralScope.objects.get(number=1))
            projects.append(project)
        return projects

    return make
