"""The REST API under /api/ (schema at /api/schema/, docs at /api/docs/). ``cached``: what an
anonymous client reads is served from the page cache (jitrack.pagecache)."""

from django.urls import include, path

from determinations import account_api, aie_change_views
from determinations import api as determinations_api
from determinations.conversions_api import party_conversions
from determinations.track1_api import record_project as track1_project
from determinations.track1_api import record_verification as track1_verification
from fees import api as fees_api
from jitrack.pagecache import public_page as cached
from projects import api, change_api, component_api, inbox
from registry import api as registry_api
from reviews import api as reviews_api

urlpatterns = [
    path("auth/token/", api.obtain_token, name="api-token"),
    path("parties/", api.PartyList.as_view(), name="api-parties"),
    path("scopes/", api.ScopeList.as_view(), name="api-scopes"),
    path("aies/", api.AIEList.as_view(), name="api-aies"),
    path("projects/", cached(registry_api.ProjectList.as_view()), name="api-project-list"),
    path(
        "projects/<str:key>/",
        cached(registry_api.ProjectDetail.as_view()),
        name="api-project-detail",
    ),
    path("projects/<str:key>/update/", api.update_project, name="api-project-update"),
    path("projects/<str:key>/documents/", api.upload_document, name="api-project-documents"),
    path("projects/<str:key>/approvals/", api.record_approval, name="api-project-approvals"),
    path("projects/<str:key>/engage/", api.engage, name="api-project-engage"),
    path("projects/<str:key>/change-aie/", api.change_aie, name="api-project-change-aie"),
    path("projects/<str:key>/submit-pdd/", api.submit_pdd, name="api-project-submit-pdd"),
    path("projects/<str:key>/check-pdd/", api.check_pdd, name="api-project-check-pdd"),
    path("projects/<str:key>/comments/", cached(api.add_comment), name="api-project-comments"),
    path("projects/<str:key>/timeline/", cached(api.timeline), name="api-project-timeline"),
    path("projects/<str:key>/withdraw/", api.withdraw, name="api-project-withdraw"),
    path("projects/<str:key>/terminate/", api.terminate, name="api-project-terminate"),
    path(
        "projects/<str:key>/components/",
        cached(component_api.components),
        name="api-project-components",
    ),
    path(
        "projects/<str:key>/components/<int:number>/",
        cached(component_api.component),
        name="api-project-component",
    ),
    path(
        "projects/<str:key>/components/<int:number>/exclude/",
        component_api.exclude,
        name="api-project-component-exclude",
    ),
    path(
        "projects/<str:key>/participation-changes/",
        change_api.participation_changes,
        name="api-project-participation-changes",
    ),
    path(
        "participation-changes/<int:pk>/cancel/",
        change_api.cancel_change,
        name="api-participation-change-cancel",
    ),
    path(
        "participation-changes/<int:pk>/approve/",
        change_api.approve_change,
        name="api-participation-change-approve",
    ),
    path(
        "projects/<str:key>/crediting-period/",
        change_api.renew_crediting_period,
        name="api-project-crediting-period",
    ),
    path(
        "projects/<str:key>/determination/",
        determinations_api.submit_determination,
        name="api-project-determination",
    ),
    path(
        "projects/<str:key>/determination/check/",
        determinations_api.check_determination,
        name="api-project-determination-check",
    ),
    path(
        "projects/<str:key>/monitoring-reports/",
        determinations_api.monitoring_reports,
        name="api-project-monitoring-reports",
    ),
    path("projects/<str:key>/changes/", determinations_api.changes, name="api-project-changes"),
    path(
        "projects/<str:key>/verifications/<int:number>/publish/",
        determinations_api.publish_verification,
        name="api-verification-publish",
    ),
    path(
        "projects/<str:key>/verifications/<int:number>/review-requests/",
        reviews_api.request_verification_review,
        name="api-verification-review-requests",
    ),
    path(
        "projects/<str:key>/verifications/<int:number>/issuance/",
        determinations_api.issue_erus,
        name="api-verification-issuance",
    ),
    path(
        "projects/<str:key>/reconciliation/",
        determinations_api.reconciliation,
        name="api-project-reconciliation",
    ),
    path(
        "monitoring-reports/<int:pk>/withdraw/",
        determinations_api.withdraw_monitoring_report,
        name="api-monitoring-report-withdraw",
    ),
    path(
        "monitoring-reports/<int:pk>/change-aie/",
        aie_change_views.change_aie_api,
        name="api-monitoring-report-change-aie",
    ),
    path(
        "monitoring-reports/<int:pk>/verification/",
        determinations_api.submit_verification,
        name="api-monitoring-report-verification",
    ),
    path(
        "parties/<str:code>/issuance/",
        determinations_api.party_issuance,
        name="api-party-issuance",
    ),
    path(
        "parties/<str:code>/aau-holdings/",
        determinations_api.record_aau_holding,
        name="api-party-aau-holdings",
    ),
    path(
        "eru-blocks/<int:pk>/transfer/",
        determinations_api.transfer_block,
        name="api-eru-block-transfer",
    ),
    # Track 1 (para 23): the host's focal point records projects and verifications
    path("track1/projects/", track1_project, name="api-track1-projects"),
    path(
        "projects/<str:key>/track1-verifications/",
        track1_verification,
        name="api-project-track1-verifications",
    ),
    # the registry accounts participants name for their ERUs (determinations.accounts)
    path("registry-accounts/", account_api.registry_accounts, name="api-registry-accounts"),
    path(
        "registry-accounts/<int:pk>/deactivate/",
        account_api.deactivate_registry_account,
        name="api-registry-account-deactivate",
    ),
    path(
        "parties/<str:code>/conversions/",
        cached(party_conversions),
        name="api-party-conversions",
    ),
    path(
        "projects/<str:key>/registry-accounts/",
        account_api.project_registry_accounts,
        name="api-project-registry-accounts",
    ),
    path("projects/<str:key>/fee/", fees_api.determination_fee, name="api-project-fee"),
    path("projects/<str:key>/fee/payment/", fees_api.record_payment, name="api-project-payment"),
    path("projects/<str:key>/fees/", fees_api.fee_account, name="api-project-fees"),
    path("fees/quote/", cached(fees_api.fee_quote), name="api-fee-quote"),
    path("fees/revenue/", fees_api.fee_revenue, name="api-fee-revenue"),
    path("invoices/", fees_api.InvoiceList.as_view(), name="api-invoices"),
    path("invoices/<str:number>/", fees_api.invoice_detail, name="api-invoice-detail"),
    path("invoices/<str:number>/pdf/", fees_api.invoice_pdf, name="api-invoice-pdf"),
    path("invoices/<str:number>/payments/", fees_api.invoice_payment, name="api-invoice-payments"),
    path(
        "invoices/<str:number>/credit-note/",
        fees_api.invoice_credit_note,
        name="api-invoice-credit-note",
    ),
    path("reimbursements/", fees_api.ReimbursementList.as_view(), name="api-reimbursements"),
    path(
        "reimbursements/<int:pk>/paid/", fees_api.reimbursement_paid, name="api-reimbursement-paid"
    ),
    path("notifications/", inbox.NotificationList.as_view(), name="api-notifications"),
    path("notifications/<int:pk>/read/", inbox.notification_read, name="api-notification-read"),
    path(
        "notifications/read-all/", inbox.notifications_read_all, name="api-notifications-read-all"
    ),
    path("engagements/", api.EngagementList.as_view(), name="api-engagements"),
    path("engagements/<int:pk>/accept/", api.accept_engagement, name="api-engagement-accept"),
    path("engagements/<int:pk>/decline/", api.decline_engagement, name="api-engagement-decline"),
    path("approvals/<int:pk>/confirm/", api.confirm_approval, name="api-approval-confirm"),
    path("comments/<int:pk>/answer/", api.answer_comment, name="api-comment-answer"),
    path("comments/<int:pk>/remove/", api.remove_comment, name="api-comment-remove"),
    path("documents/<int:pk>/download/", api.download_document, name="api-document-download"),
    path("documents/<int:pk>/set-aside/", api.set_document_aside, name="api-document-set-aside"),
    path("", include("reviews.api_urls")),
]
