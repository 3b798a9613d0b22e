"""Paying (issue 15): where fees are paid (issuer and bank details from the environment), the
balance due on invoices and credit notes (pages and PDFs), what an organisation owes
(``/fees/owed/``, ``fees.selectors.open_invoices`` / ``owed``, ``fees/_owed_panel.html``) and the
public text citing the fee provisions, never our notes.

``fee_due``: project 0001 of Green Carbon Ltd (``participant``) with its USD 8,500.00
determination invoice issued and unpaid; ``add_verification_invoices`` adds USD 2,500.00
verification invoices (less the advance credit, none while the advance is unpaid).
"""

import datetime as dt
import html as htmllib
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from fees import selectors
from fees import services as fee_services
from fees.calculator import SCHEDULES
from fees.models import Invoice
from jitrack.settings import env_lines
from projects.models import User
from tests.factories import OrganisationFactory, UserFactory
from tests.jitrack.test_settings_env import start
from tests.support import (
    add_verification_invoices,
    at,
    determination_invoice,
    html,
    login,
    queries_for,
)

pytestmark = pytest.mark.django_db

D = Decimal
ROOT = Path(__file__).resolve().parents[2]
BANK = (
    "Beneficiary: UNFCCC",
    "Bank: Test Bank AG, Bonn",
    "IBAN: DE89 3704 0044 0532 0130 00",
    "SWIFT/BIC: TESTDEFFXXX",
)


@pytest.fixture
def bank(settings):
    """Configured issuer and bank account (as the environment would set them)."""
    settings.FEES_ISSUER_NAME = "UNFCCC secretariat, Joint Implementation"
    settings.FEES_ISSUER_ADDRESS = ("Platz der Vereinten Nationen 1", "53113 Bonn", "Germany")
    settings.FEES_BANK_DETAILS = BANK
    return settings


def owed_url(org=None) -> str:
    return f"/fees/owed/{org.pk}/" if org is not None else "/fees/owed/"


def text_of(body: str) -> str:
    """A page's text with every tag as a space (``<dt>From</dt><dd>X`` reads "From X")."""
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


# --- settings from the environment ------------------------------------------------------------


def test_env_lines_reads_line_breaks_and_escaped_ones(monkeypatch):
    monkeypatch.setenv("FEES_TEST_LINES", "  Bank: X \\nIBAN: DE00\n\n SWIFT: Y ")
    assert env_lines("FEES_TEST_LINES", "default") == ("Bank: X", "IBAN: DE00", "SWIFT: Y")


def test_env_lines_default_when_unset(monkeypatch):
    monkeypatch.delenv("FEES_TEST_LINES", raising=False)
    assert env_lines("FEES_TEST_LINES", "a\nb") == ("a", "b")


@pytest.mark.parametrize("raw", ["", "   ", "\\n", "\n \n"])
def test_env_lines_blank_is_refused_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("FEES_TEST_LINES", raw)
    with pytest.raises(ImproperlyConfigured, match="FEES_TEST_LINES must not be blank"):
        env_lines("FEES_TEST_LINES", "default")


def test_settings_blank_bank_details_stop_startup(tmp_path):
    result = start(tmp_path, DEBUG="1", FEES_BANK_DETAILS=" ")
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured: FEES_BANK_DETAILS must not be blank" in last_line


def test_settings_defaults_are_the_secretariat_and_a_demo_account():
    assert settings.FEES_ISSUER_ADDRESS == (
        "Platz der Vereinten Nationen 1",
        "53113 Bonn",
        "Germany",
    )
    assert "DEMO ACCOUNT, NOT FOR PAYMENT" in settings.FEES_BANK_DETAILS[0]
    assert any(line.startswith("IBAN: ") for line in settings.FEES_BANK_DETAILS)
    assert any(line.startswith("SWIFT/BIC: ") for line in settings.FEES_BANK_DETAILS)


# --- the selector ------------------------------------------------------------------------------


def test_open_invoices_soonest_due_first_only_open_only_the_organisation(
    fee_due, cycle, other_org_cycle, secretariat, pp_org
):
    with time_machine.travel(timezone.now() - dt.timedelta(days=3)):
        earlier = determination_invoice(cycle.determination_submitted(title="Earlier"))
    add_verification_invoices(fee_due.project, secretariat, 2)
    paid, credited = Invoice.objects.filter(kind="verification").order_by("pk")
    fee_services.record_payment(secretariat, paid, amount=paid.amount_usd, reference="FULL")
    fee_services.credit_invoice(secretariat, credited, reason="Waived.")
    theirs = determination_invoice(other_org_cycle.determination_submitted(title="Theirs"))

    assert list(selectors.open_invoices(pp_org)) == [earlier, fee_due]
    assert list(selectors.open_invoices(pp_org.pk)) == [earlier, fee_due]
    assert list(selectors.open_invoices(theirs.project.participants.get())) == [theirs]


