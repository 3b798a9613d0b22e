"""Routes for bringing existing projects over from earlier records (issue 6)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
