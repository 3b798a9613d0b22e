"""Paying in Debian's Chromium (issue 15): a participant finds what its organisation owes from
the fees page, reads how to pay, opens the invoice and its PDF; the secretariat opens any
organisation's page from its list; the page stays readable on a 390 px phone.

Screenshots go to test-artifacts/e2e-paying/.
"""

import io
import shutil

import pytest
from pypdf import PdfReader

from fees import services as fee_services
from fees.models import Invoice
from tests.support import ARTIFACTS, Actor, Cycle, add_verification_invoices

SHOTS = ARTIFACTS / "e2e-paying"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def _fresh_shots():
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    SHOTS.mkdir(parents=True)


class Payer(Actor):
    shots = SHOTS


@pytest.mark.django_db(transaction=True)
def test_participant_finds_what_it_owes_and_how_to_pay(browser, live_server, cycle, settings):
    settings.FEES_BANK_DETAILS = ("Beneficiary: UNFCCC", "IBAN: DE89 3704 0044 0532 0130 00")
    project = cycle.determination_submitted()
    add_verification_invoices(project, cycle.secretariat, 2)
    advance, first, _second = Invoice.objects.order_by("pk")
    fee_services.record_payment(cycle.secretariat, first, amount="500.00", reference="PART")

    pp = Payer(browser, live_server.url, "participant")
    page = pp.go("/fees/")
    with page.expect_navigation():
        page.get_by_role("link", name="What we owe and how to pay").click()
    assert page.url.endswith("/fees/owed/")
    assert page.get_by_role("heading", name="What Green Carbon Ltd owes").is_visible()
    assert page.get_by_test_id("owed-total").inner_text() == "USD 13,000.00"
    rows = page.get_by_test_id("owed-invoices").locator("tbody tr")
    assert rows.count() == 3
    assert "USD 2,500.00 USD 500.00 USD 0.00 USD 2,000.00" in " ".join(
        rows.nth(1).inner_text().split()
    )
    pp.shot("01-participant-owed")

    page.get_by_role("link", name="How to pay").first.click()
    assert page.url.endswith("#how-to-pay")
    bank = page.get_by_test_id("bank-details")
    assert bank.is_visible() and "DE89 3704 0044 0532 0130 00" in bank.inner_text()
    pp.shot("02-participant-how-to-pay")

    with page.expect_navigation():
        page.get_by_test_id("owed-invoices").get_by_role("link", name=advance.number).click()
    assert page.url.endswith(f"/fees/invoices/{advance.number}/")
    how = page.locator("#how-to-pay")
    assert f"quoting {advance.number} as the payment reference" in how.inner_text()
    assert page.get_by_test_id("balance").inner_text() == "USD 8,500.00"
    pp.shot("03-participant-invoice-how-to-pay")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    body = info.value.path().read_bytes()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages).split())
    assert "IBAN: DE89 3704 0044 0532 0130 00" in text
    assert f"quoting {advance.number} as the payment reference" in text
    assert "Platz der Vereinten Nationen 1" in text
    pp.close()

    phone = Payer(browser, live_server.url, "participant")
    phone.page.set_viewport_size({"width": 390, "height": 844})
    page = phone.go("/fees/owed/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    phone.shot("04-participant-owed-390px")
    phone.close()


@pytest.mark.django_db(transaction=True)
def test_secretariat_opens_an_organisation_from_the_list(
    browser, live_server, cycle, other_participant, aie_user, secretariat, ukraine
):
    cycle.determination_submitted()
    Cycle(other_participant, aie_user, secretariat, ukraine).determination_submitted(
        title="Their landfill"
    )
    sec = Payer(browser, live_server.url, "secretariat")
    page = sec.go("/fees/")
    with page.expect_navigation():
        page.get_by_role("link", name="What each organisation owes").click()
    table = page.get_by_test_id("owing")
    assert table.locator("tbody tr").count() == 2
    sec.shot("05-secretariat-owing")
    with page.expect_navigation():
        table.get_by_role("link", name="Green Carbon Ltd").click()
    assert page.get_by_role("heading", name="What Green Carbon Ltd owes").is_visible()
    assert page.get_by_test_id("owed-total").inner_text() == "USD 8,500.00"
    sec.shot("06-secretariat-owed-org")
    sec.close()
