"""The statutory clock end to end: a real Celery worker and beat, on Redis, against the test
database, close a comment period that has ended."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from projects.models import Event, Project
from tests.support import live_database_url, redis_url

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60

pytestmark = [pytest.mark.celery_live, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    """The URL of the test database this test runs in, for the worker and beat processes."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        name = s["NAME"]
        if not name or name == ":memory:" or "mode=memory" in str(name):
            pytest.fail("the SQLite test database must be a file (see jitrack/test_settings.py)")
        return f"sqlite:///{Path(name).resolve()}"
    if connection.vendor == "postgresql":
        return live_database_url()
    pytest.fail(f"no URL for a {connection.vendor} test database")


@pytest.fixture
def celery_processes(tmp_path, request):
    """Start ``celery worker`` and ``celery beat`` with a 1-second sweep; always stop them."""
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "jitrack.settings",
        "JITRACK_TESTING": "1",
        "DEBUG": "0",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": redis_url(),
        "DEADLINE_SWEEP_SECONDS": "1",
        "JITRACK_VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    celery = [sys.executable, "-m", "celery", "-A", "jitrack"]
    commands = {
        "worker": [
            *celery,
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            f"--hostname=live-test-{os.getpid()}@%h",
        ],
        "beat": [
            *celery,
            "beat",
            "--loglevel=INFO",
            f"--schedule={tmp_path / 'celerybeat-schedule'}",
        ],
    }
    procs = {}
    logs = {}
    try:
        for name, cmd in commands.items():
            logs[name] = tmp_path / f"{name}.log"
            procs[name] = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=logs[name].open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the pool children stop too
            )
        yield procs, logs
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        for name, log in logs.items():
            tail = log.read_text(errors="replace")[-3000:]
            sys.stderr.write(f"\n----- celery {name} log (tail) -----\n{tail}\n")


def test_worker_and_beat_close_an_ended_comment_period(cycle, celery_processes):
    procs, logs = celery_processes
    project = cycle.open()
    ended = timezone.now() - dt.timedelta(hours=1)
    # The period ran out an hour ago; only the clock may act on it now.
    Project.objects.filter(pk=project.pk).update(
        pdd_available_on=ended.date() - dt.timedelta(days=29),
        comments_close_at=ended,
        due_at=ended,
    )

    deadline = time.monotonic() + TIMEOUT
    status = None
    while time.monotonic() < deadline:
        for name, proc in procs.items():
            if proc.poll() is not None:
                log = logs[name].read_text(errors="replace")[-3000:]
                pytest.fail(f"celery {name} exited with {proc.returncode}:\n{log}")
        status = Project.objects.filter(pk=project.pk).values_list("status", flat=True).get()
        if status == Project.Status.COMMENTS_CLOSED:
            break
        time.sleep(0.5)
    assert status == Project.Status.COMMENTS_CLOSED, f"still {status} after {TIMEOUT} s"
    event = Event.objects.get(project=project, kind="comments_closed")
    assert event.actor_label == "jitrack clock"
    assert (event.from_status, event.to_status) == ("open_for_comments", "comments_closed")
    assert event.actor is None
