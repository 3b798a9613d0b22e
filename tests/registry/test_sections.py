"""The public registry's sections (issue 6): each section's rows, every filter, sorting,
pagination, bad input, the downloads that carry the same filters, a fixed number of queries and
the review facts that stay confidential (ji-rules §6)."""

import csv
import datetime as dt
import html
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from determinations import issuance
from determinations import verification as vwf
from determinations.models import (
    Determination,
    EruIssuance,
    MonitoringReport,
    Verification,
)
from fees import services as fee_services
from projects import deadlines
from projects.models import Document, Organisation, Party, Project, SectoralScope, User
from registry.sections import SECTIONS
from reviews.models import Review, ReviewRequest
from tests.factories import UserFactory, pdf_upload
from tests.support import at, queries_for

pytestmark = pytest.mark.django_db

D = dt.date


# --- a small registry written straight to the database (list fixtures only) -------------------


# fmt: off
# ref, title, host, AIE, scope, status, PDD available, determination available, final, outcome
PROJECTS = [
    ("0001", "Landfill gas at Kyiv", "UA", "a", 13, "open_for_comments", D(2024, 3, 1), None, None, None),
    ("0002", "Wind farm at Osaka", "JP", "b", 1, "open_for_comments", D(2024, 3, 10), None, None, None),
    ("0003", "District heating at Lviv", "UA", "a", 2, "determination_published", D(2023, 10, 1), D(2024, 2, 1), None, None),
    ("0004", "Solar park at Nagoya", "JP", "b", 1, "final", D(2023, 1, 5), D(2023, 5, 1), D(2023, 6, 14), "positive"),
    ("0005", "Coal mine methane at Donbas", "UA", "a", 10, "rejected", D(2023, 2, 1), D(2023, 6, 1), D(2023, 7, 15), "negative"),
    ("0006", "Cement plant at Mykolaiv", "UA", "a", 4, "withdrawn", D(2023, 3, 1), None, None, None),
    ("0007", "Combined heat and power at Kharkiv", "UA", "a", 1, "final", D(2022, 6, 1), D(2022, 10, 1), D(2022, 11, 14), "positive"),
    ("0009", "Biomass boiler at Poltava", "UA", "b", 1, "under_review", D(2023, 11, 1), D(2024, 2, 1), None, None),
]
# project, number, period, AIE, claimed, status, submitted, report document public
REPORTS = [
    ("0004", 1, D(2023, 7, 1), D(2023, 12, 31), "b", {"2023": 1200}, "verified", at(2024, 1, 15, 10), True),
    ("0004", 2, D(2024, 1, 1), D(2024, 3, 31), "a", {"2024": 500}, "submitted", at(2024, 4, 10, 10), True),
    ("0007", 1, D(2023, 1, 1), D(2023, 6, 30), "a", {"2023": 400}, "verified", at(2023, 7, 10, 10), True),
    ("0007", 2, D(2023, 7, 1), D(2023, 12, 31), "a", {"2023": 450}, "verified", at(2024, 1, 20, 10), True),
    # Not listed: its document is not public, and its verification is only submitted.
    ("0007", 3, D(2024, 1, 1), D(2024, 2, 29), "a", {"2024": 90}, "submitted", at(2024, 3, 5, 10), False),
    ("0008", 1, D(2024, 1, 1), D(2024, 2, 29), "a", {"2024": 1}, "submitted", at(2024, 3, 5, 10), True),
]
# project, number (of the report verified), status, verified, ERUs issued, available, final
VERIFICATIONS = [
    ("0004", 1, "final", 1000, 600, D(2024, 2, 1), D(2024, 2, 15)),
    ("0004", 2, "published", 480, 0, D(2024, 4, 20), None),
    ("0007", 1, "final", 400, 300, D(2023, 8, 1), D(2023, 8, 15)),
    ("0007", 2, "published", 450, 0, D(2024, 2, 10), None),
    ("0007", 3, "submitted", 90, 0, None, None),
]
# fmt: on