def test_open_invoices_keeps_a_partly_paid_invoice(fee_due, secretariat, pp_org):
    fee_services.record_payment(secretariat, fee_due, amount="500.00", reference="PART")
    assert [(i.number, i.balance_usd) for i in selectors.open_invoices(pp_org)] == [
        (fee_due.number, D("8000.00"))
    ]


def test_owed_totals_and_overdue_as_of_a_day(fee_due, secretariat, pp_org):
    fee_services.record_payment(secretariat, fee_due, amount="500.00", reference="PART")
    with time_machine.travel(timezone.now() + dt.timedelta(days=5)):
        add_verification_invoices(fee_due.project, secretariat, 1)
    owed = selectors.owed(pp_org, today=fee_due.due_on)
    # the USD 500.00 paid on the advance is credited against the verification fee
    assert owed.total_usd == D("8000.00") + D("2000.00")
    assert [i.is_overdue for i in owed.invoices] == [False, False]
    assert owed.overdue_count == 0
    later = selectors.owed(pp_org, today=fee_due.due_on + dt.timedelta(days=1))
    assert [i.is_overdue for i in later.invoices] == [True, False]
    assert later.overdue_count == 1


def test_owed_nothing(pp_org):
    owed = selectors.owed(pp_org)
    assert (owed.invoices, owed.total_usd, owed.overdue_count) == ([], D("0.00"), 0)


def test_organisations_owing(fee_due, other_org_cycle, secretariat, pp_org):
    theirs = determination_invoice(other_org_cycle.determination_submitted(title="Theirs"))
    fee_services.record_payment(secretariat, theirs, amount="1000.00", reference="PART")
    OrganisationFactory(name="Nothing Owed Ltd")
    rows = [
        (o.name, o.open_count, o.balance_usd, o.next_due_on)
        for o in selectors.organisations_owing()
    ]
    other = theirs.project.participants.get()
    assert sorted(rows) == sorted(
        [
            ("Green Carbon Ltd", 1, D("8500.00"), fee_due.due_on),
            (other.name, 1, D("7500.00"), theirs.due_on),
        ]
    )


# --- the "what we owe" page --------------------------------------------------------------------


def test_owed_page_lists_the_open_invoices_total_and_how_to_pay(
    fee_due, participant, secretariat, bank, client
):
    add_verification_invoices(fee_due.project, secretariat, 1)
    verification = Invoice.objects.get(kind="verification")
    fee_services.record_payment(secretariat, verification, amount="500.00", reference="PART")
    r = login(client, participant).get(owed_url())
    assert r.status_code == 200
    body = html(r)
    text = text_of(body)
    assert "What Green Carbon Ltd owes" in text
    assert "Total due: USD 10,500.00" in text
    assert "2 open invoices" in text
    for invoice in (fee_due, verification):
        assert f'href="/fees/invoices/{invoice.number}/"' in body
        assert f'href="/fees/invoices/{invoice.number}/pdf/"' in body
    # number, project, kind, issued, due, amount, paid, credited, balance due
    assert "USD 2,500.00 USD 500.00 USD 0.00 USD 2,000.00" in text
    assert "Verification fee" in text and "Determination fee (advance)" in text
    assert fee_due.project.title in text
    assert "overdue" not in text
    # how to pay
    assert 'id="how-to-pay"' in body
    for line in BANK:
        assert line in text
    assert "Platz der Vereinten Nationen 1" in text and "53113 Bonn" in text
    assert "quoting its number as the payment reference" in text
    assert "ji-rules" not in body


def test_owed_page_soonest_due_first(fee_due, cycle, participant, client):
    with time_machine.travel(timezone.now() - dt.timedelta(days=3)):
        earlier = determination_invoice(cycle.determination_submitted(title="Earlier"))
    body = html(login(client, participant).get(owed_url()))
    assert body.index(earlier.number) < body.index(fee_due.number)


def test_owed_page_flags_overdue_invoices(cycle, participant, client):
    with time_machine.travel(at(2025, 3, 3, 9), tick=False) as traveller:
        invoice = determination_invoice(cycle.determination_submitted())
        traveller.move_to(at(2025, 4, 3, 9))
        text = text_of(html(login(client, participant).get(owed_url())))
    assert invoice.due_on == dt.date(2025, 4, 2)
    assert "1 overdue" in text
    assert "2 Apr 2025 overdue" in text


