"""The annual fee revenue report (3/CMP.2 para 17): figures, CSV, JSON, SVG chart, access.

The data set goes through the real services (determination, verification fee, payments,
reimbursement), dated with time-machine:

* 2025-03-03: Kyiv (host Ukraine) pays its determination fee, USD 8,500.00; Osaka (host Japan)
  pays USD 4,000.00 of its USD 8,500.00 determination fee.
* 2026-02-10: Osaka pays USD 5,000.00 (USD 500.00 above the balance, owed back); Kyiv's first
  verification fee (USD 18,500.00 less the USD 8,500.00 advance = USD 10,000.00) is paid with
  USD 10,100.00 (USD 100.00 owed back, never paid: not deducted).
* 2026-02-12: Osaka's USD 500.00 is reimbursed.
"""

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from fees import report
from fees import services as fee_services
from fees.models import FeeKind, Invoice, Payment, Reimbursement
from projects.workflow import lock
from reviews.models import JiscMember
from tests.factories import PartyFactory
from tests.support import at, login

URL = "/fees/revenue/"
D = Decimal


def determination_invoice(project) -> Invoice:
    return Invoice.objects.get(project=project, kind=FeeKind.DETERMINATION, status__in=Invoice.OPEN)


@pytest.fixture
def jisc_user(jisc_user, japan):
    """A JISC member serving now: the report is for the serving members (3/CMP.2 para 17)."""
    JiscMember.objects.create(
        user=jisc_user,
        party=japan,
        constituency=JiscMember.Constituency.ANNEX_I_OTHER,
        term_start=dt.date(2000, 1, 1),
        term_end=dt.date(2099, 12, 31),
    )
    return jisc_user


@pytest.fixture
def revenue_data(cycle, secretariat, japan):
    with time_machine.travel(at(2025, 3, 3, 9), tick=False) as traveller:
        kyiv = cycle.final(title="Landfill gas capture at Kyiv")  # pays its advance in full
        osaka = cycle.determination_submitted(title="Osaka wind farm", host_party=japan)
        fee_services.record_payment(
            secretariat, determination_invoice(osaka), amount="4000.00", reference="JP-ADV-1"
        )
        traveller.move_to(at(2026, 2, 10, 9))
        osaka_invoice = Invoice.objects.get(project=osaka, kind=FeeKind.DETERMINATION)
        fee_services.record_payment(
            secretariat, osaka_invoice, amount="5000.00", reference="JP-ADV-2"
        )
        with transaction.atomic():
            fee_services.assess_verification_fee(
                lock(kyiv), number=1, actor=secretariat, reductions_by_year={2025: 100_000}
            )
        verification = Invoice.objects.get(project=kyiv, kind=FeeKind.VERIFICATION)
        assert verification.amount_usd == D("10000.00")
        fee_services.record_payment(
            secretariat, verification, amount="10100.00", reference="UA-VER-1"
        )
        traveller.move_to(at(2026, 2, 12, 9))
        refund = Reimbursement.objects.get(invoice=osaka_invoice)
        fee_services.record_reimbursement_paid(secretariat, refund, reference="REFUND-1")
    assert Reimbursement.objects.filter(status="due").get().amount_usd == D("100.00")
    return {"kyiv": kyiv, "osaka": osaka}


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def svg_of(html: str) -> str:
    match = re.search(r"<svg\b.*?</svg>", html, re.S)
    assert match, "no inline SVG"
    return match.group(0)


# --- figures ------------------------------------------------------------------------------


def test_report_totals_by_year_kind_and_party(revenue_data):
    result = report.revenue_report()
    assert [y.year for y in result.years] == [2025, 2026]
    assert [
        (r.year, r.fee_kind, r.host_party_code, r.received_usd, r.reimbursed_usd, r.net_usd)
        for r in result.rows
    ] == [
        (2025, "determination", "JP", D("4000.00"), D("0.00"), D("4000.00")),
        (2025, "determination", "UA", D("8500.00"), D("0.00"), D("8500.00")),
        (2026, "determination", "JP", D("5000.00"), D("500.00"), D("4500.00")),
        (2026, "verification", "UA", D("10100.00"), D("0.00"), D("10100.00")),
    ]
    y2025, y2026 = result.years
    assert (y2025.totals.received_usd, y2025.totals.reimbursed_usd) == (D("12500"), D("0"))
    assert y2025.totals.by_kind["determination"].net_usd == D("12500.00")
    assert y2025.totals.by_kind["verification"].net_usd == D("0.00")
    assert y2026.totals.net_usd == D("14600.00")
    assert y2026.totals.by_kind["determination"].net_usd == D("4500.00")
    assert y2026.totals.by_kind["verification"].net_usd == D("10100.00")
    assert result.totals.received_usd == D("27600.00")
    assert result.totals.reimbursed_usd == D("500.00")
    assert result.totals.net_usd == D("27100.00")
    # The report adds up to what is in the ledgers.
    received = Payment.objects.aggregate(s=Sum("amount_usd"))["s"]
    assert result.totals.received_usd == received
    assert all(isinstance(r.net_usd, Decimal) for r in result.rows)


