"""How long an AIE's determination filing holds the project's row lock.

A second connection tries ``SELECT … FOR UPDATE NOWAIT`` on the project row in a tight loop
while the filing runs; the longest unbroken run of refusals is the lock hold, measured from
outside the code under test (so the same script measures any version of it). Runs against
PostgreSQL (``DATABASE_URL``) in a throwaway test database, with the real WeasyPrint renderer.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jitrack .venv/bin/python bench/lock_hold.py
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jitrack.test_settings")

import django  # noqa: E402

django.setup()

import psycopg2  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from determinations import workflow as dwf  # noqa: E402
from projects import workflow as wf  # noqa: E402
from projects.models import User  # noqa: E402
from tests.factories import (  # noqa: E402
    AIEFactory,
    OrganisationFactory,
    PartyFactory,
    UserFactory,
    pdf_upload,
    project_data,
)

RUNS = int(os.environ.get("RUNS", "5"))


def _poller(dsn: dict, project_id: int, stop: threading.Event, out: list[float]) -> None:
    """Record the longest time the row stayed locked by someone else."""
    conn = psycopg2.connect(**dsn)
    conn.autocommit = False
    cur = conn.cursor()
    locked_since = None
    longest = 0.0
    while not stop.is_set():
        try:
            cur.execute(
                "SELECT 1 FROM projects_project WHERE id = %s FOR UPDATE NOWAIT", [project_id]
            )
            conn.rollback()
            if locked_since is not None:
                longest = max(longest, time.perf_counter() - locked_since)
                locked_since = None
        except psycopg2.errors.LockNotAvailable:
            conn.rollback()
            if locked_since is None:
                locked_since = time.perf_counter()
        time.sleep(0.0005)
    if locked_since is not None:
        longest = max(longest, time.perf_counter() - locked_since)
    conn.close()
    out.append(longest)


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL server: row locks are what is measured.")
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        _run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _run() -> None:
    findings = {
        key: (True, "Reasons given in full.")
        for key in ("approval", "additionality", "baseline_monitoring", "environmental")
    }
    host = PartyFactory(code="UA", name="Ukraine")
    participant = UserFactory(role=User.Role.PARTICIPANT, organisation=OrganisationFactory())
    aie = UserFactory(role=User.Role.AIE, organisation=AIEFactory())
    secretariat = UserFactory(role=User.Role.SECRETARIAT)
    settings = connection.settings_dict
    dsn = {
        "dbname": settings["NAME"],
        "user": settings["USER"],
        "host": settings["HOST"],
        "port": settings["PORT"] or 5432,
    }
    if settings.get("PASSWORD"):
        dsn["password"] = settings["PASSWORD"]
    holds, totals = [], []
    for _ in range(RUNS):
        project = wf.create_project(participant, **project_data(host))
        wf.add_document(participant, project, kind="pdd", title="PDD", uploaded=pdf_upload())
        engagement = wf.engage_aie(participant, project, aie.organisation)
        wf.decide_engagement(aie, engagement, accept=True)
        wf.submit_pdd(aie, project)
        project = wf.check_pdd(secretariat, project, accept=True)
        wf.close_comments(project.pk, project.comments_close_at + dt.timedelta(seconds=1))
        stop, out = threading.Event(), []
        poller = threading.Thread(target=_poller, args=(dsn, project.pk, stop, out))
        poller.start()
        time.sleep(0.05)
        started = time.perf_counter()
        dwf.submit_determination(aie, project, findings=findings, outcome="positive")
        totals.append(time.perf_counter() - started)
        time.sleep(0.05)
        stop.set()
        poller.join()
        holds.append(out[0])
    print(f"determination filing, {RUNS} runs (PostgreSQL, WeasyPrint):")
    print(
        f"  whole act     median {statistics.median(totals) * 1000:7.1f} ms   max {max(totals) * 1000:7.1f} ms"
    )
    print(
        f"  row lock held median {statistics.median(holds) * 1000:7.1f} ms   max {max(holds) * 1000:7.1f} ms"
    )


if __name__ == "__main__":
    main()
