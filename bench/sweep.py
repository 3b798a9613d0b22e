"""The statutory clock at registry scale (issue 13, target 7): ``registry.clock.enforce_deadlines``.

What is measured, on a fresh database (``bench/harness.py``) holding ``--windows`` open windows
(100,000 by default: comment periods, 45-day determination windows, 15-day verification windows,
open appraisals with two seats each, reviews awaiting their decision and unanswered requests for
clarification) and ``--history`` finished records of every kind (50,000 by default; closed
appraisals, decided reviews and answered clarifications keep their past ``due_at``, so an index
that does not leave them out has to walk them):

(a) the whole clock when nothing is due: median and max of ``--runs`` sweeps, target < 50 ms;
    then ``EXPLAIN (ANALYZE, BUFFERS)`` (``EXPLAIN QUERY PLAN`` on SQLite) of every SELECT one
    sweep runs, captured with ``CaptureQueriesContext``: the buffers they touch, and the rows
    that sequential scans of the swept tables read (PostgreSQL; target <= 100: the indexes do
    the work — a scan the executor starts and stops at once, as the outer side of a hash join
    with nothing to join, reads one row);
(b) ``--due`` windows (10,000 by default, of every kind) moved into the past by UPDATEs, then
    one sweep, target < 10 s, with the CPU time of this process and the time of each app's
    sweep; each window must have been acted on exactly once: one event (or review-log row) per
    window, the reminder columns set, and the sweep's counts equal to the number moved;
(c) as many fresh windows moved due again, and ``--parallel`` sweeps started at once in separate
    processes (each with its own database connection): the same exactly-once checks, with the
    counts of all sweeps added up (a window acted on twice would count twice).

Tables are ANALYZEd after loading, as autovacuum would. Each table row says pass or FAIL; the
script exits 1 when one failed. ``--smoke`` runs 2,000 windows with 200 due and judges only
correctness. ``--profile`` prints a profile of (b).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/sweep.py
    .venv/bin/python bench/sweep.py --smoke            # SQLite in a temporary file
"""

from __future__ import annotations

import cProfile
import datetime as dt
import json
import multiprocessing
import os
import pstats
import statistics
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Bench, arguments, ms  # noqa: E402

parser = arguments(__doc__.split("\n", 1)[0])
parser.add_argument("--windows", type=int, default=100_000)
parser.add_argument("--due", type=int, default=10_000)
parser.add_argument("--history", type=int, default=None, help="finished records (windows / 2)")
parser.add_argument("--runs", type=int, default=20, help="sweeps timed with nothing due")
parser.add_argument("--parallel", type=int, default=3, help="sweeps at once in (c), 2-4")
parser.add_argument("--profile", action="store_true", help="print a profile of the sweep in (b)")
ARGS = parser.parse_args()
if ARGS.smoke:
    ARGS.windows, ARGS.due, ARGS.runs = 2_000, 200, 5
if ARGS.history is None:
    ARGS.history = ARGS.windows // 2
BENCH = Bench("sweep", ARGS)
BENCH.start()

from django.db import connection, connections, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from determinations import clock as determinations_clock  # noqa: E402
from determinations.models import (  # noqa: E402
    Determination,
    MonitoringReport,
    Verification,
)
from projects import clock as projects_clock  # noqa: E402
from projects.models import Document, Event, Organisation, Party, Project, User  # noqa: E402
from registry.clock import enforce_deadlines  # noqa: E402
from reviews import clock as reviews_clock  # noqa: E402
from reviews.models import (  # noqa: E402
    Appraisal,
    Appraiser,
    Clarification,
    Review,
    ReviewLog,
)

P = Project.Status
BATCH = 5_000
# The share of each kind of window in --windows; the due ones are taken in the same shares.
SHARES = {
    "comments": 0.45,
    "determinations": 0.35,
    "appraisals": 0.01,  # each on a determination window of its own, with two seats
    "verifications": 0.15,
    "reviews": 0.02,
    "clarifications": 0.02,  # each on a review of its own
}
SWEPT_TABLES = (
    "projects_project",
    "determinations_verification",
    "reviews_appraisal",
    "reviews_appraiser",
    "reviews_clarification",
    "reviews_review",
)
FINDINGS = {
    f"{key}_{part}": value
    for key in ("approval", "additionality", "baseline_monitoring", "environmental")
    for part, value in (("met", True), ("reasons", "Checked against the PDD and appendix B."))
}


