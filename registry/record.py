"""The record's daily fingerprints: the head of each log's hash chain at the end of every UTC day
(``projects.ledger``), as a page, as JSON and as an Atom feed. Anyone who keeps a copy of a day's
fingerprint can later have the record checked against it: had any entry of that day or before
been changed, removed or reordered since, the fingerprint would no longer match."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from projects import ledger
from projects.models import DailyHead

DAYS_PER_PAGE = 60
FEED_DAYS = 30


def days(heads) -> list[dict]:
    """Daily heads grouped by day, newest first: {day, heads: {log: head}}."""
    by_day: dict = {}
    for head in heads:
        by_day.setdefault(head.day, {})[head.log] = head
    order = list(ledger.CHAINS)
    return [
        {"day": day, "heads": logs, "cells": [logs.get(log) for log in order]}
        for day, logs in by_day.items()
    ]


def log_label(log: str) -> str:
    return str(DailyHead.Log(log).label)


@require_safe
def record_page(request: HttpRequest) -> HttpResponse:
    dates = DailyHead.objects.order_by("-day").values_list("day", flat=True).distinct()
    page = Paginator(dates, DAYS_PER_PAGE).get_page(request.GET.get("page"))
    heads = DailyHead.objects.filter(day__in=list(page.object_list)).order_by("-day", "log")
    current = [{**head, "label": log_label(head["log"])} for head in ledger.current_heads()]
    return render(
        request,
        "registry/record.html",
        {
            "page": page,
            "days": days(heads),
            "logs": [(log, log_label(log)) for log in ledger.CHAINS],
            "current": current,
        },
    )


@require_safe
def record_json(request: HttpRequest) -> JsonResponse:
    """The last FEED_DAYS days' heads and the heads now, for scripts that keep copies."""
    heads = DailyHead.objects.order_by("-day", "log")[: FEED_DAYS * len(ledger.CHAINS)]
    return JsonResponse(
        {
            "algorithm": "sha256-chain-v1",
            "current": [
                {"log": head["log"], "seq": head["seq"], "hash": head["hash"]}
                for head in ledger.current_heads()
            ],
            "days": [
                {"day": head.day.isoformat(), "log": head.log, "seq": head.seq, "hash": head.hash}
                for head in heads
            ],
        }
    )


@method_decorator(require_safe, name="__call__")
class RecordFeed(Feed):
    """One entry per whole UTC day: the fingerprint of each log at its end."""

    feed_type = Atom1Feed
    title = _("Joint Implementation: daily fingerprints of the record")
    subtitle = _(
        "The head of the record's hash chains at the end of each UTC day, newest first. Keep "
        "a copy: the record can later be checked against it."
    )
    author_name = _("Joint Implementation registry (jitrack)")

    def link(self) -> str:
        return reverse("record")

    def feed_url(self) -> str:
        return reverse("feed_record")

    def items(self):
        heads = DailyHead.objects.order_by("-day", "log")[: FEED_DAYS * len(ledger.CHAINS)]
        return days(heads)

    def item_title(self, item) -> str:
        return gettext("Fingerprint of the record at the end of %(day)s (UTC)") % {
            "day": item["day"].isoformat()
        }

    def item_description(self, item) -> str:
        return "".join(
            f"<p>{capfirst(log_label(log))}: {gettext('entry')} {head.seq}, SHA-256 "
            f"<code>{head.hash}</code></p>"
            for log, head in sorted(item["heads"].items())
        )

    def item_link(self, item) -> str:
        return f"{reverse('record')}#day-{item['day'].isoformat()}"

    def item_guid(self, item) -> str:
        return f"jitrack-record-{item['day'].isoformat()}"

    def item_updateddate(self, item):
        return max(head.recorded_at for head in item["heads"].values())

    def item_pubdate(self, item):
        return self.item_updateddate(item)
