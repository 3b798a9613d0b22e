"""A programme of activities end to end in Debian's Chromium (Playwright): monitored, verified
and credited per component.

The programme's participants (its coordinating entity) include three components from the
project page and submit a monitoring report for each from the component's page (those of
components 1 and 2 cover the same months); the AIE verifies each report, the secretariat
publishes each verification (their PoA-rate fees are covered by the advance), the 15 days pass,
the host's focal point issues ERUs for each; anyone sees each component's ERUs on its page.

Screenshots go to test-artifacts/e2e-poa-components/.
"""

import datetime as dt
import shutil
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Sum

from determinations.models import MonitoringReport, Verification
from projects.models import ComponentActivity
from registry import clock
from tests.factories import pdf_bytes
from tests.support import ARTIFACTS, Actor

SHOTS = ARTIFACTS / "e2e-poa-components"

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_pdfs")]

D = dt.date
# component: (title, location, included on, monitoring period, tonnes, first ERU serial)
COMPONENTS = {
    1: (
        "Solar water heaters, Lviv",
        "Lviv oblast",
        "2009-01-01",
        ("2009-03-01", "2009-12-31"),
        4000,
        1,
    ),
    2: (
        "Biogas digesters, Poltava",
        "Poltava oblast",
        "2009-02-01",
        ("2009-03-01", "2009-12-31"),
        6000,
        10001,
    ),
    3: (
        "Efficient street lighting, Rivne",
        "Rivne",
        "2009-06-01",
        ("2009-06-01", "2009-11-30"),
        2500,
        20001,
    ),
}


class PoaActor(Actor):
    shots = SHOTS


