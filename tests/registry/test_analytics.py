"""Statistics against a hand-counted history made through the real workflow under time travel:
every figure below is counted by hand from the dates in ``history``."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from determinations import issuance
from determinations import verification as vwf
from determinations import workflow as dwf
from fees import services as fee_services
from projects import workflow as wf
from projects.models import Project, User
from registry import analytics
from reviews import workflow as rwf
from reviews.models import JiscMember, Review
from tests.factories import PartyFactory, UserFactory, pdf_upload
from tests.support import FINDINGS, Cycle, at

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2011, 6, 1, 12, tzinfo=UTC)
REASONS = {"additionality": "The investment analysis ignores the 2009 tariff increase."}


class History:
    def __init__(self, traveller, secretariat):
        self.traveller = traveller
        self.secretariat = secretariat

    def publish_pdd(self, cyc: Cycle, when: dt.datetime, **overrides) -> Project:
        self.traveller.move_to(when)
        return cyc.open(**overrides)

    def publish_determination(self, cyc: Cycle, project: Project, when: dt.datetime) -> Project:
        """Comments close, the AIE files a positive determination, the fee is paid and the
        secretariat publishes it: available on ``when``'s date."""
        self.traveller.move_to(when)
        wf.close_comments(project.pk, project.comments_close_at + dt.timedelta(seconds=1))
        project = Project.objects.get(pk=project.pk)
        dwf.submit_determination(cyc.aie_user, project, findings=dict(FINDINGS), outcome="positive")
        if fee_services.determination_fee_record(project).status == "due":
            fee_services.pay_balance(self.secretariat, project, reference="BANK")
        dwf.check_determination(self.secretariat, project, accept=True)
        return Project.objects.get(pk=project.pk)

    def deem_final(self, project: Project) -> None:
        assert dwf.deem_final(project.pk, project.review_window_closes_at + dt.timedelta(seconds=1))

    def verify(self, cyc: Cycle, project, when, start, end, tonnes: dict):
        """Monitoring report, verification (fee covered by the advance), publication on
        ``when``'s date and finality 15 days later."""
        self.traveller.move_to(when)
        report = vwf.submit_monitoring_report(
            cyc.participant,
            Project.objects.get(pk=project.pk),
            period_start=start,
            period_end=end,
            aie=cyc.aie_user.organisation,
            claimed=tonnes,
            report=pdf_upload(),
        )
        ver = vwf.submit_verification(
            cyc.aie_user,
            report,
            verified=tonnes,
            findings="Meters calibrated.",
            conditions_hold=True,
            conditions_reasons="No changes.",
            no_overlap_declared=True,
        )
        ver = vwf.publish_verification(self.secretariat, ver)
        assert vwf.deem_verification_final(
            ver.pk, ver.review_window_closes_at + dt.timedelta(seconds=1)
        )
        ver.refresh_from_db()
        return ver

    def issue(self, dfp, ver, when, start, end):
        self.traveller.move_to(when)
        return issuance.issue_erus(dfp, ver, blocks=[{"serial_start": start, "serial_end": end}])