def test_owed_page_without_open_invoices(fee_due, secretariat, participant, client):
    fee_services.record_payment(secretariat, fee_due, amount="8500.00", reference="FULL")
    text = text_of(html(login(client, participant).get(owed_url())))
    assert "Total due: USD 0.00" in text
    assert "Nothing is due" in text
    assert fee_due.number not in text


def test_owed_page_secretariat_lists_organisations_and_opens_any(
    fee_due, other_org_cycle, secretariat, pp_org, client
):
    theirs = determination_invoice(other_org_cycle.determination_submitted(title="Theirs"))
    other = theirs.project.participants.get()
    client = login(client, secretariat)
    body = html(client.get(owed_url()))
    text = text_of(body)
    assert "What each organisation owes" in text
    assert f'href="/fees/owed/{pp_org.pk}/"' in body
    assert f'href="/fees/owed/{other.pk}/"' in body
    assert "Green Carbon Ltd 1 USD 8,500.00" in text
    r = client.get(owed_url(other))
    assert r.status_code == 200
    assert theirs.number in html(r) and fee_due.number not in html(r)
    assert 'href="/fees/owed/"' in html(r)  # back to the list


def test_owed_page_participant_may_open_its_own_by_id(fee_due, participant, pp_org, client):
    r = login(client, participant).get(owed_url(pp_org))
    assert r.status_code == 200
    assert fee_due.number in html(r)
    assert 'href="/fees/owed/"' not in html(r)  # no list of every organisation


@pytest.mark.parametrize("who", ["other_participant", "aie_user", "party_user", "jisc_user"])
def test_owed_page_others(fee_due, pp_org, request, who, client):
    user = request.getfixturevalue(who)
    client = login(client, user)
    expected = 404 if user.role == User.Role.PARTICIPANT else 403
    assert client.get(owed_url(pp_org)).status_code == expected
    assert fee_due.number not in html(client.get(owed_url(pp_org)))
    mine = client.get(owed_url())
    assert mine.status_code == (200 if user.role == User.Role.PARTICIPANT else 403)
    assert fee_due.number not in html(mine)


def test_owed_page_anonymous_goes_to_login(fee_due, pp_org, client):
    for url in (owed_url(), owed_url(pp_org)):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_owed_page_unknown_or_not_a_participant_organisation_is_404(
    fee_due, secretariat, aie_org, client
):
    client = login(client, secretariat)
    assert client.get(f"/fees/owed/{aie_org.pk}/").status_code == 404
    for pk in (999_999, 2**63, 10**30):
        assert client.get(f"/fees/owed/{pk}/").status_code == 404, pk
    assert client.get("/fees/owed/abc/").status_code == 404


def test_owed_page_participant_without_organisation_is_refused(fee_due, client):
    lone = UserFactory(username="lone", role=User.Role.PARTICIPANT, organisation=None)
    r = login(client, lone).get(owed_url())
    assert r.status_code == 403
    assert "belongs to no organisation" in html(r)


def test_owed_page_get_only(participant, client):
    r = login(client, participant).post(owed_url())
    assert r.status_code == 405


def test_fees_home_links_the_owed_page(fee_due, participant, secretariat, client):
    assert 'href="/fees/owed/"' in html(login(client, participant).get("/fees/"))
    assert 'href="/fees/owed/"' in html(login(client, secretariat).get("/fees/"))


# --- the dashboard panel -----------------------------------------------------------------------


def test_owed_panel_lists_five_with_how_to_pay(fee_due, secretariat, pp_org):
    add_verification_invoices(fee_due.project, secretariat, 5)
    owed = selectors.owed(pp_org)
    with CaptureQueriesContext(connection) as ctx:
        body = render_to_string("fees/_owed_panel.html", {"owed": owed})
    assert len(ctx.captured_queries) == 0
    text = text_of(body)
    assert "What we owe · USD 21,000.00" in text
    assert body.count('href="/fees/invoices/') == 5
    assert f"USD 8,500.00 due by {fee_due.due_on.day}" in text
    assert f'href="/fees/owed/{pp_org.pk}/#how-to-pay"' in body
    assert "All 6 open invoices" in text


def test_owed_panel_with_nothing_due(pp_org):
    text = text_of(render_to_string("fees/_owed_panel.html", {"owed": selectors.owed(pp_org)}))
    assert "Nothing is due" in text
    assert "How to pay" not in text