def test_report_year_filter(revenue_data):
    only_2026 = report.revenue_report(2026, 2026)
    assert [y.year for y in only_2026.years] == [2026]
    assert only_2026.totals.net_usd == D("14600.00")
    assert [y.year for y in report.revenue_report(year_to=2025).years] == [2025]
    assert report.revenue_report(2027).empty
    assert report.revenue_years() == [2025, 2026]


def test_build_report_is_pure_and_merges_receipts_and_refunds():
    received = [
        {
            "year": 2024,
            "kind": "verification",
            "party_code": "UA",
            "party_name": "Ukraine",
            "total": D("10"),
        },
        {
            "year": 2024,
            "kind": "determination",
            "party_code": "UA",
            "party_name": "Ukraine",
            "total": D("7.5"),
        },
        {
            "year": 2024,
            "kind": "determination",
            "party_code": "BG",
            "party_name": "Bulgaria",
            "total": D("1"),
        },
    ]
    refunds = [
        {
            "year": 2024,
            "kind": "determination",
            "party_code": "UA",
            "party_name": "Ukraine",
            "total": D("2.25"),
        },
        {
            "year": 2023,
            "kind": "verification",
            "party_code": "JP",
            "party_name": "Japan",
            "total": D("3"),
        },
    ]
    result = report.build_report(received, refunds)
    assert [(r.year, r.fee_kind, r.host_party) for r in result.rows] == [
        (2023, "verification", "Japan"),
        (2024, "determination", "Bulgaria"),
        (2024, "determination", "Ukraine"),
        (2024, "verification", "Ukraine"),
    ]
    assert result.rows[0].net_usd == D("-3.00")
    assert result.rows[2].as_dict() == {
        "fee_kind": "determination",
        "host_party_code": "UA",
        "host_party": "Ukraine",
        "received_usd": "7.50",
        "reimbursed_usd": "2.25",
        "net_usd": "5.25",
    }
    assert result.totals.as_dict() == {
        "received_usd": "18.50",
        "reimbursed_usd": "5.25",
        "net_usd": "13.25",
        "by_kind": {"determination": "6.25", "verification": "7.00"},
    }
    empty = report.build_report([], [])
    assert empty.empty
    assert empty.as_dict() == {
        "years": [],
        "totals": {
            "received_usd": "0.00",
            "reimbursed_usd": "0.00",
            "net_usd": "0.00",
            "by_kind": {"determination": "0.00", "verification": "0.00"},
        },
    }


# --- CSV and JSON ---------------------------------------------------------------------------