@pytest.fixture
def history(participant, aie_user, other_aie_user, secretariat, ukraine, japan, party_user, scopes):
    """Six published projects (AIE A = Bureau Veritas, B = TÜV SÜD), counted by hand:

    ====  ====  ====  ============  ============  ================================  ========
    ref   host  AIE   PDD           determination  final                            days
    ====  ====  ====  ============  ============  ================================  ========
    0001  UA    A     1 Mar 2010    1 Mar 2010    14 Apr 2010 (45 days)             44
    0002  UA    A     3 May 2010    10 Jun 2010   24 Jul 2010 (45 days)             82
    0003  JP    B     1 Nov 2010    20 Dec 2010   2 Feb 2011 (one JISC request)     93
    0004  UA    A     10 Jan 2011   14 Feb 2011   16 May 2011 (Party review, confirmed)  126
    0005  UA    A     1 Apr 2011    20 May 2011   in its window on 1 Jun 2011 (one request)
    0006  JP    B     25 May 2011   —             open for comments
    ====  ====  ====  ============  ============  ================================  ========

    ERUs: 0001 verified 20,000 t (final 16 Aug 2010), issued 15,000 on 1 Sep 2010 and 5,000 on
    15 Jan 2011; 0002 verified 10,000 t (final 15 Mar 2011), none issued; 0003 verified 8,000 t
    (final 15 Mar 2011), issued 8,000 by Japan on 1 Apr 2011. Not public: a draft and a PDD
    available on 2 Jun 2011. The statistics are read at noon on 1 Jun 2011."""
    a = Cycle(participant, aie_user, secretariat, ukraine)
    b = Cycle(participant, other_aie_user, secretariat, japan)
    dfp_japan = UserFactory(username="dfp-jp", role=User.Role.PARTY, party=japan)
    with time_machine.travel(at(2010, 1, 4, 9), tick=False) as traveller:
        h = History(traveller, secretariat)
        members = []
        for code in ("DE", "FR", "BR"):
            party = PartyFactory(code=code)
            user = UserFactory(username=f"jisc-{code}", role=User.Role.JISC, party=party)
            JiscMember.objects.create(
                user=user,
                party=party,
                constituency=JiscMember.Constituency.ANNEX_I_OTHER,
                term_start=dt.date(2009, 1, 1),
                term_end=dt.date(2012, 12, 31),
            )
            members.append(user)
        m1, m2, m3 = members
        issuance.record_aau_holding(party_user, ukraine, quantity=100000)
        issuance.record_aau_holding(dfp_japan, japan, quantity=100000)

        p1 = h.publish_pdd(a, at(2010, 3, 1, 9), title="Kyiv landfill")
        p1 = h.publish_determination(a, p1, at(2010, 3, 1, 15))
        h.deem_final(p1)
        p2 = h.publish_pdd(a, at(2010, 5, 3, 9), title="Odesa wind")
        p2 = h.publish_determination(a, p2, at(2010, 6, 10, 9))
        h.deem_final(p2)
        v1 = h.verify(
            a, p1, at(2010, 8, 2, 9), dt.date(2010, 1, 1), dt.date(2010, 6, 30), {2010: 20000}
        )
        h.issue(party_user, v1, at(2010, 9, 1, 9), 1, 15000)
        p3 = h.publish_pdd(b, at(2010, 11, 1, 9), title="Hokkaido wind")
        p3 = h.publish_determination(b, p3, at(2010, 12, 20, 9))
        traveller.move_to(at(2010, 12, 21, 9))
        rwf.request_review(m1, p3, reasons=REASONS, summary="Additionality doubtful.")
        p4 = h.publish_pdd(a, at(2011, 1, 10, 9), title="Lviv cement")
        v1.refresh_from_db()
        h.issue(party_user, v1, at(2011, 1, 15, 9), 15001, 20000)
        h.deem_final(Project.objects.get(pk=p3.pk))
        p4 = h.publish_determination(a, p4, at(2011, 2, 14, 9))
        traveller.move_to(at(2011, 2, 20, 9))
        rwf.request_review(party_user, p4, reasons=REASONS, summary="Additionality doubtful.")
        review = Review.objects.get(project=p4)
        rwf.appoint_team(secretariat, review, members=[m2, m3], lead=m2)
        rwf.file_report(m2, review, recommendation="confirmed", report="Additionality shown.")
        h.verify(
            a, p2, at(2011, 3, 1, 9), dt.date(2010, 7, 1), dt.date(2010, 12, 31), {2010: 10000}
        )
        v3 = h.verify(
            b, p3, at(2011, 3, 1, 10), dt.date(2010, 1, 1), dt.date(2010, 12, 31), {2010: 8000}
        )
        p5 = h.publish_pdd(a, at(2011, 4, 1, 9), title="Kharkiv heat")
        h.issue(dfp_japan, v3, at(2011, 4, 1, 10), 500001, 508000)
        traveller.move_to(at(2011, 5, 16, 10))
        rwf.decide(secretariat, review, decision="confirmed", reasons="Additionality shown.")
        p5 = h.publish_determination(a, p5, at(2011, 5, 20, 9))
        traveller.move_to(at(2011, 5, 25, 9))
        rwf.request_review(m1, p5, reasons=REASONS, summary="Baseline doubtful.")
        b.open(title="Sapporo biomass")
        traveller.move_to(at(2011, 6, 1, 9))
        a.draft(title="Hidden draft")
        a.open(available_on=dt.date(2011, 6, 2), title="Tomorrow")
        traveller.move_to(NOW)
        yield traveller


