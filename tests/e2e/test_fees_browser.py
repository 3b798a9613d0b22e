"""The fee pages end to end in Debian's Chromium, driven by Playwright.

1. The secretariat records a part payment of the determination fee, is refused publication
   while the fee is partly paid, records the rest and publishes the determination.
2. A project participant downloads the invoice PDF; an AIE cannot see the invoice.
3. An anonymous visitor uses the public fee calculator.

Screenshots go to test-artifacts/e2e-fees/ (test-artifacts/e2e/ is wiped by the determination
cycle test).
"""

import io
import shutil
from decimal import Decimal

import pytest
from pypdf import PdfReader

from fees.models import FeeAssessment, Invoice, Payment
from projects.models import Project
from tests.support import ARTIFACTS, Actor

SHOTS = ARTIFACTS / "e2e-fees"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def _fresh_shots():
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    SHOTS.mkdir(parents=True)


class FeeActor(Actor):
    shots = SHOTS

    def post(self, form_selector):
        """Submit a form that may be refused: wait for the page and return the response."""
        with self.page.expect_navigation() as nav:
            self.page.locator(f"{form_selector} button[type=submit]").last.click()
        return nav.value

    def flash(self):
        return self.page.locator(".messages").inner_text()


PAY_FORM = "form[action$='/pay/']"


def _pay(actor, amount, reference):
    page = actor.page
    page.fill(f"{PAY_FORM} input[name=amount_usd]", amount)
    page.fill(f"{PAY_FORM} input[name=reference]", reference)
    return actor.post(PAY_FORM)


@pytest.mark.django_db(transaction=True)
def test_secretariat_records_part_payments_then_publishes(browser, live_server, cycle):
    project = cycle.determination_submitted()
    assert project.reference == "0001"
    invoice = Invoice.objects.get(project=project)
    number = invoice.number
    assert invoice.amount_usd == Decimal("8500.00")

    sec = FeeActor(browser, live_server.url, "secretariat")
    page = sec.go("/fees/")
    row = page.locator("tr", has=page.locator(f"a:text-is('{number}')"))
    assert row.count() == 1
    row_text = row.inner_text()
    assert "USD 8,500.00" in row_text
    assert "Issued" in row_text
    sec.shot("01-secretariat-fees-home")

    with page.expect_navigation():
        row.locator(f"a:text-is('{number}')").click()
    assert page.url.endswith(f"/fees/invoices/{number}/")
    assert page.get_by_role("heading", name="Record a payment").is_visible()
    assert page.get_by_test_id("balance").inner_text() == "USD 8,500.00"
    sec.shot("02-invoice-issued")

    # An invalid amount is refused on the form and records nothing.
    response = _pay(sec, "0", "UBS-2026-0000")
    assert response.status == 400
    errors = page.locator(f"{PAY_FORM} .field.has-error")
    assert errors.count() == 1
    assert errors.locator("input[name=amount_usd]").count() == 1
    assert "greater than or equal to 0.01" in errors.inner_text()
    assert Payment.objects.count() == 0
    sec.shot("03-invoice-invalid-amount")
    response = _pay(sec, "", "UBS-2026-0000")
    assert response.status == 400
    assert "This field is required" in page.locator(f"{PAY_FORM} .field.has-error").inner_text()
    assert Payment.objects.count() == 0
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_usd) == ("issued", Decimal("0.00"))

    # A part payment.
    response = _pay(sec, "5000.00", "UBS-2026-0001")
    assert response.status == 200 and page.url.endswith(f"/fees/invoices/{number}/")
    assert "Payment of USD 5,000.00 recorded." in sec.flash()
    assert page.get_by_test_id("balance").inner_text() == "USD 3,500.00"
    assert page.locator("h1 .badge").inner_text() == "Partly paid"
    assert "UBS-2026-0001" in page.locator("section[aria-labelledby=h-pay]").inner_text()
    sec.shot("04-invoice-partly-paid")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_usd) == ("partly_paid", Decimal("5000.00"))

    # Publishing is refused while the fee is partly paid.
    page = sec.go(f"/projects/{project.key}/determination/check/")
    page.check("input[name=decision][value=accept]")
    response = sec.post("main form")
    assert response.status == 409
    assert page.get_by_text("The determination fee is not paid yet").is_visible()
    sec.shot("05-check-refused-fee-unpaid")
    assert Project.objects.get(pk=project.pk).status == "determination_submitted"

    # The rest, with another bank reference.
    page = sec.go(f"/fees/invoices/{number}/")
    response = _pay(sec, "3500.00", "UBS-2026-0002")
    assert response.status == 200 and page.url.endswith(f"/fees/invoices/{number}/")
    assert "Payment of USD 3,500.00 recorded." in sec.flash()
    assert page.locator("h1 .badge").inner_text() == "Paid"
    assert page.get_by_test_id("balance").inner_text() == "USD 0.00"
    sec.shot("06-invoice-paid")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_usd) == ("paid", Decimal("8500.00"))
    assert sorted(invoice.payments.values_list("reference", "amount_usd")) == [
        ("UBS-2026-0001", Decimal("5000.00")),
        ("UBS-2026-0002", Decimal("3500.00")),
    ]
    assert FeeAssessment.objects.get(project=project, kind="determination").status == "paid"

    # Now the check publishes.
    page = sec.go(f"/projects/{project.key}/determination/check/")
    assert "Paid" in page.locator("section[aria-labelledby=h-fee]").inner_text()
    page.check("input[name=decision][value=accept]")
    sec.submit()
    assert page.url.endswith(f"/projects/{project.key}/")
    assert "Determination published" in sec.flash()
    assert (
        page.locator(".project-head .badge:not(.badge-track2)").inner_text()
        == "Determination published"
    )
    sec.shot("07-project-determination-published")
    sec.close()
    assert Project.objects.get(pk=project.pk).status == "determination_published"


