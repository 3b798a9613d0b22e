"""Recompute the hash chains over the record and name the first broken link (``projects.ledger``).

Exit 0: every sealed link, every recorded daily head and every head given with ``--expect``
matches. Exit 1: something was changed after it was sealed; the message names the first link
that no longer holds. Rows not sealed yet are reported (they are sealed within minutes by the
beat, or now with ``--seal``).
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from projects import ledger


def expectation(value: str) -> tuple[str, date, str]:
    """``[LOG:]DAY=HASH``, e.g. ``2026-12-06=3f…`` (the public record) or ``review_log:…``."""
    log, _, rest = value.rpartition(":") if value.count(":") else ("", "", value)
    day, sep, digest = rest.partition("=")
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise CommandError(f"--expect {value!r}: the day must be YYYY-MM-DD") from None
    digest = digest.strip().lower()
    if not sep or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise CommandError(f"--expect {value!r}: give DAY=HASH with the 64 hex digits")
    return log or "events", when, digest


class Command(BaseCommand):
    help = "Recompute the record's hash chains; exit 1 naming the first broken link."

    def add_arguments(self, parser):
        parser.add_argument(
            "--log",
            choices=sorted(ledger.CHAINS),
            action="append",
            help="verify only this log (default: all)",
        )
        parser.add_argument(
            "--expect",
            action="append",
            default=[],
            metavar="[LOG:]DAY=HASH",
            help="a daily head you kept from the record page or feed; it must still match",
        )
        parser.add_argument(
            "--seal", action="store_true", help="seal rows not sealed yet before verifying"
        )

    def handle(self, *args, **options):
        expected: dict[str, dict[date, str]] = {}
        for value in options["expect"]:
            log, day, digest = expectation(value)
            if log not in ledger.CHAINS:
                raise CommandError(f"--expect {value!r}: no log {log!r}")
            expected.setdefault(log, {})[day] = digest
        if options["seal"]:
            ledger.seal_all(full=True)
        broken = []
        for name in options["log"] or sorted(ledger.CHAINS):
            report = ledger.verify(ledger.CHAINS[name], expected=expected.get(name))
            if report.ok:
                self.stdout.write(
                    f"{name}: {report.sealed} link(s) verified; {report.pending} not sealed yet."
                )
            else:
                broken.append(name)
                self.stderr.write(
                    f"{name}: BROKEN after {report.sealed} good link(s): {report.broken}."
                )
        if broken:
            raise SystemExit(1)
