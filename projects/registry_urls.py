"""Routes of the public registry: feeds, calendars, open data and statistics (issue 6)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