# --- loading -------------------------------------------------------------------------------------


class Load:
    """Bulk-created rows; the ids of every kind of open window, by kind."""

    def __init__(self, now: dt.datetime):
        self.now = now
        self.host = Party.objects.get(code="UA")
        self.aie = Organisation.objects.create(name="Bench AIE", kind=Organisation.Kind.AIE)
        self.members = User.objects.bulk_create(
            User(username=f"jisc{i}", role=User.Role.JISC) for i in range(12)
        )
        User.objects.create(username="secretariat", role=User.Role.SECRETARIAT)
        self.reference = 0
        self.open: dict[str, list[int]] = {}
        self.sizes: dict[str, int] = {}

    def later(self, i: int, low_days: int) -> dt.datetime:
        """Open windows end between ``low_days`` and ``low_days + 30`` days from now."""
        return self.now + dt.timedelta(days=low_days, minutes=i % (30 * 24 * 60))

    def earlier(self, i: int) -> dt.datetime:
        return self.now - dt.timedelta(days=30, minutes=i % (5 * 365 * 24 * 60))

    def projects(self, n: int, status: str, **fields) -> list[Project]:
        """``fields`` values may be callables of the row's index."""
        out: list[Project] = []
        for start in range(0, n, BATCH):
            rows = []
            for i in range(start, min(n, start + BATCH)):
                self.reference += 1
                values = {k: (v(i) if callable(v) else v) for k, v in fields.items()}
                rows.append(
                    Project(
                        reference=f"{self.reference:04d}",
                        title=f"Bench project {self.reference}",
                        host_party=self.host,
                        aie=self.aie,
                        status=status,
                        pdd_available_on=dt.date(2009, 1, 1),
                        **values,
                    )
                )
            out += Project.objects.bulk_create(rows)
        return out

    def determinations(self, projects: list[Project], status: str) -> list[Determination]:
        return bulk(
            Determination,
            (
                Determination(
                    project=p,
                    aie=self.aie,
                    status=status,
                    outcome=Determination.Outcome.POSITIVE,
                    available_on=(p.review_window_closes_at - dt.timedelta(days=45)).date(),
                    review_window_closes_at=p.review_window_closes_at,
                    final_on=p.final_on,
                    **FINDINGS,
                )
                for p in projects
            ),
        )

    def appraisals(self, dets: list[Determination], status: str, due) -> list[Appraisal]:
        appraisals = bulk(
            Appraisal,
            (
                Appraisal(determination=d, project_id=d.project_id, status=status, due_at=due(i))
                for i, d in enumerate(dets)
            ),
        )
        filed = self.now - dt.timedelta(days=40) if status != Appraisal.Status.OPEN else None
        bulk(
            Appraiser,
            (
                Appraiser(
                    appraisal=a,
                    user=self.members[(i + seat) % len(self.members)],
                    kind=Appraiser.Kind.MEMBER,
                    filed_at=filed,
                )
                for i, a in enumerate(appraisals)
                for seat in (0, 1)
            ),
        )
        return appraisals

    def reviews(self, projects, dets, *, status: str, due, decided=None) -> list[Review]:
        return bulk(
            Review,
            (
                Review(
                    project=p,
                    determination=d,
                    status=status,
                    requested_at=self.now - dt.timedelta(days=20),
                    due_at=due(i),
                    decided_at=decided,
                    decision=Review.Decision.CONFIRMED if decided else "",
                )
                for i, (p, d) in enumerate(zip(projects, dets, strict=True))
            ),
        )

    def clarifications(self, reviews, *, due, answered=None) -> list[Clarification]:
        return bulk(
            Clarification,
            (
                Clarification(
                    review=r,
                    number=1,
                    addressed_to=Clarification.To.PARTICIPANTS,
                    questions="Explain the baseline.",
                    due_at=due(i),
                    answer="Explained." if answered else "",
                    answered_at=answered,
                )
                for i, r in enumerate(reviews)
            ),
        )

    def verifications(self, projects, *, status: str, due) -> list[Verification]:
        report = Document.objects.create(
            project=projects[0],
            kind=Document.Kind.MONITORING_REPORT,
            title="Monitoring report",
            file="bench/monitoring.pdf",
            filename="monitoring.pdf",
            sha256="0" * 64,
            size=1,
        )
        final = status == Verification.Status.FINAL
        reports = bulk(
            MonitoringReport,
            (
                MonitoringReport(
                    project=p,
                    number=1,
                    period_start=dt.date(2009, 1, 1),
                    period_end=dt.date(2009, 12, 31),
                    aie=self.aie,
                    claimed={"2009": 20000},
                    status=MonitoringReport.Status.FINAL if final else "verified",
                    report=report,
                )
                for p in projects
            ),
        )
        out = []
        for i, (p, r) in enumerate(zip(projects, reports, strict=True)):
            closes = due(i) if not final else self.earlier(i)
            out.append(
                Verification(
                    project=p,
                    number=1,
                    monitoring_report=r,
                    aie=self.aie,
                    status=status,
                    verified={"2009": 20000},
                    verified_total=20000,
                    findings="Verified against the monitoring plan.",
                    available_on=(closes - dt.timedelta(days=15)).date(),
                    review_window_closes_at=closes,
                    final_on=closes.date() if final else None,
                    due_at=None if final else closes,
                )
            )
        return bulk(Verification, out)

    def events(self, projects: list[Project]) -> None:
        """Two events per project, so the log is the size of a registry's."""
        bulk(
            Event,
            (
                Event(
                    project=p,
                    kind=kind,
                    actor_label="Imported from earlier records",
                    created_at=self.now - dt.timedelta(days=400),
                )
                for p in projects
                for kind in ("pdd_published", "project_updated")
            ),
        )


