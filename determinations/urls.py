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
    path("projects/<str:key>/fee/", views.fee_detail, name="fee_detail"),
    path("projects/<str:key>/fee/payment/", views.fee_payment, name="fee_payment"),
]
