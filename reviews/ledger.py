"""The review log's hash chain: ``projects.ledger`` seals and verifies it beside the public
record's. Its heads are published as the public record's are; a hash tells nothing of the
confidential entries it covers."""

from projects import ledger

from .models import ReviewLog, ReviewLogSeal


def entry_content(entry: ReviewLog) -> dict:
    return {
        "id": entry.pk,
        "project": entry.project_id,
        "kind": entry.kind,
        "actor": entry.actor_id,
        "data": entry.data,
        "created_at": ledger.instant(entry.created_at),
    }


REVIEW_LOG = ledger.Chain("review_log", ReviewLog, ReviewLogSeal, "entry", entry_content)


def register() -> None:
    ledger.register(REVIEW_LOG)