class World:
    """Eight published projects, one made available tomorrow (0008) and a draft, with
    monitoring reports, verifications, ERU issuances and reviews. AIE ``a`` is aie_org, ``b``
    other_aie_org; a review team's working papers are marked SECRET."""

    def __init__(self, ukraine, japan, a, b):
        self.ukraine, self.japan, self.a, self.b = ukraine, japan, a, b
        parties, aies = {"UA": ukraine, "JP": japan}, {"a": a, "b": b}
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        hidden = ("0008", "Not yet public", "UA", "a", 1, "open_for_comments", tomorrow)
        self.projects = {}
        for ref, title, host, aie, scope, status, pdd, det, final, outcome in [
            *PROJECTS,
            (*hidden, None, None, None),
        ]:
            self.projects[ref] = self.project(
                ref, title, parties[host], aies[aie], scope, status, pdd, det, final, outcome
            )
        Project.objects.create(title="Hidden draft", host_party=ukraine, status="draft")
        reports = {}
        for ref, number, start, end, aie, claimed, status, submitted, public in REPORTS:
            reports[ref, number] = self.report(
                self.projects[ref],
                number,
                start,
                end,
                aies[aie],
                claimed,
                status,
                submitted,
                public,
            )
        self.verifications = {
            (ref, number): self.verification(reports[ref, number], *rest)
            for ref, number, *rest in VERIFICATIONS
        }
        for key, party, quantity, when in (
            (("0004", 1), japan, 600, at(2024, 3, 1, 10)),
            (("0007", 1), ukraine, 300, at(2023, 9, 1, 10)),
        ):
            EruIssuance.objects.create(
                verification=self.verifications[key],
                party=party,
                quantity=quantity,
                recorded_at=when,
            )
        members = [self.user(f"m{i}", User.Role.JISC) for i in (1, 2, 3)]
        dfp = self.user("dfp", User.Role.PARTY)
        self.r1 = self.review(
            "0009",
            "determination",
            "reported",
            at(2024, 2, 20, 12),
            at(2024, 8, 20, 17),
            requests=[(dfp, ukraine), (members[0], None), (members[1], None)],
            recommendation="confirmed",
            report="SECRET-RREP the team's working paper",
            reported_at=at(2024, 3, 1, 9),
        )
        self.r2 = self.review(
            "0005",
            "determination",
            "decided",
            at(2023, 6, 20, 12),
            at(2023, 12, 20, 17),
            requests=[(dfp, ukraine)],
            recommendation="rejected",
            report="Decided report.",
            reported_at=at(2023, 7, 1, 9),
            decision="rejected",
            decision_reasons="The baseline is not conservative.",
            decided_at=at(2023, 7, 15, 12),
        )
        self.r3 = self.review(
            "0007",
            "verification",
            "requested",
            at(2024, 2, 15, 9),
            at(2024, 3, 16, 9),
            requests=[(m, None) for m in members],
            verification=self.verifications["0007", 2],
        )
        self.review(
            "0008",
            "determination",
            "requested",
            at(2024, 3, 1),
            at(2024, 9, 1),
            requests=[(members[2], None)],
        )

    def project(self, ref, title, host, aie, scope, status, pdd, det, final, outcome):
        project = Project.objects.create(
            reference=ref,
            title=title,
            host_party=host,
            aie=aie,
            status=status,
            pdd_available_on=pdd,
            comments_close_at=deadlines.comments_close_at(pdd),
            determination_available_on=det,
            review_window_closes_at=deadlines.review_window_closes_at(det) if det else None,
            final_on=final,
        )
        project.sectoral_scopes.add(SectoralScope.objects.get(number=scope))
        if outcome:
            Determination.objects.create(
                project=project,
                aie=aie,
                status="final" if outcome == "positive" else "rejected",
                approval_met=True,
                additionality_met=True,
                baseline_monitoring_met=True,
                environmental_met=True,
                outcome=outcome,
                available_on=det,
                final_on=final,
            )
        return project

    def report(self, project, number, start, end, aie, claimed, status, submitted_at, public):
        doc = Document.objects.create(
            project=project,
            kind="monitoring_report",
            title=f"MR {number}",
            file="mr.pdf",
            filename="mr.pdf",
            sha256="0" * 64,
            size=1,
            published_at=submitted_at if public else None,
        )
        return MonitoringReport.objects.create(
            project=project,
            number=number,
            period_start=start,
            period_end=end,
            aie=aie,
            claimed=claimed,
            status=status,
            report=doc,
            submitted_at=submitted_at,
        )

    def verification(self, report, status, verified, erus, available, final):
        return Verification.objects.create(
            project=report.project,
            number=report.number,
            monitoring_report=report,
            aie=report.aie,
            status=status,
            verified_total=verified,
            erus_issued=erus,
            findings="Checked.",
            available_on=available,
            review_window_closes_at=deadlines.period_end(available, 15) if available else None,
            final_on=final,
        )

    def user(self, username, role):
        return UserFactory(username=username, role=role, email=f"{username}@example.org")

    def review(self, ref, kind, status, requested_at, due_at, *, requests, **fields):
        project = self.projects[ref]
        review = Review.objects.create(
            project=project,
            kind=kind,
            status=status,
            requested_at=requested_at,
            due_at=due_at,
            **fields,
        )
        for user, party in requests:
            ReviewRequest.objects.create(
                kind=kind,
                project=project,
                review=review,
                verification=fields.get("verification"),
                by="party" if party else "jisc",
                requested_by=user,
                party=party,
                reasons={"additionality": "SECRET-REASONS"},
                summary="Request summary.",
                received_at=requested_at,
            )
        return review


