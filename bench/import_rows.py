"""The import of earlier records and the open-data downloads at registry scale (issue 13,
target 8).

On a fresh database (``bench/harness.py``), through the code path of
``python manage.py import_projects FILE`` (the command, ``registry.importer``):

1. ``--rows`` rows (20,000 by default) of published projects — references past 9999 with five
   digits, a mix of PDDs only, final determinations and withdrawals, participants and AIEs from
   a pool — written to a CSV file and imported: time, target < 60 s. Every write must have run
   inside one and the same transaction (a wrapper sees each statement). Memory, bounded: a file
   of ``--small`` rows (5,000) and one of ``--rows`` imported under tracemalloc, whose peaks are
   compared (target: the larger file's under 2.5 times the smaller's, for 4 times the rows); the
   timed imports run without tracemalloc (it slows Python down), and their peak-RSS growth is
   shown too. Each file has a host Party of its own, so the downloads below can select them.
2. All or nothing: the same file with a bad last row is rejected and leaves no project behind;
   a file whose writing fails at its very last row (the database refusing it) leaves none either.
3. The open-data downloads (``/opendata/projects.csv`` and ``.json``, streamed) read through
   Django's test client, ``streaming_content`` consumed chunk by chunk, for the ``--small``
   projects and for the ``--rows`` ones (a host Party each, selected with ``?host_party=``): every
   row arrives, and the tracemalloc peak is flat in the number of rows (target: under 1.5 times
   the smaller download's for 4 times the rows).

``--smoke`` imports 300 rows (and 75) and judges correctness only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/import_rows.py
    .venv/bin/python bench/import_rows.py --smoke            # SQLite in a temporary file
"""

from __future__ import annotations

import cProfile
import csv
import datetime as dt
import io
import json
import pstats
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Bench, arguments  # noqa: E402

parser = arguments(__doc__.split("\n", 1)[0])
parser.add_argument("--rows", type=int, default=20_000)
parser.add_argument("--small", type=int, default=None, help="the smaller file (rows / 4)")
parser.add_argument("--profile", action="store_true", help="profile the untraced imports")
ARGS = parser.parse_args()
if ARGS.smoke:
    ARGS.rows = 300
if ARGS.small is None:
    ARGS.small = max(1, ARGS.rows // 4)
BENCH = Bench("import", ARGS)
BENCH.start()

from django.core.management import CommandError, call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from projects import deadlines  # noqa: E402
from projects.models import Project  # noqa: E402
from registry import importer  # noqa: E402

AIES = [f"Historical Verifier {n}" for n in range(12)]
PARTICIPANTS = [f"Historical Participant {n}" for n in range(400)]


# --- the file ------------------------------------------------------------------------------------


def row(n: int, host: str) -> dict[str, str]:
    """Project number ``n`` (its reference), one of three histories."""
    pdd = dt.date(2008, 1, 1) + dt.timedelta(days=n % 1500)
    cells = {
        "reference": f"{n:04d}",
        "title": f"Historical project {n}: landfill gas capture and flaring",
        "host_party": host,
        "parties_involved": "JP;DE" if n % 3 else "",
        "participants": ";".join(PARTICIPANTS[(n + k) % len(PARTICIPANTS)] for k in (0, 7)),
        "aie": AIES[n % len(AIES)],
        "sectoral_scopes": "1;13" if n % 2 else "4",
        "small_scale": "true" if n % 5 == 0 else "false",
        "poa": "false",
        "expected_annual_reductions": str(10_000 + n),
        "pdd_available_on": pdd.isoformat(),
        "determination_available_on": "",
        "review_requested_on": "",
        "final_on": "",
        "withdrawn_on": "",
    }
    kind = n % 10
    if kind < 5:  # a final determination (its final_on follows from the window)
        det = deadlines.comments_close_at(pdd).date() + dt.timedelta(days=20)
        cells["determination_available_on"] = det.isoformat()
    elif kind == 5:  # withdrawn in the comment period
        cells["withdrawn_on"] = (pdd + dt.timedelta(days=10)).isoformat()
    return cells


def write_file(path: Path, first: int, count: int, host: str, *, bad_last: bool = False) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=importer.COLUMNS, lineterminator="\n")
        writer.writeheader()
        for n in range(first, first + count):
            cells = row(n, host)
            if bad_last and n == first + count - 1:
                cells["host_party"] = "XX"  # unknown Party code
            writer.writerow(cells)
    return path


