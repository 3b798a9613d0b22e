"""The public registry under load (issue 13, "Registry scale"): requests per second, latency and
queries of every kind of public page, each measured against the floor of the same run.

What is measured. gunicorn (``jitrack.wsgi``, 2 sync workers, ``DEBUG=0``, no access log) serves
the database on PostgreSQL, with the page cache in Redis DB 3 (flushed first) or turned off
(``--no-page-cache``: ``PAGE_CACHE_SECONDS=0``). ``wrk`` (``-t1``, from a second process on
loopback) loads one row at a time for ``--duration`` seconds at each connection count; a Lua
script sends each request to the next path of the row's list and counts every answer that is not
2xx. The floor is ``/health/`` (one indexed query, the same middleware), measured before the
pages and once more after them; the ratios use the higher of the two, so contention during the
run makes them stricter, not looser. With the cache on, each row's paths are fetched once just
before its load (the warm-up; with the cache off the same pass checks every path answers 200).

The rows' paths come from the data, never from fixed references: the published project with the
most events (the long history), ~30 published projects of median event count (typical), the
Parties hosting the most projects, the commonest title words, the AIE with the most projects,
page 500 of the PDD archive (or its last page).

Each row's ``queries`` are counted in this process, once per path, with Django's test client
and ``CaptureQueriesContext`` on the same database with the page cache off, after one request
to the row's first path (what a worker does once per process is not a page's cost).

After the load the bench starts a Celery worker (``-P solo``) on a queue of its own, has it run
each app's deadline sweep three times (waiting for the results), and reads ``VmRSS`` of it and of
each gunicorn worker.

The targets (issue 13): registry sections >= 0.5 x floor and p99 < 100 ms; the project page with
the long history and its ``as_of`` >= 0.4; the API list and details >= 0.5; feeds, calendars,
statistics and the registry index >= 0.3; the typical project page and its ``as_of``, the home
page and the fee quote >= 0.5; at most 10 queries per request; every process < 250 MB RSS. The
ratio and latency are judged at the highest connection count.

Run it (``wrk``: ``apt-get install wrk``; PostgreSQL and Redis on 127.0.0.1):

    .venv/bin/python bench/registry.py                          # jitrack_gen, cache on, 5 s rows
    .venv/bin/python bench/registry.py --no-page-cache --markdown bench/results-nocache.md
    .venv/bin/python bench/registry.py --generate 2000 --seed 1  # into jitrack_b_2000 (kept)
    .venv/bin/python bench/registry.py --smoke                   # CI: 120 projects, 1 s rows

``--smoke`` generates 120 projects into ``jitrack_b_120`` on the server of ``DATABASE_URL`` (a
fresh SQLite file when ``DATABASE_URL`` is not PostgreSQL; then without Redis too if none
answers), loads at 16 connections only, and judges nothing but errors.

Exit status: 0 when it ran, even if targets FAIL (the table says so); 1 when a page answered
anything but 2xx (in the smoke also on a socket error) or the harness broke.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the venv's gunicorn and celery sit beside its python
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
CACHE_DB = 3  # the page cache of the benchmarked server, and the Celery results
CACHE_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/{CACHE_DB}"
BROKER_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/0"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_DATABASE = "jitrack_gen"
PREFIX = "jitrack_b_"  # the only databases this script creates or drops
WORKERS = 2
SMOKE_PROJECTS = 120
TYPICAL = 30  # projects of median event count (the smoke: 5)
MAX_QUERIES = 10
SECTION_P99_MS = 100.0
MAX_RSS_MB = 250.0
SWEEPS = ("projects.tasks.sweep", "determinations.tasks.sweep", "reviews.tasks.sweep")
SWEEP_ROUNDS = 3


class BenchError(Exception):
    """The harness cannot go on (not a page being slow)."""


# --- where the data is: decided before Django starts -----------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Load the public registry with wrk and print the table of issue 13.",
    )
    data = parser.add_mutually_exclusive_group()
    data.add_argument(
        "--database", help=f"an existing database with generated data (default {DEFAULT_DATABASE})"
    )
    data.add_argument(
        "--generate",
        type=int,
        metavar="N",
        help=f"generate N projects into {PREFIX}N (kept, and reused while it has projects)",
    )
    parser.add_argument("--seed", type=int, default=1, help="generate_registry's seed (1)")
    parser.add_argument("--duration", type=int, help="seconds per row and connection count (5)")
    parser.add_argument("--connections", help="comma-separated connection counts (1,16)")
    parser.add_argument("--no-page-cache", action="store_true", help="PAGE_CACHE_SECONDS=0")
    parser.add_argument(
        "--smoke", action="store_true", help=f"{SMOKE_PROJECTS} projects, 1 s rows, errors only"
    )
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    if args.smoke and args.database is None and args.generate is None:
        args.generate = SMOKE_PROJECTS
    if args.duration is None:
        args.duration = 1 if args.smoke else 5
    if args.duration < 1:
        parser.error("--duration is at least 1 (wrk counts whole seconds)")
    try:
        counts = [int(c) for c in (args.connections or ("16" if args.smoke else "1,16")).split(",")]
    except ValueError:
        parser.error("--connections is a comma-separated list of whole numbers, e.g. 1,16")
    if not counts or min(counts) < 1:
        parser.error("--connections: each count is at least 1")
    args.connections = sorted(set(counts))
    if args.generate is not None and args.generate < 1:
        parser.error("--generate N: N is at least 1")
    return args


@dataclass
class Plan:
    url: str  # DATABASE_URL of every process
    vendor: str  # "postgresql" or "sqlite"
    name: str  # database name, or the SQLite file
    generate: int | None
    seed: int
    redis: bool  # page cache, broker and results in Redis; else files in ``var``
    var: Path  # JITRACK_VAR_DIR of every process: media, cache, broker, logs
    page_cache: bool


def redis_answers() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2) as conn:
            conn.sendall(b"*1\r\n$4\r\nPING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def make_plan(args: argparse.Namespace) -> Plan:
    var = Path(tempfile.mkdtemp(prefix="jitrack-bench-registry-"))
    env_url = os.environ.get("DATABASE_URL", "")
    postgres = env_url.startswith(("postgres://", "postgresql://", "pgsql://"))
    redis = redis_answers()
    if not redis and not args.smoke:
        raise BenchError(f"Redis does not answer on {REDIS_HOST}:{REDIS_PORT}")
    common = {"generate": args.generate, "seed": args.seed, "redis": redis, "var": var}
    common["page_cache"] = not args.no_page_cache
    if args.smoke and not postgres:
        if args.database:
            raise BenchError("--database needs a PostgreSQL DATABASE_URL")
        path = var / "bench.sqlite3"
        return Plan(url=f"sqlite:///{path}", vendor="sqlite", name=str(path), **common)
    name = args.database or (f"{PREFIX}{args.generate}" if args.generate else DEFAULT_DATABASE)
    url = urlsplit(env_url if postgres else DEFAULT_SERVER)._replace(path=f"/{name}").geturl()
    return Plan(url=url, vendor="postgresql", name=name, **common)


_REPLACED = (
    "DATABASE_URL",
    "CACHE_URL",
    "PAGE_CACHE_SECONDS",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "JITRACK_TESTING",  # set by the test settings when the smoke runs under pytest
    "MEDIA_ROOT",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
)


def app_env(plan: Plan, *, server: bool) -> dict[str, str]:
    """The environment of the app's processes: gunicorn and Celery (``server``), manage.py and
    this process (the page cache off, and the test client's host allowed)."""
    env = {k: v for k, v in os.environ.items() if k not in _REPLACED}
    env.update(
        DJANGO_SETTINGS_MODULE="jitrack.settings",
        DEBUG="0",
        SECRET_KEY="bench-only",
        ALLOWED_HOSTS="127.0.0.1" if server else "127.0.0.1,testserver",
        DATABASE_URL=plan.url,
        JITRACK_VAR_DIR=str(plan.var),
        LOG_LEVEL="WARNING",
    )
    if plan.redis:
        env.update(CELERY_BROKER_URL=BROKER_URL, CACHE_URL=CACHE_URL)
    if not (server and plan.page_cache):
        env["PAGE_CACHE_SECONDS"] = "0"
    return env


if __name__ == "__main__":
    try:
        ARGS = parse_args()
        PLAN = make_plan(ARGS)
    except BenchError as err:
        sys.exit(f"bench/registry.py: {err}")
    _env = app_env(PLAN, server=False)
    for _name in _REPLACED:
        os.environ.pop(_name, None)
    os.environ.update(_env)
    sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from celery.exceptions import TimeoutError as CeleryTimeout  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.db.utils import DatabaseError  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from determinations.models import Verification  # noqa: E402
from jitrack.celery import app as celery_app  # noqa: E402
from projects.models import Comment, Document, Event, Project  # noqa: E402
from projects.selectors import public_projects  # noqa: E402
from registry.section_defs import SECTIONS  # noqa: E402
from registry.sections import PER_PAGE, section_counts  # noqa: E402


def say(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:5.0f}s] {message}", file=sys.stderr, flush=True)


