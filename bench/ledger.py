"""The record's hash chain at registry scale (issue 14): ``projects.ledger``.

On a fresh database (``bench/harness.py``) holding ``--events`` events of ``--projects`` projects
(half of them naming a document each), and as many review-log entries as a tenth of the events:

(a) sealing them all (the first run of ``seal_logs`` after an import), target < 60 s for 200,000;
(b) a sealing run with nothing new, as the beat runs it every few minutes: median of 10, target
    < 50 ms (the unsealed rows are found by an anti-join over the primary keys);
(c) ``verify_log`` of the whole record, target < 60 s for 200,000, and its result: unbroken;
(d) one event changed behind the triggers' back (PostgreSQL: ``session_replication_role``): the
    verification names that link.

``--smoke`` runs 2,000 events and judges correctness only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/ledger.py
    .venv/bin/python bench/ledger.py --smoke            # SQLite in a temporary file
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Bench, arguments, ms  # noqa: E402

parser = arguments(__doc__.split("\n", 1)[0])
parser.add_argument("--events", type=int, default=200_000)
parser.add_argument("--projects", type=int, default=20_000)
ARGS = parser.parse_args()
if ARGS.smoke:
    ARGS.events, ARGS.projects = 2_000, 200
BENCH = Bench("ledger", ARGS)
BENCH.start()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from projects import ledger  # noqa: E402
from projects.models import Document, Event, EventSeal, Organisation, Party, Project  # noqa: E402
from reviews.models import ReviewLog  # noqa: E402

BATCH = 5_000


def bulk(model, rows) -> None:
    rows = list(rows)
    for start in range(0, len(rows), BATCH):
        model.objects.bulk_create(rows[start : start + BATCH])


def load() -> None:
    now = timezone.now()
    host = Party.objects.get(code="UA")
    aie = Organisation.objects.create(name="Bench AIE", kind=Organisation.Kind.AIE)
    with transaction.atomic():
        bulk(
            Project,
            (
                Project(
                    reference=f"{i:05d}",
                    title=f"Bench project {i}",
                    host_party=host,
                    aie=aie,
                    status=Project.Status.OPEN_FOR_COMMENTS,
                )
                for i in range(1, ARGS.projects + 1)
            ),
        )
        projects = list(Project.objects.values_list("pk", flat=True))
        bulk(
            Document,
            (
                Document(
                    project_id=pk,
                    kind=Document.Kind.PDD,
                    title="PDD",
                    file=f"documents/{pk}/pdd.pdf",
                    sha256=f"{pk:064x}",
                    size=1000,
                )
                for pk in projects
            ),
        )
        documents = dict(Document.objects.values_list("project_id", "pk"))
        bulk(
            Event,
            (
                Event(
                    project_id=projects[i % len(projects)],
                    kind="pdd_published" if i % 2 else "comment_received",
                    actor_label="Imported from earlier records",
                    data={"documents": [documents[projects[i % len(projects)]]]} if i % 2 else {},
                    created_at=now - dt.timedelta(minutes=ARGS.events - i),
                )
                for i in range(ARGS.events)
            ),
        )
        bulk(
            ReviewLog,
            (
                ReviewLog(project_id=projects[i % len(projects)], kind="appraisal_filed", data={})
                for i in range(ARGS.events // 10)
            ),
        )


def analyze() -> None:
    """As autovacuum would after a load."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main() -> None:
    started = time.perf_counter()
    load()
    analyze()
    BENCH.info("rows loaded", f"{ARGS.events:,} events, {ARGS.events // 10:,} review-log entries")
    BENCH.info("load time", f"{time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    sealed = ledger.seal_all()
    took = time.perf_counter() - started
    BENCH.check(
        "(a) every row sealed once",
        f"{sealed['events']:,} + {sealed['review_log']:,}",
        "all",
        sealed == {"events": ARGS.events, "review_log": ARGS.events // 10},
    )
    BENCH.target("(a) seal the whole record", f"{took:.1f} s", "< 60 s", took < 60)
    analyze()

    runs = []
    for _ in range(10):
        started = time.perf_counter()
        again = ledger.seal_all()
        runs.append(time.perf_counter() - started)
    BENCH.check("(b) nothing new to seal", str(again), "0 each", not any(again.values()))
    median = statistics.median(runs)
    BENCH.target("(b) a sealing run with nothing new", ms(median), "< 50 ms", median < 0.05)

    started = time.perf_counter()
    reports = [ledger.verify(chain) for chain in ledger.CHAINS.values()]
    took = time.perf_counter() - started
    BENCH.check(
        "(c) verify: unbroken",
        ", ".join(f"{r.chain} {r.sealed:,}" for r in reports),
        "all links",
        all(r.ok for r in reports),
    )
    BENCH.target("(c) verify the whole record", f"{took:.1f} s", "< 60 s", took < 60)

    victim = EventSeal.objects.order_by("seq").values_list("seq", "event_id")[ARGS.events // 2]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE projects_event SET actor_label = 'Someone else' WHERE id = %s", [victim[1]]
        )
    report = ledger.verify(ledger.EVENTS)
    BENCH.check(
        "(d) a changed event is named",
        report.broken[:40],
        f"link {victim[0]}",
        report.broken.startswith(f"link {victim[0]} (Event {victim[1]})"),
    )


try:
    main()
finally:
    BENCH.stop()
BENCH.finish()