def test_csv_exact_content(client, revenue_data, secretariat):
    response = login(client, secretariat).get(URL, {"format": "csv"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="jitrack-fee-revenue.csv"'
    assert body(response) == (
        "year,fee_kind,host_party_code,host_party,received_usd,reimbursed_usd,net_usd\r\n"
        "2025,determination,JP,Japan,4000.00,0.00,4000.00\r\n"
        "2025,determination,UA,Ukraine,8500.00,0.00,8500.00\r\n"
        "2026,determination,JP,Japan,5000.00,500.00,4500.00\r\n"
        "2026,verification,UA,Ukraine,10100.00,0.00,10100.00\r\n"
    )


def test_csv_filtered_filename_and_rows(client, revenue_data, jisc_user):
    response = login(client, jisc_user).get(
        URL, {"format": "csv", "year_from": "2026", "year_to": "2026"}
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="jitrack-fee-revenue-2026-2026.csv"'
    )
    rows = list(csv.reader(io.StringIO(body(response))))
    assert rows[0] == list(report.CSV_HEADER)
    assert [r[0] for r in rows[1:]] == ["2026", "2026"]


def test_csv_escapes_party_names_with_commas(client, cycle, secretariat):
    party = PartyFactory(code="KR", name='Korea, Republic of "South"')
    project = cycle.determination_submitted(host_party=party)
    fee_services.pay_balance(secretariat, project, reference="KR-1")
    text = body(login(client, secretariat).get(URL, {"format": "csv"}))
    rows = list(csv.reader(io.StringIO(text)))
    year = str(dt.date.today().year)
    assert rows[1] == [year, "determination", "KR", party.name, "8500.00", "0.00", "8500.00"]


def test_json_exact_content(client, revenue_data, secretariat):
    response = login(client, secretariat).get(URL, {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "years": [
            {
                "year": 2025,
                "rows": [
                    {
                        "fee_kind": "determination",
                        "host_party_code": "JP",
                        "host_party": "Japan",
                        "received_usd": "4000.00",
                        "reimbursed_usd": "0.00",
                        "net_usd": "4000.00",
                    },
                    {
                        "fee_kind": "determination",
                        "host_party_code": "UA",
                        "host_party": "Ukraine",
                        "received_usd": "8500.00",
                        "reimbursed_usd": "0.00",
                        "net_usd": "8500.00",
                    },
                ],
                "totals": {
                    "received_usd": "12500.00",
                    "reimbursed_usd": "0.00",
                    "net_usd": "12500.00",
                    "by_kind": {"determination": "12500.00", "verification": "0.00"},
                },
            },
            {
                "year": 2026,
                "rows": [
                    {
                        "fee_kind": "determination",
                        "host_party_code": "JP",
                        "host_party": "Japan",
                        "received_usd": "5000.00",
                        "reimbursed_usd": "500.00",
                        "net_usd": "4500.00",
                    },
                    {
                        "fee_kind": "verification",
                        "host_party_code": "UA",
                        "host_party": "Ukraine",
                        "received_usd": "10100.00",
                        "reimbursed_usd": "0.00",
                        "net_usd": "10100.00",
                    },
                ],
                "totals": {
                    "received_usd": "15100.00",
                    "reimbursed_usd": "500.00",
                    "net_usd": "14600.00",
                    "by_kind": {"determination": "4500.00", "verification": "10100.00"},
                },
            },
        ],
        "totals": {
            "received_usd": "27600.00",
            "reimbursed_usd": "500.00",
            "net_usd": "27100.00",
            "by_kind": {"determination": "17000.00", "verification": "10100.00"},
        },
    }


def test_json_filtered_to_one_year(client, revenue_data, jisc_user):
    data = (
        login(client, jisc_user)
        .get(URL, {"format": "json", "year_from": "2025", "year_to": "2025"})
        .json()
    )
    assert [y["year"] for y in data["years"]] == [2025]
    assert data["totals"]["net_usd"] == "12500.00"


# --- HTML page and chart -------------------------------------------------------------------


def test_page_tables_chart_and_links(client, revenue_data, jisc_user):
    response = login(client, jisc_user).get(URL)
    assert response.status_code == 200
    html = body(response)
    assert "Revenue of a calendar year is the fee payments received" in html
    assert 'id="h-year-2025"' in html and 'id="h-year-2026"' in html
    assert "USD 8,500.00" in html and "USD 27,100.00" in html and "USD 14,600.00" in html
    assert "Total 2026" in html
    assert 'href="/fees/revenue/?format=csv"' in html
    assert 'href="/fees/revenue/?format=json"' in html
    assert "Download CSV" in html
    svg = svg_of(html)
    assert 'role="img"' in svg
    assert "aria-label=" in svg and "<title>" in svg
    assert svg.count('class="bar"') == 2
    assert 'data-year="2025"' in svg and 'data-year="2026"' in svg
    assert "2026: USD 14,600.00" in svg
    assert "Determination fee (advance)" in svg and "Verification fee" in svg
    assert "<script" not in html.split("</head>", 1)[1]


def test_page_links_keep_the_filters(client, revenue_data, secretariat):
    html = body(login(client, secretariat).get(URL, {"year_from": "2026", "year_to": "2026"}))
    assert 'href="/fees/revenue/?year_from=2026&amp;year_to=2026&amp;format=csv"' in html
    assert 'href="/fees/revenue/?year_from=2026&amp;year_to=2026&amp;format=json"' in html
    assert svg_of(html).count('class="bar"') == 1
    assert 'id="h-year-2025"' not in html
    assert 'value="2026"' in html


def test_no_data(client, secretariat, django_assert_max_num_queries):
    login(client, secretariat)
    with django_assert_max_num_queries(10):
        response = client.get(URL)
    assert response.status_code == 200
    html = body(response)
    assert "<svg" not in html
    assert "No fee revenue was recorded" in html
    assert "No payment has been recorded yet" in html
    assert body(client.get(URL, {"format": "csv"})) == (
        "year,fee_kind,host_party_code,host_party,received_usd,reimbursed_usd,net_usd\r\n"
    )
    assert client.get(URL, {"format": "json"}).json()["years"] == []


def test_negative_net_year(client, cycle, secretariat):
    """Money received in one year and mostly reimbursed the next: that year's net is negative."""
    with time_machine.travel(at(2025, 11, 20, 9), tick=False) as traveller:
        project = cycle.determination_submitted()
        invoice = determination_invoice(project)
        fee_services.record_payment(secretariat, invoice, amount="9500.00", reference="OVER-1")
        traveller.move_to(at(2026, 1, 15, 9))
        refund = Reimbursement.objects.get(invoice=invoice)
        assert refund.amount_usd == D("1000.00")
        fee_services.record_reimbursement_paid(secretariat, refund, reference="BACK-1")
    result = report.revenue_report()
    assert [(y.year, y.totals.net_usd) for y in result.years] == [
        (2025, D("9500.00")),
        (2026, D("-1000.00")),
    ]
    response = login(client, secretariat).get(URL)
    assert response.status_code == 200
    html = body(response)
    assert "USD -1,000.00" in html
    svg = svg_of(html)
    assert svg.count('class="bar"') == 2
    assert 'class="segment negative"' in svg
    assert "2026: USD -1,000.00" in svg
    assert body(client.get(URL, {"format": "csv", "year_from": "2026"})).splitlines()[1] == (
        "2026,determination,UA,Ukraine,0.00,1000.00,-1000.00"
    )


# --- the chart function ---------------------------------------------------------------------


def bars(svg: str) -> int:
    return svg.count('class="bar"')


def rect_heights(svg: str) -> list[float]:
    return [float(h) for h in re.findall(r'<rect class="segment[^"]*"[^>]*height="([\d.]+)"', svg)]


def test_chart_no_data_is_a_message():
    out = report.revenue_chart_svg([])
    assert "<svg" not in out
    assert "No fee revenue" in out


def test_chart_one_year():
    svg = str(report.revenue_chart_svg([(2026, {"determination": D("8500.00")})]))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg
    assert bars(svg) == 1
    assert "2026: USD 8,500.00" in svg
    assert ">8,500<" in svg  # the bar's value
    assert "Net revenue (USD)" in svg
    assert "<script" not in svg


def test_chart_stacks_kinds_and_draws_negative_below_zero():
    svg = str(
        report.revenue_chart_svg(
            [
                (2025, {"determination": D("1000"), "verification": D("3000")}),
                (2026, {"determination": D("-500"), "verification": D("200")}),
            ]
        )
    )
    assert bars(svg) == 2
    assert svg.count('class="segment') == 4
    assert svg.count('class="segment negative"') == 1
    zero = re.search(r'<line class="zero"[^>]*y1="([\d.]+)"', svg)
    assert zero
    negative = re.search(r'<rect class="segment negative"[^>]*y="([\d.]+)"', svg)
    assert float(negative.group(1)) == pytest.approx(float(zero.group(1)))
    assert "2026: USD -300.00" in svg


def test_chart_very_large_and_all_zero_values():
    huge = D("987654321098765.43")
    svg = str(report.revenue_chart_svg([(2030, {"verification": huge}), (2031, {})]))
    assert bars(svg) == 2
    assert "USD 987,654,321,098,765.43" in svg
    assert all(0 <= h <= report.CHART_HEIGHT for h in rect_heights(svg))
    assert re.search(r">\d[\d.,]* tn<", svg)  # compact tick labels
    zero = str(report.revenue_chart_svg([(2030, {"determination": D("0")})]))
    assert bars(zero) == 1 and "nan" not in zero.lower()


def test_chart_escapes_text():
    svg = str(report.revenue_chart_svg([(2026, {'<script>alert("x")</script>': D("10")})]))
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (D("0"), "0"),
        (D("12500"), "12,500"),
        (D("12.5"), "12.50"),
        (D("-300"), "-300"),
        (D("1500000"), "1.5 M"),
        (D("2000000000"), "2 bn"),
        (D("3400000000000"), "3.4 tn"),
    ],
)
def test_compact_usd(amount, text):
    assert report.compact_usd(amount) == text


# --- parameters -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "20x6", "2026.5", "12", "100000", "-1"])
def test_bad_year_is_400_with_message(client, secretariat, value):
    response = login(client, secretariat).get(URL, {"year_from": value})
    assert response.status_code == 400
    html = body(response)
    assert "From year" in html
    assert re.search(r"Give (the year as a whole number|a year from 1990 to 2999)", html)


def test_year_from_after_year_to_is_400(client, secretariat):
    response = login(client, secretariat).get(URL, {"year_from": "2026", "year_to": "2025"})
    assert response.status_code == 400
    assert "The first year (2026) is after the last year (2025)." in body(response)
    json_response = client.get(URL, {"year_from": "2026", "year_to": "2025", "format": "json"})
    assert json_response.status_code == 400
    assert "after the last year" in json_response.json()["detail"]
    assert client.get(URL, {"year_to": "x", "format": "csv"}).status_code == 400


def test_bad_format_is_400(client, secretariat):
    response = login(client, secretariat).get(URL, {"format": "xml"})
    assert response.status_code == 400
    assert "The format is html, csv or json." in body(response)


def test_empty_parameters_mean_no_filter(client, revenue_data, secretariat):
    response = login(client, secretariat).get(URL, {"year_from": "", "year_to": "", "format": ""})
    assert response.status_code == 200
    assert svg_of(body(response)).count('class="bar"') == 2


# --- access ---------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/fees/revenue/"
    assert client.get(URL, {"format": "csv"}).status_code == 302


def test_participant_is_refused(client, participant, revenue_data):
    response = login(client, participant).get(URL)
    assert response.status_code == 403
    assert "secretariat and the JISC" in body(response)
    assert client.get(URL, {"format": "json"}).status_code == 403
    assert client.get(URL, {"format": "csv"}).status_code == 403


def test_jisc_member_and_secretariat_may_read(client, jisc_user, secretariat):
    assert login(client, jisc_user).get(URL).status_code == 200
    assert login(client, secretariat).get(URL).status_code == 200


def test_a_former_member_or_a_jisc_user_without_a_term_may_not_read(client, jisc_user):
    """ji-rules §6: the serving members, checked at the time of the request."""
    JiscMember.objects.filter(user=jisc_user).update(term_end=dt.date.today() - dt.timedelta(1))
    assert login(client, jisc_user).get(URL).status_code == 403
    JiscMember.objects.filter(user=jisc_user).delete()
    assert login(client, jisc_user).get(URL).status_code == 403


def test_post_is_not_allowed(client, secretariat):
    assert login(client, secretariat).post(URL).status_code == 405


# --- query count ----------------------------------------------------------------------------


def counted(client, django_assert_max_num_queries, params=None) -> int:
    with django_assert_max_num_queries(10), CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params or {})
        assert response.status_code == 200
        body(response)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("fmt", ["html", "csv", "json"])
