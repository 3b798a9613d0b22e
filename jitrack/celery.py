"""The Celery app and the one beat schedule."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jitrack.settings")

app = Celery("jitrack")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _sweep_seconds() -> float:
    # Read here, before Django's settings load, so checked here too: a bad value must stop
    # start-up with a message naming the variable, not a bare ValueError (STYLE habit 8).
    raw = os.environ.get("DEADLINE_SWEEP_SECONDS") or "60"
    if not raw.strip().isdigit() or int(raw) < 1:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"DEADLINE_SWEEP_SECONDS must be a whole number of seconds, at least 1 (got {raw!r})"
        )
    return float(raw)


# The statutory clock: one idempotent sweep (projects.clock), every minute by default.
app.conf.beat_schedule = {
    "enforce-deadlines": {
        "task": "projects.tasks.enforce_deadlines",
        "schedule": _sweep_seconds(),
    },
}
