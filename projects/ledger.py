"""The hash chain over the record (issue 14: "the record cannot be altered unseen").

The event log (``Event``) and the confidential review log (``reviews.ReviewLog``) are
append-only: their models refuse ``save`` of a stored row and ``delete``, and on PostgreSQL a
trigger refuses UPDATE and DELETE (``jitrack.db.append_only``) for a role that does not own the
tables. That stops the app; it cannot stop the database's owner. So each log is also a **hash
chain**: every row gets a seal (``EventSeal``, ``ReviewLogSeal``) holding

    hash = SHA-256(previous hash, "\\n", canonical JSON of the row's content and of the SHA-256 of
    every document the row names)

in the order rows are sealed (``seq`` 1, 2, 3 …; the first link's previous hash is 64 zeros). A
change to any sealed row, to a document it names, or to the order, breaks every later link;
``python manage.py verify_log`` recomputes the chain and names the first broken link. The head of
each chain at the end of each UTC day is recorded once (``DailyHead``) and published on the
record page and in its Atom feed: a copy of a day's head kept by anyone outside proves later
that history up to that day was not rewritten, even by someone who recomputed every hash.

Rows are sealed after their transaction commits (``models.seal_soon``, and the beat's ``seal_logs`` as
a backstop), not inside it: the chain's lock is then never held while an act holds its own rows'
locks, so it adds neither deadlocks nor waits to the acts. A row written but not sealed yet is
reported by ``verify_log`` as pending.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC as utc
from datetime import date, datetime, time, timedelta

from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from .models import Counter, DailyHead, Document, Event, EventSeal

GENESIS = "0" * 64
SEAL_BATCH = 1000
# How far behind the last sealed row the quick sealing run looks for rows committed late.
SEAL_WINDOW = 2000
# Keys of a row's ``data`` that name documents (one id, or a list of ids).
DOCUMENT_KEYS = ("document_id", "document", "documents")


@dataclass(frozen=True)
class Chain:
    """One log and its seals. ``content(row)`` is what the hash covers besides the documents."""

    name: str  # a DailyHead.Log value
    model: type[models.Model]
    seal_model: type[models.Model]
    link: str  # the seal's one-to-one field to the row
    content: Callable[[models.Model], dict]

    @property
    def counter(self) -> str:
        return f"chain:{self.name}"

    def seal_of(self, row: models.Model, seq: int, prev: str, docs: dict, now: datetime):
        digest = link_hash(prev, self.canonical(row, docs))
        return self.seal_model(
            **{self.link: row}, seq=seq, prev_hash=prev, hash=digest, sealed_at=now
        )

    def canonical(self, row: models.Model, docs: dict[int, str]) -> bytes:
        content = self.content(row)
        content["documents"] = [[pk, docs.get(pk, "")] for pk in document_ids(row)]
        return json.dumps(
            content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
        ).encode()


def link_hash(prev: str, canonical: bytes) -> str:
    return hashlib.sha256(prev.encode() + b"\n" + canonical).hexdigest()


def instant(value: datetime) -> str:
    return value.astimezone(utc).isoformat(timespec="microseconds")


def document_ids(row: models.Model) -> list[int]:
    """The documents a row names in its ``data``, in a fixed order."""
    data = getattr(row, "data", None) or {}
    ids: set[int] = set()
    for key in DOCUMENT_KEYS:
        value = data.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, int) and not isinstance(item, bool):
                ids.add(item)
    return sorted(ids)


def documents_of(rows: Iterable[models.Model]) -> dict[int, str]:
    """The SHA-256 of every document the rows name, in one query."""
    ids = {pk for row in rows for pk in document_ids(row)}
    if not ids:
        return {}
    return dict(Document.objects.filter(pk__in=ids).values_list("pk", "sha256"))


def event_content(event: Event) -> dict:
    return {
        "id": event.pk,
        "kind": event.kind,
        "project": event.project_id,
        "organisation": event.organisation_id,
        "party": event.party_id,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "reason": event.reason,
        "data": event.data,
        "public": event.public,
        "created_at": instant(event.created_at),
    }


EVENTS = Chain("events", Event, EventSeal, "event", event_content)
CHAINS: dict[str, Chain] = {EVENTS.name: EVENTS}


def register(chain: Chain) -> None:
    """A higher app's log joins the chains sealed and verified here (``reviews.apps``)."""
    CHAINS[chain.name] = chain


# --- sealing ---------------------------------------------------------------------------------


def seal(
    chain: Chain, *, now: datetime | None = None, batch: int = SEAL_BATCH, full: bool = False
) -> int:
    """Seal every committed row of ``chain`` not sealed yet, oldest id first. Safe to run in
    parallel: the chain's counter row is the lock. Returns how many rows were sealed.

    A row commits after rows with higher ids only when its transaction ran long; the quick run
    (every commit, every few minutes) looks back ``SEAL_WINDOW`` ids from the last sealed row,
    through the primary key's index, and ``full`` (once a day, before the day's head is
    recorded; ``verify_log --seal``) looks at every row."""
    sealed = 0
    after: int | None = None
    while True:
        with transaction.atomic():
            counter = Counter.objects.select_for_update().filter(name=chain.counter).first()
            if counter is None:
                Counter.objects.bulk_create([Counter(name=chain.counter)], ignore_conflicts=True)
                counter = Counter.objects.select_for_update().get(name=chain.counter)
            if after is None:
                last = chain.seal_model.objects.aggregate(last=Max("pk"))["last"] or 0
                after = 0 if full else max(0, last - SEAL_WINDOW)
            # NOT IN over the same range of ids: an anti-join would hash every seal.
            sealed_ids = chain.seal_model.objects.filter(pk__gt=after).values("pk")
            rows = list(
                chain.model.objects.filter(pk__gt=after)
                .exclude(pk__in=sealed_ids)
                .order_by("pk")[:batch]
            )
            if not rows:
                return sealed
            after = rows[-1].pk
            prev = (
                chain.seal_model.objects.filter(seq=counter.value)
                .values_list("hash", flat=True)
                .first()
                or GENESIS
            )
            docs = documents_of(rows)
            at = now or timezone.now()
            seals = []
            for row in rows:
                counter.value += 1
                seals.append(chain.seal_of(row, counter.value, prev, docs, at))
                prev = seals[-1].hash
            chain.seal_model.objects.bulk_create(seals)
            counter.save(update_fields=["value"])
            sealed += len(seals)


