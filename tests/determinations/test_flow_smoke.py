import datetime as dt
from decimal import Decimal

import pytest

from determinations import issuance
from determinations import verification as vwf
from fees import services as fee_services
from jitrack.errors import Conflict

pytestmark = pytest.mark.django_db


def test_monitoring_to_eru_issuance(final_project, submit_report, verify, cycle, party_user):
    project = final_project
    report = submit_report(
        project, dt.date(2009, 7, 1), dt.date(2010, 6, 30), {2009: 25000, 2010: 25000}
    )
    with pytest.raises(Conflict) as err:
        submit_report(project, dt.date(2010, 6, 1), dt.date(2010, 12, 31), {2010: 1})
    assert err.value.code == "period_overlap"
    ver = verify(report, {2009: 24000, 2010: 25000})
    fee = ver.project.fees.get(kind="verification")
    # 2009: 15,000 x 0.10 + 9,000 x 0.20 = 3,300; 2010: 1,500 + 2,000 = 3,500 -> 6,800.
    # The 8,500 advance is credited against 2009 (the first year) only: 3,300.
    assert (fee.amount_usd, fee.credit_usd) == (Decimal("6800.00"), Decimal("3300.00"))
    with pytest.raises(Conflict):
        vwf.publish_verification(cycle.secretariat, ver)
    fee_services.record_payment(
        cycle.secretariat, fee.invoices.get(), amount="3500.00", reference="V1"
    )
    ver = vwf.publish_verification(cycle.secretariat, ver)
    assert vwf.deem_verification_final(
        ver.pk, ver.review_window_closes_at + dt.timedelta(seconds=1)
    )
    ver.refresh_from_db()
    assert ver.status == "final"
    issuance.record_aau_holding(party_user, project.host_party, quantity=100000)
    with pytest.raises(Conflict) as err:
        issuance.issue_erus(party_user, ver, blocks=[{"serial_start": 1, "serial_end": 49001}])
    assert err.value.code == "exceeds_verified"
    iss = issuance.issue_erus(party_user, ver, blocks=[{"serial_start": 1001, "serial_end": 50000}])
    assert iss.quantity == 49000
    assert issuance.aau_balance(project.host_party) == 51000
    head = issuance.transfer(party_user, iss.blocks.get(), quantity=1000, account="PP account 1")
    assert (head.serial_start, head.serial_end) == (1001, 2000)
    rec = issuance.reconciliation(project)
    assert rec[1] == {
        "year": 2009,
        "expected": 50000,
        "claimed": 25000,
        "verified": 24000,
        "issued": 24000,
    }
