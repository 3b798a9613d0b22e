from django.urls import path

from . import views

urlpatterns = [
    path(
        "projects/<str:key>/determination/",
        views.determination_file,
        name="determination_file",
    ),
    path(
        "projects/<str:key>/determination/check/",
        views.determination_check,
        name="determination_check",
    ),
]