@pytest.fixture
def world(ukraine, japan, scopes, aie_org, other_aie_org):
    return World(ukraine, japan, aie_org, other_aie_org)


def ids(response) -> list:
    """What identifies each listed row: a project's reference, else (reference, number) or,
    for reviews and issuances, (reference, kind or quantity)."""
    assert response.status_code == 200, response.content.decode()[:2000]
    out = []
    for row, project in response.context["rows"]:
        if isinstance(row, Project):
            out.append(row.reference)
        elif isinstance(row, Review):
            out.append((project.reference, row.kind))
        elif isinstance(row, EruIssuance):
            out.append((project.reference, row.quantity))
        else:
            out.append((project.reference, row.number))
    return out


# --- each section's own rows ------------------------------------------------------------------

BASE = {
    "pdds-open": ["0001", "0002"],
    "pdds": ["0002", "0001", "0009", "0003", "0006", "0005", "0004", "0007"],
    "determinations-open": ["0003"],
    "determinations-final": ["0005", "0004", "0007"],
    "monitoring": [("0004", 2), ("0007", 2), ("0004", 1), ("0007", 1)],
    "verifications-open": [("0007", 2), ("0004", 2)],
    "verifications-final": [("0004", 1), ("0007", 1)],
    "reviews": [("0009", "determination"), ("0007", "verification"), ("0005", "determination")],
    "issuance": [("0004", 600), ("0007", 300)],
}


def test_every_section_is_declared_and_tested():
    assert list(SECTIONS) == list(BASE)
    for section in SECTIONS.values():
        keys = [c.sort for c in section.columns if c.sort]
        assert sorted(keys) == sorted(section.sorts), section.slug
        assert section.default_sort.lstrip("-") in section.sorts, section.slug


@pytest.mark.parametrize("slug", list(BASE))
def test_section_lists_its_public_rows_in_its_default_order(world, client, slug):
    response = client.get(f"/registry/{slug}/")
    assert ids(response) == BASE[slug]
    text = response.content.decode()
    assert "Not yet public" not in text and "Hidden draft" not in text
    assert response.context["count"].split()[0] == str(len(BASE[slug]))


def test_index_lists_every_section_with_its_count(world, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):  # one aggregate per model
        response = client.get("/registry/")
    assert response.status_code == 200
    assert [(s.slug, n) for s, n in response.context["sections"]] == [
        (slug, len(rows)) for slug, rows in BASE.items()
    ]
    text = response.content.decode()
    for slug in BASE:
        assert f'href="/registry/{slug}/"' in text


def test_unknown_section_is_404(client, db):
    assert client.get("/registry/invoices/").status_code == 404


@pytest.mark.parametrize(
    "old, slug",
    [
        ("/projects/", "pdds"),
        ("/projects/open/", "pdds-open"),
        ("/projects/determinations/", "determinations-open"),
        ("/projects/final/", "determinations-final"),
    ],
)
def test_the_site_lists_are_sections(world, client, old, slug):
    response = client.get(f"{old}?host_party=UA")
    assert response.context["section"].slug == slug
    assert ids(response) == ids(client.get(f"/registry/{slug}/?host_party=UA"))


def test_rows_link_to_the_project_and_its_monitoring_page(world, client):
    text = client.get("/registry/verifications-final/").content.decode()
    assert 'href="/projects/0004/"' in text
    assert 'href="/projects/0004/monitoring/"' in text
    text = client.get("/registry/reviews/").content.decode()
    assert f'href="/reviews/{world.r1.pk}/"' in text and 'href="/projects/0009/"' in text
    text = client.get("/registry/pdds/").content.decode()
    assert 'href="/projects/0007/"' in text


def test_open_pdds_show_the_close_in_gmt_with_a_countdown(world, client):
    text = client.get("/registry/pdds-open/").content.decode()
    assert "30 Mar 2024 17:00 GMT" in text
    assert '<time class="countdown" datetime="2024-03-30T17:00:00Z" data-countdown>' in text


def test_final_determinations_show_the_outcome(world, client):
    response = client.get("/registry/determinations-final/")
    outcomes = [row.determination_outcome for row, _ in response.context["rows"]]
    assert outcomes == ["negative", "positive", "positive"]
    assert "Negative" in response.content.decode()


def test_review_rows_show_requesters_and_decisions(world, client):
    text = client.get("/registry/reviews/").content.decode()
    assert "Ukraine and 2 JISC members" in text
    assert "3 JISC members" in text
    assert "Team reported; awaiting the JISC decision" in text
    assert "20 Aug 2024 17:00 GMT" in text  # the legal limit
    assert re.search(r"Rejected<div class=\"meta\">15 Jul 2023</div>", text)


