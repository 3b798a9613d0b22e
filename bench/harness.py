"""What the benchmarks in ``bench/`` share: a throwaway database with Django set up on it, and
the table of results they print.

A benchmark runs on the PostgreSQL server of ``DATABASE_URL`` in a database of its own, which it
creates, migrates and drops at the end (``--keep`` keeps it; ``--database NAME`` names it, and a
database of that name must not exist yet). Without a PostgreSQL ``DATABASE_URL`` it runs on a
temporary SQLite file. Either way nothing of the checkout is touched: media and Celery's state
go to a temporary directory, mail is queued to Celery's in-memory broker (so the cost of queueing
is measured, and nothing is delivered), and the cache is the process's local memory unless
``CACHE_URL`` names one (what the deployment's cache costs is the deployment's: Redis in
production). ``DEBUG`` is off, so Django keeps no query log.

A script parses its arguments (``arguments``), then calls ``Bench.start`` before it imports
anything from the apps, and ends with ``Bench.finish``, which prints the table and exits 1 when
a check failed. With ``--smoke`` the sizes are tiny and only correctness is checked: time and
memory targets are reported, not judged.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes; check correctness only")
    parser.add_argument("--database", help="name of the PostgreSQL database to create")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    return parser


class Bench:
    def __init__(self, name: str, args: argparse.Namespace):
        self.name = name
        self.args = args
        self.smoke = bool(args.smoke)
        self.rows: list[tuple[str, str, str, str]] = []
        self.failed = False
        self.tmp = Path(tempfile.mkdtemp(prefix=f"jitrack-bench-{name}-"))
        self.postgres: dict | None = None
        self.database = ""

    # --- set-up ----------------------------------------------------------------------------

    def start(self) -> None:
        """Point Django at a new database and migrate it. Call before importing the apps."""
        url = os.environ.get("DATABASE_URL", "")
        os.environ["DJANGO_SETTINGS_MODULE"] = "jitrack.settings"
        os.environ["DEBUG"] = "0"
        os.environ.setdefault("SECRET_KEY", "benchmark-only")
        os.environ["CELERY_BROKER_URL"] = "memory://localhost/"
        os.environ["JITRACK_VAR_DIR"] = str(self.tmp / "var")
        os.environ["MEDIA_ROOT"] = str(self.tmp / "media")
        is_postgres = url.startswith(("postgres://", "postgresql://", "pgsql://"))
        if not is_postgres:
            os.environ.pop("DATABASE_URL", None)

        import django  # noqa: PLC0415 -- once the environment is set
        from django.conf import settings  # noqa: PLC0415 -- once the environment is set

        if not os.environ.get("CACHE_URL"):
            settings.CACHES = {
                "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
            }
        db = settings.DATABASES["default"]
        if is_postgres:
            self.database = self.args.database or f"jitrack_bench_{self.name}_{os.getpid()}"
            self.postgres = {
                "host": db.get("HOST") or None,
                "port": db.get("PORT") or None,
                "user": db.get("USER") or None,
                "password": db.get("PASSWORD") or None,
            }
            self._server(f'CREATE DATABASE "{self.database}"')
            db["NAME"] = self.database
        else:
            self.database = str(self.tmp / "bench.sqlite3")
            db["NAME"] = self.database
        django.setup()

        from django.core.management import call_command  # noqa: PLC0415 -- once the environment is set
        from django.test.utils import setup_test_environment  # noqa: PLC0415 -- once the environment is set

        setup_test_environment()  # the test client's host, mail kept in memory
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(
            f"{self.name}: {self.vendor} database {self.database}, migrated in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )

    @property
    def vendor(self) -> str:
        return "PostgreSQL" if self.postgres else "SQLite"

    def _server(self, sql: str) -> None:
        import psycopg2  # noqa: PLC0415 -- once the environment is set

        conn = psycopg2.connect(dbname="postgres", **self.postgres)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
        finally:
            conn.close()

    def stop(self) -> None:
        from django.db import connections  # noqa: PLC0415 -- once the environment is set

        connections.close_all()
        if self.postgres and not self.args.keep:
            self._server(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        if self.args.keep:
            print(f"kept the database {self.database}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # --- results ---------------------------------------------------------------------------

    def check(self, measure: str, value: str, target: str, ok: bool) -> None:
        """A correctness check: judged in every mode."""
        self.rows.append((measure, value, target, "pass" if ok else "FAIL"))
        self.failed |= not ok

    def target(self, measure: str, value: str, target: str, ok: bool) -> None:
        """A speed or memory target: judged at full size, only reported by ``--smoke``."""
        if self.smoke:
            self.rows.append((measure, value, target, "n/a (smoke)"))
        else:
            self.check(measure, value, target, ok)

    def info(self, measure: str, value: str) -> None:
        self.rows.append((measure, value, "", ""))

    def finish(self) -> None:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        self.info("load average (1 min) at the end", f"{load:.1f} on {os.cpu_count()} CPUs")
        widths = [max(len(r[i]) for r in [*self.rows, HEAD]) for i in range(4)]
        print()
        for row in [HEAD, tuple("-" * w for w in widths), *self.rows]:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        print()
        print(f"{self.name}: {'FAILED' if self.failed else 'all passed'}", flush=True)
        sys.exit(1 if self.failed else 0)


HEAD = ("measure", "value", "target", "result")


@contextmanager
def stopwatch():
    """``with stopwatch() as t: …`` then ``t()`` is the seconds it took."""
    started = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - started
    end.append(time.perf_counter())


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"