# --- invoices and credit notes: where to pay and the balance due ----------------------------------


def test_invoice_page_shows_issuer_bank_details_reference_and_balance_due(
    fee_due, participant, secretariat, bank, client
):
    fee_services.record_payment(secretariat, fee_due, amount="1000.00", reference="PART")
    body = html(login(client, participant).get(f"/fees/invoices/{fee_due.number}/"))
    text = text_of(body)
    due = f"{fee_due.due_on.day} {fee_due.due_on:%b %Y}"
    assert "From UNFCCC secretariat, Joint Implementation, Platz der Vereinten Nationen 1" in text
    assert f"Payment reference {fee_due.number}" in text
    assert f"Balance due by {due} USD 7,500.00" in text
    assert f"Pay USD 7,500.00 by {due} by bank transfer in US dollars, quoting" in text
    assert f"quoting {fee_due.number} as the payment reference" in text
    for line in BANK:
        assert line in text


def test_invoice_page_of_a_paid_invoice_has_no_payment_instructions(
    fee_due, participant, secretariat, bank, client
):
    fee_services.record_payment(secretariat, fee_due, amount="8500.00", reference="FULL")
    text = text_of(html(login(client, participant).get(f"/fees/invoices/{fee_due.number}/")))
    assert "Balance due USD 0.00" in text
    assert "How to pay" not in text
    assert BANK[2] not in text


def test_invoice_pdf_carries_issuer_bank_details_reference_balance_and_citation(
    fee_due, participant, secretariat, bank, client
):
    fee_services.record_payment(secretariat, fee_due, amount="1000.00", reference="PART")
    text = pdf_text(login(client, participant).get(f"/fees/invoices/{fee_due.number}/pdf/"))
    due = f"{fee_due.due_on.day} {fee_due.due_on:%B %Y}"
    assert "Platz der Vereinten Nationen 1" in text and "53113 Bonn" in text
    assert f"Invoice number {fee_due.number}" in text
    assert f"Balance due by {due} 7,500.00" in text
    assert f"Please pay USD 7,500.00 by {due}" in text
    assert f"quoting {fee_due.number} as the payment reference" in text
    for line in BANK:
        assert line in text
    assert "JISC 18, annex 9" in text
    assert "decision 3/CMP.2, para 8" in text
    assert "ji-rules" not in text and "§" not in text


def test_verification_invoice_pdf_cites_paragraph_1_b(fee_due, secretariat, bank, client):
    add_verification_invoices(fee_due.project, secretariat, 1)
    invoice = Invoice.objects.get(kind="verification")
    text = pdf_text(login(client, secretariat).get(f"/fees/invoices/{invoice.number}/pdf/"))
    assert "version 3 (JISC 18, annex 9; revised following decision 3/CMP.2, para 8)" in text
    assert "para 1 (b)" in text
    assert "ji-rules" not in text


def test_invoice_pdf_follows_the_configured_bank_details(fee_due, participant, bank, client):
    url = f"/fees/invoices/{fee_due.number}/pdf/"
    assert "TESTDEFFXXX" in pdf_text(login(client, participant).get(url))
    bank.FEES_BANK_DETAILS = ("Bank: Other Bank", "IBAN: CH93 0076 2011 6238 5295 7")
    text = pdf_text(client.get(url))
    assert "CH93 0076 2011 6238 5295 7" in text and "TESTDEFFXXX" not in text


def test_credit_note_pdf_carries_issuer_bank_details_and_balance(
    fee_due, participant, secretariat, bank, client
):
    fee_services.record_payment(secretariat, fee_due, amount="1000.00", reference="PART")
    note = fee_services.credit_invoice(secretariat, fee_due, reason="Withdrawn.")
    text = pdf_text(login(client, participant).get(f"/fees/credit-notes/{note.number}/pdf/"))
    assert "Platz der Vereinten Nationen 1" in text
    assert "Total credited 7,500.00" in text
    assert f"Balance due on invoice {fee_due.number} 0.00" in text
    assert "Nothing is due on invoice" in text
    assert f"quoting {fee_due.number} as the payment reference" in text
    for line in BANK:
        assert line in text


# --- public text cites the provisions, not our notes ---------------------------------------------


def test_no_fee_template_cites_our_internal_notes():
    for path in sorted((ROOT / "templates" / "fees").glob("*.html")):
        assert "ji-rules" not in path.read_text(), path.name