def seal_all(now: datetime | None = None, *, full: bool = False) -> dict[str, int]:
    return {name: seal(chain, now=now, full=full) for name, chain in CHAINS.items()}


# --- the daily heads ---------------------------------------------------------------------------


def day_end(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=utc)


def record_daily_heads(now: datetime | None = None) -> int:
    """Record each chain's head at the end of every whole UTC day not recorded yet (the days
    since the last recorded one, from the first seal's day). Returns the heads written."""
    now = now or timezone.now()
    today = now.astimezone(utc).date()
    written = 0
    for chain in CHAINS.values():
        last = DailyHead.objects.filter(log=chain.name).order_by("-day").first()
        if last is not None:
            day = last.day + timedelta(days=1)
        else:
            first = chain.seal_model.objects.order_by("seq").values_list("sealed_at", flat=True)
            first_at = first.first()
            if first_at is None:
                continue
            day = first_at.astimezone(utc).date()
        heads = []
        if day < today:
            seal(chain, full=True)  # a row committed late belongs to the day it is sealed
        while day < today:
            head = (
                chain.seal_model.objects.filter(sealed_at__lt=day_end(day))
                .order_by("-seq")
                .values_list("seq", "hash")
                .first()
            )
            seq, digest = head or (0, GENESIS)
            heads.append(DailyHead(log=chain.name, day=day, seq=seq, hash=digest, recorded_at=now))
            day += timedelta(days=1)
        DailyHead.objects.bulk_create(heads, ignore_conflicts=True)
        written += len(heads)
    return written


def current_heads() -> list[dict]:
    """Each chain's head now: what the record page shows for today, before it is recorded."""
    heads = []
    for chain in CHAINS.values():
        head = chain.seal_model.objects.order_by("-seq").values("seq", "hash", "sealed_at").first()
        heads.append({"log": chain.name, **(head or {"seq": 0, "hash": GENESIS})})
    return heads


# --- verification ------------------------------------------------------------------------------


@dataclass
class Report:
    chain: str
    sealed: int = 0
    pending: int = 0
    broken: str = ""  # the first broken link, in words

    @property
    def ok(self) -> bool:
        return not self.broken


def verify(chain: Chain, *, expected: dict[date, str] | None = None, chunk: int = 2000) -> Report:
    """Recompute ``chain`` from its first link; stop at the first broken one. ``expected``: heads
    kept outside (day → hash) that the recorded daily heads must equal."""
    report = Report(chain.name)
    prev, seq = GENESIS, 0
    seals = chain.seal_model.objects.select_related(chain.link).order_by("seq")
    after = 0
    while True:
        batch = list(seals.filter(seq__gt=after)[:chunk])
        if not batch:
            break
        rows = [getattr(seal, chain.link) for seal in batch]
        docs = documents_of(rows)
        for seal, row in zip(batch, rows, strict=True):
            seq += 1
            name = f"link {seal.seq} ({chain.model.__name__} {row.pk})"
            if seal.seq != seq:
                report.broken = f"link {seq} is missing: the next sealed link is {seal.seq}"
            elif seal.prev_hash != prev:
                report.broken = f"{name}: its previous hash is not the hash of link {seq - 1}"
            elif link_hash(prev, chain.canonical(row, docs)) != seal.hash:
                report.broken = (
                    f"{name}: the {chain.model._meta.verbose_name} or a document it names "
                    "changed after it was sealed"
                )
            if report.broken:
                report.sealed = seq - 1
                return report
            prev = seal.hash
        after = batch[-1].seq
    report.sealed = seq
    counter = Counter.objects.filter(name=chain.counter).values_list("value", flat=True).first()
    if counter is not None and counter != seq:
        report.broken = f"the chain's head says {counter} links but {seq} were found"
        return report
    report.pending = chain.model.objects.filter(seal__isnull=True).count()
    heads = list(DailyHead.objects.filter(log=chain.name).order_by("day"))
    hashes = dict(
        chain.seal_model.objects.filter(seq__in={head.seq for head in heads})
        .values_list("seq", "hash")
        .order_by()
    )
    for head in heads:
        if hashes.get(head.seq, GENESIS if head.seq == 0 else None) != head.hash:
            report.broken = f"the published head of {head.day} (link {head.seq}) does not match"
            return report
    for day, digest in sorted((expected or {}).items()):
        head = DailyHead.objects.filter(log=chain.name, day=day).first()
        if head is None:
            report.broken = f"no head is recorded for {day}, which you kept as {digest[:12]}…"
            return report
        if head.hash != digest:
            report.broken = (
                f"the head of {day} is {head.hash[:12]}…, not {digest[:12]}… as you kept it: "
                "history up to that day was rewritten"
            )
            return report
    return report
