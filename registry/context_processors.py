"""What every page's navigation shows of the viewer's work (issue 15)."""

from __future__ import annotations

from functools import cached_property

from . import queues


class Work:
    """The viewer's work counts, read on first use in one query (none for an anonymous
    visitor or a page that does not show them); the dashboard reuses the same read."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def counts(self) -> dict[str, int]:
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return {}
        return queues.counts(user)

    @property
    def total(self) -> int:
        return queues.total(self.counts)

    @property
    def unread(self) -> int:
        return self.counts.get(queues.UNREAD, 0)


def work(request) -> dict:
    if not hasattr(request, "work"):
        request.work = Work(request)
    return {"work": request.work}