def test_confidential_review_facts_are_never_shown_nor_read(world, client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/registry/reviews/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "SECRET" not in text
    assert "Determination confirmed" not in text  # r1's undecided recommendation
    assert "@example.org" not in text
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    for column in (
        '"reviews_review"."report"',
        '"reviews_review"."recommendation"',
        '"reviews_reviewrequest"."reasons"',
        '"reviews_reviewrequest"."summary"',
        '"projects_user"."email"',
    ):
        assert column not in sql, column


# --- filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "slug, query, expected",
    [
        ("pdds", "q=wind", ["0002"]),
        ("pdds", "q=KYIV", ["0001"]),
        ("pdds", "q=0004", ["0004"]),
        ("pdds", "host_party=JP", ["0002", "0004"]),
        ("pdds", "host_party=jp", ["0002", "0004"]),
        ("pdds", "aie={b}", ["0002", "0009", "0004"]),
        ("pdds", "scope=1", ["0002", "0009", "0004", "0007"]),
        ("pdds", "status=withdrawn", ["0006"]),
        ("pdds", "from=2023-03-01&to=2023-11-01", ["0009", "0003", "0006"]),
        ("pdds", "host_party=UA&scope=1&q=at", ["0009", "0007"]),
        ("pdds-open", "host_party=UA", ["0001"]),
        ("pdds-open", "scope=13", ["0001"]),
        ("pdds-open", "aie={b}", ["0002"]),
        ("pdds-open", "from=2024-03-02", ["0002"]),
        ("determinations-open", "host_party=JP", []),
        ("determinations-open", "from=2024-02-01&to=2024-02-01", ["0003"]),
        ("determinations-final", "status=rejected", ["0005"]),
        ("determinations-final", "from=2023-01-01", ["0005", "0004"]),
        ("determinations-final", "to=2022-12-31", ["0007"]),
        ("determinations-final", "scope=10", ["0005"]),
        ("monitoring", "host_party=JP", [("0004", 2), ("0004", 1)]),
        # The report's own AIE: 0004's second report went to AIE a, the project's AIE is b.
        ("monitoring", "aie={a}", [("0004", 2), ("0007", 2), ("0007", 1)]),
        ("monitoring", "status=submitted", [("0004", 2)]),
        ("monitoring", "from=2024-01-16", [("0004", 2), ("0007", 2)]),
        ("monitoring", "to=2024-01-15", [("0004", 1), ("0007", 1)]),
        ("monitoring", "q=kharkiv", [("0007", 2), ("0007", 1)]),
        ("monitoring", "scope=13", []),
        ("verifications-open", "host_party=JP", [("0004", 2)]),
        ("verifications-open", "aie={b}", []),
        ("verifications-open", "from=2024-03-01", [("0004", 2)]),
        ("verifications-final", "aie={b}", [("0004", 1)]),
        ("verifications-final", "host_party=UA", [("0007", 1)]),
        ("verifications-final", "from=2024-01-01", [("0004", 1)]),
        ("reviews", "status=decided", [("0005", "determination")]),
        ("reviews", "aie={b}", [("0009", "determination")]),
        ("reviews", "from=2024-01-01", [("0009", "determination"), ("0007", "verification")]),
        ("reviews", "q=donbas", [("0005", "determination")]),
        ("issuance", "host_party=JP", [("0004", 600)]),
        ("issuance", "from=2024-01-01", [("0004", 600)]),
        ("issuance", "to=2023-12-31", [("0007", 300)]),
        ("issuance", "aie={b}", [("0004", 600)]),
        ("issuance", "q=kharkiv&scope=1", [("0007", 300)]),
    ],
)
def test_filters_narrow_the_rows(world, client, slug, query, expected):
    query = query.format(a=world.a.pk, b=world.b.pk)
    response = client.get(f"/registry/{slug}/?{query}")
    assert ids(response) == expected
    if not expected:
        assert "Nothing matches this search." in response.content.decode()


def test_selects_offer_hosts_of_public_projects_and_aies(world, client):
    response = client.get("/registry/pdds/")
    form = response.context["form"]
    assert [c for c, _ in form.fields["host_party"].choices] == ["", "JP", "UA"]
    assert [c for c, _ in form.fields["aie"].choices] == ["", str(world.a.pk), str(world.b.pk)]
    assert len(form.fields["scope"].choices) == 16
    assert "status" not in client.get("/registry/pdds-open/").context["form"].fields
    statuses = client.get("/registry/determinations-final/").context["form"].fields["status"]
    assert [c for c, _ in statuses.choices] == ["", "final", "rejected"]


# --- sorting and pagination -------------------------------------------------------------------