@pytest.mark.django_db(transaction=True)
def test_participant_downloads_the_invoice_pdf(browser, live_server, cycle):
    project = cycle.determination_submitted()
    number = Invoice.objects.get(project=project).number

    pp = FeeActor(browser, live_server.url, "participant")
    page = pp.go("/fees/")
    assert page.get_by_role("heading", name="Your invoices").is_visible()
    row = page.locator("tr", has=page.locator(f"a:text-is('{number}')"))
    assert "USD 8,500.00" in row.inner_text()
    pp.shot("11-participant-fees-home")

    with page.expect_navigation():
        row.locator(f"a[href$='/projects/{project.key}/fee/']").click()
    assert page.get_by_role("heading", name="Fees assessed").is_visible()
    assert (
        "Determination fee (advance)"
        in page.locator("section[aria-labelledby=h-assess]").inner_text()
    )
    pp.shot("12-participant-project-fees")

    with page.expect_navigation():
        page.locator(f"section[aria-labelledby=h-inv] a:text-is('{number}')").click()
    assert page.url.endswith(f"/fees/invoices/{number}/")
    assert page.locator(PAY_FORM).count() == 0  # participants do not record payments
    pp.shot("13-participant-invoice")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename == f"{number}.pdf"
    download.save_as(SHOTS / download.suggested_filename)
    body = (SHOTS / download.suggested_filename).read_bytes()
    assert body[:5] == b"%PDF-"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert number in text
    assert "8,500.00" in text
    pp.close()

    aie = FeeActor(browser, live_server.url, "aie")
    for path in (f"/fees/invoices/{number}/", f"/fees/invoices/{number}/pdf/"):
        response = aie.page.goto(f"{live_server.url}{path}")
        assert response.status == 404, (path, response.status)
    aie.shot("14-aie-invoice-404")
    aie.close()


@pytest.mark.django_db(transaction=True)
def test_anonymous_fee_calculator(browser, live_server):
    public = FeeActor(browser, live_server.url)
    page = public.go("/fees/calculator/")
    assert page.locator("[data-testid=fee-total]").count() == 0
    page.check("input[name=kind][value=determination]")
    page.fill("input[name=expected_annual_reductions]", "100000")
    public.submit("main form")
    assert page.get_by_test_id("fee-total").inner_text() == "USD 18,500.00"
    lines = page.locator("#result tbody tr")
    assert lines.count() == 2
    assert [c.split("\t") for c in lines.all_inner_texts()] == [
        ["15,000", "0.10", "USD 1,500.00"],
        ["85,000", "0.20", "USD 17,000.00"],
    ]
    public.shot("21-calculator-determination")

    page.check("input[name=kind][value=verification]")
    page.fill("input[name=reductions]", "20000")
    page.fill("input[name=already_this_year]", "10000")
    public.submit("main form")
    # 10,000 t already verified in the year leave 5,000 t of the first tier:
    # 5,000 t x 0.10 + 15,000 t x 0.20 = USD 3,500.00 (USD 2,500.00 would ignore them).
    assert page.get_by_test_id("fee-total").inner_text() == "USD 3,500.00"
    assert [c.split("\t") for c in page.locator("#result tbody tr").all_inner_texts()] == [
        ["5,000", "0.10", "USD 500.00"],
        ["15,000", "0.20", "USD 3,000.00"],
    ]
    public.shot("22-calculator-verification")

    page.fill("input[name=reductions]", "-5")
    response = public.post("main form")
    assert response.status == 400
    field = page.locator(".field.has-error")
    assert field.count() == 1
    assert field.locator("input[name=reductions]").count() == 1
    assert "cannot be negative" in field.locator(".errorlist").inner_text()
    assert page.locator("[data-testid=fee-total]").count() == 0
    public.shot("23-calculator-negative")
    public.close()
