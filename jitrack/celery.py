"""The Celery app and the one beat schedule."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jitrack.settings")

app = Celery("jitrack")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The statutory clock: one idempotent sweep (projects.clock), every minute by default.
app.conf.beat_schedule = {
    "enforce-deadlines": {
        "task": "projects.tasks.enforce_deadlines",
        "schedule": float(os.environ.get("DEADLINE_SWEEP_SECONDS") or 60),
    },
}