@pytest.mark.parametrize(
    "slug, sort, expected",
    [
        ("pdds", "reference", ["0001", "0002", "0003", "0004", "0005", "0006", "0007", "0009"]),
        ("pdds", "-reference", ["0009", "0007", "0006", "0005", "0004", "0003", "0002", "0001"]),
        ("pdds", "title", ["0009", "0006", "0005", "0007", "0003", "0001", "0004", "0002"]),
        # Ties are broken by the primary key, in the same direction.
        ("pdds", "host", ["0002", "0004", "0001", "0003", "0005", "0006", "0007", "0009"]),
        ("pdds", "-host", ["0009", "0007", "0006", "0005", "0003", "0001", "0004", "0002"]),
        ("pdds-open", "-closes", ["0002", "0001"]),
        ("determinations-final", "final", ["0007", "0004", "0005"]),
        ("monitoring", "period", [("0007", 1), ("0004", 1), ("0007", 2), ("0004", 2)]),
        ("monitoring", "-period", [("0004", 2), ("0007", 2), ("0004", 1), ("0007", 1)]),
        ("verifications-open", "-closes", [("0004", 2), ("0007", 2)]),
        ("verifications-final", "verified", [("0007", 1), ("0004", 1)]),
        ("verifications-final", "-erus", [("0004", 1), ("0007", 1)]),
        (
            "reviews",
            "due",
            [("0005", "determination"), ("0007", "verification"), ("0009", "determination")],
        ),
        ("issuance", "quantity", [("0007", 300), ("0004", 600)]),
        ("issuance", "-quantity", [("0004", 600), ("0007", 300)]),
    ],
)
def test_sort_keys_reorder(world, client, slug, sort, expected):
    assert ids(client.get(f"/registry/{slug}/?sort={sort}")) == expected


def test_column_headers_sort_and_keep_the_filters(world, client):
    response = client.get("/registry/pdds/?host_party=UA&scope=1&sort=-reference")
    text = response.content.decode()
    # The sorted column says so and links to the other direction; the others to ascending.
    assert (
        '<th scope="col" aria-sort="descending"><a href="?host_party=UA&amp;scope=1&amp;sort=reference">Ref.'
        in text
    )
    assert '<a href="?host_party=UA&amp;scope=1&amp;sort=title">Project</a>' in text
    assert text.count("aria-sort=") == 1
    response = client.get("/registry/pdds/?sort=title")
    assert (
        '<th scope="col" aria-sort="ascending"><a href="?sort=-title">Project'
        in response.content.decode()
    )


@pytest.fixture
def many_open(ukraine, japan, scopes, aie_org):
    """25 open projects in Ukraine (scope 1) and 2 in Japan."""
    available = D(2024, 1, 1)
    for i in range(1, 28):
        project = Project.objects.create(
            reference=f"{i:04d}",
            title=f"Open project {i:02d}",
            aie=aie_org,
            host_party=ukraine if i <= 25 else japan,
            status="open_for_comments",
            pdd_available_on=available,
            comments_close_at=deadlines.comments_close_at(available),
        )
        project.sectoral_scopes.add(SectoralScope.objects.get(number=1))


def test_pagination_keeps_the_filters_and_the_sort(many_open, client):
    first = client.get("/registry/pdds-open/?host_party=UA&scope=1&sort=-reference")
    assert ids(first) == [f"{i:04d}" for i in range(25, 5, -1)]
    text = first.content.decode()
    assert 'href="?host_party=UA&amp;scope=1&amp;sort=-reference&amp;page=2" rel="next"' in text
    assert "Page 1 of 2 (25 projects)" in text
    second = client.get("/registry/pdds-open/?host_party=UA&scope=1&sort=-reference&page=2")
    assert ids(second) == ["0005", "0004", "0003", "0002", "0001"]
    assert 'href="?host_party=UA&amp;scope=1&amp;sort=-reference&amp;page=1" rel="prev"' in (
        second.content.decode()
    )
    assert second.content.decode().count('class="ref">0') == 5


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "slug, query, message",
    [
        ("pdds", "host_party=ZZ", "No published project is hosted by a Party with the code ZZ."),
        ("pdds", "host_party=Ukraine", "with the code UKRAINE."),
        ("pdds", "from=2024-02-30", "Enter the date as YYYY-MM-DD"),
        ("monitoring", "to=01/03/2024", "Enter the date as YYYY-MM-DD"),
        ("pdds", "from=2024-05-01&to=2024-04-01", "The end of the date range is before its start."),
        (
            "reviews",
            "from=2024-05-01&to=2024-04-01",
            "The end of the date range is before its start.",
        ),
        ("pdds", "sort=secret", "The list cannot be sorted by secret"),
        ("issuance", "sort=status", "The list cannot be sorted by status"),
        ("pdds", "page=9", "There is no page 9: the list has 1 page."),
        ("pdds", "page=0", "There is no page 0"),
        ("pdds", "page=abc", "The page number must be a whole number."),
        ("pdds", "aie=abc", "There is no AIE with the id abc."),
        ("pdds", "aie=99999999999999999999999", "There is no AIE with the id"),
        ("verifications-final", "scope=16", "There is no sectoral scope 16 (1–15)."),
        ("pdds", "status=draft", "draft is not a status of this list."),
        ("reviews", "status=final", "final is not a status of this list."),
        ("pdds", "q=" + "x" * 101, "Ensure this value has at most 100 characters"),
    ],
)
def test_bad_input_is_a_400_with_the_reason_and_lists_nothing(world, client, slug, query, message):
    response = client.get(f"/registry/{slug}/?{query}")
    text = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert message in text
    assert "Nothing is listed: the search could not be run." in text
    assert response.context["rows"] == [] and "<table" not in text
    assert "Download CSV" not in text


