"""The registry benchmark (bench/registry.py) keeps running: its smoke version generates a tiny
registry, loads every row with wrk for a second through gunicorn, and prints the whole table.
On PostgreSQL when DATABASE_URL names one (CI), else on a temporary SQLite file."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROWS = [
    "section: first page",
    "section: Party filter",
    "section: text search",
    "section: page ",  # page 500, or the last page of a small registry
    "section: sorted",
    "project page: long history",
    "project page: long history as_of",
    "API list: page_size=100, filters",
    "API detail: typical",
    "API detail: long history",
    "feed: site-wide",
    "feed: per Party",
    "feed: per project",
    "calendar: project",
    "calendar: open windows",
    "statistics",
    "registry index",
    "project page: typical",
    "project page: typical as_of",
    "home page",
    "fee quote API",
]


def test_registry_bench_smoke_runs_every_row_without_errors():
    done = subprocess.run(
        [sys.executable, "bench/registry.py", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-5000:]
    table = done.stdout
    missing = [row for row in ROWS if f"\n| {row}" not in table]
    assert missing == [], table
    assert "| gunicorn worker " in table
    assert "| Celery worker " in table
    assert "Errors:" not in table
