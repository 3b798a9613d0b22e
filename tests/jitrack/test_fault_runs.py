"""The statutory clock survives its faults (issue 14): 200 comment periods that have ended come
through (a) the worker killed with SIGKILL in mid-sweep, (b) the broker's Redis database flushed
in mid-sweep and (c) the worker's database connections terminated in mid-sweep — each period
closed exactly once (one ``comments_closed`` event per project, none missing, none twice) once
the worker is restarted and the beat's sweep runs again (STYLE habit 3: "a lost broker message or
a worker restart loses nothing").

A real ``celery worker`` and ``celery beat`` (1-second sweep) run against the PostgreSQL test
database and a Redis database of their own (``FAULT_REDIS_DB``, 7 by default: it is flushed, so
never the broker others use). "Mid-sweep" is made observable: a trigger makes each row of the
sweep's UPDATE sleep ``ROW_SLEEP`` seconds, so a batch of 100 (``projects.clock.BATCH``) takes a
second; a fault is injected once the first batch of the phase has committed and the worker's
backend is sleeping inside the second.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from projects.clock import BATCH
from projects.models import ClockFault, Event, Organisation, Project
from tests.factories import PartyFactory

from ..support import live_database_url, redis_url

ROOT = Path(__file__).resolve().parents[2]
WINDOWS = 200  # per fault
ROW_SLEEP = 0.01  # seconds per row of the sweep's UPDATE: a batch of 100 takes a second
TIMEOUT = 40  # seconds for one phase to settle
FAULTS = ("kill", "flush", "drop")

pytestmark = [pytest.mark.celery_live, pytest.mark.django_db(transaction=True)]


class Celery:
    """A worker and a beat on the test database; the worker can be killed and restarted."""

    def __init__(self, tmp_path: Path, broker: str):
        self.tmp = tmp_path
        self.env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "jitrack.settings",
            "JITRACK_TESTING": "1",
            "DEBUG": "0",
            "DATABASE_URL": live_database_url(),
            "CELERY_BROKER_URL": broker,
            "DEADLINE_SWEEP_SECONDS": "1",
            "JITRACK_VAR_DIR": str(tmp_path / "var"),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: list[Path] = []
        self.workers = 0

    def _start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = self.tmp / f"{name}.log"
        self.logs.append(log)
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "jitrack", *args],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the pool child goes with it
        )

    def start_worker(self) -> None:
        self.workers += 1
        self.procs["worker"] = self._start(
            f"worker{self.workers}",
            [
                "worker",
                "--loglevel=INFO",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=fault-{os.getpid()}-{self.workers}@%h",
            ],
        )

    def start_beat(self) -> None:
        self.procs["beat"] = self._start(
            "beat", ["beat", "--loglevel=INFO", f"--schedule={self.tmp / 'celerybeat-schedule'}"]
        )

    def kill_worker(self) -> None:
        """SIGKILL to the worker and its pool child: no shutdown, no ack, no rollback sent."""
        proc = self.procs.pop("worker")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_worker(self) -> None:
        """SIGTERM to the worker's process group, as a supervisor stops it: the pool child
        exits at once, its transaction uncommitted."""
        proc = self.procs.pop("worker")
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                pytest.fail(f"celery {name} exited with {proc.returncode}:\n{self.tail()}")

    def tail(self) -> str:
        return "\n".join(
            f"----- {log.name} -----\n{log.read_text(errors='replace')[-2500:]}"
            for log in self.logs
        )

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


@pytest.fixture
def broker():
    """A Redis database of the test's own, empty before and after."""
    url = redis_url(int(os.environ.get("FAULT_REDIS_DB", "7")))
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url, client
    client.flushdb()
    client.close()


@pytest.fixture
def slow_sweep(db):
    """Each row the clock closes sleeps ROW_SLEEP seconds in the UPDATE (a trigger on the
    project table, dropped after the test)."""
    with connection.cursor() as cur:
        cur.execute(
            "CREATE FUNCTION fault_slow_close() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN PERFORM pg_sleep({ROW_SLEEP}); RETURN NEW; END $$"
        )
        cur.execute(
            "CREATE TRIGGER fault_slow_close BEFORE UPDATE ON projects_project FOR EACH ROW "
            "WHEN (OLD.status = 'open_for_comments' AND NEW.status = 'comments_closed') "
            "EXECUTE FUNCTION fault_slow_close()"
        )
    yield
    with connection.cursor() as cur:
        cur.execute("DROP TRIGGER IF EXISTS fault_slow_close ON projects_project")
        cur.execute("DROP FUNCTION IF EXISTS fault_slow_close()")