# --- measuring -----------------------------------------------------------------------------------


def rss_kib(field: str) -> int:
    """VmRSS or VmHWM (the peak) of this process, KiB (Linux; 0 elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def reset_peak_rss() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    except OSError:
        pass


class Writes:
    """Sees every statement: the writes, and whether each ran inside the same transaction."""

    def __init__(self):
        self.writes = 0
        self.outside = 0
        self.transactions: set[int] = set()

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            self.writes += 1
            if connection.in_atomic_block:
                self.transactions.add(id(connection.atomic_blocks[0]))
            else:
                self.outside += 1
        return execute(sql, params, many, context)


def run_import(path: Path, *, trace: bool) -> dict:
    """``manage.py import_projects path``: seconds, tracemalloc peak, peak-RSS growth (bytes),
    what it printed, and the ``Writes`` it made."""
    out = io.StringIO()
    writes = Writes()
    reset_peak_rss()
    before = rss_kib("VmRSS")
    if trace:
        tracemalloc.start()
    profile = cProfile.Profile() if ARGS.profile and not trace else None
    started = time.perf_counter()
    try:
        if profile:
            profile.enable()
        with connection.execute_wrapper(writes):
            call_command("import_projects", str(path), stdout=out)
        error = ""
    except CommandError as exc:
        error = str(exc)
    took = time.perf_counter() - started
    if profile:
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(35)
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    return {
        "seconds": took,
        "peak": peak,
        "rss": max(0, rss_kib("VmHWM") - before) * 1024,
        "out": out.getvalue().strip(),
        "error": error,
        "writes": writes,
    }


def mib(n: float) -> str:
    return f"{n / 2**20:.1f} MiB"


def download(path: str) -> dict:
    """GET ``path``, its streamed body consumed chunk by chunk: rows, bytes, tracemalloc peak."""
    client = Client()
    tracemalloc.start()
    started = time.perf_counter()
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert response.streaming, f"{path} is not streamed"
    size = lines = rows = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
        rows += chunk.count(b'{"reference": ')  # a JSON row (its first key)
    response.close()
    took = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"seconds": took, "peak": peak, "bytes": size, "lines": lines, "rows": rows}


# --- the run -------------------------------------------------------------------------------------


def imports(tmp: Path) -> None:
    small, big = ARGS.small, ARGS.rows
    # Four files, each of a host Party of its own, references one after the other: the small
    # and large files imported under tracemalloc (memory), then two of the same sizes without
    # it (time and peak RSS; tracemalloc slows Python down and holds memory of its own).
    traced_small = write_file(tmp / "a.csv", 1, small, "LT")
    traced_big = write_file(tmp / "b.csv", small + 1, big, "UA")
    timed_small = write_file(tmp / "c.csv", small + big + 1, small, "BG")
    first = 2 * small + big + 1
    timed_big = write_file(tmp / "d.csv", first, big, "CZ")

    # All or nothing, first: a bad last row, then a failure while the last row is written.
    rejected = run_import(write_file(tmp / "bad.csv", first, big, "CZ", bad_last=True), trace=False)
    left = Project.objects.count()
    BENCH.check(
        f"bad last row of {big:,}: rejected, nothing written",
        f"{left} projects; {'rejected' if rejected['error'] else 'accepted'}",
        "0 projects",
        bool(rejected["error"]) and left == 0,
    )
    failing = FailAt(f"{first + big - 1:04d}")
    try:
        with connection.execute_wrapper(failing):
            call_command("import_projects", str(timed_big), stdout=io.StringIO())
        crashed = ""
    except Exception as exc:  # the injected failure, as the database would raise it
        crashed = type(exc).__name__
    left = Project.objects.count()
    BENCH.check(
        f"failure writing the last of {big:,} rows: nothing written",
        f"{left} projects; {crashed or 'no failure'}",
        "0 projects",
        bool(crashed) and failing.hit and left == 0,
    )

    memory = {small: run_import(traced_small, trace=True), big: run_import(traced_big, trace=True)}
    timed = {small: run_import(timed_small, trace=False), big: run_import(timed_big, trace=False)}
    again = run_import(timed_big, trace=False)  # nothing new: every row unchanged
    BENCH.target(
        f"import {big:,} rows",
        f"{timed[big]['seconds']:.1f} s",
        "< 60 s",
        timed[big]["seconds"] < 60,
    )
    BENCH.info(f"import {small:,} rows", f"{timed[small]['seconds']:.1f} s")
    imported = Project.objects.filter(host_party__code="CZ").count()
    BENCH.check(
        f"import {big:,} rows: projects created", f"{imported:,}", f"{big:,}", imported == big
    )
    writes = timed[big]["writes"]
    BENCH.check(
        f"import {big:,} rows: one transaction",
        f"{writes.writes:,} writes in {len(writes.transactions)} transaction(s), "
        f"{writes.outside} outside",
        "1",
        len(writes.transactions) == 1 and writes.outside == 0,
    )
    BENCH.check(
        "importing the same file again changes nothing",
        again["out"].split(": ", 1)[-1][:40],
        f"created 0, unchanged {big}",
        again["out"].endswith(f"created 0, unchanged {big}."),
    )
    BENCH.info(f"import again, {big:,} rows unchanged", f"{again['seconds']:.1f} s")
    for n in (small, big):
        BENCH.info(f"import {n:,} rows: peak RSS growth", mib(timed[n]["rss"]))
    BENCH.info(f"import {small:,} rows: tracemalloc peak", mib(memory[small]["peak"]))
    ratio = memory[big]["peak"] / max(1, memory[small]["peak"])
    BENCH.target(
        f"import {big:,} rows: tracemalloc peak",
        f"{mib(memory[big]['peak'])} ({ratio:.1f}x)",
        "< 2.5x the small file's",
        ratio < 2.5,
    )


class FailAt:
    """Fails the first write that carries ``reference`` (the file's last project): what a
    database refusing the last row would do, after every other row was written."""

    def __init__(self, reference: str):
        self.reference = reference
        self.hit = False

    def __call__(self, execute, sql, params, many, context):
        if (
            sql.lstrip().upper().startswith("INSERT")
            and "projects_project" in sql
            and self.reference in flat(params or ())
        ):
            self.hit = True
            raise RuntimeError("the database refused the last row (injected)")
        return execute(sql, params, many, context)


def flat(params) -> set[str]:
    """A statement's parameters as strings; lists (PostgreSQL's bulk INSERT sends a column as
    an array) opened up."""
    out: set[str] = set()
    for p in params:
        if isinstance(p, list | tuple):
            out |= flat(p)
        else:
            out.add(str(p))
    return out


def downloads() -> None:
    small, big = ARGS.small, ARGS.rows
    for fmt in ("csv", "json"):  # warm: the first request imports the views and templates
        b"".join(Client().get(f"/opendata/projects.{fmt}?host_party=ZZ").streaming_content)
    for fmt in ("csv", "json"):
        runs = {}
        for host, count in (("LT", small), ("UA", big)):
            got = download(f"/opendata/projects.{fmt}?host_party={host}")
            runs[count] = got
            # CSV: a header and a line per row
            rows_seen = got["lines"] - 1 if fmt == "csv" else got["rows"]
            BENCH.check(
                f"{fmt.upper()} download of {count:,} projects: rows",
                f"{rows_seen:,}",
                f"{count:,}",
                rows_seen == count,
            )
            BENCH.info(
                f"{fmt.upper()} download of {count:,} projects",
                f"{got['bytes'] / 2**20:.1f} MiB in {got['seconds']:.1f} s, peak {mib(got['peak'])}",
            )
        ratio = runs[big]["peak"] / max(1, runs[small]["peak"])
        BENCH.target(
            f"{fmt.upper()} download: peak {big:,} vs {small:,} projects",
            f"{ratio:.2f}x",
            "< 1.5x (flat)",
            ratio < 1.5,
        )
    # the smaller JSON document parsed whole once (not measured): it is one valid document
    body = b"".join(Client().get("/opendata/projects.json?host_party=LT").streaming_content)
    parsed = len(json.loads(body)["rows"])
    BENCH.check("JSON download parses", f"{parsed:,} rows", f"{small:,}", parsed == small)


def main() -> None:
    try:
        BENCH.info("database", BENCH.vendor)
        with transaction.atomic():
            assert not Project.objects.exists()
        imports(BENCH.tmp)
        downloads()
    finally:
        BENCH.stop()
    BENCH.finish()


if __name__ == "__main__":
    main()
