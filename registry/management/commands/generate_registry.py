"""``generate_registry``: a large, realistic, deterministic registry for benchmarks (issue 13).
The data set is described in ``registry.generate``; this command checks its arguments, refuses a
database that already holds projects and reports what it wrote."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from registry.generate import MAX_PROJECTS, NotEmpty, Options, generate, long_history_count


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today {value!r} is not a date YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Generate a large deterministic registry (projects of every status with their history) "
        "into a database without projects. Same --projects, --seed and --today: same rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, required=True, help=f"1 to {MAX_PROJECTS:,}")
        parser.add_argument("--seed", type=int, default=1, help="the random seed (default 1)")
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            help="the day the registry is generated for (default: today); windows closing "
            "after it are open",
        )
        parser.add_argument(
            "--chunk", type=int, default=1000, help="projects written at a time (default 1000)"
        )
        parser.add_argument(
            "--windows",
            type=float,
            default=Options.windows,
            help="windows open or closed in the last 365 days, a project, on average (default "
            "%(default)s: ~20 events a project; 5 gives 100,000 windows for 20,000 projects, and "
            "~35 events a project, since each window is a verification with its events)",
        )
        parser.add_argument("--long-events", type=int, default=2000)
        parser.add_argument("--long-comments", type=int, default=500)
        parser.add_argument("--long-documents", type=int, default=50)
        parser.add_argument("--long-verifications", type=int, default=20)

    def handle(self, *args, **options):
        projects = options["projects"]
        if not 1 <= projects <= MAX_PROJECTS:
            raise CommandError(f"--projects must be 1 to {MAX_PROJECTS:,} (got {projects}).")
        today = options["today"] or timezone.localdate()
        if not date(2015, 1, 1) <= today <= date(2099, 12, 31):
            # the long histories report from 2008 on, and the registry starts in 2006
            raise CommandError("--today must be a day from 2015 to 2099.")
        if not 0 <= options["windows"] <= 50:
            raise CommandError("--windows must be 0 to 50.")
        for name in ("chunk", "long_events", "long_comments", "long_verifications"):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be 1 or more.")
        if options["long_documents"] < 2 + 2 * options["long_verifications"]:
            raise CommandError(
                "--long-documents must be at least 2 + 2 × --long-verifications (the PDD, the "
                "determination report and each period's monitoring and verification reports)."
            )
        opts = Options(
            projects=projects,
            seed=options["seed"],
            today=today,
            chunk=options["chunk"],
            windows=options["windows"],
            long_events=options["long_events"],
            long_comments=options["long_comments"],
            long_documents=options["long_documents"],
            long_verifications=options["long_verifications"],
        )
        progress = self.stdout.write if options["verbosity"] >= 1 else lambda line: None
        try:
            totals = generate(opts, progress)
        except NotEmpty as exc:
            raise CommandError(
                f"The database already holds {exc.args[0]:,} project(s): generate_registry "
                "writes only into a registry without projects, so that generated data never "
                "mixes with real records. Nothing was written. Use a fresh database "
                "(createdb …; manage.py migrate)."
            ) from None
        statuses = ", ".join(f"{s} {n}" for s, n in sorted(totals.by_status.items()))
        long = ", ".join(totals.long) or "none"
        self.stdout.write(f"statuses: {statuses}")
        self.stdout.write(
            f"long-history projects ({len(totals.long)} of {long_history_count(projects)} "
            f"wanted): {long}"
        )
        self.stdout.write(
            f"windows: {totals.windows:,} ({totals.open_windows:,} open, "
            f"{totals.recent_windows:,} closed in the last 365 days)"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"generate_registry: {projects:,} projects, {totals.events:,} events, "
                f"{totals.comments:,} comments, {totals.documents:,} documents, "
                f"{totals.verifications:,} verifications, {totals.reviews:,} reviews, "
                f"{totals.issuances:,} ERU issuances; seed {opts.seed}, today {today}; "
                f"{totals.seconds:.1f} s"
            )
        )
