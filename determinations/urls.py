from django.urls import path

from . import account_views, aie_change_views, views
from .inventory_views import party_inventory
from .track1_views import track1_project_new, track1_verification_new

urlpatterns = [
    path(
        "projects/<str:key>/determination/",
        views.determination_file,
        name="determination_file",
    ),
    path(
        "projects/<str:key>/determination/invoice-preview/",
        views.invoice_preview,
        name="determination_invoice_preview",
    ),
    path(
        "projects/<str:key>/determination/check/",
        views.determination_check,
        name="determination_check",
    ),
    # monitoring, verification (F-JI-VRep) and ERU issuance
    path("projects/<str:key>/monitoring/new/", views.monitoring_new, name="monitoring_new"),
    path("projects/<str:key>/changes/new/", views.change_new, name="change_new"),
    path("monitoring/<int:pk>/verify/", views.verification_file, name="verification_file"),
    path("monitoring/<int:pk>/withdraw/", views.monitoring_withdraw, name="monitoring_withdraw"),
    path(
        "monitoring/<int:pk>/change-aie/",
        aie_change_views.change_aie,
        name="monitoring_change_aie",
    ),
    path(
        "projects/<str:key>/verifications/<int:number>/publish/",
        views.verification_publish,
        name="verification_publish",
    ),
    path(
        "projects/<str:key>/verifications/<int:number>/issue/",
        views.eru_issue,
        name="eru_issue",
    ),
    path("eru-blocks/<int:pk>/transfer/", views.eru_transfer, name="eru_transfer"),
    # the registry accounts the participants name for their ERUs
    path("registry-accounts/", account_views.registry_accounts, name="registry_accounts"),
    path(
        "registry-accounts/<int:pk>/deactivate/",
        account_views.registry_account_deactivate,
        name="registry_account_deactivate",
    ),
    path("parties/<str:code>/issuance/", views.party_issuance, name="party_issuance"),
    path("parties/<str:code>/inventory/", party_inventory, name="party_inventory"),
    # Track 1 (para 23): the host's focal point records projects and verifications
    path("track1/projects/new/", track1_project_new, name="track1_project_new"),
    path(
        "projects/<str:key>/track1/verifications/new/",
        track1_verification_new,
        name="track1_verification_new",
    ),
]