STARTED = time.monotonic()


# --- the database -----------------------------------------------------------------------------


def manage(plan: Plan, *command: str) -> None:
    """Run manage.py in its own process (its output goes to stderr, as progress)."""
    say("manage.py " + " ".join(command))
    done = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=app_env(plan, server=False),
        stdout=sys.stderr,
        stderr=sys.stderr,
        check=False,
    )
    if done.returncode:
        raise BenchError(f"manage.py {command[0]} exited {done.returncode}")


def has_projects() -> bool:
    try:
        return Project.objects.exists()
    except DatabaseError:  # not migrated
        return False
    finally:
        connection.close()


def pending_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    connection.close()
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def prepare_database(plan: Plan) -> None:
    if plan.vendor == "sqlite":
        manage(plan, "migrate", "--noinput", "-v0")
        manage(
            plan, "generate_registry", "--projects", str(plan.generate), "--seed", str(plan.seed)
        )
        return
    # A session-level advisory lock: two runs never build the same database at once.
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext('jitrack bench/registry.py'))")
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [plan.name])
        exists = cursor.fetchone() is not None
        if plan.generate is None:
            if not exists or not has_projects():
                raise BenchError(
                    f"database {plan.name} does not exist or holds no project: "
                    f"generate one (manage.py generate_registry, or --generate N)"
                )
            unapplied = pending_migrations()
            if unapplied:  # someone else's database: not migrated here
                raise BenchError(
                    f"database {plan.name} lacks migrations of this checkout "
                    f"({', '.join(unapplied)}): migrate it first"
                )
            return
        if not plan.name.startswith(PREFIX):
            raise BenchError(f"refusing to create a database not named {PREFIX}…")
        if exists and has_projects():
            say(f"{plan.name} exists and has projects: reused (migrated to the code first)")
            try:
                manage(plan, "migrate", "--noinput", "-v0")
                return
            except BenchError:  # migrated by a checkout whose migrations have changed since
                say(f"{plan.name} cannot be migrated: built again")
        if exists:
            cursor.execute(f'DROP DATABASE "{plan.name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{plan.name}"')
        manage(plan, "migrate", "--noinput", "-v0")
        manage(
            plan, "generate_registry", "--projects", str(plan.generate), "--seed", str(plan.seed)
        )


