"""``generate_registry`` (issue 13, "Registry scale"): a large deterministic registry for the
benchmarks — every status, every registry section with rows, the same rows for the same
arguments, a long-history project, nothing due when it is written, and never into a database
that already holds projects. Small sizes here (60 projects, one long history of 2,000 events)."""

import hashlib
import io
import json
from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError, call_command
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Count, Min, Q
from django.utils import timezone

from determinations import issuance
from determinations.models import (
    AauLedgerEntry,
    Determination,
    EruBlock,
    EruIssuance,
    MonitoringReport,
    Verification,
)
from projects import search
from projects.models import (
    Accreditation,
    Comment,
    Document,
    Engagement,
    Event,
    ExpectedReduction,
    LetterOfApproval,
    Organisation,
    Party,
    Project,
    User,
)
from registry.clock import enforce_deadlines
from registry.generate import MAX_PROJECTS
from registry.section_defs import SECTIONS
from registry.sections import section_counts
from reviews.models import JiscMember, Review, ReviewRequest, ReviewTeamMember

pytestmark = pytest.mark.django_db

S = Project.Status
PROJECTS = 60
SEED = 7


def generate(*args: str, projects: int = PROJECTS, seed: int = SEED) -> str:
    out = io.StringIO()
    call_command(
        "generate_registry", "--projects", str(projects), "--seed", str(seed), *args, stdout=out
    )
    return out.getvalue()


# Every table the command writes, in an order that deletes them (PROTECT foreign keys last).
WRITTEN = (
    Event,
    AauLedgerEntry,
    EruBlock,
    EruIssuance,
    ReviewTeamMember,
    ReviewRequest,
    Review,
    Verification,
    MonitoringReport,
    Determination,
    LetterOfApproval,
    Comment,
    Engagement,
    ExpectedReduction,
    Document,
    Project,
    JiscMember,
    Accreditation,
    User,
    Organisation,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (*WRITTEN, Party)}


def empty_registry() -> None:
    """TRUNCATE (a DELETE FROM on SQLite): the logs refuse DELETE (append-only triggers)."""
    tables = [model._meta.db_table for model in WRITTEN]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # the deferred foreign-key checks of the test's rows
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sql in connection.ops.sql_flush(no_style(), tables, allow_cascade=True):
            cursor.execute(sql)


# Keys of event data that hold a row's id, and the row's model.
DATA_IDS = {
    "comment_id": Comment,
    "document_id": Document,
    "aie_id": Organisation,
    "review": Review,
}


def digest() -> str:
    """The rows of Project, Event, Comment, Document and Verification (and the projects'
    participants), with every id counted from its table's first: equal for equal rows written
    into an emptied database whatever ids the database hands out."""
    first = {}

    def rel(model, value):
        if value is None:
            return None
        if model not in first:
            first[model] = model.objects.aggregate(first=Min("pk"))["first"] or 0
        return value - first[model]

    through = Project.participants.through
    out = hashlib.sha256()
    for model in (Project, Event, Comment, Document, Verification, through):
        fields = model._meta.concrete_fields
        for values in model.objects.order_by("pk").values_list(*(f.attname for f in fields)):
            row = []
            for f, value in zip(fields, values, strict=True):
                if f.primary_key:
                    value = rel(model, value)
                elif f.is_relation:
                    value = rel(f.related_model, value)
                elif f.name == "data":
                    value = {
                        k: rel(DATA_IDS[k], v) if k in DATA_IDS else v for k, v in value.items()
                    }
                row.append(value)
            out.update(json.dumps(row, sort_keys=True, default=str).encode())
    return out.hexdigest()


# --- what is written --------------------------------------------------------------------------


def test_generate_registry_writes_every_status_and_fills_every_registry_section():
    output = generate()

    assert set(Project.objects.values_list("status", flat=True)) == set(S.values)
    assert Project.objects.count() == PROJECTS
    counts_by_section = section_counts()
    assert set(counts_by_section) == set(SECTIONS)
    assert all(counts_by_section.values()), counts_by_section
    assert "generate_registry: 60 projects" in output
    # references in order of publication, from 0001 on, and only for published projects
    published = list(
        Project.objects.filter(reference__isnull=False)
        .order_by("reference")
        .values_list("reference", "pdd_available_on", "status")
    )
    assert [r for r, _, _ in published] == [f"{n:04d}" for n in range(1, len(published) + 1)]
    days = [day for _, day, _ in published]
    assert days == sorted(days)
    unpublished = Project.objects.filter(reference__isnull=True)
    assert set(unpublished.values_list("status", flat=True)) <= {
        S.DRAFT,
        S.ENGAGED,
        S.PDD_SUBMITTED,
        S.WITHDRAWN,
    }
    assert not unpublished.filter(pdd_available_on__isnull=False).exists()
    # dates from 2006 on, nothing after today
    today = timezone.localdate()
    assert min(days) >= date(2006, 1, 1)
    assert not Event.objects.filter(created_at__date__gte=today).exists()
    # 1-4 participants, 1-2 scopes, a PDD, expected reductions; text search sees participants
    shape = Project.objects.annotate(
        n_participants=Count("participants", distinct=True),
        n_scopes=Count("sectoral_scopes", distinct=True),
        n_pdds=Count("documents", filter=Q(documents__kind="pdd"), distinct=True),
        n_years=Count("expected", distinct=True),
    )
    for p in shape:
        assert 1 <= p.n_participants <= 4 and 1 <= p.n_scopes <= 2, p
        assert p.n_pdds >= 1 and p.n_years >= 1, p
    for project in Project.objects.filter(reference__in=["0002", "0003", "0004"]):
        name = project.participants.order_by("name")[0].name
        assert project in search.matching(Project.objects.all(), name)
        assert project in search.matching(Project.objects.all(), project.title)