def test_a_page_number_on_an_empty_list_is_still_checked(db, client):
    assert client.get("/registry/issuance/").status_code == 200
    assert "Nothing to list at the moment." in client.get("/registry/issuance/").content.decode()
    assert client.get("/registry/issuance/?page=1").status_code == 200
    assert client.get("/registry/issuance/?page=2").status_code == 400


def test_only_get_and_head(client, db):
    assert client.post("/registry/pdds/").status_code == 405
    assert client.head("/registry/pdds/").status_code == 200


# --- accessible markup, no JavaScript ---------------------------------------------------------


def test_page_is_a_plain_get_form_with_labels_and_headers(world, client):
    text = client.get("/registry/monitoring/").content.decode()
    assert '<form method="get" class="panel" role="search"' in text
    for name in ("q", "host_party", "aie", "scope", "status", "from", "to", "sort"):
        assert f'<label for="id_{name}">' in text, name
        assert f'name="{name}"' in text, name
    assert '<input type="date" name="from"' in text
    assert "<legend>Submitted</legend>" in text
    assert '<label for="id_aie">Verifying AIE</label>' in text
    assert '<th scope="col"' in text and '<th scope="row">' in text
    assert "<h1>Monitoring reports</h1>" in text
    assert "para 36" in text


def test_field_errors_are_tied_to_their_field(world, client):
    text = client.get("/registry/pdds/?from=nope").content.decode()
    assert 'aria-invalid="true"' in text
    assert 'aria-describedby="id_from_error"' in text
    assert '<div id="id_from_error">' in text
    assert '<a href="#id_from">From</a>' in text


# --- downloads carry the same filters ---------------------------------------------------------


def csv_rows(client, url) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def download_link(text: str, fmt: str = "csv") -> str:
    match = re.search(rf'href="(/opendata/[a-z]+\.{fmt}[^"]*)"', text)
    assert match, "no download link"
    return html.unescape(match.group(1))


@pytest.mark.parametrize(
    "slug, query",
    [
        ("pdds", ""),
        ("pdds", "host_party=UA&scope=1&from=2022-01-01&to=2023-12-31&sort=title"),
        ("pdds", "status=final&q=at"),
        ("pdds-open", "q=osaka"),
        ("determinations-open", ""),
        ("determinations-final", "status=final&aie={b}"),
        ("determinations-final", "from=2023-01-01&to=2023-06-30"),
    ],
)
def test_project_section_download_lists_the_same_projects(world, client, slug, query):
    response = client.get(f"/registry/{slug}/?{query.format(b=world.b.pk)}")
    link = download_link(response.content.decode())
    assert link.startswith("/opendata/projects.csv?")
    assert f"section={slug}" in link and "sort=" not in link
    listed = sorted(ids(response))
    assert listed, "the case should list something"
    assert [row[0] for row in csv_rows(client, link)[1:]] == listed
    json_link = download_link(response.content.decode(), "json")
    doc = client.get(json_link)
    assert doc.status_code == 200


def test_row_section_downloads_filter_by_project(world, client):
    text = client.get(
        f"/registry/verifications-final/?host_party=UA&aie={world.a.pk}&from=2023-01-01&sort=verified"
    ).content.decode()
    assert download_link(text) == f"/opendata/verifications.csv?host_party=UA&aie={world.a.pk}"
    assert "The downloads filter by project" in text
    assert download_link(client.get("/registry/issuance/?q=nagoya").content.decode()) == (
        "/opendata/issuances.csv?q=nagoya"
    )
    for slug in ("monitoring", "reviews"):
        assert "Download CSV" not in client.get(f"/registry/{slug}/").content.decode()