def bulk(model, rows):
    rows = list(rows)
    out = []
    for start in range(0, len(rows), BATCH):
        out += model.objects.bulk_create(rows[start : start + BATCH])
    return out


def load(now: dt.datetime) -> Load:
    n = {kind: max(1, round(ARGS.windows * share)) for kind, share in SHARES.items()}
    L = Load(now)
    with transaction.atomic():
        # Open windows, none due: comment periods …
        comments = L.projects(
            n["comments"],
            P.OPEN_FOR_COMMENTS,
            comments_close_at=lambda i: L.later(i, 1),
            due_at=lambda i: L.later(i, 1),
        )
        # … 45-day windows (with an open appraisal on some; it is due 10 days before the window
        # ends, which is more than the 3 reminder days away) …
        k = n["determinations"] + n["appraisals"]
        published = L.projects(
            k,
            P.DETERMINATION_PUBLISHED,
            determination_available_on=dt.date(2026, 1, 1),
            review_window_closes_at=lambda i: L.later(i, 15),
            due_at=lambda i: L.later(i, 15),
        )
        dets = L.determinations(published, Determination.Status.PUBLISHED)
        appraised = dets[n["determinations"] :]
        appraisals = L.appraisals(
            appraised,
            Appraisal.Status.OPEN,
            lambda i: appraised[i].review_window_closes_at - dt.timedelta(days=10),
        )
        # … 15-day windows of verifications …
        verified = L.projects(n["verifications"], P.FINAL, final_on=dt.date(2010, 3, 1))
        verifications = L.verifications(
            verified, status=Verification.Status.PUBLISHED, due=lambda i: L.later(i, 1)
        )
        # … and reviews awaiting the JISC's decision, some with a request for clarification.
        k = n["reviews"] + n["clarifications"]
        under_review = L.projects(k, P.UNDER_REVIEW, review_window_closes_at=lambda i: L.now)
        reviewed = L.determinations(under_review, Determination.Status.UNDER_REVIEW)
        reviews = L.reviews(
            under_review,
            reviewed,
            status=Review.Status.IN_PROGRESS,
            due=lambda i: L.later(i, 5),
        )
        clarifications = L.clarifications(reviews[n["reviews"] :], due=lambda i: L.later(i, 2))

        # History: final projects whose appraisals closed, reviews decided and clarifications
        # answered long ago (their due_at stays in the past), and final verifications.
        h = ARGS.history
        old = L.projects(
            h,
            P.FINAL,
            review_window_closes_at=lambda i: L.earlier(i),
            final_on=dt.date(2012, 1, 1),
        )
        old_dets = L.determinations(old, Determination.Status.FINAL)
        fifth = max(1, h // 5)
        L.appraisals(old_dets[:fifth], Appraisal.Status.CLOSED, L.earlier)
        old_reviews = L.reviews(
            old[fifth : 2 * fifth],
            old_dets[fifth : 2 * fifth],
            status=Review.Status.DECIDED,
            due=L.earlier,
            decided=now - dt.timedelta(days=20),
        )
        L.clarifications(old_reviews, due=L.earlier, answered=now - dt.timedelta(days=25))
        L.verifications(old[2 * fifth : 3 * fifth], status=Verification.Status.FINAL, due=None)
        L.events(comments + published + verified + under_review + old)

    L.open = {
        "comments": [p.pk for p in comments],
        "determinations": [d.project_id for d in dets[: n["determinations"]]],
        "appraisals": [a.pk for a in appraisals],
        "verifications": [v.pk for v in verifications],
        "reviews": [r.pk for r in reviews[: n["reviews"]]],
        "clarifications": [c.pk for c in clarifications],
    }
    L.sizes = {
        "projects": Project.objects.count(),
        "events": Event.objects.count(),
        "windows": sum(len(ids) for ids in L.open.values()),
    }
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return L


# --- making windows due --------------------------------------------------------------------------


def make_due(L: Load, due: int, now: dt.datetime) -> dict[str, int]:
    """Move ``due`` open windows of every kind (in ``SHARES``) into the past; -> what the sweep
    must count for them. Half of the appraisals' windows end (so the appraisal closes with the
    determination); the other half's appraisals fall due (so their seats are reminded)."""
    past = now - dt.timedelta(hours=1)
    take = {kind: max(1, round(due * share)) for kind, share in SHARES.items()}
    picked = {}
    for kind, k in take.items():
        picked[kind], L.open[kind] = L.open[kind][:k], L.open[kind][k:]
    closing, reminded = picked["appraisals"][::2], picked["appraisals"][1::2]
    closing_projects = list(
        Appraisal.objects.filter(pk__in=closing).values_list("project_id", flat=True)
    )
    with transaction.atomic():
        for ids in chunks(picked["comments"]):
            Project.objects.filter(pk__in=ids).update(comments_close_at=past, due_at=past)
        for ids in chunks(picked["determinations"] + closing_projects):
            Project.objects.filter(pk__in=ids).update(review_window_closes_at=past, due_at=past)
        for ids in chunks(reminded):
            Appraisal.objects.filter(pk__in=ids).update(due_at=past)
        for ids in chunks(picked["verifications"]):
            Verification.objects.filter(pk__in=ids).update(
                review_window_closes_at=past, due_at=past
            )
        for ids in chunks(picked["reviews"]):
            Review.objects.filter(pk__in=ids).update(due_at=past)
        for ids in chunks(picked["clarifications"]):
            Clarification.objects.filter(pk__in=ids).update(due_at=past)
    return {
        "comments_closed": len(picked["comments"]),
        "determinations_final": len(picked["determinations"]) + len(closing_projects),
        "verifications_final": len(picked["verifications"]),
        "appraisals_closed": len(closing),
        "appraisal_reminders": 2 * len(reminded),
        "clarification_reminders": len(picked["clarifications"]),
        "reviews_overdue": len(picked["reviews"]),
    }


def chunks(ids: list[int], size: int = 1000):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def acted() -> dict[str, tuple[int, int]]:
    """For every kind of act: (rows that record it, distinct windows among them). An act done
    twice on one window shows as more rows than windows."""

    def events(kind: str) -> tuple[int, int]:
        rows = Event.objects.filter(kind=kind)
        return rows.count(), rows.values("project_id").distinct().count()

    closed = ReviewLog.objects.filter(kind="appraisal_closed")
    seats = Appraiser.objects.filter(reminded_at__isnull=False).count()
    clars = Clarification.objects.filter(reminded_at__isnull=False).count()
    late = Review.objects.filter(overdue_notified_at__isnull=False).count()
    return {
        "comments_closed": events("comments_closed"),
        "determinations_final": events("determination_final"),
        "verifications_final": events("verification_final"),
        "appraisals_closed": (closed.count(), closed.values("data__appraisal").distinct().count()),
        # a reminder is recorded on its row: twice would show only in the sweeps' counts
        "appraisal_reminders": (seats, seats),
        "clarification_reminders": (clars, clars),
        "reviews_overdue": (late, late),
    }


def check_once(label: str, expected: dict[str, int], before, after, counted) -> None:
    bad = []
    for kind, want in expected.items():
        rows = after[kind][0] - before[kind][0]
        windows = after[kind][1] - before[kind][1]
        if not (rows == windows == want == counted.get(kind)):
            bad.append(f"{kind}: {want} due, {rows} recorded on {windows}, counted {counted[kind]}")
    value = f"{sum(expected.values()):,} acts" if not bad else "; ".join(bad)
    BENCH.check(f"{label}: each due window acted on once", value, "exactly once", not bad)


# --- (a) nothing due -----------------------------------------------------------------------------


def explain(queries: list[str]) -> tuple[int, int]:
    """Print the plan of every SELECT the sweep ran; -> (rows that sequential scans of the swept
    tables read, buffers the queries touched), both from ``EXPLAIN (ANALYZE, BUFFERS)`` on
    PostgreSQL; (0, 0) on SQLite, whose plans are printed only."""
    print(f"\nThe {len(queries)} SELECTs of one sweep with nothing due, and their plans:\n")
    scanned = buffers = 0
    for n, sql in enumerate(queries, 1):
        print(f"-- query {n}: {sql}")
        with transaction.atomic(), connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = [row[0] for row in cur.fetchall()]
                cur.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
                tree = cur.fetchone()[0]
                tree = (json.loads(tree) if isinstance(tree, str) else tree)[0]["Plan"]
                buffers += tree["Shared Hit Blocks"] + tree["Shared Read Blocks"]
                scanned += seq_scanned(tree)
            else:
                cur.execute(f"EXPLAIN QUERY PLAN {sql}")
                plan = [" ".join(str(c) for c in row[1:]) for row in cur.fetchall()]
            transaction.set_rollback(True)  # EXPLAIN ANALYZE of FOR UPDATE takes the locks
        for line in plan:
            print(f"   {line}")
        print()
    return scanned, buffers


def seq_scanned(node: dict) -> int:
    """Rows the sequential scans of swept tables under ``node`` read. A scan the executor
    started but stopped at once (the outer side of a hash join whose inner side is empty)
    reads one row."""
    rows = 0
    if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in SWEPT_TABLES:
        read = node["Actual Rows"] + node.get("Rows Removed by Filter", 0)
        rows += read * node["Actual Loops"]
    return rows + sum(seq_scanned(child) for child in node.get("Plans", ()))


def nothing_due(now: dt.datetime) -> None:
    enforce_deadlines(now)  # warm: imports, connection, prepared plans
    times = []
    for _ in range(ARGS.runs):
        started = time.perf_counter()
        counts = enforce_deadlines(now)
        times.append(time.perf_counter() - started)
        assert not any(counts.values()), counts
    median, worst = statistics.median(times), max(times)
    with CaptureQueriesContext(connection) as ctx:
        enforce_deadlines(now)
    selects = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().startswith("SELECT")]
    scanned, buffers = explain(selects)
    BENCH.target(
        f"(a) sweep, nothing due: median of {ARGS.runs}", ms(median), "< 50 ms", median < 0.05
    )
    BENCH.target(f"(a) sweep, nothing due: max of {ARGS.runs}", ms(worst), "< 50 ms", worst < 0.05)
    BENCH.info("(a) queries per sweep", f"{len(ctx.captured_queries)} ({len(selects)} SELECTs)")
    if connection.vendor == "postgresql":
        BENCH.info("(a) buffers (8 KiB pages) one sweep touches", f"{buffers:,}")
        # judged at full size only: on tiny tables a sequential scan is the right plan
        BENCH.target(
            "(a) rows read by Seq Scans of swept tables", f"{scanned:,}", "<= 100", scanned <= 100
        )
    else:
        BENCH.info("(a) plans", "EXPLAIN QUERY PLAN printed; scans judged on PostgreSQL only")