def test_generate_registry_keeps_the_records_invariants():
    """ji-rules §8 on the generated record, as ``test_record_invariants`` checks the acts'."""
    generate()

    for project in Project.objects.all():
        status = ""
        for from_status, to_status in (
            project.events.exclude(to_status="")
            .order_by("created_at", "pk")
            .values_list("from_status", "to_status")
        ):
            assert from_status == status, (project, from_status, status)
            status = to_status
        assert status == project.status, project
    for project in Project.objects.filter(status__in=[S.FINAL, S.REJECTED, S.TERMINATED]):
        det = project.determinations.get()
        review = Review.objects.filter(determination=det).first()
        assert det.available_on is not None and project.final_on is not None
        if project.status == S.REJECTED:
            assert det.status == "rejected"
            assert det.outcome == "negative" or review.decision == "rejected"
        else:
            assert det.status == "final" and det.outcome == "positive"
            assert project.approvals.filter(
                party=project.host_party, confirmed_at__isnull=False
            ).exists()
    for report in MonitoringReport.objects.select_related("verification"):
        ver = getattr(report, "verification", None)
        assert (report.status == "final") == (ver is not None and ver.status == "final")
    for block in EruBlock.objects.select_related("issuance__verification"):
        assert block.issuance.verification.status == "final"
    for ver in Verification.objects.all():
        assert ver.erus_issued <= ver.verified_total
    for party in Party.objects.filter(aau_ledger__isnull=False).distinct():
        assert all(balance >= 0 for balance in issuance.aau_balances(party).values())
    for project in Project.objects.filter(reference__isnull=False)[:20]:
        for row in issuance.reconciliation(project):
            assert row["issued"] <= row["verified"], (project, row)


def test_generate_registry_is_deterministic():
    generate()
    first = digest()
    empty_registry()
    generate()
    assert digest() == first

    empty_registry()
    generate(seed=SEED + 1)
    assert digest() != first


def test_generate_registry_leaves_nothing_due_for_the_clock():
    generate()
    now = timezone.now()

    assert not Project.objects.filter(due_at__lte=now).exists()
    assert not Verification.objects.filter(due_at__lte=now).exists()
    # open windows there are: comment periods, 45-day and 15-day periods
    assert Project.objects.filter(status=S.OPEN_FOR_COMMENTS, due_at__gt=now).exists()
    assert Project.objects.filter(status=S.DETERMINATION_PUBLISHED, due_at__gt=now).exists()
    assert Verification.objects.filter(status="published", due_at__gt=now).exists()
    assert set(enforce_deadlines().values()) == {0}
    assert set(enforce_deadlines(now).values()) == {0}


def test_generate_registry_writes_a_long_history_project_with_the_most_events():
    output = generate()

    most = Project.objects.annotate(n=Count("events")).order_by("-n")
    long = most[0]
    assert f"long-history projects (1 of 1 wanted): {long.reference}" in output
    assert long.status == S.FINAL
    assert long.events.count() == 2000
    assert long.comments.count() == 500
    assert long.documents.count() == 50
    assert long.verifications.count() == 20
    assert long.monitoring.count() == 20
    assert most[1].n < 200


def test_generate_registry_sizes_the_long_history_from_its_options():
    generate(
        "--long-events",
        "300",
        "--long-comments",
        "40",
        "--long-documents",
        "12",
        "--long-verifications",
        "4",
        projects=12,
    )

    long = Project.objects.annotate(n=Count("events")).order_by("-n")[0]
    assert (long.n, long.comments.count(), long.documents.count()) == (300, 40, 12)
    assert long.verifications.count() == 4


def test_generate_registry_takes_today_from_its_option():
    generate("--today", "2019-05-20", projects=20)

    assert not Event.objects.filter(created_at__gte=datetime(2019, 5, 20, tzinfo=UTC)).exists()
    assert Project.objects.filter(pdd_available_on__gte=date(2019, 4, 20)).exists()
    assert Verification.objects.filter(due_at__gt=datetime(2019, 5, 20, tzinfo=UTC)).exists()


# --- refusals -------------------------------------------------------------------------------------


def test_generate_registry_refuses_a_database_that_holds_projects():
    generate(projects=12)
    before = counts()

    with pytest.raises(CommandError, match="already holds 12 project"):
        generate()
    assert counts() == before


@pytest.mark.parametrize(
    "args",
    [
        ("--projects", "0"),
        ("--projects", str(MAX_PROJECTS + 1)),
        ("--projects", "5", "--today", "2026-02-30"),
        ("--projects", "5", "--today", "1999-01-01"),
        ("--projects", "5", "--windows", "-1"),
        ("--projects", "5", "--long-documents", "10"),
    ],
)
def test_generate_registry_checks_its_arguments(args):
    before = counts()

    with pytest.raises(CommandError):
        call_command("generate_registry", *args, stdout=io.StringIO())
    assert counts() == before


# --- the site on the generated data ---------------------------------------------------------------


def test_the_site_answers_on_the_generated_registry(client):
    generate()
    long = Project.objects.annotate(n=Count("events")).order_by("-n")[0]
    typical = Project.objects.filter(status=S.FINAL).exclude(pk=long.pk).order_by("reference")[0]
    section = next(iter(SECTIONS))

    for path in (
        "/",
        "/registry/",
        f"/registry/{section}/",
        "/registry/verifications-open/",
        "/projects/",
        "/projects/?q=gas",
        f"/projects/{typical.reference}/",
        f"/projects/{long.reference}/",
        f"/projects/{long.reference}/monitoring/",
        "/api/projects/",
        f"/api/projects/{long.reference}/",
        "/statistics/",
        "/calendar.ics",
        "/feeds/",
    ):
        assert client.get(path).status_code == 200, path