def database_version() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return "PostgreSQL " + cursor.fetchone()[0]
    return f"SQLite {sqlite3.sqlite_version}"


def data_size() -> dict[str, int]:
    return {
        "projects": Project.objects.count(),
        "published": public_projects().count(),
        "events": Event.objects.count(),
        "comments": Comment.objects.count(),
        "documents": Document.objects.count(),
        "verifications": Verification.objects.count(),
    }


# --- the rows: their paths from the data ------------------------------------------------------


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non2xx: int
    socket_errors: int
    hit_share: float  # of the answers, those the page cache served (X-Page-Cache: hit)
    kb: float  # read per answer, headers included

    @property
    def errors(self) -> int:
        return self.non2xx + self.socket_errors


@dataclass
class Row:
    name: str
    urls: list[str]
    min_ratio: float
    p99_ms: float | None = None  # the latency target, if the row has one
    loads: dict[int, Load] = field(default_factory=dict)
    queries: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # non-2xx answers and failures, explained

    def target(self) -> str:
        parts = [f"≥ {self.min_ratio:g} × floor"]
        if self.p99_ms is not None:
            parts.append(f"p99 < {self.p99_ms:g} ms")
        parts.append(f"≤ {MAX_QUERIES} queries")
        return ", ".join(parts)


def url(name: str, *args, **params) -> str:
    path = reverse(name, args=args)
    return f"{path}?{urlencode(params)}" if params else path


def key(reference: str | None, pk: int) -> str:
    return reference or f"P{pk}"