# --- (b) one sweep, 10,000 due; (c) parallel sweeps ----------------------------------------------


def one_sweep(L: Load) -> None:
    now = timezone.now()
    expected = make_due(L, ARGS.due, now)
    before = acted()
    profile = cProfile.Profile() if ARGS.profile else None
    parts: dict[str, float] = {}
    cpu = time.process_time()
    started = time.perf_counter()
    if profile:
        profile.enable()
    with timed_apps(parts):
        counts = enforce_deadlines(timezone.now())
    took = time.perf_counter() - started
    cpu = time.process_time() - cpu
    if profile:
        profile.disable()
        pstats.Stats(profile).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(
            int(os.environ.get("TOP", "40"))
        )
    after = acted()
    windows = ARGS.due
    BENCH.target(
        f"(b) one sweep, {windows:,} windows due ({sum(expected.values()):,} acts)",
        f"{took:.2f} s",
        "< 10 s",
        took < 10,
    )
    BENCH.info("(b) of which CPU of this process", f"{cpu:.2f} s")
    for app, seconds in parts.items():
        BENCH.info(f"(b) of which {app}.clock", f"{seconds:.2f} s")
    check_once("(b) one sweep", expected, before, after, counts)
    again = enforce_deadlines(timezone.now())
    BENCH.check(
        "(b) a second sweep does nothing", str(sum(again.values())), "0", not any(again.values())
    )