def test_the_schedules_cite_the_provisions():
    assert SCHEDULES["v3"].citation == (
        "Provisions for the charging of fees to cover administrative costs relating to the "
        "activities of the Joint Implementation Supervisory Committee, version 3 (JISC 18, "
        "annex 9; revised following decision 3/CMP.2, para 8)"
    )
    assert SCHEDULES["v2"].citation.endswith("Supervisory Committee, version 2")


def test_calculator_cites_the_provisions(client):
    text = text_of(html(client.get("/fees/calculator/")))
    assert "Provisions for the charging of fees, version 3 (JISC 18, annex 9" in text
    assert "decision 3/CMP.2, para 8" in text
    assert "ji-rules" not in text


# --- query budgets ---------------------------------------------------------------------------------


def _invoices_for(pp_org, cycle, secretariat, count: int) -> None:
    """``count`` open invoices of the organisation: project 0001's advance, then verification
    fees of it and of a second project, some partly paid, one credited, one paid."""
    first = Invoice.objects.get()
    if count == 1:
        return
    second = cycle.determination_submitted(title="Second landfill")
    add_verification_invoices(first.project, secretariat, (count - 2) // 2)
    add_verification_invoices(second, secretariat, count - 2 - (count - 2) // 2)
    for i, invoice in enumerate(Invoice.objects.order_by("pk")[1:10]):
        fee_services.record_payment(secretariat, invoice, amount="10.00", reference=f"P{i}")
    # closed ones are not listed
    add_verification_invoices(cycle.determination_submitted(title="Third"), secretariat, 1)
    third = Invoice.objects.filter(project__title="Third").order_by("pk")
    fee_services.record_payment(secretariat, third[0], amount=third[0].amount_usd, reference="F")
    fee_services.credit_invoice(secretariat, third[1], reason="Waived.")
    assert selectors.open_invoices(pp_org).count() == count


@pytest.mark.parametrize(
    ("who", "url"),
    [("participant", "MINE"), ("secretariat", "ORG"), ("secretariat", "MINE")],
)
def test_owed_query_budget(
    fee_due,
    cycle,
    other_org_cycle,
    pp_org,
    request,
    client,
    who,
    url,
    django_assert_max_num_queries,
):
    client = login(client, request.getfixturevalue(who))
    url = owed_url(pp_org) if url == "ORG" else owed_url()
    one = queries_for(client, url)
    _invoices_for(pp_org, cycle, cycle.secretariat, 30)
    for n in range(3):  # more organisations owing, for the secretariat's list
        determination_invoice(other_org_cycle.determination_submitted(title=f"Theirs {n}"))
    many = queries_for(client, url)
    print(f"owed queries {who} {url}: {one} with 1, {many} with 30")
    assert many == one
    assert one <= 10
    with django_assert_max_num_queries(10):
        client.get(url)


def test_owed_page_shows_thirty_invoices(fee_due, cycle, participant, pp_org, client):
    _invoices_for(pp_org, cycle, cycle.secretariat, 30)
    body = html(login(client, participant).get(owed_url()))
    assert "30 open invoices" in text_of(body)
    assert body.count("download>PDF</a>") == 30
    owed = selectors.owed(pp_org)
    assert f"Total due: {owed.total_usd:,.2f}" in text_of(body).replace("USD ", "")


def test_owed_list_is_paginated_within_budget(fee_due, secretariat, client):
    orgs = [OrganisationFactory(name=f"Owing {n:02d}") for n in range(30)]
    fee_due.project.participants.add(*orgs)  # 31 organisations share the open invoice
    client = login(client, secretariat)
    first = text_of(html(client.get(owed_url())))
    assert "Page 1 of 2" in first
    assert "Green Carbon Ltd 1 USD 8,500.00" in first and "Owing 18" in first
    assert "Owing 19" not in first
    second = text_of(html(client.get(owed_url() + "?page=2")))
    assert "Owing 19 1 USD 8,500.00" in second and "Owing 29" in second
    assert queries_for(client, owed_url()) <= 10
    assert queries_for(client, owed_url() + "?page=2") <= 10


def test_owed_page_and_invoice_render_in_russian(fee_due, participant, client):
    """The pages follow the visitor's language (their strings go through gettext); the amounts
    and the bank details stay as they are."""
    client = login(client, participant)
    for url in (owed_url(), f"/fees/invoices/{fee_due.number}/"):
        r = client.get(url, HTTP_ACCEPT_LANGUAGE="ru")
        assert r.status_code == 200
        assert r["Content-Language"] == "ru"
        assert 'id="how-to-pay"' in html(r)
        assert "IBAN: DE00 0000 0000 0000 0000 00" in text_of(html(r))