BY_STATUS = [
    {"status": "open_for_comments", "status_label": "Open for comments", "projects": 1},
    {"status": "determination_published", "status_label": "Determination published", "projects": 1},
    {"status": "final", "status_label": "Determination final", "projects": 4},
]
BY_PARTY = [
    {"host_party_code": "UA", "host_party": "Ukraine", "projects": 4},
    {"host_party_code": "JP", "host_party": "Japan", "projects": 2},
]


def spread_row(key, value, n, mn, q1, med, q3, mx) -> dict:
    return {
        key: value,
        "projects": n,
        "min_days": mn,
        "q1_days": q1,
        "median_days": med,
        "q3_days": q3,
        "max_days": mx,
    }


def test_statistics_match_the_hand_counts(history):
    assert analytics.projects_by_status() == BY_STATUS
    assert analytics.projects_by_host_party() == BY_PARTY
    assert sorted(analytics.final_durations()) == [
        (2010, "Bureau Veritas Certification", 44),
        (2010, "Bureau Veritas Certification", 82),
        (2011, "Bureau Veritas Certification", 126),
        (2011, "TÜV SÜD", 93),
    ]
    by_year, by_aie = analytics.time_to_final(analytics.final_durations())
    assert by_year == [
        spread_row("year", 2010, 2, 44, 53.5, 63, 72.5, 82),
        spread_row("year", 2011, 2, 93, 101.25, 109.5, 117.75, 126),
    ]
    assert by_aie == [
        spread_row("aie", "Bureau Veritas Certification", 3, 44, 63, 82, 104, 126),
        spread_row("aie", "TÜV SÜD", 1, 93, 93, 93, 93, 93),
    ]
    rows = analytics.review_requests()
    assert [{k: str(v) for k, v in r.items()} for r in rows] == [
        {
            "year": "2010",
            "published": "3",
            "window_closed": "3",
            "with_requests": "1",
            "share_percent": "33.3",
        },
        # 0005's window is still open but it has a request: whether a review was requested is
        # known, so it counts (a review in progress is never shown as 0 %).
        {
            "year": "2011",
            "published": "2",
            "window_closed": "2",
            "with_requests": "2",
            "share_percent": "100.0",
        },
    ]
    assert analytics.erus_by_year_and_host_party() == [
        {
            "year": 2010,
            "host_party_code": "UA",
            "host_party": "Ukraine",
            "verified": 20000,
            "issued": 15000,
        },
        {
            "year": 2011,
            "host_party_code": "JP",
            "host_party": "Japan",
            "verified": 8000,
            "issued": 8000,
        },
        {
            "year": 2011,
            "host_party_code": "UA",
            "host_party": "Ukraine",
            "verified": 10000,
            "issued": 5000,
        },
    ]
    assert analytics.aau_conversions_by_host_party() == [
        {"host_party_code": "JP", "host_party": "Japan", "conversions": 1, "aaus_converted": 8000},
        {
            "host_party_code": "UA",
            "host_party": "Ukraine",
            "conversions": 2,
            "aaus_converted": 20000,
        },
    ]


