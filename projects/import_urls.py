"""Routes for bringing existing projects over from earlier records (issue 6)."""

from django.urls import path

from . import import_views

urlpatterns = [
    path("projects/import/", import_views.import_page, name="projects_import"),
]