@pytest.fixture
def celery(tmp_path, broker, slow_sweep):
    procs = Celery(tmp_path, broker[0])
    try:
        yield procs
    finally:
        procs.stop()
        sys.stderr.write(f"\n{procs.tail()}\n")


def open_windows(n: int, first_reference: int) -> list[int]:
    """``n`` projects open for comments whose period ends in a month (not yet due)."""
    later = timezone.now() + dt.timedelta(days=30)
    # The Parties ship with the migrations, but a transactional test before this one may have
    # flushed them.
    host = PartyFactory(code="UA", name="Ukraine")
    aie = Organisation.objects.create(
        name=f"Fault AIE {first_reference}", kind=Organisation.Kind.AIE
    )
    rows = Project.objects.bulk_create(
        Project(
            reference=f"{first_reference + i:04d}",
            title=f"Fault window {first_reference + i}",
            host_party=host,
            aie=aie,
            status=Project.Status.OPEN_FOR_COMMENTS,
            pdd_available_on=later.date() - dt.timedelta(days=29),
            comments_close_at=later,
            due_at=later,
        )
        for i in range(n)
    )
    return [p.pk for p in rows]


def make_due(ids: list[int]) -> None:
    """The periods ended an hour ago: only the clock may act on them now."""
    ended = timezone.now() - dt.timedelta(hours=1)
    Project.objects.filter(pk__in=ids).update(
        pdd_available_on=ended.date() - dt.timedelta(days=29), comments_close_at=ended, due_at=ended
    )


def closed_events(ids: list[int]) -> int:
    return Event.objects.filter(project_id__in=ids, kind="comments_closed").count()


def worker_backends() -> list[int]:
    """The worker's connections to the test database (everyone's but this test's own)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return [pid for (pid,) in cur.fetchall()]


def sleeping_in_sweep() -> bool:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event = 'PgSleep'"
        )
        return cur.fetchone()[0] > 0


def wait_for(what: str, check, celery: Celery, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        celery.check_alive()
        if check():
            return
        time.sleep(0.05)
    pytest.fail(f"{what}: not within {timeout} s\n{celery.tail()}")


def inject(fault: str, celery: Celery, broker_client) -> None:
    if fault == "kill":
        celery.kill_worker()
    elif fault == "flush":
        broker_client.flushdb()  # the queued sweeps, the unacked task and the bindings are gone
        celery.stop_worker()
    else:
        pids = worker_backends()
        assert pids, "the worker has no connection to terminate"
        with connection.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [pids])
        celery.stop_worker()


def assert_exactly_once(ids: list[int]) -> None:
    per_project = dict(
        Event.objects.filter(project_id__in=ids, kind="comments_closed")
        .values_list("project_id")
        .annotate(n=Count("pk"))
        .values_list("project_id", "n")
    )
    missing = sorted(set(ids) - set(per_project))
    twice = sorted(pk for pk, n in per_project.items() if n != 1)
    assert not missing, f"{len(missing)} windows never closed: {missing[:10]}"
    assert not twice, f"{len(twice)} windows closed more than once: {twice[:10]}"
    statuses = set(Project.objects.filter(pk__in=ids).values_list("status", flat=True))
    assert statuses == {Project.Status.COMMENTS_CLOSED}
    assert not ClockFault.objects.filter(project_id__in=ids).exists()


def test_due_windows_come_through_kill_flush_and_drop_exactly_once(celery, broker):
    assert BATCH < WINDOWS, "a phase must span two batches to be cut in the middle"
    phases = {fault: open_windows(WINDOWS, 1 + n * WINDOWS) for n, fault in enumerate(FAULTS)}
    celery.start_worker()
    celery.start_beat()
    for fault, ids in phases.items():
        make_due(ids)
        # Mid-sweep: the first batch of the phase committed, the next one inside its UPDATE.
        wait_for(
            f"{fault}: a sweep half way",
            lambda ids=ids: 0 < closed_events(ids) < WINDOWS and sleeping_in_sweep(),
            celery,
        )
        inject(fault, celery, broker[1])
        # Nothing of the batch cut short may commit: its orphaned backend finishes the UPDATE,
        # finds its client gone and rolls back. What is left is for the restarted worker.
        time.sleep(3 * BATCH * ROW_SLEEP)
        assert closed_events(ids) < WINDOWS, f"{fault}: the fault came too late to cut a sweep"
        celery.start_worker()
        wait_for(
            f"{fault}: every window closed after the restart",
            lambda ids=ids: (
                closed_events(ids) >= WINDOWS
                and not Project.objects.filter(pk__in=ids, status="open_for_comments").exists()
            ),
            celery,
        )
        time.sleep(2.5)  # two more sweeps of the beat: nothing may be closed again
        assert_exactly_once(ids)
    assert_exactly_once([pk for ids in phases.values() for pk in ids])