@pytest.mark.parametrize(
    "query, references",
    [
        ("section=determinations-final&from=2023-01-01", ["0004", "0005"]),
        ("section=determinations-final&status=rejected", ["0005"]),
        ("section=pdds-open", ["0001", "0002"]),
        ("section=determinations-open", ["0003"]),
        ("scope=1", ["0002", "0004", "0007", "0009"]),
        ("scope=1&host_party=JP", ["0002", "0004"]),
        # Without a section the range is on the PDD's availability date.
        ("from=2023-03-01&to=2023-11-01", ["0003", "0006", "0009"]),
        ("section=pdds&to=2023-01-05", ["0004", "0007"]),
    ],
)
def test_opendata_and_api_honour_section_scope_and_dates(world, client, query, references):
    assert [row[0] for row in csv_rows(client, f"/opendata/projects.csv?{query}")[1:]] == references
    api = client.get(f"/api/projects/?{query}&ordering=reference")
    assert api.status_code == 200
    assert [p["reference"] for p in api.json()["results"]] == references


def test_opendata_json_echoes_the_date_filters(world, client):
    response = client.get("/opendata/projects.json?section=pdds-open&to=2024-03-05&scope=13")
    doc = json.loads(b"".join(response.streaming_content))
    assert doc["filters"] == {"scope": "13", "section": "pdds-open", "to": "2024-03-05"}
    assert [r["reference"] for r in doc["rows"]] == ["0001"]
    rows = csv_rows(client, "/opendata/verifications.csv?scope=1&host_party=JP")
    assert [(r[0], r[3]) for r in rows[1:]] == [("0004", "1"), ("0004", "2")]


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2024-05-01&to=2024-04-01", "to"),
        ("from=yesterday", "from"),
        ("section=monitoring", "section"),
        ("section=nope", "section"),
        ("scope=0", "scope"),
    ],
)
def test_opendata_refuses_bad_section_and_dates(world, client, query, field):
    response = client.get(f"/opendata/projects.csv?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    api = client.get(f"/api/projects/?{query}")
    assert api.status_code == 400 and api.json()["code"] == "invalid"


def test_api_section_lists_public_projects_only(world, client, participant):
    client.force_login(participant)
    Project.objects.create(title="Our draft", host_party=world.ukraine, status="draft")
    Project.objects.filter(title="Our draft").get().participants.add(participant.organisation)
    every = [p["title"] for p in client.get("/api/projects/?page_size=100").json()["results"]]
    assert "Our draft" in every
    listed = client.get("/api/projects/?section=pdds&page_size=100").json()["results"]
    assert "Our draft" not in [p["title"] for p in listed]
    assert len(listed) == 8


# --- a fixed number of queries ----------------------------------------------------------------


def bulk(n: int, start: int) -> None:
    """``n`` rows in every section."""
    ukraine = Party.objects.get(code="UA")
    scope = SectoralScope.objects.get(number=1)
    aie = Organisation.objects.get(name="Bureau Veritas Certification")
    jisc = UserFactory(role=User.Role.JISC)
    day = D(2023, 1, 1)
    for i in range(start, start + n):

        def project(k, status, det=None, final=None):
            p = Project.objects.create(
                reference=f"{k:04d}",
                title=f"Bulk {k}",
                host_party=ukraine,
                aie=aie,
                status=status,
                pdd_available_on=day,
                comments_close_at=deadlines.comments_close_at(day),
                determination_available_on=det,
                review_window_closes_at=deadlines.review_window_closes_at(det) if det else None,
                final_on=final,
            )
            p.sectoral_scopes.add(scope)
            return p

        project(i * 10 + 1, "open_for_comments")
        window = project(i * 10 + 2, "under_review", det=day)
        project(i * 10 + 3, "determination_published", det=day)
        final = project(i * 10 + 4, "final", det=day, final=day)
        Determination.objects.create(
            project=final,
            aie=aie,
            status="final",
            approval_met=True,
            additionality_met=True,
            baseline_monitoring_met=True,
            environmental_met=True,
            outcome="positive",
            available_on=day,
            final_on=day,
        )
        reports = []
        for number in (1, 2):
            doc = Document.objects.create(
                project=final,
                kind="monitoring_report",
                title="MR",
                file="mr.pdf",
                filename="mr.pdf",
                sha256="0" * 64,
                size=1,
                published_at=timezone.now(),
            )
            reports.append(
                MonitoringReport.objects.create(
                    project=final,
                    number=number,
                    period_start=D(2023, number, 1),
                    period_end=D(2023, number, 28),
                    aie=aie,
                    claimed={"2023": 10},
                    status="verified",
                    report=doc,
                )
            )
        done = Verification.objects.create(
            project=final,
            number=1,
            monitoring_report=reports[0],
            aie=aie,
            status="final",
            verified_total=10,
            erus_issued=10,
            findings="ok",
            available_on=day,
            final_on=day,
            review_window_closes_at=deadlines.period_end(day, 15),
        )
        Verification.objects.create(
            project=final,
            number=2,
            monitoring_report=reports[1],
            aie=aie,
            status="published",
            verified_total=10,
            findings="ok",
            available_on=day,
            review_window_closes_at=deadlines.period_end(day, 15),
        )
        EruIssuance.objects.create(verification=done, party=ukraine, quantity=10)
        review = Review.objects.create(
            project=window, requested_at=timezone.now(), due_at=timezone.now()
        )
        for by, party in (("party", ukraine), ("jisc", None)):
            ReviewRequest.objects.create(
                project=window,
                review=review,
                by=by,
                party=party,
                requested_by=jisc,
                summary="s",
            )


@pytest.mark.parametrize("slug", list(BASE))
def test_query_count_is_fixed_whatever_the_rows(
    ukraine, scopes, aie_org, client, slug, django_assert_max_num_queries
):
    url = f"/registry/{slug}/?host_party=UA&scope=1&from=2000-01-01&sort=-project"
    if SECTIONS[slug].of_projects or slug == "issuance":
        url = url.replace("sort=-project", f"sort={SECTIONS[slug].default_sort}")
    bulk(1, start=1)
    # bulk() makes four published projects and two monitoring reports a round; a page holds 20.
    one, many = {"pdds": (4, 20), "monitoring": (2, 20)}.get(slug, (1, 16))
    assert len(client.get(url).context["rows"]) == one, slug
    with django_assert_max_num_queries(10):
        client.get(url)
    few = queries_for(client, url)
    bulk(15, start=2)
    assert len(client.get(url).context["rows"]) == many, slug
    assert queries_for(client, url) == few
    with django_assert_max_num_queries(10):
        client.get(url)
    with django_assert_max_num_queries(5):
        client.get("/registry/")


def test_query_count_logged_in(ukraine, scopes, aie_org, participant, client):
    client.force_login(participant)
    bulk(1, start=1)
    one = queries_for(client, "/registry/reviews/")
    bulk(15, start=2)
    assert queries_for(client, "/registry/reviews/") == one <= 10


# --- the real cycle ---------------------------------------------------------------------------


def test_a_project_moves_through_the_sections(
    cycle, participant, aie_user, secretariat, party_user, client, settings
):
    settings.PAGE_CACHE_SECONDS = 0  # the rows are read from the response's context

    def listed(slug) -> list:
        return ids(client.get(f"/registry/{slug}/"))

    opened = cycle.open(title="Kyiv landfill")
    assert listed("pdds-open") == [opened.reference]
    project = cycle.final(title="Odesa wind", crediting_start=D(2009, 1, 1))
    assert project.reference not in listed("pdds-open")
    assert listed("determinations-final") == [project.reference]
    assert (
        client.get("/registry/determinations-final/").context["rows"][0][0].determination_outcome
        == "positive"
    )
    report = vwf.submit_monitoring_report(
        participant,
        project,
        period_start=D(2009, 7, 1),
        period_end=D(2010, 6, 30),
        aie=aie_user.organisation,
        claimed={2009: 25000, 2010: 25000},
        report=pdf_upload(),
    )
    assert listed("monitoring") == [(project.reference, 1)]
    ver = vwf.submit_verification(
        aie_user,
        report,
        verified={2009: 24000, 2010: 25000},
        findings="Meters calibrated.",
        conditions_hold=True,
        conditions_reasons="No changes.",
        no_overlap_declared=True,
    )
    assert listed("verifications-open") == []  # filed, not yet public
    fee = project.fees.get(kind="verification")
    fee_services.record_payment(
        secretariat,
        fee.invoices.get(),
        amount=str(fee.amount_usd - fee.credit_usd),
        reference="V1",
    )
    ver = vwf.publish_verification(secretariat, ver)
    assert listed("verifications-open") == [(project.reference, 1)]
    vwf.deem_verification_final(ver.pk, ver.review_window_closes_at + dt.timedelta(seconds=1))
    assert listed("verifications-open") == []
    assert listed("verifications-final") == [(project.reference, 1)]
    issuance.record_aau_holding(party_user, project.host_party, quantity=100000)
    issuance.issue_erus(party_user, ver, blocks=[{"serial_start": 1, "serial_end": 49000}])
    assert listed("issuance") == [(project.reference, 49000)]
    counts = dict((s.slug, n) for s, n in client.get("/registry/").context["sections"])
    assert counts == {
        "pdds-open": 1,
        "pdds": 2,
        "determinations-open": 0,
        "determinations-final": 1,
        "monitoring": 1,
        "verifications-open": 0,
        "verifications-final": 1,
        "reviews": 0,
        "issuance": 1,
    }
