"""Monitoring, verification and ERU issuance end to end in Debian's Chromium (Playwright).

The participant submits a monitoring report, the AIE files the verification, the secretariat
publishes it (the fee is covered by the advance), the 15 days pass, the host DFP records AAUs,
issues ERUs and transfers part of them to the account the participant recorded; an anonymous visitor sees the result.

Screenshots go to test-artifacts/e2e-verification/.
"""

import datetime as dt
import shutil

import pytest

from determinations import verification as vwf
from determinations.models import EruBlock, MonitoringReport, RegistryAccount, Verification
from tests.factories import pdf_bytes
from tests.support import ARTIFACTS, Actor

SHOTS = ARTIFACTS / "e2e-verification"

pytestmark = pytest.mark.browser


class VerActor(Actor):
    shots = SHOTS


@pytest.mark.django_db(transaction=True)
def test_monitoring_to_eru_issuance_in_the_browser(
    browser,
    live_server,
    cycle,
    party_user,
    tmp_path,
):
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    base = live_server.url
    project = cycle.final(crediting_start=dt.date(2009, 1, 1))
    change = vwf.record_change(
        cycle.participant,
        project,
        description="Second boiler added.",
        justification="Higher heat demand.",
    )
    pdf = tmp_path / "monitoring-report-2009.pdf"
    pdf.write_bytes(pdf_bytes("monitoring report 2009"))

    # The participant submits a monitoring report.
    pp = VerActor(browser, base, cycle.participant.username)
    page = pp.go(f"/projects/{project.key}/monitoring/new/")
    page.fill("input[name=period_start]", "2009-01-01")
    page.fill("input[name=period_end]", "2009-12-31")
    page.select_option("select[name=aie]", str(cycle.aie_user.organisation.pk))
    page.fill("[name=claimed]", "2009: 20000")
    page.set_input_files("input[name=report]", str(pdf))
    pp.shot("01-monitoring-report-form")
    pp.submit()
    pp.shot("02-monitoring-report-submitted")
    # It names the registry account its ERUs go to, from the monitoring page.
    page = pp.go(f"/projects/{project.key}/monitoring/")
    with page.expect_navigation():
        page.click("a[href='/registry-accounts/']")
    page.select_option("select[name=registry_party]", str(project.host_party.pk))
    page.fill("input[name=identifier]", "UA-100-1234567-0-12")
    page.fill("input[name=holder]", "Green Carbon Ltd")
    page.fill("input[name=label]", "ERU holding")
    pp.submit()
    pp.shot("02b-registry-account-recorded")
    pp.close()
    report = MonitoringReport.objects.get(project=project)

    # The AIE files the verification.
    aie = VerActor(browser, base, cycle.aie_user.username)
    page = aie.go(f"/monitoring/{report.pk}/verify/")
    assert page.get_by_text("Second boiler added.").first.is_visible()
    page.fill("[name=verified]", "2009: 20000")
    page.fill("[name=findings]", "Meters calibrated; data checked against invoices.")
    page.fill(f"[name=change_{change.pk}]", "Acceptable: the boiler is metered.")
    page.check("input[name=conditions_hold][value=yes]")
    page.fill("[name=conditions_reasons]", "The changes do not affect additionality.")
    page.check("input[name=no_overlap_declared]")
    aie.shot("03-verification-form")
    aie.submit()
    aie.shot("04-verification-filed")
    aie.close()
    ver = Verification.objects.get(project=project)
    assert ver.status == "submitted" and ver.verified_total == 20000
    change.refresh_from_db()
    assert change.addressed_in_id == ver.pk

    # The secretariat publishes: 20,000 t -> USD 2,500.00, covered by the 8,500 advance.
    sec = VerActor(browser, base, cycle.secretariat.username)
    page = sec.go(f"/projects/{project.key}/verifications/{ver.number}/publish/")
    # The check page: the report in view, a cited checklist (issue 15).
    assert page.locator("iframe.pdf-frame").count() == 1
    checklist = page.inner_text(".checklist")
    assert "Verified reductions within those claimed in the monitoring report" in checklist
    assert "(para 37)" in checklist and "ji-rules" not in page.content()
    sec.shot("05-publish-form")
    sec.submit(confirm=False)
    assert sec.asks_to_confirm()  # publication cannot be undone
    sec.shot("05b-publish-confirm")
    sec.confirm_act()
    sec.shot("06-published")
    sec.close()
    ver.refresh_from_db()
    assert ver.status == "published"

    # The 15 days pass.
    assert vwf.deem_verification_final(
        ver.pk, ver.review_window_closes_at + dt.timedelta(seconds=1)
    )
    ver.refresh_from_db()
    assert ver.status == "final"

    # The host DFP records AAUs, issues ERUs and transfers some.
    dfp = VerActor(browser, base, party_user.username)
    page = dfp.go("/parties/UA/issuance/")
    page.fill("input[name=quantity]", "100000")
    dfp.submit()
    dfp.shot("07-aau-holding-recorded")
    page = dfp.go(f"/projects/{project.key}/verifications/{ver.number}/issue/")
    page.fill("[name=blocks]", "1-20000")
    dfp.shot("08-issue-form")
    dfp.submit(confirm=False)
    assert "Issue 20,000 ERUs for" in page.content()  # it asks first
    dfp.shot("08b-issue-confirm")
    dfp.confirm_act()
    dfp.shot("09-erus-issued")
    ver.refresh_from_db()
    assert ver.erus_issued == 20000
    block = EruBlock.objects.get(issuance__verification=ver)
    page = dfp.go(f"/eru-blocks/{block.pk}/transfer/")
    page.fill("input[name=quantity]", "5000")
    account = RegistryAccount.objects.get(identifier="UA-100-1234567-0-12")
    page.select_option("select[name=account_id]", str(account.pk))
    dfp.shot("10a-transfer-form")
    dfp.submit(confirm=False)
    assert "Transfer 5,000 ERUs to UA-100-1234567-0-12?" in page.content()
    dfp.shot("10b-transfer-confirm")
    dfp.confirm_act()
    dfp.shot("10-transferred")
    dfp.close()

    # An anonymous visitor sees the final verification and the blocks.
    anon = VerActor(browser, base)
    page = anon.go(f"/projects/{project.key}/monitoring/")
    text = page.locator("main").inner_text()
    assert "Final" in text, text
    assert "1–5000" in text and "5001–20000" in text
    assert "UA-100-1234567-0-12" in text
    anon.shot("11-public-monitoring")
    anon.close()

    ver.refresh_from_db()
    assert (ver.status, ver.erus_issued) == ("final", 20000)
    blocks = list(
        EruBlock.objects.filter(issuance__verification=ver, active=True)
        .order_by("serial_start")
        .values_list("serial_start", "serial_end", "account")
    )
    assert len(blocks) == 2
    assert blocks[0] == (1, 5000, "UA-100-1234567-0-12")
    assert blocks[1][:2] == (5001, 20000)
    assert not EruBlock.objects.get(serial_start=1, serial_end=20000).active
