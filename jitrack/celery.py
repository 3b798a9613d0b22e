"""The Celery app. Its one beat schedule is CELERY_BEAT_SCHEDULE in settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jitrack.settings")

app = Celery("jitrack")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