@pytest.mark.django_db(transaction=True)
def test_a_programme_is_credited_per_component_in_the_browser(
    browser, live_server, cycle, party_user, tmp_path
):
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    base = live_server.url
    project = cycle.final(poa=True, crediting_start=D(2009, 1, 1))
    key = project.key

    # The coordinating entity includes three components from the project page.
    pp = PoaActor(browser, base, cycle.participant.username)
    for number, (title, location, included_on, _period, tonnes, _serial) in COMPONENTS.items():
        page = pp.go(f"/projects/{key}/")
        with page.expect_navigation():
            page.get_by_role("link", name="Include a component").click()
        page.fill("input[name=title]", title)
        page.fill("input[name=location]", location)
        page.fill("[name=description]", f"Component {number} of the programme.")
        page.fill("input[name=included_on]", included_on)
        page.fill("input[name=expected_annual_reductions]", str(tonnes))
        if number == 1:
            pp.shot("01-include-form")
        pp.submit()
        assert page.url.endswith(f"/projects/{key}/components/{number}/"), page.url
    pp.shot("02-component-included")
    page = pp.go(f"/projects/{key}/")
    panel = page.locator("#components").inner_text()
    assert "Component activities (3)" in panel
    for number, (title, *_rest) in COMPONENTS.items():
        assert f"{key}-CPA-{number:03d}" in panel and title in panel
    pp.shot("03-project-page-components")

    # A monitoring report per component, from the component's page (1 and 2 overlap in time).
    for number, (_title, _location, _included, (start, end), tonnes, _serial) in COMPONENTS.items():
        pdf = tmp_path / f"monitoring-report-cpa-{number}.pdf"
        pdf.write_bytes(pdf_bytes(f"monitoring report of component {number}"))
        page = pp.go(f"/projects/{key}/components/{number}/")
        with page.expect_navigation():
            page.get_by_role("link", name="Submit a monitoring report for this component").click()
        assert page.locator("select[name=component]").input_value() == str(number)
        page.fill("input[name=period_start]", start)
        page.fill("input[name=period_end]", end)
        page.select_option("select[name=aie]", str(cycle.aie_user.organisation.pk))
        page.fill("[name=claimed]", f"2009: {tonnes}")
        page.set_input_files("input[name=report]", str(pdf))
        if number == 2:
            pp.shot("04-monitoring-report-form")
        pp.submit()
    pp.shot("05-monitoring-reports-submitted")
    pp.close()
    reports = {
        r.component.number: r
        for r in MonitoringReport.objects.filter(project=project).select_related("component")
    }
    assert sorted(reports) == [1, 2, 3]
    assert reports[1].period_start == reports[2].period_start == D(2009, 3, 1)

    # The AIE verifies each report.
    aie = PoaActor(browser, base, cycle.aie_user.username)
    for number, report in sorted(reports.items()):
        tonnes = COMPONENTS[number][4]
        page = aie.go(f"/monitoring/{report.pk}/verify/")
        assert f"(component {key}-CPA-{number:03d})" in page.locator("h1").inner_text()
        page.fill("[name=verified]", f"2009: {tonnes}")
        page.fill("[name=findings]", "Meters read on site; data checked against the logbooks.")
        page.check("input[name=conditions_hold][value=yes]")
        page.fill("[name=conditions_reasons]", "Nothing changed since the determination.")
        page.check("input[name=no_overlap_declared]")
        aie.submit()
    aie.shot("06-verifications-filed")
    aie.close()
    vers = {
        v.monitoring_report.component.number: v
        for v in Verification.objects.filter(project=project).select_related(
            "monitoring_report__component"
        )
    }
    # ji-rules §5: a programme pays USD 0.10/t on all reductions; the advance covers them.
    fees = {f.number: f for f in project.fees.filter(kind="verification")}
    for number, ver in vers.items():
        assert fees[ver.number].amount_usd == Decimal(COMPONENTS[number][4]) / 10
        assert fees[ver.number].settled

    # The secretariat publishes each verification.
    sec = PoaActor(browser, base, cycle.secretariat.username)
    for ver in vers.values():
        sec.go(f"/projects/{key}/verifications/{ver.number}/publish/")
        sec.submit()
    sec.shot("07-verifications-published")
    sec.close()
    last = max(
        Verification.objects.filter(project=project).values_list(
            "review_window_closes_at", flat=True
        )
    )
    assert set(Verification.objects.values_list("status", flat=True)) == {"published"}

    # The 15 days pass; the host's focal point issues the ERUs of each component.
    with time_machine.travel(last + dt.timedelta(minutes=1), tick=True):
        clock.enforce_deadlines()
        assert set(Verification.objects.values_list("status", flat=True)) == {"final"}
        dfp = PoaActor(browser, base, party_user.username)
        page = dfp.go("/parties/UA/issuance/")
        page.fill("input[name=quantity]", "100000")
        dfp.submit()
        for number, ver in sorted(vers.items()):
            tonnes, serial = COMPONENTS[number][4], COMPONENTS[number][5]
            page = dfp.go(f"/projects/{key}/verifications/{ver.number}/issue/")
            assert f"(component {key}-CPA-{number:03d})" in page.locator("h1").inner_text()
            page.fill("[name=blocks]", f"{serial}-{serial + tonnes - 1}")
            dfp.submit()
        dfp.shot("08-erus-issued")
        dfp.close()

        # Anyone sees each component's ERUs on its page, and the programme's per component.
        anon = PoaActor(browser, base)
        for number, (title, _location, _included, _period, tonnes, serial) in COMPONENTS.items():
            page = anon.go(f"/projects/{key}/components/{number}/")
            text = page.locator("main").inner_text()
            assert title in text
            assert f"{serial}–{serial + tonnes - 1}" in text, text
            assert f"ERUs issued\n{tonnes:,}" in text, text
            anon.shot(f"09-component-{number}-public")
        page = anon.go(f"/projects/{key}/monitoring/")
        rows = page.locator("#components tbody tr").all_inner_texts()
        assert [row.split("\t")[-1].strip() for row in rows] == ["4,000", "6,000", "2,500"]
        anon.shot("10-monitoring-per-component")
        page = anon.go(f"/projects/{key}/")
        panel = page.locator("#components").inner_text()
        assert "4,000" in panel and "6,000" in panel and "2,500" in panel
        anon.shot("11-project-page-public")
        anon.close()

    issued = {
        c.number: c.erus_issued
        for c in ComponentActivity.objects.filter(project=project).annotate(
            erus_issued=Sum("monitoring__verification__erus_issued")
        )
    }
    assert issued == {1: 4000, 2: 6000, 3: 2500}