def as_of_day(project: Project) -> str:
    """The day of the middle event since the PDD became available: half the history shown."""
    since = project.pdd_available_on
    days = list(
        Event.objects.filter(project=project, created_at__date__gte=since)
        .order_by("created_at", "pk")
        .values_list("created_at", flat=True)
    )
    day = days[len(days) // 2].astimezone(UTC).date() if days else since
    return max(day, since).isoformat()


def commonest(projects, path: str, n: int = 1) -> list:
    """The ``n`` values of ``path`` most frequent among ``projects``."""
    return list(
        projects.exclude(**{f"{path}__isnull": True})
        .values_list(path)
        .annotate(n=Count("pk"))
        .order_by("-n", path)
        .values_list(path, flat=True)[:n]
    )


@dataclass
class Sample:
    """What the rows ask for, picked from the data."""

    published: int
    long: str  # the key of the published project with the most events
    long_as_of: tuple[str, str]  # the same (or, without a PDD date, the next) and a day
    typical: list[str]  # ~30 published projects of median event count
    typical_as_of: list[tuple[str, str]]
    hosts: list[str]  # the Parties hosting the most projects
    aie: int | None
    status: str
    scope: int | None
    words: list[str]  # the commonest words of the titles
    page: int  # page 500 of the PDD archive, or its last page
    reductions: list[int]  # expected annual reductions of typical projects


def sample(how_many: int) -> Sample:
    public = public_projects()
    by_events = list(
        public.annotate(n=Count("events")).order_by("n", "pk").values_list("pk", "reference", "n")
    )
    if not by_events:
        raise BenchError("the database has no published project")
    long_pk, long_reference, long_events = by_events[-1]
    middle = len(by_events) // 2
    first = max(0, middle - how_many // 2)
    typical = by_events[first : first + how_many]
    say(
        f"long history: {key(long_reference, long_pk)} ({long_events} events); typical: "
        f"{len(typical)} projects of {typical[0][2]}–{typical[-1][2]} events"
    )
    dated = (
        public.filter(pdd_available_on__isnull=False)
        .annotate(n=Count("events"))
        .order_by("-n", "-pk")
        .first()
    )
    typical_projects = Project.objects.filter(pk__in=[pk for pk, _, _ in typical]).order_by("pk")
    titles = public.values_list("title", flat=True).iterator()
    words = Tally(w.lower() for title in titles for w in re.findall(r"[^\W\d_]{5,}", title))
    scope = commonest(public, "sectoral_scopes")
    return Sample(
        published=len(by_events),
        long=key(long_reference, long_pk),
        long_as_of=(dated.key, as_of_day(dated)),
        typical=[key(reference, pk) for pk, reference, _ in typical],
        typical_as_of=[
            (p.key, as_of_day(p)) for p in typical_projects if p.pdd_available_on is not None
        ],
        hosts=commonest(public, "host_party__code", 3),
        aie=next(iter(commonest(public, "aie")), None),
        status=commonest(public, "status")[0],
        scope=scope[0] if scope and scope[0] <= 15 else None,
        words=[word for word, _ in words.most_common(3)],
        page=min(500, max(1, math.ceil(section_counts()[ARCHIVE] / PER_PAGE))),
        reductions=sorted({p.expected_annual_reductions for p in typical_projects})[:5] or [25_000],
    )


ARCHIVE = "pdds"  # the registry section listing every published project
FINAL = "determinations-final"


def make_rows(s: Sample) -> list[Row]:
    def section(slug: str, **params) -> str:
        return url("registry_section", slug, **params)

    def api_list(**params) -> str:
        return url("api-project-list", page_size=100, **params)

    sorts = [
        section(slug, sort=sort)
        for slug in (ARCHIVE, FINAL)
        for column in SECTIONS[slug].columns
        if column.sort
        for sort in (column.sort, f"-{column.sort}")
        if sort != SECTIONS[slug].default_sort
    ]
    filters = [{}, {"host_party": s.hosts[0]}, {"status": s.status}, {"ordering": "title"}]
    filters += [{"aie": s.aie}] if s.aie else []
    filters += [{"scope": s.scope}] if s.scope else []
    filters += [{"q": s.words[0]}] if s.words else []
    filters += [{"section": "pdds-open"}]
    filters += [{"page": 2}] if s.published > 100 else []
    quotes = [
        *(
            url("api-fee-quote", kind="determination", expected_annual_reductions=n)
            for n in s.reductions
        ),
        *(
            url("api-fee-quote", kind="verification", reductions=n, already_this_year=n // 2)
            for n in s.reductions
        ),
        url(
            "api-fee-quote",
            kind="determination",
            expected_annual_reductions=s.reductions[0],
            poa="true",
        ),
    ]
    everyone = [s.long, *s.typical]
    p99 = SECTION_P99_MS
    return [
        Row("section: first page", [section(slug) for slug in SECTIONS], 0.5, p99),
        Row(
            "section: Party filter",
            [section(slug, host_party=c) for c in s.hosts for slug in (ARCHIVE, FINAL)],
            0.5,
            p99,
        ),
        Row(
            "section: text search",
            [section(slug, q=w) for w in s.words for slug in (ARCHIVE, "pdds-open")]
            or [section(ARCHIVE, q="a")],
            0.5,
            p99,
        ),
        Row(f"section: page {s.page}", [section(ARCHIVE, page=s.page)], 0.5, p99),
        Row("section: sorted", sorts, 0.5, p99),
        Row("project page: long history", [url("project_detail", s.long)], 0.4),
        Row(
            "project page: long history as_of",
            [url("project_detail", s.long_as_of[0], as_of=s.long_as_of[1])],
            0.4,
        ),
        Row("API list: page_size=100, filters", [api_list(**f) for f in filters], 0.5),
        Row("API detail: typical", [url("api-project-detail", k) for k in s.typical], 0.5),
        Row("API detail: long history", [url("api-project-detail", s.long)], 0.5),
        Row("feed: site-wide", [url("feed_all")], 0.3),
        Row("feed: per Party", [url("feed_party", code) for code in s.hosts], 0.3),
        Row("feed: per project", [url("feed_project", k) for k in everyone], 0.3),
        Row("calendar: project", [url("project_calendar", k) for k in everyone], 0.3),
        Row("calendar: open windows", [url("calendar")], 0.3),
        Row("statistics", [url("statistics")], 0.3),
        Row("registry index", [url("registry")], 0.3),
        Row("project page: typical", [url("project_detail", k) for k in s.typical], 0.5),
        Row(
            "project page: typical as_of",
            [url("project_detail", k, as_of=day) for k, day in s.typical_as_of]
            or [url("project_detail", s.long_as_of[0], as_of=s.long_as_of[1])],
            0.5,
        ),
        Row("home page", [url("home")], 0.5),
        Row("fee quote API", quotes, 0.5),
    ]


def count_queries(rows: list[Row]) -> None:
    """Each path once, in this process, with the page cache off: the real rendering."""
    assert settings.PAGE_CACHE_SECONDS == 0
    client = Client()
    for row in rows:
        try:
            client.get(row.urls[0])  # what a worker does once per process is not a page's cost
        except Exception:
            pass  # the counting below reports it
        for path in row.urls:
            with CaptureQueriesContext(connection) as captured:
                try:
                    status = client.get(path).status_code
                except Exception as exc:
                    row.errors.append(f"{path}: raised {type(exc).__name__}: {exc}")
                    continue
            row.queries.append(len(captured.captured_queries))
            if status != 200:
                row.errors.append(f"{path}: {status} (in process)")
    connection.close()


# --- the processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flush_cache_db() -> None:
    """FLUSHDB on Redis DB 3: no page of an earlier run may be served."""
    command = (
        f"*2\r\n$6\r\nSELECT\r\n${len(str(CACHE_DB))}\r\n{CACHE_DB}\r\n*1\r\n$7\r\nFLUSHDB\r\n"
    )
    with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=5) as conn:
        conn.sendall(command.encode())
        reply = b""
        while reply.count(b"\r\n") < 2:
            chunk = conn.recv(256)
            if not chunk:
                break
            reply += chunk
    if reply != b"+OK\r\n+OK\r\n":
        raise BenchError(f"Redis FLUSHDB on DB {CACHE_DB} answered {reply!r}")


def stop_group(process: subprocess.Popen | None) -> None:
    """End a process started in its own session, and everything it started."""
    if process is None or process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def spawn(plan: Plan, command: list[str], log: Path) -> subprocess.Popen:
    """Start an app process in its own session (so ``stop_group`` ends all it starts)."""
    with log.open("wb") as out:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=app_env(plan, server=True),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def fetch(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


class Server:
    """gunicorn with the app's production settings, in its own process group."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.port = free_port()
        self.log = plan.var / "gunicorn.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        options = f"--workers {WORKERS} --bind 127.0.0.1:{self.port} --log-level warning"
        command = [str(BIN / "gunicorn"), "jitrack.wsgi", *options.split()]
        self.process = spawn(self.plan, command, self.log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited {self.process.returncode}:\n{tail(self.log)}")
            try:
                if fetch(self.port, "/health/") == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not answer /health/ within 60 s:\n{tail(self.log)}")

    def workers(self) -> list[int]:
        return children(self.process.pid) if self.process else []

    def settle(self) -> None:
        """Wait for the requests a load left behind: wrk's last connections were accepted and
        are still worked on (a slow page's take seconds). /health/ queues behind them; then
        the workers' CPU time must stand still."""
        fetch(self.port, "/health/")
        deadline, last = time.monotonic() + 120, None
        while time.monotonic() < deadline:
            ticks = sum(cpu_ticks(pid) for pid in self.workers())
            if ticks == last:
                return
            last = ticks
            time.sleep(0.15)

    def stop(self) -> None:
        stop_group(self.process)


class Worker:
    """A Celery worker (-P solo) on a queue of its own, so no other worker takes its tasks."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.queue = f"bench-registry-{os.getpid()}"
        self.log = plan.var / "celery.log"
        self.results = CACHE_URL if plan.redis else f"file://{plan.var / 'results'}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        if not self.plan.redis:
            (self.plan.var / "results").mkdir(exist_ok=True)
        options = (
            f"worker -P solo -Q {self.queue} -n {self.queue}@%h --loglevel WARNING "
            "--without-gossip --without-mingle --without-heartbeat"
        )
        command = [str(BIN / "celery"), "-A", "jitrack", "--result-backend", self.results]
        self.process = spawn(self.plan, [*command, *options.split()], self.log)

    def sweep(self, rounds: int) -> list[dict]:
        """Each app's deadline sweep ``rounds`` times, one at a time, waiting for each result."""
        celery_app.conf.result_backend = self.results
        results = []
        for _ in range(rounds):
            for name in SWEEPS:
                results.append(self._wait(name, celery_app.send_task(name, queue=self.queue)))
        return results

    def _wait(self, name: str, result) -> dict:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                return result.get(timeout=1)
            except CeleryTimeout:
                if self.process.poll() is not None:
                    break
            except Exception as exc:
                raise BenchError(f"{name} failed: {exc!r}\n{tail(self.log)}") from exc
        raise BenchError(f"{name}: no result (worker exited or 120 s passed):\n{tail(self.log)}")

    def stop(self) -> None:
        stop_group(self.process)


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def cpu_busy(seconds: float = 1.0) -> float:
    """The share of the machine's CPU time in use over ``seconds``: what others take from the
    run when it is sampled with the server idle."""

    def sample() -> tuple[int, int]:
        ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = ticks[3] + ticks[4]  # idle, iowait
        return sum(ticks) - idle, sum(ticks)

    busy0, total0 = sample()
    time.sleep(seconds)
    busy1, total1 = sample()
    return (busy1 - busy0) / max(1, total1 - total0)


def cpu_ticks(pid: int) -> int:
    """utime + stime of a process, in clock ticks."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- the load ------------------------------------------------------------------------------------

LUA = """-- bench/registry.py: each request the next path; counts the answers that are not 2xx and
-- those the page cache served
local paths = {%s}
local i = 0
local threads = {}
bad = 0
hits = 0
seen = 0

function setup(thread)
  table.insert(threads, thread)
end

-- as browsers, feed readers and calendar clients ask: compressed where the server offers it
wrk.headers["Accept-Encoding"] = "gzip, deflate, br"

function request()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end

function response(status, headers, body)
  seen = seen + 1
  if status < 200 or status > 299 then bad = bad + 1 end
  if headers["X-Page-Cache"] == "hit" then hits = hits + 1 end
end

function done(summary, latency, requests)
  local n = {bad = 0, hits = 0, seen = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(n) do n[name] = n[name] + thread:get(name) end
  end
  io.write(string.format("bench: non-2xx %%d, cache hits %%d of %%d, %%d bytes\\n",
    n.bad, n.hits, n.seen, summary.bytes))
end
"""
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_PERCENTILE = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.M)
_REQUESTS = re.compile(r"^\s+(\d+) requests in ", re.M)
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_NON2XX_WRK = re.compile(r"Non-2xx or 3xx responses: (\d+)")
_LUA = re.compile(r"^bench: non-2xx (\d+), cache hits (\d+) of (\d+), (\d+) bytes", re.M)


def lua_string(path: str) -> str:
    return '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_wrk(output: str) -> Load:
    rps = _RPS.search(output)
    requests = _REQUESTS.search(output)
    percentiles = {int(p): float(v) * _UNITS_MS[u] for p, v, u in _PERCENTILE.findall(output)}
    if rps is None or requests is None or set(percentiles) != {50, 99}:
        raise BenchError(f"cannot read wrk's output:\n{output}")
    ours = _LUA.search(output)
    if ours is None:
        raise BenchError(f"the Lua script reported nothing:\n{output}")
    bad, hits, seen, size = map(int, ours.groups())
    socket_errors = _SOCKET.search(output)
    theirs = _NON2XX_WRK.search(output)
    count = int(requests.group(1))
    return Load(
        rps=float(rps.group(1)),
        p50_ms=percentiles[50] if count else math.inf,  # no answer within the duration
        p99_ms=percentiles[99] if count else math.inf,
        requests=count,
        non2xx=max(bad, int(theirs.group(1)) if theirs else 0),
        socket_errors=sum(map(int, socket_errors.groups())) if socket_errors else 0,
        hit_share=hits / seen if seen else 0.0,
        kb=size / count / 1024 if count else 0.0,
    )


def load(port: int, paths: list[str], connections: int, duration: int, var: Path) -> Load:
    script = var / "paths.lua"
    script.write_text(LUA % ", ".join(lua_string(p) for p in paths))
    options = f"-t1 -c{connections} -d{duration}s --latency --timeout 30s -s {script}"
    command = ["wrk", *options.split(), f"http://127.0.0.1:{port}"]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 90, check=False
    )
    if done.returncode:
        raise BenchError(f"wrk exited {done.returncode}: {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


# --- the report ------------------------------------------------------------------------------------


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    ram = "? GiB"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
            break
    return f"nproc {len(os.sched_getaffinity(0))}, {model}, {ram} RAM"


def fmt_rps(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def fmt_ms(value: float) -> str:
    if math.isinf(value):
        return "–"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def fmt_queries(queries: list[int]) -> str:
    if not queries:
        return "–"
    low, high = min(queries), max(queries)
    return str(high) if low == high else f"{low}–{high}"


def verdict(row: Row, floor: Load | None, c: int, duration: int) -> tuple[bool, list[str]]:
    """Whether ``row`` meets its targets at ``c`` connections, and why not."""
    reasons = []
    run = row.loads.get(c)
    if row.errors:
        reasons.append(f"{len(row.errors)} error(s)")
    if run is not None:
        if not run.requests:
            reasons.append(f"no answer within {duration} s")
        if run.non2xx:
            reasons.append(f"{run.non2xx} non-2xx")
        if run.socket_errors:
            reasons.append(f"{run.socket_errors} socket errors")
        if floor is not None and run.rps / floor.rps < row.min_ratio:
            reasons.append(f"ratio < {row.min_ratio:g}")
        if row.p99_ms is not None and run.p99_ms >= row.p99_ms:
            reasons.append(f"p99 ≥ {row.p99_ms:g} ms")
    else:
        reasons.append("not measured")
    if row.queries and max(row.queries) > MAX_QUERIES:
        reasons.append(f"{max(row.queries)} queries")
    return not reasons, reasons


@dataclass
class Report:
    args: argparse.Namespace
    plan: Plan
    started: datetime
    database: str = ""
    size: dict[str, int] = field(default_factory=dict)
    load_before: tuple[float, ...] = ()
    load_after: tuple[float, ...] = ()
    busy_before: float = math.nan  # CPU in use by others with the server idle
    busy_after: float = math.nan
    floor_start: dict[int, Load] = field(default_factory=dict)
    floor_end: dict[int, Load] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    rss: list[tuple[str, float]] = field(default_factory=list)
    sweeps: str = ""

    def floor(self, c: int) -> Load | None:
        runs = [r for r in (self.floor_start.get(c), self.floor_end.get(c)) if r is not None]
        return max(runs, key=lambda r: r.rps) if runs else None

    def markdown(self) -> str:
        judged = max(self.args.connections)
        mode = (
            "page cache ON ("
            + ("Redis DB 3, flushed first" if self.plan.redis else "file cache: no Redis")
            + "; PAGE_CACHE_SECONDS the app's default; one warm-up pass per row)"
            if self.plan.page_cache
            else "page cache OFF (PAGE_CACHE_SECONDS=0)"
        )
        size = ", ".join(f"{v:,} {k}" for k, v in self.size.items())
        floors = "; ".join(
            f"c={c}: {fmt_rps(self.floor_start[c].rps)} at the start, "
            f"{fmt_rps(self.floor_end[c].rps) if c in self.floor_end else '–'} at the end"
            for c in self.args.connections
            if c in self.floor_start
        )
        lines = [
            f"### Registry under load: {mode}",
            "",
            f"- {self.started:%Y-%m-%d %H:%M} UTC; machine: {machine()}",
            f"- other load on the machine: CPU {self.busy_before:.0%} busy with the server idle "
            f"before the run, {self.busy_after:.0%} after; load average "
            f"{' '.join(f'{v:.2f}' for v in self.load_before)} before, "
            f"{' '.join(f'{v:.2f}' for v in self.load_after)} after",
            f"- {self.database}, database `{self.plan.name}`: {size}",
            f"- gunicorn `jitrack.wsgi`, {WORKERS} sync workers, DEBUG=0, no access log; "
            f"wrk -t1 on loopback, {self.args.duration} s per row and connection count, "
            f"connections {', '.join(map(str, self.args.connections))}; "
            f"ratios and pass/fail at c={judged}",
            f"- floor `/health/` (one indexed query, same middleware), req/s: {floors}; "
            "each ratio uses the higher of the two",
            "- queries: counted once per path in process, page cache off (range over the row's "
            "paths); p50/p99 in ms; KB read per answer (requests say Accept-Encoding: gzip, as "
            "browsers and calendar clients do: feeds, calendars and JSON come compressed, HTML "
            "never)"
            + (
                "; cache hits: share of answers with X-Page-Cache: hit"
                if self.plan.page_cache
                else ""
            ),
        ]
        if self.args.smoke:
            lines.append(
                "- smoke run: tiny data; the targets are printed, not enforced (only errors fail)"
            )
        hits = " cache hits |" if self.plan.page_cache else ""
        lines += [
            "",
            f"| page | paths | floor req/s | page req/s | ratio | p50 | p99 | queries | KB |{hits}"
            " target | pass/fail |",
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|" + ("--:|" if hits else "") + "---|---|",
        ]
        for row in self.rows:
            lines.append(self._line(row, judged, full=True))
        for c in self.args.connections:
            if c == judged:
                continue
            lines += [
                "",
                f"At {c} connection{'s' if c > 1 else ''}:",
                "",
                "| page | floor req/s | page req/s | ratio | p50 | p99 |",
                "|---|--:|--:|--:|--:|--:|",
            ]
            lines += [self._line(row, c, full=False) for row in self.rows]
        lines += ["", "| process | RSS after the load | target | pass/fail |", "|---|--:|---|---|"]
        for name, mb in self.rss:
            result = "PASS" if mb < MAX_RSS_MB else "FAIL"
            lines.append(f"| {name} | {mb:.0f} MB | < {MAX_RSS_MB:g} MB | {result} |")
        if self.sweeps:
            lines += ["", self.sweeps]
        errors = [f"- {row.name}: {e}" for row in self.rows for e in row.errors[:5]]
        if errors:
            lines += ["", "Errors:", "", *errors]
        return "\n".join(lines) + "\n"

    def _line(self, row: Row, c: int, *, full: bool) -> str:
        floor = self.floor(c)
        run = row.loads.get(c)
        cells = [row.name]
        if full:
            cells.append(str(len(row.urls)))
        cells.append(fmt_rps(floor.rps) if floor else "–")
        if run is not None and floor is not None:
            cells += [
                fmt_rps(run.rps),
                f"{run.rps / floor.rps:.2f}",
                fmt_ms(run.p50_ms),
                fmt_ms(run.p99_ms),
            ]
        else:
            cells += ["–"] * 4
        if full:
            ok, reasons = verdict(row, floor, c, self.args.duration)
            cells += [fmt_queries(row.queries), f"{run.kb:.0f}" if run else "–"]
            if self.plan.page_cache:
                cells.append(f"{run.hit_share:.0%}" if run else "–")
            cells += [row.target(), "PASS" if ok else "FAIL: " + ", ".join(reasons)]
        return "| " + " | ".join(cells) + " |"


# --- the run ------------------------------------------------------------------------------------


def measure_floor(
    server: Server, args: argparse.Namespace, plan: Plan, into: dict[int, Load]
) -> None:
    for c in args.connections:
        into[c] = run = load(server.port, ["/health/"], c, args.duration, plan.var)
        server.settle()
        say(f"floor c={c}: {fmt_rps(run.rps)} req/s, p99 {fmt_ms(run.p99_ms)} ms")
        if run.errors:
            raise BenchError(f"the floor /health/ had {run.errors} errors")


def run(args: argparse.Namespace, plan: Plan, report: Report) -> None:
    if shutil.which("wrk") is None:
        raise BenchError("wrk is missing: apt-get install wrk")
    prepare_database(plan)
    report.database = database_version()
    report.size = data_size()
    say(f"{plan.name}: " + ", ".join(f"{v:,} {k}" for k, v in report.size.items()))
    picked = sample(5 if args.smoke else TYPICAL)
    say(
        f"hosts {picked.hosts}, AIE {picked.aie}, status {picked.status}, scope {picked.scope}, "
        f"words {picked.words}, {ARCHIVE} page {picked.page}"
    )
    report.rows = rows = make_rows(picked)
    say("counting queries in process (page cache off)")
    count_queries(rows)
    server, worker = Server(plan), Worker(plan)
    try:
        if plan.redis:
            flush_cache_db()
        server.start()
        say(f"gunicorn on 127.0.0.1:{server.port}, workers {server.workers()}")
        # Each worker's first requests pay for imports and connections: not the floor's cost.
        load(server.port, ["/health/"], max(args.connections), 1, plan.var)
        server.settle()
        report.load_before = os.getloadavg()
        report.busy_before = cpu_busy()
        measure_floor(server, args, plan, report.floor_start)
        for row in rows:
            for path in row.urls:  # the warm-up (cache on) and the check that each answers 200
                try:
                    status = fetch(server.port, path)
                except OSError as exc:  # e.g. the worker was killed by gunicorn's timeout
                    row.errors.append(f"{path}: no answer ({type(exc).__name__}: {exc})")
                    continue
                if status != 200:
                    row.errors.append(f"{path}: {status}")
            for c in args.connections:
                row.loads[c] = result = load(server.port, row.urls, c, args.duration, plan.var)
                server.settle()
                floor = report.floor(c)
                say(
                    f"{row.name} c={c}: {fmt_rps(result.rps)} req/s "
                    f"({result.rps / floor.rps:.2f} × floor), p99 {fmt_ms(result.p99_ms)} ms"
                    + (f", {result.errors} errors" if result.errors else "")
                )
        measure_floor(server, args, plan, report.floor_end)
        report.load_after = os.getloadavg()
        report.busy_after = cpu_busy()
        for pid in server.workers():
            report.rss.append((f"gunicorn worker {pid}", rss_mb(pid)))
        worker.start()  # after the load: its start-up would compete with the measurements
        began = time.monotonic()
        results = worker.sweep(SWEEP_ROUNDS)
        broker = "Redis" if plan.redis else "filesystem"
        report.sweeps = (
            f"Celery worker (`celery -A jitrack worker -P solo`, {broker} broker, a queue of its "
            f"own): {len(results)} sweep tasks ({', '.join(SWEEPS)} × {SWEEP_ROUNDS}) run and "
            f"waited for in {time.monotonic() - began:.1f} s, its start-up included; the last "
            f"round answered {results[-len(SWEEPS) :]}"
        )
        report.rss.append((f"Celery worker {worker.process.pid}", rss_mb(worker.process.pid)))
    except BenchError as err:
        raise BenchError(f"{err}\n--- gunicorn log:\n{tail(server.log)}") from None
    finally:
        server.stop()
        worker.stop()


def main(args: argparse.Namespace, plan: Plan) -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    report = Report(args, plan, timezone.now())
    broke = ""
    try:
        run(args, plan, report)
    except BenchError as err:
        broke = str(err)
    except KeyboardInterrupt:
        broke = "interrupted"
    finally:
        shutil.rmtree(plan.var, ignore_errors=True)
    if any(row.loads for row in report.rows):  # what was measured is shown, even if it broke
        table = report.markdown()
        print(table + (f"\nThe run broke: {broke.splitlines()[0]}\n" if broke else ""))
        if args.markdown and not broke:
            args.markdown.write_text(table)
    if broke:
        print(f"bench/registry.py: {broke}", file=sys.stderr)
        return 1
    non2xx = any(r.errors or any(x.non2xx for x in r.loads.values()) for r in report.rows)
    # The smoke fails on anything a page did wrong, slow pages included.
    failed = any(x.socket_errors or not x.requests for r in report.rows for x in r.loads.values())
    return 1 if non2xx or (args.smoke and failed) else 0


if __name__ == "__main__":
    sys.exit(main(ARGS, PLAN))