def test_query_count_is_constant(
    client, cycle, secretariat, jisc_user, japan, fmt, django_assert_max_num_queries
):
    with time_machine.travel(at(2024, 5, 6, 9), tick=False):
        first = cycle.determination_submitted()
        second = cycle.determination_submitted(host_party=japan)
        fee_services.record_payment(
            secretariat, determination_invoice(first), amount="100.00", reference="P-0"
        )
    login(client, jisc_user)
    one = counted(client, django_assert_max_num_queries, {"format": fmt})
    with time_machine.travel(at(2024, 7, 1, 9), tick=False) as traveller:
        for year in (2024, 2025, 2026):
            traveller.move_to(at(year, 7, 1, 9))
            for project in (first, second):
                invoice = Invoice.objects.get(project=project, kind=FeeKind.DETERMINATION)
                for i in range(8):
                    fee_services.record_payment(
                        secretariat,
                        invoice,
                        amount="1200.00",  # overpays at last: reimbursements due
                        reference=f"P-{project.pk}-{year}-{i}",
                    )
            for refund in Reimbursement.objects.filter(status="due")[:3]:
                fee_services.record_reimbursement_paid(secretariat, refund, reference="R")
    assert Payment.objects.count() == 49
    assert Reimbursement.objects.filter(status="paid").count() >= 3
    many = counted(client, django_assert_max_num_queries, {"format": fmt})
    assert many == one
    assert len(report.revenue_report().years) == 3


def test_chart_many_years_thins_labels():
    series = [(year, {"determination": D(1000 + year)}) for year in range(2006, 2031)]
    svg = str(report.revenue_chart_svg(series))
    assert bars(svg) == 25
    assert 'class="value"' not in svg  # too narrow: figures stay in the titles and tables
    years = re.findall(r'<text class="year"[^>]*>(\d{4})<', svg)
    assert years[0] == "2006" and 1 < len(years) < 25
    assert "2030: USD 3,030.00" in svg


def test_chart_tiny_values_keep_cent_ticks():
    svg = str(report.revenue_chart_svg([(2026, {"verification": D("0.01")})]))
    ticks = re.findall(r'<text class="tick"[^>]*>([^<]*)<', svg)
    assert ticks == ["0", "0.01"]