@contextmanager
def timed_apps(parts: dict[str, float]):
    """Time each app's sweep inside ``enforce_deadlines``."""

    def timed(app, sweep):
        def run(now):
            started = time.perf_counter()
            try:
                return sweep(now)
            finally:
                parts[app] = time.perf_counter() - started

        return run

    with ExitStack() as stack:
        for module in (projects_clock, determinations_clock, reviews_clock):
            app = module.__name__.split(".")[0]
            stack.enter_context(mock.patch.object(module, "sweep", timed(app, module.sweep)))
        yield


def _sweeper(barrier, results) -> None:
    try:
        barrier.wait()
        results.put(("ok", enforce_deadlines(timezone.now())))
    except Exception as exc:  # report it to the parent, which fails the check
        results.put(("error", repr(exc)))
    finally:
        connections.close_all()


def parallel_sweeps(L: Load) -> None:
    now = timezone.now()
    expected = make_due(L, ARGS.due, now)
    before = acted()
    connections.close_all()  # each child opens its own connection
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(ARGS.parallel), ctx.Queue()
    workers = [ctx.Process(target=_sweeper, args=(barrier, results)) for _ in range(ARGS.parallel)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    outcomes = [results.get(timeout=600) for _ in workers]
    for w in workers:
        w.join()
    took = time.perf_counter() - started
    errors = [detail for status, detail in outcomes if status == "error"]
    counted: dict[str, int] = {}
    for status, detail in outcomes:
        if status == "ok":
            for kind, n in detail.items():
                counted[kind] = counted.get(kind, 0) + n
    BENCH.check(
        f"(c) {ARGS.parallel} sweeps at once: errors",
        "; ".join(errors) or "none",
        "none",
        not errors,
    )
    windows = ARGS.due
    BENCH.info(
        f"(c) {ARGS.parallel} sweeps at once, {windows:,} windows due ({sum(expected.values()):,} acts)",
        f"{took:.2f} s",
    )
    check_once(f"(c) {ARGS.parallel} sweeps at once", expected, before, acted(), counted)
    duplicates = (
        Event.objects.filter(
            kind__in=["comments_closed", "determination_final", "verification_final"]
        )
        .values("project_id", "kind")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    BENCH.check("(c) duplicate events", str(duplicates), "0", duplicates == 0)


def main() -> None:
    try:
        started = time.perf_counter()
        now = timezone.now()
        L = load(now)
        print(
            f"loaded {L.sizes['windows']:,} open windows ({', '.join(f'{k} {len(v):,}' for k, v in L.open.items())}), "
            f"{ARGS.history:,} finished records, {L.sizes['projects']:,} projects, "
            f"{L.sizes['events']:,} events in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        BENCH.info("database", BENCH.vendor)
        BENCH.info("open windows", f"{L.sizes['windows']:,}")
        nothing_due(timezone.now())
        one_sweep(L)
        parallel_sweeps(L)
    finally:
        BENCH.stop()
    BENCH.finish()


if __name__ == "__main__":
    main()