def csv_of(client, name) -> list[list[str]]:
    response = client.get(f"/statistics/{name}.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["X-Data-Dictionary-Version"] == "1.3"
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_statistics_csvs(history, client):
    assert csv_of(client, "projects-by-status") == [
        ["status", "status_label", "projects"],
        ["open_for_comments", "Open for comments", "1"],
        ["determination_published", "Determination published", "1"],
        ["final", "Determination final", "4"],
    ]
    assert csv_of(client, "projects-by-host-party") == [
        ["host_party_code", "host_party", "projects"],
        ["UA", "Ukraine", "4"],
        ["JP", "Japan", "2"],
    ]
    header = ["projects", "min_days", "q1_days", "median_days", "q3_days", "max_days"]
    assert csv_of(client, "time-to-final-by-year") == [
        ["year", *header],
        ["2010", "2", "44", "53.5", "63", "72.5", "82"],
        ["2011", "2", "93", "101.25", "109.5", "117.75", "126"],
    ]
    assert csv_of(client, "time-to-final-by-aie") == [
        ["aie", *header],
        ["Bureau Veritas Certification", "3", "44", "63", "82", "104", "126"],
        ["TÜV SÜD", "1", "93", "93", "93", "93", "93"],
    ]
    assert csv_of(client, "review-requests") == [
        ["year", "published", "window_closed", "with_requests", "share_percent"],
        ["2010", "3", "3", "1", "33.3"],
        ["2011", "2", "2", "2", "100.0"],
    ]
    assert csv_of(client, "erus-by-year-and-host-party") == [
        ["year", "host_party_code", "host_party", "verified", "issued"],
        ["2010", "UA", "Ukraine", "20000", "15000"],
        ["2011", "JP", "Japan", "8000", "8000"],
        ["2011", "UA", "Ukraine", "10000", "5000"],
    ]
    assert csv_of(client, "projects-and-erus-by-track") == [
        ["track", "track_label", "projects", "verified", "issued"],
        ["1", "Track 1", "0", "0", "0"],
        ["2", "Track 2", "6", "38000", "28000"],
    ]
    assert csv_of(client, "erus-by-year-and-track") == [
        ["year", "track1_verified", "track1_issued", "track2_verified", "track2_issued"],
        ["2010", "0", "0", "20000", "15000"],
        ["2011", "0", "0", "18000", "13000"],
    ]
    assert csv_of(client, "aau-conversions-by-host-party") == [
        ["host_party_code", "host_party", "conversions", "aaus_converted"],
        ["JP", "Japan", "1", "8000"],
        ["UA", "Ukraine", "2", "20000"],
    ]


def test_statistics_page_has_a_chart_table_and_csv_link_per_table(history, client):
    response = client.get("/statistics/")
    assert response.status_code == 200
    text = response.content.decode()
    main = text.split('<main id="main"', 1)[1]
    assert "<script" not in main
    assert main.count("<svg") == len(analytics.TABLES) == 9
    assert main.count('<table class="table stat-table">') == 9
    for name in analytics.TABLES:
        assert f'href="/statistics/{name}.csv"' in main
    # Figures as in the tables.
    assert "<td>TÜV SÜD</td>" in main
    assert '<td class="num">101.25</td>' in main
    assert '<td class="num">20,000</td>' in main
    assert "33.3 % (1 of 3)" in main  # the bar's label on the review-request chart
    assert 'aria-label="Published projects by status. Open for comments: 1; ' in main


def test_statistics_page_query_count_is_constant(
    history, client, django_assert_max_num_queries, settings
):
    settings.PAGE_CACHE_SECONDS = 0  # what rendering it costs (the cache answers with none)
    with django_assert_max_num_queries(10):
        assert client.get("/statistics/").status_code == 200
    with CaptureQueriesContext(connection) as busy:
        client.get("/statistics/")
    for name in analytics.TABLES:
        # the track summary: the projects per track, and the two ERU queries
        with django_assert_max_num_queries(3 if name == "projects-and-erus-by-track" else 2):
            b"".join(client.get(f"/statistics/{name}.csv").streaming_content)
    assert len(busy.captured_queries) == 8


def test_statistics_page_without_data(client, db, settings):
    settings.PAGE_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as quiet:
        response = client.get("/statistics/")
    assert response.status_code == 200
    assert len(quiet.captured_queries) == 8  # the same as with the history above
    assert response.content.decode().count("No data yet, so there is no chart.") == 9


def test_unknown_statistics_table_is_404(client, db):
    assert client.get("/statistics/invoices.csv").status_code == 404


def test_quartiles_interpolate_between_ranks():
    assert analytics.spread([44, 82, 126]) == analytics.Spread(3, 44, 63, 82, 104, 126)
    assert analytics.spread([7]) == analytics.Spread(1, 7, 7, 7, 7, 7)
    s = analytics.spread([1, 2, 3, 4])
    assert (s.q1, s.median, s.q3) == (1.75, 2.5, 3.25)


def test_chart_labels_are_escaped():
    svg = analytics.bar_chart("Parties <b>", [("<script>x</script>", [3])])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.startswith('<svg class="stat-chart bar-chart"')
